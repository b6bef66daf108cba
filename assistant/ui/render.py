"""Answer events and tool results as chat messages, Markdown tables and HTML sources.

Pure functions of the event contract (assistant.events), so each can be unit-tested with real events and the app
renders whatever the agent emits: tool calls as collapsible messages while they run, charts inline, and citations
as numbered sources that open onto the passage with the quoted sentence highlighted.
"""

from __future__ import annotations

import html
import json
import logging
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


def _clip(text: str) -> str:
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


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


def _args_markdown(args: dict[str, Any]) -> str:
    shown = " · ".join(f"`{k}` = `{json.dumps(v, ensure_ascii=False)}`" for k, v in args.items())
    return f"**Arguments** {shown or '(none)'}"


def tool_started_message(event: ToolStarted) -> Message:
    metadata = {"title": f"Tool call · {event.name}", "id": event.call_id, "status": "pending", "log": "running…"}
    return {"role": "assistant", "content": _args_markdown(event.args), "metadata": metadata}


def passages_markdown(passages: list[Citation]) -> str:
    """Bulleted '[n] title — section · page' lines: the numbers are the answer's citation numbers, not a list's."""
    return "\n".join(f"- [{c.n}] {c.title} — {_where(c)}" for c in passages) or "No passage matched."


def tool_finished_messages(event: ToolFinished, passages: list[Citation] | None = None) -> list[Message]:
    """The finished call (arguments, summary, table, provenance), then its chart as a message of its own.

    A call that retrieved passages lists them (numbered as the answer cites them) instead of its raw rows.
    """
    metadata = {"title": f"Tool call · {event.name}", "id": event.call_id, "status": "done",
                "duration": round(event.duration_ms / 1000, 2), "log": "ok" if event.status == "ok" else "failed"}
    parts = [_args_markdown(event.args)]
    result = ToolResult.model_validate(event.result) if event.status == "ok" and event.result else None
    if result is None:
        parts.append(f"**Error** {event.summary}")
    else:
        details = [passages_markdown(passages)] if passages is not None else [markdown_table(result.rows),
                                                                              provenance_markdown(result)]
        parts += [result.summary, *details]
    messages: list[Message] = [
        {"role": "assistant", "content": "\n\n".join(p for p in parts if p), "metadata": metadata}
    ]
    figure = chart_for(result) if result else None
    if figure is not None:
        messages.append({"role": "assistant", "content": gr.Plot(figure, show_label=False)})
    return messages


def _where(citation: Citation) -> str:
    page = f"p. {citation.page}" if citation.page is not None else ""
    return " · ".join(part for part in (citation.section, page) if part)


def highlight(text: str, quote: str | None) -> str:
    """The passage as HTML with the quoted sentence in <mark> (also when the quote dropped its final stop)."""
    for needle in (quote, (quote or "").rstrip("。.；; ")):
        start = text.find(needle) if needle else -1
        if start >= 0:
            end = start + len(needle)
            marked = f"{html.escape(text[:start])}<mark>{html.escape(needle)}</mark>{html.escape(text[end:])}"
            return marked.replace("\n", "<br>")
    return html.escape(text).replace("\n", "<br>")


def citation_html(citation: Citation) -> str:
    return (f'<details class="source"><summary><span class="source-n">{citation.n}</span> '
            f"<b>{html.escape(citation.title)}</b> <span class=\"source-where\">{html.escape(_where(citation))}</span>"
            f'</summary><div class="passage">{highlight(citation.text, citation.quote)}</div></details>')


def sources_html(citations: list[Citation]) -> str:
    """Numbered sources on one line of HTML (a blank line would end the HTML block inside Markdown)."""
    items = "".join(citation_html(c) for c in citations)
    return f'<div class="sources"><div class="sources-title">Sources</div>{items}</div>'


def answer_markdown(answer: Answer) -> str:
    """The final answer: text, warnings, then its numbered sources. Quoted report text is escaped: a report's HTML
    is shown as written, never rendered."""
    text = html.escape(answer.answer, quote=False)
    parts = [text if answer.status != "error" else f"⚠ {text}"]
    parts += [f"> ⚠ {html.escape(warning, quote=False)}" for warning in answer.warnings]
    if answer.citations:
        parts.append(sources_html(answer.citations))
    return "\n\n".join(parts)


def passages_message(event: PassagesRetrieved) -> Message:
    metadata = {"title": "Searched the reports", "status": "done", "log": f"{len(event.passages)} passages"}
    return {"role": "assistant", "content": passages_markdown(event.passages), "metadata": metadata}


def routed_message(event: Routed) -> Message:
    """Says that a language model, not the rules, chose the tool; the figures still come from the tool."""
    metadata = {"title": f"Routed by {event.brain}", "status": "done", "duration": round(event.duration_ms / 1000, 2),
                "log": event.tool}
    content = (f"The language model chose **{event.tool}** for this question; every value was still read from your "
               "words and every figure comes from the tool.")
    return {"role": "assistant", "content": content, "metadata": metadata}


def guard_message(event: GuardNotice) -> Message:
    removed = "".join(f"\n- {text}" for text in event.removed)
    metadata = {"title": "Grounding check", "status": "done", "log": "answer changed"}
    return {"role": "assistant", "content": event.message + (f"\n\nRemoved:{removed}" if removed else ""),
            "metadata": metadata}


@dataclass
class ChatTurn:
    """The assistant's side of one exchange, re-rendered as events arrive (a tool's finish replaces its start).

    Passages retrieved right after a tool call are that call's results (the agent's search_reports), so they are
    listed in its message; passages retrieved on their own get a message of their own.
    """

    blocks: list[list[Message]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    answer_at: int | None = None
    tokens: str = ""
    last_finished: ToolFinished | None = None

    def apply(self, event: Event) -> None:
        previous, self.last_finished = self.last_finished, None
        if isinstance(event, ToolStarted):
            self._put(self.calls.get(event.call_id), [tool_started_message(event)], call_id=event.call_id)
        elif isinstance(event, ToolFinished):
            self._put(self.calls.get(event.call_id), tool_finished_messages(event), call_id=event.call_id)
            self.last_finished = event
        elif isinstance(event, PassagesRetrieved) and previous is not None and previous.status == "ok":
            self._put(self.calls[previous.call_id], tool_finished_messages(previous, event.passages))
        elif isinstance(event, PassagesRetrieved):
            self._put(None, [passages_message(event)])
        elif isinstance(event, GuardNotice):
            self._put(None, [guard_message(event)])
        elif isinstance(event, Routed):
            self._put(None, [routed_message(event)])
        elif isinstance(event, AnswerToken):
            self.tokens += event.text
            self._answer(self.tokens)
        elif isinstance(event, FinalAnswer):
            self._answer(answer_markdown(event.answer))

    def _put(self, at: int | None, block: list[Message], call_id: str | None = None) -> int:
        if at is None:
            at = len(self.blocks)
            self.blocks.append(block)
        else:
            self.blocks[at] = block
        if call_id is not None:
            self.calls[call_id] = at
        return at

    def _answer(self, content: str) -> None:
        self.answer_at = self._put(self.answer_at, [{"role": "assistant", "content": content}])

    @property
    def messages(self) -> list[Message]:
        return [message for block in self.blocks for message in block]
