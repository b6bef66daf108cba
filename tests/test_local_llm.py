"""The local LLM for real: the verified Qwen2.5-Coder-1.5B GGUF on the llama-server that `make llm` built.

The model only routes: these tests check that it places questions the rules cannot, that every value still comes
from the user's words, that the composer writes the figures (the tool's own), that each answer names its brain, and
that a server that goes away costs nothing but the routing.
"""

from __future__ import annotations

import json
import os
import signal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any, ClassVar

import httpx
import pytest

from assistant.agent.llm import LOCAL_MODEL, build_router, local_server
from assistant.chunk_wheels import ModelIntegrityError
from assistant.events import FinalAnswer, Routed, ToolFinished
from assistant.llm.fetch import MODEL_SIZE, server_works, verify_model
from assistant.llm.router import SEARCH, LLMRouter, route_schema
from assistant.llm.server import LocalServer
from assistant.service import Assistant
from assistant.settings import Settings, get_settings
from assistant.ui.render import ChatTurn
from tools.registry import run_tool

BRAIN = f"offline+{LOCAL_MODEL}"


@pytest.fixture(scope="module")
def always(assistant: Assistant) -> Assistant:
    """The assistant with the local model routing every question (LLM_ROUTE=always)."""
    return Assistant(assistant.retriever, None, build_router("local", Settings(llm="local", llm_route="always")))


@pytest.fixture(scope="module")
def unsure(assistant: Assistant) -> Assistant:
    """The default: the model routes only what the rules are unsure of."""
    return Assistant(assistant.retriever, None, build_router("local", Settings(llm="local")))


def stream(assistant: Assistant, question: str) -> list[Any]:
    return list(assistant.stream(question))


def test_installed_model_and_server_are_the_pinned_ones(tmp_path: Path) -> None:
    settings = get_settings()
    verify_model(settings.local_llm_path)
    assert settings.local_llm_path.stat().st_size == MODEL_SIZE
    assert server_works(settings.llama_server_path)
    short = tmp_path / "short.gguf"
    short.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(ModelIntegrityError, match="bytes, expected"):
        verify_model(short)
    forged = tmp_path / "forged.gguf"  # the right size, other bytes: only the hash tells
    with forged.open("wb") as handle:
        handle.truncate(MODEL_SIZE)
    with pytest.raises(ModelIntegrityError, match="sha256"):
        verify_model(forged)


def test_server_is_a_loopback_child_with_health(unsure: Assistant) -> None:
    server = local_server(get_settings())
    assert server.running() and server.process is not None
    assert server.base_url.startswith("http://127.0.0.1:")
    assert httpx.get(server.base_url.removesuffix("/v1") + "/health", timeout=5).status_code == 200
    assert Path(f"/proc/{server.process.pid}/stat").read_text().split()[3] == str(os.getpid())  # our child


def test_unsure_questions_are_routed_by_the_model(unsure: Assistant) -> None:
    """Conversion questions in words no rule knows ("became", "变身"): the model picks conversions, the tool
    answers, the answer says which brain placed it."""
    for question, issuer in (("which of Dimensional's old funds became ETFs", "Dimensional"),
                             ("哪些老基金变身成了ETF", None)):
        events = stream(unsure, question)
        answer = events[-1].answer
        assert answer.status == "answered", answer.answer
        routed = [e for e in events if isinstance(e, Routed)]
        assert routed and routed[0].tool == "conversions" and routed[0].brain == BRAIN
        call = answer.tool_calls[0]
        assert call.name == "conversions"
        assert (call.args.get("issuer") or "").lower().startswith(issuer.lower()) if issuer else not call.args["issuer"]
        assert answer.brain == BRAIN and answer.llm_ms and answer.llm_ms > 0
        assert answer.public_dict()["brain"] == BRAIN
        turn = ChatTurn()
        for event in events:
            turn.apply(event)
        titles = [(m.get("metadata") or {}).get("title", "") for m in turn.messages]
        assert f"Routed by {BRAIN}" in titles and "Tool call · conversions" in titles  # the app says who routed it


def test_confident_rules_are_not_sent_to_the_model_by_default(unsure: Assistant) -> None:
    answer = unsure.ask("按ETF数量排前三的发行商是谁？")
    assert answer.brain == "offline" and answer.llm_ms is None
    assert answer.tool_calls[0].name == "rank_issuers"


def test_always_mode_fixes_a_meaning_the_rules_miss(always: Assistant) -> None:
    """'the smallest yearly charge' is the fee: the rules read no measure, the model does; the figure in the answer
    is the tool's own row."""
    answer = always.ask("Of all the active ETFs in the tables, which one asks investors for the smallest yearly "
                        "charge?")
    assert answer.brain == BRAIN
    call = answer.tool_calls[0]
    assert call.name == "rank_funds" and call.args["by"] == "fee" and call.args["ascending"] is True
    cheapest = run_tool("rank_funds", by="fee", ascending=True, top=1).rows[0]
    assert cheapest["ticker"] in answer.answer


def test_the_model_never_supplies_a_value(always: Assistant) -> None:
    """The model writes 30亿 as 30000000 and may drop the days; the tool gets the user's own words."""
    answer = always.ask("how bad is the liquidity hit if a 30亿 fund builds its CSI 1000 position in 10 days?")
    call = next(c for c in answer.tool_calls if c.name == "liquidity_shock")
    assert call.args["fund_size"] == "30亿" and call.args["build_days"] == 10
    refused = always.ask("how bad is the liquidity hit if a -5亿 fund builds its CSI 1000 position in 10 days?")
    assert refused.status == "error" and "fund_size" in refused.answer and not refused.tool_calls


def test_report_questions_stay_with_the_passages(always: Assistant) -> None:
    answer = always.ask("为什么越来越多的共同基金要转成ETF？")
    assert answer.status == "answered" and answer.citations
    assert [c.name for c in answer.tool_calls] == [SEARCH]


def test_a_server_that_goes_away_costs_only_the_routing(assistant: Assistant, tmp_path: Path) -> None:
    settings = get_settings()
    server = LocalServer(settings.llama_server_path, settings.local_llm_path, tmp_path / "server.log")
    router = LLMRouter(server.start(), LOCAL_MODEL, always=True, timeout=60)
    gone = Assistant(assistant.retriever, None, router)
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()
    events = stream(gone, "按ETF数量排前三的发行商是谁？")
    answer = events[-1].answer
    assert isinstance(events[-1], FinalAnswer) and answer.status == "answered"
    assert answer.brain == "offline" and any("could not route" in w for w in answer.warnings)
    assert next(e.name for e in events if isinstance(e, ToolFinished)) == "rank_issuers"


class ToolCallingAPI(BaseHTTPRequestHandler):
    """An OpenAI-style API that constrains output only through a forced tool call."""

    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append(body)
        call = {"id": "c1", "type": "function", "function": {
            "name": "route", "arguments": json.dumps({"tool": "rank_issuers", "args": {"by": "etf_count"}})}}
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": None, "tool_calls": [call]}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload.encode())

    def log_message(self, *args: Any) -> None:
        pass


def test_tool_protocol_forces_one_call_with_the_route_schema() -> None:
    api = ThreadingHTTPServer(("127.0.0.1", 0), ToolCallingAPI)
    Thread(target=api.serve_forever, daemon=True).start()
    try:
        router = LLMRouter(f"http://127.0.0.1:{api.server_port}/v1", "some-api-model", api_key="k", protocol="tool")
        choice = router.choose("who launched the most active ETFs?")
    finally:
        api.shutdown()
    sent = ToolCallingAPI.requests[-1]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "route"}}
    assert sent["tools"][0]["function"]["parameters"] == route_schema()
    assert "response_format" not in sent
    assert (choice.tool, choice.args) == ("rank_issuers", {"by": "etf_count"})


def test_agent_mode_second_step_reaches_the_real_server(unsure: Assistant) -> None:
    """The assistant message beside tool calls goes out with content "" (llama-cpp-python answers 500 to null), and
    the real server takes the tool result and replies."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

    from assistant.agent.llm import build_chat_model

    model = build_chat_model("local", Settings(llm="local", llm_mode="agent"))
    call = {"name": "rank_issuers", "args": {"by": "etf_count", "top": 1}, "id": "call_1", "type": "tool_call"}
    messages = [SystemMessage("Answer from the tool result."), HumanMessage("Which issuer has the most ETFs?"),
                AIMessage(content="", tool_calls=[call]),
                ToolMessage(content=json.dumps({"summary": "First Trust: 139 ETFs"}), tool_call_id="call_1")]
    payload = model._get_request_payload(messages)
    assert payload["messages"][2]["content"] == "" and payload["messages"][2]["tool_calls"]
    reply = model.invoke(messages)
    assert isinstance(reply, AIMessage) and (reply.text or reply.tool_calls)
