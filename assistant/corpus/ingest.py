"""Add a user's report (Markdown, text or PDF) to the corpus and the index, or refuse it with a reason.

Uploads live under `data/reports/` (never `corpus/reports/`, which is the shipped corpus) in the corpus file format,
so the retriever, `make index` and a restart all see them. A file is fully checked before it is written, and removed
again if indexing fails, so a bad upload can never stop the corpus from loading or cost an indexed report.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from assistant.corpus.chunking import chunk_report
from assistant.corpus.reports import CorpusError, Report, parse_report, render_report
from assistant.search.index import Progress, SyncReport
from assistant.search.retrieval import Retriever

MAX_BYTES = 20 * 1024 * 1024
SUFFIXES = (".md", ".markdown", ".txt", ".pdf")
MIN_CHARS = 50  # less text than this is an empty page or a scan, not a report
ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8, or the GBK family common in Chinese exports
SAFE_ID = re.compile(r"^(?!\.)[\w.-]{1,80}$")  # no leading dot: '..' or '.hidden' is no report file name
BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # control characters text files (almost) never contain
SENTENCE_END = "。！？；.!?;:："
MAX_TITLE = 80  # characters: a longer first line of a text file is its first paragraph, not its title
MAX_CHUNKS = 1000  # one upload's embedding: about 4 minutes at ~4 chunks/s on 2 cores (a 20 MB text would be 7 h)
_lock = threading.Lock()  # one upload at a time: each one re-reads the corpus and syncs the index


class IngestError(ValueError):
    """An upload refused; the message says why, in words a user can act on."""


@dataclass(frozen=True)
class Ingested:
    report: Report
    path: Path
    chunks: int
    sync: SyncReport | None


def user_reports_dir(retriever: Retriever) -> Path:
    return retriever.settings.data_dir / "reports"


def _decode(data: bytes, name: str) -> str:
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(BINARY.findall(text)) > len(text) // 100:  # bytes below 0x80 decode as "text" in every encoding
            raise IngestError(f"{name}: looks like a binary file (control characters), not text")
        return text
    raise IngestError(f"{name}: not readable as UTF-8 or GBK text")


def _join_lines(text: str) -> list[str]:
    """Paragraphs of extracted PDF text: a line continues the previous one unless that one ended a sentence."""
    paragraphs: list[str] = []
    current = ""
    for line in (raw.strip() for raw in text.splitlines()):
        if not line or (current and current[-1] in SENTENCE_END):
            paragraphs.append(current)
            current = line
            continue
        glue = " " if current and current[-1].isascii() and line[0].isascii() else ""
        current = f"{current}{glue}{line}" if current else line
    return [p for p in [*paragraphs, current] if p]


def _pdf_text(path: Path) -> tuple[str, str]:
    """(body with a [page::N] mark on every paragraph, the PDF's own title or '')."""
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(f"{path.name}: the PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str((reader.metadata or {}).get("/Title") or "").strip()
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(f"{path.name}: not a readable PDF ({type(exc).__name__}: {exc})") from exc
    body = "\n\n".join(f"{para}[page::{n}]" for n, text in enumerate(pages, 1) for para in _join_lines(text))
    return body, title


def _first_heading(body: str) -> str:
    match = re.search(r"^#\s+(.+)$", body, flags=re.MULTILINE)
    return match.group(1).strip() if match else ""


def _first_line(body: str) -> str:
    """A text file's title: its first non-empty line (a Markdown heading without its #s), unless that line is too
    long to be a title rather than a paragraph."""
    line = next((line.strip() for line in body.splitlines() if line.strip()), "")
    line = re.sub(r"^#+\s*", "", line)
    return line if len(line) <= MAX_TITLE else ""


def _key(title: str) -> str:
    return re.sub(r"\s+", "", title).lower()


def report_from_file(
    path: Path, existing: list[Report], title: str = "", publisher: str = "", date: str = ""
) -> Report:
    """Validate an uploaded file and turn it into a Report; IngestError says what is wrong with it.

    The title comes from the argument, else the Markdown front matter or first heading (a text file's first line),
    else the PDF's title, else the file name.
    """
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"{name}: unsupported file type {suffix or '(none)'}; upload Markdown, text or PDF")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise IngestError(f"{name}: {size / 1024 / 1024:.1f} MB is over the {MAX_BYTES // 1024 // 1024} MB limit")
    meta: dict[str, object] = {}
    if suffix == ".pdf":
        body, pdf_title = _pdf_text(path)
    else:
        body, pdf_title = _decode(path.read_bytes(), name).replace("\r\n", "\n"), ""
        if suffix != ".txt" and body.startswith("---\n"):
            try:
                parsed = parse_report(body, name)
            except CorpusError as exc:
                raise IngestError(str(exc)) from exc
            meta, body = parsed.model_dump(exclude={"body"}), parsed.body
    if len(re.sub(r"\s|\[page::[\d,\s-]*\]", "", body)) < MIN_CHARS:
        raise IngestError(f"{name}: no usable text (under {MIN_CHARS} characters; a scanned PDF has no text layer)")
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    report_id = str(meta.get("id") or f"user_{digest}")
    if not SAFE_ID.match(report_id):
        raise IngestError(f"{name}: id {report_id!r} may only use letters, digits, '_', '-' and '.', and may not start "
                          "with '.'")
    meta.update(id=report_id, source=f"upload: {name}")
    heading = _first_line(body) if suffix == ".txt" else _first_heading(body)
    meta["title"] = title.strip() or meta.get("title") or heading or pdf_title or path.stem
    meta.update({k: v.strip() for k, v in {"publisher": publisher, "date": date}.items() if v.strip()})
    report = Report(**meta, body=body.strip() + "\n")
    for other in existing:
        if other.id == report.id:
            raise IngestError(f"{name}: already indexed as {other.title!r} (id {other.id})")
        if _key(other.title) == _key(report.title):
            raise IngestError(f"{name}: a report titled {other.title!r} is already indexed; give it another title")
    return report


def add_report(retriever: Retriever, path: Path, title: str = "", publisher: str = "", date: str = "",
               progress: Progress | None = None) -> Ingested:
    """Store an uploaded report under data/reports and index only its chunks; nothing changes if it is refused.

    Its keywords are searchable at once; `progress(done, total)` follows the embedding of its chunks, during which
    answers keep coming from the index as it was. A second upload meanwhile is refused, not queued behind it.
    """
    if not _lock.acquire(blocking=False):
        raise IngestError(f"{path.name}: another report is being indexed right now; add this one when it is done")
    try:
        report = report_from_file(path, retriever.reports, title, publisher, date)
        text = render_report(report)
        report = parse_report(text, report.id)  # what the corpus loader will read back
        chunks = chunk_report(report)
        if not chunks:
            raise IngestError(f"{path.name}: nothing to index after chunking")
        if len(chunks) > MAX_CHUNKS:
            raise IngestError(f"{path.name}: {len(chunks):,} chunks is more than one upload may add ({MAX_CHUNKS:,}, "
                              "about 4 minutes of embedding here); split the report into parts")
        folder = user_reports_dir(retriever)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{report.id}.md"
        partial = target.with_suffix(".part")
        try:
            partial.write_text(text, encoding="utf-8")
            partial.replace(target)
        except OSError as exc:  # a full disk: no half-written file is left behind
            partial.unlink(missing_ok=True)
            raise IngestError(f"{path.name}: could not be stored ({exc.strerror or exc})") from exc
        try:
            sync = retriever.refresh(progress)
        except Exception:
            target.unlink(missing_ok=True)
            retriever.refresh()
            raise
        return Ingested(report=report, path=target, chunks=len(chunks), sync=sync)
    finally:
        _lock.release()
