"""Golden-set evaluation: retrieval recall@k per retriever and answer accuracy, side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

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


def answer_ok(item: dict[str, Any], status: str, text: str) -> bool:
    if item["kind"] == "not_found":
        return status == "not_found"
    return status == "answered" and all(s in text for s in item.get("expected", []))


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
        failures = []
        for item in golden:
            answer = assistant.ask(item["question"])
            if not answer_ok(item, answer.status, answer.answer):
                failures.append(f"{item['id']} ({answer.status}): {answer.answer[:80]}")
        report.answer_accuracy = 1 - len(failures) / len(golden)
        report.answer_failures = failures
    return report
