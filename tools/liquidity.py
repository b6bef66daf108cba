"""How hard a new index fund's building period hits its constituents' liquidity (Huaxin report 004, section 3).

The fund buys every constituent in proportion to its index weight, evenly over the build period; a stock's shock is
its daily purchase over its 20-trading-day average turnover. The report's own figures (525 stocks above 5% for 15亿)
only follow if the weight *in percent* is used as a fraction, i.e. purchases 100 times too large; the tool computes
the real ratio and can show the report's convention beside it, saying so every time the report's scenario comes up.

A fund size is refused as absurd when its daily purchase would exceed the constituents' combined average daily
turnover (it would have to buy more than everything that trades): the data has no market caps, so the free float
itself cannot serve as the bound.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tools.amounts import parse_amount_cny
from tools.display import TEXT, Column, colour, percent, plural, style
from tools.provenance import market_dir, report_source
from tools.result import ServerPath, Source, ToolInputError, ToolResult

TABLE = "csi1000_liquidity.csv"
META = "csi1000_liquidity.json"
INDEX_ALIASES = {"中证1000", "中证1000指数", "csi1000", "csi 1000", "000852", "000852.sh", "zz1000", "中证 1000"}
LEVELS = (0.01, 0.05, 0.10, 0.20)
MAX_TICKS = 5  # x tick labels that fit side by side in a 244 px chart
# Table headers of the rows, one unit per quantity: the ratios are fractions in the rows and percentages on screen,
# as in the summary and the chart.
COLUMNS = {
    "code": Column("Code"),
    "name": Column("Name"),
    "weight_pct": Column("Weight (%)"),
    "turnover_cny": Column("Avg daily turnover (CNY)"),
    "daily_purchase_cny": Column("Daily buy (CNY)"),
    "ratio": Column("Daily buy / turnover (%)", scale=100),
    "above_threshold": Column("Above threshold"),
    "report_ratio": Column("Report's convention: buy / turnover (%)", scale=100),
}
REPORT_FACTOR = 100  # the report's ratio ÷ the real one: the weight in % is used as if it were a fraction
REPORT = report_source("004_db23d80d1761e639", table="图表17、图表18", page=9,
                       note="20-day build, 5% threshold")
# What the report states for its scenario (20 trading days, 5% threshold), keyed by fund size in CNY.
REPORT_STATES = {
    1.5e9: "a 15亿 fund significantly affects 525 constituents (more than half)",
    2.0e9: "a 20亿 fund affects more than 70% of constituents, about 39 of them above 20% (中密控股, 安通控股, 柳工 …)",
}
REPORT_NAMES = ("中密控股", "安通控股", "柳工")

# Constituents CSV: accepted header spellings (lower-case, spaces removed) and header unit suffixes.
CODE_COLUMNS = {"code", "代码", "成分券代码", "证券代码", "股票代码", "ticker", "symbol", "con_code"}
NAME_COLUMNS = {"name", "名称", "成分券名称", "证券简称", "股票简称", "简称"}
WEIGHT_COLUMNS = {"weight", "权重", "index_weight", "指数权重"}
TURNOVER_COLUMNS = {"turnover", "amount", "成交额", "avg_turnover", "日均成交额", "amt20", "amt20_avg", "avg_amount"}
_HEADER = re.compile(
    r"^(?P<base>.+?)(?:[(_](?P<unit>%|pct|percent|frac|fraction|cny|元|万元|亿元|万|亿|million|billion)\)?)?$"
)
_CODE = re.compile(r"^(?:sh|sz|bj)?\.?(\d{1,6})(?:\.(?:sh|sz|bj|ss))?$", re.IGNORECASE)


@dataclass
class Constituents:
    """Constituents ready for the computation: weights as fractions of the fund, turnover in CNY per day."""

    frame: pd.DataFrame  # code, name, weight (fraction of the fund), turnover (CNY per trading day)
    excluded: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    as_of: str | None = None
    window: list[str] | None = None
    weights_as_of: str | None = None  # the built-in data's weights are older than its turnover


@lru_cache(maxsize=4)
def _load(directory: Path) -> tuple[pd.DataFrame, dict]:
    table = pd.read_csv(directory / TABLE, dtype={"code": str, "name": str}).set_index("code")
    return table, json.loads((directory / META).read_text())


def _resolve_as_of(as_of: str, dates: list[str]) -> tuple[str, str | None]:
    """The trading day to use: the date itself, or the last trading day before it when it is a holiday."""
    text = str(as_of).strip()
    try:
        day = date.fromisoformat(text.replace("/", "-")) if "-" in text or "/" in text else date.fromisoformat(text)
    except ValueError:
        raise ToolInputError("as_of", f"{as_of!r} is not a date (YYYY-MM-DD)", [f"{dates[0]} … {dates[-1]}"]) from None
    iso = day.isoformat()
    if iso < dates[0] or iso > dates[-1]:
        raise ToolInputError(
            "as_of",
            f"{iso} is outside the turnover data: a 20-trading-day average needs a trading day "
            f"from {dates[0]} (the 20th in the data) to {dates[-1]}",
            [f"{dates[0]} … {dates[-1]}"],
        )
    used = [d for d in dates if d <= iso][-1]
    return used, None if used == iso else f"{iso} is not a trading day in the data: used {used}, the one before"


def market_constituents(as_of: str) -> Constituents:
    """CSI 1000 weights (2023-10-31) with the 20-trading-day average turnover ending at `as_of`."""
    directory = market_dir()
    table, meta = _load(directory)
    used, note = _resolve_as_of(as_of, meta["as_of_dates"])
    frame = pd.DataFrame(
        {
            "name": table["name"],
            "weight": table["weight_pct"] / 100,
            "turnover": table[f"amt20_{used}"],
        }
    ).rename_axis("code")
    missing = frame["turnover"].isna() | (frame["turnover"] <= 0)
    excluded = [
        {
            "code": code,
            "name": row["name"],
            "weight_pct": round(row["weight"] * 100, 6),
            "reason": "no turnover data at all" if code in meta["no_turnover_data"] else "did not trade in the window",
        }
        for code, row in frame[missing].iterrows()
    ]
    start, end = meta["windows"][used]
    counted = frame.index[~missing]
    short = {code: days for code, days in meta["partial_windows"].get(used, {}).items() if code in counted}
    notes = [note] if note else []
    if short:
        listed = ", ".join(f"{code} {frame.at[code, 'name']} ({plural(days, 'day')})" for code, days in short.items())
        notes.append(
            f"{len(short)} constituents traded on fewer than 20 days of the window, averaged over those: {listed}"
        )
    path = f"corpus/market/{TABLE}"
    sources = [
        Source(
            kind="data",
            title="中证1000 constituent weights (igo903/futuMoomoo zz1000.csv, MIT)",
            path=path,
            as_of=meta["weights_as_of"],
            note="column weight_pct, derived by scripts/derive_liquidity.py",
        ),
        Source(
            kind="data",
            title="CSI 1000 members' daily turnover 成交额 (SamLeon360/stock_data)",
            path=path,
            as_of=used,
            note=f"column amt20_{used}: mean over the 20 trading days {start} – {end}",
        ),
    ]
    return Constituents(frame[~missing].reset_index(), excluded, notes, sources, as_of=used, window=[start, end],
                        weights_as_of=meta["weights_as_of"])


def _header(column: str) -> tuple[str, str | None]:
    normal = re.sub(r"\s+", "", str(column)).lower().replace("（", "(").replace("）", ")")
    match = _HEADER.match(normal)
    base, unit = (match["base"], match["unit"]) if match else (normal, None)
    if base in WEIGHT_COLUMNS | TURNOVER_COLUMNS | CODE_COLUMNS | NAME_COLUMNS:
        return base, unit
    return normal, None


def _pick(columns: dict[str, tuple[str, str | None]], accepted: set[str], what: str, required: bool) -> str | None:
    found = [col for col, (base, _) in columns.items() if base in accepted]
    if len(found) > 1:
        raise ToolInputError("constituents", f"several {what} columns: {', '.join(found)}; keep one")
    if not found and required:
        raise ToolInputError("constituents", f"no {what} column", sorted(accepted))
    return found[0] if found else None


def _weight_scale(weights: pd.Series, unit: str | None, has_percent_sign: bool) -> tuple[float, str]:
    """Divisor turning the weights into fractions of the fund, and how they were read."""
    total = float(weights.sum())
    if unit in ("%", "pct", "percent") or has_percent_sign:
        scale, how = 100.0, "read as percent (column or values say %)"
    elif unit in ("frac", "fraction"):
        scale, how = 1.0, "read as fractions (column says so)"
    elif 0.9 <= total <= 1.001:
        scale, how = 1.0, f"read as fractions (they sum to {total:.4g})"
    elif 90 <= total <= 100.1:
        scale, how = 100.0, f"read as percent (they sum to {total:.4g})"
    else:  # 1.5 could be 150% in fractions or 1.5% in percent: guessing would change every ratio 100-fold
        raise ToolInputError(
            "constituents",
            f"weights sum to {total:.4g}, neither about 1 (fractions) nor about 100 (percent); "
            "name the column weight_pct or weight_frac (or write 0.5%) to say which unit they are in",
        )
    if total / scale > 1.001:
        raise ToolInputError("constituents", f"weights sum to {total / scale:.2%} of the fund, more than 100%")
    return scale, f"weights {how}: they cover {total / scale:.2%} of the fund"


def _decode(file: Path) -> str:
    """UTF-8 or GBK (common for A-share exports)."""
    data = file.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ToolInputError("constituents", f"cannot read {file}: neither UTF-8 nor GBK text")


def _read_csv(file: Path) -> tuple[pd.DataFrame, pd.Series]:
    """All cells as text, row i on line i + 2 (blank lines kept), and per row why its shape is wrong ("" if fine).

    Read with the csv module rather than pandas because pandas re-reads a ragged file silently: a trailing comma on
    every row turns the first column into the index and shifts the others, and a short row is padded."""
    try:
        lines = list(csv.reader(io.StringIO(_decode(file), newline="")))
    except csv.Error as err:
        raise ToolInputError("constituents", f"cannot read {file} as CSV: {err}") from None
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise ToolInputError("constituents", f"cannot read {file} as CSV: no header line")
    header = [cell.strip() for cell in lines[0]]
    while header and not header[-1]:  # "code,name,weight,turnover," names no fifth column
        header.pop()
    width, rows, shape = len(header), [], []
    for row in lines[1:]:
        cells = list(row)
        while len(cells) > width and not cells[-1].strip():  # a trailing comma (or several) adds no field
            cells.pop()
        blank = not any(cell.strip() for cell in cells)
        shape.append("" if blank or len(cells) == width else f"{len(cells)} fields where the header has {width}")
        rows.append((cells + [""] * width)[:width])
    return pd.DataFrame(rows, columns=header, dtype=str), pd.Series(shape, dtype=str)


def read_constituents(path: str) -> Constituents:
    """Validate an analyst's CSV (code, name, weight, turnover); bad rows are set aside with the reason."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise ToolInputError("constituents", f"file not found: {path}")
    raw, reasons = _read_csv(file)
    headers = {col: _header(col) for col in raw.columns}
    code_col = _pick(headers, CODE_COLUMNS, "code", True)
    name_col = _pick(headers, NAME_COLUMNS, "name", False)
    weight_col = _pick(headers, WEIGHT_COLUMNS, "weight", True)
    turnover_col = _pick(headers, TURNOVER_COLUMNS, "turnover", True)
    if raw.empty:
        raise ToolInputError("constituents", f"{path} has a header but no rows")

    cells = raw.apply(lambda col: col.str.strip())
    codes = cells[code_col].str.extract(_CODE)[0].str.zfill(6).fillna(cells[code_col])
    weight_text = cells[weight_col].str.replace(",", "", regex=False)
    has_percent = weight_text.str.endswith("%")
    weights = pd.to_numeric(weight_text.str.rstrip("%"), errors="coerce")
    turnover_unit = headers[turnover_col][1]
    turnover = pd.to_numeric(cells[turnover_col].str.replace(",", "", regex=False), errors="coerce")
    multiplier = parse_amount_cny(1, turnover_unit, param="constituents").multiplier if turnover_unit else 1.0
    turnover = turnover * multiplier
    worded = turnover.isna() & (cells[turnover_col] != "") & (reasons == "")
    for i in raw.index[worded]:  # amounts written with units, e.g. "1.2亿": rare, parsed one by one
        try:
            turnover[i] = parse_amount_cny(cells.at[i, turnover_col], turnover_unit, param="turnover").value
        except ToolInputError as err:
            reasons[i] = str(err)

    checks = [
        (codes == "", "missing code"),
        (cells[weight_col] == "", "missing weight"),
        (weights.isna() & (cells[weight_col] != ""), "weight {w!r} is not a number"),
        (weights <= 0, "weight must be positive"),
        (cells[turnover_col] == "", "missing turnover"),
        (turnover <= 0, "turnover must be positive: a stock that does not trade cannot absorb purchases"),
        (codes.duplicated() & (codes != ""), "duplicate code (the first row is kept)"),
    ]
    for mask, reason in checks:
        todo = mask.fillna(False) & (reasons == "")
        reasons[todo] = [reason.format(w=w) for w in cells.loc[todo, weight_col]]
    ok = reasons == ""
    rejected = [
        {"line": int(i) + 2, "code": codes[i], "reason": reasons[i]} for i in raw.index[~ok]
    ]  # line 1 is the header
    if not ok.any():
        raise ToolInputError(
            "constituents",
            f"no usable rows in {path}: " + "; ".join(f"line {r['line']}: {r['reason']}" for r in rejected[:5]),
        )
    scale, weight_note = _weight_scale(weights[ok], headers[weight_col][1], bool(has_percent[ok].any()))
    frame = pd.DataFrame(
        {
            "code": codes[ok],
            "name": cells.loc[ok, name_col].where(cells.loc[ok, name_col] != "", codes[ok]) if name_col else codes[ok],
            "weight": weights[ok] / scale,
            "turnover": turnover[ok],
        }
    ).reset_index(drop=True)
    unit_note = (
        f"turnover column in {turnover_unit} (×{multiplier:,.0f} to CNY)" if turnover_unit else "turnover in CNY"
    )
    notes = [f"{path}: {len(frame)} rows used, {len(rejected)} rejected; {weight_note}; {unit_note}"]
    source = Source(kind="data", title="Analyst-supplied constituents", path=str(path), note=notes[0])
    return Constituents(frame, rejected, notes, [source])


def _histogram(ratio: pd.Series, threshold: float, report: pd.Series | None) -> dict:
    """Log-spaced bins (10 per decade) wide enough to show the threshold and every ratio."""
    positive = ratio[ratio > 0]
    top = max(float(positive.max()), threshold, float(report.max()) if report is not None else 0.0)
    lo = math.floor(math.log10(float(positive.min())))
    hi = math.ceil(math.log10(top * 1.0001))
    edges = np.array([float(f"{e:.4g}") for e in np.logspace(lo, hi, (hi - lo) * 10 + 1)])
    out = {"edges": edges.tolist(), "counts": np.histogram(positive, edges)[0].tolist()}
    if report is not None:
        out["report_counts"] = np.histogram(report[report > 0], edges)[0].tolist()
    return out


def liquidity_shock(
    fund_size: str | float,
    build_days: int = 20,
    threshold: float = 0.05,
    unit: Literal["元", "万", "亿", "million", "billion"] | None = None,
    as_of: str = "2023-02-10",
    index: str = "中证1000",
    constituents: ServerPath | None = None,
    report_convention: bool = False,
    top: int = 20,
) -> ToolResult:
    """How many index constituents does a new fund's building period hit above a share of their daily turnover?

    The fund buys each constituent in proportion to its index weight, evenly over `build_days` trading days; a
    stock's shock is its daily purchase divided by its 20-trading-day average turnover (成交额). Data: CSI 1000
    weights of 2023-10-31 with turnover of early 2023 (Huaxin report 004 asks this for CSI 1000 enhanced ETFs).

    Args:
        fund_size: the fund's size as people write it: "15亿", "15 亿元", "150000万", "1.5e9", "1.5 billion",
            or a bare number (元 unless `unit` is given).
        build_days: trading days over which the position is built (the report: about 20).
        threshold: shock level that counts as significant, as a fraction of average daily turnover (0.05 = 5%).
        unit: unit of a bare-number fund_size: 元, 万, 亿, million or billion.
        as_of: trading day ending the 20-day turnover window, YYYY-MM-DD, 2022-11-28 … 2023-04-03 (default
            2023-02-10, the last trading day before the report).
        index: the index whose constituents are bought; only 中证1000 (CSI 1000, 000852) has data.
        constituents: path to your own CSV with columns code, name, weight (% or fractions; weight_pct /
            weight_frac to say which) and turnover (CNY per day; 成交额(万元) etc. for other units); replaces the
            built-in data.
        report_convention: also show the Huaxin report's convention side by side (fund × weight in % ÷ days,
            i.e. 100 × the real daily purchase), which reproduces the report's counts.
        top: how many of the most affected stocks to list.
    """
    args = {
        "fund_size": fund_size,
        "build_days": build_days,
        "threshold": threshold,
        "unit": unit,
        "as_of": as_of,
        "index": index,
        "constituents": constituents,
        "report_convention": report_convention,
        "top": top,
    }
    amount = parse_amount_cny(fund_size, unit, param="fund_size")
    if isinstance(build_days, bool) or not isinstance(build_days, int) or build_days <= 0:
        raise ToolInputError("build_days", f"must be a positive whole number of trading days, got {build_days!r}")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 < threshold <= 1:
        hint = f" (a fraction: {threshold}% is {threshold / 100:g})" if isinstance(threshold, int | float) else ""
        raise ToolInputError("threshold", f"must be in (0, 1], got {threshold!r}{hint}")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ToolInputError("top", f"must be a positive whole number, got {top!r}")
    if constituents is None and str(index).strip().lower() not in INDEX_ALIASES:
        raise ToolInputError("index", f"no constituent data for {index!r}", ["中证1000", "CSI 1000", "000852"])

    data = read_constituents(constituents) if constituents else market_constituents(as_of)
    frame = data.frame
    capacity = float(frame["turnover"].sum()) * build_days
    if amount.value > capacity:
        raise ToolInputError(
            "fund_size",
            f"{amount.echo} is absurd for this index: over {plural(build_days, 'trading day')} the fund would have "
            f"to buy more than everything its constituents trade ({capacity:,.0f} CNY = their combined average daily "
            f"turnover × {plural(build_days, 'day')}). The data has no market caps, so this is the bound used for "
            "'more than the whole free float'",
        )

    daily = amount.value / build_days
    frame = frame.assign(purchase=daily * frame["weight"])
    frame["ratio"] = frame["purchase"] / frame["turnover"]
    frame["report_ratio"] = frame["ratio"] * REPORT_FACTOR
    frame = frame.sort_values("ratio", ascending=False, kind="stable").reset_index(drop=True)
    counted = len(frame)
    above = int((frame["ratio"] > threshold).sum())
    levels = {f"{lvl:.0%}": int((frame["ratio"] > lvl).sum()) for lvl in LEVELS}
    largest = frame.iloc[0]
    scenario = constituents is None and build_days == 20 and math.isclose(threshold, 0.05)
    show_report = report_convention or scenario

    summary = (
        f"{amount.echo} bought evenly over {plural(build_days, 'trading day')} in proportion to index weights, i.e. "
        f"{daily:,.0f} CNY a day: {above} of {counted} constituents ({above / counted:.1%}) get a daily purchase "
        f"above {percent(threshold)} of their average daily turnover; the largest ratio is {percent(largest['ratio'])} "
        f"({largest['name']} {largest['code']})."
    )
    caveats = list(data.notes)
    if data.as_of:
        window = f"{data.window[0]} – {data.window[1]}"
        caveat = (
            f"Weights are from {data.weights_as_of} while turnover is the 20-trading-day mean {window} "
            f"(as of {data.as_of}): "
            "the CSI 1000 list changed in December 2022 and June 2023, so the constituents differ somewhat from "
            "those of early 2023."
        )
        summary += f" Turnover as of {data.as_of} ({window}); caveat: weights are dated {data.weights_as_of}."
        caveats.insert(0, caveat)
    if data.excluded:
        excluded_weight = sum(e.get("weight_pct", 0) for e in data.excluded)
        caveats.append(
            f"{len(data.excluded)} constituents not counted ("
            + ", ".join(f"{e['code']} {e.get('name', '')}: {e['reason']}" for e in data.excluded[:8])
            + (" …" if len(data.excluded) > 8 else "")
            + (f"; {excluded_weight:.3f}% of index weight, which the fund still buys" if data.as_of else "")
            + ")."
        )
    if amount.unit == "" and amount.value < 1e6:
        caveats.append(f"fund_size {amount.echo}: with no unit it is read as 元; write e.g. 15亿 or pass unit='亿'.")

    result_data: dict = {
        "inputs": {
            "fund_size": str(fund_size),
            "fund_size_cny": amount.value,
            "interpretation": amount.echo,
            "build_days": build_days,
            "threshold": threshold,
            "as_of": data.as_of,
            "as_of_requested": None if constituents else as_of,
            "turnover_window": data.window,
            "index": "中证1000" if constituents is None else index,
            "constituents": constituents or f"corpus/market/{TABLE}",
            "report_convention": report_convention,
        },
        "daily_purchase_total_cny": daily,
        "constituents_counted": counted,
        "constituents_excluded": data.excluded,
        "weight_share_counted": float(frame["weight"].sum()),
        "above_threshold": above,
        "above_threshold_share": above / counted,
        "max_ratio": float(largest["ratio"]),
        "max_ratio_stock": {"code": largest["code"], "name": largest["name"]},
        "above_levels": levels,
        "max_fund_size_cny": capacity,
        "histogram": _histogram(frame["ratio"], threshold, frame["report_ratio"] if report_convention else None),
    }
    sources = list(data.sources)
    if show_report:
        rep_above = int((frame["report_ratio"] > threshold).sum())
        rep_levels = {f"{lvl:.0%}": int((frame["report_ratio"] > lvl).sum()) for lvl in LEVELS}
        named = frame[frame["name"].isin(REPORT_NAMES)]
        ranks = {name: int(i) + 1 for name, i in zip(named["name"], named.index, strict=True)}
        stated = next((text for size, text in REPORT_STATES.items() if math.isclose(amount.value, size)), None)
        one_day = threshold * build_days / REPORT_FACTOR
        explanation = (
            "Why this differs from the Huaxin report: the real daily purchase is fund × weight ÷ "
            f"{plural(build_days, 'day')} (weight as a fraction, 0.125% = 0.00125). The report's counts are "
            "reproduced only if the weight in percent (0.125) is used as the fraction, so each purchase is 100 times "
            "too large — the same as buying the whole position in a single day and comparing it with a threshold of "
            f"{percent(one_day)} instead of {percent(threshold)}. With that convention this data gives {rep_above} "
            f"of {counted} ({rep_above / counted:.1%}) above {percent(threshold)}; with the real purchase it gives "
            f"{above}."
        )
        if stated:
            explanation += f" The report states: {stated}."
        if data.weights_as_of:
            explanation += (f" Counts also differ a little because this uses the {data.weights_as_of} constituents and "
                            "weights.")
        caveats.insert(0, explanation)
        sources.append(REPORT)
        result_data["report_scenario"] = {"report_states": stated, "explanation": explanation,
                                          "report_convention_above": rep_above, "single_day_threshold": one_day,
                                          "factor": REPORT_FACTOR, "weights_as_of": data.weights_as_of}
        if report_convention:
            result_data["report_convention"] = {
                "method": f"fund × weight in % ÷ {plural(build_days, 'day')} ÷ average daily turnover = 100 × ratio",
                "above_threshold": rep_above,
                "above_threshold_share": rep_above / counted,
                "above_levels": rep_levels,
                "max_ratio": float(frame["report_ratio"].iloc[0]),
                "report_named_stocks_rank": ranks,
                "top_names": frame["name"].head(10).tolist(),
            }
            summary += (
                f" Report convention (100 × that ratio): {rep_above} of {counted} ({rep_above / counted:.1%}) above "
                f"{percent(threshold)}, {rep_levels['20%']} above 20%, largest {percent(frame['report_ratio'].iloc[0])}"
                + (f"; the report states {stated}" if stated else "")
                + "."
            )
        else:
            summary += " The Huaxin report's larger figures use a convention 100× too large: see the caveats."

    shown = frame.head(top)
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "weight_pct": round(r.weight * 100, 6),
            "turnover_cny": round(r.turnover, 2),
            "daily_purchase_cny": round(r.purchase, 2),
            "ratio": r.ratio,
            "above_threshold": bool(r.ratio > threshold),
            **({"report_ratio": r.report_ratio} if report_convention else {}),
        }
        for r in shown.itertuples()
    ]
    units = {
        "weight_pct": "% of the index",
        "turnover_cny": "CNY per trading day (20-trading-day mean)" if data.as_of else "CNY per trading day",
        "daily_purchase_cny": "CNY per trading day",
        "ratio": "fraction of average daily turnover (0.05 = 5%)",
        "fund_size_cny": "CNY",
        "daily_purchase_total_cny": "CNY per trading day",
        "max_fund_size_cny": "CNY",
        "threshold": "fraction of average daily turnover",
        "histogram.edges": "ratio (fraction), log-spaced",
    }
    if report_convention:
        units["report_ratio"] = "fraction, the report's convention = 100 × ratio"
    return ToolResult(
        tool="liquidity_shock",
        args=args,
        summary=summary,
        data=result_data,
        rows=rows,
        units=units,
        sources=sources,
        caveats=caveats,
    )


def liquidity_chart(result: ToolResult) -> go.Figure:
    """Histogram of the shock ratios on a log scale, the threshold marked (and the report's convention if shown).

    Bars sit on log10 coordinates, so the tick labels are set here: whole decades only, every second or third one
    when the range is wide, so that at most MAX_TICKS labels share a 244 px chat bubble."""
    hist = result.data.get("histogram")
    if result.tool != "liquidity_shock" or not hist:
        raise ValueError("liquidity_chart needs a liquidity_shock result")
    edges = np.log10(hist["edges"])
    centres, widths = (edges[:-1] + edges[1:]) / 2, np.diff(edges)
    bins = [f"{percent(lo)} – {percent(hi)}" for lo, hi in itertools.pairwise(hist["edges"])]
    inputs = result.data["inputs"]
    report = result.data.get("report_convention")
    fig = go.Figure()
    series = [("daily buy ÷ turnover", hist["counts"])]
    if "report_counts" in hist:
        series.append(("report's convention (100×)", hist["report_counts"]))
    for i, (name, counts) in enumerate(series):
        fig.add_bar(x=centres, y=counts, width=widths, name=name, marker_color=colour(i), opacity=0.85 if i else 1,
                    customdata=bins, hovertemplate="%{customdata}: %{y:,d} constituents")
    threshold = inputs["threshold"]
    low, high = round(edges[0]), round(edges[-1])
    right_half = math.log10(threshold) > (low + high) / 2  # label the line on the side with room
    fig.add_vline(x=math.log10(threshold), line_dash="dash", line_color=TEXT, line_width=1.5,
                  annotation_text=f"threshold {percent(threshold)}",
                  annotation_position="top left" if right_half else "top right")
    step = math.ceil((high - low + 1) / MAX_TICKS)
    ticks = [10.0**k for k in range(high, low - 1, -step)]  # the top decade is always labelled
    fig.update_xaxes(tickvals=[math.log10(t) for t in ticks], ticktext=[percent(t) for t in ticks],
                     range=[low - 0.02, high + 0.02], title="daily buy ÷ avg turnover (log)")
    most = max(max(counts) for _, counts in series)
    fig.update_yaxes(title="constituents", rangemode="tozero", tickformat=",d", dtick=1 if most <= 5 else None)
    days = inputs["build_days"]
    title = [f"{inputs['interpretation'].split(' = ')[0]} over {plural(days, 'trading day')}",
             f"{result.data['above_threshold']:,} of {result.data['constituents_counted']:,} constituents above "
             f"{percent(threshold)}"]
    if report:
        title.append(f"report's convention: {report['above_threshold']:,} above {percent(threshold)}")
    fig.update_layout(barmode="overlay", bargap=0)
    return style(fig, title, legend_rows=len(series))
