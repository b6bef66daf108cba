"""Questions about the reports themselves — who wrote them, who published them, when, what they cover — answered from
the corpus files' metadata, with the report passage that states it cited."""

from __future__ import annotations

import re
from typing import Any

from assistant.agent.compose import phrase_table
from assistant.agent.intents import Intent
from assistant.answers import best_sentences

META_WORDS = "作者 分析师 发布机构 发布日期 报告时间"


def _chosen(intent: Intent, reports: tuple[dict[str, str], ...]) -> list[dict[str, str]]:
    """The reports the question names, or all of them."""
    named = [r for r in reports if any(r["id"].startswith(prefix) for prefix in intent.reports)]
    return named or list(reports)


def meta_query(intent: Intent, reports: tuple[dict[str, str], ...]) -> str:
    """Search words that find the passage stating a report's authors, publisher and date."""
    chosen = _chosen(intent, reports)
    return f"{chosen[0]['title']} {META_WORDS}" if len(chosen) == 1 else f"{intent.query} {META_WORDS}"


def _date(value: str, zh: bool) -> str:
    """'2023-02-13' → '2023-02-13（2023年2月13日）': both forms, because readers write either."""
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value):
        return f"{value}（{m[1]}年{int(m[2])}月{int(m[3])}日）" if zh else f"{value} ({m[1]}年{int(m[2])}月{int(m[3])}日)"
    return value


def _english(name: str) -> str:
    """A publisher's English name from phrases.yaml (华鑫证券 → Huaxin Securities), or the name as it is."""
    return dict(phrase_table()).get(name, name)


def _line(report: dict[str, str], field: str, zh: bool) -> str:
    title, publisher, authors = f"《{report['title']}》", report["publisher"], report["authors"]
    date = _date(report["date"], zh)
    if not zh:  # English first, the Chinese title after it: an English question gets an English answer
        by = f"{_english(publisher)} ({publisher})"
        on = "in" if re.match(r"\d{4}(?!-)", date) else "on"  # "in 2025 (covers 2024)", "on 2021-07-11"
        named = f"\nTitle: {title}"  # on a line of its own: the Chinese title must not outweigh the English answer
        if field == "authors":
            return (f"The {by} report names no authors.{named}" if not authors else
                    f"The {by} report was written by {authors}.{named}")
        if field == "date":
            return f"The {by} report was published {on} {date}.{named}"
        if field == "publisher":
            return f"It was published by {by} {on} {date}.{named}"
        return f"{by}, {date}" + (f", by {authors}" if authors else "") + f".{named}"
    if field == "authors":
        if not authors:
            return f"{title}没有署名作者，由{publisher}发布。"
        return f"{title}的作者是{authors}（{publisher}）。"
    if field == "date":
        return f"{title}的发布日期是{date}（{publisher}）。"
    if field == "publisher":
        return f"{title}由{publisher}发布（{date}）。"
    by = f"，作者{authors}" if authors else ""
    return f"{title}，{publisher}，{date}{by}。"


def compose_meta(intent: Intent, reports: tuple[dict[str, str], ...], search: dict[str, Any] | None) -> str:
    """Lead sentences from the metadata, then the passage that states it (when the report's text does)."""
    zh = intent.lang == "zh"
    chosen = _chosen(intent, reports)
    field = intent.meta if intent.meta in ("authors", "date", "publisher") else "all"
    if intent.meta == "list":
        lead = ("索引中的报告：" if zh else "The reports in the index, from "  # a count would be a figure no source
                + ", ".join(_english(r["publisher"]) for r in reports) + ":")  # states: each report is listed
        lines = [lead, *(_line(r, "all", zh) for r in reports)] if not zh else [lead + " ".join(
            _line(r, "all", zh) for r in reports)]
    else:
        lines = [_line(r, field, zh) for r in chosen] if not zh else [" ".join(_line(r, field, zh) for r in chosen)]
    if intent.meta == "covers":
        notes = [r.get("notes", "") for r in chosen if r.get("notes")]
        lines += notes
    if search and search.get("rows"):
        ids = {r["id"] for r in chosen}
        rows = [r for r in search["rows"] if r["report_id"] in ids][:3]
        wanted = {"authors": lambda r: r["authors"].split(", "), "date": lambda r: [r["date"][:4]],
                  "publisher": lambda r: [r["publisher"][:2]]}.get(intent.meta or "")
        marks = [w for r in chosen for w in (wanted(r) if wanted else (r["publisher"][:2], r["date"][:4])) if w]
        picks = [p for p in best_sentences(f"{intent.query} {META_WORDS}", [r["text"] for r in rows], limit=6)
                 if any(mark in p[1] for mark in marks)][:1]
        if picks:
            index, sentence = picks[0]
            lines.append(("报告原文：" if zh else "The report states (in Chinese): ") + f"{sentence} [{rows[index]['n']}]")
    return "\n".join(lines)
