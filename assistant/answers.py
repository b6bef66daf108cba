"""The answer shape every interface shows, and the extractive composer that builds one from passages.

An extractive answer quotes report sentences verbatim, so every number in it is in a cited passage.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.chunking import split_sentences
from assistant.keyword import tokenize
from assistant.retrieval import Passage, content_terms

Status = Literal["answered", "not_found", "error"]
CAPTION = re.compile(r"^[-\s]*(?:图表?|表)\s*\d+[^，。,;；]{0,40}$")
LABEL = re.compile(r"^[-\s]*([^:：，,。]{1,12})[:：]\s*\S")
QUANTITY_UNITS = [  # what a question asks for → units of the figure that answers it
    (re.compile(r"多少只|几只|how many (?:active )?(?:etfs|funds|products|stocks|mutual)", re.I), ("只",)),
    (re.compile(r"多少家|几家|how many (?:issuers|companies|firms|managers)", re.I), ("家",)),
    (re.compile(r"占比|比例|比重|份额|率|share|percentage|ratio|rate", re.I), ("%",)),
    (re.compile(r"多少倍|times", re.I), ("倍",)),
    (re.compile(r"规模|资产|金额|流入|流出|多少亿|募集|size|aum|assets|how much|inflow|outflow|raise", re.I),
     ("亿美元", "亿元", "百万美元", "万亿元", "亿")),
]
FIGURE = re.compile(r"(?P<bound>超过|约|近|逾|不足|低于)?\s*(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<about>余|多)?\s*"
                    r"(?P<unit>亿美元|亿元|万亿元|百万美元|亿|只|家|%|倍)")
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

    def render_text(self, with_tools: bool = True) -> str:
        """Plain-text rendering for terminals: the answer, the tool calls (unless already shown), numbered sources."""
        lines = [self.answer]
        if with_tools:
            lines += [f"  tool {call_text(call.name, call.args)}" for call in self.tool_calls]
        for c in self.citations:
            where = f"{c.title} › {c.section}" + (f", p.{c.page}" if c.page is not None else "")
            lines.append(f"  [{c.n}] {where}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def call_text(name: str, args: dict[str, Any]) -> str:
    """A tool call as a terminal shows it: rank_issuers(by='etf_count', top=10)."""
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"


def citation_for(n: int, passage: Passage, quote: str | None = None) -> Citation:
    chunk = passage.chunk
    return Citation(n=n, report_id=chunk.report_id, title=chunk.title, section=chunk.section, page=chunk.page,
                    text=chunk.text, quote=quote)


def coverage_note(titles: list[str]) -> str:
    """What the corpus covers, without figures (a not-found answer must contain no number)."""
    names = "; ".join(re.sub(r"\s*[（(]?\d[\d.,]*[)）]?\s*", " ", t).strip() for t in titles)
    return f"The reports in the index cover: {names}."


NOT_COVERED = "报告与工具中没有找到能回答这个问题的内容。/ The reports and tools do not cover this question. "


def not_found(question: str, titles: list[str], warnings: list[str] | None = None, reason: str = "") -> Answer:
    """A not-covered answer: why (when the brain knows), then what the reports do cover; no figure at all."""
    text = (f"{reason} " if reason else "") + NOT_COVERED + coverage_note(titles)
    return Answer(question=question, answer=text, status="not_found", warnings=warnings or [])


def asked_units(question: str) -> tuple[str, ...]:
    """The units of the figure a question asks for ('多少只' → 只, 'what share' → %), or () when it is not clear."""
    return next((units for pattern, units in QUANTITY_UNITS if pattern.search(question)), ())


def concepts(shared: set[str]) -> set[str]:
    """Shared words without those inside a longer shared word: jieba's search mode yields 资金流入 and also 资金, 流入,
    and one concept must count once."""
    return {t for t in shared if not any(t != other and t in other for other in shared)}


def informative(sentence: str) -> bool:
    """Whether a sentence can answer anything alone: not a table header, a caption or a list's lead-in."""
    if sentence.startswith("|"):
        return bool(re.search(r"\d", sentence))
    return not (sentence.rstrip().endswith((":", "：")) or CAPTION.match(sentence))


def best_sentences(question: str, texts: list[str], limit: int = 2, focus: str | None = None) -> list[tuple[int, str]]:
    """(text index, sentence) pairs that best match the question, best first.

    Shared content words count by how rare they are among the candidate sentences (a word every sentence has says
    little), a compound at least as much as its parts; a "label: value" line whose label the question names
    (作者：…, 分析师：…) answers it; a figure in the unit asked for counts; sentences naming `focus` (the issuer or
    fund a tool answer is about) come before those that merely share topic words.
    """
    terms = content_terms(question)
    wants_number = bool(QUANTITY.search(question))
    units = asked_units(question)
    candidates = [(index, sentence, set(tokenize(sentence)) & terms) for index, text in enumerate(texts)
                  for line in text.splitlines() for sentence in split_sentences(line.strip()) if informative(sentence)]
    frequency = Counter(t for _, _, shared in candidates for t in shared)
    scored = []
    for index, sentence, shared in candidates:
        if not shared:
            continue
        rarity = {t: math.log((len(candidates) + 1) / frequency[t]) for t in shared}
        score = sum(max(rarity[t], sum(rarity[p] for p in concepts({p for p in shared if p != t and p in t})))
                    for t in concepts(shared)) - 0.5 * index
        if units and any(m["unit"] in units for m in FIGURE.finditer(sentence)):
            score += 2
        elif wants_number and re.search(r"\d", sentence):
            score += 1
        label = set(tokenize(m.group(1))) if (m := LABEL.match(sentence)) else set()
        if label and label <= terms:
            score += 5
        if focus and focus.lower() in sentence.lower():
            score += 5
        scored.append((score, index, sentence))
    scored.sort(key=lambda item: -item[0])
    chosen: list[tuple[int, str]] = []
    for _, index, sentence in scored:
        if sentence not in (s for _, s in chosen):
            chosen.append((index, sentence))
        if len(chosen) == limit:
            break
    return chosen
