"""Golden-set evaluation: retrieval recall@k per retriever, answer accuracy and tool-routing accuracy, side by side."""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from assistant.agent.brain import SEARCH
from assistant.agent.slots import funds, us_names
from assistant.answers import Answer, states_figures
from assistant.search.retrieval import Mode, Retriever
from assistant.settings import ROOT
from tools import TOOLS
from tools.amounts import parse_amount_cny
from tools.result import ToolInputError

GOLDEN = ROOT / "tests" / "golden.yaml"
INDEPENDENT = ROOT / "tests" / "independent.yaml"
MODES: tuple[Mode, ...] = ("keyword", "dense", "hybrid")


def load_all(path: Path = GOLDEN) -> list[dict[str, Any]]:
    """Every item, conversations included."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_golden(path: Path = GOLDEN, split: str | None = None, source: str | None = None) -> list[dict[str, Any]]:
    """Single questions (conversations are in `load_conversations`), optionally of one split or source."""
    return [g for g in load_all(path) if g["kind"] != "conversation" and (split is None or g.get("split") == split)
            and (source is None or g.get("source") == source)]


def load_conversations(path: Path = GOLDEN, split: str | None = None) -> list[dict[str, Any]]:
    return [g for g in load_all(path) if g["kind"] == "conversation" and (split is None or g.get("split") == split)]


def source_rank(retriever: Retriever, item: dict[str, Any], mode: Mode, depth: int = 10) -> int | None:
    """1-based rank of the first passage from the expected report containing any evidence string, or None."""
    evidence = item["evidence"] if isinstance(item["evidence"], list) else [item["evidence"]]
    result = retriever.search(item["question"], k=depth, mode=mode)
    for rank, passage in enumerate(result.passages, 1):
        if passage.chunk.report_id.startswith(item["report"]) and any(e in passage.chunk.text for e in evidence):
            return rank
    return None


class EvalReport(BaseModel):
    questions: int
    retrieval: dict[str, dict[int, float]]
    retrieval_misses: dict[str, list[str]]
    answer_accuracy: float | None = None
    answer_failures: list[str] = []
    routing_accuracy: float | None = None
    routing_failures: list[str] = []
    by_kind: dict[str, dict[str, float]] = {}  # kind → {"questions", "answers", "routing"}
    latency_ms: dict[str, int] = {}  # median / p90 / max of the warm answers

    def render(self) -> str:
        ks = sorted(next(iter(self.retrieval.values())))
        lines = [f"Golden set: {self.questions} questions with a source passage", "",
                 "| retriever | " + " | ".join(f"recall@{k}" for k in ks) + " |",
                 "|---|" + "---|" * len(ks)]
        for mode, recalls in self.retrieval.items():
            lines.append(f"| {mode} | " + " | ".join(f"{recalls[k]:.1%}" for k in ks) + " |")
        for mode, misses in self.retrieval_misses.items():
            if misses:
                lines.append(f"{mode} misses at the deepest k: {', '.join(misses)}")
        if self.answer_accuracy is not None:
            lines += ["", f"Answer accuracy (expected strings present / not_found when uncovered): "
                          f"{self.answer_accuracy:.1%}"]
            lines += [f"  failed: {f}" for f in self.answer_failures]
        if self.routing_accuracy is not None:
            lines += [f"Tool-routing accuracy: {self.routing_accuracy:.1%}"]
            lines += [f"  failed: {f}" for f in self.routing_failures]
        if self.by_kind:
            lines += ["", "| kind | questions | answer accuracy | routing accuracy |", "|---|---|---|---|"]
            lines += [f"| {kind} | {v['questions']:.0f} | {v['answers']:.1%} | {v['routing']:.1%} |"
                      for kind, v in self.by_kind.items()]
        if self.latency_ms:
            lines += ["", "Warm answer latency: " + ", ".join(f"{k} {v} ms" for k, v in self.latency_ms.items())]
        return "\n".join(lines)


def retrieval_recall(retriever: Retriever, golden: list[dict[str, Any]], k_values: tuple[int, ...],
                     modes: tuple[Mode, ...] = MODES) -> tuple[dict[str, dict[int, float]], dict[str, list[str]]]:
    items = [g for g in golden if g.get("evidence")]
    recalls: dict[str, dict[int, float]] = {}
    misses: dict[str, list[str]] = {}
    for mode in modes:
        ranks = {g["id"]: source_rank(retriever, g, mode, depth=max(k_values)) for g in items}
        recalls[mode] = {k: sum(1 for r in ranks.values() if r and r <= k) / len(items) for k in k_values}
        misses[mode] = [qid for qid, r in ranks.items() if r is None]
    return recalls, misses


def answer_ok(item: dict[str, Any], answer: Answer) -> bool:
    """Report and tool questions: answered with every expected string; uncovered ones: not_found without a digit;
    refused inputs: status error naming the parameter."""
    if item["kind"] == "not_found":
        return answer.status == "not_found" and not states_figures(answer.answer)
    if item["kind"] == "error":
        return answer.status == "error" and item.get("param", "") in answer.answer
    return answer.status == "answered" and all(str(s) in answer.answer for s in item.get("expected", []) or [])


def _cny(value: Any) -> float | None:
    try:
        return parse_amount_cny(value if isinstance(value, str) else float(value)).value
    except (ToolInputError, TypeError, ValueError):
        return None


def _fund_key(query: Any) -> str:
    """The code or ticker a fund query names ('国泰中证1000增强' → 159679, 'DFAC.US' → DFAC), else the query itself."""
    text = str(query).strip()
    tickers = {name: ticker for _, name, ticker in us_names()}
    named = [tickers.get(m.query, m.query) for m in funds(text) if m.query]
    return (named[0] if len(named) == 1 else text).upper().split(".")[0]


def _same(expected: Any, actual: Any, key: str = "") -> bool:
    """Whether a tool received the stated value: sizes compared in CNY (15亿 = 1500000000), numbers as numbers."""
    if key == "fund_size" and actual is not None:
        a, b = _cny(expected), _cny(actual)
        return a is not None and b is not None and math.isclose(a, b)
    if key == "issuer" and actual is not None and expected is not None:  # "Global X" and "Global" name one issuer
        a, b = str(expected).lower(), str(actual).lower()
        return a in b or b in a
    if key == "funds" and actual is not None:  # a list of codes or the comma-separated string the tool takes
        def codes(value: Any) -> set[str]:
            return set(value) if isinstance(value, list) else {c.strip() for c in str(value).split(",")}
        return {str(c) for c in codes(expected)} == codes(actual)
    if key == "query" and actual is not None:  # a fund's name and its code are the same fund
        return _fund_key(expected) == _fund_key(actual)
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return isinstance(actual, int | float) and not isinstance(actual, bool) and math.isclose(float(expected),
                                                                                                 float(actual))
    return str(expected).strip().lower() == str(actual).strip().lower() if actual is not None else expected is None


def tool_default(tool: str, param: str) -> Any:
    """The value a tool uses for a parameter it was not given (None when it has no plain default)."""
    function = next((t for t in TOOLS if t.__name__ == tool), None)
    parameter = inspect.signature(function).parameters.get(param) if function else None
    return None if parameter is None or parameter.default is inspect.Parameter.empty else parameter.default


def routing_ok(item: dict[str, Any], answer: Answer) -> bool:
    """Tool questions: the first data tool called is the expected one, with the expected arguments; report
    questions: only search_reports; not_found questions: no data tool."""
    data_calls = [c for c in answer.tool_calls if c.name != SEARCH]
    if item["kind"] == "tool":
        if not data_calls or data_calls[0].name != item["tool"]:
            return False
        called = data_calls[0]  # an argument left out is the tool's default: 'index: 中证1000' unstated is kept
        return all(_same(v, called.args.get(k, tool_default(called.name, k)), k)
                   for k, v in (item.get("args") or {}).items())
    if item["kind"] == "report":
        return not data_calls and any(c.name == SEARCH for c in answer.tool_calls)
    if item["kind"] == "error":
        return answer.status == "error"
    return not data_calls


def slots_ok(item: dict[str, Any], answer: Answer) -> bool | None:
    """Every stated input kept or refused: tool questions got exactly the stated arguments, refused ones status
    error (never a computation with another value); None for questions that state no input."""
    if item["kind"] == "error":
        return answer.status == "error"
    if item["kind"] == "tool" and item.get("args"):
        return answer.status == "error" or routing_ok(item, answer)
    return None


def lead_ok(item: dict[str, Any], answer: Answer) -> bool | None:
    """The first sentence states what was asked: it holds the first expected string."""
    expected = item.get("expected") or []
    if item["kind"] not in ("report", "tool") or not expected or answer.status != "answered":
        return None
    text = answer.answer.strip()
    masked = re.sub(r"《[^》\n]*》", lambda m: "《" + "_" * (len(m.group(0)) - 2) + "》", text)  # a title's '？' ends
    # no sentence
    end = re.search(r"(?<=[。！？!?])\s*|\n|(?<=\.)\s+(?=[A-Z《])", masked)
    return str(expected[0]) in (text[:end.start()] if end else text)


def english_ok(item: dict[str, Any], answer: Answer) -> bool | None:
    """An English question's answer opens in English (Latin letters outnumber Chinese characters in its first line;
    the Chinese quotes follow as the source)."""
    if item.get("lang") != "en" or answer.status != "answered":
        return None
    first = answer.answer.strip().splitlines()[0]
    return len(re.findall(r"[A-Za-z]", first)) > len(re.findall(r"[\u4e00-\u9fff]", first))


class SplitScore(BaseModel):
    """One split's figures (share of the questions each measure applies to)."""

    questions: int
    answers: float
    routing: float
    slots: float | None
    leads: float | None
    english_tool: float | None
    english_report: float | None
    conversations: str
    failures: list[str] = []
    wrong: list[str] = []  # ids of the questions (or conversation turns) answered wrong
    routed: int = 0  # questions a language model was asked to route
    routed_p50_ms: int | None = None  # whole-answer latency of those questions
    routed_p95_ms: int | None = None


def _share(values: list[bool | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def score_split(assistant: Any, items: list[dict[str, Any]], conversations: list[dict[str, Any]]) -> SplitScore:
    """Answer, routing, slot, lead and English-answer accuracy over single questions and conversation turns."""
    from assistant.service import Session

    rows: list[tuple[dict[str, Any], Answer]] = [(item, assistant.ask(item["question"])) for item in items]
    whole = 0
    for conversation in conversations:
        session, right = Session(), True
        for turn in conversation["turns"]:
            turn = {"lang": conversation.get("lang")} | turn
            answer = assistant.ask(turn["question"], session)
            rows.append((turn | {"id": conversation["id"]}, answer))
            right = right and answer_ok(turn, answer)
        whole += right
    failures = [f"{item['id']} [{item['kind']}] {item['question'][:50]} → ({answer.status}) "
                f"{answer.answer[:90]!r}" for item, answer in rows if not answer_ok(item, answer)]
    routed = sorted(a.latency_ms for _, a in rows if a.llm_ms is not None)
    return SplitScore(
        wrong=[f"{item['id']}:{item['question'][:40]}" for item, answer in rows if not answer_ok(item, answer)],
        routed=len(routed),
        routed_p50_ms=routed[len(routed) // 2] if routed else None,
        routed_p95_ms=routed[min(len(routed) - 1, int(len(routed) * 0.95))] if routed else None,
        questions=len(rows),
        answers=_share([answer_ok(i, a) for i, a in rows]) or 0.0,
        routing=_share([routing_ok(i, a) for i, a in rows]) or 0.0,
        slots=_share([slots_ok(i, a) for i, a in rows]),
        leads=_share([lead_ok(i, a) for i, a in rows]),
        english_tool=_share([english_ok(i, a) for i, a in rows if i["kind"] == "tool"]),
        english_report=_share([english_ok(i, a) for i, a in rows if i["kind"] == "report"]),
        conversations=f"{whole}/{len(conversations)} right throughout",
        failures=failures,
    )


def render_splits(scores: dict[str, SplitScore]) -> str:
    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    lines = ["| split | questions | answers | routing | slots kept | lead sentence | English (tool) "
             "| English (report) | conversations |", "|---|---|---|---|---|---|---|---|---|"]
    for name, s in scores.items():
        lines.append(f"| {name} | {s.questions} | {pct(s.answers)} | {pct(s.routing)} | {pct(s.slots)} | "
                     f"{pct(s.leads)} | {pct(s.english_tool)} | {pct(s.english_report)} | {s.conversations} |")
    if any(s.routed for s in scores.values()):
        lines += ["", "| split | questions the model routed | their p50 | their p95 |", "|---|---|---|---|"]
        lines += [f"| {name} | {s.routed} | {s.routed_p50_ms} ms | {s.routed_p95_ms} ms |"
                  for name, s in scores.items() if s.routed]
    for name, s in scores.items():
        lines += ["", f"{name} failures ({len(s.failures)}):", *[f"  {f}" for f in s.failures]]
    return "\n".join(lines)


def compare_brains(offline: SplitScore, routed: SplitScore) -> str:
    """What the model changed: answers it made right, and answers right offline that it made wrong."""
    fixed = sorted(set(offline.wrong) - set(routed.wrong))
    broke = sorted(set(routed.wrong) - set(offline.wrong))
    return "\n".join([f"  made right by the model ({len(fixed)}): {'; '.join(fixed) or '—'}",
                      f"  made wrong by the model ({len(broke)}): {'; '.join(broke) or '—'}"])


SPLITS = ("dev", "test", "independent")


def split_items(split: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A golden split's questions and conversations; "independent" is the set written blind, never tuned on."""
    if split == "independent":
        return load_golden(INDEPENDENT), load_conversations(INDEPENDENT)
    return load_golden(split=split), load_conversations(split=split)


def run_split_eval(splits: tuple[str, ...] = SPLITS, llm: str | None = None) -> dict[str, SplitScore]:
    """Each split's scores by the offline brain and, with `llm` (e.g. "local"), by offline+model routing too."""
    from assistant.agent.llm import build_router
    from assistant.service import Assistant

    offline = Assistant.create("offline")
    brains = {"": offline}
    if llm:
        router = build_router(llm)
        brains = {" (offline)": offline, f" (offline+{router.name})": Assistant(offline.retriever, None, router)}
    splits = tuple(s for s in splits if s != "independent" or INDEPENDENT.exists())
    return {f"{split}{label}": score_split(assistant, *split_items(split))
            for split in splits for label, assistant in brains.items()}



def run_eval(k_values: tuple[int, ...] = (1, 3, 5), with_answers: bool = True) -> EvalReport:
    from assistant.service import Assistant

    golden = load_golden()
    assistant = Assistant.create()
    retriever = assistant.retriever
    modes = MODES if retriever.vectors else ("keyword",)
    recalls, misses = retrieval_recall(retriever, golden, k_values, modes)
    report = EvalReport(questions=sum(1 for g in golden if g.get("evidence")), retrieval=recalls,
                        retrieval_misses=misses)
    if with_answers:
        outcomes: dict[str, list[tuple[bool, bool]]] = {}
        latencies = []
        for item in golden:
            answer = assistant.ask(item["question"])
            latencies.append(answer.latency_ms)
            correct, routed = answer_ok(item, answer), routing_ok(item, answer)
            outcomes.setdefault(item["kind"], []).append((correct, routed))
            if not correct:
                report.answer_failures.append(f"{item['id']} ({answer.status}): {answer.answer[:80]}")
            if not routed:
                calls = ", ".join(f"{c.name}({c.args})" for c in answer.tool_calls if c.name != SEARCH) or "search only"
                report.routing_failures.append(f"{item['id']}: {calls}")
        report.answer_accuracy = 1 - len(report.answer_failures) / len(golden)
        report.routing_accuracy = 1 - len(report.routing_failures) / len(golden)
        report.by_kind = {kind: {"questions": len(o), "answers": sum(c for c, _ in o) / len(o),
                                 "routing": sum(r for _, r in o) / len(o)} for kind, o in outcomes.items()}
        ordered = sorted(latencies)
        report.latency_ms = {"median": ordered[len(ordered) // 2], "p90": ordered[int(len(ordered) * 0.9)],
                             "max": ordered[-1]}
    return report
