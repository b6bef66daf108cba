"""The answer shape every interface shows, and the extractive composer that builds one from passages.

An extractive answer quotes report sentences verbatim, so every number in it is in a cited passage.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.agent.numerals import language
from assistant.agent.slots import amounts, entity_words, parts_of_year
from assistant.agent.slots import indexes as indexes_named
from assistant.corpus.chunking import split_sentences
from assistant.search.keyword import tokenize
from assistant.search.retrieval import Passage, content_terms

Status = Literal["answered", "not_found", "error"]
CAPTION = re.compile(r"^[-\s]*(?:图表?|表)\s*\d+[^，。,;；]{0,40}$")
LABEL = re.compile(r"^[-\s]*([^:：，,。]{1,12})[:：]\s*\S")
QUANTITY_UNITS = [  # what a question asks for → units of the figure that answers it
    (re.compile(r"多少只|几只|(?:how many (?!more|fewer|additional|extra)|\b(?:number|count|no\.?|#) of )"
                r"(?:[\w-]+ ){0,4}?(?:etfs|funds|products|stocks|constituents|names|members"
                r"|mutual)", re.I), ("只",)),  # 'how many more' asks a change, not a level
    (re.compile(r"多少家|几家|(?:how many |\b(?:number|count|no\.?|#) of )(?:[\w-]+ ){0,3}?"
                r"(?:issuers|companies|firms|managers)", re.I), ("家",)),
    (re.compile(r"\b(?:number|count) of\b(?!(?: [\w-]+){0,4}? (?:etfs|funds|products|stocks|constituents|names|members"
                r"|mutual|issuers|companies|firms|managers)\b)|\bcount\b(?!\s+(?:of|as|on|for|in)\b)|"
                r"\bhow many\b(?=\s*(?:[,，?？;]|and\b|$))", re.I), ("只", "家")),  # 'count and AUM', 'how many, and'
    (re.compile(r"几天|多少天|多少个?交易日|几个交易日|多长时间|多久|天数|"
                r"how many (?:trading |business )?days|how long|"
                r"in (?:trading )?days\b", re.I), ("个交易日", "交易日", "天")),
    (re.compile(r"占比|比例|比重|份额|(?<!换手)率|(?:平均|中位数?)超额收益|超额收益的?(?:平均|均值|中位)|百分之多少|"
                r"\bwhat\s*%|\bhow many\s*%|"
                r"\bshares?\b|percentage|\bratios?\b|\brates?\b|\bfees?\b|费用|相关系数|\bcorrelations?\b|仓位|"
                r"\bpositions?\b(?!\s+build)|fully invested|偏离度?|\bdeviations?\b|"
                r"\b(?:average|avg|mean|median)\s+(?:alpha|excess returns?)\b", re.I),
     ("%",)),
    (re.compile(r"多少倍|几倍|\btimes\b|换手率|turnover", re.I), ("倍",)),
    (re.compile(r"增幅|增速|增长率|涨幅|百分之几|百分比|几个百分点|同比增长了?多少|"
                r"growth rate|in %|in percent|by what percent|"
                r"by how many percent|%\s*(?:jump|rise|increase|growth|change|gain|drop|fall|decline)|"
                r"\bpercent(?:age)?\s+(?:jump|rise|increase|growth|change|gain|drop|fall)|year[- ]on[- ]year|\byoy\b",
                re.I), ("%",)),
    (re.compile(r"增长|增加|增长了?多少|grow|growth|increase|\brise\b|\brose\b", re.I),  # by an amount or a percentage
     ("%", "亿美元", "亿元", "百万美元", "万亿元", "亿")),  # turnover is written 3.5倍, though 换手率 says 率
    (re.compile(r"规模|资产|金额|流入|流出|多少亿|多大|募集|"
                r"size|aum|assets|how much|inflow|outflow|raise|how (?:big|large)",
                re.I),
     ("亿美元", "亿元", "百万美元", "万亿元", "亿")),
]
# a range ('19至23个交易日', '1.95%-2.10%') keeps its low end, so that a lead states the whole range, not its top
FIGURE = re.compile(r"(?P<bound>超过|约|近|逾|不足|低于)?\s*"
                    r"(?:(?P<low>\d[\d,]*(?:\.\d+)?)\s*%?\s*(?:至|到|~|～|-|－|—)\s*)?"
                    r"(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<about>余|多)?\s*"
                    r"(?P<unit>亿美元|亿元|万亿元|百万美元|亿|只|家|%|倍|个交易日|交易日|天)")
# a place asked, not an amount: 'where did State Street rank?', '排第几名'
RANK_ASKED = re.compile(r"第几|排名?(?:在)?第?几|排多少|几名|名次|\bwhat (?:rank|place|position)\b"
                        r"|\bwhere (?:did|does|do|is) .{0,40}\brank|\brank(?:ed|s)? where\b|'s (?:\w+ ){0,2}rank\b"
                        r"|\b(?:its|their) (?:place|rank|position)s?\b"
                        r"|\b(?:inflow |flow |aum )?rank(?:ing)?\b.{0,12}\?\s*$", re.I)
RANK_GIVEN = re.compile(r"第\s*\d+|位居|排名|排第|位列|名列|\d+\s*(?:位|名)")
QUANTITY = re.compile(r"多少|几|多大|多高|多低|规模|比例|占比|费率|收益|平均|均值|中位数|相关系数|"
                      r"how (many|much)|what (share|percentage)|\bshare\b|\brates?\b|\bsize[ds]?\b|\bfees?\b|"
                      r"\b(?:average|avg|mean|median)\b", re.I)


class Citation(BaseModel):
    """A numbered source under an answer: which report, where, and the passage (with the quoted sentence)."""

    n: int
    report_id: str
    title: str
    section: str
    page: int | None
    text: str
    quote: str | None = Field(None, description="the sentence of `text` the answer relies on")


class ToolCallRecord(BaseModel):
    name: str
    args: dict[str, Any]
    result: dict[str, Any]


class Answer(BaseModel):
    question: str
    answer: str
    status: Status
    citations: list[Citation] = Field(default_factory=list)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    latency_ms: int = 0
    warnings: list[str] = Field(default_factory=list)
    brain: str = "offline"  # which brain placed the question: "offline", or "offline+<model>" when a model routed it
    llm_ms: int | None = None  # time spent in the language model, when one was asked

    def public_dict(self) -> dict[str, Any]:
        """The documented JSON shape of `ask --json` (citations without the internal quote field)."""
        data = self.model_dump(include={"question", "answer", "status", "tool_calls", "latency_ms", "brain",
                                        "llm_ms"}, exclude_none=True)
        data["citations"] = [c.model_dump(exclude={"quote"}) for c in self.citations]
        if self.warnings:
            data["warnings"] = self.warnings
        return data

    def render_text(self, with_tools: bool = True) -> str:
        """Plain-text rendering for terminals: the answer, the tool calls (unless already shown), numbered sources."""
        lines = [self.answer]
        if with_tools:
            lines += [f"  tool {call_text(call.name, call.args)}" for call in self.tool_calls]
        for c in self.citations:
            where = f"{c.title} › {c.section}" + (f", p.{c.page}" if c.page is not None else "")
            lines.append(f"  [{c.n}] {where}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def call_text(name: str, args: dict[str, Any]) -> str:
    """A tool call as a terminal shows it: rank_issuers(by='etf_count', top=10)."""
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"


def citation_for(n: int, passage: Passage, quote: str | None = None) -> Citation:
    chunk = passage.chunk
    return Citation(n=n, report_id=chunk.report_id, title=chunk.title, section=chunk.section, page=chunk.page,
                    text=chunk.text, quote=quote)


def coverage_note(titles: list[str]) -> str:
    """What the corpus covers: the titles as they are, each in 《》 (a not-found answer states no figure outside a
    title: '1000' in 《…1000 增强 ETF 密集发行…》 names the report, it answers nothing)."""
    return f"The reports in the index cover: {'; '.join(f'《{t}》' for t in titles)}."


TITLE_SPAN = re.compile(r"《[^》]*》")


def states_figures(text: str) -> bool:
    """Whether the text has a digit outside the report titles it names."""
    return bool(re.search(r"\d", TITLE_SPAN.sub("", text)))


NOT_COVERED = "报告与工具中没有找到能回答这个问题的内容。/ The reports and tools do not cover this question. "


def not_found(question: str, titles: list[str], warnings: list[str] | None = None, reason: str = "") -> Answer:
    """A not-covered answer: why (when the brain knows), then what the reports do cover; no figure at all."""
    text = (f"{reason} " if reason else "") + NOT_COVERED + coverage_note(titles)
    return Answer(question=question, answer=text, status="not_found", warnings=warnings or [])


def asked_units(question: str) -> tuple[str, ...]:
    """The units of the figure a question asks for ('多少只' → 只, 'what share' → %), or () when it is not clear."""
    return next((units for pattern, units in QUANTITY_UNITS if pattern.search(question)), ())


QUESTION_PARTS = re.compile(r"\s*(?:\+|&|\band\b|\bplus\b|以及|还有|[，,;；？?])\s*", re.I)


def all_asked_units(question: str) -> tuple[str, ...]:
    """The units of every figure a question asks for: 'number of ETFs with net outflows + total outflow amount' asks a
    count and an amount."""
    parts = [question, *QUESTION_PARTS.split(question)]
    return tuple(dict.fromkeys(unit for part in parts if part for unit in asked_units(part)))


def concepts(shared: set[str]) -> set[str]:
    """Shared words without those inside a longer shared word: jieba's search mode yields 资金流入 and also 资金, 流入,
    and one concept must count once."""
    return {t for t in shared if not any(t != other and t in other for other in shared)}


ABOUT_THE_TEXT = re.compile(r"该章节|本章节?|本节|本报告(?:通过|旨在|系统|详细|主要|以)|报告旨在|图表充分|如需查看|"
                            r"参考文献|结束语|详尽分析报告|全文以上|数据来源|请参阅|分析结构完整|助力投资者|体现了报告的|"
                            r"研究所\s*[,，]\s*《|^[^，,。；;]{2,24}图\s*[。.]?\s*$|"  # a citation; a caption;
                            r"^[-\s]*(?:研究主题|报告标题|报告主题)\s*[:：]")  # the report's topic: metadata
LIST_QUESTION = re.compile(r"哪些|哪几|有什么|有啥|是什么.*(?:优势|特点|风险|因素)|几大|列出|列举|列一下|列个|"
                           r"优势|特点|好处|好在哪|风险提示|"
                           r"what are|which are|\blist\b|advantages|benefits|features|risks|factors|reasons|\bwhy\b|"
                           r"\bnames? (?:of|some|the)\b|点名|"
                           r"为什么|原因", re.I)
# (words of one direction, the word of the other): a question in one direction is not answered by a sentence in
# the other only ('资金流出' asked, '资金流入…2,726 亿美元' quoted)
OPPOSITES = ((("流出",), "流入"), (("流入",), "流出"),
             (("跑输", "不及", "欠佳", "不如", "逊于", "弱于", "落后"), "跑赢"), (("跑赢",), "跑输"))
def opposites(terms: set[str]) -> list[tuple[tuple[str, ...], str]]:
    """The directions a question's words ask for, each with the word of the other direction."""
    asked = " ".join(terms)
    return [(ours, theirs) for ours, theirs in OPPOSITES if any(w in asked for w in ours) and theirs not in asked]


def opposed(opposite: list[tuple[tuple[str, ...], str]], sentence: str) -> bool:
    """Whether a sentence speaks only of the other direction than the one asked."""
    return any(theirs in sentence and not any(w in sentence for w in ours) for ours, theirs in opposite)


# asks for the report's explanation: the sentence giving a reason answers it, and no tool's figure does
REASON_ASKED = re.compile(r"为什么|为何|为啥|咋就|凭什么|原因|因素|动因|怎么会|缘何|"
                          r"\bwhy\b|\bhow come\b|\bwhat explains\b|\breasons?\b|"
                          r"\bfactors?\b|\bdriv(?:e|es|ing|ers?)\b|\bwhat(?:'s| is) behind\b", re.I)
REASON_GIVEN = re.compile(r"因为|由于|原因|与[^，。,；;]{1,24}有关|得益于|源于|归因于|在于|受益(?!人)|所致|导致|使得")
ADVICE_ASKED = re.compile(r"怎么挑|怎么选|如何选|如何挑|该怎么|应该怎么|选择标准|挑选标准|"
                          r"\bhow (?:to|should (?:i|we|you)) (?:choose|pick|select)|\bcriteria\b|\badvice\b|"
                          r"\brecommend", re.I)
ADVICE_GIVEN = re.compile(r"建议|推荐|优选|关注|应当|宜选|选择")
# what a list question asks for ('有哪些因素', 'which factors'): a sentence naming it before an enumeration answers it
LIST_HEADS = ("因素", "优势", "特点", "好处", "风险", "原因", "方法", "指标", "维度", "条件", "特征", "方面", "局限",
              "不足", "缺点", "劣势", "挑战", "假设")
ENUMERATION = r"(?:包括|包含|主要有|有|为|是|在于|分别是|如下|[:：])"
ITEM = re.compile(r"^\s*(?:\d+[.、)]|[-•*]|（\d+）|\(\d+\))\s*")


def informative(sentence: str) -> bool:
    """Whether a sentence can answer anything alone: not a table header, a caption, a list's lead-in, or a sentence
    about the document itself ('该章节凸显了…', '数据来源：…')."""
    if sentence.startswith("|"):
        return bool(re.search(r"\d", sentence))
    return not (sentence.rstrip().endswith((":", "：")) or CAPTION.match(sentence) or ABOUT_THE_TEXT.search(sentence))


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def candidate_sentences(text: str) -> list[str]:
    """The quotable sentences of a passage; a table row is read with its header ('代码 DFAC，费率 0.17%，…'), never
    shown as a raw Markdown row."""
    out, header = [], None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|"):
            if re.fullmatch(r"\|[\s:|-]+\|?", line):
                continue
            if header is None or not re.search(r"\d", line):
                header = _cells(line)
                continue
            cells = _cells(line)
            out.append("，".join(f"{h} {c}" for h, c in zip(header, cells, strict=False) if c) + "。")
            continue
        header = None
        out += [s for s in split_sentences(line) if informative(s)]
    return out


Similarity = Callable[[str, list[str]], list[float]]
SUPERLATIVES = [(re.compile(p, re.I), words) for p, words in (
    (r"最大|largest|biggest", ("最大", "居首", "榜首", "第一")), (r"最多|\bmost\b", ("最多", "居首", "榜首", "第一")),
    (r"最高|highest", ("最高",)), (r"最低|lowest|cheapest", ("最低",)), (r"最小|smallest", ("最小",)),
    (r"最少|fewest|\bleast\b", ("最少",)), (r"最好|最佳|\bbest\b", ("最好", "最佳", "最优")))]
SEMANTIC_WEIGHT = 12.0  # cosine gaps between the right and a wrong sentence are ~0.1–0.2: worth 1–2 shared terms
SEMANTIC_WEIGHT_ENGLISH = 24.0  # an English question shares only glossary words with Chinese sentences: meaning
# counts more
# an asset class the question names is its subject: the sentence about all active ETFs does not answer 'how many
# equity active ETFs'
ASSET_CLASSES = (("权益", "股票类", "股票型"), ("固收", "固定收益", "债券"))
PASSAGE_RANK_WEIGHT = 0.5  # a sentence of a lower-ranked passage must share more to be quoted first


# asks for each of several things ('A和B分别…', 'A vs B'); SEVERAL also for two figures at all ('…and…and', '哪个更多')
EACH = re.compile(r"分别|各(?:是|为|有|自|多少|增长|占|排)|respectively|\beach\b|\bboth\b|\bvs\.?(?:\s|$)|\bversus\b|"
                  r"\bcompare", re.I)
SEVERAL = re.compile(EACH.pattern + r"|\band\b.*\band\b|哪个(?:更|多)|谁(?:更|多)|[，,].{1,14}呢", re.I)
RESPECTIVELY = re.compile(r"分别(?:为|是|达|增长|占|位居)?")


def clause_start(sentence: str, match: re.Match[str]) -> int:
    """Where the clause holding a figure begins: after the last comma, semicolon, colon or full stop before it."""
    return max(sentence.rfind(p, 0, match.start()) for p in "，,；;。：:") + 1


LIST_JOINT = re.compile(r"\s*(?:、|和|与|及)\s*")  # between the items of a list of figures
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d年?")


def figure_context(sentence: str, match: re.Match[str]) -> tuple[str, str, str]:
    """(nearest words, the figure's clause, the sentence before the clause): where a figure's subject is named."""
    start = clause_start(sentence, match)
    ends = [i for i in (sentence.find(p, match.end()) for p in "，,；;。") if i >= 0]
    before, after = sentence[start:match.start()], sentence[match.end():min(ends or [len(sentence)])]
    # '中位数11.74%、平均数12.08%': 中位数 names the first figure and 平均数 the second ('由 33% 下降至 29%' shares one)
    if (following := FIGURE.search(after)) and (joint := LIST_JOINT.search(after[:following.start()])):
        after = after[:joint.start()]  # '…13 只主动管理 ETF 规模超过 100 亿美元' keeps its condition
    if (respective := RESPECTIVELY.search(before)) and respective.start() > 0:  # 'A和B…分别为 x 和 y': y is B's
        subjects = re.split(r"和|、|与|及", before[:respective.start()])
        position = len(FIGURE.findall(before[respective.end():]))
        if len(subjects) > 1 and position < len(subjects):
            return subjects[position], subjects[position], ""
    if (previous := list(FIGURE.finditer(before))) and (joint := LIST_JOINT.match(before, previous[-1].end())):
        shared = " ".join(YEAR.findall(before[:previous[-1].start()]))  # '2020年更达…' dates both items
        before = f"{shared} {before[joint.end():]}" if shared else before[joint.end():]
    return before[-14:] + " " + after[:10], before + " " + after, sentence[:start]


CHANGE = re.compile(r"增加|增长|新增|下降|减少|提升|上升|增幅|增速|涨|跌|变化|同比|较(?![少多]).{1,6}(?:多|少)|"
                    r"\bgrow|\bincreas|\bdecreas|\bchange|\brise|\brose|\bfell|\bup by|\bdown by|\bjump|\bgain|"
                    r"\badded\b|\bclimb|\bdrop|\bdecline|\bshr[iu]nk", re.I)
# a figure qualified by one of these answers only a question that asks for that part (in either language); 新增
# qualifies its own clause ('新增 117 只，达 406 只'), an asset class the whole sentence it opens, 被动 the words
# right before the figure (the enhanced ETFs' 43% stands beside the passive ones' 63.72%)
QUALIFIED = ((re.compile(r"新发|新增|新发行"), re.compile(r"新|new|launch|added|issued|debut", re.I), "clause"),
             (re.compile(r"权益类"), re.compile(r"权益|股票|equity|stock", re.I), "sentence"),
             (re.compile(r"固收|固定收益"), re.compile(r"固收|固定收益|债|fixed|bond|\bFI\b", re.I), "sentence"),
             (re.compile(r"被动"), re.compile(r"被动|passive|plain|vanilla|普通", re.I), "near"))


# a statistic the question asks for must be the one the figure's clause states: an average is not a total; a share
# asked ('前50产品的占比') is not answered by a growth rate ('规模增加 64.43%'); the share may be named in an earlier
# clause of the sentence ('Top 15 产品规模占比较 2023 年底有所下降，由 33% 下降至 29%')
STATISTICS = ((re.compile(r"平均|均值|\baverag(?:e|ed|es|ing)\b|\bavg\b|\bmean\b", re.I | re.A), re.compile(r"平均|均"),
               "clause"),
              (re.compile(r"中位|\bmedian\b", re.I | re.A), re.compile(r"中位"), "clause"),
              (re.compile(r"占比|比重|份额|\bshares?\b|\bproportion\b|\bconcentration\b", re.I | re.A),
               re.compile(r"占|比重|份额|集中度|比例"), "sentence"))


# a question about one asset class is not answered by a figure of the whole market
ASKED_CLASS = re.compile(r"权益类|股票类|股票型|\bequity\b|固收|固定收益|债券类|债券型|fixed[\s-]*income"
                         r"|\bbond (?:etfs?|funds?)", re.I | re.A)
CLASSES = re.compile(r"权益|固收|固定收益|商品|债券|股票类")
WHOLE_MARKET = re.compile(r"美国市场|全市场|总规模|全部|整体|共有")  # about the whole market, not a class named before


# the measure a question asks (assets or flows) and the words that name it beside a figure: a flow is no size
MEASURES = ((re.compile(r"规模|资产|\baum\b|\bassets?\b|\bsize\b|\bbigger\b|\blarger\b", re.I | re.A),
             re.compile(r"规模|资产")),
            (re.compile(r"流入|流出|吸金|\binflows?\b|\boutflows?\b|\bflows?\b|\bmoney\b", re.I | re.A),
             re.compile(r"流入|流出")))


# a measure a question names whose figure only a sentence speaking of it states: the 12.08% excess return is no
# position, however well '平均' matches 'average equity position'
NAMED_MEASURES = ((re.compile(r"仓位|\bpositions?\b|\bexposure\b", re.I | re.A), re.compile(r"仓位|权益")),
                  (re.compile(r"换手|\bturnover (?:rate|ratio)\b", re.I | re.A), re.compile(r"换手")),  # plain
                  # 'turnover' is also a stock's 成交额
                  (re.compile(r"跟踪误差|tracking error|\bTE\b", re.I | re.A), re.compile(r"跟踪误差")),
                  (re.compile(r"费率|费用|管理费|\bfees?\b|expense ratio", re.I | re.A), re.compile(r"费")))


def fits_question(sentence: str, match: re.Match[str], question: str) -> bool:
    """Whether a figure is the kind asked for: a change or a level as the question asks ('数量是多少' is not answered
    by '数量增加 381 只'), and not a part the question does not ask about ('新发…461 只' does not answer 'how many
    are there')."""
    _, clause, earlier = figure_context(sentence, match)  # whose figure it is ('A和B分别增长 x 和 y': y is B's)
    if any(asked.search(question) and not stated.search(sentence) for asked, stated in NAMED_MEASURES):
        return False
    if any(asked.search(question) and not stated.search(clause if scope == "clause" else earlier + clause)
           for asked, stated, scope in STATISTICS):
        return False
    if ASKED_CLASS.search(question) and WHOLE_MARKET.search(sentence) and not CLASSES.search(earlier + clause):
        return False
    asked = [stated for pattern, stated in MEASURES if pattern.search(question)]
    own = sentence[clause_start(sentence, match):match.end()]  # its words as written ('…资金净流入分别为 1433')
    if len(asked) == 1 and not asked[0].search(own) and any(
            other.search(own) for _, other in MEASURES if other is not asked[0]):
        return False  # AUM asked: a clause about net inflows does not answer it
    before = sentence[max(clause_start(sentence, match), match.start() - 10):match.start()]
    change = bool(CHANGE.search(before)) and not re.search(r"(?:至|到|为|达)\s*$", before)  # '下降至 29%' is a level
    reached = bool(CHANGE.search(before)) and bool(re.search(r"(?:至|到)\s*$", before))  # …the level a change reached,
    if change != bool(CHANGE.search(question)) and not (reached and CHANGE.search(question)):  # which tells how it
        return False  # changed ('占比怎么变的' is answered by '由 60% 下降至 55%')
    if any(part.search(before if scope == "near" else clause) and not asked.search(question)
           for part, asked, scope in QUALIFIED if scope in ("clause", "near")):
        return False
    # the asset class the sentence is about is the first it names ('权益类…大幅超越固收类…，合计 1567' is equity's)
    named = [(m.start(), asked) for part, asked, scope in QUALIFIED if scope == "sentence"
             and (m := part.search(earlier + clause))]
    return not named or bool(min(named, key=lambda item: item[0])[1].search(question))


def figure_subject(sentence: str, match: re.Match[str], terms: set[str],
                   weight: Callable[[str], float] = len) -> float:
    """How well the words around a figure name what the question asks: the question's terms found near it count
    double, in its clause once, earlier in the sentence half ('权益类产品…，合计 1,567 亿美元'); a term inside a longer
    matched one counts once."""
    near, clause, earlier = (part.lower() for part in figure_context(sentence, match))  # terms are lower case
    found = concepts({t for t in terms if t in clause or t in earlier})
    return sum(weight(t) * (2.0 if t in near else 1.0 if t in clause else 0.5) for t in found)


TABLE_ROW = re.compile(r"^(?:代码|基金代码|证券代码|发行商|ticker)\s")  # a row as candidate_sentences reads it
# '该产品公布的基准为…' speaks of the fund just named
ANAPHOR = re.compile(r"^\s*(?:该|此|这只|这一|其)(?:产品|基金|ETF|只|策略)?")


SCENARIO_WEIGHT = 2.0  # per figure of the question's scenario a sentence repeats, or states otherwise


def scenario_figures(question: str) -> dict[str, set[float]]:
    """The amounts (in 亿元) and percentages a question states as its scenario ('a 2-billion-yuan fund', '20%以上')."""
    stated = {"亿": {a.value / 1e8 for a in amounts(question) if a.value},
              "%": {float(m["number"]) for m in FIGURE.finditer(question) if m["unit"] == "%"}}
    return {kind: values for kind, values in stated.items() if values}


def scenario_fit(sentence: str, stated: dict[str, set[float]]) -> int:
    """The kinds of stated figure a sentence repeats, less those it states with other values: '15亿元…5%' is another
    scenario than the 20亿 and 20% asked about, '20亿及以上…20%以上…约39只' is the one."""
    own: dict[str, set[float]] = {"亿": set(), "%": set()}
    for m in FIGURE.finditer(sentence):
        kind = "%" if m["unit"] == "%" else "亿" if m["unit"] in ("亿元", "亿") else None
        if kind:
            own[kind].add(float(m["number"].replace(",", "")))
    return sum(1 if values & own[kind] else -1 if own[kind] else 0 for kind, values in stated.items())


def _with_antecedents(sentences: list[str], terms: set[str]) -> list[tuple[str, set[str]]]:
    """Each sentence with the question terms it shares; one that refers back ('该产品…', '其…') also shares the names
    (Latin words: funds, tickers, issuers) of the sentence before it, because it speaks of that fund."""
    out: list[tuple[str, set[str]]] = []
    for i, sentence in enumerate(sentences):
        shared = set(tokenize(sentence)) & terms
        if i and ANAPHOR.match(sentence):
            shared |= {t for t in set(tokenize(sentences[i - 1])) & terms if t.isascii() and t.isalpha()}
        out.append((sentence, shared))
    return out


YEAR = re.compile(r"(?<!\d)20\d\d(?!\d)")


def best_sentences(question: str, texts: list[str], limit: int = 2, focus: str | None = None,
                   similarity: Similarity | None = None) -> list[tuple[int, str]]:
    """(text index, sentence) pairs that best match the question, best first.

    Shared content words count by how rare they are among the candidate sentences (a word every sentence has says
    little), a compound at least as much as its parts; a "label: value" line whose label the question names
    (作者：…, 分析师：…) answers it; a figure in the unit asked for counts; sentences naming `focus` (the issuer or
    fund a tool answer is about) come before those that merely share topic words.
    """
    terms = content_terms(question) | set(tokenize(question))  # English words as typed too: 'Top 15' is in a report
    wants_number = bool(QUANTITY.search(question))
    listing = bool(LIST_QUESTION.search(question))
    asks_rank = bool(RANK_ASKED.search(question))  # '资金流入排第几' asks a place, not the inflow
    units = asked_units(question) if (wants_number or not listing) and not asks_rank else ()  # 'list the top 5 by
    # AUM' asks for names
    candidates = [(index, sentence, shared) for index, text in enumerate(texts)
                  for sentence, shared in _with_antecedents(candidate_sentences(text), terms)]
    years = set(YEAR.findall(question))
    quarters = parts_of_year(question)
    scenario = scenario_figures(question) if wants_number else {}
    several = bool(SEVERAL.search(question))
    asks_reason, asks_advice = bool(REASON_ASKED.search(question)), bool(ADVICE_ASKED.search(question))
    opposite = opposites(terms)
    classes = [words for words in ASSET_CLASSES if any(w in t for t in terms for w in words)]
    indexes = [m.name or m.text for m in indexes_named(question)]  # 'hs300', 'CSI 300', '沪深300' alike
    superlatives = {zh for pattern, words in SUPERLATIVES if pattern.search(question) for zh in words}
    groups = {t for t in terms if re.fullmatch(r"top\d+", t)}  # 前50, Top 15: a ranked group the question names
    ranked_measures = set(re.findall(r"[\u4e00-\u9fff]{2}最(?:大|高|低|多|少|小)", question))  # 规模最大, 费率最低
    heads = [h for h in LIST_HEADS if listing and any(h in t for t in terms)]
    frequency = Counter(t for _, _, shared in candidates for t in shared)
    meaning = similarity(question, [sentence for _, sentence, _ in candidates]) if similarity and candidates else None
    semantic_weight = SEMANTIC_WEIGHT_ENGLISH if language(question) == "en" else SEMANTIC_WEIGHT
    scored = []
    for position, (index, sentence, shared) in enumerate(candidates):
        if not shared and meaning is None:
            continue
        rarity = {t: math.log((len(candidates) + 1) / frequency[t]) for t in shared}
        score = sum(max(rarity[t], sum(rarity[p] for p in concepts({p for p in shared if p != t and p in t})))
                    for t in concepts(shared)) - PASSAGE_RANK_WEIGHT * index
        fitting = [m for m in FIGURE.finditer(sentence) if m["unit"] in units] if units else []
        dated = parts_of_year(sentence)
        elsewhen = bool(quarters) and not quarters & dated and bool(YEAR.search(sentence))  # another period's figure
        kind = [m for m in fitting if fits_question(sentence, m, question)] if not elsewhen else []
        if kind:  # a figure in the asked-for unit, the more so when the words of its clause name what was asked
            score += 2 + min(6.0, 0.8 * max(figure_subject(sentence, m, terms | years) for m in fitting))
            if several and len({m["number"] for m in kind}) >= 2:
                score += 2  # "各是多少 / both": the sentence that states both figures
            score += SCENARIO_WEIGHT * scenario_fit(sentence, scenario)
        elif fitting:
            score += 0.5  # the asked-for unit, but a change for a level, or a part for the whole
        elif wants_number and re.search(r"\d", sentence):
            score += 1
        elif wants_number:
            score -= 2  # a "how many / how much" question is not answered by a sentence without a figure
        if years and wants_number and any(year in sentence for year in years):
            score += 1.5  # '2021Q1的仓位' is the sentence dated 2021Q1, not the one on the usual range
        if quarters & dated:
            score += 4  # 'in Q1 2021' is answered by the figure dated 2021Q1, not by one spanning 2021年底至2022年
        label = set(tokenize(m.group(1))) if (m := LABEL.match(sentence)) else set()
        if label and label <= terms:
            score += 5
        if focus and focus.lower() in sentence.lower():
            score += 5
        if meaning is not None:  # by meaning too: English questions share few words with Chinese sentences
            score += semantic_weight * meaning[position]
        if superlatives and any(word in sentence for word in superlatives):
            score += 3  # "规模最大的是哪只？" is answered by the sentence that names the largest
            if any(phrase in sentence for phrase in ranked_measures):
                score += 3  # …by the measure asked ('…A规模最大'), not by another (收益最高)
        if len(classes) == 1 and not any(w in sentence for w in classes[0]):
            score -= 6  # 'how many equity active ETFs' is not answered by the count of all of them
        if groups and units == ("%",) and not groups & shared:
            score -= 3  # the share of the top 15 is not a share of the market or of an issuer
        if len(indexes) == 1 and indexes[0] not in sentence.replace(" ", ""):
            score -= 3  # 'the institutional share of CSI 300 enhanced funds' is not the share of all of them
        if opposed(opposite, sentence):
            score -= 8  # an outflow question is not answered by the inflow sentence, 'lagged' not by 'beat'
        if asks_reason and REASON_GIVEN.search(sentence):
            score += 3  # 'why …?' is answered by the sentence that gives the reason, not by one restating the question
        if asks_advice and ADVICE_GIVEN.search(sentence):
            score += 3  # 'how to choose …?' is answered by what the report recommends
        if TABLE_ROW.match(sentence) and shared and all(t.isascii() for t in shared):
            score -= 3  # a row that only names the fund ('代码 DFAC，…，费率 0.17%') holds no benchmark or holdings
        if asks_rank and RANK_GIVEN.search(sentence):
            score += 3  # 'where did State Street rank?' is answered by the sentence giving places, not amounts
        if listing and (sentence.count("、") >= 2 or ITEM.match(sentence)):
            score += 1.5  # a "which are / why" question is answered by the list, not by a general sentence
        if heads and "、" in sentence and any(re.search(rf"{h}\S{{0,4}}?{ENUMERATION}", sentence) for h in heads):
            score += 4  # '影响规模的关键因素包括发行时间、跟踪指数、…' states the list the question asks for
        scored.append((score, index, sentence))
    scored.sort(key=lambda item: -item[0])
    chosen: list[tuple[int, str]] = []
    for _, index, sentence in scored:
        if sentence not in (s for _, s in chosen):
            chosen.append((index, sentence))
        if len(chosen) == limit:
            break
    return _each_named(question, terms, scored, chosen, wants_number)


def _each_named(question: str, terms: set[str], scored: list[tuple[float, int, str]], chosen: list[tuple[int, str]],
                wants_number: bool) -> list[tuple[int, str]]:
    """'How much did JPMorgan and Dimensional each take in?': a comparison of two named issuers or funds gets a
    sentence about each, the best one naming the other in place of the weakest pick."""
    lowered = question.lower()
    names = sorted(n for n in entity_words() if re.search(rf"(?<![a-z]){re.escape(n)}(?![a-z])", lowered) or n in terms)
    if len(names) < 2 or not chosen:
        return chosen
    for name in names:
        if any(name in s.lower() and (not wants_number or FIGURE.search(s)) for _, s in chosen):
            continue  # a sentence naming it without a figure ('JPMorgan 和 Dimensional 是最大赢家') states none
        extra = next(((i, s) for _, i, s in scored if name in s.lower() and (not wants_number or FIGURE.search(s))),
                     None)
        if extra is not None and extra not in chosen:
            chosen = [*chosen[:-1], extra] if len(chosen) > 1 else [*chosen, extra]
    return chosen
