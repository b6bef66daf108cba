"""Split Chinese reports into overlapping, citable chunks.

Chunks end on sentence punctuation (。；！？) or line breaks, stay within one section, and carry report,
section path and page so every passage can be cited. Table chunks repeat the header row so each stands alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from pydantic import BaseModel

from assistant.corpus.reports import Report

CHUNK_CHARS = 320
OVERLAP_CHARS = 120
PAGE_MARK = re.compile(r"\[page::([\d,\s\-]+)\]")
SENTENCE_END = re.compile(r"(?<=[。；！？!?])")


class Chunk(BaseModel):
    """A passage of a report, the unit of retrieval and citation."""

    id: str
    report_id: str
    title: str
    section: str
    page: int | None
    pages: str
    kind: str
    seq: int
    text: str

    def search_text(self) -> str:
        """What is indexed, and what the chunk id hashes (so changing it re-embeds): the report title and section
        path add context the passage itself may lack ('仅9只' under a title about 指数增强基金)."""
        return indexed_text(self.title, self.section, self.text)


def indexed_text(title: str, section: str, text: str) -> str:
    return f"{title} › {section}\n{text}"


def _pages(text: str) -> list[int]:
    pages: list[int] = []
    for group in PAGE_MARK.findall(text):
        for part in re.split(r"[,\s]+", group.strip()):
            bounds = [int(x) for x in part.split("-") if x.isdigit()]
            if bounds:
                pages.extend(range(bounds[0], bounds[-1] + 1))
    return list(dict.fromkeys(pages))  # in order of appearance: the first one is where the passage starts


def strip_page_marks(text: str) -> str:
    return PAGE_MARK.sub("", text).strip()


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph; an over-long sentence is cut again at commas."""
    out = []
    for sentence in filter(None, (s.strip() for s in SENTENCE_END.split(paragraph))):
        if len(sentence) <= CHUNK_CHARS:
            out.append(sentence)
            continue
        piece = ""
        for part in re.split(r"(?<=[，,])", sentence):
            if piece and len(piece) + len(part) > CHUNK_CHARS:
                out.append(piece)
                piece = ""
            piece += part
        if piece:
            out.append(piece)
    return out


class _Section(BaseModel):
    path: str
    blocks: list[tuple[str, list[str]]]  # ("text", [sentences]) or ("table", [markdown lines])


def _sections(report: Report) -> Iterator[_Section]:
    stack: list[tuple[int, str]] = []
    blocks: list[tuple[str, list[str]]] = []
    table: list[str] = []

    def path() -> str:
        return " > ".join(title for level, title in stack if level > 1) or report.title

    for raw in [*report.body.splitlines(), ""]:
        line = raw.strip()
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            blocks.append(("table", table))
            table = []
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            if blocks:
                yield _Section(path=path(), blocks=blocks)
                blocks = []
            level = len(heading.group(1))
            stack = [(lvl, t) for lvl, t in stack if lvl < level] + [(level, heading.group(2).strip())]
        elif line:
            blocks.append(("text", split_sentences(line)))
    if blocks:
        yield _Section(path=path(), blocks=blocks)


def _table_pieces(lines: list[str], caption: str) -> Iterator[str]:
    header, rows = lines[:2], lines[2:]
    piece: list[str] = []
    for row in rows:
        if piece and sum(map(len, piece)) + len(row) > CHUNK_CHARS * 2:
            yield "\n".join([caption, *header, *piece]).strip()
            piece = []
        piece.append(row)
    yield "\n".join([caption, *header, *piece]).strip()


def chunk_report(report: Report) -> list[Chunk]:
    """All chunks of one report, in reading order."""
    chunks: list[Chunk] = []

    def emit(section: _Section, text: str, kind: str, later: str) -> None:
        pages = _pages(text) or _pages(later)[:1]
        clean = strip_page_marks(text)
        digest = hashlib.sha256(f"{report.id}\n{indexed_text(report.title, section.path, clean)}".encode())
        chunks.append(Chunk(id=digest.hexdigest()[:24], report_id=report.id, title=report.title, section=section.path,
                            page=pages[0] if pages else None, pages=",".join(map(str, pages)), kind=kind,
                            seq=len(chunks), text=clean))

    for section in _sections(report):
        later_text = " ".join(" ".join(b) for _, b in section.blocks)
        current: list[str] = []
        caption = ""
        for kind, block in section.blocks:
            if kind == "table":
                for piece in _table_pieces(block, caption):
                    emit(section, piece, "table", later_text)
                caption = ""
                continue
            for sentence in block:
                if current and sum(map(len, current)) + len(sentence) > CHUNK_CHARS:
                    emit(section, "".join(current), "text", later_text)
                    overlap: list[str] = []
                    while current and sum(map(len, overlap)) + len(current[-1]) <= OVERLAP_CHARS:
                        overlap.insert(0, current.pop())
                    current = overlap
                current.append(sentence)
            caption = block[-1] if re.match(r"^表\s*\d+", block[-1]) else ""
            if current and current[-1] is not caption:
                current[-1] += "\n"
        if current and "".join(current).strip():
            emit(section, "".join(current), "text", later_text)
    return _dedupe(chunks)


def _dedupe(chunks: list[Chunk]) -> list[Chunk]:
    seen: set[str] = set()
    unique = []
    for chunk in chunks:
        if chunk.id not in seen:
            seen.add(chunk.id)
            unique.append(chunk)
    return unique


def chunk_corpus(reports: list[Report]) -> list[Chunk]:
    return [chunk for report in reports for chunk in chunk_report(report)]
