"""liquidity_shock: the building-period shock of a CSI 1000 fund, reconciled with the Huaxin report (004)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools import CHARTS, TOOLS
from tools.liquidity import liquidity_chart, liquidity_shock
from tools.registry import run_tool
from tools.result import ToolInputError, ToolResult

ROOT = Path(__file__).resolve().parent.parent
MARKET = ROOT / "corpus" / "market"
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module")
def base() -> ToolResult:
    return liquidity_shock("15亿", build_days=20)


# --- the derived table -------------------------------------------------------------------------------------------


def test_table_is_compact_and_carries_its_caveat() -> None:
    table = MARKET / "csi1000_liquidity.csv"
    meta = json.loads((MARKET / "csi1000_liquidity.json").read_text())
    assert table.stat().st_size < 1_000_000
    assert "2023-10-31" in meta["caveat"]
    assert meta["default_as_of"] == "2023-02-10" in meta["as_of_dates"]
    assert meta["windows"]["2023-02-10"] == ["2023-01-09", "2023-02-10"]
    header = table.read_text().splitlines()[0].split(",")
    assert header[:3] == ["code", "name", "weight_pct"]
    assert len(header) - 3 == len(meta["as_of_dates"])


@pytest.mark.skipif(not SHARED.is_dir(), reason="raw data in ../shared/data not available")
def test_script_reproduces_the_committed_table(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "derive_liquidity.py"
    subprocess.run([sys.executable, script, "--data-dir", SHARED, "--out-dir", tmp_path], check=True)
    for name in ("csi1000_liquidity.csv", "csi1000_liquidity.json"):
        assert (tmp_path / name).read_text() == (MARKET / name).read_text()


# --- the figures the issue asks for -------------------------------------------------------------------------------


def test_15yi_over_20_days_hits_no_constituent(base: ToolResult) -> None:
    data = base.data
    assert data["above_threshold"] == 0
    assert 0.0025 < data["max_ratio"] < 0.0035  # about 0.3%
    assert data["constituents_counted"] == 996
    assert data["above_levels"] == {"1%": 0, "5%": 0, "10%": 0, "20%": 0}
    assert data["inputs"]["fund_size_cny"] == 1.5e9
    assert data["inputs"]["as_of"] == "2023-02-10"
    assert data["daily_purchase_total_cny"] == 7.5e7
    assert {e["code"] for e in data["constituents_excluded"]} == {"000088", "000090", "002911", "300319"}


def test_summary_states_figures_reading_and_caveat(base: ToolResult) -> None:
    assert "15亿 = 1,500,000,000 CNY" in base.summary
    assert "0 of 996" in base.summary
    assert "0.324%" in base.summary
    assert "2023-10-31" in base.summary
    assert any("2023-10-31" in c and "2023-01-09" in c for c in base.caveats)


def test_rows_are_top_stocks_with_units(base: ToolResult) -> None:
    row = base.rows[0]
    assert set(row) >= {"code", "name", "weight_pct", "turnover_cny", "daily_purchase_cny", "ratio"}
    assert row["daily_purchase_cny"] == pytest.approx(1.5e9 / 20 * row["weight_pct"] / 100)
    assert row["ratio"] == pytest.approx(row["daily_purchase_cny"] / row["turnover_cny"])
    assert [r["ratio"] for r in base.rows] == sorted((r["ratio"] for r in base.rows), reverse=True)
    assert len(base.rows) == 20
    assert {"weight_pct", "turnover_cny", "daily_purchase_cny", "ratio"} <= set(base.units)
    assert {s.as_of for s in base.sources if s.kind == "data"} == {"2023-10-31", "2023-02-10"}


def test_report_convention_reproduces_the_reports_order_of_magnitude() -> None:
    at15 = liquidity_shock("15亿", report_convention=True)
    at20 = liquidity_shock("20亿", report_convention=True)
    rep15, rep20 = at15.data["report_convention"], at20.data["report_convention"]
    assert 480 <= rep15["above_threshold"] <= 580  # the report: 525
    assert rep20["above_threshold_share"] > 0.6  # the report: more than 70%
    assert rep20["above_levels"]["20%"] > 20  # the report: about 39
    assert {"柳工", "中密控股"} <= set(rep20["top_names"])
    assert rep20["report_named_stocks_rank"]["安通控股"] < 50
    assert at20.data["above_threshold"] == 0  # the real ratio is unchanged by the option
    assert "report_ratio" in at20.rows[0]
    assert at20.rows[0]["report_ratio"] == pytest.approx(100 * at20.rows[0]["ratio"])
    assert any(s.report_id == "004_db23d80d1761e639" for s in at20.sources)
    assert "525" in at15.summary and "Report convention" in at15.summary


def test_report_convention_is_the_real_ratio_against_a_100x_lower_threshold() -> None:
    report = liquidity_shock("15亿", report_convention=True).data["report_convention"]["above_threshold"]
    assert liquidity_shock("15亿", threshold=0.0005).data["above_threshold"] == report
    whole_in_one_day = liquidity_shock("15亿", build_days=1, threshold=0.01).data["above_threshold"]
    assert whole_in_one_day == report


def test_reports_scenario_is_explained_even_without_the_option(base: ToolResult) -> None:
    explanation = base.caveats[0]
    assert "Huaxin report" in explanation and "100 times" in explanation and "525" in explanation
    assert "1% instead of 5%" in explanation
    assert "report_convention" not in base.data
    assert any(s.kind == "report" for s in base.sources)


def test_other_scenarios_do_not_cite_the_report() -> None:
    result = liquidity_shock("15亿", build_days=10)
    assert not any(s.kind == "report" for s in result.sources)
    assert "report_scenario" not in result.data


@pytest.mark.parametrize(
    ("fund_size", "unit"),
    [("15 亿元", None), ("150000万", None), ("1.5e9", None), (1.5e9, None), ("1.5 billion", None), (15, "亿")],
)
def test_amount_spellings_give_the_same_answer(base: ToolResult, fund_size: str | float, unit: str | None) -> None:
    result = liquidity_shock(fund_size, unit=unit)
    assert result.data["max_ratio"] == base.data["max_ratio"]
    assert result.data["inputs"]["interpretation"].split(" = ")[1].startswith("1,500,000,000 CNY")


def test_other_as_of_dates_and_holidays() -> None:
    month_end = liquidity_shock("15亿", as_of="2023-01-31")
    assert month_end.data["inputs"]["turnover_window"] == ["2022-12-27", "2023-01-31"]
    weekend = liquidity_shock("15亿", as_of="2023-02-11")
    assert weekend.data["inputs"]["as_of"] == "2023-02-10"
    assert any("not a trading day" in c for c in weekend.caveats)
    assert liquidity_shock("15亿", as_of="20230210").data["inputs"]["as_of"] == "2023-02-10"


def test_registered_with_a_chart() -> None:
    assert liquidity_shock in TOOLS
    assert CHARTS["liquidity_shock"] is liquidity_chart
    result = run_tool("liquidity_shock", fund_size="15亿", build_days="20", report_convention="true")
    assert result.data["above_threshold"] == 0
    assert result.data["report_convention"]["above_threshold"] > 400
    json.loads(result.model_dump_json())


def test_chart_marks_the_threshold() -> None:
    result = liquidity_shock("20亿", report_convention=True)
    fig = liquidity_chart(result)
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == 2
    assert sum(fig.data[0].y) == result.data["constituents_counted"]
    assert any(shape.x0 == pytest.approx(math.log10(0.05)) for shape in fig.layout.shapes)
    assert len(liquidity_chart(liquidity_shock("15亿", threshold=0.02)).data) == 1
    with pytest.raises(ValueError, match="liquidity_shock"):
        liquidity_chart(ToolResult(tool="other", args={}, summary=""))


# --- monotonicity -------------------------------------------------------------------------------------------------


SIZES = st.floats(1e6, 1.5e11)  # up to what one day's turnover of all constituents (about 1,740亿) can absorb


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.tuples(SIZES, SIZES),
    days=st.tuples(st.integers(1, 120), st.integers(1, 120)),
    threshold=st.floats(1e-4, 1.0),
)
def test_counts_grow_with_fund_size_and_shorter_builds(
    sizes: tuple[float, float], days: tuple[int, int], threshold: float
) -> None:
    def count(size: float, build: int) -> int:
        return liquidity_shock(size, build_days=build, threshold=threshold).data["above_threshold"]

    small, large = sorted(sizes)
    short, long = sorted(days)
    assert count(small, long) <= count(large, long)
    assert count(small, long) <= count(small, short)


# --- bad input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        ({"fund_size": "-15亿"}, "fund_size", "must be positive"),
        ({"fund_size": 0}, "fund_size", "must be positive"),
        ({"fund_size": "lots"}, "fund_size", "cannot read"),
        ({"fund_size": "15 apples"}, "fund_size", "unknown unit"),
        ({"fund_size": "100万亿"}, "fund_size", "absurd"),
        ({"fund_size": "2000亿", "build_days": 1}, "fund_size", "absurd"),
        ({"fund_size": "15亿", "unit": "万"}, "fund_size", "conflicts"),
        ({"fund_size": "15亿", "build_days": 0}, "build_days", "positive whole number"),
        ({"fund_size": "15亿", "build_days": -5}, "build_days", "positive whole number"),
        ({"fund_size": "15亿", "build_days": 2.5}, "build_days", "positive whole number"),
        ({"fund_size": "15亿", "threshold": 0}, "threshold", r"\(0, 1\]"),
        ({"fund_size": "15亿", "threshold": -0.05}, "threshold", r"\(0, 1\]"),
        ({"fund_size": "15亿", "threshold": 1.5}, "threshold", r"\(0, 1\]"),
        ({"fund_size": "15亿", "threshold": 5}, "threshold", "5% is 0.05"),
        ({"fund_size": "15亿", "as_of": "10 Feb"}, "as_of", "not a date"),
        ({"fund_size": "15亿", "as_of": "2022-11-10"}, "as_of", "outside the turnover data"),
        ({"fund_size": "15亿", "as_of": "2023-10-31"}, "as_of", "outside the turnover data"),
        ({"fund_size": "15亿", "index": "沪深300"}, "index", "no constituent data"),
        ({"fund_size": "15亿", "top": 0}, "top", "positive whole number"),
        ({"fund_size": "15亿", "constituents": "/nonexistent/file.csv"}, "constituents", "file not found"),
    ],
)
def test_bad_input_is_refused_clearly(kwargs: dict, param: str, message: str) -> None:
    with pytest.raises(ToolInputError, match=message) as err:
        liquidity_shock(**kwargs)
    assert err.value.param == param


def test_tiny_amount_without_unit_is_flagged() -> None:
    result = liquidity_shock("15")
    assert any("read as 元" in c for c in result.caveats)


# --- the analyst's own CSV ------------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "cons.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return str(path)


def test_csv_in_percent_with_rejections(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "code,name,weight_pct,turnover\n"
        "000528,柳工,0.5,29082281\n"
        "300470.SZ,中密控股,0.4,30918690\n"
        "6,浦发银行,0.3,1000000000\n"
        "000528,柳工,0.5,29082281\n"
        ",无代码,0.1,100\n"
        "000001,平安银行,,100\n"
        "000002,万科A,abc,100\n"
        "000004,国华网安,0.1,0\n"
        "000005,世纪星源,-0.1,100\n",
    )
    result = liquidity_shock("15亿", constituents=path, top=5)
    rejected = {r["line"]: r["reason"] for r in result.data["constituents_excluded"]}
    assert rejected == {
        5: "duplicate code (the first row is kept)",
        6: "missing code",
        7: "missing weight",
        8: "weight 'abc' is not a number",
        9: "turnover must be positive: a stock that does not trade cannot absorb purchases",
        10: "weight must be positive",
    }
    assert result.data["constituents_counted"] == 3
    assert {r["code"] for r in result.rows} == {"000528", "300470", "000006"}
    assert any("read as percent" in c and "1.20% of the fund" in c for c in result.caveats)
    top = result.rows[0]
    assert top["name"] == "柳工" and top["weight_pct"] == pytest.approx(0.5)
    assert top["daily_purchase_cny"] == pytest.approx(1.5e9 * 0.005 / 20)
    assert any(s.path == path for s in result.sources)
    assert "6 rejected" in " ".join(result.caveats)
    assert not any(s.kind == "report" for s in result.sources)


def test_csv_fractions_percent_signs_units_and_encodings(tmp_path: Path) -> None:
    frac = write(tmp_path, "code,name,weight,turnover\n000528,柳工,0.6,30000000\n000001,平安,0.4,1e9\n", "f.csv")
    pct = write(tmp_path, "code,name,weight,turnover\n000528,柳工,60%,30000000\n000001,平安,40%,1e9\n", "p.csv")
    wan_text = "代码,名称,权重(%),成交额(万元)\n000528,柳工,60,3000\n000001,平安,40,100000\n"
    wan = write(tmp_path, wan_text, "w.csv", "gbk")
    worded = write(tmp_path, "code,name,weight_pct,turnover\n000528,柳工,60,0.3亿\n000001,平安,40,10亿\n", "t.csv")
    ratios = {p: liquidity_shock("1亿", constituents=p).data["max_ratio"] for p in (frac, pct, wan, worded)}
    expected = 1e8 * 0.6 / 20 / 3e7
    assert all(r == pytest.approx(expected) for r in ratios.values()), ratios


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,name,turnover\n000528,柳工,100\n", "no weight column"),
        ("code,name,weight\n000528,柳工,1\n", "no turnover column"),
        ("name,weight,turnover\n柳工,1,100\n", "no code column"),
        ("code,weight,权重,turnover\n000528,1,1,100\n", "several weight columns"),
        ("code,name,weight,turnover\n", "no rows"),
        ("code,name,weight,turnover\n000528,柳工,0.3,100\n000001,平安,0.2,100\n", "name the column weight_pct"),
        ("code,name,weight_pct,turnover\n000528,柳工,80,100\n000001,平安,70,100\n", "more than 100%"),
        # 1.5 or 2.5 could be fractions over 100% or a few percent: the unit must be said, never guessed
        ("code,name,weight,turnover\n000528,柳工,1.0,100\n000001,平安,0.5,100\n", "name the column weight_pct"),
        ("code,name,weight,turnover\n000528,柳工,2,100\n000001,平安,0.5,100\n000002,万科,-1,100\n",
         "neither about 1"),
        ("code,name,weight,turnover\n000528,柳工,0.5,100,7\n000001,平安\n", "5 fields where the header has 4"),
        ("code,name,weight,turnover\n000528,柳工,,100\n", "no usable rows"),
        ("", "cannot read"),
    ],
)
def test_csv_problems_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ToolInputError, match=message) as err:
        liquidity_shock("1亿", constituents=write(tmp_path, text))
    assert err.value.param == "constituents"


def test_csv_blank_lines_and_missing_names_keep_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,weight,turnover\n000528,,60,30000000\n\n000001,平安,40,1e9\n000001,平安,40,1e9\n")
    result = liquidity_shock("1亿", constituents=path)
    assert result.rows[0]["name"] == "000528"
    assert {r["line"]: r["reason"] for r in result.data["constituents_excluded"]} == {
        3: "missing code",
        5: "duplicate code (the first row is kept)",
    }


def test_csv_trailing_commas_are_not_a_column(tmp_path: Path) -> None:
    """Spreadsheet exports often end every line with a comma; the columns must not shift."""
    plain = write(tmp_path, "code,name,weight,turnover\n000528,柳工,0.6,30000000\n000001,平安,0.4,1e9\n", "a.csv")
    trailing = write(tmp_path, "code,name,weight,turnover,\n000528,柳工,0.6,30000000,\n000001,平安,0.4,1e9,\n",
                     "b.csv")
    ratios = [liquidity_shock("1亿", constituents=p).data for p in (plain, trailing)]
    assert [r["constituents_counted"] for r in ratios] == [2, 2]
    assert [r["constituents_excluded"] for r in ratios] == [[], []]
    assert ratios[1]["max_ratio"] == pytest.approx(ratios[0]["max_ratio"]) == pytest.approx(1e8 * 0.6 / 20 / 3e7)


def test_csv_ragged_rows_are_rejected_with_their_line(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,weight,turnover\n000528,柳工,0.6,30000000\n000001,平安\n"
                           "000002,万科,0.1,5,9\n000004,国华,0.4,1e9\n")
    result = liquidity_shock("1亿", constituents=path)
    assert {r["line"]: r["reason"] for r in result.data["constituents_excluded"]} == {
        3: "2 fields where the header has 4",
        4: "5 fields where the header has 4",
    }
    assert result.data["constituents_counted"] == 2
