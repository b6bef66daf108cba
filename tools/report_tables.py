"""Rankings and lookups over the tables of the CSI 2024 active-ETF report (corpus/tables, built by
scripts/extract_tables.py), so that figures in answers come from the report, with its table as the source."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, get_args

import pandas as pd
from rapidfuzz import fuzz, process

from assistant.settings import get_settings
from tools.result import Source, ToolInputError, ToolResult

IssuerMetric = Literal["aum", "etf_count", "aum_share", "aum_per_etf"]
FundMetric = Literal["aum", "inflow", "fee", "inception"]

ISSUER_COLUMNS = {
    "aum": "aum_100m_usd",
    "etf_count": "etf_count",
    "aum_share": "aum_share_pct",
    "aum_per_etf": "aum_per_etf_100m_usd",
}
FUND_COLUMNS = {"aum": "aum_usd_m", "inflow": "inflow_usd_m", "fee": "fee_pct", "inception": "inception"}
FUND_TABLES = ("表 1", "表 3")
# The report's own Chinese words for its two asset classes (权益类产品, 固收类/固定收益类产品).
ASSET_CLASS_ALIASES = {
    "权益": "Equity",
    "权益类": "Equity",
    "固收": "Fixed Income",
    "固收类": "Fixed Income",
    "固定收益": "Fixed Income",
    "固定收益类": "Fixed Income",
}

LABELS = {
    "ticker": "代码",
    "name": "基金名称",
    "asset_class": "资产类别",
    "inception": "发行日期",
    "fee_pct": "费率",
    "aum_usd_m": "资产规模",
    "inflow_usd_m": "2024 资金流入",
    "issuer": "发行商",
    "etf_count": "ETF 数量",
    "aum_100m_usd": "资产规模",
    "aum_share_pct": "资产规模占比",
    "aum_per_etf_100m_usd": "单只平均规模",
}
FORMATS = {
    "fee_pct": "{:.2f}%",
    "aum_usd_m": "{:,.0f} 百万美元",
    "inflow_usd_m": "{:,.2f} 百万美元",
    "etf_count": "{:d} 只",
    "aum_100m_usd": "{:,.2f} 亿美元",
    "aum_share_pct": "{:.2f}%",
    "aum_per_etf_100m_usd": "{:,.2f} 亿美元/只",
}
PER_ETF_UNIT = "USD 100 million per ETF (亿美元/只), computed as aum_100m_usd / etf_count"


def fmt(column: str, value: Any) -> str:
    """A value with its unit as it should read in a summary, e.g. fee_pct 0.3 → '0.30%'."""
    return FORMATS.get(column, "{}").format(value)


@dataclass(frozen=True)
class ReportTable:
    """One extracted table with its metadata from tables.json."""

    frame: pd.DataFrame
    meta: dict[str, Any]

    @property
    def number(self) -> str:
        return self.meta["table"]

    def source(self) -> Source:
        return Source(
            kind="report",
            title=self.meta["report_title"],
            report_id=self.meta["report_id"],
            table=self.number,
            path=f"corpus/tables/{self.meta['file']}",
            note=f"{self.meta['caption']}；{self.meta['source']}",
        )

    def units(self) -> dict[str, str]:
        return {c["name"]: c["unit"] for c in self.meta["columns"] if c["unit"]}


@dataclass(frozen=True)
class Report:
    tables: dict[str, ReportTable]
    discrepancies: list[dict[str, Any]]

    def discrepancy(self, ticker: str, field: str) -> dict[str, Any] | None:
        return next((d for d in self.discrepancies if d["ticker"] == ticker and d["field"] == field), None)


@lru_cache
def load_report() -> Report:
    """The extracted tables; cached because every tool call reads them."""
    folder = get_settings().corpus_dir / "tables"
    index = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    tables = {
        meta["table"]: ReportTable(pd.read_csv(folder / meta["file"], dtype={"inception": str}), meta)
        for meta in index["tables"]
    }
    return Report(tables, index["discrepancies"])


MAX_NAME = 100  # a name longer than this is no name: fuzzy matching stays bounded


def closest(query: str, choices: Iterable[str], n: int = 5, cutoff: float = 0.5) -> list[str]:
    """Case-insensitive difflib matches: for fuzzy lookups and for 'did you mean' suggestions in errors."""
    by_lower = {c.lower(): c for c in choices}
    return [by_lower[m] for m in difflib.get_close_matches(query.lower(), list(by_lower), n=n, cutoff=cutoff)]


def check_choice(param: str, value: str, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise ToolInputError(param, f"unknown value {value!r}", allowed=allowed)


def check_top(top: int, available: int) -> None:
    if not 1 <= top <= available:
        raise ToolInputError("top", f"must be between 1 and {available}, got {top}", allowed=[f"1..{available}"])


def _ranked(frame: pd.DataFrame, column: str, top: int, ascending: bool) -> pd.DataFrame:
    ranked = frame.dropna(subset=[column]).sort_values(column, ascending=ascending, kind="stable").head(top)
    ranked = ranked.reset_index(drop=True)
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    return ranked


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame → JSON-ready rows (NaN → None, numpy → Python)."""
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def rank_issuers(by: IssuerMetric = "aum", top: int = 10, ascending: bool = False) -> ToolResult:
    """Which US active-ETF issuers lead by AUM, number of ETFs, market share or AUM per ETF (表 2).

    表 2 lists only the ten largest issuers by AUM at the end of 2024, so every ranking is within those ten.
    AUM per ETF is computed here as AUM ÷ ETF count.

    Args:
        by: ranking measure: "aum" (资产规模, 亿美元), "etf_count" (ETF 数量), "aum_share" (资产规模占比, %)
            or "aum_per_etf" (亿美元 per ETF, computed).
        top: how many issuers to return, 1 to 10.
        ascending: rank from the smallest value instead of the largest.
    """
    check_choice("by", by, get_args(IssuerMetric))
    table = load_report().tables["表 2"]
    frame = table.frame.assign(aum_per_etf_100m_usd=(table.frame["aum_100m_usd"] / table.frame["etf_count"]).round(2))
    check_top(top, len(frame))
    column = ISSUER_COLUMNS[by]
    ranked = _ranked(frame, column, top, ascending)
    share = round(float(ranked["aum_share_pct"].sum()), 2)
    aum = round(float(ranked["aum_100m_usd"].sum()), 2)
    listing = "、".join(f"{r.issuer}（{fmt(column, getattr(r, column))}）" for r in ranked.itertuples())
    order = "从低到高" if ascending else ""
    return ToolResult(
        tool="rank_issuers",
        args={"by": by, "top": top, "ascending": ascending},
        summary=f"表 2 十大主动管理 ETF 发行商按{LABELS[column]}{order}排名前 {len(ranked)}：{listing}；"
        f"这 {len(ranked)} 家合计资产规模 {fmt('aum_100m_usd', aum)}，占比 {fmt('aum_share_pct', share)}。",
        data={
            "by": by,
            "column": column,
            "issuers_in_table": len(frame),
            "combined_aum_100m_usd": aum,
            "combined_aum_share_pct": share,
        },
        rows=_records(ranked),
        units=table.units()
        | {"aum_per_etf_100m_usd": PER_ETF_UNIT, "combined_aum_100m_usd": "亿美元", "combined_aum_share_pct": "%"},
        sources=[table.source()],
        caveats=["表 2 only covers the ten largest issuers by AUM; rankings by other measures are within those ten."],
    )


def fund_universe() -> pd.DataFrame:
    """表 1 ∪ 表 3, one row per ticker, with the table each row's values come from (表 1 first where both list it)."""
    report = load_report()
    stacked = pd.concat([report.tables[t].frame.assign(table=t) for t in FUND_TABLES], ignore_index=True)
    return stacked.groupby("ticker", sort=False).first().reset_index()


def _asset_class(value: str, known: list[str]) -> str:
    by_lower = {k.lower(): k for k in known} | {a: c for a, c in ASSET_CLASS_ALIASES.items() if c in known}
    match = by_lower.get(value.strip().lower())
    if match is None:
        raise ToolInputError("asset_class", f"unknown asset class {value!r}", allowed=known)
    return match


def rank_funds(
    by: FundMetric = "aum", asset_class: str | None = None, top: int = 10, ascending: bool = False
) -> ToolResult:
    """Which US active ETFs in the report rank highest by AUM, 2024 inflow, fee or inception date (表 1 ∪ 表 3).

    The universe is the 12 ETFs of 表 1 (top 10 by AUM) and 表 3 (top 10 by 2024 inflow); inflow exists only for
    表 3 funds. Where both tables list a fund, 表 1's value is used and any disagreement is noted on the row.

    Args:
        by: ranking measure: "aum" (资产规模, USD million), "inflow" (2024 资金流入, USD million, 表 3 only),
            "fee" (费率, % p.a.) or "inception" (发行日期; descending means newest first).
        asset_class: keep only one asset class, "Equity" or "Fixed Income" (also 权益 / 固收); omit for all.
        top: how many funds to return, 1 to 12.
        ascending: rank from the smallest value (or oldest date) instead of the largest.
    """
    check_choice("by", by, get_args(FundMetric))
    report = load_report()
    universe = fund_universe()
    check_top(top, len(universe))
    column = FUND_COLUMNS[by]
    caveats = ["The report lists only these 12 ETFs (表 1 ∪ 表 3), not the whole US active-ETF market."]
    if asset_class is not None:
        asset_class = _asset_class(asset_class, sorted(universe["asset_class"].unique()))
        universe = universe[universe["asset_class"] == asset_class]
    # the table this value comes from: 表 3 for inflow, else the first table that lists the fund
    universe = universe.assign(source_table="表 3" if by == "inflow" else universe["table"])
    ranked = _ranked(universe, column, top, ascending)
    notes = []
    for ticker in ranked["ticker"]:
        disagreement = report.discrepancy(ticker, column)
        if disagreement is None:
            notes.append("")
            continue
        values = "; ".join(f"{t}: {fmt(column, v)}" for t, v in disagreement["values"].items())
        notes.append(f"tables differ ({values})")
        caveats.append(f"{ticker} {LABELS[column]} differs between tables ({values}); ranked by 表 1's value.")
    ranked = ranked.assign(note=notes)[["rank", "ticker", "name", "asset_class", column, "source_table", "note"]]
    if len(ranked) < top:
        scope_en = f"{asset_class} " if asset_class else ""
        caveats.append(f"Only {len(ranked)} {scope_en}funds in 表 1 ∪ 表 3 have a {column} value.")
    listing = "、".join(
        f"{r.ticker}（{fmt(column, getattr(r, column))}，{r.source_table}）" for r in ranked.itertuples()
    )
    scope = f"{asset_class} 类" if asset_class else ""
    return ToolResult(
        tool="rank_funds",
        args={"by": by, "asset_class": asset_class, "top": top, "ascending": ascending},
        summary=f"报告表 1 与表 3 的{scope}主动管理 ETF 按{LABELS[column]}{'从低到高' if ascending else ''}"
        f"排名前 {len(ranked)}：{listing}。",
        data={"by": by, "column": column, "funds_considered": len(universe)},
        rows=_records(ranked),
        units={column: report.tables["表 3"].units()[column]},
        sources=[report.tables[t].source() for t in sorted(set(ranked["source_table"]))],
        caveats=caveats,
    )


def conversions(issuer: str | None = None) -> ToolResult:
    """Which mutual funds were converted into active ETFs, by issuer (表 4 examples, not a complete list).

    Args:
        issuer: an issuer name or part of it, matched case-insensitively and fuzzily (e.g. "Dimensional",
            "jpmorgan"); omit to list every issuer in 表 4.
    """
    table = load_report().tables["表 4"]
    frame = table.frame.assign(tickers=table.frame["tickers"].str.split(";"))
    if issuer is not None:
        names = list(frame["issuer"])
        # a typo ('Dimensonal') still matches; another issuer does not ('iShares' is not 'SmartETFs')
        hits = [n for n in names if issuer.strip().lower() in n.lower()] or [
            names[hit[2]] for hit in [process.extractOne(issuer[:MAX_NAME].lower(), [n.lower() for n in names],
                                                         scorer=fuzz.partial_ratio, score_cutoff=85)] if hit]
        if not hits:
            raise ToolInputError("issuer", f"no issuer in 表 4 matches {issuer!r}", allowed=names)
        frame = frame[frame["issuer"].isin(hits)]
    frame = frame.assign(examples=frame["tickers"].str.len())
    total = int(frame["examples"].sum())
    if len(frame) <= 3:
        listing = "；".join(f"{r.issuer}：{', '.join(r.tickers)}（{r.examples} 只）" for r in frame.itertuples())
    else:
        most = frame.sort_values("examples", ascending=False, kind="stable").head(2)
        listing = f"{len(frame)} 家发行人共 {total} 只，示例最多的是" + "、".join(
            f"{r.issuer}（{r.examples} 只）" for r in most.itertuples()
        )
    return ToolResult(
        tool="conversions",
        args={"issuer": issuer},
        summary=f"表 4 共同基金转 ETF 示例：{listing}。",
        data={"issuers": len(frame), "tickers": total},
        rows=_records(frame),
        units={"examples": "tickers listed (只)"},
        sources=[table.source()],
        caveats=["表 4 gives examples only; the report says over 70 mutual funds have converted since 2021."],
    )
