"""Look up one fund — a US active ETF from the report's tables or a Chinese exchange-traded fund from
corpus/market/etf_facts.csv — and return every fact the data holds, each with its source."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

import pandas as pd

from tools.provenance import market_dir
from tools.report_tables import FUND_TABLES, LABELS, closest, fmt, load_report
from tools.result import Source, ToolInputError, ToolResult

ETF_FACTS_AS_OF = "2025-04-20"
ETF_FACTS_SOURCE = Source(
    kind="data",
    title="tushare fund_basic 场内基金列表",
    path="corpus/market/etf_facts.csv",
    as_of=ETF_FACTS_AS_OF,
    note="BeeFengs/A-share-technical-genius fund_basic.csv @ 93cd1c05; derived by scripts/derive_etf_facts.py",
)
CN_FIELDS = {  # etf_facts column → (label, unit)
    "code": ("代码", None),
    "ts_code": ("TS 代码", None),
    "name": ("基金简称", None),
    "manager": ("基金管理人", None),
    "custodian": ("托管人", None),
    "fund_type": ("基金类型", None),
    "invest_type": ("投资类型", None),
    "structure": ("运作方式", None),
    "benchmark": ("业绩比较基准", None),
    "mgmt_fee_pct": ("管理费", "% p.a."),
    "custody_fee_pct": ("托管费", "% p.a."),
    "issue_amount_100m_units": ("发行份额", "亿份"),
    "found_date": ("成立日期", "ISO date"),
    "list_date": ("上市日期", "ISO date"),
    "delist_date": ("退市日期", "ISO date"),
    "status": ("状态", None),
}
CN_SUMMARY = ["manager", "custodian", "invest_type", "mgmt_fee_pct", "custody_fee_pct", "list_date", "benchmark"]
STATUS = {"L": "L 上市", "D": "D 摘牌", "I": "I 发行中"}
US_FIELDS = ["name", "asset_class", "inception", "fee_pct", "aum_usd_m", "inflow_usd_m"]
NAME_CUTOFF = 0.6
TICKER_LIKE = re.compile(r"[A-Za-z]{1,5}")  # such a query must be contained in a name: "DFAK" is not DFAC


@lru_cache
def load_etf_facts() -> pd.DataFrame:
    """The Chinese fund list indexed by ts_code (the code alone is not unique across exchanges in general)."""
    path = market_dir() / "etf_facts.csv"
    return pd.read_csv(path, dtype={"code": str}).set_index("ts_code", drop=False)


@lru_cache
def _candidates() -> tuple[tuple[str, str, str], ...]:
    """(match key, kind, id) for every known fund: US tickers and names, Chinese names with and without manager."""
    report = load_report()
    keys = []
    for number in FUND_TABLES:
        for row in report.tables[number].frame.itertuples():
            keys += [(row.ticker, "us", row.ticker), (row.name, "us", row.ticker)]
    for tickers in report.tables["表 4"].frame["tickers"]:
        keys += [(t, "us", t) for t in tickers.split(";")]
    for row in load_etf_facts().itertuples():
        keys += [(row.name, "cn", row.ts_code), (f"{row.manager.removesuffix('基金')}{row.name}", "cn", row.ts_code)]
    return tuple(dict.fromkeys(keys))


def _display(kind: str, ident: str) -> str:
    if kind == "us":
        return ident
    row = load_etf_facts().loc[ident]
    return f"{row['code']} {row['name']}（{row['manager']}）"


@lru_cache(maxsize=1)
def _cn_labels() -> dict[str, tuple[str, str]]:
    """ts_code → (manager without 基金, name, benchmark and type): what a stated manager or index is checked against."""
    return {str(r.ts_code): (str(r.manager).removesuffix("基金"), f"{r.name}{r.benchmark}{r.invest_type}")
            for r in load_etf_facts().itertuples()}


def _stated_parts(query: str) -> tuple[set[str], set[str]]:
    """The Chinese fund managers ('天弘') a name query states, and the words its fund must have: index numbers
    ('1000') and 增强 (an enhanced fund, not the passive one of that manager and index)."""
    managers = {manager for manager, _ in _cn_labels().values()}
    return {m for m in managers if m and m in query}, set(re.findall(r"(?<!\d)\d{2,4}(?!\d)|增强", query))


def _scored(query: str) -> list[tuple[float, str, str]]:
    """(score, kind, id) best first; a query contained in a name scores above any mere resemblance. A manager or an
    index number the query states must be the fund's: '天弘中证1000增强' is 天弘's 159685, never 华泰柏瑞's
    中证1000增强ETF that resembles it more, and '天弘中证500增强' matches no fund rather than 天弘's passive 500 one."""
    q = query.lower()
    managers, words = _stated_parts(query)
    labels = _cn_labels()
    best: dict[tuple[str, str], float] = {}
    for key, kind, ident in _candidates():
        if kind == "cn" and (managers or words) and (
                (managers and labels[ident][0] not in managers) or not all(w in labels[ident][1] for w in words)):
            continue
        k = key.lower()
        score = SequenceMatcher(None, q, k).ratio() + (1.0 if q in k else 0.0)
        best[(kind, ident)] = max(score, best.get((kind, ident), 0.0))
    return sorted(((s, kind, ident) for (kind, ident), s in best.items()), reverse=True)


def _no_match(query: str, suggestions: list[str]) -> ToolInputError:
    hint = "; closest known funds" if suggestions else ""
    return ToolInputError("query", f"no fund matches {query!r}{hint}", allowed=suggestions)


def _fact(field: str, label: str, value: Any, unit: str | None, source: str) -> dict[str, Any]:
    """One fact row; numpy scalars become Python ones so results serialise to JSON."""
    value = value.item() if hasattr(value, "item") else value
    return {"field": field, "label": label, "value": value, "unit": unit, "source": source}


def _us_facts(ticker: str) -> tuple[list[dict[str, Any]], list[Source], list[str], str]:
    """Fact rows, sources, caveats and a summary for a US ticker, each value tagged with its table."""
    report = load_report()
    rows, sources, caveats, parts = [], [], [], []
    listed = {}  # table number → the fund's row in it
    for number in FUND_TABLES:
        table = report.tables[number]
        hits = table.frame[table.frame["ticker"] == ticker]
        if not hits.empty:
            listed[number] = hits.iloc[0]
            rows.append(_fact("rank", f"{table.meta['caption']} 排名", int(hits.index[0]) + 1, None, number))
            sources.append(table.source())
    units = report.tables["表 3"].units()
    for field in US_FIELDS:
        values = {n: row[field] for n, row in listed.items() if field in row and pd.notna(row[field])}
        if not values:
            continue
        agree = len({str(v) for v in values.values()}) == 1
        groups = [(", ".join(values), next(iter(values.values())))] if agree else list(values.items())
        rows += [_fact(field, LABELS[field], value, units.get(field), where) for where, value in groups]
        if field == "name":
            continue
        parts.append(f"{LABELS[field]} " + " / ".join(f"{fmt(field, v)}（{w}）" for w, v in groups))
        if not agree:
            caveats.append(f"{ticker} {LABELS[field]} differs between 表 1 and 表 3: the report gives both values.")
    t4 = report.tables["表 4"]
    for issuer in [r.issuer for r in t4.frame.itertuples() if ticker in r.tickers.split(";")]:
        rows.append(_fact("converted_from_mutual_fund", "共同基金转 ETF 示例（发行人）", issuer, None, t4.number))
        parts.append(f"表 4 将其列为 {issuer} 的共同基金转 ETF 示例")
        sources.append(t4.source())
    if not listed:
        caveats.append(f"{ticker} appears only in 表 4; the report gives no fee, AUM or dates for it.")
    name = f"（{next(iter(listed.values()))['name']}）" if listed else ""
    return rows, sources, caveats, f"{ticker}{name}：" + "；".join(parts) + "。"


def _cn_facts(ts_code: str) -> tuple[list[dict[str, Any]], str]:
    """Fact rows and a summary for a Chinese fund; missing values are left out rather than shown as blanks."""
    row = load_etf_facts().loc[ts_code]
    rows, parts = [], []
    for field, (label, unit) in CN_FIELDS.items():
        value = row[field]
        if pd.isna(value):
            continue
        rows.append(
            _fact(field, label, STATUS.get(value, value) if field == "status" else value, unit, "etf_facts.csv")
        )
        if field in CN_SUMMARY:
            parts.append(f"{label} {value:.2f}%/年" if unit == "% p.a." else f"{label} {value}")
    summary = (
        f"{row['code']}（{row['name']}）：" + "，".join(parts) + f"（tushare 场内基金列表，截至 {ETF_FACTS_AS_OF}）。"
    )
    return rows, summary


def fund_facts(query: str) -> ToolResult:
    """What the data knows about one fund: fee, AUM, inflow, dates, manager, benchmark, each with its source.

    US active ETFs come from the report's 表 1, 表 3 and 表 4 (where the tables disagree both values are shown);
    Chinese exchange-traded funds come from tushare's fund list as of 2025-04-20.

    Args:
        query: a US ticker from the report (e.g. "DFAC"), a Chinese fund code with or without exchange suffix
            ("159680", "159680.SZ"), or a fund name, matched fuzzily ("国泰中证1000增强", "Avantis Small Cap").
    """
    text = query.strip()
    if not text:
        raise ToolInputError("query", "must not be empty", allowed=["a ticker, a fund code or a fund name"])
    facts = load_etf_facts()
    code = re.fullmatch(r"(\d{6,7})(?:\.(SH|SZ))?", text, flags=re.IGNORECASE)
    others: list[str] = []
    caveats: list[str] = []
    if code:
        hits = facts[facts["ts_code"] == text.upper()] if code.group(2) else facts[facts["code"] == code.group(1)]
        if hits.empty:
            raise _no_match(text, closest(code.group(1), facts["code"], cutoff=0.6))
        kind, ident = "cn", hits["ts_code"].iloc[0]
        others = [_display("cn", c) for c in hits["ts_code"].iloc[1:]]
    else:
        scored = _scored(text)
        if scored[0][0] < (1.0 if TICKER_LIKE.fullmatch(text) else NAME_CUTOFF):
            managers, _ = _stated_parts(text)  # '天弘中证500增强': the funds 天弘 has, not names resembling the words
            own = [_display("cn", i) for i, (manager, label) in _cn_labels().items() if manager in managers
                   and ("增强" in label or "增强" not in text)]
            raise _no_match(text, own[:6] or [_display(k, i) for _, k, i in scored[:5]])
        if len(tied := [(k, i) for score, k, i in scored if score == scored[0][0]]) > 1:  # '中证1000增强ETF' is
            # both 华泰柏瑞's and 国泰's: neither is picked
            raise ToolInputError("query", f"several funds are named {text!r}; name the manager or the code",
                                 allowed=[_display(k, i) for k, i in tied[:6]])
        _, kind, ident = scored[0]
        if text.upper() != ident:
            others = [_display(k, i) for s, k, i in scored[1:6] if s >= NAME_CUTOFF]
            caveats.append(f"'{text}' matched by name to {_display(kind, ident)}.")
    if others:
        caveats.append(f"Other close matches: {', '.join(others)}.")
    if kind == "us":
        rows, sources, more, summary = _us_facts(ident)
        caveats += more
        data = {"kind": "us_active_etf", "ticker": ident}
        data["discrepancies"] = [d for d in load_report().discrepancies if d["ticker"] == ident]
    else:
        rows, summary = _cn_facts(ident)
        sources = [ETF_FACTS_SOURCE]
        data = {"kind": "cn_exchange_fund", "ts_code": ident}
    data["facts"] = {}
    for row in rows:  # field → {source: value}; two entries where tables disagree
        data["facts"].setdefault(row["field"], {})[row["source"]] = row["value"]
    data["other_matches"] = others
    return ToolResult(
        tool="fund_facts",
        args={"query": query},
        summary=summary,
        data=data,
        rows=rows,
        units={r["field"]: r["unit"] for r in rows if r["unit"]},
        sources=sources,
        caveats=caveats,
    )
