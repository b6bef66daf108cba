"""Turn the plain-text seed reports into Markdown corpus files with front-matter metadata.

Why: the seeds have no structure a chunker can rely on. This script marks headings, turns tab-separated tables
into Markdown tables (repairing rows split by page breaks) and records each report's metadata from
`../shared/README.md`, so that chunks can carry report, section and page.

Usage: python scripts/build_corpus.py [--shared ../shared] [--out corpus/reports]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HEADING_WORDS = {"摘要", "速读内容", "深度阅读"}
SKIP_LINES = {"创建于 更新于", "---"}
CN_NUM = "一二三四五六七八九十"


def read_metadata(readme: Path) -> dict[str, dict]:
    """Parse the seeds table of shared/README.md into {file name: metadata}."""
    meta = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`([^`]+\.txt)`\s*\|(.*)\|\s*$", line)
        if not match:
            continue
        title, publisher, date, authors, notes = (cell.strip() for cell in match.group(2).split("|"))
        report_id = match.group(1).removesuffix(".txt")
        meta[match.group(1)] = {
            "id": report_id,
            "title": title,
            "publisher": publisher,
            "date": date,
            "authors": [] if authors in {"—", "-", ""} else [a.strip() for a in authors.split(",")],
            "language": "zh",
            "source": f"shared/seeds/{match.group(1)}",
            "notes": notes,
        }
    return meta


def heading_level(line: str, title: str) -> int:
    """Markdown heading level for a seed line, or 0 when it is body text."""
    text = line.strip()
    if text == title or (len(text) < 60 and text.replace(" ", "") == title.replace(" ", "")):
        return 1
    if text in HEADING_WORDS:
        return 2
    if re.match(rf"^[{CN_NUM}]+、", text) and len(text) < 60:
        return 2
    if re.match(rf"^（[{CN_NUM}]+）", text) and len(text) < 60:
        return 3
    if re.match(r"^\d+\.\d+\s", text) and len(text) < 40:
        return 4
    if re.match(r"^\d+\.\s", text) and len(text) < 40 and not re.search(r"[:：。；;]", text):
        return 3
    return 0


def _clean_cell(cell: str) -> str:
    return cell.replace("\\$", "$").replace("|", "/").strip()


def table_to_markdown(lines: list[str]) -> list[str]:
    """Render tab-separated rows as a Markdown table; a row with a single filled cell continues the previous one."""
    rows: list[list[str]] = []
    for line in lines:
        cells = [_clean_cell(c) for c in line.split("\t")]
        filled = [c for c in cells if c]
        if rows and len(filled) == 1 and len(rows[-1]) > 2:
            previous = rows[-1]
            longest = max(range(len(previous)), key=lambda i: len(previous[i]))
            previous[longest] = f"{previous[longest]} {filled[0]}"
            continue
        rows.append(cells)
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    out = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return out


def convert(text: str, title: str) -> str:
    """Seed text → Markdown body: headings marked, tables rendered, page-break blank runs collapsed."""
    lines = [line.rstrip(" \r") for line in text.splitlines()]
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "\t" in line:
            block = []
            while i < len(lines) and ("\t" in lines[i] or (not lines[i].strip() and _table_continues(lines, i))):
                if lines[i].strip():
                    block.append(lines[i])
                i += 1
            out += ["", *table_to_markdown(block), ""]
            continue
        stripped = line.strip()
        i += 1
        if not stripped or stripped in SKIP_LINES:
            out.append("")
            continue
        level = heading_level(stripped, title)
        out += ["", f"{'#' * level} {stripped}", ""] if level else [stripped]
    body = "\n".join(_join_broken_paragraphs(out))
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


def _table_continues(lines: list[str], i: int) -> bool:
    """A blank line inside a table (a page break) when the next non-blank line is another tab row."""
    for nxt in lines[i + 1 :]:
        if nxt.strip():
            return "\t" in nxt
    return False


def _is_body(line: str) -> bool:
    return bool(line) and not line.startswith(("#", "|", "- "))


def _join_broken_paragraphs(lines: list[str]) -> list[str]:
    """Rejoin a paragraph that a page break cut mid-sentence (a long body line with no closing punctuation)."""
    out: list[str] = []
    for line in lines:
        # A page break leaves blank lines; the cut paragraph never continues with a heading, table row or bullet.
        if _is_body(line) and out and not out[-1]:
            last = max((i for i, prev in enumerate(out) if prev), default=None)
            prev = out[last] if last is not None else ""
            if _is_body(prev) and len(prev) > 40 and not re.search(r"[。！？；：:.!?\])）]$", prev):
                out[last] = prev + line
                continue
        out.append(line)
    return out


def build(shared: Path, out_dir: Path) -> list[Path]:
    meta = read_metadata(shared / "README.md")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, info in sorted(meta.items()):
        text = (shared / "seeds" / name).read_text(encoding="utf-8")
        body = convert(text, info["title"])
        if not body.startswith("# "):
            body = f"# {info['title']}\n\n{body}"
        front = yaml.safe_dump(info, allow_unicode=True, sort_keys=False)
        path = out_dir / f"{info['id']}.md"
        path.write_text(f"---\n{front}---\n\n{body}", encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "corpus" / "reports")
    args = parser.parse_args()
    for path in build(args.shared, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
