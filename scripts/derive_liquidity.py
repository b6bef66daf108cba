"""Derive the compact CSI 1000 liquidity table the `liquidity_shock` tool reads.

Why: the raw daily turnover file (100k rows) and the weight file stay outside the repository (../shared/data/);
the tool only needs, per constituent, its index weight and its 20-trading-day average turnover at a few as-of dates.

Output (corpus/market/):
- csi1000_liquidity.csv  — code, name, weight_pct, then one column `amt20_<YYYY-MM-DD>` per selectable as-of date:
  the mean daily turnover (成交额, CNY, rounded to the yuan) over the 20 trading days ending at that date, the date
  itself included, averaged over the days the stock traded in that window; empty when it did not trade at all.
- csi1000_liquidity.json — caveat, sources, windows, stocks with partial windows, and what was dropped.

Run: python scripts/derive_liquidity.py [--data-dir ../shared/data] [--out-dir corpus/market]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = "csi_index_weights/csi1000_weight_20231031.csv"
TURNOVER = "stock_turnover/csi1000_members_daily_amount_20221101_20230404.csv"
WINDOW = 20
MIN_COVERAGE = 0.95  # a trading day counts only if most members have a row: the source's last day is a partial fetch
CAVEAT = (
    "Constituents and weights are the CSI 1000 list of 2023-10-31, while turnover is from Nov 2022 – Apr 2023; "
    "the index list changed in December 2022 and June 2023, so some early-2023 members are missing and some "
    "stocks here were not yet members then."
)


def load_turnover(path: Path) -> tuple[pd.DataFrame, dict[str, object]]:
    """Daily turnover as a date × code table; exact duplicate rows in the source are dropped and reported."""
    raw = pd.read_csv(path, dtype={"code": str, "date": str})
    deduped = raw.drop_duplicates(subset=["date", "code", "amount_cny"])
    if deduped.duplicated(subset=["date", "code"]).any():
        raise SystemExit("conflicting turnover rows for the same date and code")
    table = deduped.pivot(index="date", columns="code", values="amount_cny").sort_index()
    coverage = table.notna().sum(axis=1)
    partial_days = coverage[coverage < MIN_COVERAGE * table.shape[1]]
    notes = {
        "duplicate_rows_dropped": int(len(raw) - len(deduped)),
        "duplicate_dates": sorted(raw.loc[raw.duplicated(subset=["date", "code"]), "date"].unique().tolist()),
        "partial_days_dropped": {d: f"only {n} of {table.shape[1]} stocks have a row" for d, n in partial_days.items()},
    }
    return table.drop(index=partial_days.index), notes


def rolling_means(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """20-trading-day mean turnover and the number of days traded, for each date from the 20th trading day on."""
    means = table.rolling(WINDOW, min_periods=1).mean().iloc[WINDOW - 1 :]
    days = table.notna().rolling(WINDOW).sum().iloc[WINDOW - 1 :].astype(int)
    return means, days


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "corpus" / "market")
    args = parser.parse_args()

    weights = pd.read_csv(args.data_dir / WEIGHTS, dtype={"成分券代码": str})
    members = weights.rename(columns={"成分券代码": "code", "成分券名称": "name", "权重": "weight_pct"})[
        ["code", "name", "weight_pct"]
    ].set_index("code")
    table, notes = load_turnover(args.data_dir / TURNOVER)
    trading_days = table.index.tolist()
    means, days = rolling_means(table.reindex(columns=members.index))

    amt = means.T.round(0).astype("Int64")
    amt.columns = [f"amt20_{d}" for d in amt.columns]
    out = members.join(amt)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out.reset_index().to_csv(args.out_dir / "csi1000_liquidity.csv", index=False)

    no_data = members.index[table.reindex(columns=members.index).isna().all()].tolist()
    windows = {d: [trading_days[i - WINDOW + 1], d] for i, d in enumerate(trading_days) if i >= WINDOW - 1}
    partial = {
        d: {code: int(n) for code, n in row.items() if n < WINDOW and code not in no_data} for d, row in days.iterrows()
    }
    meta = {
        "table": "csi1000_liquidity.csv",
        "index": "中证1000",
        "index_code": "000852",
        "weights_as_of": "2023-10-31",
        "default_as_of": "2023-02-10",
        "as_of_dates": list(windows),
        "windows": windows,
        "window_trading_days": WINDOW,
        "caveat": CAVEAT,
        "units": {
            "weight_pct": "% of the index",
            "amt20_<date>": "CNY per trading day, mean over the 20 trading days ending at <date> (days traded only)",
        },
        "method": (
            "Trading days are the dates present in the turnover file (days where under "
            f"{MIN_COVERAGE:.0%} of stocks have a row are dropped). For each as-of date the window is the 20 trading "
            "days ending at it, the date included; a stock's value is the mean over the days it traded in the window."
        ),
        "no_turnover_data": {code: members.loc[code, "name"] for code in no_data},
        "partial_windows": {d: p for d, p in partial.items() if p},
        "source_notes": notes,
        "sources": [
            {
                "file": WEIGHTS,
                "origin": "igo903/futuMoomoo zz1000.csv, commit c2de63939ef4a3b35f431139cef52d7a458c7f9a",
                "licence": "MIT",
                "as_of": "2023-10-31",
            },
            {
                "file": TURNOVER,
                "origin": "SamLeon360/stock_data <code>.csv, commit 0de1cd19ad223a4112d348c23c5231052769e970",
                "licence": "none stated",
                "as_of": f"{trading_days[0]} .. {trading_days[-1]}",
            },
        ],
        "script": "scripts/derive_liquidity.py",
    }
    (args.out_dir / "csi1000_liquidity.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(out)} constituents × {amt.shape[1]} as-of dates -> {args.out_dir}")


if __name__ == "__main__":
    main()
