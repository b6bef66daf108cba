"""The corpus files: metadata from shared/README.md, headings, repaired tables, and chunking for citation."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from assistant.corpus.chunking import CHUNK_CHARS, chunk_corpus, chunk_report, split_sentences
from assistant.corpus.reports import CorpusError, load_reports, parse_report
from assistant.settings import ROOT
from tests.conftest import SHARED

REPORTS = load_reports(ROOT / "corpus" / "reports")
BY_ID = {r.id[:3]: r for r in REPORTS}


def test_three_reports_with_metadata_from_shared_readme():
    assert sorted(BY_ID) == ["000", "003", "004"]
    assert BY_ID["000"].publisher == "中证指数有限公司"
    assert BY_ID["003"].authors == ["于明明"]
    assert BY_ID["004"].authors == ["吕思江", "马晨"]
    assert BY_ID["004"].date == "2023-02-13"
    assert all(r.language == "zh" and r.title for r in REPORTS)


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds is not present")
def test_build_script_reproduces_committed_corpus(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_corpus.py"), "--out", str(tmp_path)], check=True)
    for path in (ROOT / "corpus" / "reports").glob("*.md"):
        assert (tmp_path / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), path.name


def _table(report_body: str, caption: str) -> list[str]:
    lines = report_body.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(caption))
    table = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            table.append(line)
        elif table and line.strip():
            break
    return table


def test_tables_are_markdown_with_split_rows_repaired():
    body = BY_ID["000"].body
    table1 = _table(body, "表 1")
    assert len(table1) == 2 + 10
    assert any("| JAAA | Janus Detroit Street Trust Janus Henderson AAA CLO ETF |" in row for row in table1)
    assert "CLO ETF\n" not in body.replace("AAA CLO ETF", "")
    table2 = _table(body, "表 2")
    assert len(table2) == 2 + 10 and table2[-1].startswith("| Innovator | 139 |")
    assert len(_table(body, "表 4")) == 2 + 15


def test_headings_are_marked_and_page_breaks_rejoined():
    assert "## 一、美国主动管理 ETF 市场呈“高速”增长态势" in BY_ID["000"].body
    assert "### （一）主动管理 ETF 规模延续增长趋势，行业格局稳中有变" in BY_ID["000"].body
    assert "62%提升至 64%" in BY_ID["000"].body
    assert "#### 6.4 股指期货投资与基差管理" in BY_ID["003"].body


def test_parse_report_rejects_files_without_front_matter():
    with pytest.raises(CorpusError, match="front matter"):
        parse_report("just text", "upload.md")
    with pytest.raises(CorpusError, match="'id' and 'title'"):
        parse_report("---\nfoo: bar\n---\nbody", "upload.md")


def test_chunks_carry_report_section_and_page():
    chunks = chunk_corpus(REPORTS)
    assert len({c.id for c in chunks}) == len(chunks)
    for chunk in chunks:
        assert chunk.report_id and chunk.title and chunk.section and chunk.text.strip()
        assert "[page::" not in chunk.text
    huaxin = [c for c in chunks if c.report_id.startswith("004")]
    shock = next(c for c in huaxin if "超过半数(525只)" in c.text)
    assert shock.page == 7 and shock.section == "速读内容"


def test_chunks_end_on_sentence_boundaries_and_stay_small():
    for chunk in chunk_report(BY_ID["003"]):
        if chunk.kind == "text":
            assert len(chunk.text) <= CHUNK_CHARS + 300
            assert re.search(r"[。；！？!?\]\)）:：\w%]$", chunk.text.strip()), chunk.text[-20:]


def test_table_chunks_repeat_header_row():
    tables = [c for c in chunk_report(BY_ID["000"]) if c.kind == "table"]
    assert len(tables) >= 4
    for chunk in tables:
        lines = chunk.text.splitlines()
        header = next(i for i, line in enumerate(lines) if line.startswith("|"))
        assert lines[header + 1].startswith("| ---")
    first_t1 = [c for c in tables if c.text.startswith("表 1")]
    assert len(first_t1) >= 2 and len({c.text.splitlines()[1] for c in first_t1}) == 1


def test_consecutive_chunks_overlap():
    chunks = [c for c in chunk_report(BY_ID["000"]) if c.section == "摘要"]
    assert len(chunks) >= 2
    tail = split_sentences(chunks[0].text.replace("\n", ""))[-1]
    assert tail in chunks[1].text


def test_a_broken_user_report_is_skipped_with_a_reason(tmp_path):
    (tmp_path / "good.md").write_text("---\nid: good\ntitle: 好报告\n---\n\n正文。\n", encoding="utf-8")
    (tmp_path / "bad.md").write_text("no front matter here", encoding="utf-8")
    problems: list[str] = []
    assert [r.id for r in load_reports(tmp_path, problems)] == ["good"]
    assert len(problems) == 1 and "bad.md" in problems[0] and "front matter" in problems[0]
    with pytest.raises(CorpusError):
        load_reports(tmp_path)
