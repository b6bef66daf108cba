"""Does index enhancement pay? Enhanced vs passive ETFs of one index, on real exchange closes.

Reads the tables that `scripts/derive_etf_prices.py` derives into corpus/market/. Excess return is the difference of
total returns over the same window (fund minus benchmark), which is what a holder of either would have seen; its
annualised form is the difference of the two annualised returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tools.display import TEXT, Column, colour, style
from tools.provenance import market_dir, report_source
from tools.result import Source, ToolInputError, ToolResult

TRADING_DAYS = 252  # annualisation of daily volatility and tracking error
REPORT_END = pd.Timestamp("2023-02-10")  # last data day of the Huaxin report (published 2023-02-13)
LATEST_END = pd.Timestamp("2025-11-17")  # last day of the price data
HUAXIN = report_source("004_db23d80d1761e639", table="图表5–10", page=5,
                       note="pp. 5–6: enhanced vs passive ETF performance by index")
ETF_CREDIT = (
    "YuxuanXiu/China-ETF-LOF-Daily-Market-Data, data_up_to_2025-11-17, commit 1befd61c, CC BY 4.0; "
    "derived by scripts/derive_etf_prices.py"
)

# index code -> (Chinese name, English name, further aliases)
INDEXES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "000852": ("中证1000", "CSI 1000", ("1000",)),
    "000300": ("沪深300", "CSI 300", ("399300", "300", "HS300")),
    "000905": ("中证500", "CSI 500", ("500",)),
    "000688": ("科创50", "STAR 50", ("科创板50", "上证科创板50", "上证科创板50成份", "SSE STAR 50")),
    "399006": ("创业板指", "ChiNext", ("创业板", "ChiNext Index", "ChiNext Price Index")),
    "931643": ("科创创业50", "STAR ChiNext 50", ("双创50", "中证科创创业50", "CSI STAR & ChiNext 50")),
    "000906": ("中证800", "CSI 800", ("800",)),
}
# What the Huaxin report says of each index's enhanced ETFs against its passive ETFs (up to early 2023).
REPORT_CLAIMS: dict[str, tuple[Literal["beat", "lag"], str]] = {
    "000852": ("beat", "中证1000 增强 ETF 明显跑赢被动 ETF"),
    "000688": ("beat", "科创50 增强 ETF 明显跑赢被动 ETF"),
    "000300": ("lag", "沪深300 增强 ETF 业绩未显著优于被动产品，表现不及被动 ETF"),
    "000905": ("lag", "中证500 增强 ETF 业绩未显著优于被动产品，表现不及被动 ETF"),
    "399006": ("lag", "创业板增强 ETF 表现不及对应被动 ETF"),
    "931643": ("lag", "科创创业50 增强 ETF 表现不及对应被动 ETF"),
}
# per-fund figures; a fund's row has them all (None where not computable)
STAT_COLUMNS = [
    "total_return_pct",
    "annualised_return_pct",
    "volatility_pct",
    "max_drawdown_pct",
    "benchmark_return_pct",
    "excess_return_pct",
    "excess_annualised_pct",
    "tracking_error_pct",
    "information_ratio",
]

# Table headers of the rows: percentages of return are %, differences between two returns are percentage points.
COLUMNS = {
    "rank": Column("Rank"),
    "code": Column("Code"),
    "name": Column("Name"),
    "type": Column("Type"),
    "role": Column("Role"),
    "manager": Column("Manager"),
    "vehicle": Column("Vehicle"),
    "m_fee_pct": Column("Management fee (% a year)"),
    "window_start": Column("From"),
    "window_end": Column("To"),
    "trading_days": Column("Trading days"),
    "total_return_pct": Column("Total return (%)"),
    "annualised_return_pct": Column("Annualised return (%)"),
    "volatility_pct": Column("Volatility, annualised (%)"),
    "max_drawdown_pct": Column("Max drawdown (%)"),
    "benchmark_return_pct": Column("Benchmark return (%)"),
    "excess_return_pct": Column("Excess return (pp)"),
    "excess_annualised_pct": Column("Excess return, annualised (pp a year)"),
    "tracking_error_pct": Column("Tracking error (%)"),
    "information_ratio": Column("Information ratio"),
    "report_window_excess_pct": Column(f"Excess return, listing → {REPORT_END.date()} (pp)"),
}


@dataclass(frozen=True)
class Market:
    """The derived tables: fund metadata, ETF closes, index closes and detected jumps."""

    funds: pd.DataFrame
    closes: pd.DataFrame
    indexes: pd.DataFrame
    jumps: pd.DataFrame


@lru_cache(maxsize=1)
def _market() -> Market:
    funds = pd.read_csv(market_dir() / "etf_funds.csv", dtype={"code": str, "index_code": str}, keep_default_na=False)
    for col in ("first_date", "last_date"):
        funds[col] = pd.to_datetime(funds[col])
    closes = pd.read_csv(market_dir() / "etf_closes.csv", index_col="date", parse_dates=["date"])
    indexes = pd.read_csv(market_dir() / "index_closes.csv", index_col="date", parse_dates=["date"])
    jumps = pd.read_csv(market_dir() / "price_jumps.csv", dtype={"code": str}, parse_dates=["date"])
    return Market(funds.set_index("code", drop=False), closes, indexes, jumps)


def _key(text: str) -> str:
    """Normalise an index name or code for lookup: case, spaces, punctuation, exchange suffix, 指数/index."""
    key = re.sub(r"\.(sh|sz|csi)$", "", text.strip().lower())
    key = re.sub(r"[\s&_\-.·]", "", key)
    return re.sub(r"(指数|index)$", "", key) or key


INDEX_KEYS = {_key(alias): code for code, (cn, en, more) in INDEXES.items() for alias in (code, cn, en, *more)}


def _index_choices() -> list[str]:
    return [f"{cn} / {en} / {code}" for code, (cn, en, _) in INDEXES.items()]


def _resolve_index(index: str) -> str:
    code = INDEX_KEYS.get(_key(index))
    if code is None:
        raise ToolInputError("index", f"unknown index {index!r}", _index_choices())
    return code


def _date(param: str, value: str | None) -> pd.Timestamp | None:
    if value is None or not value.strip():
        return None
    try:
        return pd.Timestamp(value.strip())
    except ValueError:
        raise ToolInputError(param, f"{value!r} is not a date; use YYYY-MM-DD") from None


def _codes(text: str) -> list[str]:
    return [re.sub(r"\.(sh|sz)$", "", c.strip().lower()) for c in text.split(",") if c.strip()]


def _fund_choices(members: pd.DataFrame) -> list[str]:
    return [f"{r.code} {r.name} ({r.type})" for r in members.itertuples()]


def _series(code: str) -> pd.Series:
    """Closes of a fund or an index, without gaps."""
    market = _market()
    table = market.closes if code in market.closes else market.indexes
    return table[code].dropna()


def _select(funds: str | None, members: pd.DataFrame, index_code: str, preset: bool) -> pd.DataFrame:
    """The funds to compare: those named (which must track the index), else all of it (report presets: enhanced ETFs
    listed by the report date, as the report compared)."""
    market = _market()
    if funds is None or not funds.strip():
        if preset:
            return members[
                (members["type"] == "enhanced") & (members["vehicle"] == "ETF") & (members["first_date"] <= REPORT_END)
            ]
        return members
    chosen = _codes(funds)
    for code in chosen:
        if code not in market.funds.index:
            raise ToolInputError("funds", f"unknown fund {code!r}", _fund_choices(members))
        tracked = market.funds.at[code, "index_code"]
        if tracked != index_code:
            raise ToolInputError(
                "funds",
                f"{code} {market.funds.at[code, 'name']} tracks {INDEXES[tracked][0]}, not {INDEXES[index_code][0]}",
                _fund_choices(members),
            )
    return members.loc[list(dict.fromkeys(chosen))]


def _benchmark(
    benchmark: str | None, members: pd.DataFrame, index_code: str, earliest: pd.Timestamp
) -> tuple[str | None, str]:
    """The benchmark code and the rule that chose it.

    Default: the passive ETF of the index with the highest mean daily turnover over the data's last 250 trading days
    (the data has no AUM; turnover is the size proxy) among those listed by the earliest window start, else the
    index's own closes, else the most traded passive ETF whatever its listing, else none.
    """
    has_index = index_code in _market().indexes
    if benchmark is not None and benchmark.strip():
        code = _codes(benchmark)[0]
        if code in members.index:
            return code, "given by the caller"
        if INDEX_KEYS.get(_key(benchmark)) == index_code and has_index:
            return index_code, "given by the caller"
        allowed = [*_fund_choices(members), *([f"{index_code} (the index)"] if has_index else [])]
        raise ToolInputError(
            "benchmark", f"{benchmark!r} is not a fund or index closes of {INDEXES[index_code][0]}", allowed
        )
    passive = members[members["type"] == "passive"].sort_values("avg_amt_250d_cny_m", ascending=False)
    rule = "largest passive ETF by mean daily turnover over the last 250 trading days (no AUM in the data)"
    listed = passive[passive["first_date"] <= earliest]
    if len(listed):
        return listed.index[0], rule + f", listed by {earliest.date()}"
    if has_index:
        return index_code, "the index itself: no passive ETF of it in the data covers the window"
    if len(passive):
        return passive.index[0], rule + "; windows start at its listing"
    return None, "none: the data has neither a passive ETF nor index closes for this index"


def _stats(prices: pd.Series, bench: pd.Series | None) -> dict[str, float | None]:
    """Return, risk and relative figures of one price series over its window, against the benchmark on the same
    days."""
    years = (prices.index[-1] - prices.index[0]).days / 365.25
    total = prices.iloc[-1] / prices.iloc[0] - 1
    daily = prices.pct_change().dropna()
    out: dict[str, float | None] = {
        "total_return_pct": total * 100,
        "annualised_return_pct": ((1 + total) ** (1 / years) - 1) * 100 if years > 0 else None,
        "volatility_pct": daily.std() * np.sqrt(TRADING_DAYS) * 100 if len(daily) > 1 else None,
        "max_drawdown_pct": (prices / prices.cummax() - 1).min() * 100,
    }
    if bench is None:
        return out
    b = bench.reindex(prices.index).ffill()
    bench_total = b.iloc[-1] / b.iloc[0] - 1
    active = (daily - b.pct_change().reindex(daily.index)).dropna()
    te = active.std() * np.sqrt(TRADING_DAYS) if len(active) > 1 else np.nan
    out |= {
        "benchmark_return_pct": bench_total * 100,
        "excess_return_pct": (total - bench_total) * 100,
        "excess_annualised_pct": (
            (((1 + total) ** (1 / years)) - ((1 + bench_total) ** (1 / years))) * 100 if years > 0 else None
        ),
        "tracking_error_pct": te * 100 if te > 0 else None,
        "information_ratio": active.mean() * TRADING_DAYS / te if te > 0 else None,
    }
    return out


def _excess_pct(code: str, bench: str, start: pd.Timestamp, end: pd.Timestamp) -> float | None:
    prices = _series(code).loc[start:end]
    return _stats(prices, _series(bench))["excess_return_pct"] if len(prices) > 1 else None


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), digits)


def compare_returns(
    index: str,
    start: str | None = None,
    end: str | None = None,
    funds: str | None = None,
    benchmark: str | None = None,
    report_period: Literal["report", "latest"] | None = None,
) -> ToolResult:
    """Did index-enhanced ETFs beat the passive ETF (or index) they track, over a window, on exchange closes?

    Each fund is measured from its first close to its last close in the window (from its listing if later); total
    and annualised return, annualised volatility, maximum drawdown; excess return = fund total return minus the
    benchmark's total return over the same days (percentage points; annualised: difference of annualised returns);
    tracking error = annualised std of daily return differences; information ratio = annualised mean daily return
    difference / tracking error. Rows are ranked by excess return (by total return when no benchmark exists).

    Args:
        index: Tracked index, Chinese or English name or code: 中证1000 / CSI 1000 / 000852, 沪深300 / CSI 300 /
            000300, 中证500 / CSI 500 / 000905, 科创50 / STAR 50 / 000688, 创业板指 / ChiNext / 399006,
            科创创业50 / STAR ChiNext 50 / 931643, 中证800 / CSI 800 / 000906.
        start: First day of the window, YYYY-MM-DD; default: the latest listing among the funds compared (their
            common window).
        end: Last day of the window, YYYY-MM-DD; default: the earliest last day of data among them.
        funds: Comma-separated fund codes to compare, e.g. "159680,561590"; all must track the index. Default:
            every enhanced and passive fund of the index in the data.
        benchmark: Fund code or index code to measure excess return against; default: the passive ETF of the index
            with the highest recent turnover (size proxy) listed by the window start, else the index itself.
        report_period: Preset window instead of start/end. "report": the Huaxin report's (2023-02-13), each enhanced
            ETF listed by then from its listing to 2023-02-10, checked against the report's claim for the index;
            "latest": the same funds from listing to the latest data (2025-11-17), to see whether the claim held.
    """
    args = {
        "index": index,
        "start": start,
        "end": end,
        "funds": funds,
        "benchmark": benchmark,
        "report_period": report_period,
    }
    if report_period not in (None, "report", "latest"):
        raise ToolInputError("report_period", f"unknown preset {report_period!r}", ["report", "latest"])
    index_code = _resolve_index(index)
    cn_name, en_name, _ = INDEXES[index_code]
    market = _market()
    members = market.funds[market.funds["index_code"] == index_code]
    start_ts, end_ts = _date("start", start), _date("end", end)
    if report_period and (start_ts is not None or end_ts is not None):
        raise ToolInputError("report_period", "give either report_period or start/end, not both")
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        raise ToolInputError("start", f"{start_ts.date()} is after end {end_ts.date()}")
    selected = _select(funds, members, index_code, report_period is not None)
    if selected.empty:
        raise ToolInputError(
            "report_period",
            f"no enhanced ETF of {cn_name} was listed by {REPORT_END.date()}, so the report could not cover it; "
            "use start/end instead",
            _fund_choices(members),
        )

    # Per-fund windows before the benchmark's own coverage is applied.
    if report_period:
        w_start = selected["first_date"]
        w_end = pd.Series(REPORT_END if report_period == "report" else LATEST_END, index=selected.index)
    else:
        latest = selected["first_date"].idxmax()
        if start_ts is None and end_ts is not None and selected.at[latest, "first_date"] > end_ts:
            raise ToolInputError(
                "end",
                f"the funds' common window starts {selected.at[latest, 'first_date'].date()} (listing of {latest}), "
                f"after end {end_ts.date()}; give a start or fewer funds",
                _fund_choices(members),
            )
        w_start = selected["first_date"].clip(lower=start_ts if start_ts is not None else selected["first_date"].max())
        w_end = selected["last_date"].clip(upper=end_ts if end_ts is not None else selected["last_date"].min())
    bench_code, bench_rule = _benchmark(benchmark, members, index_code, w_start.min())
    if bench_code is not None:
        bench_closes = _series(bench_code)
        w_start = w_start.clip(lower=bench_closes.index[0])
        w_end = w_end.clip(upper=bench_closes.index[-1])

    rows, skipped = [], []
    for code, fund in selected.iterrows():
        prices = _series(code).loc[w_start[code] : w_end[code]]
        if len(prices) < 2:
            skipped.append(f"{code} {fund['name']} (data {fund['first_date'].date()}…{fund['last_date'].date()})")
            continue
        rows.append(_row(code, fund, prices, bench_code, bench_code == code))
    if not rows:
        lo, hi = (w_start.min() if start_ts is None else start_ts), (w_end.max() if end_ts is None else end_ts)
        span = f"{lo.date()}…{hi.date()}"
        data_span = f"{selected['first_date'].min().date()}…{selected['last_date'].max().date()}"
        raise ToolInputError(
            "start",
            f"no fund has two closes in the window {span}; their data covers {data_span}",
            _fund_choices(members),
        )
    if funds and skipped:
        raise ToolInputError("funds", f"no data in the window for {', '.join(skipped)}", _fund_choices(members))

    first, last = min(r["window_start"] for r in rows), max(r["window_end"] for r in rows)
    if bench_code is not None and bench_code not in [r["code"] for r in rows]:
        bench_prices = _series(bench_code).loc[first:last]
        bench_meta = members.loc[bench_code] if bench_code in members.index else None
        rows.append(_row(bench_code, bench_meta, bench_prices, bench_code, True, index_code))
    if report_period == "latest" and bench_code is not None:
        for r in rows:
            if r["role"] != "benchmark":
                start_day = pd.Timestamp(r["window_start"])
                r["report_window_excess_pct"] = _round(_excess_pct(r["code"], bench_code, start_day, REPORT_END))
    rank_by = "total_return_pct" if bench_code is None else "excess_return_pct"
    rows.sort(key=lambda r: -r[rank_by])
    for rank, r in enumerate(rows, 1):
        r["rank"] = rank

    enhanced = [r for r in rows if r["type"] == "enhanced" and r["role"] != "benchmark"]
    beating = [r for r in enhanced if (r["excess_return_pct"] or 0) > 0]
    verdict = _verdict(index_code, report_period, enhanced, beating, bench_code)
    bench_row = next((r for r in rows if r["role"] == "benchmark"), None)
    data = {
        "index_code": index_code,
        "index_name": f"{cn_name} ({en_name})",
        "window": {"start": first, "end": last},
        "benchmark": {"code": bench_code, "name": bench_row["name"] if bench_row else None, "rule": bench_rule},
        "excess_definition": "fund total return minus benchmark total return over the fund's window (percentage "
        "points); annualised: difference of annualised returns",
        "n_enhanced": len(enhanced),
        "n_enhanced_beating_benchmark": len(beating) if bench_code else None,
        "median_enhanced_excess_pct": _round(np.median([r["excess_return_pct"] for r in enhanced]))
        if bench_code and enhanced
        else None,
        "not_in_window": skipped,
    }
    if report_period:
        data["report_claim"] = REPORT_CLAIMS.get(index_code, (None, "the report makes no claim for this index"))[1]
        data["verdict"] = verdict
    return ToolResult(
        tool="compare_returns",
        args=args,
        summary=_summary(cn_name, index_code, rows, enhanced, beating, bench_row, report_period, verdict),
        data=data,
        rows=rows,
        units={
            **{c: "%" for c in STAT_COLUMNS if c.endswith("_pct")},
            "excess_return_pct": "percentage points (fund − benchmark total return)",
            "excess_annualised_pct": "percentage points per year",
            **(
                {"report_window_excess_pct": "percentage points, listing → 2023-02-10"}
                if report_period == "latest"
                else {}
            ),
            "information_ratio": "ratio (annualised mean active return / tracking error)",
            "m_fee_pct": "% per year",
            "trading_days": "days with a close",
            "window_start": "date",
            "window_end": "date",
        },
        sources=_sources(rows, bench_code, index_code, report_period),
        caveats=_caveats(rows, bench_code, bench_rule, cn_name, skipped, report_period),
    )


def _row(
    code: str,
    fund: pd.Series | None,
    prices: pd.Series,
    bench_code: str | None,
    is_bench: bool,
    index_code: str | None = None,
) -> dict:
    stats = _stats(prices, None if bench_code is None else _series(bench_code))
    row = {
        "rank": None,
        "code": code,
        "name": fund["name"] if fund is not None else f"{INDEXES[index_code][0]} index",
        "type": fund["type"] if fund is not None else "index",
        "role": "benchmark" if is_bench else "compared",
        "manager": fund["manager"] if fund is not None else None,
        "vehicle": fund["vehicle"] if fund is not None else None,
        "m_fee_pct": float(fund["m_fee_pct"]) if fund is not None else None,
        "window_start": prices.index[0].date().isoformat(),
        "window_end": prices.index[-1].date().isoformat(),
        "trading_days": len(prices),
    }
    return row | {k: None for k in STAT_COLUMNS} | {k: _round(v) for k, v in stats.items()}


def _verdict(index_code: str, preset: str | None, enhanced: list, beating: list, bench_code: str | None) -> str | None:
    """Whether the enhanced ETFs' excess returns agree with the report's claim for the index."""
    if preset is None:
        return None
    claim = REPORT_CLAIMS.get(index_code)
    if claim is None:
        return "no claim: the report does not discuss this index"
    if bench_code is None:
        return "cannot check: the data has neither a passive ETF nor index closes for this index"
    if not enhanced:
        return "cannot check: no enhanced ETF of this index in the data for this window"
    n, k = len(enhanced), len(beating)
    counts = (
        f"{k} of {n} enhanced ETFs beat the benchmark "
        f"(median excess {np.median([r['excess_return_pct'] for r in enhanced]):+.1f} pp)"
    )
    expected = n if claim[0] == "beat" else 0
    if k == expected:
        return f"agrees: {counts}"
    return f"contradicts: {counts}" if k == n - expected else f"mixed: {counts}"


def _summary(
    cn_name: str,
    index_code: str,
    rows: list[dict],
    enhanced: list[dict],
    beating: list[dict],
    bench_row: dict | None,
    preset: str | None,
    verdict: str | None,
) -> str:
    first, last = min(r["window_start"] for r in rows), max(r["window_end"] for r in rows)
    windows = {(r["window_start"], r["window_end"]) for r in rows if r["role"] != "benchmark"}
    span = f"{first} → {last}" if len(windows) == 1 else f"each fund's own window within {first} → {last}"
    text = f"{cn_name} ({index_code}), exchange closes, {span}: "
    if bench_row is None:
        best = max(rows, key=lambda r: r["total_return_pct"])
        text += (
            f"no benchmark in the data; best total return {best['code']} {best['name']} "
            f"{best['total_return_pct']:+.1f}%."
        )
    else:
        text += f"benchmark {bench_row['code']} {bench_row['name']} {bench_row['total_return_pct']:+.1f}%. "
        if enhanced:
            ranked = sorted(enhanced, key=lambda r: r["excess_return_pct"])
            text += (
                f"{len(beating)} of {len(enhanced)} enhanced funds beat it; "
                + "; ".join(
                    f"{r['code']} {r['name']} {r['total_return_pct']:+.1f}% (excess {r['excess_return_pct']:+.1f} pp, "
                    f"{r['window_start']} → {r['window_end']})"
                    for r in _pick(ranked)
                )
                + "."
            )
    if preset == "latest" and bench_row is not None:
        early = [r for r in enhanced if r["report_window_excess_pct"] is not None]
        k = sum(r["report_window_excess_pct"] > 0 for r in early)
        text += f" Over listing → {REPORT_END.date()} the same funds: {k} of {len(early)} beat it."
    if preset:
        claim = REPORT_CLAIMS.get(index_code)
        text += f" Huaxin report (2023-02-13): {claim[1] if claim else 'no claim for this index'}; data {verdict}."
    return text


def _pick(ranked: list[dict]) -> list[dict]:
    """Best and worst enhanced fund (one if they are the same)."""
    return [ranked[-1]] if len(ranked) == 1 else [ranked[-1], ranked[0]]


def _sources(rows: list[dict], bench_code: str | None, index_code: str, preset: str | None) -> list[Source]:
    first, last = min(r["window_start"] for r in rows), max(r["window_end"] for r in rows)
    sources = [
        Source(
            kind="data",
            title="ETF/LOF daily exchange closes",
            path="corpus/market/etf_closes.csv",
            as_of=LATEST_END.date().isoformat(),
            note=f"used {first} … {last}; {ETF_CREDIT}",
        ),
        Source(
            kind="data",
            title="ETF/LOF metadata (ETF_INDEX + tushare fund_basic 2025-04)",
            path="corpus/market/etf_funds.csv",
            note="type, manager, fee, listing date, turnover proxy",
        ),
        Source(
            kind="data",
            title="Detected price jumps and source back-adjustments",
            path="corpus/market/price_jumps.csv",
            note="derived by scripts/derive_etf_prices.py",
        ),
    ]
    if bench_code == index_code:
        sources.append(
            Source(
                kind="data",
                title=f"{INDEXES[index_code][0]} index daily closes",
                path="corpus/market/index_closes.csv",
                as_of=last,
                note="dennis-yuanlei/quant_bt (akshare) to 2023-10-10, iputao-design/zz1000-500-comparison after",
            )
        )
    if preset:
        sources.append(HUAXIN)
    return sources


def _caveats(
    rows: list[dict], bench_code: str | None, bench_rule: str, cn_name: str, skipped: list[str], preset: str | None
) -> list[str]:
    market = _market()
    codes = [r["code"] for r in rows]
    caveats = [
        "Exchange closes, not NAV: returns include changes in each fund's premium or discount.",
        f"Benchmark: {bench_rule}.",
    ]
    if bench_code is None:
        caveats.append(
            f"No passive ETF or index closes of {cn_name} in the data: excess return, tracking error and "
            "information ratio are not computed; pass benchmark=<fund code of this index> to compare "
            "within it."
        )
    adjusted = market.funds.loc[[c for c in codes if c in market.funds.index]]
    adjusted = adjusted[adjusted["source_adjusted_until"] != ""]
    if len(adjusted):
        caveats.append(
            "Closes back-adjusted by the source for a distribution or share change (their returns include it): "
            + ", ".join(f"{r.code} up to {r.source_adjusted_until}" for r in adjusted.itertuples())
            + ". The other funds' closes are raw prices: a cash distribution would lower their return."
        )
    else:
        caveats.append("Closes are raw prices, not adjusted for distributions: a cash distribution lowers the return.")
    windows = {r["code"]: (r["window_start"], r["window_end"]) for r in rows}
    jumps = market.jumps[(market.jumps["kind"] == "persistent_gap") & market.jumps["code"].isin(codes)]
    in_window = [
        f"{j.code} {j.date.date()} ({j.gap_pct:+.1f}% vs {j.note.removeprefix('reference: ')})"
        for j in jumps.itertuples()
        if windows[j.code][0] < j.date.date().isoformat() <= windows[j.code][1]
    ]
    if in_window:
        caveats.append(
            "Unreversed one-day price gaps in the windows (an unadjusted split or distribution would look "
            "like this; none is corrected): " + "; ".join(in_window) + "."
        )
    if preset:
        caveats.append(
            "The report's charts follow NAV from each fund's inception; this preset uses exchange closes from "
            f"listing (the report window ends {REPORT_END.date()}); its enhanced ETFs may differ from the report's 14."
        )
    if any(r["trading_days"] < TRADING_DAYS for r in rows):
        caveats.append("Annualised figures of windows shorter than a year extrapolate the period's return.")
    if skipped:
        caveats.append("Not in the window (no closes): " + "; ".join(skipped) + ".")
    return caveats


def returns_chart(result: ToolResult) -> go.Figure:
    """Cumulative excess return (percentage points over the benchmark) of each compared fund over its window.

    Every line has its own colour; passive funds are dashed like the benchmark's zero line, enhanced ones solid."""
    bench = result.data.get("benchmark", {}).get("code")
    fig = go.Figure()
    compared = [row for row in result.rows if row["role"] != "benchmark"]
    for i, row in enumerate(compared):
        prices = _series(row["code"]).loc[row["window_start"] : row["window_end"]]
        growth = prices / prices.iloc[0]
        if bench is not None:
            b = _series(bench).reindex(prices.index).ffill()
            growth = growth - b / b.iloc[0]
        else:
            growth = growth - 1
        line = {"color": colour(i), "width": 1.5, "dash": "solid" if row["type"] == "enhanced" else "dash"}
        fig.add_trace(go.Scatter(x=prices.index, y=(growth * 100).round(2), mode="lines", line=line,
                                 name=f"{row['code']} {row['name']}"))
    title = [result.data.get("index_name", ""), "cumulative excess return (pp)" if bench else "cumulative total return"]
    if bench:
        title.append(f"over {bench} {result.data['benchmark']['name']} (dashed 0)")
    fig.update_layout(hovermode="x unified")
    fig.update_yaxes(title="pp over the benchmark" if bench else "%")
    fig.add_hline(y=0, line_dash="dash" if bench else "dot", line_color=TEXT, line_width=1)
    return style(fig, title, legend_rows=len(compared))
