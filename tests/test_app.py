"""The app without a browser: rendering of real tool events and answers (HTML answers and their plain copy text),
chat handlers (stop, regenerate, edit, conversations kept in the browser's store, exports), analyst forms generated
from the tool specs, report uploads into a scratch index, the named API through gradio_client, and serving rules."""

from __future__ import annotations

import html
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client

from assistant.answers import Answer, Citation
from assistant.corpus.ingest import MAX_BYTES, MAX_CHUNKS, IngestError, add_report, report_from_file
from assistant.events import AnswerToken, FinalAnswer, PassagesRetrieved, ToolFinished, ToolStarted
from assistant.search.retrieval import Retriever
from assistant.service import Assistant, Session
from assistant.settings import Settings
from assistant.ui.analyst import OMIT, form_args, param_input, run_form
from assistant.ui.app import FAILED_LOGIN_DELAY, build_app, is_loopback, launch, serve
from assistant.ui.chat import Chat, message_text
from assistant.ui.conversation import MAX_CONVERSATIONS, Conversation, Library, Turn
from assistant.ui.corpus import brain, reports_frame, settings_markdown, upload, warnings_markdown
from assistant.ui.render import ChatTurn, answer_html, answer_text, citation_html, highlight, markdown_table, where
from tools.registry import get_spec, run_tool

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "截至2024年底，美国市场共有多少只主动管理ETF？"
LIQUIDITY_QUESTION = "一只15亿元的中证1000指增ETF用20个交易日建仓，会对多少只成分股造成超过5%的流动性冲击？"


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.create()


def tool_events(name: str, call_id: str = "call-1", **args) -> tuple[ToolStarted, ToolFinished]:
    """The events the agent emits around a real tool call."""
    result = run_tool(name, **args)
    return (ToolStarted(call_id=call_id, name=name, args=args),
            ToolFinished(call_id=call_id, name=name, args=args, status="ok", summary=result.summary, duration_ms=1234,
                         result=result.model_dump(mode="json")))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- rendering -----------------------------------------------------------------------------------------------------

TAG = re.compile(r"</?[a-zA-Z][^>]*>")  # an HTML tag, which copied text and aria-labels must not hold
COPY = re.compile(r'data-copy="([^"]*)"')


def test_tool_calls_are_steps_under_one_collapsed_line_a_finish_replacing_its_start():
    started, finished = tool_events("rank_issuers", top=3)
    turn = ChatTurn()
    turn.apply(started)
    summary, running = turn.messages
    assert summary["metadata"]["title"] == "How this was answered" and summary["metadata"]["status"] == "done"
    assert summary["metadata"]["log"] == "running rank_issuers…"
    assert running["metadata"]["parent_id"] == summary["metadata"]["id"]  # nested: hidden until the line is opened
    assert running["metadata"]["status"] == "pending" and running["metadata"]["title"] == "Tool call · rank_issuers"
    assert "`top` = `3`" in running["content"]

    turn.apply(finished)
    summary, done = turn.messages  # the finish replaces the start
    assert summary["metadata"]["log"] == "rank_issuers" and summary["metadata"]["duration"] == 1.23
    assert done["metadata"]["status"] == "done" and done["metadata"]["duration"] == 1.23
    assert "| rank | issuer | etf_count |" in done["content"]
    assert "| 1 | Dimensional Holdings | 41 | 1,707.79 |" in done["content"]
    assert "主动管理 ETF 发展年度报告（2024）, 表 2" in done["content"]  # provenance: report and table


def test_a_charting_tool_puts_its_chart_after_the_answer_outside_the_collapsed_steps():
    _, finished = tool_events("liquidity_shock", fund_size="15亿", top=5)
    turn = ChatTurn()
    turn.apply(finished)
    turn.apply(FinalAnswer(answer=Answer(question="q", answer="见图。", status="answered")))
    _, call, answer, chart = turn.messages
    assert call["metadata"]["title"] == "Tool call · liquidity_shock"
    assert isinstance(answer["content"], gr.HTML) and 'class="copy-answer"' in answer["content"].value
    assert isinstance(chart["content"], gr.Plot) and "metadata" not in chart


def test_a_failed_tool_call_shows_the_error_and_no_chart():
    failed = ToolFinished(call_id="c", name="liquidity_shock", args={"fund_size": "-1"}, status="error",
                          summary="fund_size: must be positive", duration_ms=3)
    turn = ChatTurn()
    turn.apply(failed)
    _, message = turn.messages
    assert message["metadata"]["log"] == "failed"
    assert "**Error** fund_size: must be positive" in message["content"]


def test_tokens_stream_into_one_answer_that_the_final_answer_replaces_with_linked_sources():
    citation = Citation(n=1, report_id="r", title="报告", section="摘要", page=3, text="第一句。第二句有数字 42。",
                        quote="第二句有数字 42。")
    turn = ChatTurn()
    turn.apply(PassagesRetrieved(query="q", passages=[citation]))
    turn.apply(AnswerToken(text="第二句"))
    turn.apply(AnswerToken(text="有数字 42。"))
    assert turn.messages[-1]["content"] == "第二句有数字 42。"
    turn.apply(FinalAnswer(answer=Answer(question="q", answer="第二句有数字 42。[1]", status="answered",
                                         citations=[citation])))
    _, passages, answer = turn.messages
    assert passages["metadata"]["title"] == "Searched the reports"
    shown = answer["content"].value
    anchor = f"src-{turn.key}-1"
    assert f'<a class="cite" href="#{anchor}" title="报告 — 摘要 · p. 3: 第二句有数字 42。"' in shown
    assert f'<details class="source" id="{anchor}">' in shown and "<mark>第二句有数字 42。</mark>" in shown


def test_a_source_shows_its_page_and_never_page_zero_with_report_html_escaped():
    citation = Citation(n=2, report_id="r", title="A <b>title</b>", section="一 > 二", page=9,
                        text="Before <script>.\n引用的句子。After.", quote="引用的句子")
    shown = citation_html(citation, "k")
    assert shown.startswith('<details class="source" id="src-k-2"><summary><span class="source-n">2</span>')
    assert "A &lt;b&gt;title&lt;/b&gt;" in shown and "一 › 二 · p. 9" in shown
    assert "Before &lt;script&gt;.<br><mark>引用的句子。</mark>After." in shown
    assert "\n" not in shown
    unknown = [where(citation.model_copy(update={"page": page})) for page in (0, None)]
    assert unknown == ["一 › 二", "一 › 二"]  # no 'p. 0': the page is left out when not known


def test_the_highlight_covers_the_whole_quoted_sentence_even_when_a_name_holds_a_full_stop(assistant):
    """The answer's sentences are cut at '. ', so a quote can start inside 'Dimensional U.S. Core …': the highlight
    is the passage's whole sentence all the same."""
    answer = assistant.ask("What is DFAC's fee and AUM?")
    cited = [c for c in answer.citations if c.quote and "AVUV" in c.text]
    assert cited, answer.citations
    sentence = ("Dimensional U.S. Core Equity 2 ETF（DFAC）和 Avantis U.S. Small Cap Value ETF（AVUV）"
                "则聚焦估值较低、盈利能力较强的小市值股票。")
    assert f"<mark>{sentence}</mark>" in highlight(cited[0].text, cited[0].quote)
    assert f"“{sentence}”" in answer_text(answer)


def test_report_html_quoted_in_an_answer_is_shown_not_rendered():
    answer = Answer(question="q", answer='报告写道：<img src=x onerror="alert(1)"> <b>重要</b> [1]', status="answered",
                    warnings=["<script>x</script>"])
    shown = answer_html(answer, "k")
    assert "<img" not in shown and "<b>" not in shown and "<script>" not in shown
    assert "&lt;b&gt;重要&lt;/b&gt;" in shown


def test_markdown_table_aligns_numbers_escapes_pipes_and_says_how_many_rows_are_left_out():
    rows = [{"name": "a|b", "value": 1.5, "flag": True}, {"name": "c", "value": None, "flag": False}]
    table = markdown_table(rows, limit=1)
    assert table.splitlines()[:3] == ["| name | value | flag |", "|---|---:|---|", "| a\\|b | 1.5 | yes |"]
    assert "1 more rows" in table


def test_copied_answer_is_its_text_and_numbered_sources_with_pages_and_no_markup(assistant):
    answer = assistant.ask(LIQUIDITY_QUESTION)
    copied = answer_text(answer)
    assert copied.startswith(answer.answer) and not TAG.search(copied)
    assert "\n\nSources:\n- [1] " in copied and len(re.findall(r"^- \[\d+\] ", copied, re.M)) == len(answer.citations)
    pages = [c.page for c in answer.citations if c.page]
    assert pages and all(f"p. {page}" in copied for page in pages) and "p. 0" not in copied
    shown = answer_html(answer, "k")  # the page carries the same text for its copy button and screen readers
    assert f'data-copy="{html.escape(copied)}"' in shown


def test_an_error_says_so_and_tells_a_web_user_nothing_meant_for_the_command_line_or_the_server(assistant):
    long = assistant.ask("多少只ETF？" * 400)
    assert long.status == "error" and "ask --file" in long.answer  # the agent's wording, for the CLI
    shown = answer_html(long, "k")
    assert 'class="answer error"' in shown and "⚠ Could not answer" in shown and "2,000" in shown
    assert "ask --file" not in shown and "ask --file" not in answer_text(long)

    failed = Answer(question="q", answer="internal error: FileNotFoundError: /srv/app/index/x.bin", status="error")
    assert "/srv" not in answer_html(failed, "k") and "FileNotFoundError" in answer_text(failed)


def test_an_unknown_fund_code_is_shown_as_an_error_naming_it(assistant):
    answer = assistant.ask("基金 123456 的费率是多少？")
    assert answer.status == "error"
    shown = answer_html(answer, "k")
    assert 'class="answer error"' in shown and "⚠ Could not answer" in shown and "123456" in shown


# --- chat handlers with the real assistant ---------------------------------------------------------------------------


def test_an_agent_turn_shows_its_tool_calls_chart_and_the_searched_passages(assistant):
    turn = ChatTurn()
    for event in assistant.stream(LIQUIDITY_QUESTION, Session()):
        turn.apply(event)
    calls = {m["metadata"]["title"]: m for m in turn.messages if m.get("metadata")}
    assert {"How this was answered", "Tool call · liquidity_shock", "Tool call · search_reports"} <= set(calls)
    assert "Searched the reports" not in calls  # the search call lists its passages itself
    assert "- [1] 指增 ETF 产品解析" in calls["Tool call · search_reports"]["content"]
    assert all(m["metadata"]["status"] == "done" for m in calls.values())
    *_, answer, chart = turn.messages
    assert isinstance(chart["content"], gr.Plot)
    assert '<details class="source"' in answer["content"].value


def ask(chat: Chat, question: str, library: Library) -> tuple:
    """The chat's outputs after a question: (question box, messages, store, list, ask, stop, export)."""
    *_, last = chat.send(question, library)
    return last


def test_ask_streams_the_question_then_the_answer_and_keeps_the_conversation_in_the_store(assistant, tmp_path):
    chat, library = Chat(assistant, tmp_path), Library()
    updates = list(chat.send(QUESTION, library))
    box, messages, *_, ask_button, stop_button, _ = updates[0]
    assert box == "" and messages == [{"role": "user", "content": QUESTION}]
    assert stop_button.visible and not ask_button.visible  # while it streams, Stop replaces Ask
    _, messages, store, listed, ask_button, stop_button, _ = updates[-1]
    assert ask_button.visible and not stop_button.visible and not library.busy
    assert "1,696" in messages[-1]["content"].value and len(library.current.session().history) == 1
    assert store["current"] == library.current.id and store["conversations"][0]["turns"][0]["question"] == QUESTION
    assert listed.choices == [(f"{QUESTION} · {library.current.updated[:10]}", library.current.id)]


def test_a_reopened_conversation_shows_what_was_shown_and_answers_follow_ups_in_its_context(assistant, tmp_path):
    chat, library = Chat(assistant, tmp_path), Library()
    _, shown, store, *_ = ask(chat, QUESTION, library)
    chat.new_conversation(library)
    ask(chat, LIQUIDITY_QUESTION, library)
    stored = json.loads(json.dumps(library.store()))  # what the browser keeps, through JSON

    reloaded, messages, listed = Chat.restore(stored)  # a reload reopens the conversation that was on screen
    assert reloaded.current.turns[0].question == LIQUIDITY_QUESTION and [c[1] for c in listed.choices] == [
        reloaded.current.id, store["current"]]
    _, messages, *_ = chat.reopen(store["current"], reloaded)
    assert [m.get("metadata", {}).get("title") for m in messages] == [m.get("metadata", {}).get("title")
                                                                       for m in shown]
    assert COPY.search(messages[-1]["content"].value)[1] == COPY.search(shown[-1]["content"].value)[1]
    _, messages, *_ = ask(chat, "来自多少家发行商？", reloaded)  # a follow-up: the earlier answer is its context
    assert "239" in reloaded.current.turns[-1].answer.answer
    assert [t.question for t in reloaded.current.turns] == [QUESTION, "来自多少家发行商？"]


def test_stop_keeps_what_streamed_as_stopped_and_a_second_question_waits_for_it(assistant, tmp_path):
    chat, library = Chat(assistant, tmp_path), Library()
    answering = chat.send(LIQUIDITY_QUESTION, library)
    next(answering)
    next(answering)  # the first event has arrived
    assert library.busy
    with pytest.warns(UserWarning, match="press Stop to ask another"):  # shown to the user as a warning toast
        [waiting] = chat.send("另一个问题", library)  # not run alongside, not queued: the box keeps the question
    assert waiting[0] == gr.skip() and len(library.current.turns) == 1
    _, messages, store, _, ask_button, stop_button, _ = chat.stop(library)
    assert ask_button.visible and not stop_button.visible and not library.busy
    assert "Stopped before the answer was finished." in messages[-1]["content"].value
    assert store["conversations"][0]["turns"][0]["stopped"] is True
    assert list(answering) == []  # what the cancelled answer still computes is not added
    assert library.current.turns[0].answer is None and library.current.session().history == []
    _, messages, *_ = ask(chat, QUESTION, library)  # the next question is answered at once
    assert "1,696" in messages[-1]["content"].value


def test_regenerate_asks_the_last_question_again_and_edit_replaces_the_question_and_what_followed(assistant,
                                                                                                  tmp_path):
    chat, library = Chat(assistant, tmp_path), Library()
    ask(chat, QUESTION, library)
    _, messages, *_ = ask(chat, "来自多少家发行商？", library)
    first_key = library.current.turns[1].view.key
    *_, (_, messages, *_) = chat.regenerate(library, gr.RetryData(None, {"index": len(messages) - 1, "value": ""}))
    assert [t.question for t in library.current.turns] == [QUESTION, "来自多少家发行商？"]
    assert library.current.turns[1].view.key != first_key and "239" in library.current.turns[1].answer.answer

    edited = {"index": 0, "value": LIQUIDITY_QUESTION, "previous_value": QUESTION}
    *_, (_, messages, *_) = chat.edit(library, gr.EditData(None, edited))
    assert [t.question for t in library.current.turns] == [LIQUIDITY_QUESTION]
    assert messages[0] == {"role": "user", "content": LIQUIDITY_QUESTION}
    assert [a.question for a in library.current.session().history] == [LIQUIDITY_QUESTION]


def test_feedback_and_json_lines_export_are_written_to_the_data_folder(assistant, tmp_path):
    chat, library = Chat(assistant, tmp_path), Library()
    _, messages, *_ = ask(chat, QUESTION, library)
    # the thumbs under a grouped answer report the group's first message (the "How this was answered" line)
    chat.feedback(library, gr.LikeData(None, {"index": 1, "value": messages[1], "liked": False}))
    [record] = [json.loads(line) for line in chat.feedback_path.read_text(encoding="utf-8").splitlines()]
    assert record["liked"] is False and record["question"] == QUESTION and record["session"] == library.current.id
    assert "1,696" in record["answer"] and not TAG.search(record["answer"])
    assert record["steps"] == ["Tool call · search_reports"]

    offered = Path(chat.export_jsonl(library).value["path"])  # Gradio serves a copy of the file it is given
    [exported] = (tmp_path / "exports").glob("*.jsonl")
    assert offered.name == exported.name and exported.name.startswith(f"conversation-{library.current.id[:12]}-")
    [line] = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert line["question"] == QUESTION and line["citations"] and line["session"] == library.current.id


def test_markdown_export_holds_questions_answers_sources_and_tool_inputs_and_results(assistant, tmp_path):
    chat, library = Chat(assistant, tmp_path), Library()
    ask(chat, QUESTION, library)
    ask(chat, LIQUIDITY_QUESTION, library)
    offered = Path(chat.export_markdown(library).value["path"])
    [exported] = (tmp_path / "exports").glob("*.md")
    assert offered.name == exported.name
    text = exported.read_text(encoding="utf-8")
    assert not TAG.search(text)
    first, second = library.current.turns
    assert f"## 1. {QUESTION}" in text and f"## 2. {LIQUIDITY_QUESTION}" in text
    assert answer_text(first.answer) in text and answer_text(second.answer) in text  # answers with their sources
    assert "Sources:\n- [1] " in text
    assert "**liquidity_shock** · **Arguments**" in text and "`fund_size` = `\"15亿\"`" in text  # tool inputs
    shock = next(e for e in second.events if isinstance(e, ToolFinished) and e.name == "liquidity_shock")
    assert shock.summary in text and "| code | name |" in text  # and results: summary and every row
    assert all(f"| {row['code']} |" in text for row in shock.result["rows"])


def test_the_store_keeps_the_newest_conversations_within_its_budget(assistant):
    answer = assistant.ask(QUESTION)
    library = Library()
    for i in range(MAX_CONVERSATIONS + 2):
        library.open(Conversation(turns=[Turn(question=f"{QUESTION} {i}", events=[FinalAnswer(answer=answer)])]))
        library.touch()
    stored = library.store()
    assert len(stored["conversations"]) == MAX_CONVERSATIONS == len(library.choices())
    assert stored["conversations"][0]["id"] == library.current.id  # newest first
    assert Library.load({"version": 0, "conversations": stored["conversations"]}).conversations == []
    broken = Library.load({**stored, "conversations": [{"turns": "not a list"}, *stored["conversations"][:2]]})
    assert len(broken.conversations) == 2 and broken.current.id == library.current.id


def test_message_text_reads_gradio_normalised_content():
    assert message_text({"content": [{"type": "text", "text": "a"}, {"type": "component"}]}) == "a"
    assert message_text({"content": "b"}) == "b"


# --- analyst forms -----------------------------------------------------------------------------------------------


def test_liquidity_form_is_generated_from_the_signature():
    spec = get_spec("liquidity_shock")
    with gr.Blocks():
        inputs = {p.name: param_input(spec, p) for p in spec.params}
    assert isinstance(inputs["constituents"], gr.File)
    assert isinstance(inputs["report_convention"], gr.Checkbox)
    assert isinstance(inputs["build_days"], gr.Number) and inputs["build_days"].precision == 0
    assert isinstance(inputs["threshold"], gr.Number) and inputs["threshold"].value == 0.05
    assert isinstance(inputs["fund_size"], gr.Textbox) and inputs["fund_size"].value == "15亿"
    assert isinstance(inputs["unit"], gr.Dropdown) and inputs["unit"].value == OMIT
    assert inputs["threshold"].info.startswith("shock level")  # help text from the docstring


def form_defaults(name: str) -> tuple:
    spec = get_spec(name)
    with gr.Blocks():
        return spec, tuple(param_input(spec, p).value for p in spec.params)


def test_liquidity_form_runs_with_its_defaults_to_a_table_chart_provenance_and_csv():
    spec, values = form_defaults("liquidity_shock")
    assert "unit" not in form_args(spec, values)  # empty optional inputs leave the tool's default
    out = run_form(spec, values)
    assert "15亿" in out.summary and out.chart is not None
    assert len(out.table) == 20 and {"Code", "Name", "Daily buy / turnover (%)"} <= set(out.table.columns)
    assert out.provenance.startswith("**Sources**") and "图表17" in out.provenance
    assert Path(out.csv).read_text(encoding="utf-8-sig").splitlines()[0].startswith("Code,Name,Weight (%),")


def test_liquidity_form_takes_an_uploaded_constituents_csv(tmp_path):
    csv = tmp_path / "mine.csv"
    csv.write_text("code,name,weight,turnover\n000001,平安银行,60%,1000000000\n600000,浦发银行,40%,50000000\n",
                   encoding="utf-8")
    spec, values = form_defaults("liquidity_shock")
    values = tuple(str(csv) if p.name == "constituents" else v for p, v in zip(spec.params, values, strict=True))
    out = run_form(spec, values)
    assert set(out.table["Code"]) == {"000001", "600000"}


def test_a_bad_form_input_is_a_message_naming_the_parameter():
    spec, values = form_defaults("rank_issuers")
    values = tuple(99 if p.name == "top" else v for p, v in zip(spec.params, values, strict=True))
    out = run_form(spec, values)
    assert out.summary.startswith("⚠ **Check the input** — top:") and out.table is None and out.csv is None


# --- corpus uploads ----------------------------------------------------------------------------------------------


@pytest.fixture
def scratch(tmp_path, assistant) -> Retriever:
    """A retriever over the real corpus with its own index and data folder (vectors come from the embedding cache)."""
    retriever = Retriever(Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data"),
                          embedder=assistant.retriever.embedder)
    retriever.refresh()
    return retriever


REPORT = """---
id: test_bond_etf
title: 债券 ETF 流动性观察
publisher: 测试证券
date: '2025-01-02'
---

# 债券 ETF 流动性观察

## 摘要

截至2024年末，国内债券ETF共有二十只，规模合计约一千七百亿元，做市商数量显著增加。
信用债ETF的日均成交额在年内翻了一番，折溢价率保持在千分之二以内。
"""


def test_an_uploaded_report_is_indexed_incrementally_and_searchable(scratch, tmp_path):
    before = len(scratch.chunks)
    corpus_files = sorted((ROOT / "corpus" / "reports").iterdir())
    upload = tmp_path / "bond.md"
    upload.write_text(REPORT, encoding="utf-8")
    done = add_report(scratch, upload)
    assert done.report.id == "test_bond_etf" and done.report.source == "upload: bond.md"
    assert done.path == tmp_path / "data" / "reports" / "test_bond_etf.md"
    assert done.sync.added == done.chunks and done.sync.removed == 0 and done.sync.unchanged == before
    assert len(scratch.chunks) == before + done.chunks
    assert scratch.search("信用债ETF日均成交额").passages[0].chunk.report_id == "test_bond_etf"
    assert sorted((ROOT / "corpus" / "reports").iterdir()) == corpus_files  # the shipped corpus is untouched
    assert reports_frame(Assistant(scratch)).set_index("ID").loc["test_bond_etf", "Origin"] == "uploaded"

    with pytest.raises(IngestError, match="already indexed"):
        add_report(scratch, upload)
    assert len(scratch.chunks) == before + done.chunks


def sections(count: int) -> str:
    """A report of `count` one-chunk sections whose text no cache has seen (so each chunk is really embedded)."""
    def body(i: int) -> str:
        return "。".join(f"债券ETF样本{uuid.uuid4().hex[:6]}的日均成交额为{i * j}亿元" for j in range(12))

    return "".join(f"## 第{i}节 {uuid.uuid4().hex[:8]}\n\n{body(i)}。\n\n" for i in range(count))


def test_an_upload_over_the_chunk_cap_is_refused_before_any_embedding(scratch, tmp_path):
    path = tmp_path / "huge.md"
    path.write_text("# 超长报告\n\n" + sections(MAX_CHUNKS + 5), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(IngestError, match=f"more than one upload may add \\({MAX_CHUNKS:,}"):
        add_report(scratch, path)
    assert time.perf_counter() - started < 60  # refused after chunking, not after hours of embedding
    assert not (tmp_path / "data" / "reports").exists()


def test_an_upload_embeds_in_the_background_with_progress_while_questions_are_answered(scratch, tmp_path):
    """40 new chunks (~10 s of embedding): the tab shows chunk counts as they grow, a chat question is answered
    meanwhile, a second upload is refused rather than queued, and the last message says what was added."""
    path = tmp_path / "slow.md"
    path.write_text("# 债券ETF样本观察\n\n" + sections(40), encoding="utf-8")
    other = tmp_path / "other.md"
    other.write_text(REPORT, encoding="utf-8")
    app = Assistant(scratch)
    messages, answered, refused = [], [], []
    for message, *_ in upload(app, str(path), "", "", ""):
        messages.append(message)
        if "embedding chunk" in message and not answered:
            answered.append(app.ask("按ETF数量排前三的发行商是谁？"))
            with pytest.raises(IngestError, match="another report is being indexed") as exc:
                add_report(scratch, other)
            refused.append(exc)
    progress = [m for m in messages if "embedding chunk" in m]
    assert progress and "of 40" in progress[-1], messages
    assert answered and answered[0].status == "answered" and answered[0].tool_calls[0].name == "rank_issuers"
    assert refused and messages[-1].startswith("✓ Added **债券ETF样本观察**") and "40 embedded" in messages[-1]
    assert add_report(scratch, other).report.id == "test_bond_etf"  # the lock is free again
    (handler,) = [f for f in build_app(app).fns.values() if getattr(f.fn, "func", None) is upload]
    assert handler.types_generator  # the button streams these messages


def minimal_pdf(pages: list[str]) -> bytes:
    """A small valid PDF with one Helvetica text line per input line (ASCII only)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for text in pages:
        shown = "".join(f"({line}) Tj T* " for line in text.splitlines())
        stream = f"BT /F1 11 Tf 14 TL 50 750 Td {shown}ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objects)} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>")
        kids.append(len(objects))
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()


def test_a_pdf_becomes_a_report_with_page_numbers(scratch, tmp_path):
    pdf = tmp_path / "Covered Calls.pdf"
    pdf.write_bytes(minimal_pdf([
        "Covered call ETFs sell index options against their holdings\nto turn volatility into monthly income.",
        "Assets in covered call ETFs tripled between 2021 and 2024.\nMost of the growth came from two funds.",
    ]))
    done = add_report(scratch, pdf, publisher="Test Research")
    assert done.report.title == "Covered Calls" and done.report.publisher == "Test Research"
    assert "to turn volatility into monthly income.[page::1]" in done.report.body  # wrapped lines rejoined
    hit = scratch.search("covered call ETF assets tripled").passages[0].chunk
    assert hit.report_id == done.report.id and hit.pages == "1,2"  # one short chunk spanning both pages


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("notes.docx", b"PK\x03\x04 word", "unsupported file type .docx"),
    ("empty.txt", b"  \n\n ", "no usable text"),
    ("binary.txt", bytes(range(128, 256)) * 4, "not readable as UTF-8 or GBK"),
    ("broken.pdf", b"%PDF-1.4 not really", "not a readable PDF"),
    ("scan.pdf", minimal_pdf([""]), "no usable text"),
    ("bad.md", b"---\ntitle: [unclosed\n---\nbody", "unreadable front matter"),
    ("dup.md", "# 主动管理 ETF 发展年度报告（2024）\n\n".encode() + "正文很长。".encode() * 20, "already indexed"),
    ("types.md", b"---\nid: t1\ntitle: 2024\n---\n" + "正文很长的一段话。".encode() * 20, "wrong types: title"),
    ("bomb.md", b"---\nid: b1\ntitle: x\na: &a [lol, lol]\nb: [*a, *a, *a]\n---\n" + "正文。".encode() * 40, "aliases"),
    ("dots.md", b"---\nid: '..'\ntitle: Dots\n---\n" + "正文很长的一段话。".encode() * 20, "may not start with '.'"),
])
def test_bad_uploads_are_refused_with_a_reason_and_nothing_changes(scratch, tmp_path, name, content, reason):
    before = [c.id for c in scratch.chunks]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=reason):
        add_report(scratch, path)
    assert [c.id for c in scratch.chunks] == before
    assert not (tmp_path / "data" / "reports").exists()


def test_a_title_with_dashes_is_stored_and_read_back_as_given(scratch, tmp_path):
    path = tmp_path / "dashes.md"
    path.write_text("# 草稿\n\n" + "债券ETF的做市商数量显著增加。" * 10, encoding="utf-8")
    done = add_report(scratch, path, title="Bond ETFs ---\n--- a review ---")
    assert done.report.title == "Bond ETFs ---\n--- a review ---"
    assert any(r.title == done.report.title for r in scratch.reports)  # the corpus loader reads it back the same


def test_a_full_disk_leaves_no_partial_file(scratch, tmp_path, monkeypatch):
    """A real full disk is not available here: the write fails the way one does (ENOSPC after some bytes)."""
    import errno

    path = tmp_path / "full.md"
    path.write_text(REPORT, encoding="utf-8")
    real_write = Path.write_text

    def write_then_fail(self: Path, data: str, *args: object, **kwargs: object) -> int:
        real_write(self, data[:10], *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", write_then_fail)
    with pytest.raises(IngestError, match="could not be stored \\(No space left on device\\)"):
        add_report(scratch, path)
    monkeypatch.undo()
    assert not list((tmp_path / "data" / "reports").glob("*")) and len(scratch.reports) == 3


def test_oversized_and_gbk_text_files(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(IngestError, match="over the 20 MB limit"):
        report_from_file(big, [])
    gbk = tmp_path / "指数观察.txt"
    gbk.write_bytes(("指数增强基金的超额收益来自选股与交易。" * 5).encode("gbk"))
    report = report_from_file(gbk, [])
    assert report.title == "指数观察" and report.body.startswith("指数增强基金")


# --- settings, app and API ---------------------------------------------------------------------------------------


def test_settings_say_which_brain_and_model_answer(assistant):
    text = settings_markdown(assistant)
    assert "offline — the built-in rule brain" in text or assistant.retriever.settings.llm != "offline"
    fingerprint = assistant.retriever.embedder.name.removeprefix("sha256:")[:12]
    assert f"(weights sha256 {fingerprint}…)" in text  # the model's weights, not its cache folder
    assert warnings_markdown(assistant) == ""


def test_keyword_only_search_is_announced(tmp_path):
    keyword_only = Assistant(Retriever(Settings(index_dir=tmp_path / "index"), embedder=None))
    assert "keywords only" in warnings_markdown(keyword_only)
    assert "none — keyword-only search" in settings_markdown(keyword_only)


def test_named_api_answers_through_gradio_client(assistant, caplog, capfd):
    demo = build_app(assistant)
    url = launch(demo, "127.0.0.1", free_port(), block=False)
    try:
        client = Client(url, verbose=False)
        assert set(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == {
            "/ask", "/tool", "/tools"}
        first = json.loads(client.predict(QUESTION, "", api_name="/ask"))
        assert first["status"] == "answered" and "1,696" in first["answer"] and first["citations"]
        follow_up = json.loads(client.predict("来自多少家发行商？", first["session_id"], api_name="/ask"))
        assert follow_up["session_id"] == first["session_id"]
        result = json.loads(client.predict("rank_issuers", {"by": "etf_count", "top": 3}, api_name="/tool"))
        assert [r["issuer"] for r in result["rows"]] == ["AJM Ventures", "Innovator", "PIMCO"]
        assert result["sources"][0]["path"] == "corpus/tables/t2_top10_issuers.csv"
        with pytest.raises(Exception, match="top: must be between 1 and 10"):
            client.predict("rank_issuers", {"top": 99}, api_name="/tool")
        with pytest.raises(Exception, match="constituents: names a file on the server"):
            client.predict("liquidity_shock", {"fund_size": "15亿", "constituents": "/etc/passwd"}, api_name="/tool")
        assert "liquidity_shock" in {t["name"] for t in json.loads(client.predict(api_name="/tools"))}
        for bad in (["a"], "x" * 100_000, "../etc"):
            with pytest.raises(Exception, match="session_id: must be the text /ask returned"):
                client.predict(QUESTION, bad, api_name="/ask")
        lost = json.loads(client.predict("来自多少家发行商？", "expired-session-1", api_name="/ask"))
        assert any("was not known here" in w for w in lost["warnings"])
        with pytest.raises(Exception, match="args: must be a JSON object"):
            client.predict("rank_issuers", ["top", 3], api_name="/tool")
        # each refusal is one log line naming the endpoint, never a server traceback
        refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused ")]
        for reason in ("top: must be between", "constituents: names a file", "args: must be a JSON object",
                       "session_id: must be"):
            assert sum(reason in r for r in refusals) >= 1, reason
        assert all("\n" not in r for r in refusals)
        assert "Traceback" not in capfd.readouterr().err
    finally:
        demo.close()


def test_serve_refuses_remote_hosts_and_half_configured_auth(monkeypatch, capsys):
    monkeypatch.setattr("assistant.ui.app.get_settings", lambda: Settings(allow_remote=False))
    assert serve("0.0.0.0", 7860) == 2
    assert "ALLOW_REMOTE=1" in capsys.readouterr().err
    monkeypatch.setattr("assistant.ui.app.get_settings", lambda: Settings(auth_user="me", auth_password=None))
    assert serve("127.0.0.1", 7860) == 2
    assert "AUTH_USER and AUTH_PASSWORD" in capsys.readouterr().err


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                ("0.0.0.0", False), ("192.168.1.5", False), ("example.com", False)])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_each_browser_keeps_its_own_conversations(assistant, tmp_path):
    chat, one, two = Chat(assistant, tmp_path), Library(), Library()
    ask(chat, QUESTION, one)
    ask(chat, QUESTION, two)
    assert one.current.id != two.current.id and len(one.current.turns) == len(two.current.turns) == 1


@pytest.mark.parametrize("url", ["http://user:s3cret@10.0.0.2:8000/v1", "https://api.example.com/v1?api-key=s3cret&x=1"])
def test_the_settings_tab_never_shows_llm_credentials(tmp_path, url):
    """User sees: "openai — model m at http://***@10.0.0.2:8000/v1 …": where the LLM is, never its password or key."""
    settings = Settings(index_dir=tmp_path / "index", llm="openai", llm_model="m", llm_base_url=url)
    shown = brain(Assistant(Retriever(settings, embedder=None)))
    assert "s3cret" not in shown and "***" in shown


def test_wrong_logins_are_slowed_down_and_the_right_one_gets_in(assistant):
    """User sees: a wrong password is refused after about a second (so 30 guesses take 30 s, not 0.3 s); the right
    one logs in."""
    settings = Settings(auth_user="analyst", auth_password="correct horse")
    demo = build_app(assistant)
    url = launch(demo, "127.0.0.1", free_port(), settings, block=False)

    def login(password: str) -> int:
        body = urllib.parse.urlencode({"username": "analyst", "password": password}).encode()
        try:
            with urllib.request.urlopen(urllib.request.Request(url.rstrip("/") + "/login", data=body)) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    try:
        start = time.monotonic()
        assert [login("guess") for _ in range(3)] == [400, 400, 400]
        assert time.monotonic() - start >= 3 * FAILED_LOGIN_DELAY
        assert login("correct horse") == 200
    finally:
        demo.close()


def test_formula_cells_of_an_uploaded_csv_are_not_executable_in_the_download(tmp_path):
    """User sees: the CSV download shows '=HYPERLINK(…)' as text (a leading apostrophe), so a spreadsheet does not run
    it; the numbers are unchanged."""
    csv = tmp_path / "mine.csv"
    csv.write_text('code,name,weight,turnover\n000001,"=HYPERLINK(""http://x"")",60%,1000000000\n'
                   "600000,@SUM(A1),40%,50000000\n", encoding="utf-8")
    spec, values = form_defaults("liquidity_shock")
    values = tuple(str(csv) if p.name == "constituents" else v for p, v in zip(spec.params, values, strict=True))
    out = run_form(spec, values)
    written = Path(out.csv).read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in written and "'@SUM(A1)" in written and "\n=" not in written and ",=" not in written
