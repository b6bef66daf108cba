"""The offline brain: a deterministic chat model with LangChain's interface, so one agent loop runs it or an LLM.

It reads the conversation like an LLM would: the last human message is the question, earlier tool calls are the
context for follow-ups, and tool messages after the question are this turn's results. It answers in two steps: first
an AIMessage with the tool calls the question needs (a data tool and/or search_reports), then, once their results are
in the conversation, the composed answer (or NOT_FOUND).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from assistant.agent.compose import compose, evidence_query, part_queries, refusal
from assistant.agent.intents import Context, Intent, chosen_intent, parse, reports_named_in, subject_of
from assistant.agent.metadata import compose_meta, meta_query
from assistant.agent.slots import funds

SEARCH = "search_reports"


def _tool_name(tool: dict[str, Any] | type | Callable[..., Any] | BaseTool) -> str:
    if isinstance(tool, BaseTool):
        return tool.name
    if isinstance(tool, dict) and "name" in tool:
        return str(tool["name"])
    return str(convert_to_openai_tool(tool)["function"]["name"])


def _key(name: str, args: dict[str, Any]) -> str:
    return name + json.dumps(args, sort_keys=True, ensure_ascii=False)


def rows_listed(content: str) -> tuple[str, ...]:
    """The funds a tool result lists, in its row order (a comparison's benchmark left out): what '第二名', 'the best
    one' or 'the one that won' points at."""
    try:
        rows = json.loads(content).get("rows") or []
    except (ValueError, AttributeError):
        rows = []
    codes = [str(r.get("code") or r.get("ticker")) for r in rows if isinstance(r, dict) and r.get("role") != "benchmark"
             and (r.get("code") or r.get("ticker"))]
    return tuple(codes) or tuple(f.query for f in funds(content, names=False) if f.query)


def context_of(history: Sequence[BaseMessage]) -> Context:
    """The last data-tool call (with the funds its result lists, in order), the last question and the last fund
    named before this turn: what a follow-up ("它的费率呢？", "what about the third one?") refers to."""
    humans = [m for m in history if isinstance(m, HumanMessage)]
    questions = [m.text for m in humans]
    question = (humans[-1].additional_kwargs.get("resolved") or humans[-1].text) if humans else None  # a follow-up
    # as it was resolved ('…first batch? what about the second one?'): what the next one ('and when was that batch
    # approved?') refers to, not its bare words
    reports = next((named for q in reversed(questions) if (named := reports_named_in(q))), ())
    fund = None
    for message in history:
        if isinstance(message, HumanMessage | AIMessage) and message.text:
            named = [f.query for f in funds(message.text) if f.query]
            fund = named[0] if named else fund
        for call in getattr(message, "tool_calls", None) or []:
            if call["name"] == "fund_facts" and call["args"].get("query"):
                fund = str(call["args"]["query"])
    results = {m.tool_call_id: m.text for m in history if isinstance(m, ToolMessage)}
    calls = [c for m in history for c in getattr(m, "tool_calls", None) or [] if c["name"] != SEARCH]
    answers = [m.text for m in history if isinstance(m, AIMessage) and m.text and not m.tool_calls]
    subject = subject_of(answers[-1]) if answers else None
    if not calls:
        return Context(question=question, fund=fund, reports=reports, subject=subject)
    last = calls[-1]
    asked_at = max((i for i, m in enumerate(history) if isinstance(m, HumanMessage)), default=-1)
    by_tool = any(c["name"] != SEARCH for m in history[asked_at + 1:] for c in getattr(m, "tool_calls", None) or [])
    listed = [rows_listed(results.get(c["id"], "")) for c in calls]
    ranked = listed[-1]
    if last["name"] == "fund_facts" and len(calls) >= 2 and calls[-2]["name"] == "rank_funds" and fund in listed[-2]:
        ranked = listed[-2]  # a fact of a ranked row: "and the second one?" is the ranking's next row
    if last["name"] == "compare_returns" and ranked and by_tool:
        fund = ranked[0]  # 'who manages that fund?' after a comparison: the enhanced fund it led with, not the
        # benchmark its answer names first
    rankings = ("rank_funds", "rank_issuers")
    ranking = next(((c["name"], dict(c["args"])) for c in reversed(calls) if c["name"] in rankings), None)
    ranking = ranking if last["name"] not in rankings else None  # a lookup after a ranking: '第二名' is its next row
    comparison = next((dict(c["args"]) for c in reversed(calls) if c["name"] == "compare_returns"), None)
    return Context(last["name"], dict(last["args"]), question, fund, ranked, reports, ranking, subject, by_tool,
                   comparison if last["name"] != "compare_returns" else None)


class OfflineBrain(BaseChatModel):
    """Rule-based intent and slot extraction, deterministic tool calls and extractive answers; no network, no model."""

    tool_names: tuple[str, ...] = ()
    router: Any = None  # assistant.agent.router.Router, when the embedding model is loaded
    reports: tuple[dict[str, str], ...] = ()  # each report's metadata (id, title, publisher, date, authors)
    similarity: Any = None  # (query, sentences) → cosine similarities, to pick quoted sentences by meaning too
    llm_router: Any = None  # assistant.llm.router.LLMRouter: a model asked where the rules are unsure

    @property
    def _llm_type(self) -> str:
        return "offline-rules"

    def bind_tools(self, tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool], *,
                   tool_choice: str | None = None, **kwargs: Any) -> OfflineBrain:
        """A copy that calls only these tools (an unbound brain calls every tool it knows)."""
        return self.model_copy(update={"tool_names": tuple(_tool_name(t) for t in tools)})

    def _bound(self, name: str) -> bool:
        return not self.tool_names or name in self.tool_names

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.respond(messages))])

    def respond(self, messages: Sequence[BaseMessage]) -> AIMessage:
        start = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
        question = messages[start].text
        context = context_of(messages[:start])
        intent = parse(question, context, self.router)
        routed: dict[str, Any] = {}
        if self.llm_router is not None and self._unsure(intent):
            intent, routed = self._reroute(question, intent, context)
        if intent.tool and not self._bound(intent.tool):
            intent = Intent(None, lang=intent.lang, query=question)
        reply = self._reply(question, intent, messages[start:], len(messages))
        reply.response_metadata.update(routed)
        return reply

    def _unsure(self, intent: Intent) -> bool:
        """Whether to ask the model: never for a refusal, a scope answer or a follow-up the previous turn resolved;
        for the rest when the rules were unsure (or always, when LLM_ROUTE=always)."""
        if intent.errors or intent.scope or intent.routing == "context":
            return False
        return intent.routing == "unsure" or self.llm_router.always

    def _reroute(self, question: str, intent: Intent, context: Context) -> tuple[Intent, dict[str, Any]]:
        """The intent for the tool the model chose (values still from the user's words), and what it did."""
        choice = self.llm_router.choose(question)
        if choice.tool is None:
            return intent, {"llm_ms": choice.ms, "llm_error": choice.error}
        used = {"llm_ms": choice.ms, "brain": f"offline+{self.llm_router.name}", "routed_to": choice.tool}
        if choice.tool == SEARCH:  # a tool the rules filled from the question's own values is not dropped for it
            return intent, used if intent.tool is None else {"llm_ms": choice.ms}
        chosen = chosen_intent(choice.tool, choice.args, question, context)
        if chosen is None:  # the question does not give what that tool needs: the rules' answer stands
            return intent, {"llm_ms": choice.ms}
        return chosen, used

    def _reply(self, question: str, intent: Intent, messages: Sequence[BaseMessage], step: int) -> AIMessage:
        """This step's message: the next tool call, or the composed answer once every result is in."""
        if intent.errors:  # a stated value cannot be used: refuse it, never compute with another
            return AIMessage(content=refusal(intent, intent.errors), response_metadata={"status": "error"})
        if intent.scope:
            return AIMessage(content=compose(intent, question, None, None))
        results = {m.tool_call_id: m.text for m in messages if isinstance(m, ToolMessage)}
        made = {_key(c["name"], c["args"]): results.get(c["id"]) for m in messages
                for c in getattr(m, "tool_calls", None) or []}
        tool = None
        if intent.tool:  # first the data tool, then the passages that support its result
            if _key(intent.tool, intent.args) not in made:
                return self._call(intent.tool, intent.args, step)
            tool = json.loads(made[_key(intent.tool, intent.args)] or "null")
            if tool and "error" in tool:  # the tool refused a stated value: say so, do not answer another question
                return AIMessage(content=refusal(intent, [tool["error"]]), response_metadata={"status": "error"})
        search = None
        if self._bound(SEARCH):
            args = {"query": meta_query(intent, self.reports) if intent.meta else evidence_query(intent, tool)}
            if _key(SEARCH, args) not in made:
                return self._call(SEARCH, args, step)
            search = json.loads(made[_key(SEARCH, args)] or "null")
            if search and "error" in search:  # a failed search quotes nothing; the tool's answer still stands
                search = None
        if intent.meta:
            return AIMessage(content=compose_meta(intent, self.reports, search))
        parts: dict[str, dict[str, Any]] = {}
        for part in part_queries(intent) if search and self._bound(SEARCH) else []:
            args = {"query": part}
            if _key(SEARCH, args) not in made:
                return self._call(SEARCH, args, step)
            if (found := json.loads(made[_key(SEARCH, args)] or "null")) and "error" not in found:
                parts[part] = found
        return AIMessage(content=compose(intent, question, tool, search, self.similarity, parts))

    @staticmethod
    def _call(name: str, args: dict[str, Any], step: int) -> AIMessage:
        """A tool call with an id that is unique in the conversation and the same on every run."""
        return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"offline_{step}",
                                                  "type": "tool_call"}])
