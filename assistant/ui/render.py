"""Answer events and tool results as chat messages, Markdown tables, HTML answers and clean copy text.

Pure functions of the event contract (assistant.events), so each can be unit-tested with real events and the app
renders whatever the agent emits. One exchange is shown as a collapsed "How this was answered" line (the tool calls
and searches nested inside it), the answer, then any chart. The answer is HTML the server builds from escaped text:
its [n] markers link to numbered sources that open onto the passage with the quoted sentence highlighted, and it
carries its own plain-text copy (answer and numbered sources, no markup) for the copy buttons and screen readers.
"""

from __future__ import annotations

import html
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from assistant.answers import Answer, Citation
from assistant.events import (
    AnswerToken,
    Event,
    FinalAnswer,
    GuardNotice,
    PassagesRetrieved,
    Routed,
    ToolFinished,
    ToolStarted,
)
from tools import CHARTS
from tools.result import ToolResult

log = logging.getLogger(__name__)
CHAT_ROWS = 12  # a chat message shows the top rows; the Analyst tab has them all
CELL_CHARS = 120  # longer cells (e.g. passage text) are cut in chat tables
PREVIEW_CHARS = 240  # a citation marker's hover preview
STEPS_TITLE = "How this was answered"
SENTENCE_ENDS = "。；！？!?\n"  # the corpus's sentence ends (assistant.corpus.chunking) and line breaks; not '.', which
# also ends 'U.S.' and would cut a fund's name in two
STOPPED = "Stopped before the answer was finished."
MARKER = re.compile(r"\[(\d+)\]")
# advice meant for the command line, said differently (or not at all) to someone in the browser
WEB_WORDING = [(re.compile(r",? or use `ask --file` with one question per line"), "")]
INTERNAL_ERROR = re.compile(r"^internal error: (\w+)")
Message = dict[str, Any]


def rounded(value: float) -> float:
    """Two decimals, or four significant digits below 1: enough to read, without float noise."""
    return round(value, 2) if abs(value) >= 1 else float(f"{value:.4g}")


def cell(value: Any) -> str:
    """A value as a table cell should read: thousands separators, few decimals, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{rounded(value):,}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _clip(text: str, limit: int = CELL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown_table(rows: list[dict[str, Any]], limit: int | None = CHAT_ROWS) -> str:
    """Rows as a Markdown table, numeric columns right-aligned; '' for no rows."""
    if not rows:
        return ""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    numeric = {c for c in columns if all(_is_number(r[c]) for r in rows if r.get(c) is not None)}
    rule = "|" + "|".join("---:" if c in numeric else "---" for c in columns) + "|"
    lines = ["| " + " | ".join(columns) + " |", rule]
    shown = rows if limit is None else rows[:limit]
    for row in shown:
        cells = (_clip(cell(row.get(c))).replace("|", "\\|").replace("\n", " ") for c in columns)
        lines.append("| " + " | ".join(cells) + " |")
    if len(shown) < len(rows):
        lines.append(f"\n*… {len(rows) - len(shown)} more rows: run the form in the Analyst tab for all of them.*")
    return "\n".join(lines)


def provenance_markdown(result: ToolResult) -> str:
    """Where the figures come from (sources with table, page, file), their units, and the tool's caveats."""
    lines = ["**Sources**"]
    for source in result.sources:
        extra = "".join([f" — {source.note}" if source.note else "", f" (`{source.path}`)" if source.path else ""])
        lines.append(f"- {source.label()}{extra}")
    if result.units:
        lines += ["", "**Units** " + "; ".join(f"`{k}`: {v}" for k, v in result.units.items())]
    if result.caveats:
        lines += ["", "**Caveats**", *(f"- {c}" for c in result.caveats)]
    return "\n".join(lines)


def chart_for(result: ToolResult) -> Any | None:
    """The tool's plotly figure, or None when it has no chart (or the chart cannot be drawn from this result)."""
    make = CHARTS.get(result.tool)
    if make is None:
        return None
    try:
        return make(result)
    except (ValueError, KeyError) as exc:  # e.g. a result without the data its chart needs
        log.warning("no chart for %s: %s", result.tool, exc)
        return None


def args_markdown(args: dict[str, Any]) -> str:
    shown = " · ".join(f"`{k}` = `{json.dumps(v, ensure_ascii=False)}`" for k, v in args.items())
    return f"**Arguments** {shown or '(none)'}"


def finished_result(event: ToolFinished) -> ToolResult | None:
    """The tool's result, or None when the call failed."""
    return ToolResult.model_validate(event.result) if event.status == "ok" and event.result else None


def tool_markdown(event: ToolFinished, passages: list[Citation] | None = None) -> str:
    """A finished call: arguments, summary, then its table and provenance, or the passages it found (numbered as the
    answer cites them), or its error."""
    parts = [args_markdown(event.args)]
    result = finished_result(event)
    if result is None:
        parts.append(f"**Error** {event.summary}")
    else:
        details = [passages_markdown(passages)] if passages is not None else [markdown_table(result.rows),
                                                                              provenance_markdown(result)]
        parts += [result.summary, *details]
    return "\n\n".join(p for p in parts if p)


# --- citations and answers ---------------------------------------------------------------------------------------


def page_label(page: int | None) -> str:
    """'p. 5', or '' when the page is unknown (pages are counted from 1: a 0 marks a passage before the first)."""
    return f"p. {page}" if page else ""


def where(citation: Citation) -> str:
    """Section path and page, e.g. '一、… › （一）… · p. 5'."""
    return " · ".join(part for part in (citation.section.replace(" > ", " › "), page_label(citation.page)) if part)


def passages_markdown(passages: list[Citation]) -> str:
    """Bulleted '[n] title — section · page' lines: the numbers are the answer's citation numbers, not a list's."""
    return "\n".join(f"- [{c.n}] {c.title} — {where(c)}" for c in passages) or "No passage matched."


def quote_span(text: str, quote: str | None) -> tuple[int, int] | None:
    """Where the quoted sentence is in the passage: the quote found as written (or without its final stop), widened
    to the whole sentence that holds it, since the answer's sentence may have been cut at an abbreviation."""
    for needle in (quote, (quote or "").rstrip("。.；; ")):
        found = text.find(needle) if needle else -1
        if found >= 0:
            break
    else:
        return None
    start = max(text.rfind(stop, 0, found) for stop in SENTENCE_ENDS) + 1
    while start < found and (text[start].isspace() or text[start] in "-•*"):
        start += 1  # a list item's bullet is not part of its sentence
    ends = [i for i in (text.find(stop, found + len(needle) - 1) for stop in SENTENCE_ENDS) if i >= 0]
    end = min(ends, default=len(text))
    return start, end + (end < len(text) and text[end] != "\n")


def quoted_sentence(citation: Citation) -> str | None:
    span = quote_span(citation.text, citation.quote)
    return citation.text[span[0]:span[1]].strip() if span else None


def highlight(text: str, quote: str | None) -> str:
    """The passage as HTML with the quoted sentence in <mark>; report text is escaped, never rendered."""
    span = quote_span(text, quote)
    if span is None:
        return html.escape(text).replace("\n", "<br>")
    start, end = span
    marked = f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"
    return marked.replace("\n", "<br>")


def source_line(citation: Citation) -> str:
    """'[1] title — section · p. 5: “the quoted sentence”', the plain form of a source."""
    quote = quoted_sentence(citation)
    return f"[{citation.n}] {citation.title} — {where(citation)}" + (f": “{quote}”" if quote else "")


def shown_text(answer: Answer) -> str:
    """The answer as a web user should read it: no command-line advice, and an internal failure named without the
    exception's text (which may hold server paths)."""
    if answer.status == "error" and (failure := INTERNAL_ERROR.match(answer.answer)):
        return f"Something went wrong while answering ({failure.group(1)}); the error was logged. Please try again."
    text = answer.answer
    for pattern, replacement in WEB_WORDING:
        text = pattern.sub(replacement, text)
    return text


STATUS_LEAD = {"error": "⚠ Could not answer", "not_found": "Not covered by the reports"}


def answer_text(answer: Answer) -> str:
    """What copying an answer gives: its text, warnings and numbered sources, as plain Markdown without HTML."""
    lead = STATUS_LEAD.get(answer.status)
    parts = [f"{lead}: {shown_text(answer)}" if lead else shown_text(answer)]
    parts += [f"⚠ {warning}" for warning in answer.warnings]
    if answer.citations:
        parts.append("Sources:\n" + "\n".join(f"- {source_line(c)}" for c in answer.citations))
    return "\n\n".join(parts)


def turn_text(question: str, answer_copy: str) -> str:
    """One exchange as copying the conversation gives it."""
    return f"Q: {question}\n\nA: {answer_copy}"


def _paragraphs(text: str) -> str:
    """Escaped text as HTML paragraphs: blank lines separate paragraphs, single line breaks stay."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "".join(f"<p>{html.escape(b, quote=False).replace(chr(10), '<br>')}</p>" for b in blocks)


def _anchor(key: str, n: int) -> str:
    return f"src-{key}-{n}"


def _cite_links(text_html: str, citations: list[Citation], key: str) -> str:
    """Each [n] of a cited passage as a link to its source, with the quoted sentence as the hover preview."""
    known = {c.n: c for c in citations}

    def link(match: re.Match[str]) -> str:
        citation = known.get(int(match.group(1)))
        if citation is None:
            return match.group(0)
        preview = _clip(f"{citation.title} — {where(citation)}: {quoted_sentence(citation) or citation.text}",
                        PREVIEW_CHARS)
        return (f'<a class="cite" href="#{_anchor(key, citation.n)}" title="{html.escape(preview)}" '
                f'aria-label="Source {citation.n}: {html.escape(citation.title)}">[{citation.n}]</a>')

    return MARKER.sub(link, text_html)


def citation_html(citation: Citation, key: str) -> str:
    return (f'<details class="source" id="{_anchor(key, citation.n)}"><summary><span class="source-n">{citation.n}'
            f"</span> <b>{html.escape(citation.title)}</b> <span class=\"source-where\">{html.escape(where(citation))}"
            f'</span></summary><div class="passage">{highlight(citation.text, citation.quote)}</div></details>')


def sources_html(citations: list[Citation], key: str) -> str:
    items = "".join(citation_html(c, key) for c in citations)
    return f'<div class="sources"><div class="sources-title">Sources</div>{items}</div>'


def _answer_block(status: str, body: str, copy: str, question: str) -> str:
    """The answer's HTML around its body: its status, the copy texts (for the copy buttons and the page's
    aria-label) and a copy button."""
    return (f'<div class="answer {status}" data-copy="{html.escape(copy)}" '
            f'data-turn="{html.escape(turn_text(question, copy))}">{body}'
            '<div class="answer-actions"><button type="button" class="copy-answer" aria-label="Copy answer">'
            "Copy</button></div></div>")


def answer_html(answer: Answer, key: str, question: str | None = None) -> str:
    """The final answer as HTML: status lead, text with linked markers, warnings, expandable sources."""
    lead = STATUS_LEAD.get(answer.status)
    parts = [f'<p class="answer-status">{lead}</p>' if lead else "",
             f'<div class="answer-text">{_cite_links(_paragraphs(shown_text(answer)), answer.citations, key)}</div>']
    if answer.warnings:
        items = "".join(f"<li>⚠ {html.escape(w, quote=False)}</li>" for w in answer.warnings)
        parts.append(f'<ul class="answer-warnings">{items}</ul>')
    if answer.citations:
        parts.append(sources_html(answer.citations, key))
    return _answer_block(answer.status, "".join(parts), answer_text(answer),
                         answer.question if question is None else question)


def stopped_html(partial: str, question: str) -> str:
    """An answer the user stopped: what had streamed, and that it is unfinished."""
    body = f'<p class="answer-status">{STOPPED}</p>' + (f'<div class="answer-text">{_paragraphs(partial)}</div>'
                                                          if partial.strip() else "")
    copy = STOPPED + (f"\n\n{partial.strip()}" if partial.strip() else "")
    return _answer_block("stopped", body, copy, question)


def html_message(content: str) -> Message:
    return {"role": "assistant", "content": gr.HTML(content, js_on_load=None, padding=False)}


# --- one exchange as chat messages ------------------------------------------------------------------------------


def _step(title: str, content: str, parent: str, step_id: str, status: str = "done", **extra: Any) -> Message:
    metadata = {"title": title, "id": step_id, "parent_id": parent, "status": status, **extra}
    return {"role": "assistant", "content": content, "metadata": metadata}


@dataclass
class ChatTurn:
    """The assistant's side of one exchange, re-rendered as events arrive: the steps nested under one collapsed
    "How this was answered" line (a tool's finish replaces its start), the answer, then the charts.

    Passages retrieved right after a tool call are that call's results (the agent's search_reports), so they are
    listed in its step; passages retrieved on their own are a step of their own.
    """

    question: str = ""
    key: str = field(default_factory=lambda: uuid.uuid4().hex[:10])  # unique per exchange: the sources' anchors
    steps: dict[str, Message] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # step id → what the summary line calls it
    running: set[str] = field(default_factory=set)
    charts: dict[str, Message] = field(default_factory=dict)
    answer: Message | None = None
    final: Answer | None = None
    tokens: str = ""
    seconds: float = 0.0
    last_finished: ToolFinished | None = None

    def apply(self, event: Event) -> None:
        previous, self.last_finished = self.last_finished, None
        if isinstance(event, ToolStarted):
            self._put(event.call_id, event.name, f"Tool call · {event.name}", args_markdown(event.args),
                      status="pending", log="running…")
            self.running.add(event.call_id)
        elif isinstance(event, ToolFinished):
            self._finished(event)
            self.last_finished = event
        elif isinstance(event, PassagesRetrieved) and previous is not None and previous.status == "ok":
            self._finished(previous, event.passages)
        elif isinstance(event, PassagesRetrieved):
            self._put(f"passages-{len(self.steps)}", "search", "Searched the reports",
                      passages_markdown(event.passages), log=f"{len(event.passages)} passages")
        elif isinstance(event, GuardNotice):
            removed = "".join(f"\n- {text}" for text in event.removed)
            self._put(f"guard-{len(self.steps)}", "grounding check", "Grounding check",
                      event.message + (f"\n\nRemoved:{removed}" if removed else ""), log="answer changed")
        elif isinstance(event, Routed):
            content = (f"The language model chose **{event.tool}** for this question; every value was still read "
                       "from your words and every figure comes from the tool.")
            self._put(f"routed-{len(self.steps)}", f"routed by {event.brain}", f"Routed by {event.brain}", content,
                      duration=round(event.duration_ms / 1000, 2), log=event.tool)
        elif isinstance(event, AnswerToken):
            self.tokens += event.text
            self.answer = {"role": "assistant", "content": self.tokens}
        elif isinstance(event, FinalAnswer):
            self.final = event.answer
            self.answer = html_message(answer_html(event.answer, self.key, self.question or None))

    def stop(self) -> None:
        """The user stopped the answer: running steps say so, and the answer shows what had streamed."""
        for step_id in self.running:
            self.steps[step_id]["metadata"] |= {"status": "done", "log": "stopped"}
        self.running.clear()
        if self.final is None:
            self.answer = html_message(stopped_html(self.tokens, self.question))

    def _finished(self, event: ToolFinished, passages: list[Citation] | None = None) -> None:
        self.running.discard(event.call_id)
        self.seconds += event.duration_ms / 1000
        self._put(event.call_id, event.name, f"Tool call · {event.name}", tool_markdown(event, passages),
                  duration=round(event.duration_ms / 1000, 2), log="ok" if event.status == "ok" else "failed")
        result = finished_result(event)
        figure = chart_for(result) if result else None
        if figure is not None:
            self.charts[event.call_id] = {"role": "assistant", "content": gr.Plot(figure, show_label=False)}

    def _put(self, step_id: str, name: str, title: str, content: str, status: str = "done", **extra: Any) -> None:
        self.steps[step_id] = _step(title, content, self.key, f"{self.key}-{step_id}", status, **extra)
        self.names[step_id] = name

    @property
    def summary(self) -> Message:
        """The one collapsed line the steps hang under: what ran, or what is running."""
        names = list(dict.fromkeys(self.names.values()))
        running = [self.names[step_id] for step_id in self.running]
        log = f"running {', '.join(running)}…" if running else " · ".join(names)
        metadata = {"title": STEPS_TITLE, "id": self.key, "status": "done", "log": log}
        if self.seconds and not running:
            metadata["duration"] = round(self.seconds, 2)
        return {"role": "assistant", "content": f"Steps: {', '.join(names)}.", "metadata": metadata}

    @property
    def messages(self) -> list[Message]:
        steps = [self.summary, *self.steps.values()] if self.steps else []
        return steps + ([self.answer] if self.answer else []) + list(self.charts.values())
