"""The answer shape every interface shows, and the extractive composer that builds one from passages.

An extractive answer quotes report sentences verbatim, so every number in it is in a cited passage.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.chunking import split_sentences
from assistant.keyword import tokenize
from assistant.retrieval import Passage, content_terms

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


def best_sentences(question: str, texts: list[str], limit: int = 2, focus: str | None = None) -> list[tuple[int, str]]:
    """(text index, sentence) pairs that share most content words with the question, best first; sentences naming
    `focus` (the issuer or fund a tool answer is about) come before those that merely share topic words."""
    terms = content_terms(question)
    wants_number = bool(QUANTITY.search(question))
    scored = []
    for index, text in enumerate(texts):
        for line in text.splitlines():
            for sentence in split_sentences(line.strip()):
                if sentence.startswith("|") and not re.search(r"\d", sentence):
                    continue  # a table header or rule says nothing by itself
                words = set(tokenize(sentence))
                overlap = len(terms & words)
                if not overlap:
                    continue
                score = overlap + (0.5 if wants_number and re.search(r"\d", sentence) else 0) - 0.3 * index
                if focus and focus.lower() in sentence.lower():
                    score += 3
                scored.append((score, index, sentence))
    scored.sort(key=lambda item: -item[0])
    chosen: list[tuple[int, str]] = []
    for _, index, sentence in scored:
        if sentence not in (s for _, s in chosen):
            chosen.append((index, sentence))
        if len(chosen) == limit:
            break
    return chosen
