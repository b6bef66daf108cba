"""Derive corpus/market/etf_facts.csv: one compact row of facts per Chinese exchange-traded fund.

Why: the raw tushare fund_basic dump (../shared/data, not committed) has 25 columns in tushare's naming, dates as
yyyymmdd and fees without units. The fund_facts tool needs a small, committed table with plain names, units in the
column names and ISO dates, so that answers like "159680's manager and fee" are reproducible and cite the file.

Usage: python scripts/derive_etf_facts.py [--source ../shared/data/etf_daily/etf_fund_basic_tushare_202504.csv]
                                          [--out corpus/market/etf_facts.csv]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "etf_daily" / "etf_fund_basic_tushare_202504.csv"

# tushare fund_basic column → etf_facts column (units in the name: fees in % p.a., issue amount in 亿份)
COLUMNS = {
    "ts_code": "ts_code",
    "name": "name",
    "management": "manager",
    "custodian": "custodian",
    "fund_type": "fund_type",
    "invest_type": "invest_type",
    "type": "structure",
    "benchmark": "benchmark",
    "m_fee": "mgmt_fee_pct",
    "c_fee": "custody_fee_pct",
    "issue_amount": "issue_amount_100m_units",
    "found_date": "found_date",
    "list_date": "list_date",
    "delist_date": "delist_date",
    "status": "status",
}
DATES = ["found_date", "list_date", "delist_date"]


def derive(source: Path) -> pd.DataFrame:
    raw = pd.read_csv(source, dtype=str, encoding="utf-8-sig")
    facts = raw[list(COLUMNS)].rename(columns=COLUMNS)
    parts = facts["ts_code"].str.split(".", n=1, expand=True)
    facts.insert(0, "code", parts[0])
    facts.insert(2, "exchange", parts[1])
    for column in DATES:
        facts[column] = pd.to_datetime(facts[column], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    for column in ["mgmt_fee_pct", "custody_fee_pct", "issue_amount_100m_units"]:
        facts[column] = pd.to_numeric(facts[column])
    return facts.sort_values("ts_code").reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "corpus" / "market" / "etf_facts.csv")
    args = parser.parse_args()
    facts = derive(args.source)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    facts.to_csv(args.out, index=False)
    print(f"wrote {args.out} ({len(facts)} funds)")


if __name__ == "__main__":
    main()
