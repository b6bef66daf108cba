"""Where the tools' data lives and how they cite a report, so every tool names its sources the same way."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from assistant.corpus.reports import load_reports
from assistant.settings import get_settings
from tools.result import Source


def market_dir() -> Path:
    """The derived market tables (corpus/market), made by the scripts in scripts/."""
    return get_settings().corpus_dir / "market"


@cache
def _reports() -> dict[str, tuple[str, str]]:
    return {r.id: (r.title, f"{r.publisher}, {r.date}") for r in load_reports(get_settings().reports_dir)}


def report_source(report_id: str, *, table: str | None = None, page: int | None = None,
                  note: str | None = None) -> Source:
    """A Source citing a corpus report by id; title and publisher come from the report's own metadata."""
    title, published = _reports()[report_id]
    return Source(kind="report", title=title, report_id=report_id, table=table, page=page,
                  note=f"{published}: {note}" if note else published)
