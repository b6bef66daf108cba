"""Intent and slot extraction for the offline brain: which tool a question needs, with which arguments.

Rules, not a model: every slot is read from the user's own words (Chinese or English, numerals in 中文 or digits), so
the brain never supplies a figure that neither the user nor a tool gave. Follow-ups ("那第二名呢？", "换成1天呢？",
"and over the last year?") reuse the previous turn's tool call and change only what the new question says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Literal

import pandas as pd

from tools.fund_facts import load_etf_facts
from tools.report_tables import load_report
from tools.returns import INDEXES, LATEST_END

Lang = Literal["zh", "en"]


def rx(*alternatives: str) -> re.Pattern[str]:
    """Alternatives as one case-insensitive pattern; ASCII \\b, so that it works next to Chinese ('按AUM排名')."""
    return re.compile("|".join(alternatives), re.I | re.A)


# --- numerals ------------------------------------------------------------------------------------------------------
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_RUN = re.compile(r"(百分之)?([零〇一二两三四五六七八九十百千万亿点]+)")
# a converted run must be a quantity: followed by a unit or counter, or preceded by 第/前/近/过去
CN_AFTER = rx("[元天日个只名年月倍家%周位条次期大]", "交易日", "trading")
CN_BEFORE = re.compile(r"(第|前|近|过去|最近|换成|改成|改为|换为)$")
EN_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
            "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
EN_NUMBERS = {w: i for i, w in enumerate(EN_WORDS)} | {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
EN_NUMBER = rx(r"\b(" + "|".join(EN_NUMBERS) + r")(?=[\s-]*(?:billion|million|bn|trading|days?|years?|months?|percent"
               r"|per cent|%|issuers|funds|etfs|largest|biggest|smallest|cheapest)\b)")
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


def _cn_run(match: re.Match[str]) -> str:
    percent, run = match.group(1), match.group(2)
    core = run.rstrip("万亿")
    unit = run[len(core):]
    if not core or not (set(core) & set(CN_DIGITS) or core.startswith("十")):
        return match.group(0)
    before, after = match.string[: match.start()], match.string[match.end():]
    if percent:
        return f"{plain(cn_number(run))}%"
    if not (unit or CN_AFTER.match(after) or CN_BEFORE.search(before)):
        return match.group(0)
    return plain(cn_number(core)) + unit


def normalise(text: str) -> str:
    """Chinese and English number words as digits (十五亿 → 15亿, 百分之五 → 5%, twenty days → 20 days)."""
    text = CN_RUN.sub(_cn_run, text)
    text = EN_NUMBER.sub(lambda m: str(EN_NUMBERS[m.group(1).lower()]), text)
    return re.sub(r"(\d)\s*(?:percent|per cent)\b", r"\1%", text, flags=re.I | re.A)


def language(text: str) -> Lang:
    """English when Latin letters clearly outnumber Chinese characters ('What about 20亿?' is English)."""
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "en" if latin > 2 * cjk else "zh"


# --- slots -----------------------------------------------------------------------------------------------------------
AMOUNT = rx(r"(?<![\d.])(\d+(?:,\d{3})*(?:\.\d+)?)\s*(亿元|亿|万元|万|元|billion|bn|million|mn|yuan)(?![a-z])")
TURNOVER_CONTEXT = rx(r"(成交|turnover|traded)\S{0,6}$")
DAYS = rx(r"(?<![近月\d])(\d+)\s*(?:个)?(?:交易日|天|日)(?!日?均)",
          r"(?<!last )(?<!past )\b(\d+)\s*(?:trading\s+)?days?\b")
ONE_DAY = rx("单日", "一次性", "当天", r"\b(?:a|one|single)\s+(?:trading\s+)?day\b")
PERCENT = rx(r"(\d+(?:\.\d+)?)\s*%")
THRESHOLD_WORD = rx(r"(?:冲击|阈值|门槛|threshold|shock|impact)\S{0,4}\s*(?:超过|高于|大于|above|over|of)?\s*$")
SHARE_OF_STOCKS = rx(r"^\s*(?:的)?\s*(?:成分股|个股|股票|of\s+(?:the\s+)?(?:constituents|stocks))")
ORDINAL = rx(r"第\s*(\d+)\s*(?:名|位|大|个|只|家)?", r"\b(\d+)(?:st|nd|rd|th)\b",
             r"\b(" + "|".join(EN_ORDINALS) + r")\b", "(runner-up|亚军)")
TOP = rx(r"(?:前|top)\s*(\d+)", r"\b(\d+)\s+(?:largest|biggest|smallest|cheapest|leading|most)",
         r"(\d+)\s*[只家个](?=\S{0,6}(?:etf|基金|发行商|产品))")

ATTRIBUTION = rx(r"报告(?:说|称|认为|提到|指出|显示|里|中|写|给出|列出|列举|提示|的说法|的结论)", "研报",
                 r"根据.{0,10}报告", "according to",
                 r"\bthe reports?\b(?!\s*(?:'s\s+)?(?:period|window|date|convention))", "华鑫", "信达", "huaxin",
                 "cinda", r"表\s*\d+\s*(?:中|里)", r"\bin table\s*\d")
VERIFY = rx("对吗", "对不对", "是否正确", "正确吗", "准确吗", "真的吗", "是真的", "可信", "核实", "验证", "复核",
            "核对", "复现", "还成立", "站得住", "是否成立", r"\bright\b", "correct", r"\btrue\b", "accurate", "verify",
            "check", r"holds? up", "reproduce", "still hold", "confirm")
STILL = rx("现在", "如今", "至今", "后来", "still", "today", "since then", "now")
REPORT_CONVENTION = rx("报告(?:的)?口径", "报告(?:的)?算法", "报告的方法", r"report'?s? (?:convention|method)")

# the report's liquidity scenario without a fund size ("建仓对成分股的冲击有多大？"): its headline 15亿 case is checked
SHOCK_WORDS = ("冲击", "影响", "shock", "impact", "affect", r"\bhits?\b")
SCENARIO = rx(*SHOCK_WORDS)
CONSTITUENTS = rx("成分股", "个股", "constituents", r"\bstocks\b")
SCENARIO_SIZE = "15亿"
LIQUIDITY = rx("建仓", "流动性", "买入", r"\bbuild", "liquidity", r"\bposition", *SHOCK_WORDS)
RETURNS = rx("跑赢", "跑输", "超额", "收益", "回报", "涨幅", "表现", "业绩", "战胜", r"\bbeat", "outperform",
             "underperform", "excess", r"returns?\b", "perform", "alpha")
RANK = rx("排名", "排行", "排序", "排第", "名列", "榜", r"\brank", r"top\s*\d", r"前\s*\d+", r"第\s*\d+\s*(?:名|位)",
          "最多", "最少", "最大", "最小", "最高", "最低", "最便宜", "最贵", "最新", "最早", "哪家", "哪几家", "哪个",
          "哪只", "哪几只", r"\bwhich\b", "largest", "biggest", "smallest", r"\bmost\b", r"\bleast\b", "fewest",
          "highest", "lowest", "cheapest", "newest", "oldest", r"\blead")
LIST_CUE = rx("排名", "排行", "排序", r"\brank", "哪些", "哪几", "列出", r"\blist")
ASCENDING = rx("最少", "最小", "最低", "最便宜", "最早", "倒数", "从低到高", "从小到大", "升序", r"\bleast\b", "fewest",
               "smallest", "lowest", "cheapest", "oldest", "earliest", "ascending", "bottom")
OLDEST = rx("最早", "oldest", "earliest", r"\bfirst\b")
ISSUER = rx("发行商", "发行人", r"issuers?\b", "fund (?:companies|houses)", "blackrock", "vanguard", "state street",
            "jpmorgan", "dimensional", "fidelity", "pimco", "innovator", "ajm", "capital group", "american century",
            "janus")
FUND_NOUN = rx("etf", "基金", "产品", r"\bfunds?\b")
DOMESTIC = rx("增强", "指增", "enhanced", "境内", "国内", "中国", "a股", "china", "chinese")
ISSUER_METRICS = (  # first match wins: "资产规模占比" is a share, "平均规模" a size per ETF
    ("aum_per_etf", rx("平均规模", "单只", "每只", "per etf", "average size", "aum per")),
    ("aum_share", rx("占比", "份额", "market share", r"\bshare\b")),
    ("etf_count", rx("数量", "只数", "几只", "多少只", "number of", "etf count", "how many", "most etfs", "产品数")),
    ("aum", rx("规模", "资产", r"\baum\b", "assets", "largest", "biggest", r"\bsize")),
)
FUND_METRICS = (
    ("inflow", rx("流入", r"inflows?")),
    ("fee", rx("费率", "费用", "管理费", "最便宜", "最贵", r"\bfees?\b", "expense", "cheapest")),
    ("inception", rx("成立", "发行日期", "上市", "最新", "最早", "newest", "oldest", "launch", "inception", "latest")),
    ("aum", rx("规模", "资产", r"\baum\b", "assets", "largest", "biggest", r"\bsize")),
)
UNSUPPORTED_ISSUER = rx("流入", "流出", "inflow", "outflow", "增速", "增长", "growth")
UNSUPPORTED_FUND = rx("占比", "份额", r"\bshare\b", "流出", "outflow", "增长", "growth")
ASSET_CLASSES = (("Fixed Income", rx("固收", "固定收益", "债券", "fixed income", r"\bbonds?\b")),
                 ("Equity", rx("权益", "股票型", "equity", r"\bstocks?\b")))
FACT_FIELDS = (  # fund_facts field asked for: (field for US funds, field for Chinese funds, pattern)
    ("fee_pct", "custody_fee_pct", rx("托管费", "custody fee")),
    ("fee_pct", "mgmt_fee_pct", rx("费率", "管理费", "费用", r"\bfees?\b", "expense")),
    (None, "custodian", rx("托管人", "托管行", "custodian")),
    (None, "manager", rx("管理人", "基金公司", "manager", "managed by", "who manages")),
    (None, "benchmark", rx("基准", "跟踪", "benchmark", r"\btracks?\b")),
    ("inflow_usd_m", None, rx("流入", r"inflows?")),
    ("aum_usd_m", "issue_amount_100m_units", rx("规模", "资产", r"\baum\b", "assets", r"\bsize")),
    ("inception", "list_date", rx("上市", "listed", "listing")),
    ("inception", "found_date", rx("成立", "发行日期", "inception", "launch")),
    ("asset_class", "invest_type", rx("资产类别", "类别", "类型", "asset class", r"\btype")),
)
FACTS_CUE = rx("介绍", "是什么", "是哪", "基本信息", "信息", "资料", "情况", "tell me about", "what is", "facts",
               "details", r"\binfo", "profile", "overview")
BEYOND_TOOLS = rx("增长", "同比", "变化", "策略", "原因", "为什么", "如何", "怎么", "持仓", "growth", "grow", "change",
                  "strateg", r"\bwhy\b", "how did", "holding")
CONVERSION = rx("转换", "转型", "转为", "转成", "转化", "改为", r"转\s*(?:主动管理\s*)?etf", "convert", "conversion")
LISTING = rx("哪些", "哪几", "哪家", "列出", "列举", "名单", "示例", "例子", "有哪", "都有", r"\bwhich\b", r"\blist",
             r"examples?", "what funds", r"\bname")
ELIGIBLE = rx("条件", "符合", "eligible", "qualif")
FOLLOW_UP = rx("^(?:那|那么|如果|假如|要是|若|换成|改成|换为|改为|再)",
               r"^(?:what about|how about|and|what if|same|now|then)\b", r"呢\s*[?？]?$")

# --- periods ---------------------------------------------------------------------------------------------------------
P_REPORT = rx("报告期", "报告窗口", "报告发布", "报告时", "报告区间", "截至报告", r"report(?:'s)? (?:period|window)",
              "time of the report", "as of the report", "until the report")
P_LISTING = rx("上市以来", "成立以来", "发行以来", r"since (?:listing|launch|inception|they (?:were )?listed)")
P_TRAILING = rx(r"(?:近|过去|最近)\s*(\d+)\s*(年|个月|月)",
                r"(?:last|past|previous|trailing)\s*(\d+)?\s*(years?|months?)")
P_SINCE = rx(r"(?:自|从)?\s*(\d{4})\s*年\s*(?:(\d{1,2})\s*月)?\s*(?:以来|至今|开始)", r"since\s+(\d{4})")
P_YTD = rx("今年以来", "年初至今", "year to date", r"\bytd\b", "this year")
P_DATES = rx(r"(\d{4}-\d{2}-\d{2})")
P_YEAR = rx(r"(\d{4})\s*年(?:全年|度)?", r"\bin\s+(\d{4})\b")


def period(text: str) -> dict[str, str | None] | None:
    """compare_returns window arguments (start, end, report_period) the question states, or None."""
    window: dict[str, str | None] = {"start": None, "end": None, "report_period": None}
    if P_REPORT.search(text):
        return window | {"report_period": "report"}
    if P_LISTING.search(text):
        return window | {"report_period": "latest"}
    dates = P_DATES.findall(text)
    if dates:
        return window | {"start": dates[0], "end": dates[1] if len(dates) > 1 else None}
    if P_YTD.search(text):
        return window | {"start": f"{LATEST_END.year}-01-01"}
    if match := P_TRAILING.search(text):
        count = int(match.group(1) or match.group(3) or 1)
        months = (match.group(2) or match.group(4)).startswith(("年", "year"))
        offset = pd.DateOffset(years=count) if months else pd.DateOffset(months=count)
        return window | {"start": (LATEST_END - offset).date().isoformat()}
    if match := P_SINCE.search(text):
        year, month = match.group(1) or match.group(3), match.group(2) or "1"
        return window | {"start": f"{year}-{int(month):02d}-01"}
    if match := P_YEAR.search(text):
        year = match.group(1) or match.group(2)
        return window | {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    return None


# --- named things ----------------------------------------------------------------------------------------------------
BARE_INDEX = re.compile(r"(?<![\d.])(1000|500|300|800)(?=\s*(?:增强|指增|etf|指数|enhanced))", re.I | re.A)
BARE_CODES = {"1000": "000852", "500": "000905", "300": "000300", "800": "000906"}


def _squash(text: str) -> str:
    return re.sub(r"[\s&_\-·]", "", text.lower())


@cache
def _index_aliases() -> list[tuple[str, str]]:
    """(squashed alias, index code), longest first, for the indexes compare_returns knows."""
    aliases = {(_squash(a), code) for code, (cn, en, more) in INDEXES.items() for a in (code, cn, en, *more)
               if not a.isdigit() or len(a) == 6}
    return sorted(aliases, key=lambda a: -len(a[0]))


def find_index(text: str) -> str | None:
    """The first index the text names, as its Chinese name (what the tools accept), or None."""
    squashed = _squash(text)
    hits = [(squashed.find(alias), code) for alias, code in _index_aliases() if alias in squashed]
    if bare := BARE_INDEX.search(text.replace(" ", "")):
        hits.append((len(squashed), BARE_CODES[bare.group(1)]))
    return INDEXES[min(hits)[1]][0] if hits else None


@cache
def _us_tickers() -> frozenset[str]:
    report = load_report()
    tickers = {t for n in ("表 1", "表 3") for t in report.tables[n].frame["ticker"]}
    return frozenset(tickers | {t for cell in report.tables["表 4"].frame["tickers"] for t in cell.split(";")})


@cache
def _cn_funds() -> tuple[frozenset[str], tuple[str, ...]]:
    """Chinese fund codes, and names of at least five characters (longest first) for matching inside questions."""
    facts = load_etf_facts()
    names = sorted({n for n in facts["name"] if len(n) >= 5}, key=len, reverse=True)
    return frozenset(facts["code"]), tuple(names)


def find_fund(text: str, named_ok: bool) -> str | None:
    """A US ticker, a Chinese fund code or (when `named_ok`) a Chinese fund name the text mentions."""
    for token in re.findall(r"(?<![A-Za-z])[A-Za-z]{3,5}(?![A-Za-z])", text):
        if token.upper() in _us_tickers() and (token.isupper() or len(token) >= 4):
            return token.upper()
    codes, names = _cn_funds()
    for code in re.findall(r"(?<!\d)(\d{6})(?:\.(?:SH|SZ))?(?!\d)", text, flags=re.I | re.A):
        if code in codes and code not in INDEXES:
            return code
    return next((n for n in names if n in text), None) if named_ok else None


@cache
def _conversion_issuers() -> tuple[tuple[str, str], ...]:
    """(lower-case key word, issuer) for table 4's issuers: the first word of each name, e.g. 'dimensional'."""
    issuers = load_report().tables["表 4"].frame["issuer"]
    return tuple((name.split()[0].lower(), name.split()[0]) for name in issuers)


def find_conversion_issuer(text: str) -> str | None:
    lowered = text.lower()
    hits = (word for key, word in _conversion_issuers() if re.search(rf"(?<![a-z]){re.escape(key)}(?![a-z])", lowered))
    return next(hits, None)


# --- intents ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Intent:
    """What to do for one question: the data tool (None: report passages only) and how to present its result."""

    tool: str | None
    args: dict[str, Any] = field(default_factory=dict)
    lang: Lang = "zh"
    pick: int | None = None  # 1-based row the user asked for ("第二名")
    quote_first: bool = False  # the user asks what a report says: quote it, then check it against the data
    fact: str | None = None  # the fund_facts field asked for
    query: str = ""  # what to search the reports for


@dataclass(frozen=True)
class Context:
    """The conversation so far, as the brain needs it: the last data-tool call and the previous question."""

    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    question: str | None = None


def amount(text: str) -> str | None:
    """The fund size as written ('15亿', '1.5 billion'), skipping amounts that describe turnover."""
    for match in AMOUNT.finditer(text):
        if TURNOVER_CONTEXT.search(text[: match.start()]):
            continue
        unit = match.group(2).lower()
        unit = {"亿元": "亿", "万元": "万", "bn": " billion", "billion": " billion", "mn": " million",
                "million": " million", "yuan": "元"}.get(unit, unit)
        return match.group(1).replace(",", "") + unit
    return None


def build_days(text: str) -> int | None:
    if match := DAYS.search(text):
        return int(match.group(1) or match.group(2))
    return 1 if ONE_DAY.search(text) else None


def threshold(text: str) -> float | None:
    """The shock threshold as a fraction ('冲击超过5%' → 0.05); a large share of constituents ('超过70%的成分股',
    '70% of constituents') is a claim about the result, not a threshold."""
    for match in PERCENT.finditer(text):
        value = float(match.group(1))
        share = SHARE_OF_STOCKS.match(text[match.end():]) and not THRESHOLD_WORD.search(text[: match.start()])
        if value <= 50 and not share:
            return float(plain(value / 100))
    return None


def ordinal(text: str) -> int | None:
    match = ORDINAL.search(text)
    if not match:
        return None
    if match.group(4):
        return 2
    return int(match.group(1) or match.group(2)) if match.group(1) or match.group(2) else EN_ORDINALS[
        match.group(3).lower()]


def top_n(text: str) -> int | None:
    match = TOP.search(text)
    return int(next(g for g in match.groups() if g)) if match else None


def _metric(text: str, metrics: tuple[tuple[str, re.Pattern[str]], ...]) -> str | None:
    return next((name for name, pattern in metrics if pattern.search(text)), None)


def _asset_class(text: str) -> str | None:
    return next((name for name, pattern in ASSET_CLASSES if pattern.search(text)), None)


def _fact(text: str, kind: Literal["us", "cn"]) -> str | None:
    for us, cn, pattern in FACT_FIELDS:
        name = us if kind == "us" else cn
        if name and pattern.search(text):
            return name
    return None


def _kind(fund: str) -> Literal["us", "cn"]:
    return "us" if fund.isascii() and fund.isalpha() else "cn"


def _liquidity(text: str, attributed: bool) -> tuple[dict[str, Any], bool] | None:
    """liquidity_shock arguments, and whether the question asks what the report says (quote it first).

    A question about the report's scenario gets the report's convention beside the real one, because the data
    contradicts the report's figures (525 stocks for 15亿) and must say so whenever they come up.
    """
    if not LIQUIDITY.search(text):
        return None
    size = amount(text)
    if size is None and not (SCENARIO.search(text) and CONSTITUENTS.search(text)):
        return None
    args: dict[str, Any] = {"fund_size": size or SCENARIO_SIZE}
    if (days := build_days(text)) is not None:
        args["build_days"] = days
    if (level := threshold(text)) is not None:
        args["threshold"] = level
    if (index := find_index(text)) and index != "中证1000":
        args["index"] = index
    if size is None or attributed or REPORT_CONVENTION.search(text):
        args["report_convention"] = True
    return args, size is None or (attributed and not VERIFY.search(text))


def _returns(text: str, attributed: bool) -> dict[str, Any] | None:
    index = find_index(text)
    if index is None or not RETURNS.search(text):
        return None
    verify = bool(VERIFY.search(text))
    if attributed and not verify:
        return None
    window = period(text) or {}
    if attributed:
        window = {"report_period": "latest" if STILL.search(text) else "report"}
    return {"index": index} | {k: v for k, v in window.items() if v is not None}


def _ranking(text: str) -> tuple[str, dict[str, Any], int | None] | None:
    """(tool, args, row picked) for issuer or fund rankings the tables can answer."""
    if not RANK.search(text):
        return None
    top, pick = top_n(text), ordinal(text)
    ascending = bool(ASCENDING.search(text))
    single = pick is None and top is None and not LIST_CUE.search(text)
    if ISSUER.search(text):
        by = _metric(text, ISSUER_METRICS)
        if UNSUPPORTED_ISSUER.search(text) or (top or 0) > 10 or (by is None and not LIST_CUE.search(text)):
            return None
        args = {"by": by or "aum", "top": max(top or 10, pick or 0), "ascending": ascending}
        return "rank_issuers", args, pick or (1 if single else None)
    by = _metric(text, FUND_METRICS)
    if by is None or not FUND_NOUN.search(text) or DOMESTIC.search(text) or UNSUPPORTED_FUND.search(text):
        return None
    if (top or 0) > 12 or find_fund(text, named_ok=False):
        return None
    if by == "inception" and OLDEST.search(text):
        ascending = True
    args = {"by": by, "asset_class": _asset_class(text), "top": max(top or 10, pick or 0), "ascending": ascending}
    return "rank_funds", args, pick or (1 if single else None)


def _fund_facts(text: str) -> tuple[dict[str, Any], str | None] | None:
    fund = find_fund(text, named_ok=bool(FACTS_CUE.search(text) or _fact(text, "cn")))
    if fund is None or BEYOND_TOOLS.search(text):
        return None
    fact = _fact(text, _kind(fund))
    rest = re.sub(re.escape(fund), "", text, flags=re.I | re.A)
    if fact is None and not FACTS_CUE.search(text) and len(re.findall(r"[\w\u4e00-\u9fff]", rest)) > 6:
        return None
    return {"query": fund}, fact


def _conversions(text: str) -> dict[str, Any] | None:
    if not CONVERSION.search(text) or not LISTING.search(text) or ELIGIBLE.search(text):
        return None
    return {"issuer": find_conversion_issuer(text)}


TOPICS = {  # search words that find the report passages behind each tool's figures
    "rank_issuers": "主动管理 ETF 发行商 规模 数量",
    "rank_funds": "主动管理 ETF 规模 资金流入 费率",
    "fund_facts": "",
    "conversions": "共同基金 转换 主动管理 ETF",
    "liquidity_shock": "建仓 流动性冲击 成分股 日均成交额 显著冲击",
    "compare_returns": "指增 ETF 增强 跑赢 被动 超额收益",
}


def topic_query(tool: str | None, args: dict[str, Any]) -> str:
    """The report search behind a tool's figures; for the liquidity shock, the passages on that fund size."""
    topic = TOPICS.get(tool or "", "")
    return f"{args['fund_size']} {topic}" if tool == "liquidity_shock" else topic


def fresh_intent(text: str, lang: Lang) -> Intent | None:
    """The tool intent a question states on its own, or None."""
    attributed = bool(ATTRIBUTION.search(text))
    if liquidity := _liquidity(text, attributed):
        args, claim = liquidity
        return Intent("liquidity_shock", args, lang, quote_first=claim, query=topic_query("liquidity_shock", args))
    if (args := _returns(text, attributed)) is not None:
        return Intent("compare_returns", args, lang, query=f"{args['index']} {TOPICS['compare_returns']}")
    if attributed:
        return None
    if (args := _conversions(text)) is not None:
        return Intent("conversions", args, lang, query=f"{args['issuer'] or ''} {TOPICS['conversions']}".strip())
    if ranking := _ranking(text):
        tool, args, pick = ranking
        return Intent(tool, args, lang, pick=pick, query=text)
    if facts := _fund_facts(text):
        args, fact = facts
        return Intent("fund_facts", args, lang, fact=fact, query=text)
    return None


def _follow_up(text: str, context: Context, lang: Lang) -> Intent | None:
    """The previous tool call with what the new question changes, or None when it changes nothing."""
    tool, args = context.tool, dict(context.args)
    changed: dict[str, Any] = {}
    pick = None
    if tool == "liquidity_shock":
        changed = {k: v for k, v in (("fund_size", amount(text)), ("build_days", build_days(text)),
                                     ("threshold", threshold(text)), ("index", find_index(text))) if v is not None}
        if REPORT_CONVENTION.search(text):
            changed["report_convention"] = True
    elif tool == "compare_returns":
        if index := find_index(text):
            changed["index"] = index
        if (window := period(text)) is not None:
            changed |= window
    elif tool in ("rank_issuers", "rank_funds"):
        metrics = ISSUER_METRICS if tool == "rank_issuers" else FUND_METRICS
        pick = ordinal(text)
        if (by := _metric(text, metrics)) and by != args.get("by"):
            changed["by"] = by
        if ASCENDING.search(text):
            changed["ascending"] = True
        if (top := top_n(text)) is not None:
            changed["top"] = top
        if tool == "rank_funds" and (asset := _asset_class(text)):
            changed["asset_class"] = asset
        if pick:
            changed["top"] = max(int(changed.get("top", args.get("top", 10))), pick)
    elif tool == "fund_facts":
        fund = find_fund(text, named_ok=True)
        if fund:
            changed["query"] = fund
        kind = _kind(fund or str(args.get("query", "")))
        if (fact := _fact(text, kind)) or fund:
            return Intent(tool, args | changed, lang, fact=fact, query=text)
    elif tool == "conversions" and (issuer := find_conversion_issuer(text)):
        changed["issuer"] = issuer
    if not changed and not pick:
        return None
    merged = {k: v for k, v in (args | changed).items() if v is not None}
    return Intent(tool, merged, lang, pick=pick, query=topic_query(tool, merged) or text)


def parse(question: str, context: Context | None = None) -> Intent:
    """The intent of `question`, resolving follow-ups against the previous turn in `context`."""
    text = normalise(question)
    lang = language(question)
    context = context or Context()
    fresh = fresh_intent(text, lang)
    elliptic = bool(FOLLOW_UP.search(text.strip())) or len(text) <= 25
    if context.tool and elliptic and (fresh is None or fresh.tool == context.tool):
        follow = _follow_up(text, context, lang)
        if follow is not None and (fresh is None or len(follow.args) >= len(fresh.args)):
            return follow
    if fresh is not None:
        return replace(fresh, query=question) if fresh.query == text else fresh
    if context.question and FOLLOW_UP.search(text.strip()) and not context.tool:
        return Intent(None, {}, lang, query=f"{context.question} {question}")
    return Intent(None, {}, lang, query=question)
