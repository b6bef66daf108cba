"""Slot parsers: the values a user states in a question, read exactly as stated or refused with a SlotError.

Why one strict contract: a fund size read as 5亿 when the user wrote −5亿, or a default put in place of a value the
user gave, silently answers another question. Every parser here returns what the text states (with the words it was
read from) or an error naming the value and what is accepted; none invents a value. Text is first normalised
(NFKC: full-width digits; Chinese numerals as digits: 十五亿 → 15亿, 百分之五 → 5%).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
import zhconv

from assistant.agent.numerals import EN_ORDINALS, full_year, normalise, rx
from assistant.agent.spelling import respell
from tools.fund_facts import load_etf_facts
from tools.report_tables import load_report
from tools.returns import INDEXES, LATEST_END, _market

ENTITIES = Path(__file__).with_name("entities.yaml")


class SlotError(ValueError):
    """A stated value that cannot be used: which parameter, the words as the user wrote them, why, what is accepted."""

    def __init__(self, param: str, stated: str, reason: str, accepted: str) -> None:
        self.param, self.stated, self.reason, self.accepted = param, stated, reason, accepted
        super().__init__(f"{param}: {reason}, got {stated!r} (accepted: {accepted})")

    def as_param(self, param: str) -> SlotError:
        """The same refusal for the parameter the value was stated as (a code given as the benchmark)."""
        return SlotError(param, self.stated, self.reason, self.accepted)


SHORTHAND = ((re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*e(?![\w+-])", re.I), r"\1亿"),  # 30e: traders' 30亿 (yi)
             (re.compile(r"(?<![\w.])(\d+)\s*d(?![a-z])", re.I), r"\1 days"))  # 10d: 10 days


QUOTES = re.compile(r"[“”‘’「」『』]")


def simplified(text: str) -> str:
    """NFKC (full-width digits and letters) and traditional characters as simplified (增強 → 增强, 優势 → 优势), as the
    reports write them: what is searched, not only what the rules read."""
    return zhconv.convert(unicodedata.normalize("NFKC", text).replace("％", "%"), "zh-cn")


def clean(text: str) -> str:
    """NFKC (full-width digits and letters), traditional characters as simplified (增強 → 增强, as the reports write
    them), English typos repaired, Chinese and English number words as digits, traders' shorthand (30e → 30亿,
    10d → 10 days)."""
    text = normalise(respell(QUOTES.sub("", simplified(text))))  # 最“年轻”的 is 最年轻的
    for pattern, replacement in SHORTHAND:
        text = pattern.sub(replacement, text)
    return text


# --- amounts -------------------------------------------------------------------------------------------------------
MULTIPLIER = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "亿": 1e8, "千万": 1e7, "百万": 1e6, "十万": 1e5,
              "万": 1e4, "千": 1e3, "trillion": 1e12, "tn": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9,
              "million": 1e6, "mn": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3}
CNY = {"元", "块", "人民币", "cny", "rmb", "yuan", "¥", "￥"}
AMOUNT = re.compile(
    r"(?P<pre>us\$|hk\$|[$¥￥€£]|usd|cny|rmb)?\s*"
    r"(?P<sign>(?<![\d.])[-−–﹣－]|负|minus\s+)?\s*"
    r"(?P<num>(?<![\dA-Za-z.])(?:\d+(?:,\d{3})*(?:\.\d+)?(?:\s*[eE]\s*[-+]?\d+|\s*[x×*]\s*10\s*\^\s*\d+)?"
    r"|(?:10|十)\s*(?:\^|\*\*|的)\s*\d+\s*(?:次方|次幂)?|nan|inf(?:inity)?|∞))"
    r"(?:-(?=[a-z])|\s*)(?P<unit>万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千(?!米)|trillion|tn|billion|bn|million|mn|thousand"
    r"|(?<=\d)[bmk](?![a-z]))?"
    r"(?:-(?=[a-z])|\s*)(?P<cur>元|块|人民币|cny|rmb|yuan|美元|美金|usd|u\.s\. dollars?|us dollars?|dollars?|港元|港币|hkd|欧元|eur"
    r"|euros?|日元|jpy|英镑|gbp)?(?![a-z])",
    re.I,
)
TURNOVER_CONTEXT = rx(r"(?:成交额?|turnover|traded|日均成交额?)\s*(?:低于|高于|超过|不足|不到|为|约|在|of|below|above|under|over"
                      r"|less than|more than)?\s*$", r"(?:低于|不到|不足|\bbelow|\bunder|less than)\s*$")  # a level, not a size
PER_DAY_AFTER = rx(r"^\s*(?:/\s*(?:day|d|日)\b|per day|a day|每日|每天|/天)")
NOT_MONEY_AFTER = re.compile(r"\s*(?:个)?(?:天|日|交易日|只|家|个|名|倍|份|%|次|年|月|周|位|条|stocks?\b|days?\b)", re.I)


@dataclass(frozen=True)
class Amount:
    """A money amount as stated: `arg` is what the tool receives (the user's number and unit), or an error."""

    text: str
    start: int
    arg: str | None
    value: float | None
    error: SlotError | None = None


def _power(num: str) -> float | None:
    """'10^30', '10的30次方', '1.5 x 10^9' → the value; None when `num` is not a power form."""
    if match := re.fullmatch(r"(?:(\d+(?:\.\d+)?)\s*[x×*]\s*)?(?:10|十)\s*(?:\^|\*\*|的)\s*(\d+)\s*(?:次方|次幂)?", num):
        return float(match.group(1) or 1) * 10.0 ** int(match.group(2))
    return None


VAGUE_SIZE = re.compile(r"几\d*(?:个)?(?:十|百|千)?(?:亿|万)|十几(?:个)?(?:亿|万)|若干亿|多少亿|a few (?:billion|hundred million)|"
                        r"several billion|\b(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:or|to|-|~)\s*"
                        r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:billion|bn)\b|"
                        r"\d+(?:\.\d+)?\s*(?:到|或|至|-|~)\s*\d+(?:\.\d+)?\s*亿", re.I)
ZERO_SIZE = re.compile(r"(?:fund size|size|规模)\s*(?:is|of|=|:|为|是)?\s*(?:0|zero)(?![\d.])", re.I)


def amounts(text: str, param: str = "fund_size") -> list[Amount]:
    """Every money amount in the text except turnover figures, in order; foreign currencies and unreadable numbers
    come back as errors, never as another amount."""
    found = []
    if zero := ZERO_SIZE.search(text):
        found.append(Amount(zero.group(0), zero.start(), None, None, SlotError(param, zero.group(0), "must be positive",
                                                                               "a positive amount in CNY, e.g. 15亿")))
    if vague := VAGUE_SIZE.search(text):
        found.append(Amount(vague.group(0), vague.start(), None, None,
                            SlotError(param, vague.group(0), "not a definite amount", "a number with its unit, e.g. 15亿")))
    for m in AMOUNT.finditer(text):
        unit, cur, pre = (m["unit"] or "").lower(), (m["cur"] or "").lower(), (m["pre"] or "").lower()
        power = _power(m["num"].strip())
        if (not (unit or cur or pre or power is not None) or TURNOVER_CONTEXT.search(text[: m.start()])
                or PER_DAY_AFTER.search(text[m.end():])):
            continue  # '不到0.65亿元的', '0.65bn yuan/day': a stock's turnover, not a fund size
        if not (cur or pre) and NOT_MONEY_AFTER.match(text, m.end()):
            continue  # 1万天, 5万只: a count, not money
        stated = m.group(0).strip()
        accepted = "a positive amount in CNY, e.g. 15亿, 150000万, 1.5e9元, 1.5 billion yuan"
        currency = pre if pre and pre not in CNY else cur if cur and cur not in CNY else ""
        if currency:
            error = SlotError(param, stated, f"only CNY sizes are supported ({currency} given)", accepted)
            found.append(Amount(stated, m.start(), None, None, error))
            continue
        num = re.sub(r"\s+", "", m["num"]).replace(",", "")
        negative = bool(m["sign"])
        if num.lower() in ("nan", "inf", "infinity", "∞"):
            found.append(Amount(stated, m.start(), None, None, SlotError(param, stated, "not a number", accepted)))
            continue
        base = power if power is not None else float(num.replace("×10^", "e").replace("x10^", "e").replace("*10^", "e"))
        value = base * MULTIPLIER.get(unit, 1.0) * (-1 if negative else 1)
        if negative or value == 0:
            found.append(Amount(stated, m.start(), None, None, SlotError(param, stated, "must be positive", accepted)))
            continue
        if not math.isfinite(value):
            found.append(Amount(stated, m.start(), None, None, SlotError(param, stated, "not a finite amount",
                                                                          accepted)))
            continue
        words = {"bn": " billion", "b": " billion", "billion": " billion", "mn": " million", "m": " million",
                 "million": " million", "k": " thousand", "thousand": " thousand", "tn": " trillion",
                 "trillion": " trillion"}
        number = f"{base:.6g}" if power is not None else num
        arg = ("-" if negative else "") + number + words.get(unit, unit) + ("" if unit else "元")
        found.append(Amount(stated, m.start(), arg, value))
    return found


# --- days, percentages, counts ----------------------------------------------------------------------------------
DAYS = re.compile(
    r"(?P<sign>(?<![\d.])[-−–﹣－]|负)?\s*(?P<num>(?<![\d.])\d+(?:\.\d+)?)\s*(?P<wan>万)?\s*(?:个)?(?:交易日|工作日|天|日)(?!日?平?均)"
    r"(?<![近月号]\d日)"
    r"|(?P<esign>(?<![\w.])[-−–])?(?P<enum>(?<![\w.])\d+(?:\.\d+)?)[\s-]*(?:trading[\s-]+|business[\s-]+)?days?\b"
    r"(?!\s*(?:average|avg|mean|turnover))"
    r"|(?P<bsign>(?<![\w.])[-−–])?(?P<bnum>(?<![\w.])\d+(?:\.\d+)?)\s*(?:build(?:ing)?|建仓)\s*(?:days?|天)"
    r"|(?:build(?:ing)?[\s_-]*(?:period|days?)|建仓(?:天数|期|时间|周期)?)\s*(?:=|:|：|为|是|of|is)\s*"
    r"(?P<xsign>[-−–])?\s*(?P<xnum>\d+(?:\.\d+)?)",
    re.I,
)
AFTER_DAY_OF_MONTH = re.compile(r"\d\s*月\s*$")
ONE_DAY = rx("单日", "一次性", "当天", "一天内", "一天之内", r"\b(?:a|one|single)\s+(?:trading\s+)?(?:day|session)\b",
             r"\bovernight\b", r"\bon day (?:one|1)\b", r"\bin one go\b", r"\ball at once\b", r"\bsame day\b")
MAX_BUILD_DAYS = 250


@dataclass(frozen=True)
class Days:
    text: str
    value: int | None
    error: SlotError | None = None


WEEKS = rx(r"(?P<sign>(?<![\d.])[-−–]|负)?\s*(?P<num>(?<![\d.])\d+(?:\.\d+)?)\s*(?:个)?(?:周|星期|礼拜)(?!期|[一二三四五六日天末])",
           r"(?P<esign>(?<![\w.])[-−–])?\b(?P<enum>\d+(?:\.\d+)?|an?|one)[\s-]+(?:trading[\s-]+)?weeks?\b")
TRADING_DAYS_A_WEEK = 5


def days(text: str, param: str = "build_days") -> Days | None:
    """The building period the text states, in trading days ('20天', '5-day', 'over 10 trading days', '单日'; a week
    is 5 trading days, '两天半' is 2.5 days and refused as not whole)."""
    accepted = f"a whole number of trading days from 1 to {MAX_BUILD_DAYS}"
    text = re.sub(r"(\d+)\s*(个)?(天|交易日|工作日)半", r"\1.5\2\3", text)
    text = re.sub(r"(?<![\d.])半(个)?(天|交易日)", r"0.5\1\2", text)
    for m in WEEKS.finditer(text):
        if re.search(r"(近|过去|最近|last|past)\s*$", text[: m.start()], re.I):
            continue  # 近1周: a turnover window, not a building period
        stated = m.group(0).strip()
        count = m["num"] or m["enum"]
        weeks = 1.0 if count.lower() in ("a", "an", "one") else float(count)
        if m["sign"] or m["esign"]:
            return Days(stated, None, SlotError(param, stated, "must be positive", accepted))
        trading = weeks * TRADING_DAYS_A_WEEK
        if trading != int(trading) or not 1 <= trading <= MAX_BUILD_DAYS:
            return Days(stated, None, SlotError(param, stated, "a week is 5 trading days; the period must be whole "
                                                f"days between 1 and {MAX_BUILD_DAYS}", accepted))
        return Days(stated, int(trading))
    for m in DAYS.finditer(text):
        if m["num"] and AFTER_DAY_OF_MONTH.search(text[: m.start("num")]):
            continue  # 1月5日 is a date
        if m["num"] and re.search(r"(近|过去|最近)\s*$", text[: m.start("num")]):
            continue  # 近20日: a turnover window, not a building period
        stated = m.group(0).strip()
        number = float(m["num"] or m["enum"] or m["xnum"] or m["bnum"]) * (1e4 if m["wan"] else 1)
        if m["sign"] or m["esign"] or m["xsign"] or m["bsign"]:
            return Days(stated, None, SlotError(param, stated, "must be positive", accepted))
        if number != int(number):
            return Days(stated, None, SlotError(param, stated, "must be a whole number of trading days", accepted))
        if not 1 <= number <= MAX_BUILD_DAYS:
            return Days(stated, None, SlotError(param, stated, f"must be between 1 and {MAX_BUILD_DAYS}", accepted))
        return Days(stated, int(number))
    if m := ONE_DAY.search(text):
        return Days(m.group(0), 1)
    return None


PERCENT = re.compile(r"(?P<sign>(?<![\d.])[-−–]|负)?\s*(?P<num>(?<![\d.])\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)", re.I)
HALF = rx(r"\b(?:more than |above |over )?half (?:of )?(?:their|its|the)?", "一半")
SHARE_OF_STOCKS = rx(r"^\s*(?:的|以上的|左右的)?\s*(?:成分股|个股|股票|of\s+(?:the\s+|its\s+|all\s+)?(?:constituents|stocks))")
COUNT_ASKED = rx(r"^\s*(?:的|以上的)?\s*(?:成分股|个股|股票)\s*(?:有|共有|会有)?\s*(?:多少|几)")  # '超过1%的成分股有多少': 1% is the bar
THRESHOLD_WORD = rx(r"(?:冲击|阈值|门槛|成交额|成交|threshold|shock|impact|cutoff|cut-off|turnover)\S{0,4}\s*(?:超过|高于|大于|above|over|of"
                    r"|at)?\s*$")


BARE_THRESHOLD = rx(r"(?:阈值|门槛|threshold|cut-?off)\s*(?:改为|改成|换成|调到|调成|设为|设成|定为|定在|为|是|=|:|：|of|at|is|"
                    r"(?:set|changed|moved) (?:at|to)|to)?\s*"
                    r"(?P<num>[-−]?\d+(?:\.\d+)?)(?![\d.]|\s*(?:%|percent|per cent|亿|万|元|天|日|个|只|days?|billion|million|bn))",
                    r"(?P<num2>(?<![\d.])[-−]?0?\.\d+)\s*(?:的)?\s*(?:threshold|阈值|门槛|cut-?off)")


@dataclass(frozen=True)
class Percent:
    text: str
    value: float | None  # a fraction: 5% → 0.05
    error: SlotError | None = None


def threshold(text: str) -> Percent | None:
    """The shock threshold as a fraction ('冲击超过5%' → 0.05, '60%' → 0.6); a share of constituents ('超过70%的成分股',
    '70% of constituents') is a claim about the result, not a threshold."""
    accepted = "a percentage above 0% and at most 100%, e.g. 5% or 0.5%"
    if not PERCENT.search(text) and (half := HALF.search(text)):
        return Percent(half.group(0).strip(), 0.5)
    for m in PERCENT.finditer(text):
        after = text[m.end():]
        if SHARE_OF_STOCKS.match(after) and not COUNT_ASKED.match(after) and not THRESHOLD_WORD.search(text[: m.start()]):
            continue
        stated = m.group(0).strip()
        value = float(m["num"]) * (-1 if m["sign"] else 1)
        if not 0 < value <= 100:
            return Percent(stated, None, SlotError("threshold", stated, "must be above 0% and at most 100%", accepted))
        return Percent(stated, float(f"{value / 100:.10g}"))
    if m := BARE_THRESHOLD.search(text):  # 'threshold 0.005', '阈值0.03': a fraction as written
        stated, value = m.group(0).strip(), float((m["num"] or m["num2"]).replace("−", "-"))
        if not 0 < value < 1:
            return Percent(stated, None, SlotError("threshold", stated, "a threshold without % is read as a fraction "
                                                   "and must be between 0 and 1", accepted + ", or a fraction like 0.05"))
        return Percent(stated, float(f"{value:.10g}"))
    return None


ORDINAL = rx(r"第\s*(\d+)\s*(?:名|位|大|个|只|家)?", r"\b(\d+)(?:st|nd|rd|th)\b",
             r"\b(" + "|".join(EN_ORDINALS) + r")\b(?!\s+(?:batch|half|quarter))", "(runner-up|runner up|亚军)")
TOP = rx(r"(?:前|倒数|头|top[\s-]*)(\d+)", r"\b(\d+)\s+(?:largest|biggest|smallest|cheapest|priciest|leading|most|top|highest|lowest"
         r"|newest|oldest|youngest|latest|earliest|fewest|best)", r"(\d+)\s*[只家个](?=\S{0,6}(?:etf|基金|发行商|产品))",
         r"\b(?:cheapest|priciest|largest|biggest|smallest|oldest|newest|lowest|highest|top|first|last|all|bottom)\s+"
         r"(\d{1,2})\b",
         r"\bwhich (\d{1,2})\b",
         r"\b(\d{1,2})\s+(?:(?:active|equity|bond|fixed[\s-]income)\s+)?(?:issuers|funds|etfs|managers|companies)\b",
         r"\b(\d{1,2})\s+with\s+(?:the\s+)?(?:fewest|most|least|lowest|highest|largest|smallest|biggest)\b")


def ordinal(text: str) -> int | None:
    """The 1-based rank the user asks about ('第二名' → 2, 'the third' → 3, 'runner-up' → 2)."""
    match = ORDINAL.search(text)
    if not match:
        return None
    if match.group(4):
        return 2
    if match.group(3):
        return EN_ORDINALS[match.group(3).lower()]
    return int(match.group(1) or match.group(2))


POPULATION = rx(r"(?:among|of|in|from|within)\s+(?:the\s+)?$")  # 'the fewest among the top-10 issuers': the table
CN_POPULATION = re.compile(r"[^,，。?？]{0,8}?(?:之中|当中|中|里|内)")  # '前10的发行商中', '10家发行商里': the table
GROUP = rx(r"(?:前|头|top[\s-]*)\d")  # a ranked group named by its size: '前10', 'top 10'
UNIVERSE = rx(r"\s*[大名位]?的?\s*(?:(?:active|equity|bond)\s+)?(?:发行商|基金公司|管理人|基金|etf|产品|issuers|funds|etfs"
              r"|managers|companies)")  # what a 'top 10' counts
SUPERLATIVE = rx(r"\b(?:fewest|least|most|lowest|highest|largest|smallest|biggest|cheapest|priciest|newest|oldest|youngest)\b",
                 "最")
PICKED_FEW = rx(r"\bwhich (\d{1,2})\b", r"最\S{0,4}?的\s*(\d+)\s*[只家个]", r"哪\s*(\d{1,2})\s*[只家个位支]",
                r"\b(?:cheapest|priciest|largest|biggest|smallest|oldest|newest|lowest|highest|latest|earliest)\s+(\d{1,2})\b")


def top_n(text: str) -> int | None:
    """How many rows the user asks for ('top 3', '前五', 'five cheapest', '最低的两只'), exactly as stated (the tool
    bounds it); 'of the top-10 issuers, which 3…' asks for 3 of the table's 10."""
    def singled_out(m: re.Match[str]) -> bool:  # a superlative besides the match's own ('5 biggest' is the five)
        return bool(SUPERLATIVE.search(text[:m.start()] + " " + text[m.end():]))

    found = list(TOP.finditer(text))

    def population(m: re.Match[str]) -> bool:  # the table the rows are picked from, when something else picks them
        later = bool(GROUP.match(m.group(0))) and any(other.start() > m.start() for other in found)  # '前10发行商…
        # 前2名': 前2 picks from the 10; 'the 3 smallest issuers in the top-10 table' picks 3 itself
        return (bool(POPULATION.search(text[:m.start()])) or bool(CN_POPULATION.match(text, m.end()))
                or (later and bool(UNIVERSE.match(text, m.end())))) and (singled_out(m) or len(found) > 1)

    match = PICKED_FEW.search(text) or next((m for m in found if not population(m)), None)
    return int(next(g for g in match.groups() if g)) if match else None


def without_population(text: str) -> str:
    """The question without the table it picks from ('前10大主动ETF里专买小盘股的是哪两只' → '专买小盘股的是哪两只'):
    '前10大' names the table, not a ranking by size."""
    found = list(TOP.finditer(text))
    picked = bool(PICKED_FEW.search(text)) or len(found) > 1
    for m in found:
        if (after := CN_POPULATION.match(text, m.end())) and (picked or SUPERLATIVE.search(text[after.end():])):
            return text[:m.start()] + text[after.end():]
    return text


# --- dates and periods ---------------------------------------------------------------------------------------------
DATE = re.compile(r"(?<!\d)(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?)")
EN_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                         "dec"], 1)}
EN_DATE = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+"
                     r"(\d{4})\b|\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b",
                     re.I)


@dataclass(frozen=True)
class StatedDate:
    text: str
    start: int
    value: str | None  # ISO
    error: SlotError | None = None


def dates(text: str, param: str = "start") -> list[StatedDate]:
    """Full dates the text states (2023-01-05, 2023/1/5, 2023年1月5日, Jan 5, 2023), in order."""
    found = []
    for m in DATE.finditer(text):
        year, month, day = m.group(1), m.group(2) or m.group(4), m.group(3) or m.group(5)
        found.append(_date(m.group(0), m.start(), int(year), int(month), int(day), param))
    for m in EN_DATE.finditer(text):
        if m.group(1):
            month, day, year = EN_MONTHS[m.group(1).lower()], int(m.group(2)), int(m.group(3))
        else:
            day, month, year = int(m.group(4)), EN_MONTHS[m.group(5).lower()], int(m.group(6))
        found.append(_date(m.group(0), m.start(), year, month, day, param))
    return sorted(found, key=lambda d: d.start)


def _date(stated: str, start: int, year: int, month: int, day: int, param: str) -> StatedDate:
    try:
        return StatedDate(stated, start, date(year, month, day).isoformat())
    except ValueError:
        return StatedDate(stated, start, None, SlotError(param, stated, "not a calendar date", "YYYY-MM-DD"))


P_REPORT = rx("报告期", r"报告的?(?:时间|统计)?窗口", r"报告的?(?:统计|时间)?(?:期间|区间)", "报告发布", "报告时", "报告区间", r"报告(?:口径)?的?区间", "截至报告", "发稿", r"report(?:'s)? (?:period|window|date)",
              "time of the report", "as of the report", "until the report", "when the report")
P_LISTING = rx("上市以来", "成立以来", "发行以来", "上市至今", "成立至今", r"since (?:listing|launch|inception|they (?:were )?listed)",
               r"\b(?:whole|entire|full) (?:history|life|track record)", "全部历史", "整个历史",
               r"(?:从|自)?上市(?:以来)?(?:到|至)(?:最新|现在|今|目前)", r"\b(?:from )?(?:listing|launch|inception) (?:to|until|through) "
               r"(?:now|date|today|the latest)")
LISTING_TO = rx(r"(?:从|自)?(?:上市|成立|发行|成立日|上市日)(?:以来)?\s*(?:到|至|截至|截止到?)",
                r"\b(?:since|from)\s+(?:(?:its|their|the fund'?s?)\s+|(?:it|they)\s+(?:was\s+|were\s+)?)?(?:listing|listed|"
                r"launch(?:ed)?|inception|debut|ipo)\s*(?:to|until|till|through|thru|up to)\b")
DATA_END = rx(r"(?:截至|截止|到|至|as of|through|to|until|ending)\s*[（(]?\s*$")  # '近半年（数据截至2025-11-17）'
P_TRAILING = rx(r"(?:近|过去|最近)\s*(\d+|半)?\s*(年|个月|月|周)", r"(?:last|past|previous|trailing)\s*(\d+)?\s*(years?|months?"
                r"|weeks?)", r"(?:last|past|previous|trailing)\s+(twelve|12)\s+months")
P_YTD = rx("今年以来", "年初至今", "今年", "year to date", r"\bytd\b", "this year")
YEAR = r"(?<!\d)((?:19|20)\d\d)(?!\d)\s*(?:年)?"  # a year of this era: '1000增强' is no year
P_YEAR_SPAN = rx(rf"{YEAR}\s*(?:年初|初|年头|start|beginning)?\s*(?:到|至|-|–|~|to|until|through|and)\s*{YEAR}\s*(?:年底|底"
                 r"|年末|末|end)?", rf"(?:from|between)\s+(?:the\s+)?(?:start|beginning)\s+of\s+{YEAR}\s+(?:to|and|until)"
                 rf"\s+(?:the\s+)?end\s+of\s+{YEAR}", rf"(?:from|between)\s+{YEAR}\s+(?:to|and|until|through)\s+{YEAR}")
P_SINCE = rx(r"(?:自|从|since|from)\s*(?:the\s+)?(?:start\s+of\s+|beginning\s+of\s+)?((?:19|20)\d\d)(?!\d)\s*(?:年\s*|[-/.])?\s*"
             r"(?:(\d{1,2})\s*(?:月|(?![\d.\-/])))?\s*"
             r"(?:(?:初|起)\s*)?(?:以来|至今|开始|起|to date|onwards?|on)?",
             r"(?<!\d)((?:19|20)\d\d)\s*年\s*(?:(\d{1,2})\s*月)?\s*(?:初|起)?\s*(?:以来|至今|开始)")
P_YEAR = rx(r"(?<!\d)((?:19|20)\d\d)\s*(?:年\s*)?(?:全年|年度|一整年|度)", r"\bcy\s*((?:19|20)\d\d)\b", r"(?:calendar|\bcal\.?|full[- ](?:year|yr)|during|in|for|over)\s+(?:the\s+)?(?:(?:calendar|full)\s+)?(?:year\s+|yr\s+)?((?:19|20)\d\d)\b",
            r"(?<![\d年])((?:19|20)\d\d)\s*年(?!\s*\d{1,2}\s*月|\s*(?:以来|至今|初|底|末|开始))")
# a year said bare ('2024 csi1000 enhanced etfs', '159680的2024收益') is that calendar year; not a count or size
# ('2,000 ETFs', '2030亿') nor the CSI 2000 index: those are outside 2010–2039 or followed by their unit
P_BARE_YEAR = re.compile(r"(?<![\d.,A-Za-z])(20[1-3]\d)(?![\d.,%]|\s*(?:年|亿|万|元|只|家|"
                         r"bn\b|billion|million|yuan|etfs?\b|funds?\b|stocks?\b|[-/]\d))", re.I)


@dataclass(frozen=True)
class Period:
    """compare_returns window arguments as the user stated them."""

    text: str
    start: str | None = None
    end: str | None = None
    report_period: str | None = None

    def args(self) -> dict[str, str]:
        return {k: v for k, v in (("start", self.start), ("end", self.end), ("report_period", self.report_period))
                if v is not None}


EN_MONTH_YEAR = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+((?:19|20)\d\d)\b", re.I)
EN_YEAR_EDGE = re.compile(r"\b(start|beginning|end)(?:\s+of\s+|\s*-\s*)((?:19|20)\d\d)\b", re.I)  # end of 2024, end-2023
CN_YEAR_EDGE = re.compile(r"((?:19|20)\d\d)\s*年?\s*(初|底|末)")
CN_MONTH_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])\s*(初|底|末)?")
MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
EN_MONTH_DAY = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b"
                          r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
# 'Jan 3 – Jun 30 2023', '3 Jan to 30 Jun 2023': a first day without its year, before the date that states it
EN_DAY_BEFORE = re.compile(r"\b(?P<day>(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?"
                           r"|(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)"
                           r"\s*(?:[–\-~]|to|until|till|through|and)\s*$", re.I)


def _edges(text: str) -> list[tuple[int, str, str, int]]:
    """Partial dates a window may be given by, in order, each as (position, first day, last day, end): 'Jan 2022' →
    2022-01-01 … 2022-01-31, 'end of 2024' / '2024年底' → 2024-12-31, '2022年初' → 2022-01-01."""
    found = []
    for m in EN_MONTH_YEAR.finditer(text):
        first = pd.Timestamp(int(m[2]), EN_MONTHS[m[1].lower()], 1).date().isoformat()
        last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date().isoformat()
        edge = re.search(r"\b(end|start|beginning)\s+of\s+(?:the\s+)?$", text[:m.start()], re.I)  # end of March 2023
        if edge:
            first = last = last if edge[1].lower() == "end" else first
        found.append((m.start(), first, last, m.end()))
    for m in EN_YEAR_EDGE.finditer(text):
        day = f"{m[2]}-12-31" if m[1].lower() == "end" else f"{m[2]}-01-01"
        found.append((m.start(), day, day, m.end()))
    for m in CN_YEAR_EDGE.finditer(text):
        day = f"{m[1]}-12-31" if m[2] in "底末" else f"{m[1]}-01-01"
        found.append((m.start(), day, day, m.end()))
    for m in CN_MONTH_YEAR.finditer(text):  # 2025年6月 → the month; 2025年6月底 → its last day
        if not 1 <= int(m[2]) <= 12:
            continue
        first = pd.Timestamp(int(m[1]), int(m[2]), 1)
        last = (first + pd.offsets.MonthEnd(0)).date().isoformat()
        found.append((m.start(), last if m[3] in ("底", "末") else first.date().isoformat(),
                      first.date().isoformat() if m[3] == "初" else last, m.end()))
    return sorted(found)


MONTH_SPAN = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
                        r"(?:\s*[–\-~到至]\s*|\s+(?:to|through|thru|until|till|and)\s+)"
                        r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*,?\s*(\d{4})\b", re.I)
TO_NOW = re.compile(r"\b(?:to|until|till)\s+(?:now|today|date|the latest)|至今|到现在|以来|\bsince\b", re.I)
HALF_OR_QUARTER = re.compile(r"(?<![A-Za-z0-9])(H[12]|Q[1-4])\s*(\d{4})(?!\d)|(?<!\d)(\d{4}|\d{2})\s*年?\s*(H[12]|Q[1-4])(?!\d)|(\d{4})\s*年?\s*(上半年|下半年|一季度|二季度|三季度|"
                             r"四季度|第[一二三四1-4]季度)", re.I)
PART_BOUNDS = {"h1": ("01-01", "06-30"), "h2": ("07-01", "12-31"), "q1": ("01-01", "03-31"), "q2": ("04-01", "06-30"),
               "q3": ("07-01", "09-30"), "q4": ("10-01", "12-31"), "上半年": ("01-01", "06-30"), "下半年": ("07-01", "12-31")}
HALVES = {"上半年": "h1", "下半年": "h2"}
CN_QUARTERS = {"一": "q1", "1": "q1", "二": "q2", "2": "q2", "三": "q3", "3": "q3", "四": "q4", "4": "q4"}


def _year_part(m: re.Match[str]) -> tuple[str, str]:
    """The year and the part ('q1', 'h2') a HALF_OR_QUARTER match names; '22Q2' is 2022's."""
    part = (m[1] or m[4] or "").lower() or m[6]
    year = m[2] or m[3] or m[5]
    part = HALVES.get(part) or (part if part in PART_BOUNDS else CN_QUARTERS[re.sub(r"[第季度]", "", part)])
    return full_year(year), part


def _part_of_year(text: str) -> Period | None:
    """'H1 2024', '2024Q3', '2024年上半年', '2023年三季度' → that half or quarter."""
    m = HALF_OR_QUARTER.search(text)
    if not m:
        return None
    year, part = _year_part(m)
    first, last = PART_BOUNDS[part]
    return Period(m.group(0), f"{year}-{first}", f"{year}-{last}")


def parts_of_year(text: str) -> set[str]:
    """The halves and quarters a text names, as '2021q1' or '2021h1' ('Q1 2021' and '2021Q1仓位' alike): a figure
    dated the quarter asked answers before one of another period."""
    return {"".join(_year_part(m)) for m in HALF_OR_QUARTER.finditer(two_digit_years(text))}


# a day or month of 'this year': 今年1月3日以来, 今年3月以来, since March 5 this year
THIS_YEAR_DAY = re.compile(r"今年\s*(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*[日号])?|(?:since|from)\s+(?P<en_month>jan|"
                           r"feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*(?P<en_day>\d{1,2})?(?:st|nd|rd|th)?"
                           r",?\s+(?:of\s+)?this\s+year", re.I)
END_MARK = rx(r"(?:截至|截止|直到|until|till|through|as of|ending)\s*$")  # the date after it ends the window


SAME_YEAR_END = re.compile(r"(?<!\d)(\d{4})\s*年(\s*(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*[日号]?)?)?\s*[初底末]?\s*"
                           r"(?:到|至|~|～|—|-)\s*)(?=\d{1,2}\s*月|年[初底末])")


def two_digit_years(text: str) -> str:
    """'22年底', '25年6月', '21年一季度' → '2022年底', '2025年6月', '2021年一季度': a two-digit year before a part of
    the year is that year; and a range's end without its year is in the start's ('2023年3月初到9月底', '2023年初到年底')."""
    text = re.sub(r"(?<![\d年.])(\d{2})\s*年(?=\s*(?:初|底|末|到|至|-|以来|全年|上半年|下半年|第?[一二三四1-4]季度|\d{1,2}\s*月))",
               r"20\1年", text)
    return SAME_YEAR_END.sub(lambda m: f"{m[1]}年{m[2]}{m[1]}" + ("" if text[m.end()] == "年" else "年"), text)


def period(text: str, base: pd.Timestamp = LATEST_END, bare_year: bool = True) -> Period | SlotError | None:
    """The window the text states: two dates, since a date or year, a year span, a calendar year, the last N
    years/months (back from `base`, the last day of the price data), the report's period or since listing; with
    `bare_year`, a year said alone ('2024 csi1000 enhanced etfs') too."""
    text = two_digit_years(text)
    stated = dates(text)
    if bad := next((d.error for d in stated if d.error), None):
        return bad
    if len(stated) == 1 and P_TRAILING.search(text) and DATA_END.search(text[: stated[0].start]):
        return period(P_TRAILING.search(text).group(0), pd.Timestamp(stated[0].value))  # 近半年（数据截至 X）: back from X
    if len(stated) == 1 and (later := MONTH_DAY.search(text, stated[0].start + len(stated[0].text))):
        year = stated[0].value[:4] if stated[0].value else ""
        second = _date(later.group(0), later.start(), int(year or 0), int(later[1]), int(later[2]), "end")
        if second.value:
            stated.append(second)
    if len(stated) == 1 and stated[0].value and (earlier := EN_DAY_BEFORE.search(text[:stated[0].start])):
        month, day = (earlier[2], earlier[3]) if earlier[2] else (earlier[5], earlier[4])
        first = _date(earlier["day"], earlier.start(), int(stated[0].value[:4]), EN_MONTHS[month.lower()],
                      int(day), "start")
        if first.error:
            return first.error
        stated.insert(0, first)
    if not stated and (day := THIS_YEAR_DAY.search(text)):  # 今年1月3日以来, since mar 5 this year: the data's year
        month = int(day["month"]) if day["month"] else EN_MONTHS[day["en_month"].lower()]
        first = _date(day.group(0), day.start(), base.year, month, int(day["day"] or day["en_day"] or 1), "start")
        return first.error or Period(day.group(0), first.value, base.date().isoformat())
    if not stated and not re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", text) and not P_YTD.search(text) and (
            day := MONTH_DAY.search(text) or EN_MONTH_DAY.search(text)):  # 'from jan 3 to jun 30': which year?
        return SlotError("start", day.group(0), "no year given", "a date with its year, e.g. 2023-01-03")
    if not stated and (part := _part_of_year(text)):
        return part
    if not stated and (span := MONTH_SPAN.search(text)):  # Jan–Jun 2025
        first = pd.Timestamp(int(span[3]), EN_MONTHS[span[1].lower()], 1)
        last = pd.Timestamp(int(span[3]), EN_MONTHS[span[2].lower()], 1) + pd.offsets.MonthEnd(0)
        return Period(span.group(0), first.date().isoformat(), last.date().isoformat())
    edges = [e for e in _edges(text) if not any(d.start <= e[0] < d.start + len(d.text) for d in stated)]  # 'Jun
    # 2023' inside '1 Jun 2023' is that date, not the month
    if to := LISTING_TO.search(text):  # '从上市到2023年底', 'from inception through 2023-06-30': each fund's listing
        ends = sorted([(d.start + len(d.text), d.value) for d in stated if d.start >= to.end()]
                      + [(e[3], e[2]) for e in edges if e[0] >= to.end()])
        if ends:  # to the date stated; the tool starts at the latest listing among the funds compared
            return Period(text[to.start():ends[0][0]], None, ends[0][1])
    if not stated and len(edges) == 1 and TO_NOW.search(text):  # from March 2023 to now
        return Period(text, edges[0][1])
    if not stated and len(edges) >= 2:
        return Period(text[edges[0][0]:edges[-1][3]], edges[0][1], edges[-1][2])
    if len(stated) == 1 and edges:
        points = sorted([(stated[0].start, stated[0].value, stated[0].value, 0), *edges])
        return Period(text, points[0][1], points[-1][2])
    if len(stated) >= 2:
        first, second = stated[0], stated[1]
        if END_MARK.search(text[:first.start]) and not END_MARK.search(text[:second.start]):
            first, second = second, first  # '截至2025-11-17的近一年（从2024-11-17算起）': the end is named first
        return Period(f"{first.text} … {second.text}", first.value, second.value)
    if P_REPORT.search(text):
        return Period(P_REPORT.search(text).group(0), report_period="report")
    if m := P_LISTING.search(text):
        return Period(m.group(0), report_period="latest")
    if stated:
        return Period(stated[0].text, stated[0].value)
    if m := P_YEAR_SPAN.search(text):
        first, last = (g for g in m.groups() if g)
        return Period(m.group(0), f"{first}-01-01", f"{last}-12-31")
    if m := P_SINCE.search(text):
        year, month = m.group(1) or m.group(3), m.group(2) or m.group(4) or "1"
        return Period(m.group(0).strip(), f"{year}-{int(month):02d}-01")
    if m := P_TRAILING.search(text):
        count = m.group(1) or m.group(3) or m.group(5) or "1"
        unit = (m.group(2) or m.group(4) or "month").lower()
        if count == "半":  # 过去半年: six months
            count, unit = "6", "月"
        count = 12 if count.lower() == "twelve" else int(count)
        offset = (pd.DateOffset(years=count) if unit.startswith(("年", "year")) else
                  pd.DateOffset(weeks=count) if unit.startswith(("周", "week")) else pd.DateOffset(months=count))
        return Period(m.group(0), (base - offset).date().isoformat(), base.date().isoformat())  # to the data's last day
    if m := P_YTD.search(text):
        return Period(m.group(0), f"{base.year}-01-01", base.date().isoformat())
    if m := P_YEAR.search(text) or (bare_year and P_BARE_YEAR.search(text)):
        year = next(g for g in m.groups() if g)
        return Period(m.group(0), f"{year}-01-01", f"{year}-12-31")
    return None


TURNOVER_DATE = rx("成交", "数据", r"\bturnover\b", r"\bas of\b", r"\btraded\b", r"\bdata\b")


def as_of(text: str, liquidity_question: bool = True) -> StatedDate | None:
    """The turnover date a liquidity question states: a full date ('as of 2023-01-05', '截至2023年1月5日'), or the last
    day of a month or year it names ('end of March 2023', '2023年3月底', '24年6月'). A question that may not be about
    liquidity at all (a follow-up) names a month or year as the turnover date only beside turnover words: '截至2024年底，
    美国市场共有…' dates a report fact."""
    text = two_digit_years(text)
    if stated := dates(text, param="as_of"):
        return stated[0]
    if (edges := _edges(text)) and (liquidity_question or TURNOVER_DATE.search(text)):
        position, _, last, end = edges[0]
        if (day := MONTH_DAY.search(text, end)) and re.fullmatch(r"\s*[（(]?\s*(?:即|也就是|i\.e\.)?\s*",
                                                                  text[end:day.start()]):
            # '2022年底（12月30日）': the day stated beside it is the date
            return _date(text[position:day.end()], position, int(last[:4]), int(day[1]), int(day[2]), "as_of")
        return StatedDate(text[position:end], position, last)
    return None


# --- indexes ---------------------------------------------------------------------------------------------------------
BARE_INDEX = re.compile(r"(?<![\d.])(1000|500|300|800)(?=\s*(?:增强|指增|etf|指数|enhanced))", re.I | re.A)
BARE_CODES = {"1000": "000852", "500": "000905", "300": "000300", "800": "000906"}
INDEX_LIKE = re.compile(
    r"(?:纳斯达克|纳指|标普|道琼斯|道指|恒生|恒指|罗素|日经|富时|国证|深证|上证|中证|创业板|科创|北证|msci|nasdaq|s\s*&\s*p|"
    r"sp|dow\s*jones|hang\s*seng|russell|nikkei|ftse|csi|sse|szse|chinext|star)[\s-]*(?:[a-z]{0,6}[\s-]*)?\d{2,4}"
    r"(?:\s*(?:指数|index))?|恒生指数|恒生科技|hang\s*seng(?:\s*index)?|创业板指?|科创创业\s*50|双创\s*50|chinext|"
    r"\b(?:ndx|spx|djia|hsi|hstech)(?:[\s-]*\d{2,4})?\b",
    re.I,
)
NOT_INDEX = re.compile(r"中证指数有限公司|中证指数公司|csi\s+index\s+co", re.I)
SQUASH = re.compile(r"[\s&_\-·]")


@dataclass(frozen=True)
class IndexMention:
    text: str
    name: str | None  # the Chinese name the tools accept, or None for an index the data does not have


def _squash(text: str) -> str:
    return SQUASH.sub("", text.lower())


@cache
def _index_aliases() -> list[tuple[str, str]]:
    """(squashed alias, index code), longest first, for the indexes compare_returns knows."""
    aliases = {(_squash(a), code) for code, (cn, en, more) in INDEXES.items() for a in (code, cn, en, *more)
               if not a.isdigit() or len(a) == 6}
    aliases |= {(_squash(a), c) for a, c in (("csi1000", "000852"), ("csi500", "000905"), ("csi300", "000300"),
                                              ("zz1000", "000852"), ("zz500", "000905"), ("hs300", "000300"),
                                              ("star50", "000688"), ("科创板50", "000688"), ("中证一千", "000852"))}
    return sorted(aliases, key=lambda a: -len(a[0]))


def indexes(text: str) -> list[IndexMention]:
    """Indexes the text names, in order: known ones by their tool name, others (纳斯达克100, 上证50) with name None."""
    body = NOT_INDEX.sub(" ", text)
    squashed = _squash(body)
    hits: dict[str, tuple[int, IndexMention]] = {}
    for alias, code in _index_aliases():
        at = squashed.find(alias)
        if at >= 0 and not any(at >= s and at < s + len(a) for a, (s, _) in ((k, v) for k, v in hits.items())):
            name = INDEXES[code][0]
            if name not in {m.name for _, m in hits.values()}:
                hits[alias] = (at, IndexMention(alias, name))
    foreign = [m.span() for m in INDEX_LIKE.finditer(body)]  # the 500 of 'S&P 500 enhanced' is no CSI 500
    if (bare := BARE_INDEX.search(body)) and not any(s <= bare.start() < e for s, e in foreign):
        name = INDEXES[BARE_CODES[bare.group(1)]][0]
        if name not in {m.name for _, m in hits.values()}:
            hits[bare.group(0)] = (len(squashed), IndexMention(bare.group(0), name))
    known = {m.name for _, m in hits.values()}
    for m in INDEX_LIKE.finditer(body):
        words = _squash(m.group(0))
        if not any(alias in words or words in alias for alias, _ in _index_aliases()) and known.isdisjoint({words}):
            hits[words] = (squashed.find(words), IndexMention(m.group(0).strip(), None))
    return [m for _, m in sorted(hits.values(), key=lambda item: item[0])]


# --- funds -----------------------------------------------------------------------------------------------------------
NOT_TICKERS = {"ETF", "ETFS", "AUM", "USD", "CNY", "RMB", "CSI", "SSE", "NAV", "LOF", "CLO", "CLOS", "AAA", "IPO", "THE",
               "AND", "FOR", "HOW", "WHAT", "WHO", "WHY", "STAR", "US", "USA", "QDII", "FOF", "API", "TOP", "FEE", "MSCI",
               "IC", "IF", "IH", "IM", "PDF", "CEO", "GDP", "ESG", "OK", "YTD", "ALL", "ANY", "NOW", "NEW", "ONE",
               "TWO", "SIX", "TEN", "NOT", "ARE", "WAS", "HAS", "DID", "DOES", "ITS", "LIST", "RANK", "FUND", "FUNDS",
               "NASDAQ", "DOW", "HSI", "SP", "CSRC", "JSON", "PS", "BTW", "FYI", "PLS", "AI", "LLM", "I", "A", "Q",
               "H", "SH", "SZ", "CHINA", "IS", "IT", "OF", "ON", "IN", "AT", "BY", "TO", "OR", "IIRC", "TELL", "ME"}


@dataclass(frozen=True)
class FundMention:
    text: str
    query: str | None  # what fund_facts receives: a ticker or a fund code
    kind: Literal["us", "cn"]
    error: SlotError | None = None


@cache
def us_tickers() -> frozenset[str]:
    report = load_report()
    tickers = {t for n in ("表 1", "表 3") for t in report.tables[n].frame["ticker"]}
    return frozenset(tickers | {t for cell in report.tables["表 4"].frame["tickers"] for t in cell.split(";")})


GENERIC_ISSUER_WORDS = frozenset({"the", "american", "global", "capital", "state", "adaptive", "innovative",
                                  "convergence", "motley", "eaton", "hartford"})


@cache
def entity_words() -> frozenset[str]:
    """Lower-case tickers and distinctive issuer words of the report's tables (dfac, jpmorgan, blackrock) plus the
    issuers its text names: the names a question may single out, unlike 'equity' or 'income'."""
    report = load_report()
    issuers = [*report.tables["表 2"].frame["issuer"], *report.tables["表 4"].frame["issuer"],
               "Vanguard", "iShares", "Avantis", "State Street"]
    words = {str(name).split()[0].lower() for name in issuers} | {"state street"}
    return frozenset({t.lower() for t in us_tickers()} | (words - GENERIC_ISSUER_WORDS))


@cache
def _entity_pattern() -> re.Pattern[str]:
    words = sorted(map(re.escape, entity_words()), key=len, reverse=True)
    return re.compile(rf"(?<![a-z])(?:{'|'.join(words)})(?![a-z])", re.I)


def entities_in(text: str) -> dict[str, str]:
    """The entity words (tickers, issuers) a text names: lower case → as written ('JPMorgan', 'state street')."""
    return {m.group(0).lower(): m.group(0) for m in _entity_pattern().finditer(text)}


@cache
def us_names() -> tuple[tuple[str, str, str], ...]:
    """(squashed full name, name, ticker) of the report's US funds, longest first: a fund named in full ('iShares U.S.
    Equity Factor Rotation Active ETF') is looked up by that name, as stated."""
    report = load_report()
    named = {(str(n), str(t)) for tab in ("表 1", "表 3")
             for t, n in report.tables[tab].frame[["ticker", "name"]].itertuples(index=False)}
    rows = {(_squash(n), n, t) for n, t in named} | {(_squash(NAME_FILLER.sub(" ", n)), n, t) for n, t in named}
    return tuple(sorted(rows, key=lambda row: -len(row[0])))


NAME_FILLER = re.compile(r"\b(?:U\.S\.|US|ETF|Active|Trust)(?![\w.])", re.I)  # 'avantis small cap value' is AVUV


@cache
def _cn_names() -> tuple[tuple[str, str], ...]:
    """(matching key, fund code): '国泰中证1000增强ETF' (manager + name) before the bare name, longest first; a bare
    name shared by several funds (two funds are called 中证1000增强ETF) maps to '' and must be disambiguated."""
    facts = load_etf_facts()
    listed = facts[facts["status"] == "L"] if "status" in facts else facts
    keys: dict[str, set[str]] = {}
    for row in listed.itertuples():
        name = _squash(str(row.name))
        manager = _squash(str(row.manager).removesuffix("基金"))
        for key in {f"{manager}{name}", f"{manager}{name.replace('etf', '策略etf')}", name}:
            if len(key) >= 5:
                keys.setdefault(key, set()).add(row.code)
    return tuple(sorted(((k, next(iter(v)) if len(v) == 1 else "") for k, v in keys.items()),
                        key=lambda item: -len(item[0])))


# English spellings of fund managers (entities.yaml) and index phrases, so "the Guotai CSI 1000 enhanced ETF" finds
# 国泰中证1000增强ETF
INDEX_NAME_ALIASES = ((r"csi\s*1000\s*(?:index\s*)?enhanced(?:\s*strategy)?\s*etf", "中证1000增强ETF"),
                      (r"csi\s*500\s*(?:index\s*)?enhanced(?:\s*strategy)?\s*etf", "中证500增强ETF"),
                      (r"csi\s*300\s*(?:index\s*)?enhanced(?:\s*strategy)?\s*etf", "沪深300增强ETF"),
                      (r"1000\s*enhanced(?:\s*strategy)?\s*etf", "1000增强ETF"))


@cache
def entities() -> dict:
    """entities.yaml, read once: names people ask about, manager spellings, real funds the reports lack."""
    return yaml.safe_load(ENTITIES.read_text(encoding="utf-8"))


@cache
def name_aliases() -> tuple[tuple[str, str], ...]:
    """(English pattern, Chinese name) pairs, longest manager name first; the spelling repair leaves their words."""
    managers = sorted(entities()["manager_names"].items(), key=lambda item: -len(item[0]))  # 'huatai pinebridge' first
    return (*((re.escape(english).replace(r"\ ", r"[\s-]*"), chinese) for english, chinese in managers),
            *INDEX_NAME_ALIASES)


def _chinese_names(text: str) -> str:
    for english, chinese in name_aliases():
        text = re.sub(rf"\b{english}\b", chinese, text, flags=re.I)
    return text


@cache
def _us_name_word() -> re.Pattern[str]:
    """One Chinese word of a US fund's name (entities.yaml `us_name_words`), longest first."""
    return re.compile("|".join(map(re.escape, sorted(entities()["us_name_words"], key=len, reverse=True))))


@cache
def _us_name_run() -> re.Pattern[str]:
    """A run of those words right after a Latin brand, up to 'ETF' or the end of the name."""
    return re.compile(rf"(?<=[A-Za-z])\s*((?:{_us_name_word().pattern})+)(?=\s*(?:etf|基金|\W|$))", re.I)


def _us_name_words(text: str) -> str:
    """Chinese words of a US fund's name after its Latin brand, in English: 'Avantis小盘价值ETF' → 'Avantis small cap
    value ETF'."""
    words = entities()["us_name_words"]
    return _us_name_run().sub(lambda m: " " + " ".join(words[w] for w in _us_name_word().findall(m[1])) + " ", text)


NAME_WORD = re.compile(r"[a-z0-9][a-z0-9.&-]*")


def _name_words(name: str) -> list[str]:
    return NAME_WORD.findall(NAME_FILLER.sub(" ", name).lower())


@cache
def _us_name_word_sets() -> tuple[tuple[str, list[str]], ...]:
    return tuple((name, _name_words(name)) for name in dict.fromkeys(n for _, n, _ in us_names()))


def _shortened_us_name(text: str) -> tuple[int, FundMention] | None:
    """A US fund named by its brand and the next words of its name ('JPMorgan ultra-short', 'the Avantis small cap
    fund'), when exactly one fund of the report's tables has that brand and all those words."""
    names = _us_name_word_sets()
    tokens = list(NAME_WORD.finditer(NAME_FILLER.sub(" ", text).lower()))
    for i, brand in enumerate(tokens):
        words = [t.group(0) for t in tokens[i:i + 6]]
        for size in range(len(words), 1, -1):  # the name ends where its words do: 'Avantis small cap fee'
            matches = {name for name, own in names if own and own[0] == brand.group(0) and set(words[:size]) <= set(own)}
            if len(matches) == 1:
                return brand.start(), FundMention(" ".join(words[:size]), matches.pop(), "us")
            if matches:
                break  # 'JPMorgan premium income' names two funds: neither is taken
    return None


@lru_cache(maxsize=512)  # one question is read by several intents, and history by every brain step
def funds(text: str, names: bool = True) -> tuple[FundMention, ...]:
    """Funds the text names: US tickers of the report's tables, Chinese fund codes (unknown codes come back as
    errors, never as the nearest other fund) and, with `names`, Chinese fund names ('国泰中证1000增强ETF')."""
    text = _us_name_words(re.sub(r"《[^》]*》", " ", text))  # a report's title names no fund ("…1000 增强 ETF 密集发行")
    found: list[tuple[int, FundMention]] = []
    for m in re.finditer(r"(?<![A-Za-z])[A-Za-z]{2,5}(?![A-Za-z])", text):
        token = m.group(0)
        if token.upper() in us_tickers() and (token.isupper() or len(token) >= 4):
            found.append((m.start(), FundMention(token, token.upper(), "us")))
    codes = set(load_etf_facts()["code"])
    for m in re.finditer(r"(?<![\d.])(\d{6})(?:\.(?:SH|SZ|OF))?(?![\d.%])(?!\s*(?:亿|万|元|billion|million|bn))", text,
                         flags=re.I | re.A):
        code = m.group(1)
        if code in INDEXES or code in {"000852", "000905", "000300", "000906", "399300", "399006", "000688"}:
            continue
        if code in codes:
            found.append((m.start(), FundMention(m.group(0), code, "cn")))
        elif not re.search(r"\d{4}-$|年$", text[: m.start()]):
            error = SlotError("query", m.group(0), "no fund with this code in the data",
                              "a Chinese fund code in corpus/market/etf_facts.csv or a ticker of the report's tables")
            found.append((m.start(), FundMention(m.group(0), None, "cn", error)))
    if names:
        lowered = _squash(text)
        for key, name, ticker in us_names():
            if len(key) >= 12 and (at := lowered.find(key)) >= 0 and all(m.query != ticker for _, m in found):
                found.append((at, FundMention(name, name, "us")))
        if not any(m.kind == "us" for _, m in found) and (short := _shortened_us_name(text)):
            found.append(short)
        squashed = _squash(_chinese_names(text))
        taken: list[tuple[int, int]] = []
        for key, code in _cn_names():
            at = squashed.find(key)
            if at < 0 or any(s <= at < e for s, e in taken):
                continue
            taken.append((at, at + len(key)))
            if code and (wrong := _other_manager(_chinese_names(text), code)):
                found.append((at, _by_manager_and_index(_chinese_names(text)) or FundMention(key, None, "cn", wrong)))
            elif code:
                found.append((at, FundMention(key, code, "cn")))
            elif (named := _by_manager_and_index(_chinese_names(text))) is not None:
                found.append((at, named))  # 天弘1000增强ETF: the manager tells the funds of one name apart
            elif re.search(r"(?:\d+|几|多|这些|那些|哪些|各|所有|全部)只$", squashed[:at]):
                continue  # '3只中证1000增强ETF' names a kind of fund, not one fund of that name
            else:
                same = sorted(load_etf_facts().query("name.str.lower().str.replace(' ', '') == @key")
                              .apply(lambda r: f"{r['code']} {r['name']}（{r['manager']}）", axis=1))
                error = SlotError("query", key, "several funds have this name; name the manager or the code",
                                  "; ".join(same))
                found.append((at, FundMention(key, None, "cn", error)))
    if names and not found and (by_parts := _by_manager_and_index(_chinese_names(text))):
        found.append((0, by_parts))
    if any(m.error is None for _, m in found):  # a valid code or name beside an ambiguous name: the valid one
        found = [(at, m) for at, m in found if m.error is None or m.text.isdigit()]
    unique: dict[str, tuple[int, FundMention]] = {}
    for at, mention in sorted(found, key=lambda item: item[0]):
        unique.setdefault(mention.query or mention.text, (at, mention))
    return [m for _, m in sorted(unique.values(), key=lambda item: item[0])]


def _other_manager(text: str, code: str) -> SlotError | None:
    """The refusal when the text names a manager other than the fund's own: '易方达的沪深300增强ETF' is not 招商's
    fund of that name (561990); it is 易方达's, or no fund at all."""
    facts = load_etf_facts()
    own = str(facts.loc[facts["code"] == code, "manager"].iloc[0]).removesuffix("基金")
    stated = sorted(m for m in _cn_managers() if m in text)
    if not stated or own in stated or any(own in m for m in stated):
        return None
    theirs = facts[facts["manager"].str.removesuffix("基金").isin(stated) & facts["invest_type"].eq("增强指数型")
                   & facts["status"].eq("L")]
    return SlotError("query", f"{'、'.join(stated)} {facts.loc[facts['code'] == code, 'name'].iloc[0]}",
                     f"{code} is {own}'s fund; {'、'.join(stated)} has no fund of this name",
                     "; ".join(f"{r.code} {r.name}（{r.manager}）" for r in theirs.itertuples()) or "a fund code")


@cache
def _cn_managers() -> frozenset[str]:
    """The Chinese fund managers' names without 基金 ('易方达', '华泰柏瑞')."""
    return frozenset(m for m in (str(x).removesuffix("基金") for x in load_etf_facts()["manager"]) if len(m) >= 2)


SHARE_CLASS = re.compile(r"(?:增强|指数|基金)\s*[A-C](?![A-Za-z])")
ENHANCED_WORD = re.compile(r"增强|指增|enh\w*n\w*c|enhnac|enhacn", re.I)


def _by_manager_and_index(text: str) -> FundMention | None:
    """'国泰那只中证1000增强策略ETF', 'guotai 1000 enhnaced etf': a manager, an index number and 'enhanced' that together
    name exactly one enhanced fund (typos and words in between do not matter)."""
    if not ENHANCED_WORD.search(text) or SHARE_CLASS.search(text):
        return None  # '易方达上证50指数增强A' is an off-exchange fund's share class, not 易方达's 上证50增强ETF
    numbers = set(re.findall(r"(?<!\d)(1000|500|300|800|50)(?!\d)", text))
    facts = load_etf_facts()
    listed = facts[(facts["status"] == "L") & facts["invest_type"].eq("增强指数型")]
    hits = [row for row in listed.itertuples() if str(row.manager).removesuffix("基金") in text
            and any(re.search(rf"(?<!\d){n}(?!\d)", str(row.name)) for n in numbers)]  # 50 is not in 中证500
    if len(hits) == 1 and numbers:
        return FundMention(hits[0].name, hits[0].code, "cn")
    return None


@cache
def _issuer_words() -> frozenset[str]:
    """Words of the issuers' names in 表 2 and 表 4 ('PIMCO', 'FUNDX') and their abbreviations (SSGA): a company, not a
    ticker."""
    report = load_report()
    names = [*report.tables["表 2"].frame["issuer"], *report.tables["表 4"].frame["issuer"],
             *(alias for alias in entities()["issuer_aliases"] if alias.isascii())]
    return frozenset(w.upper() for n in names for w in str(n).split())


def unknown_tickers(text: str) -> list[str]:
    """Upper-case ticker-like words that are no fund of the report's tables ('ARKK', 'ZZZZ') nor an issuer."""
    return [t for t in re.findall(r"(?<![A-Za-z])[A-Z]{4,5}(?![A-Za-z])", text)
            if t not in us_tickers() and t not in NOT_TICKERS and t not in _issuer_words()]


@cache
def market_fund_words() -> str:
    """The Chinese funds' names and managers in the price data (etf_funds.csv), lower case: what the tools cover."""
    funds = _market().funds
    return " ".join([*funds["name"], *funds["manager"]]).lower()


def fund_type(code: str) -> str | None:
    """'enhanced' or 'passive' for a Chinese fund of the price data: a passive one can be the benchmark."""
    market = _market().funds
    return str(market.at[code, "type"]) if code in market.index else None


def fund_index(code: str) -> str | None:
    """The index a Chinese fund of the price data tracks (its tool name), for 'compare 159680 and 561590'."""
    market = _market().funds
    if code in market.index:
        tracked = market.at[code, "index_code"]
        return INDEXES[tracked][0] if tracked in INDEXES else None
    return None
