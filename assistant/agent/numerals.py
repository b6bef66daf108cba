"""Number words as digits, and the asker's language: the first step of reading any question.

Chinese numerals (十五亿, 百分之五, 二十个交易日) and English number words (twenty days, two billion) become digits only
where they are quantities, so that words merely containing numeral characters (统一, 千万别) stay as they are.
"""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["zh", "en"]


def rx(*alternatives: str) -> re.Pattern[str]:
    """Alternatives as one case-insensitive pattern; ASCII \\b, so that it works next to Chinese ('按AUM排名')."""
    return re.compile("|".join(alternatives), re.I | re.A)


# --- numerals ------------------------------------------------------------------------------------------------------
# the financial (大写) numerals too: 叁亿, 前叁家 are written by people who fill in cheques
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
CN_SMALL = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "仟": 1000}
# a run starts with a numeral: 万, 亿 and 点 multiply or continue one (50亿一天 is 50亿 and 一天, not 亿一)
CN_RUN = re.compile(r"(百分之)?([零〇一二两三四五六七八九十百千壹贰叁肆伍柒捌玖拾佰仟]"  # not 陆 first: 陆家嘴
                    r"[零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟万亿点]*)")
# a converted run must be a quantity: followed by a unit or counter, or preceded by 第/前/近/过去
CN_AFTER = rx("[元天日个只名年月倍家%周位条次期大]", "交易日", "trading")
CN_BEFORE = re.compile(r"(第|前|近|过去|最近|换成|改成|改为|换为)$")
EN_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
            "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
EN_NUMBERS = {w: i for i, w in enumerate(EN_WORDS)} | {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
COUNTS = "|".join(w for w in EN_NUMBERS if w not in ("zero", "one"))  # "which one" stays a word
SUPERLATIVES = ("top", "first", "which", "bottom", "newest", "oldest", "cheapest", "priciest",
                "largest", "biggest", "smallest", "lowest",
                "highest", "latest", "earliest")
AFTER_SUPERLATIVE = "|".join(rf"(?<=\b{w} )" for w in SUPERLATIVES)
EN_NUMBER = rx(r"(?:" + AFTER_SUPERLATIVE + r")(" + COUNTS + r")\b"  # top five, newest two
               r"|\b(" + "|".join(EN_NUMBERS) + r")(?=[\s-]*(?:(?:active|equity|bond|fixed[\s-]income|enhanced)[\s-]+)?"
               r"(?:billion|million|bn|trading|days?|weeks?|years?|months?|percent"
               r"|per cent|%|issuers|funds|etfs|launches|products|companies|managers|largest|biggest|smallest|cheapest"
               r"|newest|oldest|youngest|latest|earliest|most recent(?:ly)?|lowest|highest)\b)")
EN_ORDINALS = {w: i for i, w in enumerate(["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                                           "eighth", "ninth", "tenth", "eleventh", "twelfth"]) if i}


def cn_number(text: str) -> float:
    """'十五' → 15, '一千五百万' → 15,000,000, '一点五' → 1.5, '两百' → 200: Chinese numerals as a number."""
    if "点" in text:
        whole, decimals = text.split("点", 1)
        digits = "".join(str(CN_DIGITS[c]) for c in decimals if c in CN_DIGITS)
        return (cn_number(whole) if whole else 0.0) + (float("0." + digits) if digits else 0.0)
    total = below_yi = section = digit = 0.0
    for char in text:
        if char in CN_DIGITS:
            digit = digit * 10 + CN_DIGITS[char] if digit and not section else CN_DIGITS[char]
        elif char in CN_SMALL:
            section += (digit or 1) * CN_SMALL[char]
            digit = 0
        elif char == "万":
            below_yi += (section + digit or 1) * 1e4
            section = digit = 0
        elif char == "亿":
            total += (below_yi + section + digit or 1) * 1e8
            below_yi = section = digit = 0
    return total + below_yi + section + digit


def plain(value: float) -> str:
    """15.0 → '15', 1.5 → '1.5': a number as the user would type it."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


# a lone digit after 亿/万 with a counter after it is a quantity of its own: 二十亿一天 is 20亿 and 1天
# (二十亿一千万 is one number)
SPLIT_TAIL = re.compile(r"^(.*[万亿])([零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖])$")
COUNTER_NOT_MONEY = rx("[天日个只名年月倍家周位条次期]", "交易日", "trading")


def _cn_run(match: re.Match[str]) -> str:
    percent, run = match.group(1), match.group(2)
    if not percent and (tail := SPLIT_TAIL.match(run)) and COUNTER_NOT_MONEY.match(match.string, match.end()):
        digit = tail.group(2)
        once = match.string.startswith("次性", match.end())  # 一次性 (at once) stays a word
        return CN_RUN.sub(_cn_run, tail.group(1)) + (digit if once else str(CN_DIGITS[digit]))
    core = run.rstrip("万亿")
    unit = run[len(core):]
    if unit and set(core) & set("万亿"):  # 二十亿一千万: one number, not 二十亿一千 times 万
        core, unit = run, ""
    if not core or not (set(core) & set(CN_DIGITS) or core[0] in "十拾"):
        return match.group(0)
    before, after = match.string[: match.start()], match.string[match.end():]
    if percent:
        return f"{plain(cn_number(run))}%"
    if not (unit or CN_AFTER.match(after) or CN_BEFORE.search(before)) or (before.endswith("哪") and run == "一"):
        return match.group(0)  # '哪一年', '哪一只' ask which, they state no number ('哪三家' asks for three)
    gap = " " if before[-1:].isascii() and before[-1:].isalpha() else ""  # 'ETF二〇二四年' → 'ETF 2024年', two words
    return gap + plain(cn_number(core)) + unit


# per mille and basis points as percentages: 千分之二 → 0.2%, 2‰ → 0.2%, 万分之五 → 0.05%, 20bp → 0.2%
FRACTION_WORD = re.compile(r"(千分之|万分之)\s*([零〇一二两三四五六七八九十百点]+|\d+(?:\.\d+)?)")
FRACTION_SIGN = rx(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(‰|‱|bps?\b|basis points?\b|个基点)")
PER_PERCENT = {"千分之": 10, "万分之": 100, "‰": 10, "‱": 100}


# tenths said as 成 (两成 → 20%, 三成半 → 35%, the report's 超七成成分股 → 70%): not the 成 of 成交, 成分, 一成不变
TENTHS = re.compile(r"(?<![零〇一二两三四五六七八九十百千万亿\d.])([一二两三四五六七八九十]|\d(?:\.\d+)?)成"
                    r"(?:(半)|([一二三四五六七八九])(?![成交分只家个天日名位年月倍亿万元]))?"  # 三成半 35%, 九成五 95%
                    r"(?![交分本立长功为熟员果绩就都年型效品份色不])")
SHORT_YEAR = re.compile(r"(?<![\d年.第])([12]\d)\s*年"
                        r"(?=\s*(?:初|底|末|年底|年末|全年|上半年|下半年|一季度|以来|[HQ]\d))", re.I)

# a fraction of one percent in words, as a threshold is said aloud: "one tenth of one percent" → 0.1%, "half a
# percent" → 0.5%, "two tenths of a percent" → 0.2%, "0.5 pct" → 0.5%
EN_PARTS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
            "tenth": 10, "tenths": 10, "hundredth": 100, "hundredths": 100}
PERCENT_WORD = r"(?:%|percent\b|per cent\b|pct\b|percentage points?\b)"
EN_FRACTION = rx(r"\b(?:(a|an|one|two|three|four|five|six|seven|eight|nine|\d+)[\s-]+)?(" + "|".join(EN_PARTS) + r")"
                 r"[\s-]+(?:of[\s-]+)?(?:a[\s-]+|an[\s-]+|one[\s-]+|1\s*)?" + PERCENT_WORD)
# halves and quarters of a year in words: "first half of 2023" → H1 2023, "2H24" → H2 2024, "Q3'24" → Q3 2024
EN_HALF = rx(r"\b(first|1st|second|2nd)\s+half\s+(?:of\s+)?(?:the\s+year\s+)?(\d{4}|'\d{2}\b)(?!\d)")
EN_QUARTER = rx(r"\b(first|1st|second|2nd|third|3rd|fourth|4th)\s+quarter\s+(?:of\s+)?(\d{4}|'\d{2}\b)(?!\d)")
FISCAL_YEAR = rx(r"\bFY\s*'?(\d{4}|\d{2})\b")  # FY2024, FY24: a Chinese fund's financial year is the calendar year
SHORT_PARTS = ((rx(r"\b([12])(H)\s*'?(\d{2}|\d{4})\b"), r"\2\1 \3"),
               (rx(r"\b([1-4])(Q)\s*'?(\d{2}|\d{4})\b"), r"\2\1 \3"),
               (rx(r"\b([HQ])([1-4])\s*'(\d{2})\b"), r"\1\2 \3"))
PART_ORDER = {"first": "1", "1st": "1", "second": "2", "2nd": "2", "third": "3", "3rd": "3", "fourth": "4", "4th": "4"}


def full_year(year: str) -> str:
    """'2023', "'23" and '23' → '2023'."""
    digits = year.lstrip("'")
    return digits if len(digits) == 4 else f"20{digits}"


def _tenths(match: re.Match[str]) -> str:
    tenths = float(match[1]) if match[1][0].isdigit() else 10 if match[1] == "十" else CN_DIGITS[match[1]]
    return f"{plain(tenths * 10 + (5 if match[2] else CN_DIGITS[match[3]] if match[3] else 0))}%"


def _as_percent(number: float, per: int) -> str:
    return f"{plain(number / per)}%"


def _en_fraction(match: re.Match[str]) -> str:
    count = (match[1] or "a").lower()
    number = 1 if count in ("a", "an") else EN_NUMBERS.get(count) or float(count)
    return _as_percent(number * 100 / EN_PARTS[match[2].lower()], 100)


def _parts_of_year(text: str) -> str:
    text = EN_HALF.sub(lambda m: f"H{PART_ORDER[m[1].lower()]} {full_year(m[2])}", text)
    text = EN_QUARTER.sub(lambda m: f"Q{PART_ORDER[m[1].lower()]} {full_year(m[2])}", text)
    text = FISCAL_YEAR.sub(lambda m: f"calendar {full_year(m[1])}", text)
    for pattern, replacement in SHORT_PARTS:
        text = pattern.sub(replacement, text)
    return re.sub(r"\b([HQ][1-4]) (\d{2})\b(?!\d)", r"\1 20\2", text, flags=re.I | re.A)


def normalise(text: str) -> str:
    """Chinese and English number words as digits (十五亿 → 15亿, 百分之五 → 5%, 千分之二 → 0.2%, 两成 → 20%, twenty
    days → 20 days)."""
    text = FRACTION_WORD.sub(lambda m: _as_percent(float(m[2]) if m[2][0].isdigit() else cn_number(m[2]),
                                                   PER_PERCENT[m[1]]), text)
    text = FRACTION_SIGN.sub(lambda m: _as_percent(float(m[1]), PER_PERCENT.get(m[2], 100)), text)
    text = EN_FRACTION.sub(_en_fraction, text)
    text = _parts_of_year(text)
    text = TENTHS.sub(_tenths, text)
    text = CN_RUN.sub(_cn_run, text)
    text = SHORT_YEAR.sub(r"20\1年", text)  # 24年底 → 2024年底, as the reports write years
    text = EN_NUMBER.sub(lambda m: str(EN_NUMBERS[(m.group(1) or m.group(2)).lower()]), text)
    text = re.sub(r"(\d)\s*个\s*(亿|万)", r"\1\2", text)  # 15个亿, 十五个亿: 15亿 as said aloud
    return re.sub(r"(\d)\s*(?:percent|per cent|pct)\b", r"\1%", text, flags=re.I | re.A)


CN_FRAME = re.compile(r"^\s*(?:那|那么)\S|呢\s*[?？]?\s*$")
CN_ASKS = re.compile(r"多少|什么|哪|几|吗|呢|是否|怎么|为什么|如何|请|是谁|有没有")


QUOTED = re.compile(r"《[^》]{2,120}》|“[^”]{2,120}”|\"[^\"]{2,120}\"")


def language(text: str) -> Lang:
    """English when Latin letters clearly outnumber Chinese characters ('What about 20亿?' is English), unless a
    Chinese sentence asks the question around English names ('iShares U.S. Equity … ETF的费率是多少？' is Chinese)."""
    text = QUOTED.sub(" ", text)  # a quoted title ('the study "指数增强基金如何选"') is a name, not the language
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if CN_FRAME.search(text):  # '那State Street呢？': a Chinese sentence around an English name
        return "zh"
    return "en" if latin > 2 * cjk and not (cjk >= 4 and CN_ASKS.search(text)) else "zh"


