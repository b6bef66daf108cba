"""The Analyst, Corpus and Settings tabs without a browser, on the real tools, data and reports: human table headers
with one unit per quantity, plain numbers and plurals, the CSV of every row under a name of its inputs, uploads
named by their own file name, the charts' layout for narrow and dark pages, and titles of uploaded text reports."""

from __future__ import annotations

import re
from pathlib import Path

import gradio as gr
import pandas as pd
import pytest

from assistant.corpus.ingest import report_from_file
from assistant.service import Assistant
from assistant.settings import ROOT
from assistant.ui.analyst import csv_name, label, param_input, run_form
from assistant.ui.corpus import index_markdown, reports_frame, settings_markdown, status_line
from tools.display import PALETTE, percent, plural
from tools.liquidity import liquidity_chart, liquidity_shock
from tools.registry import get_spec, run_tool
from tools.returns import returns_chart

SAFE_NAME = re.compile(r"^[\w.-]+\.csv$")
# Five constituents, one of them barely traded: its daily purchase is many times its turnover (a ratio above 1,000%).
FIVE = ("code,name,weight,turnover\n000001,平安银行,30%,900000000\n600000,浦发银行,25%,400000000\n"
        "000528,柳工,20%,150000000\n300750,宁德时代,15%,2000000000\n688001,华兴源创,10%,100000\n")


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.create()


def form(name: str, **changed: object) -> tuple:
    """The form's values as it opens, with some inputs changed as a user would type them."""
    spec = get_spec(name)
    with gr.Blocks():
        values = [param_input(spec, p).value for p in spec.params]
    for i, param in enumerate(spec.params):
        if param.name in changed:
            values[i] = changed[param.name]
    return spec, tuple(values)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- headers and units -----------------------------------------------------------------------------------------


def test_liquidity_headers_are_labels_with_units_and_ratios_read_in_percent_like_the_chart():
    spec, values = form("liquidity_shock", report_convention=True)
    out = run_form(spec, values)
    assert list(out.table.columns) == ["Code", "Name", "Weight (%)", "Avg daily turnover (CNY)", "Daily buy (CNY)",
                                       "Daily buy / turnover (%)", "Above threshold",
                                       "Report's convention: buy / turnover (%)"]
    result = run_tool("liquidity_shock", fund_size="15亿", report_convention=True)
    top = out.table.iloc[0]
    assert top["Daily buy / turnover (%)"] == pytest.approx(result.rows[0]["ratio"] * 100)
    assert top["Report's convention: buy / turnover (%)"] == pytest.approx(100 * top["Daily buy / turnover (%)"])
    assert top["Weight (%)"] == result.rows[0]["weight_pct"]  # already in percent: unchanged
    # the summary's largest ratio is the table's top row, in the same unit
    assert f"largest ratio is {percent(result.rows[0]['ratio'])}" in out.summary


def test_other_tools_get_headers_from_their_field_names():
    assert label("aum_share_pct") == "AUM share (%)"
    assert label("aum_per_etf_100m_usd") == "AUM per ETF (USD 100m)"
    assert label("inflow_usd_m") == "Inflow (USD m)"
    spec, values = form("rank_issuers")
    assert list(run_form(spec, values).table.columns) == [
        "Rank", "Issuer", "ETF count", "AUM (USD 100m)", "AUM share (%)", "AUM per ETF (USD 100m)"]
    spec, values = form("compare_returns")
    headers = set(run_form(spec, values).table.columns)
    assert {"Excess return (pp)", "Total return (%)", "Tracking error (%)"} <= headers
    assert not any("_" in h for h in headers)


# --- numbers and plurals ---------------------------------------------------------------------------------------


def test_percentages_are_plain_numbers():
    assert [percent(x) for x in (0.05, 0.00324, 21.62, 10, 1e-7, 0)] == [
        "5%", "0.324%", "2,160%", "1,000%", "0.00001%", "0%"]


def test_a_five_row_csv_gives_plain_percentages_and_whole_counts(tmp_path):
    csv = write(tmp_path, "five.csv", FIVE)
    spec, values = form("liquidity_shock", constituents=csv)
    out = run_form(spec, values)
    assert "e+" not in out.summary and re.search(r"largest ratio is \d{1,3}(,\d{3})+%", out.summary), out.summary
    fig = out.chart
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tickformat == ",d"  # 0, 1, 2 constituents, not 0.5
    assert not any("e+" in t or "e-" in t for t in fig.layout.xaxis.ticktext)


def test_one_day_is_singular_everywhere():
    one, two = liquidity_shock("15亿", build_days=1), liquidity_shock("15亿", build_days=2)
    assert "over 1 trading day in" in one.summary and "1 trading days" not in one.summary
    assert "over 2 trading days in" in two.summary
    assert "over 1 trading day<" in liquidity_chart(one).layout.title.text
    assert [plural(n, "day") for n in (0, 1, 2, 1000)] == ["0 days", "1 day", "2 days", "1,000 days"]
    spec, values = form("rank_issuers")  # its one caveat
    assert "*1 caveat under Provenance.*" in run_form(spec, values).summary


# --- CSV download ----------------------------------------------------------------------------------------------


def test_the_csv_holds_every_row_in_the_tables_units_under_a_name_of_its_inputs():
    spec, values = form("liquidity_shock")
    out = run_form(spec, values)
    counted = run_tool("liquidity_shock", fund_size="15亿").data["constituents_counted"]
    written = pd.read_csv(out.csv, encoding="utf-8-sig", dtype={"Code": str})
    assert len(out.table) == 20 and len(written) == counted  # the table shows the top 20, the CSV all of them
    assert list(written.columns) == list(out.table.columns)
    assert written.iloc[0]["Daily buy / turnover (%)"] == pytest.approx(out.table.iloc[0]["Daily buy / turnover (%)"])
    assert written["Code"].is_unique and set(out.table["Code"]) <= set(written["Code"])
    assert Path(out.csv).name == "liquidity_shock_15yi_20d_5pct.csv"


def test_csv_names_differ_by_input_and_are_file_name_safe(tmp_path):
    names = set()
    for name, changed in [("liquidity_shock", {}), ("liquidity_shock", {"fund_size": "2.5 亿元", "threshold": 0.025}),
                          ("liquidity_shock", {"report_convention": True, "as_of": "2023-03-01"}),
                          ("liquidity_shock", {"constituents": write(tmp_path, "my list.csv", FIVE)}),
                          ("compare_returns", {}), ("compare_returns", {"index": "CSI 300", "start": "2024-01-02"}),
                          ("rank_issuers", {"by": "etf_count", "top": 3})]:
        spec, values = form(name, **changed)
        out = run_form(spec, values)
        assert out.csv is not None, out.summary
        path = Path(out.csv)
        assert SAFE_NAME.match(path.name), path.name
        names.add(path.name)
    assert len(names) == 7
    assert {"liquidity_shock_2.5-yiyuan_20d_2.5pct.csv",
            "liquidity_shock_15yi_20d_5pct_as_of-2023-03-01_report_convention.csv",
            "liquidity_shock_15yi_20d_5pct_constituents-my-list.csv", "rank_issuers_by-etf_count_top-3.csv"} <= names


def test_csv_name_of_a_result_uses_the_tools_own_arguments():
    spec = get_spec("compare_returns")
    result = run_tool("compare_returns", index="中证1000", report_period="latest")
    assert csv_name(spec, result) == "compare_returns_中证1000_report_period-latest.csv"


# --- no server internals ---------------------------------------------------------------------------------------


def test_csv_errors_and_provenance_name_the_upload_not_its_server_folder(tmp_path):
    bad = write(tmp_path, "bad_numbers.csv", "code,name,weight,turnover\n000001,平安银行,abc,100\n600000,浦发,x,5\n")
    spec, values = form("liquidity_shock", constituents=bad)
    out = run_form(spec, values)
    assert out.summary.startswith("⚠ **Check the input** — constituents:") and "bad_numbers.csv" in out.summary
    assert "/tmp" not in out.summary and str(tmp_path) not in out.summary
    empty = write(tmp_path, "header_only.csv", "code,name,weight,turnover\n")
    spec, values = form("liquidity_shock", constituents=empty)
    assert "header_only.csv has a header but no rows" in (summary := run_form(spec, values).summary)
    assert "/tmp" not in summary

    good = write(tmp_path, "mine.csv", FIVE)
    spec, values = form("liquidity_shock", constituents=good)
    out = run_form(spec, values)
    assert "mine.csv" in out.provenance and "/tmp" not in out.provenance + out.summary


def test_settings_and_corpus_status_show_no_server_folders(assistant):
    settings = assistant.retriever.settings
    shown = settings_markdown(assistant) + index_markdown(assistant) + status_line(assistant)
    for folder in (settings.data_dir, settings.reports_dir, settings.index_dir, settings.cache_dir, ROOT):
        assert str(folder) not in shown
    origins = reports_frame(assistant)["Origin"].value_counts()
    expected = f"| Reports | {origins.get('built-in', 0)} built-in, {origins.get('uploaded', 0)} uploaded"
    assert expected in settings_markdown(assistant)
    assert "sha256:" not in status_line(assistant)  # the model's name in the header, not a hash


# --- charts ----------------------------------------------------------------------------------------------------


def test_charts_size_to_their_container_with_the_legend_under_the_plot_and_a_clear_background():
    figures = [liquidity_chart(liquidity_shock("15亿", report_convention=True)),
               returns_chart(run_tool("compare_returns", index="中证1000"))]
    for fig in figures:
        layout = fig.layout
        assert layout.autosize and layout.width is None
        assert layout.legend.orientation == "h" and layout.legend.yref == "container" and layout.legend.y == 0
        assert layout.paper_bgcolor == layout.plot_bgcolor == "rgba(0,0,0,0)"
        lines = re.sub(r"<[^>]+>", "\n", layout.title.text).split("\n")
        assert all(len(line) <= 45 for line in lines), lines  # each title line fits a 244 px chart


def test_every_returns_line_has_its_own_colour_and_passive_funds_are_dashed():
    result = run_tool("compare_returns", index="中证1000", benchmark="000852")  # every fund compared to the index
    fig = returns_chart(result)
    types = {r["code"]: r["type"] for r in result.rows}
    assert len(fig.data) == 14 <= len(PALETTE)
    assert len({t.line.color for t in fig.data}) == len(fig.data)
    for trace in fig.data:
        dash = "solid" if types[trace.name.split()[0]] == "enhanced" else "dash"
        assert trace.line.dash == dash, trace.name
    assert any(s.line.dash == "dash" and s.y0 == 0 for s in fig.layout.shapes)  # the benchmark's zero line


# --- uploads ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "title"), [
    ("\n\n债券 ETF 年度观察（2024）\n\n截至2024年末，国内债券ETF共有二十只，规模合计约一千七百亿元。" * 2,
     "债券 ETF 年度观察（2024）"),
    ("# 债券ETF观察\n\n截至2024年末，国内债券ETF共有二十只，规模合计约一千七百亿元，做市商数量显著增加。" * 2,
     "债券ETF观察"),
    # a paragraph is no title: the file's name
    ("截至2024年末，国内债券ETF共有二十只，规模合计约一千七百亿元，做市商数量显著增加，信用债ETF的日均成交额"
     "在年内翻了一番，折溢价率保持在千分之二以内，交易所也推出了新的做市评价办法。\n第二段。", "bond_report"),
])
def test_a_text_report_is_titled_by_its_first_line(tmp_path, text, title):
    path = tmp_path / "bond_report.txt"
    path.write_text(text, encoding="utf-8")
    assert report_from_file(path, []).title == title
