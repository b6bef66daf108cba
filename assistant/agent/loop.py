"""The agent loop: a chat model calls the tools until it answers; every step is an event; the guard checks the answer.

One explicit loop over LangChain's chat-model interface (bind_tools, messages in, AIMessage with tool_calls out), so the
offline brain, ChatOpenAI and ChatOllama run through exactly the same code. Passages are numbered across the turn, so
[n] in an answer always means the same passage. An LLM answer whose lead sentence fails the grounding guard, or an LLM
that fails or never finishes, falls back to the offline brain; the event stream says so.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field, ValidationError

from assistant.agent import spelling
from assistant.agent.brain import SEARCH, OfflineBrain
from assistant.agent.compose import NOT_FOUND
from assistant.agent.guard import MARKER, Lead, guard, sentences
from assistant.agent.intents import publishers_named
from assistant.agent.llm import SYSTEM_PROMPT
from assistant.agent.openai_compat import text_tool_calls
from assistant.agent.router import Router
from assistant.agent.slots import simplified
from assistant.answers import Answer, Citation, ToolCallRecord, citation_for, not_found
from assistant.events import AnswerToken, Event, GuardNotice, PassagesRetrieved, Routed, ToolFinished, ToolStarted
from assistant.lc_tools import langchain_tools
from assistant.llm.router import ROUTES, LLMRouter
from assistant.search.retrieval import MIN_COVERAGE, Passage, Retriever
from tools.registry import refuse_server_paths, run_tool
from tools.result import Source, ToolInputError, ToolResult

log = logging.getLogger(__name__)
MAX_STEPS = 6
SLOW_LLM_S = 30.0
HISTORY_TURNS = 4


class SearchArgs(BaseModel):
    """Search the three fund research reports (in Chinese) for passages; cite a passage you use as [n]."""

    query: str = Field(description="what to look for, in Chinese or English")
    k: int = Field(5, ge=1, le=8, description="how many passages to return")


def tool_specs() -> list[Any]:
    """The data tools and search_reports, as every brain sees them."""
    search = convert_to_openai_tool(SearchArgs)
    search["function"]["name"] = SEARCH
    return [*langchain_tools(), search]


def compact(result: dict[str, Any]) -> dict[str, Any]:
    """A tool result without its chart data: what a model reads and what Answer.tool_calls keeps."""
    data = {k: v for k, v in result.get("data", {}).items() if k != "histogram"}
    return {k: v for k, v in result.items() if k not in ("tool", "data")} | {"data": data}


def history_messages(history: Sequence[Answer], turns: int = HISTORY_TURNS) -> list[BaseMessage]:
    """Earlier answers of the session as a conversation: question, data-tool calls with summaries, answer."""
    messages: list[BaseMessage] = []
    previous = None
    for t, past in enumerate(history[-turns:]):
        if past.status == "error":
            continue
        searched = [str(c.args.get("query", "")) for c in past.tool_calls if c.name == SEARCH]
        resolved = searched[0] if previous and searched and (searched[0].startswith(f"{previous} ") or simplified(
            searched[0]).endswith(f" {simplified(past.question)}")) else None  # a follow-up read with the question
        # before it ('… first batch? what about the second one?'), or with another issuer swapped in ('Dimensional呢？')
        previous = resolved or past.question
        messages.append(HumanMessage(past.question, additional_kwargs={"resolved": resolved} if resolved else {}))
        calls = [c for c in past.tool_calls if c.name != SEARCH]
        if calls:
            ids = [f"history_{t}_{i}" for i in range(len(calls))]
            messages.append(AIMessage(content="", tool_calls=[
                {"name": c.name, "args": c.args, "id": i, "type": "tool_call"} for c, i in zip(calls, ids, strict=True)
            ]))
            messages += [ToolMessage(content=past_result(c.result), tool_call_id=i)
                         for c, i in zip(calls, ids, strict=True)]
        messages.append(AIMessage(content=past.answer))
    return messages


ROW_KEYS = ("code", "ticker", "issuer", "role")


def past_result(result: dict[str, Any]) -> str:
    """An earlier tool result as the next turns read it: its summary and which rows it listed, in order (what
    '第二名' or 'the one that won' points at), without the figures."""
    if "error" in result:
        return json.dumps({"error": result["error"]}, ensure_ascii=False)
    rows = [{k: r[k] for k in ROW_KEYS if r.get(k) is not None}
            for r in result.get("rows") or [] if isinstance(r, dict)]
    return json.dumps({"summary": result.get("summary", ""), "rows": rows}, ensure_ascii=False)


@dataclass
class Turn:
    """One question's tool results: passages numbered across the turn, and what the guard may rely on."""

    passages: dict[int, Passage] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)  # chunk id → passage number
    records: list[ToolCallRecord] = field(default_factory=list)
    tool_texts: list[str] = field(default_factory=list)
    tool_answers: list[str] = field(default_factory=list)  # each data tool's summary or error: what a lead may state
    warnings: list[str] = field(default_factory=list)
    answerable: bool = False  # a data tool answered (or said why it cannot), or a search covered the question
    status: str | None = None  # "error" when the brain refused a stated value
    brain: str = "offline"
    llm_ms: int | None = None  # time the offline brain's model router spent on this question

    def number(self, passage: Passage) -> int:
        if passage.chunk.id not in self.numbers:
            self.numbers[passage.chunk.id] = len(self.numbers) + 1
            self.passages[self.numbers[passage.chunk.id]] = passage
        return self.numbers[passage.chunk.id]

    def texts(self) -> dict[int, str]:
        return {n: p.chunk.text for n, p in self.passages.items()}


def is_not_found(text: str) -> bool:
    return not text.strip() or text.strip().startswith(NOT_FOUND)


class Agent:
    """Runs one question through a chat model and the tools, yielding events and returning the Answer."""

    def __init__(self, retriever: Retriever, model: BaseChatModel | None = None, llm_router: LLMRouter | None = None
                 ) -> None:
        self.retriever = retriever
        router = Router(retriever.embedder) if retriever.embedder else None
        if router is not None:
            router.matrix  # noqa: B018 - embed (or read from the cache) the examples now, not in the first answer
        spelling.prepare()
        reports = tuple(r.metadata() for r in retriever.reports)
        # report titles and dates ground answers too (dates in both forms the answer writes: 2023-02-13, 2023年2月13日)
        chinese_dates = [f"{y}年{int(m)}月{int(d)}日" for r in reports
                         for y, m, d in re.findall(r"(\d{4})-(\d{2})-(\d{2})", r["date"])]
        self.metadata_text = json.dumps(reports, ensure_ascii=False) + " ".join(chinese_dates)
        similarity = retriever.sentence_similarity if retriever.embedder else None
        self.offline = OfflineBrain(router=router, reports=reports, similarity=similarity,
                                    llm_router=llm_router).bind_tools(tool_specs())
        self.model: Runnable = self.offline if model is None or isinstance(model, OfflineBrain) else _bind(model)

    @property
    def model_name(self) -> str:
        """The agent-mode model's name, as answers report their brain."""
        model = getattr(self.model, "bound", self.model)  # a RunnableBinding with the tools around the model
        return str(getattr(model, "model_name", None) or getattr(model, "model", None) or "llm")

    @staticmethod
    def _note_slow(seconds: float, turn: Turn) -> None:
        if seconds > SLOW_LLM_S and not any("slow" in w for w in turn.warnings):
            turn.warnings.append(f"the LLM took {seconds:.0f} s for one step (slow on this machine: consider "
                                 "LLM_MODE=route, where it only routes questions)")

    @property
    def titles(self) -> list[str]:
        return [r.title for r in self.retriever.reports]

    def run(self, question: str, history: Sequence[Answer] = ()) -> Generator[Event, None, Answer]:
        """Events of one turn; the generator's return value is the final Answer."""
        turn = Turn()
        base = [SystemMessage(SYSTEM_PROMPT), *history_messages(history), HumanMessage(question)]
        text = None
        if self.model is not self.offline:
            failure = f"the LLM did not answer within {MAX_STEPS} steps"
            try:
                text = yield from self._converse(self.model, list(base), turn)
            except Exception as exc:  # an unreachable or failing LLM must not cost the user the answer
                log.warning("LLM failed: %s", exc)
                failure = f"the LLM failed ({type(exc).__name__})"
            if text is None:
                turn.warnings.append(f"{failure}; answered by the offline brain")
            elif not turn.records or not turn.answerable:  # NOT_FOUND or an answer with nothing behind it
                turn.warnings.append("the LLM answered without a tool result or passage behind it; answered by the "
                                     "offline brain")
                text = None
            elif not is_not_found(text):
                text, fallback = yield from self._guarded(text, turn, lead_of=question)
                text = None if fallback else text
            if text is not None:
                turn.brain = self.model_name
        if text is None:
            text = (yield from self._converse(self.offline, list(base), turn)) or NOT_FOUND
            if not is_not_found(text) and turn.status != "error":  # a refusal quotes the user's values
                text, _ = yield from self._guarded(text, turn)
        answer = self._answer(question, text, turn)
        for i, line in enumerate(sentences(answer.answer)):
            for token in ([] if i == 0 else ["\n"]) + line:
                yield AnswerToken(text=token)
        return answer

    def _guarded(self, text: str, turn: Turn, lead_of: str | None = None) -> Generator[Event, None, tuple[str, bool]]:
        """The answer without ungrounded sentences, and whether to fall back to the offline brain.

        `lead_of` is the question when a language model wrote the answer: its lead sentence must then state a tool's
        answer or one cited sentence, not an input echoed back; when it does not, the offline brain answers.
        """
        lead = None if lead_of is None else Lead(
            answers=[*turn.tool_answers, self.metadata_text],
            inputs=[lead_of, *(json.dumps(r.args, ensure_ascii=False) for r in turn.records)])
        checked = guard(text, [*turn.tool_texts, self.metadata_text], turn.texts(), lead)
        if not checked.removed:
            return text, False
        fallback = lead is not None and (checked.lead_removed or not checked.text.strip())
        message = (f"removed {len(checked.removed)} sentence(s) with numbers that no tool answer or cited passage "
                   "of this turn supports")
        if fallback:
            message += "; the lead sentence failed, so the answer falls back to the deterministic one"
        yield GuardNotice(message=message, removed=checked.removed)
        turn.warnings.append(message)
        return checked.text, fallback

    def _converse(self, model: Runnable, messages: list[BaseMessage], turn: Turn) -> Generator[Event, None, str | None]:
        for _ in range(MAX_STEPS):
            started = time.perf_counter()
            reply = model.invoke(messages)
            if model is not self.offline:
                reply = text_tool_calls(reply, ROUTES)
                self._note_slow(time.perf_counter() - started, turn)
            messages.append(reply)
            routed = getattr(reply, "response_metadata", None) or {}
            if routed.get("llm_ms") is not None and turn.llm_ms is None:
                turn.llm_ms, turn.brain = routed["llm_ms"], routed.get("brain", turn.brain)
                if routed.get("llm_error"):
                    turn.warnings.append(f"the language model could not route this question ({routed['llm_error']})"
                                         "; the rules answered it")
                if "routed_to" in routed:
                    yield Routed(brain=turn.brain, tool=routed["routed_to"], duration_ms=turn.llm_ms)
            if not reply.tool_calls:
                turn.status = (getattr(reply, "response_metadata", None) or {}).get("status")
                return reply.text
            for call in reply.tool_calls:
                call_id = call.get("id") or uuid.uuid4().hex
                content = yield from self._execute(call_id, call["name"], dict(call.get("args") or {}), turn)
                messages.append(ToolMessage(content=content, tool_call_id=call_id, name=call["name"]))
        return None

    def _execute(self, call_id: str, name: str, args: dict[str, Any], turn: Turn) -> Generator[Event, None, str]:
        """Run one tool call, yield its events, and return what the model reads."""
        yield ToolStarted(call_id=call_id, name=name, args=args)
        start = time.perf_counter()
        error = None
        try:
            if name != SEARCH:
                refuse_server_paths(name, args)  # whichever brain asked: no model names a server file
            result = self._search(args, turn) if name == SEARCH else run_tool(name, **args)
        except (ToolInputError, ValidationError) as exc:
            error = str(exc)
        except Exception as exc:  # a tool bug becomes a readable tool error, not a lost answer
            log.exception("tool %s failed", name)
            error = f"{type(exc).__name__}: {exc}"
        duration = round((time.perf_counter() - start) * 1000)
        if error is not None:
            turn.answerable = turn.answerable or name != SEARCH
            turn.tool_texts.append(error)
            turn.tool_answers.append(error)
            turn.records.append(ToolCallRecord(name=name, args=args, result={"error": error}))
            yield ToolFinished(call_id=call_id, name=name, args=args, status="error", summary=error,
                               duration_ms=duration)
            return json.dumps({"error": error}, ensure_ascii=False)
        full = result.model_dump(mode="json")
        content = json.dumps(compact(full), ensure_ascii=False)
        kept = compact(full)
        if name == SEARCH:
            kept["rows"] = [{k: v for k, v in row.items() if k != "text"} for row in kept["rows"]]
        else:
            turn.answerable = True
            turn.tool_texts.append(content)
            turn.tool_answers.append(result.summary)
        turn.records.append(ToolCallRecord(name=name, args=args, result=kept))
        yield ToolFinished(call_id=call_id, name=name, args=args, status="ok", summary=result.summary,
                           duration_ms=duration, result=full)
        if name == SEARCH:
            passages = [citation_for(row["n"], turn.passages[row["n"]]) for row in result.rows]
            yield PassagesRetrieved(query=result.args["query"], passages=passages)
        return content

    def _search(self, args: dict[str, Any], turn: Turn) -> ToolResult:
        """search_reports: the hybrid retriever's passages, numbered for this turn, with citation metadata."""
        parsed = SearchArgs.model_validate(args)
        found = self.retriever.search(parsed.query, k=parsed.k)
        # a question naming a report's publisher ('per Huaxin, …') is about that report even when a casual English
        # wording embeds far from its Chinese text: half its words found in the passages are enough
        covered = found.covered or bool(publishers_named(parsed.query) and found.coverage >= MIN_COVERAGE)
        turn.answerable = turn.answerable or covered
        uncovered = "" if covered else "; they do not cover the question"
        turn.warnings += [w for w in found.warnings if w not in turn.warnings]
        rows = [{"n": turn.number(p), "report_id": p.chunk.report_id, "title": p.chunk.title,
                 "section": p.chunk.section, "page": p.chunk.page, "score": p.score, "text": p.chunk.text}
                for p in found.passages]
        return ToolResult(
            tool=SEARCH,
            args=parsed.model_dump(),
            summary=f"{len(rows)} passages ({found.mode} search){uncovered}",
            data={"covered": covered, "coverage": found.coverage, "top_similarity": found.top_similarity},
            rows=rows,
            units={"score": "reciprocal-rank-fusion score"},
            sources=[Source(kind="report", title=r["title"], report_id=r["report_id"], page=r["page"],
                            note=r["section"]) for r in rows],
            caveats=found.warnings,
        )

    def _answer(self, question: str, text: str, turn: Turn) -> Answer:
        answer = self._final(question, text, turn)
        answer.brain, answer.llm_ms = turn.brain, turn.llm_ms
        return answer

    def _final(self, question: str, text: str, turn: Turn) -> Answer:
        if turn.status == "error":
            return Answer(question=question, answer=text, status="error", tool_calls=turn.records,
                          warnings=turn.warnings)
        if is_not_found(text) or not turn.answerable:
            reason = text.strip().removeprefix(NOT_FOUND).lstrip(":： ").strip() if is_not_found(text) else ""
            answer = not_found(question, self.titles, turn.warnings, reason)
            answer.tool_calls = turn.records
            return answer
        text, citations = renumber(text, turn.passages)
        return Answer(question=question, answer=text, status="answered", citations=citations,
                      tool_calls=turn.records, warnings=turn.warnings)


def _bind(model: BaseChatModel) -> Runnable:
    """The model with the tools bound and `tool_choice` sent explicitly (llama.cpp's server drops the tools
    without it); a model that cannot bind tools (a scripted fake) runs as it is."""
    try:
        return model.bind_tools(tool_specs(), tool_choice="auto")
    except NotImplementedError:
        return model


def renumber(text: str, passages: dict[int, Passage]) -> tuple[str, list[Citation]]:
    """Number the cited passages 1, 2, … in order of first citation, drop markers of unknown passages, and quote the
    sentence that relies on each passage when it is a verbatim excerpt."""
    order = list(dict.fromkeys(int(n) for n in MARKER.findall(text) if int(n) in passages))
    mapping = {old: new for new, old in enumerate(order, 1)}
    text = MARKER.sub(lambda m: f"[{mapping[int(m.group(1))]}]" if int(m.group(1)) in mapping else "", text)
    citations = []
    for old, new in mapping.items():
        passage = passages[old]
        quotes = [MARKER.sub("", s).strip().rstrip("。").split("：")[-1] for line in sentences(text) for s in line
                  if f"[{new}]" in s]
        quote = next((q for q in quotes if q and q in passage.chunk.text), None)
        citations.append(citation_for(new, passage, quote))
    return text, citations
