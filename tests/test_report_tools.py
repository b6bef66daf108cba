"""The report-table and fund-fact tools on the real extracted tables, their registry, CLI and LangChain wrappers."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.lc_tools import langchain_tools
from assistant.tool_cli import add_tool_commands
from tools.fund_facts import fund_facts
from tools.registry import get_spec, run_tool
from tools.report_tables import conversions, rank_funds, rank_issuers
from tools.result import ToolInputError

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MINE = ["rank_issuers", "rank_funds", "fund_facts", "conversions"]


def test_rank_issuers_by_etf_count_cites_table_2():
    result = rank_issuers(by="etf_count", top=3)
    assert [(r["issuer"], r["etf_count"]) for r in result.rows] == [
        ("AJM Ventures", 157),
        ("Innovator", 139),
        ("PIMCO", 53),
    ]
    assert [s.table for s in result.sources] == ["表 2"]
    assert result.sources[0].report_id == "000_15c95f55b2fdec91"
    assert result.data["combined_aum_share_pct"] == pytest.approx(9.29 + 2.44 + 3.29)
    assert "AJM Ventures（157 只）" in result.summary


def test_rank_issuers_aum_per_etf_is_computed_from_table_2():
    first = rank_issuers(by="aum_per_etf", top=1).rows[0]
    assert first["issuer"] == "Dimensional Holdings"
    assert first["aum_per_etf_100m_usd"] == round(1707.79 / 41, 2)


def test_rank_funds_by_inflow_uses_table_3_only():
    result = rank_funds(by="inflow", top=12)
    assert result.rows[0]["ticker"] == "DYNF"
    assert result.rows[0]["inflow_usd_m"] == 11243.0
    assert {r["source_table"] for r in result.rows} == {"表 3"}
    assert len(result.rows) == 10  # 表 1-only funds have no inflow
    assert any("Only 10" in c for c in result.caveats)


def test_rank_funds_filters_asset_class_in_chinese_and_notes_discrepancies():
    result = rank_funds(by="fee", asset_class="固收", top=12, ascending=True)
    assert {r["asset_class"] for r in result.rows} == {"Fixed Income"}
    jaaa = next(r for r in result.rows if r["ticker"] == "JAAA")
    assert jaaa["fee_pct"] == 0.26 and "0.21%" in jaaa["note"]


def test_fund_facts_dfac():
    result = fund_facts("DFAC")
    facts = result.data["facts"]
    assert facts["fee_pct"] == {"表 1": 0.17}
    assert facts["aum_usd_m"] == {"表 1": 33630}
    assert facts["inception"] == {"表 1": "2021-06-14"}
    assert facts["converted_from_mutual_fund"] == {"表 4": "Dimensional Fund Advisors"}
    assert "0.17%" in result.summary and "33,630 百万美元" in result.summary
    assert {s.table for s in result.sources} == {"表 1", "表 4"}


def test_fund_facts_dynf_reports_the_discrepancy():
    result = fund_facts("dynf")
    fields = {d["field"]: d["values"] for d in result.data["discrepancies"]}
    assert fields["fee_pct"] == {"表 1": 0.3, "表 3": 0.27}
    assert fields["inception"] == {"表 1": "2019-03-21", "表 3": "2019-03-19"}
    assert result.data["facts"]["aum_usd_m"] == {"表 1, 表 3": 13470}
    assert "0.30%（表 1） / 0.27%（表 3）" in result.summary
    assert any("费率" in c for c in result.caveats)


@pytest.mark.parametrize("query", ["159680", "159680.SZ", "159680.sz"])
def test_fund_facts_chinese_code(query):
    result = fund_facts(query)
    facts = result.data["facts"]
    assert facts["manager"] == {"etf_facts.csv": "招商基金"}
    assert facts["mgmt_fee_pct"] == {"etf_facts.csv": 0.5}
    assert result.sources[0].kind == "data" and result.sources[0].as_of == "2025-04-20"
    assert "招商基金" in result.summary and "0.50%/年" in result.summary


def test_fund_facts_chinese_name_is_matched_fuzzily():
    result = fund_facts("国泰中证1000增强")
    assert result.data["ts_code"] == "159679.SZ"
    assert result.data["facts"]["manager"] == {"etf_facts.csv": "国泰基金"}
    assert all("国泰" in other for other in result.data["other_matches"])  # another manager's fund is no close match


@pytest.mark.parametrize(("query", "code"), [
    ("天弘中证1000增强", "159685.SZ"),  # 天弘's own, though 华泰柏瑞's 中证1000增强ETF resembles the words more
    ("招商1000增强", "159680.SZ"),
    ("华泰柏瑞中证1000增强ETF", "561590.SH"),
])
def test_a_stated_manager_is_the_funds_manager(query: str, code: str) -> None:
    result = fund_facts(query)
    assert result.data["ts_code"] == code, result.summary


@pytest.mark.parametrize(("query", "allowed"), [
    ("中证1000增强ETF", ["561590", "159679"]),  # two managers' funds share the name: neither is picked
    ("天弘中证500增强", ["159685"]),  # 天弘 has no CSI 500 enhanced fund: not its passive 500 ETF, not another's
])
def test_a_name_no_one_fund_answers_is_refused(query: str, allowed: list[str]) -> None:
    with pytest.raises(ToolInputError) as error:
        fund_facts(query)
    assert error.value.param == "query"
    assert all(any(a.startswith(code) for a in error.value.allowed) for code in allowed), error.value.allowed


def test_fund_facts_unknown_suggests_close_tickers():
    with pytest.raises(ToolInputError) as error:
        fund_facts("DFAK")
    assert error.value.param == "query"
    assert "DFAC" in error.value.allowed


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda: rank_issuers(by="size"), "by"),
        (lambda: rank_issuers(top=-1), "top"),
        (lambda: rank_issuers(top=0), "top"),
        (lambda: rank_issuers(top=11), "top"),
        (lambda: rank_funds(by="sharpe"), "by"),
        (lambda: rank_funds(asset_class="Commodity"), "asset_class"),
        (lambda: conversions(issuer="Vanguard"), "issuer"),
    ],
)
def test_bad_arguments_name_the_parameter(call, param):
    with pytest.raises(ToolInputError) as error:
        call()
    assert error.value.param == param
    assert error.value.allowed


def test_bad_by_lists_allowed_values():
    with pytest.raises(ToolInputError) as error:
        rank_issuers(by="size")
    assert error.value.allowed == ["aum", "etf_count", "aum_share", "aum_per_etf"]


def test_conversions_fuzzy_issuer():
    result = conversions("dimensional")
    assert [r["issuer"] for r in result.rows] == ["Dimensional Fund Advisors"]
    assert "DFAC" in result.rows[0]["tickers"] and result.rows[0]["examples"] == 7
    assert len(conversions().rows) == 15


def test_registry_specs_come_from_docstrings_and_hints():
    spec = get_spec("rank_issuers")
    by = spec.param("by")
    assert by.choices == ["aum", "etf_count", "aum_share", "aum_per_etf"] and by.default == "aum"
    assert spec.param("top").type == "int" and spec.param("ascending").type == "bool"
    assert get_spec("conversions").param("issuer").type == "str | None"
    for name in MINE:
        assert all(p.description for p in get_spec(name).params), name


def test_run_tool_coerces_strings_and_rejects_bad_input():
    assert run_tool("rank_issuers", by="etf_count", top="3", ascending="false").rows[0]["issuer"] == "AJM Ventures"
    with pytest.raises(ToolInputError) as error:
        run_tool("rank_issuers", top="three")
    assert error.value.param == "top"
    with pytest.raises(ToolInputError) as error:
        run_tool("no_such_tool")
    assert error.value.param == "tool" and "rank_issuers" in error.value.allowed


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="test")
    add_tool_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_json_output(capsys):
    assert _cli(["tool", "rank_issuers", "--by", "etf_count", "--top", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"tool", "args", "result", "summary", "sources"}
    assert out["args"] == {"by": "etf_count", "top": 3, "ascending": False}
    assert [r["issuer"] for r in out["result"]["rows"]] == ["AJM Ventures", "Innovator", "PIMCO"]
    assert out["sources"][0]["table"] == "表 2" and out["sources"][0]["label"]


def test_cli_bool_flags_and_readable_output(capsys):
    assert _cli(["tool", "rank_issuers", "--by", "etf_count", "--top", "1", "--ascending"]) == 0
    assert "Janus Henderson" in capsys.readouterr().out
    for flags in (["--ascending", "false"], ["--no-ascending"]):
        assert _cli(["tool", "rank_issuers", "--top", "1", *flags]) == 0
        out = capsys.readouterr().out
        assert "Dimensional Holdings" in out and "来源 source" in out


def test_cli_bad_argument_exits_2_naming_the_parameter(capsys):
    assert _cli(["tool", "rank_issuers", "--by", "size"]) == 2
    err = capsys.readouterr().err
    assert "by:" in err and "etf_count" in err and "Traceback" not in err
    assert _cli(["tool", "rank_issuers", "--top", "-1"]) == 2
    with pytest.raises(SystemExit) as exit_:
        _cli(["tool", "fund_facts"])
    assert exit_.value.code == 2


def test_cli_lists_tools(capsys):
    assert _cli(["tools"]) == 0
    out = capsys.readouterr().out
    assert "--by {aum,etf_count,aum_share,aum_per_etf}" in out and "fund_facts" in out


def test_langchain_tools_schemas_and_calls():
    tools = {t.name: t for t in langchain_tools()}
    assert set(MINE) <= set(tools)
    props = tools["rank_issuers"].tool_call_schema.model_json_schema()["properties"]
    assert props["by"]["enum"] == ["aum", "etf_count", "aum_share", "aum_per_etf"]
    assert props["top"]["type"] == "integer" and props["top"]["default"] == 10
    assert all(p.get("description") for p in props.values())
    assert tools["fund_facts"].tool_call_schema.model_json_schema()["required"] == ["query"]
    result = tools["rank_issuers"].invoke({"by": "etf_count", "top": 3})
    assert result["rows"][0]["issuer"] == "AJM Ventures"
    json.dumps(result, ensure_ascii=False)
    assert "by:" in tools["rank_issuers"].invoke({"by": "size"})
    assert "top:" in tools["rank_issuers"].invoke({"top": -1})


@pytest.mark.skipif(not (SHARED / "seeds").exists(), reason="needs ../shared/seeds")
def test_extracting_the_seed_reproduces_committed_tables(tmp_path):
    script = ROOT / "scripts" / "extract_tables.py"
    subprocess.run([sys.executable, script, "--out", tmp_path], check=True, capture_output=True)
    committed = ROOT / "corpus" / "tables"
    names = sorted(p.name for p in committed.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name


@pytest.mark.skipif(not (SHARED / "data").exists(), reason="needs ../shared/data")
def test_deriving_etf_facts_reproduces_committed_table(tmp_path):
    out = tmp_path / "etf_facts.csv"
    subprocess.run([sys.executable, ROOT / "scripts" / "derive_etf_facts.py", "--out", out], check=True)
    assert out.read_bytes() == (ROOT / "corpus" / "market" / "etf_facts.csv").read_bytes()


@pytest.mark.skipif(not (ROOT / "assistant" / "__main__.py").exists(), reason="main CLI not present yet")
def test_main_cli_runs_tool_commands():
    command = [sys.executable, "-m", "assistant", "tool", "rank_issuers", "--by", "etf_count", "--top", "3"]
    ok = subprocess.run([*command, "--json"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["result"]["rows"][0]["issuer"] == "AJM Ventures"
    bad = subprocess.run([*command, "--ascending", "maybe"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "ascending" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize(("issuer", "found"), [
    ("Dimensonal", "Dimensional Fund Advisors"), ("jpmorgn", "JPMorgan Chase"), ("iShares", None), ("Vanguard", None)])
def test_an_issuer_is_matched_through_a_typo_but_never_to_another_issuer(issuer: str, found: str | None) -> None:
    if found is None:
        with pytest.raises(ToolInputError, match="no issuer in 表 4 matches"):
            run_tool("conversions", issuer=issuer)
    else:
        assert [r["issuer"] for r in run_tool("conversions", issuer=issuer).rows] == [found]
