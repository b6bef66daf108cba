"""The answer shape every interface shows, and the extractive composer that builds one from passages.

An extractive answer quotes report sentences verbatim, so every number in it is in a cited passage.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.chunking import split_sentences
from assistant.keyword import tokenize
from assistant.retrieval import Passage, SearchResult, content_terms

Status = Literal["answered", "not_found", "error"]
QUANTITY = re.compile(r"多少|几|规模|比例|占比|费率|收益|how (many|much)|what (share|percentage)|rate|size|fee", re.I)


class Citation(BaseModel):
    """A numbered source under an answer: which report, where, and the passage (with the quoted sentence)."""

    n: int
    report_id: str
    title: str
    section: str
    page: int | None
    text: str
    quote: str | None = Field(None, description="the sentence of `text` the answer relies on")


class ToolCallRecord(BaseModel):
    name: str
    args: dict[str, Any]
    result: dict[str, Any]


class Answer(BaseModel):
    question: str
    answer: str
    status: Status
    citations: list[Citation] = Field(default_factory=list)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    latency_ms: int = 0
    warnings: list[str] = Field(default_factory=list)

    def public_dict(self) -> dict[str, Any]:
        """The documented JSON shape of `ask --json` (citations without the internal quote field)."""
        data = self.model_dump(include={"question", "answer", "status", "tool_calls", "latency_ms"})
        data["citations"] = [c.model_dump(exclude={"quote"}) for c in self.citations]
        if self.warnings:
            data["warnings"] = self.warnings
        return data

    def render_text(self) -> str:
        """Plain-text rendering for terminals: the answer, then numbered sources."""
        lines = [self.answer]
        for call in self.tool_calls:
            lines.append(f"  tool {call.name}({', '.join(f'{k}={v!r}' for k, v in call.args.items())})")
        for c in self.citations:
            where = f"{c.title} › {c.section}" + (f", p.{c.page}" if c.page is not None else "")
            lines.append(f"  [{c.n}] {where}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def citation_for(n: int, passage: Passage, quote: str | None = None) -> Citation:
    chunk = passage.chunk
    return Citation(n=n, report_id=chunk.report_id, title=chunk.title, section=chunk.section, page=chunk.page,
                    text=chunk.text, quote=quote)


def coverage_note(titles: list[str]) -> str:
    """What the corpus covers, without figures (a not-found answer must contain no number)."""
    names = "; ".join(re.sub(r"\s*[（(]?\d[\d.,]*[)）]?\s*", " ", t).strip() for t in titles)
    return f"The reports in the index cover: {names}."


def not_found(question: str, titles: list[str], warnings: list[str] | None = None) -> Answer:
    text = ("报告与工具中没有找到能回答这个问题的内容。/ The reports and tools do not cover this question. "
            + coverage_note(titles))
    return Answer(question=question, answer=text, status="not_found", warnings=warnings or [])


def best_sentences(question: str, passages: list[Passage], limit: int = 2) -> list[tuple[int, str]]:
    """(passage index, sentence) pairs that share most content words with the question, best first."""
    terms = content_terms(question)
    wants_number = bool(QUANTITY.search(question))
    scored = []
    for p_index, passage in enumerate(passages):
        for line in passage.chunk.text.splitlines():
            for sentence in split_sentences(line.strip()):
                words = set(tokenize(sentence))
                overlap = len(terms & words)
                if not overlap:
                    continue
                score = overlap + (0.5 if wants_number and re.search(r"\d", sentence) else 0) - 0.3 * p_index
                scored.append((score, p_index, sentence))
    scored.sort(key=lambda item: -item[0])
    chosen: list[tuple[int, str]] = []
    for _, p_index, sentence in scored:
        if sentence not in (s for _, s in chosen):
            chosen.append((p_index, sentence))
        if len(chosen) == limit:
            break
    return chosen


def extractive_answer(question: str, result: SearchResult, titles: list[str]) -> Answer:
    """Quote the best-matching sentences of the top passages, each marked with its citation number."""
    picks = best_sentences(question, result.passages[:3]) if result.covered else []
    if not picks:
        return not_found(question, titles, result.warnings)
    numbers: dict[int, int] = {}
    citations: list[Citation] = []
    parts = []
    for p_index, sentence in picks:
        if p_index not in numbers:
            numbers[p_index] = len(citations) + 1
            citations.append(citation_for(numbers[p_index], result.passages[p_index], sentence))
        parts.append(f"{sentence.rstrip('。')}。[{numbers[p_index]}]" if not sentence.startswith("|")
                     else f"{sentence} [{numbers[p_index]}]")
    return Answer(question=question, answer=" ".join(parts), status="answered", citations=citations,
                  warnings=result.warnings)
