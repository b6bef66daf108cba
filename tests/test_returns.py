"""compare_returns on the committed closes: the issue's acceptance figures, the Huaxin report's claims, bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from tools import CHARTS, TOOLS
from tools.provenance import market_dir
from tools.registry import run_tool
from tools.result import ToolInputError
from tools.returns import _stats, compare_returns, returns_chart

MARKET = market_dir()

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def by_code(result) -> dict[str, dict]:
    return {r["code"]: r for r in result.rows}


@pytest.fixture(scope="module")
def csi1000():
    return compare_returns("中证1000", start="2023-01-01", end="2025-11-17")


def test_acceptance_csi1000_2023_to_latest(csi1000):
    rows = by_code(csi1000)
    assert csi1000.data["benchmark"]["code"] == "512100"
    assert rows["512100"]["role"] == "benchmark"
    assert rows["159680"]["total_return_pct"] == pytest.approx(52.6, abs=0.05)
    assert rows["512100"]["total_return_pct"] == pytest.approx(20.5, abs=0.05)
    assert rows["159680"]["excess_return_pct"] == pytest.approx(52.62 - 20.53, abs=0.02)
    # first and last trading days in the window
    assert (rows["159680"]["window_start"], rows["159680"]["window_end"]) == ("2023-01-03", "2025-11-17")
    # funds listed later start at their listing
    assert rows["561780"]["window_start"] == "2023-11-10"
    enhanced = {r["code"] for r in csi1000.rows if r["type"] == "enhanced"}
    assert {"159677", "159679", "159680", "159685", "161039", "560590", "561280", "561590", "561780"} == enhanced
    excess = [r["excess_return_pct"] for r in csi1000.rows]
    assert excess == sorted(excess, reverse=True)
    assert [r["rank"] for r in csi1000.rows] == list(range(1, len(csi1000.rows) + 1))
    assert "+52.6%" in csi1000.summary and "+20.5%" in csi1000.summary and "2023-01-03" in csi1000.summary


def test_result_shape(csi1000):
    row = by_code(csi1000)["159680"]
    for key in (
        "name",
        "type",
        "manager",
        "window_start",
        "window_end",
        "annualised_return_pct",
        "volatility_pct",
        "max_drawdown_pct",
        "excess_return_pct",
        "tracking_error_pct",
        "information_ratio",
    ):
        assert row[key] is not None, key
    assert row["max_drawdown_pct"] < 0 < row["volatility_pct"]
    assert csi1000.units["total_return_pct"] == "%"
    assert "percentage points" in csi1000.units["excess_return_pct"]
    assert "turnover" in csi1000.data["benchmark"]["rule"]
    assert any("CC BY 4.0" in (s.note or "") for s in csi1000.sources)
    assert any("not NAV" in c for c in csi1000.caveats)
    assert any("512100 up to 2025-01-14" in c for c in csi1000.caveats)


def test_stats_definitions():
    days = pd.bdate_range("2024-01-01", periods=5)
    fund = pd.Series([1.0, 1.2, 0.9, 1.1, 1.5], index=days)
    bench = pd.Series([1.0, 1.1, 1.0, 1.0, 1.2], index=days)
    stats = _stats(fund, bench)
    assert stats["total_return_pct"] == pytest.approx(50.0)
    assert stats["max_drawdown_pct"] == pytest.approx(-25.0)
    assert stats["benchmark_return_pct"] == pytest.approx(20.0)
    assert stats["excess_return_pct"] == pytest.approx(30.0)
    assert _stats(bench, bench)["tracking_error_pct"] is None


@pytest.mark.parametrize("name", ["CSI 1000", "csi1000", "000852", "000852.SH", "中证1000指数", " 中证1000 "])
def test_index_aliases(name):
    assert compare_returns(name, start="2025-01-01").data["index_code"] == "000852"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("STAR 50", "000688"),
        ("科创板50", "000688"),
        ("ChiNext", "399006"),
        ("创业板", "399006"),
        ("双创50", "931643"),
        ("CSI 800", "000906"),
        ("沪深300", "000300"),
        ("CSI500", "000905"),
    ],
)
def test_other_indexes(name, code):
    assert compare_returns(name).data["index_code"] == code


def test_default_is_common_window():
    result = compare_returns("中证1000")
    assert {(r["window_start"], r["window_end"]) for r in result.rows} == {("2023-11-10", "2025-11-17")}


def test_funds_and_index_benchmark():
    result = compare_returns(
        "CSI 1000", start="2023-01-01", end="2023-06-30", funds="159680.SZ, 561590", benchmark="000852"
    )
    rows = by_code(result)
    assert set(rows) == {"159680", "561590", "000852"}
    assert rows["000852"]["type"] == "index" and rows["000852"]["role"] == "benchmark"
    assert any(s.path == "corpus/market/index_closes.csv" for s in result.sources)


def test_index_benchmark_clips_window_to_its_data():
    result = compare_returns("沪深300", start="2023-01-01", benchmark="沪深300")
    assert max(r["window_end"] for r in result.rows) == "2023-10-10"


def test_no_benchmark_in_data():
    result = compare_returns("创业板")
    assert result.data["benchmark"]["code"] is None
    assert all(r["excess_return_pct"] is None for r in result.rows)
    within = compare_returns("创业板", benchmark="159675")
    assert by_code(within)["159676"]["excess_return_pct"] is not None


# The Huaxin report (2023-02-13, 图表5–10): CSI 1000 and STAR 50 enhanced ETFs clearly beat their passive ETFs;
# CSI 300, CSI 500, ChiNext and 科创创业50 enhanced ETFs did not. Expected verdicts are what the closes show.
@pytest.mark.parametrize(
    ("index", "preset", "verdict", "beating"),
    [
        ("中证1000", "report", "agrees", {"159680", "159677", "561590"}),
        ("科创50", "report", "mixed", {"588460"}),
        ("沪深300", "report", "mixed", {"561990", "561000"}),
        ("中证500", "report", "mixed", {"561550", "560100"}),
        ("创业板", "report", "cannot check", set()),
        ("科创创业50", "report", "cannot check", set()),
        ("中证1000", "latest", "agrees", {"159680", "159677", "561590"}),
        ("科创50", "latest", "agrees", {"588460", "588370"}),
        ("沪深300", "latest", "contradicts", {"561990", "561000", "561300"}),
        ("中证500", "latest", "contradicts", {"561550", "560100", "159610"}),
    ],
)
def test_report_claims(index, preset, verdict, beating):
    result = compare_returns(index, report_period=preset)
    assert result.data["verdict"].startswith(verdict)
    assert {r["code"] for r in result.rows if (r["excess_return_pct"] or 0) > 0} == beating
    enhanced = [r for r in result.rows if r["type"] == "enhanced"]
    assert all(pd.Timestamp(r["window_start"]) <= pd.Timestamp("2023-02-10") for r in enhanced)
    end = "2023-02-10" if preset == "report" else "2025-11-17"
    assert all(r["window_end"] == end for r in result.rows)
    assert any(s.report_id == "004_db23d80d1761e639" for s in result.sources)
    assert result.data["report_claim"] in result.summary


def test_latest_preset_shows_report_window_excess():
    result = compare_returns("中证500", report_period="latest")
    rows = by_code(result)
    report = by_code(compare_returns("中证500", report_period="report"))
    assert rows["159610"]["report_window_excess_pct"] == report["159610"]["excess_return_pct"]
    assert "2 of 3 beat it" in result.summary


@pytest.mark.parametrize(
    ("kwargs", "param", "fragment"),
    [
        ({"index": "恒生指数"}, "index", "中证1000 / CSI 1000 / 000852"),
        ({"index": "中证1000", "funds": "123456"}, "funds", "159680 1000ETF增强"),
        ({"index": "中证1000", "funds": "510300"}, "funds", "tracks 沪深300, not 中证1000"),
        ({"index": "中证1000", "start": "2024-01-01", "end": "2023-01-01"}, "start", "after end"),
        ({"index": "中证1000", "start": "2030-01-01"}, "start", "data covers"),
        ({"index": "中证1000", "start": "2023-13-45"}, "start", "YYYY-MM-DD"),
        ({"index": "中证1000", "benchmark": "510300"}, "benchmark", "000852 (the index)"),
        ({"index": "中证1000", "start": "2023-01-01", "report_period": "report"}, "report_period", "not both"),
        ({"index": "中证800", "report_period": "report"}, "report_period", "159517"),
        ({"index": "中证1000", "funds": "561780", "start": "2023-01-01", "end": "2023-01-31"}, "start", "data covers"),
        ({"index": "中证1000", "funds": "159680,561780", "end": "2023-01-31"}, "end", "listing of 561780"),
        (
            {"index": "中证1000", "funds": "159680,561780", "start": "2023-01-01", "end": "2023-01-31"},
            "funds",
            "561780",
        ),
    ],
)
def test_bad_input(kwargs, param, fragment):
    with pytest.raises(ToolInputError) as err:
        compare_returns(**kwargs)
    assert err.value.param == param
    assert fragment in str(err.value)


def test_chart_ends_at_excess(csi1000):
    fig = returns_chart(csi1000)
    assert isinstance(fig, go.Figure)
    traces = {t.name.split()[0]: t for t in fig.data}
    assert "512100" not in traces and len(traces) == len(csi1000.rows) - 1
    assert traces["159680"].y[-1] == pytest.approx(by_code(csi1000)["159680"]["excess_return_pct"], abs=0.02)


def test_registered():
    assert compare_returns in TOOLS and CHARTS["compare_returns"] is returns_chart
    result = run_tool("compare_returns", index="STAR 50", report_period="latest")
    assert result.data["index_code"] == "000688"


def test_committed_tables():
    assert (MARKET / "etf_closes.csv").stat().st_size < 2_000_000
    jumps = pd.read_csv(MARKET / "price_jumps.csv", dtype={"code": str})
    assert {"source_adjusted", "persistent_gap"} == set(jumps["kind"])
    assert "512100" in set(jumps.loc[jumps["kind"] == "source_adjusted", "code"])


@pytest.mark.skipif(not (SHARED / "etf_daily").is_dir(), reason="raw data in ../shared/data not present")
def test_derive_script_reproduces_committed_tables(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "derive_etf_prices.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in ("etf_closes.csv", "etf_funds.csv", "index_closes.csv", "price_jumps.csv"):
        assert (tmp_path / name).read_bytes() == (MARKET / name).read_bytes(), name
