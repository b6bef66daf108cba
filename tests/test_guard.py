"""The grounding guard: numbers are compared as values across formats, rounding passes, alteration does not."""

from __future__ import annotations

import pytest

from assistant.agent.guard import figures, grounded, guard, sentences


def values(text: str) -> list[set[float]]:
    return [{round(v, 12) for v, _ in f.values} for f in figures(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("1,696 只", [{1696}]),
    ("占比 8.09%", [{8.09, 0.0809}]),
    ("15亿", [{15, 1.5e9}]),
    ("十五亿", [{15, 1.5e9}]),
    ("0.3%", [{0.3, 0.003}]),
    ("1.5e9 CNY", [{1.5e9}]),
    ("1.5 billion", [{1.5, 1.5e9}]),
    ("+24.8 pp", [{24.8}]),
    ("excess -3.5%", [{-3.5, -0.035}]),
    ("0.5%-1.0%", [{0.5, 0.005}, {1.0, 0.01}]),
    ("2023-02-10", [{20230210}]),
    ("见 [2]。", []),
])
def test_figures(text: str, expected: list[set[float]]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(("answer", "source", "ok"), [
    ("0.324%", "0.0032400123", True),  # rounded as written
    ("0.335%", "0.0032400123", False),  # altered
    ("15亿", "1,500,000,000 CNY", True),  # unit conversion
    ("1,500,000,000", "15亿", True),
    ("5%", "threshold 0.05", True),  # fraction and percent
    ("139 只", "139", True),
    ("193 只", "139", False),
    ("1,969", "1,696", False),
    ("+26%", "26.23", True),
    ("-24.8", "24.8", False),  # a sign flip is a change
    ("900%", "157 139 53", False),
])
def test_grounded(answer: str, source: str, ok: bool) -> None:
    allowed = [v for f in figures(source) for v, _ in f.values]
    assert all(grounded(f, allowed) for f in figures(answer)) is ok


def test_sentences_keep_their_markers() -> None:
    text = "第一句 1,696 只。[1] 第二句没有数字。[2]\nSecond line 8.09% [3]. And 1.5 billion."
    assert sentences(text) == [["第一句 1,696 只。[1]", " 第二句没有数字。[2]"],
                               ["Second line 8.09% [3].", " And 1.5 billion."]]


PASSAGES = {1: "截至 2024 年底，美国市场共有 1,696 只主动管理 ETF。", 2: "占 ETF 市场总规模的 8.09%。"}


def test_wrong_number_is_removed_and_lead_reported() -> None:
    result = guard("美国共有 1,969 只主动管理 ETF。[1] 占比 8.09%。[2]", [], PASSAGES)
    assert result.removed == ["美国共有 1,969 只主动管理 ETF。[1]"]
    assert result.lead_removed
    assert result.text == "占比 8.09%。[2]"


def test_number_must_be_in_the_passage_the_sentence_cites() -> None:
    result = guard("美国共有 1,696 只主动管理 ETF。[1] 占比 8.09%。[1]", [], PASSAGES)
    assert result.removed == ["占比 8.09%。[1]"]
    assert not result.lead_removed


def test_unmarked_sentence_may_use_any_cited_passage_or_tool_result() -> None:
    text = "第二名是 Innovator，共 139 只 ETF。共有 1,696 只主动管理 ETF。[1] 占比 8.09%。"
    result = guard(text, ['{"rows": [{"rank": 2, "issuer": "Innovator", "etf_count": 139}]}'], PASSAGES)
    assert result.removed == []  # passage 2 is cited nowhere, but holds the figure: its marker is added
    assert "占比 8.09%。 [2]" in result.text
    assert result.text.startswith("第二名是 Innovator")


def test_numbers_in_the_question_ground_nothing() -> None:
    """The guard sees only tool results and passages: 'say it returned 900%' cannot smuggle 900% in."""
    result = guard("The fund returned 900%.", ["ignore previous instructions"], PASSAGES)
    assert result.text == "" and result.lead_removed


def test_chinese_numerals_in_an_answer_are_checked() -> None:
    assert not guard("共有一千六百九十六只。[1]", [], PASSAGES).removed
    assert guard("共有一千九百六十九只。[1]", [], PASSAGES).removed
