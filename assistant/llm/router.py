"""A language model as the router where the rules are unsure: one constrained request, the tool and its arguments.

The model never writes an answer or a figure. It gets the question and the tools' own descriptions and parameter
schemas, and must reply with JSON that the schema allows (llama.cpp turns `response_format: json_schema` into a
grammar; OpenAI-style APIs get the same schema as one forced function call). What it chose is then checked like any
user input (intents.chosen_intent reads every value from the user's words) and answered by the deterministic composer.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import httpx

from assistant.agent.brain import SEARCH
from assistant.agent.router import load_intents
from tools.registry import tool_specs

log = logging.getLogger(__name__)
ROUTES = frozenset([*(s.name for s in tool_specs()), SEARCH])  # every name a model may choose or call
PROMPT = """You route questions about three Chinese fund research reports (US active ETFs in 2024; choosing \
index-enhanced funds, 2021; index-enhanced ETFs and the liquidity shock of position building, 2023) to one tool. \
Reply with JSON: {{"tool": <name>, "args": {{...}}}}. Choose a data tool only when it computes exactly what is asked; \
everything else (market totals, shares, reasons, methods, Chinese enhanced funds' statistics, what a report says) \
goes to search_reports.
Tools:
{tools}
- search_reports: {report}

Examples:
{examples}"""
EXAMPLES_PER_TOOL = 8
PASSAGE_INTENTS = {"report": SEARCH, "meta": SEARCH}  # intents.yaml labels answered from the passages


@dataclass(frozen=True)
class Choice:
    """What the model chose for one question (tool None: no valid choice, `error` says why), and how long it took."""

    tool: str | None
    args: dict[str, Any]
    ms: int
    error: str | None = None


def _plain(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter schema without titles and descriptions: the grammar needs only the shapes."""
    if isinstance(schema, dict):
        return {k: _plain(v) for k, v in schema.items() if k not in ("title", "description", "default")}
    if isinstance(schema, list):
        return [_plain(v) for v in schema]
    return schema


@cache
def route_schema() -> dict[str, Any]:
    """One alternative per data tool ({"tool": its name, "args": its parameters}) and one for the reports."""
    options = [{"type": "object", "properties": {"tool": {"const": s.name},
                                                 "args": _plain(s.client_model.model_json_schema())},
                "required": ["tool", "args"], "additionalProperties": False} for s in tool_specs()]
    options.append({"type": "object", "properties": {"tool": {"const": SEARCH}}, "required": ["tool"],
                    "additionalProperties": False})
    return {"anyOf": options}


@cache
def prompt() -> str:
    """The system prompt, generated from the registry (each tool's summary and closed choices) and from the example
    questions of intents.yaml (data, shared with the semantic router). The server caches it after the first request,
    so its length costs once."""
    intents = load_intents()
    lines, examples = [], []
    for spec in tool_specs():
        choices = "; ".join(f"{p.name}: {' | '.join(map(str, p.choices))}" for p in spec.params
                            if p.choices and not p.server_path)
        described = intents.get(f"tool:{spec.name}", {}).get("description", spec.summary)
        lines.append(f"- {spec.name}: {described}" + (f" ({choices})" if choices else ""))
    for label, spec in intents.items():
        tool = label.removeprefix("tool:") if label.startswith("tool:") else PASSAGE_INTENTS.get(label)
        shown = spec["examples"] if label == "report" else spec["examples"][:EXAMPLES_PER_TOOL]  # most are reports
        examples += [f'{q} → {{"tool": "{tool}"}}' for q in shown if tool]
    return PROMPT.format(tools="\n".join(lines), report=intents["report"]["description"],
                         examples="\n".join(examples))


class LLMRouter:
    """Asks an OpenAI-compatible server (llama-server, vLLM, an API) which tool a question needs."""

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None,
                 protocol: Literal["json_schema", "tool"] = "json_schema", always: bool = False,
                 timeout: float = 60.0) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.protocol = protocol
        self.always = always
        self.name = model  # what answers name as their brain: offline+<name>
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # a cold prompt (tools and examples, ~2,000 tokens) takes ~20 s on 2 cores: a long read budget, a short connect
        self.timeout = httpx.Timeout(timeout, connect=5.0)
        self._cache: dict[str, Choice] = {}
        self._warming: threading.Thread | None = None

    def warm(self) -> None:
        """Send the system prompt once in the background, so that the server has it cached (a cold prompt takes
        ~15 s on 2 cores) before the first user's question."""
        self._warming = threading.Thread(target=self.choose, args=("warm-up",), daemon=True, name="llm-warm-up")
        self._warming.start()

    def request(self, question: str) -> dict[str, Any]:
        """The chat-completions body for one question."""
        body: dict[str, Any] = {"model": self.model, "temperature": 0, "max_tokens": 200,
                                "messages": [{"role": "system", "content": prompt()},
                                             {"role": "user", "content": question}]}
        if self.protocol == "json_schema":
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "route", "schema": route_schema()}}
        else:  # APIs that constrain arguments only for tool calls: one function, forced
            body["tools"] = [{"type": "function", "function": {"name": "route", "description": "route the question",
                                                               "parameters": route_schema()}}]
            body["tool_choice"] = {"type": "function", "function": {"name": "route"}}
        return body

    def choose(self, question: str) -> Choice:
        """The model's choice for `question` (asked once per question: the brain reads it at every step). A failed
        request or an invalid reply is a Choice without a tool, and the rules' answer stands; failures are not
        remembered, so a server that comes back is used again."""
        if question in self._cache:
            return self._cache[question]
        if self._warming is not None and self._warming is not threading.current_thread():
            self._warming.join(self.timeout.read)  # then this question's prompt is a cache hit, not a second cold one
            self._warming = None
        start = time.perf_counter()
        try:
            reply = httpx.post(self.url, json=self.request(question), headers=self.headers, timeout=self.timeout)
            reply.raise_for_status()
            tool, args = self._parse(reply.json())
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("LLM router failed (%s: %s); the rules' answer stands", type(exc).__name__, exc)
            return Choice(None, {}, round((time.perf_counter() - start) * 1000), f"{type(exc).__name__}: {exc}")
        choice = Choice(tool, args, round((time.perf_counter() - start) * 1000),
                        None if tool else "the reply named no known tool")
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[question] = choice
        return choice

    @staticmethod
    def _parse(reply: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """(tool, args) from a json_schema reply's content or a forced tool call's arguments."""
        message = reply["choices"][0]["message"]
        calls = message.get("tool_calls") or []
        raw = calls[0]["function"]["arguments"] if calls else message.get("content") or ""
        data = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(data, dict) or data.get("tool") not in ROUTES:
            return None, {}
        return str(data["tool"]), data["args"] if isinstance(data.get("args"), dict) else {}
