"""Load the report corpus: Markdown files with YAML front matter, one per report."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.settings import get_settings


class Report(BaseModel):
    """One research report: its metadata and Markdown body."""

    id: str
    title: str
    publisher: str = ""
    date: str = ""
    authors: list[str] = Field(default_factory=list)
    language: str = "zh"
    source: str = ""
    notes: str = ""
    body: str = ""

    def metadata(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "publisher": self.publisher, "date": self.date,
                "authors": ", ".join(self.authors), "language": self.language, "notes": self.notes}


FENCE = re.compile(r"^---[ \t]*\n", re.M)


class CorpusError(ValueError):
    """A corpus file that cannot be read as a report."""


def parse_report(text: str, origin: str) -> Report:
    """Parse a corpus file's text; raise CorpusError naming the file and the problem."""
    if not text.startswith("---\n"):
        raise CorpusError(f"{origin}: missing YAML front matter (a file must start with '---')")
    parts = FENCE.split(text, maxsplit=2)  # a line that is only '---', never '---' inside a title
    if len(parts) < 3:
        raise CorpusError(f"{origin}: unreadable front matter (no closing '---' line)")
    _, front, body = parts
    try:
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(front)):
            raise CorpusError(f"{origin}: front matter may not use YAML aliases (*name)")
        meta = yaml.safe_load(front) or {}
    except yaml.YAMLError as exc:
        raise CorpusError(f"{origin}: unreadable front matter ({exc})") from exc
    if not isinstance(meta, dict) or not meta.get("id") or not meta.get("title"):
        raise CorpusError(f"{origin}: front matter needs at least 'id' and 'title'")
    meta["id"], meta["date"] = str(meta["id"]), str(meta.get("date", ""))
    try:
        return Report(**{k: v for k, v in meta.items() if k in Report.model_fields}, body=body.strip() + "\n")
    except ValidationError as exc:
        fields = ", ".join(f"{'.'.join(map(str, e['loc']))} ({e['msg'].lower()})" for e in exc.errors())
        raise CorpusError(f"{origin}: front matter has wrong types: {fields}") from exc


def render_report(report: Report) -> str:
    """The corpus-file text for a report (inverse of parse_report)."""
    meta = report.model_dump(exclude={"body"})
    return f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n\n{report.body}"


def load_reports(reports_dir: Path, problems: list[str] | None = None) -> list[Report]:
    """All reports in a folder, sorted by id.

    With a `problems` list, an unreadable file is skipped and described there instead of stopping the load, so that
    one bad user-added file cannot take the whole corpus down.
    """
    reports = []
    for path in sorted(reports_dir.glob("*.md")):
        try:
            reports.append(parse_report(path.read_text(encoding="utf-8"), path.name))
        except (CorpusError, UnicodeDecodeError) as exc:
            if problems is None:
                raise
            problems.append(f"skipped {path}: {exc}")
    return sorted(reports, key=lambda r: r.id)

def corpus_files() -> tuple[tuple[str, float], ...]:
    """The report and table files with their modification times: the key under which their words are cached."""
    settings = get_settings()
    files = [*settings.reports_dir.glob("*.md"), *(settings.data_dir / "reports").glob("*.md"),
             *(settings.reports_dir.parent / "tables").glob("*.csv")]
    return tuple(sorted((str(f), f.stat().st_mtime) for f in files))


@lru_cache(maxsize=2)
def corpus_text(files: tuple[tuple[str, float], ...]) -> str:
    """The reports and tables (`corpus_files()`) as one text, read once per version of the files."""
    return " ".join(Path(name).read_text(encoding="utf-8", errors="replace") for name, _ in files)
