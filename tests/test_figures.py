"""Which figure answers a question: a level for a level, a change for a change, the whole for the whole, the year
asked; and questions whose best passages hold no such figure are not answered with another one. End to end on the
real reports and index, with phrasings these rules were not written for."""

from __future__ import annotations

import re

import pytest

from assistant.answers import FIGURE, fits_question, states_figures
from assistant.search.keyword import ranks_in_chinese
from assistant.service import Assistant


def figure(sentence: str, number: str) -> re.Match[str]:
    return next(m for m in FIGURE.finditer(sentence) if m["number"] == number)


@pytest.mark.parametrize(("sentence", "number", "question", "fits"), [
    # a change answers 'how much did it grow', a level 'how many are there'
    ("产品数量增加 381 只，规模增加 64.43%。", "381", "美国主动ETF一共多少只？", False),
    ("产品数量增加 381 只，规模增加 64.43%。", "381", "产品数量比去年增加了多少只？", True),
    # '下降至 29%' and '达 859 只' are the levels after a change
    ("Top 15 产品规模占比较 2023 年底有所下降，由 33% 下降至 29% 左右。", "29", "前15大产品占比现在是多少？", True),
    # …and a change asked is answered by the level it reached ('占比怎么变的': '由 60% 下降至 55%')
    ("Top 50 产品规模占比由 60% 下降至 55% 左右。", "55", "前50产品的占比有什么变化？", True),
    # a share asked is not a growth rate
    ("产品数量增加 381 只，规模增加 64.43%。", "64.43", "top 50 share of AUM?", False),
    ("数量增加 245 只，达 859 只。", "859", "How many equity active ETFs are there?", True),
    # a part ('新发', an asset class) answers only a question about that part, in either language
    ("2024 年，美国市场新发主动管理 ETF 产品 461 只。", "461", "How many active ETFs exist in the US?", False),
    ("2024 年，美国市场新发主动管理 ETF 产品 461 只。", "461", "how many new active ETFs launched last year", True),
    ("其中，权益类产品资金流入大幅超越固收类产品，合计 1567 亿美元。", "1567", "equity active ETF inflows?", True),
    ("其中，权益类产品资金流入大幅超越固收类产品，合计 1567 亿美元。", "1567", "债券类主动ETF流入多少？", False),
])
def test_a_figure_fits_the_kind_of_quantity_asked(sentence: str, number: str, question: str, fits: bool) -> None:
    assert fits_question(sentence, figure(sentence, number), question) is fits


def test_ranks_are_searched_as_the_reports_write_them() -> None:
    assert ranks_in_chinese("the top-15 funds") == ["前15", "前十五"]
    assert ranks_in_chinese("first 3 managers, top 20") == ["前3", "前三", "前20"]
    assert ranks_in_chinese("no rank here") == []


@pytest.mark.parametrize(("question", "expected"), [
    ("二〇二四年末美国的主动管理ETF总共有几只？", "1,696"),  # a level, not the 461 launched or the 381 added
    ("前十五名产品的规模占比后来降到多少了", "29%"),  # Chinese numerals searched as the report's digits
    ("What happened to the share of the 50 biggest active ETFs?", "55%"),  # English 'biggest 50' vs 'Top 50'
    ("list the five biggest managers of index-enhanced funds", "兴证全球"),  # names, not the sizes beside them
])
def test_the_asked_figure_is_quoted(assistant: Assistant, question: str, expected: str) -> None:
    answer = assistant.ask(question)
    assert answer.status == "answered" and expected in answer.answer, answer.answer


@pytest.mark.parametrize(("question", "lead"), [
    ("指增基金换手率的中位数是几倍", "3.5"),  # 换手率 is written in 倍, though it says 率
    ("what's the median turnover of enhanced funds in 2020, in times?", "3.5 times"),
    ("指数增强基金个股偏离度的中位数大概在什么范围", "1.95%至2.10%"),  # a range is led as the whole range
])
def test_the_lead_states_the_asked_kind_of_figure(assistant: Assistant, question: str, lead: str) -> None:
    first = assistant.ask(question).answer.split("\n")[0]
    assert lead in first, first


@pytest.mark.parametrize(("question", "lead", "other"), [
    # the figure dated the period asked: the funds' 约93% is 2021Q1's, the ETFs' 96.5%-97.2% spans 2021年底至2022年年末
    ("What was the average equity position of enhanced index funds in Q1 2021?", "93%", "96.5%"),
    ("21年一季度指数增强基金的仓位大概多少", "93%", "97.2%"),
    ("avg stock allocation of index-enhanced ETFs between end-2021 and end-2022?", "96.5%", "93%"),
    # each figure of a list has its own subject: '2020年更达中位数11.74%、平均数12.08%'
    ("二零二零年指数增强基金超额收益的中位数是多少", "11.74%", "12.08%"),
    ("2020年指增超额收益平均数多少", "12.08%", "11.74%"),
    ("What was the median excess return of index-enhanced funds in 2020?", "11.74%", "12.08%"),
])
def test_the_lead_is_the_asked_figure_not_its_neighbour(assistant: Assistant, question: str, lead: str,
                                                        other: str) -> None:
    first = assistant.ask(question).answer.split("\n")[0]
    assert lead in first and other not in first, first


@pytest.mark.parametrize("question", [
    "美国主动管理ETF在2012年底一共有多少只？",  # the reports give the 2024 count, not 2012's
    "How big was the US active ETF market at the end of 2013, in USD?",
])
def test_a_year_no_quoted_passage_covers_is_not_answered_with_another(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.status == "not_found" and not states_figures(answer.answer), answer.answer


@pytest.mark.parametrize(("question", "expected"), [
    ("which organisation is behind the Huaxin enhanced-ETF piece?", "华鑫证券"),
    ("who are the analysts behind the Cinda study on enhanced funds", "于明明"),
    ("那篇讲主动ETF年度发展的报告出自哪家机构", "中证指数"),
    ("中证指数那份年报的数据是从哪来的", "Bloomberg"),  # its notes name the sources
    ("where does the data in the CSI active ETF report come from?", "Bloomberg"),
])
def test_questions_about_a_report_itself_are_answered_from_its_metadata(assistant: Assistant, question: str,
                                                                         expected: str) -> None:
    answer = assistant.ask(question)
    assert answer.status == "answered" and expected in answer.answer, answer.answer


@pytest.mark.parametrize(("question", "verdict", "figure"), [
    # the passive ETFs' 63.72% stands beside the enhanced ETFs' 43%: a claim is checked against its own subject
    ("华鑫报告说指增ETF的机构持有比例是63.72%，没错吧？", "不对", "43%"),
    ("Per Huaxin, passive ETFs are 63.72% institution-held, correct?", "Yes", "63.72%"),
    # 'averaged' is the 平均数 beside the 中位数
    ("the Cinda piece says enhanced funds averaged about 18% alpha in 2020, right?", "No", "12.08%"),
])
def test_a_claim_is_checked_against_the_figure_of_its_own_subject(assistant: Assistant, question: str, verdict: str,
                                                                   figure: str) -> None:
    first = assistant.ask(question).answer.splitlines()[0]
    assert first.startswith(verdict) and figure in first, first


@pytest.mark.parametrize("question", [
    "Sharpe of 159680 over 2024?",  # a tool question too: no tool computes it
    "中证500增强基金的平均市盈率是多少",
    "what was the max drawdown of the Cinda report's largest fund",
])
def test_a_measure_no_report_or_tool_states_is_not_found(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.status == "not_found" and not states_figures(answer.answer), answer.answer
    assert not [c for c in answer.tool_calls if c.name != "search_reports"]


@pytest.mark.parametrize(("question", "figures"), [
    ("How many active ETFs had net outflows in 2024 and what did the outflows add up to?",
     ["433 ETFs", "USD 18.1 billion"]),
    ("enhanced index ETFs in China: how many, and how much AUM in total?", ["33 ETFs", "CNY 7.8 billion"]),
])
def test_an_english_question_asking_two_figures_gets_both_in_english(assistant: Assistant, question: str,
                                                                     figures: list[str]) -> None:
    first = assistant.ask(question).answer.split("\n")[0]
    assert all(f in first for f in figures), first


@pytest.mark.parametrize(("question", "lead"), [
    ("How many issuers were there at the end of 2024?", "Number of issuers at the end of 2024"),
    ("What share of the ETF market is there in active ETFs?", "Share of the ETF market in active ETFs"),
    ("What is the average size of a new fund?", "Average size of a new fund"),
    ("what range do enhanced ETF management fees usually fall in?", "Range of enhanced ETF management fees"),
    ("In what range are the fees of these ETFs?", "Range of fees of these ETFs"),
])
def test_an_english_lead_restates_what_was_asked(question: str, lead: str) -> None:
    from assistant.agent.compose import subject

    assert subject(question) == lead


@pytest.mark.parametrize("question", ["嘉实沪深300增强的托管费收多少？", "易方达上证50增强A一年收几个点的管理费？"])
def test_a_fee_no_quoted_sentence_states_is_not_answered_with_another_figure(assistant: Assistant,
                                                                           question: str) -> None:
    answer = assistant.ask(question)
    assert answer.status in ("not_found", "error") and not states_figures(answer.answer), answer.answer


def test_a_relation_question_gets_no_single_figure_lead(assistant: Assistant) -> None:
    answer = assistant.ask("指数增强基金的换手率和超额收益之间是什么关系？")
    assert answer.status == "answered" and not answer.answer.startswith("答：")


@pytest.mark.parametrize(("question", "not_led_with"), [
    ("How much money did BlackRock's active ETFs pull in over 2024?", ["272.6", "2,726", "2726"]),  # the market's
    ("贝莱德的主动ETF去年净流入了多少钱", ["2726", "2,726"]),  # total, though the report gives BlackRock only a place
])
def test_a_named_issuers_figure_is_not_the_markets(assistant: Assistant, question: str,
                                                     not_led_with: list[str]) -> None:
    answer = assistant.ask(question).answer
    lines = [line for line in answer.split("\n") if not line.startswith("Source")]
    first = re.split(r"(?<=[。.])\s*(?=\S)", lines[0])[0]  # the first sentence, in either language
    assert not any(f in first for f in not_led_with) and "Blackrock" in first, answer


def test_which_question_is_led_with_the_names_not_the_counts(assistant: Assistant) -> None:
    first = assistant.ask("what indexes did the October 2022 batch of enhanced ETFs cover?").answer.split("\n")[0]
    assert "CSI 1000" in first and "13" not in first, first


@pytest.mark.parametrize("question", [
    "In 2024, how much of the growth in equity active ETF AUM came from existing funds?",
    "24年权益类主动ETF里老产品规模涨了多少亿美元",
])
def test_growth_from_existing_funds_is_their_own_figure(assistant: Assistant, question: str) -> None:
    first = assistant.ask(question).answer.split("\n")[0]
    assert "193.4" in first or "1934" in first, first
