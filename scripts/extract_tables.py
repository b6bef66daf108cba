"""Extract 表 1–表 4 of the CSI 2024 active-ETF report into typed CSVs plus metadata, for deterministic tools.

Why: answers about rankings, fees or AUM must come from the report's numbers, not from an LLM reading a chunk.
The seed's tables are tab-separated with page-break damage (JAAA's name continues on a line "CLO ETF", blank lines
inside 表 2 and 表 4); this script repairs them, gives every column an English snake_case name with its unit, and
cross-checks the ETFs that appear in both 表 1 and 表 3, recording (not hiding) any field on which they disagree.

Usage: python scripts/extract_tables.py [--seeds ../shared/seeds] [--out corpus/tables]
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
REPORT_ID = "000_15c95f55b2fdec91"
REPORT_TITLE = "主动管理 ETF 发展年度报告（2024）"


def _number(text: str) -> float:
    return float(text.replace(",", "").removesuffix("%"))


def _integer(text: str) -> int:
    return int(text.replace(",", ""))


def _iso_date(text: str) -> str:
    """'2022/2/24' or '2022-02-24' → '2022-02-24'."""
    match = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", text)
    if not match:
        raise ValueError(f"not a date: {text!r}")
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _tickers(text: str) -> str:
    return ";".join(t.strip() for t in text.split(","))


@dataclass(frozen=True)
class Column:
    name: str
    header: str  # the seed's header text, checked so a changed seed fails loudly
    unit: str | None
    parse: Callable[[str], object] = str


TICKER = Column("ticker", "代码", None)
FUND_NAME = Column("name", "基金名称", None)
ASSET_CLASS = Column("asset_class", "资产类别", None)
INCEPTION = Column("inception", "发行日期", "ISO date (YYYY-MM-DD)", _iso_date)
FEE = Column("fee_pct", "费率", "% p.a.", _number)
AUM_USD_M = Column("aum_usd_m", "资产规模($M)", "USD million (百万美元)", _integer)

TABLES: dict[str, tuple[str, list[Column]]] = {
    "表 1": ("t1_top10_aum.csv", [TICKER, FUND_NAME, ASSET_CLASS, INCEPTION, FEE, AUM_USD_M]),
    "表 2": (
        "t2_top10_issuers.csv",
        [
            Column("issuer", "发行商", None),
            Column("etf_count", "ETF 数量", "ETFs (只)", _integer),
            Column("aum_100m_usd", "资产规模(亿美元)", "USD 100 million (亿美元)", _number),
            Column("aum_share_pct", "资产规模占比", "% of US active-ETF AUM", _number),
        ],
    ),
    "表 3": (
        "t3_top10_inflows.csv",
        [
            TICKER,
            FUND_NAME,
            ASSET_CLASS,
            INCEPTION,
            Column("inflow_usd_m", "资金流入 ($M)", "USD million (百万美元), 2024 inflow", _number),
            Column(AUM_USD_M.name, "资产规模 ($M)", AUM_USD_M.unit, _integer),
            FEE,
        ],
    ),
    "表 4": (
        "t4_conversions.csv",
        [
            Column("issuer", "ETF 发行人", None),
            Column("tickers", "转换 ETF 示例", "';'-separated tickers", _tickers),
        ],
    ),
}
CROSS_CHECKED = ["name", "asset_class", "inception", "fee_pct", "aum_usd_m"]


def find_tables(text: str) -> dict[str, dict]:
    """Locate each '表 N caption' line, its tab-separated rows (repaired) and the '数据来源' line after it."""
    lines = [line.rstrip("\r") for line in text.splitlines()]
    found: dict[str, dict] = {}
    for i, line in enumerate(lines):
        match = re.fullmatch(r"表\s*(\d+)\s+(.+?)\s*", line)
        if not match:
            continue
        rows, repairs, gap, j = [], [], False, i + 1
        while j < len(lines) and "\t" not in lines[j]:
            j += 1
        while j < len(lines) and ("\t" in lines[j] or not lines[j].strip()):
            cells = [c.strip().replace("\\$", "$") for c in lines[j].split("\t")]
            filled = [c for c in cells if c]
            if len(filled) == 1 and rows:  # page break cut a cell: the text continues the previous row's longest cell
                longest = max(range(len(rows[-1])), key=lambda k: len(rows[-1][k]))
                repairs.append(f"{rows[-1][0]}: '{filled[0]}' on the next line joined to '{rows[-1][longest]}'")
                rows[-1][longest] = f"{rows[-1][longest]} {filled[0]}"
            elif len(filled) > 1:
                if gap:
                    repairs.append(f"{rows[-1][0]} / {cells[0]}: blank line (page break) between rows skipped")
                rows.append(cells)
            gap = not filled
            j += 1
        source = lines[j].strip() if j < len(lines) else ""
        found[f"表 {match.group(1)}"] = {
            "caption": match.group(2),
            "rows": rows,
            "source": source if source.startswith("数据来源") else None,
            "repairs": repairs,
        }
    return found


def to_frame(number: str, rows: list[list[str]]) -> tuple[pd.DataFrame, list[str]]:
    """Typed DataFrame for one table and notes on values that were normalised (e.g. date formats)."""
    _, columns = TABLES[number]
    header, body = rows[0], rows[1:]
    if header[: len(columns)] != [c.header for c in columns]:
        raise ValueError(f"{number}: unexpected header {header}")
    notes = []
    records = []
    for row in body:
        record = {}
        for column, raw in zip(columns, row, strict=False):
            value = column.parse(raw)
            if column.parse is _iso_date and value != raw:
                notes.append(f"{row[0]}: {column.name} '{raw}' normalised to {value}")
            record[column.name] = value
        records.append(record)
    return pd.DataFrame.from_records(records, columns=[c.name for c in columns]), notes


def cross_check(t1: pd.DataFrame, t3: pd.DataFrame) -> list[dict]:
    """Fields on which an ETF listed in both 表 1 and 表 3 disagrees between the two tables."""
    both = t1.merge(t3, on="ticker", suffixes=("_t1", "_t3"))
    discrepancies = []
    for _, row in both.iterrows():
        for field in CROSS_CHECKED:
            a, b = row[f"{field}_t1"], row[f"{field}_t3"]
            if a != b:
                discrepancies.append(
                    {"ticker": row["ticker"], "field": field, "values": {"表 1": _plain(a), "表 3": _plain(b)}}
                )
    return discrepancies


def _plain(value: object) -> object:
    """numpy scalar → Python scalar, for JSON."""
    return value.item() if hasattr(value, "item") else value


def extract(seed: Path, out_dir: Path) -> list[Path]:
    found = find_tables(seed.read_text(encoding="utf-8"))
    out_dir.mkdir(parents=True, exist_ok=True)
    frames, meta = {}, []
    for number, (file_name, columns) in TABLES.items():
        table = found[number]
        frame, notes = to_frame(number, table["rows"])
        frames[number] = frame
        frame.to_csv(out_dir / file_name, index=False)
        meta.append(
            {
                "file": file_name,
                "report_id": REPORT_ID,
                "report_title": REPORT_TITLE,
                "table": number,
                "caption": table["caption"],
                "source": table["source"],
                "rows": len(frame),
                "columns": [{"name": c.name, "header": c.header, "unit": c.unit} for c in columns],
                "repairs": table["repairs"] + notes,
            }
        )
    checked = sorted(set(frames["表 1"]["ticker"]) & set(frames["表 3"]["ticker"]))
    index = {
        "report_id": REPORT_ID,
        "report_title": REPORT_TITLE,
        "seed": f"shared/seeds/{seed.name}",
        "tables": meta,
        "cross_check": {"tables": ["表 1", "表 3"], "tickers": checked, "fields": CROSS_CHECKED},
        "discrepancies": cross_check(frames["表 1"], frames["表 3"]),
    }
    index_path = out_dir / "tables.json"
    index_path.write_text(json.dumps(index, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [out_dir / m["file"] for m in meta] + [index_path]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds", help="folder of seed texts")
    parser.add_argument("--out", type=Path, default=ROOT / "corpus" / "tables")
    args = parser.parse_args()
    for path in extract(args.seeds / f"{REPORT_ID}.txt", args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
