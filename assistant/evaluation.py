"""Golden-set evaluation: retrieval recall@k per retriever, answer accuracy and tool-routing accuracy, side by side."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from assistant.agent.brain import SEARCH
from assistant.answers import Answer
from assistant.retrieval import Mode, Retriever
from assistant.settings import ROOT

GOLDEN = ROOT / "tests" / "golden.yaml"
MODES: tuple[Mode, ...] = ("keyword", "dense", "hybrid")


def load_golden(path: Path = GOLDEN) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


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
    """Report and tool questions: answered with every expected string; uncovered ones: not_found without a digit."""
    if item["kind"] == "not_found":
        return answer.status == "not_found" and not re.search(r"\d", answer.answer)
    return answer.status == "answered" and all(s in answer.answer for s in item.get("expected", []))


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return isinstance(actual, int | float) and math.isclose(float(expected), float(actual))
    return str(expected).strip().lower() == str(actual).strip().lower() if actual is not None else expected is None


def routing_ok(item: dict[str, Any], answer: Answer) -> bool:
    """Tool questions: the first data tool called is the expected one, with the expected arguments; report
    questions: only search_reports; not_found questions: no data tool."""
    data_calls = [c for c in answer.tool_calls if c.name != SEARCH]
    if item["kind"] == "tool":
        if not data_calls or data_calls[0].name != item["tool"]:
            return False
        return all(_same(v, data_calls[0].args.get(k)) for k, v in item.get("args", {}).items())
    if item["kind"] == "report":
        return not data_calls and any(c.name == SEARCH for c in answer.tool_calls)
    return not data_calls


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
