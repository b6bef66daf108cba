"""Parse money amounts the way people write them (15亿, 150000万, 1.5 billion) into CNY, echoing the reading.

Why: a fund size typed into a chat or a form is rarely a plain number of yuan; a silent misreading by 10^4 or 10^8
changes every answer, so each parse returns an echo such as "15亿 = 1,500,000,000 CNY" that tools show back.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from tools.result import ToolInputError

# Unit words → multiplier to CNY; longest spellings are matched first.
UNITS: dict[str, float] = {
    "元": 1.0,
    "块": 1.0,
    "cny": 1.0,
    "rmb": 1.0,
    "yuan": 1.0,
    "千": 1e3,
    "k": 1e3,
    "thousand": 1e3,
    "万": 1e4,
    "十万": 1e5,
    "百万": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "千万": 1e7,
    "亿": 1e8,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "十亿": 1e9,
    "百亿": 1e10,
    "千亿": 1e11,
    "万亿": 1e12,
    "兆": 1e12,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
}
UNIT_FLAGS = ("元", "万", "亿", "million", "billion")
EXAMPLES = ["15亿", "15 亿元", "150000万", "1.5e9", "1.5 billion", "1,500,000,000", "15 with unit 亿"]

_PREFIX = re.compile(r"^(?:cny|rmb|¥|人民币)\s*")
_SUFFIX = re.compile(r"(?<=.)(?:元|块|cny|rmb|yuan|人民币)+$")
_AMOUNT = re.compile(r"^(?P<sign>[-+]?)\s*(?P<num>(?:\d+(?:,\d{3})*|\d*)(?:\.\d+)?(?:e[-+]?\d+)?)\s*(?P<unit>\D*)$")


@dataclass(frozen=True)
class ParsedAmount:
    """An amount in CNY with the text it came from and how it was read."""

    value: float
    text: str
    unit: str
    multiplier: float

    @property
    def echo(self) -> str:
        """The interpretation to show back, e.g. '15亿 = 1,500,000,000 CNY (15 亿元)'."""
        yi = f" ({self.value / 1e8:,.6g} 亿元)" if abs(self.value) >= 1e6 else ""
        how = " (no unit given: read as 元)" if self.unit == "" else ""
        return f"{self.text} = {_format_cny(self.value)} CNY{yi}{how}"


def _format_cny(value: float) -> str:
    return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"


def _format_number(value: float) -> str:
    """15.0 → '15', 1.5e9 → '1,500,000,000', 0.5 → '0.5': a number as a person would write it."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:,.0f}" if value == round(value) and abs(value) < 1e15 else f"{value:,.6g}"


def _unit_word(raw: str) -> str:
    """'亿元' → '亿', 'billion yuan' → 'billion', '元' → '元': currency words only matter when alone."""
    word = re.sub(r"\s+", "", raw)
    return _SUFFIX.sub("", word) if word not in UNITS else word


def parse_amount_cny(
    text: str | float, unit: str | None = None, *, param: str = "amount", positive: bool = True
) -> ParsedAmount:
    """Read an amount such as '15亿', '15 亿元', '150000万', '1.5e9', '1.5 billion' or 15 with unit='亿' into CNY.

    Args:
        text: the amount as written; a bare number means 元 unless `unit` is given.
        unit: multiplier of a bare number (元, 万, 亿, million, billion); must agree with a unit written in the text.
        param: parameter name used in error messages.
        positive: reject zero and negative amounts (a fund size); False allows signed amounts (a flow).

    Raises:
        ToolInputError: unparsable text, unknown or conflicting unit, non-finite value, or (if positive) value <= 0.
    """
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ToolInputError(param, f"expected an amount such as '15亿', got {text!r}", EXAMPLES)
    flag = None
    if unit is not None:
        flag = UNITS.get(_unit_word(unicodedata.normalize("NFKC", unit).lower()))
        if flag is None:
            raise ToolInputError(param, f"unknown unit {unit!r}", list(UNIT_FLAGS))
    original = text.strip() if isinstance(text, str) else _format_number(float(text))
    if isinstance(text, str):
        cleaned = _PREFIX.sub("", unicodedata.normalize("NFKC", original).lower().replace("￥", "¥"))
        match = _AMOUNT.match(cleaned)
        if not match or match["num"] in ("", "."):
            raise ToolInputError(param, f"cannot read {original!r} as an amount", EXAMPLES)
        written = _unit_word(match["unit"])
        if written and written not in UNITS:
            raise ToolInputError(param, f"unknown unit {written!r} in {original!r}", list(UNIT_FLAGS))
        number = float(match["num"].replace(",", "")) * (-1 if match["sign"] == "-" else 1)
    else:
        written, number = "", float(text)
    if written and flag is not None and UNITS[written] != flag:
        raise ToolInputError(param, f"{original!r} already says {written!r}, which conflicts with unit={unit!r}")
    multiplier = UNITS[written] if written else (flag or 1.0)
    value = number * multiplier
    if not math.isfinite(value):
        raise ToolInputError(param, f"{original!r} is not a finite amount", EXAMPLES)
    if positive and value <= 0:
        raise ToolInputError(param, f"must be positive, got {original!r} = {_format_cny(value)} CNY")
    shown = original if written or flag is None else f"{original} {unit.strip()}"
    reading = written or ("" if flag is None else unit.strip())
    return ParsedAmount(value=value, text=shown, unit=reading, multiplier=multiplier)
