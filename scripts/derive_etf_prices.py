"""Derive compact daily close tables for the enhanced and passive ETFs/LOFs in ../shared/data/ into corpus/market/.

Why: the raw bars (36 files of OPEN/HIGH/LOW/CLOSE/VOLUME/AMT) may not be committed and are larger than the
returns tool needs. This script keeps closes only (4 decimals), one metadata row per fund, the index closes, and
a list of price jumps, so that the tool `compare_returns` runs offline on committed, credited data.

Outputs (corpus/market/):
- etf_closes.csv   wide: date, then one column per fund code (exchange close, CNY; blank before listing).
- etf_funds.csv    code, exchange, name, manager, type (enhanced/passive), vehicle (ETF/LOF), tracked index,
                   management fee, listing date, first/last trading date, mean daily turnover over the last
                   250 trading days (the size proxy: the data has no AUM), and the date up to which the source
                   back-adjusted the closes (closes off the 0.001 CNY tick), if any.
- index_closes.csv wide: date, 000300, 000852, 000905 (index points), cut to the ETF data's date range.
- price_jumps.csv  one-day gaps between a fund's move and its reference's (its index, else its peers) that are
                   large for that fund and not reversed within 5 trading days (an unadjusted split or distribution
                   would look like this), plus the dates the source back-adjusted a fund's closes.

Usage: python scripts/derive_etf_prices.py [--data ../shared/data] [--out corpus/market]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
JUMP_FLOOR = 0.01  # smallest one-day gap to the reference that is ever listed
JUMP_SIGMAS = 8  # a gap must also exceed this many robust standard deviations of the fund's daily gaps
REVERSAL_DAYS = 5
TICK = 0.001  # exchange price tick of ETFs/LOFs, CNY
TURNOVER_DAYS = 250

# (substring of the tushare benchmark text, index code, index name); 科创创业50 before 创业板 and 科创板50.
INDEXES = [
    ("科创创业50", "931643", "科创创业50"),
    ("科创板50", "000688", "科创50"),
    ("创业板", "399006", "创业板指"),
    ("中证1000", "000852", "中证1000"),
    ("中证500", "000905", "中证500"),
    ("沪深300", "000300", "沪深300"),
    ("中证800", "000906", "中证800"),
]
# Funds of an index with neither index data nor a peer are checked against funds of the indexes it is built from.
RELATED = {"000906": ["000300", "000905"], "931643": ["000688", "399006"]}


def tracked_index(benchmark: str) -> tuple[str, str]:
    """Index code and name from a fund's benchmark text."""
    for needle, code, name in INDEXES:
        if needle in benchmark:
            return code, name
    raise ValueError(f"no known index in benchmark {benchmark!r}")


def read_funds(data: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fund metadata plus wide close and turnover tables, from ETF_INDEX.csv, the bars and tushare fund_basic."""
    etf_dir = data / "etf_daily"
    index = pd.read_csv(etf_dir / "ETF_INDEX.csv", dtype={"code": str})
    basic = pd.read_csv(etf_dir / "etf_fund_basic_tushare_202504.csv", encoding="utf-8-sig", dtype=str)
    index["ts_code"] = index["code"] + np.where(index["code"].str.startswith("5"), ".SH", ".SZ")
    meta = index.merge(basic[["ts_code", "list_date"]], on="ts_code", how="left", validate="one_to_one")
    bars = {
        row.code: pd.read_csv(etf_dir / row.file, index_col=0, parse_dates=True)[["CLOSE", "AMT"]]
        for row in meta.itertuples()
    }
    closes = pd.DataFrame({code: b["CLOSE"] for code, b in bars.items()}).sort_index()
    turnover = pd.DataFrame({code: b["AMT"] for code, b in bars.items()}).sort_index()

    idx = meta["benchmark"].map(tracked_index)
    funds = pd.DataFrame(
        {
            "code": meta["code"],
            "exchange": meta["ts_code"].str[-2:],
            "name": meta["name"],
            "manager": meta["manager"],
            "type": meta["invest_type"].map({"增强指数型": "enhanced", "被动指数型": "passive"}),
            "vehicle": np.where(meta["name"].str.contains("LOF"), "LOF", "ETF"),
            "index_code": idx.str[0],
            "index_name": idx.str[1],
            "m_fee_pct": meta["m_fee"],
            "list_date": pd.to_datetime(meta["list_date"], format="%Y%m%d").dt.date,
            "first_date": [closes[c].first_valid_index().date() for c in meta["code"]],
            "last_date": [closes[c].last_valid_index().date() for c in meta["code"]],
            "avg_amt_250d_cny_m": [
                round(turnover[c].dropna().tail(TURNOVER_DAYS).mean() / 1e6, 1) for c in meta["code"]
            ],
            "source_adjusted_until": [last_off_tick(closes[c]) for c in meta["code"]],
            "benchmark_text": meta["benchmark"],
        }
    )
    if funds["type"].isna().any():
        raise ValueError("unknown invest_type in ETF_INDEX.csv")
    return funds, closes, turnover


def last_off_tick(close: pd.Series) -> str:
    """Last date whose close is not a multiple of the 0.001 tick: the source back-adjusted closes up to then."""
    ticks = close.dropna() / TICK
    off = ticks.index[(ticks - ticks.round()).abs() > 1e-6]
    return off[-1].date().isoformat() if len(off) else ""


def read_indexes(data: Path) -> pd.DataFrame:
    """CSI 300 / 500 / 1000 closes: akshare daily files to 2023-10-10, then the 2014–2026 comparison file."""
    daily = data / "index_daily"
    early = pd.DataFrame(
        {
            code: pd.read_csv(daily / f"{code}_daily_2005_20231010.csv", index_col=0, parse_dates=True)["收盘"]
            for code in ("000300", "000852", "000905")
        }
    )
    late = pd.read_csv(
        daily / "csi1000_csi500_sse_close_2014_2026.csv", index_col=0, parse_dates=True, encoding="utf-8-sig"
    )
    late = late.rename(columns={"csi1000_close": "000852", "csi500_close": "000905"})[["000852", "000905"]]
    late = late.loc[late.index > early.index.max()]
    return pd.concat([early, late]).sort_index()


def detect_jumps(funds: pd.DataFrame, closes: pd.DataFrame, indexes: pd.DataFrame) -> pd.DataFrame:
    """Persistent one-day gaps between a fund's move and its reference's, and the source's back-adjustment dates.

    A gap is listed when it exceeds the fund's threshold (JUMP_SIGMAS robust standard deviations of its daily gaps,
    at least JUMP_FLOOR) and is not reversed: the summed gap over the surrounding ±REVERSAL_DAYS trading days keeps
    at least half of it, with the same sign. An unadjusted split or distribution looks like this; so do persistent
    premium or discount swings, which is why these are reported for review rather than corrected.
    """
    rets = closes.pct_change(fill_method=None)
    index_rets = indexes.reindex(closes.index).pct_change(fill_method=None)
    market = rets.median(axis=1)
    codes_of = funds.groupby("index_code")["code"].apply(list)
    records = []
    for fund in funds.itertuples():
        peers = [c for c in codes_of[fund.index_code] if c != fund.code]
        related = [c for ix in RELATED.get(fund.index_code, []) for c in codes_of.get(ix, [])]
        ref = index_rets.get(fund.index_code, pd.Series(np.nan, index=rets.index))
        label = pd.Series(np.where(ref.notna(), f"index {fund.index_code}", ""), index=rets.index)
        for group, name in (
            (peers, "median of funds tracking the same index"),
            (related, "median of funds tracking " + "/".join(RELATED.get(fund.index_code, []))),
        ):
            if group:
                label = label.mask(ref.isna(), name)
                ref = ref.fillna(rets[group].median(axis=1))
        label = label.mask(ref.isna(), "median of all funds")
        ref = ref.fillna(market)
        gap = (rets[fund.code] - ref).dropna()
        sigma = 1.4826 * (gap - gap.median()).abs().median()
        threshold = max(JUMP_FLOOR, JUMP_SIGMAS * sigma)
        around = gap.rolling(2 * REVERSAL_DAYS + 1, center=True, min_periods=1).sum()
        flagged = (gap.abs() > threshold) & (around.abs() >= gap.abs() / 2) & (np.sign(around) == np.sign(gap))
        records += [
            {
                "code": fund.code,
                "date": date.date().isoformat(),
                "kind": "persistent_gap",
                "close_return_pct": round(rets.at[date, fund.code] * 100, 2),
                "reference_return_pct": round(ref[date] * 100, 2),
                "gap_pct": round(gap[date] * 100, 2),
                "gap_11d_pct": round(around[date] * 100, 2),
                "threshold_pct": round(threshold * 100, 2),
                "note": f"reference: {label[date]}",
            }
            for date in gap.index[flagged]
        ]
        if fund.source_adjusted_until:
            after = closes[fund.code].dropna().loc[fund.source_adjusted_until :].index
            records.append(
                {
                    "code": fund.code,
                    "date": after[1].date().isoformat() if len(after) > 1 else fund.source_adjusted_until,
                    "kind": "source_adjusted",
                    "note": f"closes up to {fund.source_adjusted_until} are off the 0.001 tick: the source "
                    "back-adjusted them (distribution or share change), so the series has no jump here",
                }
            )
    return pd.DataFrame(records).sort_values(["code", "date"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "corpus" / "market")
    args = parser.parse_args()

    funds, closes, _ = read_funds(args.data)
    indexes = read_indexes(args.data).loc[closes.index.min() : closes.index.max()].dropna(how="all")
    jumps = detect_jumps(funds, closes, indexes)

    args.out.mkdir(parents=True, exist_ok=True)
    closes.round(4).to_csv(args.out / "etf_closes.csv", index_label="date", date_format="%Y-%m-%d")
    funds.to_csv(args.out / "etf_funds.csv", index=False)
    indexes.round(3).to_csv(args.out / "index_closes.csv", index_label="date", date_format="%Y-%m-%d")
    jumps.to_csv(args.out / "price_jumps.csv", index=False)
    print(
        f"{len(funds)} funds, {len(closes)} dates {closes.index.min().date()}..{closes.index.max().date()}; "
        f"{len(indexes)} index dates; jumps: {jumps['kind'].value_counts().to_dict()}"
    )


if __name__ == "__main__":
    main()
