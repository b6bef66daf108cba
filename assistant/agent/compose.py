"""Answer composition for the offline brain: a direct lead sentence from the tool's structured result, then report
sentences quoted verbatim with [n] markers.

Every figure is copied from a tool result or a passage, never computed here, so the grounding guard always passes; an
English question gets an English lead over the Chinese evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from assistant.agent import slots
from assistant.agent.intents import COMBINED, FEE_WORDS, Intent, Lang, publishers_named, with_issuer_names
from assistant.agent.numerals import normalise
from assistant.agent.slots import SlotError, entity_words
from assistant.answers import (
    EACH,
    FIGURE,
    ITEM,
    LIST_HEADS,
    LIST_QUESTION,
    QUANTITY,
    QUANTITY_UNITS,
    QUESTION_PARTS,
    RANK_ASKED,
    REASON_ASKED,
    REASON_GIVEN,
    SEVERAL,
    Similarity,
    all_asked_units,
    asked_units,
    best_sentences,
    candidate_sentences,
    clause_start,
    concepts,
    figure_context,
    figure_subject,
    fits_question,
    opposed,
    opposites,
    scenario_figures,
    scenario_fit,
)
from assistant.search.keyword import tokenize, words
from assistant.search.retrieval import content_terms
from tools.report_tables import LABELS, fmt

NOT_FOUND = "NOT_FOUND"
MAX_ITEMS = 5  # a list answer quotes at most this many items
PHRASES = Path(__file__).with_name("phrases.yaml")
NAMED = re.compile(r"哪|谁|which|who|what is the name", re.I)  # asks for a name, not a quantity
EN_LABELS = {"etf_count": "number of ETFs", "aum_100m_usd": "AUM", "aum_share_pct": "share of AUM",
             "aum_per_etf_100m_usd": "AUM per ETF", "aum_usd_m": "AUM", "inflow_usd_m": "2024 inflow",
             "fee_pct": "fee", "inception": "inception date", "asset_class": "asset class",
             "mgmt_fee_pct": "management fee", "custody_fee_pct": "custody fee", "manager": "manager",
             "custodian": "custodian", "benchmark": "benchmark", "list_date": "listing date",
             "found_date": "inception date", "invest_type": "investment type",
             "issue_amount_100m_units": "units issued"}
EN_UNITS = {  # glosses without digits: a digit in a gloss would be a figure no source states
    "亿美元": "亿美元 (hundred-million USD)", "百万美元": "百万美元 (USD million)", "家": "家 (firms)",
    "亿美元/只": "亿美元 (hundred-million USD) per ETF", "亿元": "亿元 (hundred-million CNY)",
    "万亿元": "万亿元 (CNY trillion)", "亿": "亿 (hundred million)", "倍": "times", "亿份": "亿份 (hundred-million units)"}
EN_BOUNDS = {"超过": "more than ", "逾": "more than ", "约": "about ", "近": "nearly ", "不足": "less than ",
             "低于": "less than "}
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
            "twelfth"]


SCALES = {"亿美元": (1e8, "USD"), "百万美元": (1e6, "USD"), "亿元": (1e8, "CNY"), "亿": (1e8, "CNY"),
          "万亿元": (1e12, "CNY"), "万元": (1e4, "CNY")}
COUNT_NOUNS = {"只": "funds", "家": "firms", "倍": "times", "个交易日": "trading days", "交易日": "trading days",
               "天": "days"}


STOCK_WORDS = ("stocks", "stock", "constituents", "constituent", "names", "shares", "companies")
COUNTED = re.compile(r"\bhow many\s+(?:[\w-]+\s+){0,3}?(" + "|".join(STOCK_WORDS) + r"|etfs?|funds?|products)\b", re.I)


def _counted_noun(question: str) -> str:
    """What a count in 只 counts: the noun after 'how many' ('…CSI 1000 constituents' → stocks), else the question's
    ETFs or stocks, else funds."""
    counted = COUNTED.search(question)
    word = counted.group(1).lower() if counted else question.lower()
    if word in STOCK_WORDS or (not counted and re.search(r"stock|股|constituent", word) and "etf" not in word):
        return "stocks"
    return "ETFs" if "etf" in word else "funds"


def english_figure(number: str, unit: str, question: str = "") -> str:
    """A quoted figure in English units: 8,579 亿美元 → 'USD 857.9 billion', 1,696 只 → '1,696 ETFs' (the same value,
    so the grounding guard still finds it in the passage)."""
    if unit in SCALES:
        factor, currency = SCALES[unit]
        value = float(number.replace(",", "")) * factor
        for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
            if value >= size:
                return f"{currency} {value / size:,.6g} {word}"
        return f"{currency} {value:,.6g}"
    if unit == "只":
        return f"{number} {_counted_noun(question)}"
    if unit in COUNT_NOUNS:
        return f"{number} {COUNT_NOUNS[unit]}"
    return f"{number}{unit}"


def value_text(column: str, value: Any, lang: Lang) -> str:
    """A table value with its unit, as the report tools format it ('139 只'); English glosses the unit."""
    text = fmt(column, value)
    if lang == "zh":
        return text
    number, _, unit = text.partition(" ")
    if unit in SCALES:  # 1,707.79 亿美元 → USD 170.779 billion (1,707.79 亿美元): the report's figure stays visible
        return f"{english_figure(number, unit)} ({text})"
    if unit.endswith("/只") and unit[:-2] in SCALES:  # 41.65 亿美元/只 → USD 4.165 billion per ETF (41.65 亿美元/只)
        return f"{english_figure(number, unit[:-2])} per ETF ({text})"
    return f"{number} {'ETFs (只)' if unit == '只' else EN_UNITS.get(unit, unit)}".strip()


def ordinal(n: int, lang: Lang, digits: bool = False) -> str:
    """'第 2', 'second'; in `digits` ('12th') where places are listed beside each other."""
    if lang == "zh":
        return f"第 {n}"
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return ORDINALS[n - 1] if n <= len(ORDINALS) and not digits else f"{n}{suffix}"


def pct(fraction: float) -> str:
    """A fraction as the liquidity tool writes it (three significant digits): 0.0032400 → '0.324%'."""
    return f"{fraction * 100:.3g}%"


# --- leads, one per tool -----------------------------------------------------------------------------------------
def _ranking_lead(intent: Intent, result: dict[str, Any], name_of: Callable[[dict[str, Any]], str],
                  source_of: Callable[[dict[str, Any]], str]) -> str:
    column, rows, lang = result["data"]["column"], result["rows"], intent.lang
    label = LABELS[column] if lang == "zh" else EN_LABELS[column]
    order = ("从低到高" if lang == "zh" else " (lowest first)") if result["args"]["ascending"] else ""
    if intent.pick:
        if intent.pick > len(rows):
            return (f"排名只有 {len(rows)} 项，没有第 {intent.pick} 名。" if lang == "zh"
                    else f"The ranking has only {len(rows)} entries, so there is no number {intent.pick}.")
        row = rows[intent.pick - 1]
        value = value_text(column, row[column], lang)
        if lang == "zh":
            return (f"按{label}{order}排{ordinal(intent.pick, lang)} 名的是 {name_of(row)}，"
                    f"{label} {value}（{source_of(row)}）。")
        return f"{name_of(row)} ranks {ordinal(intent.pick, lang)} by {label}{order}, with {value} ({source_of(row)})."
    leaders = rows[:max(3, min(5, int(result["args"]["top"])))]
    listing = "、".join(f"{name_of(r)}（{value_text(column, r[column], lang)}）" for r in leaders)
    more = len(rows) > len(leaders)  # top 8 asked: the lead names the first five of the eight, the ranking follows
    if lang == "zh":
        head = f"排名前 {len(rows)} 中，前 {len(leaders)} 名" if more else f"排名前 {len(leaders)} 的"
        return f"按{label}{order}，{head}依次是 {listing}（{source_of(leaders[0])}）。"
    listing = ", ".join(f"{name_of(r)} ({value_text(column, r[column], lang)})" for r in leaders)
    head = f"the first {len(leaders)} of the top {len(rows)}" if more else f"the top {len(leaders)}"
    return f"By {label}{order}, {head} are {listing} ({source_of(leaders[0])})."


def _english_ranking(result: dict[str, Any], name_of: Callable[[dict[str, Any]], str]) -> str:
    """The whole ranking in English (the tool's own summary is Chinese)."""
    column = result["data"]["column"]
    order = ", lowest first" if result["args"]["ascending"] else ""
    listing = "; ".join(f"{r['rank']}. {name_of(r)} {value_text(column, r[column], 'en')}" for r in result["rows"])
    return f"The full ranking by {EN_LABELS[column]}{order}: {listing}."


def _combined(result: dict[str, Any], lang: Lang) -> str:
    """'这 3 家合计资产规模 …，占比 …' in the asker's language: the total a 'combined / 合计' question asks for."""
    data, n = result["data"], len(result["rows"])
    aum = fmt("aum_100m_usd", data["combined_aum_100m_usd"])
    share = fmt("aum_share_pct", data["combined_aum_share_pct"])
    if lang == "zh":
        return f"这 {n} 家合计资产规模 {aum}，占比 {share}（表 2）。"
    return f"Together these {n} issuers hold {value_text('aum_100m_usd', data['combined_aum_100m_usd'], lang)}, a {share} share of AUM (表 2)."


def _issuers(intent: Intent, result: dict[str, Any]) -> list[str]:
    lead = _ranking_lead(intent, result, lambda r: r["issuer"], lambda r: "表 2")
    if COMBINED.search(intent.query) and "combined_aum_100m_usd" in result["data"]:  # the total asked comes first
        lead = f"{_combined(result, intent.lang)}\n{lead}"
    if intent.lang == "zh":
        return [lead, result["summary"]]
    return [lead, _english_ranking(result, lambda r: r["issuer"]), "Tool output: " + result["summary"]]


def _funds(intent: Intent, result: dict[str, Any]) -> list[str]:
    lead = _ranking_lead(intent, result, lambda r: f"{r['ticker']}（{r['name']}）" if intent.lang == "zh"
                         else f"{r['ticker']} ({r['name']})", lambda r: r["source_table"])
    if intent.lang == "zh":
        return [lead, result["summary"]]
    return [lead, _english_ranking(result, lambda r: r["ticker"]), "Tool output: " + result["summary"]]


def _fact_value(row: dict[str, Any], lang: Lang) -> str:
    value, unit = row["value"], row["unit"] or ""
    if row["field"] in LABELS and row["field"] != "inception":
        return value_text(row["field"], value, lang)
    if unit == "% p.a.":
        return f"{value:.2f}%/年" if lang == "zh" else f"{value:.2f}% a year"
    if not unit or "date" in unit.lower():
        return str(value)
    return f"{value} {unit if lang == 'zh' else EN_UNITS.get(unit, unit)}"


def _facts(intent: Intent, result: dict[str, Any]) -> list[str]:
    data, lang = result["data"], intent.lang
    name = data.get("ticker") or f"{data['facts']['code']['etf_facts.csv']}（{data['facts']['name']['etf_facts.csv']}）"
    asked = (intent.fact or "").split(",")
    rows = [r for r in result["rows"] if r["field"] in asked]
    if not rows:
        if intent.fact is None:
            return [result["summary"]] if lang == "zh" else [_english_facts(name, result),
                                                              "Tool output: " + result["summary"]]
        if lang == "zh":
            return [f"数据中没有 {name} 的这一项；已知信息如下。", result["summary"]]
        return [f"The data has no such figure for {name}.", _english_facts(name, result),
                "Tool output: " + result["summary"]]
    by_field = {f: [r for r in rows if r["field"] == f] for f in asked if any(r["field"] == f for r in rows)}
    if lang == "zh":
        said = "，".join(f"{group[0]['label']}为 " + "；".join(f"{_fact_value(r, lang)}（{r['source']}）" for r in group)
                        for group in by_field.values())
        return [f"{name} 的{said}。", result["summary"]]
    said = "; ".join(f"{EN_LABELS.get(f, group[0]['label'])} " + "; ".join(
        f"{_fact_value(r, lang)} ({r['source']})" for r in group) for f, group in by_field.items())
    return [f"{name}: {said}.", _english_facts(name, result), "Tool output: " + result["summary"]]


def _english_facts(name: str, result: dict[str, Any]) -> str:
    """Every fact the tool found, in English (its own summary is Chinese)."""
    shown = [r for r in result["rows"] if r["field"] in EN_LABELS and r["field"] not in ("name",)]
    return f"What the data holds on {name}: " + "; ".join(
        f"{EN_LABELS[r['field']]} {_fact_value(r, 'en')} ({r['source']})" for r in shown) + "."


def _conversions(intent: Intent, result: dict[str, Any]) -> list[str]:
    rows, data, zh = result["rows"], result["data"], intent.lang == "zh"
    output = ("工具原文：" if zh else "Tool output: ") + result["summary"]
    if len(rows) != 1:
        most = sorted(rows, key=lambda r: -r["examples"])[:2]  # 'which issuer has the most examples?' is answered too
        lead = (f"表 4 列出 {data['issuers']} 家发行人的 {data['tickers']} 只共同基金转 ETF 示例，最多的是"
                + "、".join(f"{r['issuer']}（{r['examples']} 只）" for r in most) + "。" if zh else
                f"Table 4 (表 4) lists {data['tickers']} example conversions from {data['issuers']} issuers, most of "
                "them by " + " and ".join(f"{r['issuer']} ({r['examples']})" for r in most) + ": "
                + "; ".join(f"{r['issuer']} ({', '.join(r['tickers'])})" for r in rows) + ".")
        return [lead, output, *result["caveats"]]
    row = rows[0]
    tickers = ", ".join(row["tickers"])
    if zh:
        return [f"表 4 列出 {row['issuer']} 的 {row['examples']} 只共同基金转 ETF 示例：{tickers}。", output,
                *result["caveats"]]
    return [f"Table 4 (表 4) lists {row['examples']} of {row['issuer']}'s mutual funds converted into ETFs: {tickers}.",
            output, *result["caveats"]]


def _liquidity(intent: Intent, result: dict[str, Any]) -> list[str]:
    data = result["data"]
    inputs, stock = data["inputs"], data["max_ratio_stock"]
    size, days, level = inputs["interpretation"], inputs["build_days"], pct(inputs["threshold"])
    above, counted, top = data["above_threshold"], data["constituents_counted"], pct(data["max_ratio"])
    if intent.lang == "zh":
        lead = (f"按真实口径（按指数权重在 {days} 个交易日内均匀买入），规模 {size} 的基金会让 {counted} 只成分股中的 "
                f"{above} 只日均买入额超过其日均成交额的 {level}；比例最高的是 {stock['name']}（{stock['code']}），"
                f"为 {top}。")
    else:
        lead = (f"Building a fund of {size} over {days} trading days, buying in proportion to index weights, "
                f"{above} of {counted} constituents get a daily purchase above {level} of their average daily "
                f"turnover; the largest ratio is {top} ({stock['name']} {stock['code']}).")
    parts = [lead]
    if scenario := data.get("report_scenario"):  # the report's convention, its counts and why they differ
        parts.append(_report_difference(scenario, above, days, level) if intent.lang == "zh"
                     else scenario["explanation"])
    return [*parts, ("计算明细：" if intent.lang == "zh" else "Tool summary: ") + result["summary"]]


def _report_difference(scenario: dict[str, Any], above: int, days: int, level: str) -> str:
    """The tool's explanation of why the report's counts differ from the data (`above` of them), in Chinese."""
    weights = scenario["weights_as_of"]
    return (f"为什么与华鑫报告不同：真实的每日买入额 = 基金规模 × 权重（小数）÷ {days} 个交易日；报告的数字只有把权重的"
            f"百分数直接当作比例才能复现，每笔买入因此放大 {scenario['factor']} 倍，相当于一天内买完全部仓位、"
            f"并以 {pct(scenario['single_day_threshold'])} 而不是 {level} 为阈值。按报告口径有 "
            f"{scenario['report_convention_above']} 只超过 {level}，按真实买入额为 {above} 只。"
            + (f"另外，这里用的是 {weights} 的成分股与权重，计数会略有差异。" if weights else ""))


def _returns(intent: Intent, result: dict[str, Any]) -> list[str]:
    data, rows, zh = result["data"], result["rows"], intent.lang == "zh"
    window = f"{data['window']['start']} → {data['window']['end']}"
    bench = next((r for r in rows if r["role"] == "benchmark"), None)
    enhanced = [r for r in rows if r["type"] == "enhanced" and r["role"] != "benchmark"]
    if bench is None or not enhanced:
        best = max(rows, key=lambda r: r["total_return_pct"])
        lead = (f"{data['index_name']} 在数据中没有可比的基准；{window} 总收益最高的是 {best['code']} {best['name']}，"
                f"{best['total_return_pct']:+.1f}%。" if zh else
                f"The data has no benchmark to compare {data['index_name']} funds with; over {window} the best total "
                f"return is {best['code']} {best['name']}, {best['total_return_pct']:+.1f}%.")
        return [lead, ("计算明细：" if zh else "Tool summary: ") + result["summary"], *result["caveats"][:2]]
    k, n, median = data["n_enhanced_beating_benchmark"], data["n_enhanced"], data["median_enhanced_excess_pct"]
    ranked = sorted(enhanced, key=lambda r: -r["excess_return_pct"])
    shown = ranked if len(ranked) <= 4 else [ranked[0], ranked[-1]]  # every fund named, or the best and the worst

    def fund_text(r: dict[str, Any]) -> str:  # a fund listed later than the window starts says its own
        own = f"{r['window_start']} → {r['window_end']}"
        own = "" if own == window else ("，" if zh else ", ") + own
        return (f"{r['code']} {r['name']} {r['total_return_pct']:+.1f}%（超额 {r['excess_return_pct']:+.2f} 个百分点"
                f"{own}）" if zh else
                f"{r['code']} {r['name']} {r['total_return_pct']:+.1f}% ({r['excess_return_pct']:+.2f} pp excess{own})")

    few = len(ranked) <= 2  # 'how did 159680 and 561590 do': each fund's return answers, so the lead names them
    if zh:
        lead = (f"{window}，{data['index_name']} 的 {n} 只增强基金中有 {k} 只跑赢基准 {bench['code']} {bench['name']}"
                f"（基准总收益 {bench['total_return_pct']:+.1f}%）" +
                ("：" + "；".join(fund_text(r) for r in ranked) + f"；超额收益中位数 {median:+.2f} 个百分点" if few else
                 f"，最好的是 {fund_text(ranked[0])}，超额收益中位数 {median:+.2f} 个百分点") + "。")
        label = "各基金：" if len(shown) == len(ranked) else "最好与最差："
        best_text = label + "；".join(fund_text(r) for r in shown) + "。"
    else:
        lead = (f"Over {window}, {k} of {n} enhanced funds of {data['index_name']} beat the benchmark {bench['code']} "
                f"{bench['name']} ({bench['total_return_pct']:+.1f}%)" +
                (": " + "; ".join(fund_text(r) for r in ranked) + f"; median excess {median:+.2f} pp" if few else
                 f"; the best is {fund_text(ranked[0])}, and the median excess return is {median:+.2f} percentage "
                 "points") + ".")
        label = "Each fund: " if len(shown) == len(ranked) else "Best and worst: "
        best_text = label + "; ".join(fund_text(r) for r in shown) + "."
    parts = [lead, *([] if few else [best_text]), ("计算明细：" if zh else "Tool summary: ") + result["summary"]]
    if intent.pick:  # '那第二名呢？': the fund ranked there by excess return leads
        if intent.pick > len(ranked):
            parts.insert(0, f"只有 {len(ranked)} 只增强基金，没有第 {intent.pick} 名。" if zh else
                         f"There are only {len(ranked)} enhanced funds, so there is no number {intent.pick}.")
        else:
            row = ranked[intent.pick - 1]
            parts.insert(0, f"按超额收益排{ordinal(intent.pick, 'zh')} 名的是 {fund_text(row)}。" if zh else
                         f"Ranked {ordinal(intent.pick, 'en')} by excess return: {fund_text(row)}.")
    if data.get("verdict"):
        parts.append(f"Huaxin report: {data['report_claim']}; data {data['verdict']}.")
    return parts


LEADS: dict[str, Callable[[Intent, dict[str, Any]], list[str]]] = {
    "rank_issuers": _issuers,
    "rank_funds": _funds,
    "fund_facts": _facts,
    "conversions": _conversions,
    "liquidity_shock": _liquidity,
    "compare_returns": _returns,
}


# --- evidence ------------------------------------------------------------------------------------------------------
def quoted(query: str, search: dict[str, Any] | None, focus: str | None = None, limit: int = 2,
           depth: int = 3, similarity: Similarity | None = None) -> list[tuple[int, str]]:
    """(passage number, sentence) pairs from the top passages that best match the query; none if not covered."""
    if not search or not search["data"]["covered"]:
        return []
    passages = search["rows"][:depth]
    picks = best_sentences(query, [p["text"] for p in passages], limit, focus, similarity)
    reason_found = bool(picks and REASON_ASKED.search(query) and REASON_GIVEN.search(picks[0][1]))  # 'why…?' answered
    if LIST_QUESTION.search(query) and not reason_found and (listed := list_under_lead_in(query, passages)) and not (
            picks and _lists_more_of_it(query, picks[0][1], listed)):
        against = opposites(content_terms(query) | set(tokenize(query)))  # '哪些跑输了': not the '跑赢' item
        return [item for item in listed if not opposed(against, item[1]) and not lead_in(item[1])] or listed
    if picks and LIST_QUESTION.search(query) and ITEM.match(picks[0][1]):  # the list is the answer: quote its items
        index, first = picks[0]
        items = candidate_sentences(passages[index]["text"])
        start = items.index(first) if first in items else 0
        siblings = [s for s in items[start:start + MAX_ITEMS + 1] if ITEM.match(s)]
        return [(passages[index]["n"], s) for s in ([s for s in siblings if not lead_in(s)] or siblings)[:MAX_ITEMS]]
    stating = [(i, s) for i, s in picks if not lead_in(s)]
    return [(passages[i]["n"], s) for i, s in stating or picks]


def _lists_more_of_it(query: str, sentence: str, listed: list[tuple[int, str]]) -> bool:
    """Whether a sentence that enumerates ('如中密控股、安通控股、柳工等') names something asked ('哪些龙头股') that the
    items under a lead-in do not: then it, not that list (the definition of the shock), answers."""
    asked = content_terms(query) | set(tokenize(query))
    return sentence.count("、") >= 2 and bool(set(tokenize(sentence)) & asked - set(tokenize(" ".join(s for _, s in listed))))


def lead_in(sentence: str) -> bool:
    """'根据图表5-10,指增ETF的增强效果存在差异:' introduces a list and states nothing itself."""
    return sentence.rstrip().endswith((":", "："))


ASKS = re.compile(r"[？?]|呢|多少|哪|什么|几|吗|谁|\b(?:how|what|which|who|when|why|where)\b", re.I)
SUB_QUESTION = re.compile(r"(?<=[？?；;])\s*|(?<=[，,])\s*(?=[^，,]{0,16}(?:呢|多少|哪些|什么|几))")


EN_PAIR = re.compile(r"\b([A-Za-z][\w-]*)(?:'s)?\s+(?:and|vs\.?|versus|&|or)\s+([A-Za-z][\w-]*)(?:'s)?\b", re.I)
CN_JOINS = {"和", "与", "及", "跟", "、", "vs", "VS", "对比"}


def _pair(question: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The character spans of the first two things joined by 和/与/、/and/vs, each at least two characters long."""
    cut, offsets, at = words(question), [], 0
    for word in cut:
        at = question.index(word, at)
        offsets.append((at, at + len(word)))
        at += len(word)
    for i in range(1, len(cut) - 1):
        if cut[i] in CN_JOINS and len(cut[i - 1]) >= 2 and len(cut[i + 1]) >= 2:
            return offsets[i - 1], offsets[i + 1]
    if m := next((m for m in EN_PAIR.finditer(question) if len(m[1]) >= 2 and len(m[2]) >= 2), None):
        return m.span(1), m.span(2)
    return None


COMPARED_WITH = re.compile(r"\bcompared?\s+(?:with|to|against)\s+(?P<other>[^?？,，.;]+)", re.I)
WORD = re.compile(r"[\w'-]+")


def _compared_with(question: str) -> list[str]:
    """'how did assets in equity active ETFs compare with fixed-income active ETFs?' → the question about equity
    active ETFs, and the same question about fixed-income active ETFs: the words the two sides end with ('active
    ETFs') tell where the first side's own words are, which the second side's replace."""
    m = COMPARED_WITH.search(question)
    if not m:
        return []
    other = WORD.findall(m["other"])
    before = list(WORD.finditer(question[: m.start()]))
    shared = 0
    while shared < min(len(other), len(before)) and other[-1 - shared].lower() == before[-1 - shared][0].lower():
        shared += 1
    own = len(other) - shared
    if not shared:  # 'the CSI 1000 compare to the CSI 500': the side is as many words as the other one
        own = len(other) if len(other) <= 4 else 0
    if not own or own > len(before) - shared:
        return []
    first = question[: m.start()].rstrip() + question[m.end():]  # the question without 'with …'
    start, end = before[-shared - own].start(), before[-shared - 1].end()
    second = first[:start] + " ".join(other[:own]) + first[end:]
    return [first, second]


def side_questions(question: str) -> list[str]:
    """A comparison asked once per side, each a whole question: 'A和B…分别…' / 'A vs B' once for A and once for B
    (the other one's name left out), 'how did A compare with B?' for A and for B; none for other questions."""
    if sides := _compared_with(question):
        return sides
    if not EACH.search(question) or (pair := _pair(question)) is None:  # a pair asked 'each' splits by its sides
        return []
    return [question[:start] + " " + question[end:] for start, end in reversed(pair)]


def sub_questions(question: str) -> list[str]:
    """The parts of a question that asks several things, each long enough to search: the sides of a comparison, or
    '…跟踪哪些指数？第二批…拓展到了哪些？' split at its question marks."""
    if sides := side_questions(question):
        return sides
    parts: list[str] = []
    for part in SUB_QUESTION.split(question):
        if parts and not ASKS.search(parts[-1]):
            parts[-1] += part  # '被动三巨头里，道富…排第几名？': a phrase that asks nothing belongs to the next part
        else:
            parts.append(part)
    return [p.strip() for p in parts if len(p.strip()) >= 6]


def from_named_publisher(search: dict[str, Any] | None, named: tuple[str, ...]) -> dict[str, Any] | None:
    """The search result with only the passages of the reports the question names by publisher ('华鑫说…'), when it
    has any; otherwise as it is (the passage numbers stay those of the whole result)."""
    if not search or not named or not search.get("rows"):
        return search
    rows = [r for r in search["rows"] if str(r.get("report_id", "")).startswith(named)]
    return {**search, "rows": rows} if rows else search


def states_several(question: str, sentence: str) -> bool:
    """Whether a sentence states two or more figures of the kind the question asks for."""
    units = asked_units(question)
    return len({m["number"] for m in FIGURE.finditer(sentence)
                if m["unit"] in units and fits_question(sentence, m, question)}) >= 2


def list_under_lead_in(query: str, passages: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """For 'what are the advantages?': the items under a lead-in line that names what was asked ('…核心优势体现在四大方面：'
    followed by '1. 管理费用低…', '2. …'), which no single sentence states; a lead-in naming no kind of item the
    question asks for (优势, 局限, 风险…) lists something else."""
    terms = {t for t in content_terms(query) if len(t) >= 2}
    heads = [h for h in LIST_HEADS if h in query or h in terms]  # '测算有什么局限', 'its weaknesses' ask limits:
    # '流动性冲击定义及计算:' lists none
    best: tuple[int, list[tuple[int, str]]] = (0, [])
    for passage in passages:
        lines = [line.strip() for line in passage["text"].splitlines() if line.strip()]
        heading = str(passage.get("section", ""))  # '五、风险因素评估' names what the '报告明确提示:' under it lists
        for i, line in enumerate(lines):
            if line.startswith("#"):
                heading = line
            if not line.endswith((":", "：")) or (heads and not any(h in line or h in heading for h in heads)):
                continue
            overlap = len(set(tokenize(line)) & terms)
            items = []
            for item in lines[i + 1:]:
                if not ITEM.match(item):
                    break
                items.append((passage["n"], item))
            if overlap > best[0] and len(items) >= 2:
                best = (overlap, items[:MAX_ITEMS])
    return best[1]


def cite(picks: list[tuple[int, str]]) -> str:
    """Sentences joined with their [n] markers (table rows keep their pipes and get the marker after a space)."""
    return " ".join(f"{s} [{n}]" if s.startswith("|") else f"{s.lstrip('-•* ').rstrip('。；;，,')}。[{n}]"
                    for n, s in picks)


def focus_of(intent: Intent, tool: dict[str, Any] | None) -> str | None:
    """The issuer or fund a tool answer is about, to find the report sentences that mention it."""
    if not tool or "error" in tool:
        return None
    rows, data = tool["rows"], tool["data"]
    if intent.tool == "rank_issuers" and rows:
        return rows[min(intent.pick or 1, len(rows)) - 1]["issuer"]
    if intent.tool == "rank_funds" and rows:
        return rows[min(intent.pick or 1, len(rows)) - 1]["ticker"]
    if intent.tool == "fund_facts":
        return data.get("ticker") or data["facts"]["name"]["etf_facts.csv"]
    return None


def evidence_query(intent: Intent, tool: dict[str, Any] | None) -> str:
    """What to search the reports for: the question (or, for a follow-up, its topic) plus what the tool found, and
    with Chinese numerals as digits (十五 → 15, 百分之三十三 → 33%), as the reports mostly write them."""
    return f"{normalise(intent.query)} {focus_of(intent, tool) or ''}".strip()


# a measure the question states a value of is its condition: '20亿元规模基金', '成交占比超过20%的股票'
STATED_SIZE = re.compile(r"\d[\d,.]*\s*(?:亿|万)元?\s*(?:的)?(?:规模|资产)|(?:规模|size|占比|比例|比重)\s*(?:为|是|of|超过|高于|大于|"
                         r"低于|不足|在|above|over|below)?\s*\d[\d,.]*\s*(?:亿|万|%)", re.I)


def several_leads(question: str, picks: list[tuple[int, str]], lang: Lang) -> str | None:
    """One lead for a question that asks two or more figures ('发了多少亿？平均每只多大', 'how many …, and how big
    were they'): each part's own one-figure lead, when at least two parts have one and they differ."""
    parts = [p for p in QUESTION_PARTS.split(question) if p and len(p.strip()) >= 4]
    if len(parts) < 2:
        return None
    leads = list(dict.fromkeys(lead for part in parts if (lead := quantity_lead(part, picks, lang))))
    if len(leads) < 2:
        return None
    if lang == "zh":
        return "答：" + "；".join(lead.removeprefix("答：").replace("。[", "[") for lead in leads) + "。"
    return "; ".join(lead.removesuffix(".") if i == 0 else lead[:1].lower() + lead[1:].removesuffix(".")
                     for i, lead in enumerate(leads)) + "."


# 'X比Y大，对吧？' asks whether a comparison holds: one of its two figures is no answer
COMPARATIVE_CLAIM = re.compile(r"比.{1,16}?(?:大|小|高|低|多|少|强|弱)|\b(?:bigger|smaller|larger|higher|lower|more|less|fewer)"
                               r"\b.{0,30}\bthan\b", re.I)
TIME_WORD = re.compile(r"去年|今年|明年|过去|一年|近年|年底|年末|年初|全年|当年|(?:19|20)\d\d")


def names_asked(question: str) -> set[str]:
    """The issuers and tickers a question names, lower case ('JP Morgan', '小摩' and JPMorgan name one issuer)."""
    return set(slots.entities_in(with_issuer_names(question)))


def names_one(sentence: str, names: set[str]) -> bool:
    """Whether a sentence names one of `names` ('JP Morgan 将 3 只…' names jpmorgan)."""
    squashed = re.sub(r"\s+", "", sentence.lower())
    return any(name.replace(" ", "") in squashed for name in names)


def quantity_lead(question: str, picks: list[tuple[int, str]], lang: Lang) -> str | None:
    """A one-figure lead ('答：1,696 只。[1]', 'Active ETFs in the US: 1,696 ETFs [1].') when the question asks one
    quantity and the best quoted sentence holds a figure in the asked-for unit whose own words (the subject around
    it: 平均规模为 0.78 亿美元, 固定收益类…1043 亿美元) match the question better than any other figure's; None
    otherwise, because no lead is better than a wrong one. A figure the question itself states is never the answer."""
    conditions = STATED_SIZE.sub(" ", question)  # '20亿元规模基金…多少只' asks a count: the 规模 is stated, not asked
    asked = [units for pattern, units in QUANTITY_UNITS if pattern.search(conditions)]
    asked = [u for u in asked if not any(set(other) < set(u) for other in asked)]  # 'how much of the AUM growth':
    # a share or an amount, and AUM says an amount
    if (not picks or len(asked) != 1 or not QUANTITY.search(question) or NAMED.search(question)
            or COMPARATIVE_CLAIM.search(question)
            or SEVERAL.search(question) or RELATION_ASKED.search(question) or RANK_ASKED.search(question)
            or REASON_ASKED.search(question)):
        return None  # '费率和超额收益有什么关系' asks a relation, not the 费率 figure; '排第几' a place, not its inflow
    terms = {t for t in content_terms(question) if not t.isascii() or len(t) > 2} | set(YEARS.findall(question))
    candidates = [(rank, n, sentence, m) for rank, (n, sentence) in enumerate(picks[:2]) for m in FIGURE.finditer(sentence)
                  if m["unit"] in asked[0] and not _stated(question, m)]
    against = opposites(terms | set(tokenize(question)))  # an outflow figure for 'money that left', not the inflow
    candidates = [c for c in candidates if not opposed(against, " ".join(figure_context(c[2], c[3])[:2]))]
    kept = [c for c in candidates if fits_question(c[2], c[3], question)]  # a level for a level, the whole for the whole
    candidates = kept or candidates
    if candidates and (scenario := scenario_figures(question)):  # the 20亿 fund's count, not the 15亿 fund's
        fit = max(scenario_fit(c[2], scenario) for c in candidates)
        candidates = [c for c in candidates if scenario_fit(c[2], scenario) == fit]
    if names := names_asked(question):  # 'JPMorgan's inflows' is not answered by the market's total beside it,
        candidates = [c for c in candidates if names_one(c[2], names)]  # BlackRock's by no one's
    contexts = [" ".join(figure_context(sentence, m)[1:]) for _, _, sentence, m in candidates]

    def weight(term: str) -> float:  # a term every candidate's context shares tells them apart not at all
        return len(term) / max(1, sum(term in c for c in contexts))

    scored = sorted(((figure_subject(sentence, m, terms, weight), -rank, n, m) for rank, n, sentence, m in candidates),
                    key=lambda item: (-item[0], -item[1]))
    if not scored or not scored[0][0]:
        return None
    rivals = [item for item in scored[1:] if item[3]["number"] != scored[0][3]["number"]]
    if rivals and rivals[0][0] >= scored[0][0]:
        return None  # two figures fit the question equally well: which one was asked is not clear
    _, _, n, m = scored[0]
    if m["bound"] and (exact := [r for r in rivals if not r[3]["bound"]]):
        # "超过 200 亿" beside an exact figure (214.4亿元): the exact one may be what was asked; '约12%' beside 12.08%
        # is the same figure rounded, and the exact one answers
        decimals = len(m["number"].partition(".")[2])
        close = [r for r in exact if not r[3]["low"] and abs(_value(r[3]) - _value(m)) <= 0.5 * 10 ** -decimals]
        if close and close[0][0] > 0:
            _, _, n, m = close[0]
        elif exact[0][0] * 1.5 > scored[0][0]:
            return None  # '约93%' of 2021Q1 asked stands far above the usual 90-95%: it answers
    chosen = contexts[next(i for i, c in enumerate(candidates) if c[3] is m)]
    telling = {t for t in concepts(terms) if any(t in c for c in contexts) and not all(t in c for c in contexts)
               and not TIME_WORD.fullmatch(t)}  # '去年' in '延续去年的增长势头' qualifies no figure
    if max((sum(t in c for t in telling) for c in contexts), default=0) > sum(t in chosen for t in telling):
        return None  # the question's own qualifier (权益类, 平均) is another figure's: no lead beats a wrong one
    bound, number, about, unit = m["bound"] or "", m["number"], m["about"] or "", m["unit"]
    low = f"{m['low']}{'%' if unit == '%' else ''}{'至' if lang == 'zh' else '–'}" if m["low"] else ""  # 0.5%至1.0%
    if lang == "zh":
        return f"答：{bound}{' ' if bound else ''}{low}{number}{'' if unit == '%' else ' '}{about}{unit}。[{n}]"
    bound = EN_BOUNDS.get(bound, "more than " if about else "")
    return f"{subject(question)}: {bound}{low}{english_figure(number, unit, question)} [{n}]."


LATIN_LIST = re.compile(r"[A-Z][\w&.]*(?:\s+[A-Z][\w&.]*)*(?:\s*(?:、|和|与|及)\s*[A-Z][\w&.]*(?:\s+[A-Z][\w&.]*)*)+")
RANKS_RESPECTIVELY = re.compile(r"分别(?:位居|位列|排名?|排在|居)第\s*(\d+(?:\s*(?:、|,|，|和|及|与)\s*\d+)+)\s*(?:名|位)")
RANK_MEASURES = (("流入", r"流入|\bflows?\b|\binflows?\b", "inflows"),
                 ("占比", r"占比|份额|市场份额|\bshare\b", "share of AUM"),
                 ("规模", r"规模|\baum\b|\bassets\b|\bsize\b", "AUM"))


def rank_lead(question: str, picks: list[tuple[int, str]], lang: Lang) -> str | None:
    """The place a named issuer holds where a sentence ranks several at once ('Blackrock、State Street 和 Vanguard …
    规模占比分别位居第 8、12、18 名'): 'where does State Street rank?' → 第 12 名; None when no sentence places it."""
    if not RANK_ASKED.search(question):
        return None
    asked = with_issuer_names(question).lower()
    places = []
    for n, sentence in picks[:2]:
        for m in RANKS_RESPECTIVELY.finditer(sentence):
            clause = sentence[clause_start(sentence, m):m.start()]
            lists = [names for names in LATIN_LIST.finditer(clause)
                     if len(re.split(r"、|和|与|及", names.group(0))) == len(ranks := re.findall(r"\d+", m[1]))]
            if not lists:
                continue
            names = [name.strip() for name in re.split(r"、|和|与|及", lists[-1].group(0))]
            measure = clause[lists[-1].end():].rsplit("的", 1)[-1].strip()
            if (i := next((i for i, name in enumerate(names) if name.lower() in asked), None)) is not None:
                places.append((n, names[i], measure, int(ranks[i]), m.group(0)[-1]))
    kinds = [(zh, en) for zh, pattern, en in RANK_MEASURES if re.search(pattern, question, re.I)]
    wanted = [p for p in places if any(zh in p[2] for zh, _ in kinds)] if kinds else places
    if not (wanted := wanted or places):
        return None
    name, cited = wanted[0][1], "".join(dict.fromkeys(f"[{p[0]}]" for p in wanted))
    if lang == "zh":
        return f"答：{name} 的" + "，".join(f"{m}位居第 {r} {unit}" for _, _, m, r, unit in wanted) + f"。{cited}"
    labels = [next((en for zh, _, en in RANK_MEASURES if zh in m), m) for _, _, m, _, _ in wanted]
    return f"{name} ranks " + " and ".join(f"{ordinal(r, 'en', digits=True)} by {label}" for (*_, r, _), label
                                          in zip(wanted, labels, strict=True)) + f" {cited}."


WH = re.compile(r"^\s*(?:so\s+|ok\s+|hey\s+|and\s+)?(?:how many|how much|how big|how large|what (?:is|was|are|were)(?: the)?"
                r"|what's(?: the)?|whats(?: the)?|what share of|what percentage of|what portion of|which|who|when|where|"
                r"tell me|do you know|can you tell me|what happened to(?: the)?|what about(?: the)?)\s+", re.I)
WHAT_MEASURE = re.compile(r"^\s*(?:so\s+|and\s+)?(?:in\s+)?what\s+(?P<measure>range|level|band|bracket)\s+(?:do|does|did|is|are|"
                          r"was|were)\s+(?:the\s+)?(?P<of>.+?)\s*(?:(?:usually|typically|generally|mostly)\s+)?(?:fall|lie|"
                          r"sit|stand|come)?\s*(?:in|into|within|at)?\s*[?？.!]*\s*$", re.I)
YES_NO = re.compile(r"^\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", re.I)


def subject(question: str) -> str:
    """The question turned into the subject of an answer: 'How many active ETFs were there in 2024?' →
    'Number of active ETFs in 2024'."""
    if re.search(r"[\u4e00-\u9fff]", question):  # a Chinese question re-rendered in English
        return "The report's figure"
    parts = [p for p in re.split(r"(?<=[?？.!])\s+", question.strip()) if p.strip()]
    asked = next((p for p in reversed(parts) if WH.match(p)), parts[-1] if parts else "")  # 'Is it…? What is X?'
    if not WH.match(asked) and (clause := re.search(r"[,;:—–]\s*(?=(?:how|what|which|who|when|where)\b)", asked, re.I)):
        asked = asked[clause.end():]  # '2bn-yuan fund, how many names above 20%?' asks its last clause
    if YES_NO.match(asked) and not WH.match(asked):  # 'Did X change?' has no subject to restate
        return "The report's figure"
    if m := WHAT_MEASURE.match(asked):  # 'what range do fees fall in?' → 'Range of fees'
        return f"{m['measure'].capitalize()} of {m['of'].strip()}"
    asks = re.match(r"^\s*(?:so\s+|ok\s+|and\s+)?(how many|what share of|what percentage of|what portion of)\s+",
                    asked, re.I)
    text = WH.sub("", asked).rstrip(" ?？.!")
    text = re.sub(r"\s+(?:were|are|was|is)\s+there\b|\s+there\s+(?:were|are|was|is)\b", "", text, flags=re.I)
    text = re.sub(r"^(?:did|does|do)\s+", "", text, flags=re.I)  # 'how much did DYNF take in' → 'DYNF take in'
    if asks and text:  # 'How many active ETFs were there in 2024?' → 'Number of active ETFs in 2024'
        return f"{'Number' if asks.group(1).lower() == 'how many' else 'Share'} of {text}"
    return (text[:1].upper() + text[1:]) if text else "Answer"


def _value(m: re.Match[str]) -> float:
    return float(m["number"].replace(",", ""))


def _stated(question: str, m: re.Match[str]) -> bool:
    """Whether a quoted figure is one the question itself states ('funds over 4bn yuan' and 超过40亿元): it names
    the condition, it does not answer."""
    number = m["number"].replace(",", "")
    if re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", question.replace(",", "")):
        return True
    english = re.match(r"(?:USD|CNY) ([\d,.]+) (billion|million|trillion)", english_figure(m["number"], m["unit"]))
    return bool(english and re.search(rf"(?<![\d.]){re.escape(english[1])}\s*(?:{english[2]}|{english[2][0]}n?)\b",
                                      question, re.I))


def english_gist(picks: list[tuple[int, str]], question: str = "") -> str | None:
    """An English first sentence over Chinese evidence: the best sentence's figures in English units and its domain
    phrases glossed from phrases.yaml ('covered call (备兑)'), the Chinese kept beside each gloss."""
    if not picks:
        return None
    n, sentence = picks[0]
    names = names_asked(question)
    figures = list(FIGURE.finditer(sentence)) if not names or names_one(sentence, names) else []  # BlackRock's
    # inflow is not the market's total quoted beside the question
    units = all_asked_units(question)
    asked = [m for m in figures if m["unit"] in units and fits_question(sentence, m, question)] if units else []
    shown = asked if units else figures if ASKS_FIGURE.search(question) or WHEN.search(question) else []  # a fee
    # question is not answered by the fund's size, 'what does JAAA invest in?' by its fee: no other kind of figure
    shown = [m for m in shown if not _stated(question, m)] or shown
    found = list(dict.fromkeys(EN_BOUNDS.get(m["bound"] or "", "") + (f"{m['low']}{'%' if m['unit'] == '%' else ''}–" if m["low"] else "")
                               + english_figure(m["number"], m["unit"], question) for m in shown))
    rest, glossed, asked = sentence, [], re.sub(r"[\s-]+", "", question.lower())
    for zh, en in phrase_table():
        if zh in rest:
            rest = rest.replace(zh, " ")
            if re.sub(r"[\s-]+", "", en.lower()) not in asked and zh not in question:  # what the question
                glossed.append(f"{en} ({zh})")  # already names ('CSI 300') tells the asker nothing
    names = [name for name in dict.fromkeys(LATIN_NAME.findall(sentence)) if WHO_OR_WHICH.search(question)
             and name.upper() not in slots.NOT_TICKERS and name.lower() not in question.lower()]
    names = names or (enumerated_names(sentence) if WHO_OR_WHICH.search(question) else [])
    if not found and not glossed and not names:
        return None
    parts = [f"the report names {', '.join(names[:5])}"] if names else []  # 'which firms are they?' asks names
    if found:
        parts.append("the report gives " + ", ".join(found[:4]))
    glossed = [g for g in glossed if g not in names]  # a name listed is no key point besides
    if glossed:
        said = "the reasons the report gives: " if REASON_ASKED.search(question) else "the report says: "
        parts.append(("key points: " if found or names else said) + ", ".join(glossed[:6]))
    text = "; ".join(parts)
    return f"{text[:1].upper()}{text[1:]} [{n}]."


def enumerated_names(sentence: str) -> list[str]:
    """The names a sentence lists with 、 ('分别为易方达、富国、汇添富、兴证全球、招商(表14)'), glossed where phrases.yaml
    knows them ('E Fund (易方达)'): the first item is cut to the known name it ends with, the others to their words."""
    glosses = dict(phrase_table())
    best: list[str] = []
    for run in re.finditer(r"[\u4e00-\u9fff]+(?:、[\u4e00-\u9fff]{1,8})+", sentence):
        items = run.group(0).split("、")
        first = next((zh for zh, _ in phrase_table() if items[0].endswith(zh)), None) or (  # longest first
            m[1] if (m := re.search(r"(?:如|包括|分别为|分别是|即)([\u4e00-\u9fff]{2,8})$", items[0])) else None)
        kept = [first] if first else []
        kept += [re.sub(r"等$", "", item) for item in items[1:]]
        if len(kept) > len(best):
            best = kept
    return [f"{glosses[zh]} ({zh})" if zh in glosses else zh for zh in best] if len(best) >= 2 else []


LATIN_NAME = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z&.]*(?:\s+[A-Z][A-Za-z&.]*)*")  # Blackrock, State Street, DYNF
WHO_OR_WHICH = re.compile(r"\bwhich\b|\bwho\b|\bnames?\b|\bwhat (?:firms|funds|companies|issuers|etfs)\b", re.I)
ASKS_FIGURE = re.compile("|".join((QUANTITY.pattern, r"how (?:big|large|long|high|far)|\baum\b|\bassets\b|\b(?:in|out)flows?\b",
                                     r"\breturns?\b|\bnumber of\b|\bcount\b|average|\bavg\b|median|\btotal\b|threshold|cutoff",
                                     r"percent|\bpct\b|\bnumbers?\b|\bfigures?\b|\bstats?\b")),
                         re.I)  # an English question asking for a figure
WHEN = re.compile(r"\bwhen\b|\bwhat (?:year|month|date)\b|\bwhich (?:year|month)\b|哪年|何时|什么时候|哪一年|几月", re.I)


@cache
def phrase_table() -> tuple[tuple[str, str], ...]:
    """(Chinese phrase, English) from phrases.yaml, longest Chinese first."""
    data = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))
    return tuple(sorted(((str(k), str(v)) for k, v in data.items()), key=lambda item: -len(item[0])))


QUALIFIERS = ("新发", "新增", "新发行", "其中", "分别", "权益类", "固收", "固定收益", "new ", "newly")
YEARS = re.compile(r"(?<!\d)20\d\d(?!\d)")  # a year in the question tells the 2024 figure from the 2023 one
CLAIM_UNITS = ((re.compile(r"\betfs?\b|\bfunds?\b|products?|stocks?|constituents|只", re.I), "只"),
               (re.compile(r"issuers?|compan|firms?|managers?|家", re.I), "家"), (re.compile(r"%|percent"), "%"),
               (re.compile(r"亿美元|billion dollars|usd|(?<![a-z])bn\b|(?<![a-z])billion\b|\$", re.I), "亿美元"),
               (re.compile(r"亿元|亿"), "亿元"))


def correction(intent: Intent, picks: list[tuple[int, str]], passages: list[tuple[int, str]]) -> str | None:
    """For 'the report says X, right?': whether the quoted sentences state X, and if not the figure they do state."""
    if not intent.claim or not picks:
        return None
    claimed = float(re.match(r"[\d,.]+", intent.claim).group(0).replace(",", "") or "nan")
    unit = next((u for pattern, u in CLAIM_UNITS if pattern.search(intent.claim)), None)
    hits = [(n, m) for n, s in picks for m in FIGURE.finditer(s) if unit is None or m["unit"].startswith(unit[:1])]
    hits += [(n, m) for n, text in passages for m in FIGURE.finditer(text) if unit is None or m["unit"] == unit]
    if not hits:
        return None
    hits = [h for h in hits if fits_question(h[1].string, h[1], intent.query)] or hits  # the claim's subject's
    values = [_value(m) for _, m in hits]
    zh = intent.lang == "zh"
    if claimed in values:
        n, m = hits[values.index(claimed)]
        return (f"对，报告写的是 {m.group(0).strip()}。[{n}]" if zh else
                f"Yes: the report says {english_figure(m['number'], m['unit'], intent.query)} [{n}].")
    # the report's headline figure is the one it repeats (239 家 in the summary and the body, 117 家 once)
    texts = [text for _, text in passages]

    def repeated(hit: tuple[int, re.Match[str]]) -> int:
        number, unit = hit[1]["number"], hit[1]["unit"]
        return sum(len(re.findall(rf"(?<![\d,.]){re.escape(number)}\s*{re.escape(unit)}", t)) for t in texts)

    def plain_subject(hit: tuple[int, re.Match[str]]) -> bool:
        """A figure qualified by words the question lacks (新发 461 只 … 117 家) describes a subset."""
        before = hit[1].string[max(0, hit[1].start() - 30):hit[1].start()]
        return not any(q in before and q not in intent.query for q in QUALIFIERS)

    def resulting(hit: tuple[int, re.Match[str]]) -> bool:
        """'从约34%提升至43%': the level reached, not the one left, is what the report says now."""
        return bool(re.search(r"(?:至|到)\s*[约近]?\s*$", hit[1].string[max(0, hit[1].start() - 4):hit[1].start()]))

    names = content_terms(intent.query) & entity_words()  # the issuer or fund the claim is about

    def of_named(hit: tuple[int, re.Match[str]]) -> bool:
        """'JPMorgan … 50bn, right?' is corrected by JPMorgan's figure, not by the market's total."""
        before = hit[1].string[max(0, hit[1].start() - 60):hit[1].start()].lower()
        return not names or any(name in before for name in names)

    if not any(of_named(hit) for hit in hits):
        return None  # no figure of what the claim is about: 'No' with the market's total would mislead
    n, m = max(hits, key=lambda hit: (of_named(hit), repeated(hit), plain_subject(hit), resulting(hit)))  # ties: the
    # first quoted
    return (f"不对：报告写的是 {m.group(0).strip()}。[{n}]" if zh else  # the user's figure is not repeated: it grounds
            f"No: the report says {english_figure(m['number'], m['unit'], intent.query)} [{n}].")  # nothing, and the guard would drop the sentence


PARAM_NAMES = {"fund_size": ("基金规模", "fund size"), "build_days": ("建仓天数", "building period"),
               "threshold": ("冲击阈值", "threshold"), "as_of": ("成交额日期", "as-of date"), "index": ("指数", "index"),
               "query": ("基金", "fund"), "top": ("名次数量", "number of rows"), "start": ("起始日期", "start date"),
               "end": ("结束日期", "end date"), "funds": ("基金代码", "fund codes"),
               "benchmark": ("基准", "benchmark"), "by": ("排名指标", "ranking measure"),
               "issuer": ("发行人", "issuer"), "asset_class": ("资产类别", "asset class"),
               "report_period": ("报告区间", "report period"), "constituents": ("成分股文件", "constituents file")}
SCOPE_REASONS = {  # one sentence on why, without figures (a not-found answer states none)
    "advice": ("报告与工具只提供研究事实和计算，不提供买卖建议。", "The reports and tools state research facts and "
               "calculations; they give no advice on what to buy or sell."),
    "prediction": ("报告与工具不做预测，只描述报告期内的情况和已有的市场数据。", "The reports and tools make no forecasts; they "
                   "describe the periods the reports cover and the market data they hold."),
    "invent": ("我不会编造或猜测报告和数据中没有的数字。", "I do not make up or guess figures that the reports and data do not "
               "state."),
    "injection": ("问题里的指令不会改变回答方式：我只陈述报告和工具给出的数字，请直接提问。", "Instructions inside a question do not "
                  "change how I answer: I state only what the reports and tools give; ask the question itself."),
    "entity": ("报告和数据没有提到问题里的这个公司、产品或市场。", "The reports and data do not mention the company, product or market asked "
               "about."),
    "measure": ("报告和数据没有给出所问的这个指标（如夏普比率、市盈率），所以无法回答。", "The reports and data do not state the "
                "measure asked for (such as a Sharpe ratio or a P/E), so it cannot be answered."),
    "period": ("没有报告覆盖这个时期：报告的数据截至中证年度报告所写的那一年年底。", "No report covers that period: the reports' "
               "figures end with the year the CSI annual report describes."),
}


UNSTATED = {  # why the best passages do not answer a quantity question (no figures: a not-found answer states none)
    "year": ("报告没有给出所问年份的这个数字，只有其他年份的。", "The reports do not give this figure for the year asked, only "
             "for other years."),
    "fee": ("报告没有给出所问的费率。", "The reports do not state the fee asked about."),
    "subject": ("报告给出的数字不是所问指数的，报告没有单独给出这个指数的数字。", "The reports' figures here are not "
                "for the index asked about; they do not state it for that index."),
}
RELATION_ASKED = re.compile(r"什么关系|何种关系|有何关系|关系如何|关系怎样|\brelationship\b|\bhow (?:do|does) .{1,40} relate\b",
                            re.I)
HOW_MUCH = re.compile(r"多少|几个点|\bhow much\b|\bwhat(?:'s| is| are| was| were)\b|\bhow high\b", re.I)  # the fee's level


FEE_STATED = re.compile(r"费率|管理费|托管费|费用|申购费|认购费|赎回费")


def _names_index(text: str, name: str) -> bool:
    """Whether a sentence names an index: 中证2000 as itself or by its number (2000增强, not 2000 亿), 创业板 by name."""
    return name in text or any(re.search(rf"(?<![\d.,]){number}(?![\d.,]|\s*(?:年|亿|万|元|只|家|%))", text)
                               for number in re.findall(r"\d{2,4}", name))


def unstated(question: str, picks: list[tuple[int, str]], passages: list[tuple[int, str]]) -> str | None:
    """Why the quoted sentences cannot answer a question asking one kind of figure: the question's year appears in
    none of their passages ('2015年底的规模' would be quoted with the 2024 figure); None when they may answer it.
    (A figure of another kind beside the asked one is no such sign: 'daily turnover' is written in 亿元 and a rank
    in 第 8 名, so that test would refuse answerable questions; a fee, though, is always written in %.)"""
    if ((FEE_WORDS.search(question) or "托管费" in question) and HOW_MUCH.search(question) and not LIST_QUESTION.search(question) and picks
            and not any("%" in sentence and FEE_STATED.search(sentence) for _, sentence in picks)):
        return "fee"  # a sentence without a fee and its % states another figure (a size, a share), not the fee
    if not asked_units(question) or not QUANTITY.search(question) or LIST_QUESTION.search(question) or (
            NAMED.search(question) or YES_NO.match(question) or re.search(r"是否|会不会|有没有|是不是", question)):
        return None
    years = set(YEARS.findall(question))
    quoted_texts = [text for n, text in passages if any(n == p for p, _ in picks)]
    named = [m.name or m.text for m in slots.indexes(question)]
    units = asked_units(question)
    stating = [s for _, s in picks if any(m["unit"] in units for m in FIGURE.finditer(s))] or [s for _, s in picks]
    if named and not any(_names_index(sentence, name) for name in named for sentence in stating):
        return "subject"  # 'how many CSI 2000 enhanced ETFs' is not answered by the count of all enhanced ETFs
    if years and quoted_texts and not any(y in text for y in years for text in quoted_texts) and any(
            YEARS.search(text) for text in quoted_texts):
        return "year"  # passages of other years; one naming no year is of its report's year, which may be the one asked
    return None


def refusal(intent: Intent, errors: list[SlotError | str]) -> str:
    """Why a stated value cannot be used, naming it and what is accepted; nothing is computed with another value."""
    zh = intent.lang == "zh"
    parts = []
    for error in errors:
        if isinstance(error, str):  # a tool's own ToolInputError text: "param: message (accepted: …)"
            param = error.split(":", 1)[0].strip()
            name = PARAM_NAMES.get(param, (param, param))[0 if zh else 1]
            parts.append(f"{name}（{param}）：{error.split(':', 1)[-1].strip()}" if zh else f"{name} ({param}): "
                         f"{error.split(':', 1)[-1].strip()}")
            continue
        name = PARAM_NAMES.get(error.param, (error.param, error.param))[0 if zh else 1]
        stated = f"“{error.stated}”" if error.stated else ("未给出" if zh else "not given")
        parts.append(f"{name}（{error.param}）{stated}无法使用：{error.reason}。可接受：{error.accepted}。" if zh else
                     f"{name} ({error.param}) {stated} cannot be used: {error.reason}. Accepted: {error.accepted}.")
    tool = intent.tool or "the tool"
    lead = (f"无法按所给的输入计算（{tool}），没有用其他数值代替：" if zh else
            f"I cannot compute this ({tool}) with the values given, and I did not substitute others: ")
    return lead + " ".join(parts)


MAX_PARTS = 3  # a question asking several things is searched for at most this many of them


def part_queries(intent: Intent) -> list[str]:
    """The sides of a comparison searched on their own, so that each side finds its passage (the fixed-income figure
    sits in another passage than the equity one); none for other questions, whose parts ('近两年增长有多快？') need
    the rest of the question to be searched."""
    if intent.tool is not None or intent.meta or intent.scope:
        return []
    return side_questions(normalise(intent.query))[:MAX_PARTS]


def compose(intent: Intent, question: str, tool: dict[str, Any] | None, search: dict[str, Any] | None,
            similarity: Similarity | None = None, part_searches: dict[str, dict[str, Any]] | None = None) -> str:
    """The offline answer: NOT_FOUND, or the lead and supporting sentences, one paragraph per line; `part_searches`
    holds the search result of each part of a question that asks several things."""
    zh = intent.lang == "zh"
    if intent.scope:
        return f"{NOT_FOUND}: {SCOPE_REASONS[intent.scope][0 if zh else 1]}"
    if intent.tool is None:
        query = with_issuer_names(normalise(intent.query))  # 前十五大 → 前15大, 先锋 → Vanguard, as the reports write
        search = from_named_publisher(search, publishers_named(intent.query))
        picks = quoted(query, search, depth=5, similarity=similarity)
        if len(named := names_asked(question)) == 1 and picks and not names_one(picks[0][1], named):
            # the one issuer or fund this question asks about (not one an earlier question named): a sentence
            # naming it answers before the market's total
            naming = [p for p in quoted(query, search, next(iter(named)), limit=4, depth=5, similarity=similarity)
                      if names_one(p[1], named)]
            picks = [*naming[:1], *picks][:2] if naming else picks
        parts = sub_questions(query)
        if len(parts) > 1 and picks and not states_several(query, picks[0][1]):  # one sentence for each part:
            # "首批…跟踪哪些指数？第二批…呢？", unless the best sentence already states each ('分别增长 61%和 68%')
            per_part = [quoted(part, (part_searches or {}).get(part) or search, limit=1, depth=5, similarity=similarity)
                        for part in parts]  # each part
            # by its own meaning: the whole question's would favour the sentence about the part named first
            merged = list(dict.fromkeys(pick for found in per_part for pick in found))
            picks = merged[:3] if len(merged) > 1 else picks
        if not picks:
            return NOT_FOUND
        passages = [(row["n"], row["text"]) for row in search["rows"]] if search else []
        if intent.claim is None and (why := unstated(question, picks, passages)):
            return f"{NOT_FOUND}: {UNSTATED[why][0 if zh else 1]}"
        lead = (correction(intent, picks, passages) or rank_lead(question, picks, intent.lang)
                or several_leads(question, picks, intent.lang) or quantity_lead(question, picks, intent.lang))
        if lead is None and not zh:
            lead = english_gist(picks, question) or (english_gist(picks[1:], question) if WHO_OR_WHICH.search(
                question) else None)  # 'which indices did the second batch cover?': the sentence that names them
        if lead and len(picks) > 1 and f"[{picks[1][0]}]" in lead and picks[1][0] != picks[0][0]:
            picks = [picks[1], picks[0]]  # the sentence the lead quotes comes first
        intro = None if zh else "Source (in Chinese):"
        return "\n".join(p for p in (lead, intro, cite(picks)) if p)
    if tool is None:
        return NOT_FOUND
    if "error" in tool:
        parts = [f"{intent.tool} 无法给出结果：{tool['error']}" if zh
                 else f"{intent.tool} could not answer: {tool['error']}"]
    else:
        parts = LEADS[intent.tool](intent, tool)
    picks = quoted(evidence_query(intent, tool), search, focus_of(intent, tool), depth=5, similarity=similarity)
    if not picks:
        return "\n".join(parts)
    if intent.quote_first:  # what the report says comes first, then what the data says of it
        check = "用真实数据核算：" if zh else "Checked against the data: "
        quote = ("报告原文：" if zh else "The report says (in Chinese): ") + cite(picks)
        lead = quantity_lead(intent.query, picks, intent.lang)  # the report's own figure, when one is asked
        said = lead or (None if zh else english_gist(picks, intent.query))
        if zh or (said and (lead or said.startswith(("The report gives", "The report names")))):
            return "\n".join([*([said] if said else []), quote, check + parts[0], *parts[1:]])
        return "\n".join([check + parts[0], quote, *parts[1:]])  # an English question opens in English
    return "\n".join([*parts, ("报告原文：" if zh else "From the reports (in Chinese): ") + cite(picks)])
