"""`python -m assistant ask` end to end in a subprocess: JSON lines, citations, batch errors, not-found."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.answers import states_figures
from assistant.cli import main, read_questions

KEYS = {"question", "answer", "status", "citations", "tool_calls", "latency_ms"}


def run_ask(*args: str) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", *args], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> list[dict]:
    path = tmp_path_factory.mktemp("ask") / "questions.txt"
    lines = ["截至2024年底，美国市场共有多少只主动管理ETF？", "\u0000\u0001", "比特币今天的价格是多少？"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return run_ask("--file", str(path), "x" * 20_000, "What share of ETF inflows went to active ETFs in 2024?")


def test_one_json_object_per_question_in_order(batch):
    assert len(batch) == 5
    assert all(set(item) >= KEYS for item in batch)
    assert batch[0]["question"].startswith("截至2024年底")
    assert batch[-1]["question"].startswith("What share")


def test_fact_question_is_answered_with_citation_to_the_annual_report(batch):
    first = batch[0]
    assert first["status"] == "answered" and "1,696" in first["answer"]
    assert "[1]" in first["answer"]
    cited = first["citations"][0]
    assert cited["report_id"] == "000_15c95f55b2fdec91" and "1,696" in cited["text"]
    assert {"n", "report_id", "title", "section", "page", "text"} <= set(cited)


def test_bad_questions_yield_error_lines_and_the_batch_goes_on(batch):
    control, huge = batch[1], batch[3]
    assert control["status"] == "error" and "empty" in control["answer"]
    assert huge["status"] == "error" and "20,000" in huge["answer"] and "limit" in huge["answer"]
    assert batch[4]["status"] == "answered" and "26%" in batch[4]["answer"]


def test_uncovered_question_is_not_found_without_numbers(batch):
    off_topic = batch[2]
    assert off_topic["status"] == "not_found" and off_topic["citations"] == []
    assert not states_figures(off_topic["answer"])  # digits only inside the report titles it names


def test_missing_question_file_is_a_clear_error():
    proc = subprocess.run([sys.executable, "-m", "assistant", "ask", "--file", "/no/such/file.txt"],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "does not exist" in proc.stderr


def test_a_gbk_file_with_a_blank_line_gives_one_line_per_input_line(tmp_path):
    """User sees: a question file saved in GBK (as Windows Notepad in China saves it) is read; a blank line gets its
    own error line, so output line n answers input line n."""
    path = tmp_path / "gbk.txt"
    path.write_bytes("截至2024年底，美国市场共有多少只主动管理ETF？\n\n按ETF数量给发行商排名\n".encode("gbk"))
    lines = run_ask("--file", str(path))
    assert [line["status"] for line in lines] == ["answered", "error", "answered"]
    assert "1,696" in lines[0]["answer"] and "AJM Ventures" in lines[2]["answer"]


@pytest.mark.parametrize(("content", "message"), [(None, "is a folder"),
                                                  (b"\xff\xfe\xfa bad", "neither UTF-8 nor GBK")])
def test_an_unreadable_question_file_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "questions"
    path.mkdir() if content is None else path.write_bytes(content)
    with pytest.raises(SystemExit, match=message):
        read_questions(path)


@pytest.mark.parametrize(("args", "message"), [
    (["--fund-size", "-5亿"], "fund_size: must be positive, got '-5亿'"),
    (["--fund-size", "15亿", "--build-days", "-1"], "build_days: must be a positive whole number"),
])
def test_a_negative_value_on_the_command_line_reaches_the_tool(args, message):
    """User sees: the tool's own refusal of -5亿 (not argparse's 'expected one argument')."""
    proc = subprocess.run([sys.executable, "-m", "assistant", "tool", "liquidity_shock", *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and message in proc.stderr and "expected one argument" not in proc.stderr


def test_a_tool_whose_reader_closed_the_pipe_stops_quietly(monkeypatch):
    """`python -m assistant tool … | head -1` is how people skim output: when the reader has gone, the tool stops
    with the shell's SIGPIPE status instead of a traceback (a real pipe whose reading end is closed)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    with os.fdopen(write_end, "w") as closed_pipe:
        monkeypatch.setattr(sys, "stdout", closed_pipe)
        assert main(["tool", "rank_funds", "--by", "fee", "--top", "3"]) == 141
