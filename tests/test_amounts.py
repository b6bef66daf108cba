"""parse_amount_cny: amounts as people write them, read into CNY with the reading echoed back."""

from __future__ import annotations

import math

import pytest

from tools.amounts import parse_amount_cny
from tools.result import ToolInputError


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("15亿", None),
        ("15 亿元", None),
        ("15亿元人民币", None),
        ("150000万", None),
        ("150000 万元", None),
        ("1.5e9", None),
        ("1.5 billion", None),
        ("1.5 billion yuan", None),
        ("1.5bn", None),
        ("1500 million", None),
        ("1,500,000,000", None),
        ("¥15亿", None),
        ("RMB 1.5 billion", None),
        ("１５亿", None),  # full-width digits
        ("15", "亿"),
        (15, "亿"),
        (15.0, "亿"),
        ("150000", "万"),
        ("1.5", "billion"),
        ("1500", "million"),
        ("15亿", "亿"),  # a unit flag that agrees with the text
        (1.5e9, None),
        (1_500_000_000, "元"),
    ],
)
def test_ways_of_writing_15_yi(text: str | float, unit: str | None) -> None:
    parsed = parse_amount_cny(text, unit)
    assert parsed.value == pytest.approx(1.5e9)
    assert "= 1,500,000,000 CNY" in parsed.echo
    assert "15 亿元" in parsed.echo


def test_echo_states_the_reading() -> None:
    assert parse_amount_cny("15亿").echo == "15亿 = 1,500,000,000 CNY (15 亿元)"
    assert parse_amount_cny(15, "亿").echo == "15 亿 = 1,500,000,000 CNY (15 亿元)"
    assert parse_amount_cny("1.5e9").echo.endswith("(no unit given: read as 元)")
    assert parse_amount_cny("15").echo == "15 = 15 CNY (no unit given: read as 元)"


def test_other_units() -> None:
    assert parse_amount_cny("3千万").value == 3e7
    assert parse_amount_cny("2万亿").value == 2e12
    assert parse_amount_cny("500万元").value == 5e6
    assert parse_amount_cny("0.5亿").value == 5e7
    assert parse_amount_cny("250 m").value == 2.5e8


def test_signed_amounts_when_allowed() -> None:
    assert parse_amount_cny("-3亿", positive=False).value == -3e8


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("-15亿", None, "must be positive"),
        ("0", None, "must be positive"),
        ("0亿", None, "must be positive"),
        ("abc", None, "cannot read"),
        ("", None, "cannot read"),
        ("十五亿", None, "cannot read"),
        ("15亿5000万", None, "cannot read"),
        ("15 apples", None, "unknown unit"),
        ("15", "千克", "unknown unit"),
        ("15亿", "万", "conflicts"),
        ("1.5 billion", "亿", "conflicts"),
        ("1e400", None, "not a finite"),
        (math.nan, None, "not a finite"),
        (math.inf, None, "not a finite"),
        (True, None, "expected an amount"),
        (None, None, "expected an amount"),
    ],
)
def test_bad_amounts_are_refused_clearly(text: object, unit: str | None, message: str) -> None:
    with pytest.raises(ToolInputError, match=message) as err:
        parse_amount_cny(text, unit, param="fund_size")  # type: ignore[arg-type]
    assert err.value.param == "fund_size"
    assert str(err.value).startswith("fund_size: ")
