"""Keyword search: jieba tokens (with a domain dictionary) ranked by BM25, plus an English→Chinese glossary."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import bm25s
import cn2an
import jieba
import numpy as np
import yaml

logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s forces DEBUG on its own logger

HERE = Path(__file__).resolve().parent
TOKEN = re.compile(r"[\u4e00-\u9fff]|[a-z0-9][a-z0-9.%]*", re.IGNORECASE)
STOPWORDS = {
    line.strip() for line in (HERE / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
}


@lru_cache
def _init_jieba() -> None:
    jieba.setLogLevel(logging.WARNING)
    jieba.load_userdict(str(HERE / "userdict.txt"))


@lru_cache
def glossary() -> dict[str, list[str]]:
    """English domain terms → Chinese equivalents, so English questions find Chinese passages."""
    data = yaml.safe_load((HERE / "glossary.yaml").read_text(encoding="utf-8"))
    return {str(k).lower(): [str(z) for z in v] for k, v in data.items()}


CJK = re.compile(r"[\u4e00-\u9fff]")  # a casual Chinese key ('美股') is matched inside words, an English one by word
USD = re.compile(r"(?:\$|usd|us\$)\s*(\d+(?:\.\d+)?)\s*(billion|bn|b|million|mn|m)\b"
                 r"|(\d+(?:\.\d+)?)\s*(billion|bn|million|mn)\s*(?:dollars|usd|bucks)", re.I)


def usd_in_chinese(query: str) -> list[str]:
    """'$10 billion' → '100 亿美元': the reports write US dollar amounts in 亿美元, so the search looks for that."""
    out = []
    for m in USD.finditer(query):
        number, unit = float(m[1] or m[3]), (m[2] or m[4]).lower()
        value = number * (10 if unit.startswith("b") else 0.01)
        out.append(f"{value:,.6g} 亿美元")
    return out


CNY_AMOUNT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(billion|bn|million|mn)\s*(?:yuan|cny|rmb|renminbi)\b", re.I)


def cny_in_chinese(query: str) -> list[str]:
    """'4bn yuan' → '40亿元': the reports write yuan amounts in 亿元."""
    out = []
    for m in CNY_AMOUNT.finditer(query):
        value = float(m[1]) * (10 if m[2].lower().startswith("b") else 0.01)
        out.append(f"{value:,.6g}亿元")
    return out


TOP_N = re.compile(r"\b(?:top|first|largest|biggest)[\s-]*(\d{1,2})\b", re.I)
CN_DIGITS = "零一二三四五六七八九"


def ranks_in_chinese(query: str) -> list[str]:
    """'top 5' → 前五, 前5: the reports count ranks in Chinese numerals as often as in digits (前五家基金管理人)."""
    out = []
    for n in (int(m[1]) for m in TOP_N.finditer(query)):
        out.append(f"前{n}")
        if 0 < n < 10:
            out.append(f"前{CN_DIGITS[n]}")
        elif 10 <= n < 20:
            out.append("前十" + (CN_DIGITS[n % 10] if n % 10 else ""))
    return out


def expansion_text(query: str) -> list[str]:
    """The Chinese equivalents of English glossary terms (and of US dollar amounts and ranks) found in the query."""
    lowered = query.lower()
    extra = [zh for key, zhs in glossary().items() for zh in zhs  # an English key by ASCII word: '的AUM有' holds 'aum'
             if (key in lowered if CJK.search(key) else re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])",
                                                                    lowered))]
    return extra + usd_in_chinese(query) + cny_in_chinese(query) + ranks_in_chinese(query)


def expand_query(query: str) -> str:
    """The query with `expansion_text` appended, so that English questions find Chinese passages."""
    extra = expansion_text(query)
    return f"{query} {' '.join(extra)}" if extra else query


def cut(text: str) -> list[str]:
    """The text cut into jieba words (accurate mode, case kept), spaces kept: joined, they are the text again."""
    _init_jieba()
    return list(jieba.cut(text))


def words(text: str) -> list[str]:
    """The text cut into jieba words (accurate mode, case kept), punctuation included: for reading its structure."""
    return [w for w in cut(text) if w.strip()]


# a ranked group: 前50, Top 50, top-50, 前五十
RANK_GROUP = re.compile(r"(?:前|top)[\s-]*(\d{1,3}(?![\d.])|[一二两三四五六七八九十]{1,3})", re.I)


def tokenize(text: str) -> list[str]:
    """Search tokens: jieba words (search mode) lower-cased, minus punctuation and stop words; a ranked group
    ('规模前50', 'Top 50 产品') also as one token, top50, because the reports write it both ways."""
    _init_jieba()
    tokens = []
    for word in jieba.cut_for_search(text.lower()):
        word = word.strip()
        if word and word not in STOPWORDS and TOKEN.search(word):
            tokens.append(word)
    return tokens + [group for n in RANK_GROUP.findall(text) if (group := _group(n))]


def _group(number: str) -> str | None:
    """'15', '十五', '两' → top15, top2; a run that is no number ('前三四名', '十十') makes no group token."""
    if number.isdigit():
        return f"top{int(number)}"
    try:
        return f"top{cn2an.cn2an(number.replace('两', '二'), 'strict')}"
    except ValueError:
        return None


class KeywordIndex:
    """An in-memory BM25 index over chunk texts (a few hundred chunks index in well under a second)."""

    def __init__(self, texts: list[str]) -> None:
        self.size = len(texts)
        self.bm25 = bm25s.BM25()
        tokens = [tokenize(t) or ["∅"] for t in texts]
        self.vocabulary = frozenset(t for doc in tokens for t in doc)
        if texts:
            self.bm25.index(tokens, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        tokens = tokenize(expand_query(query))
        if not tokens or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return self.bm25.get_scores(tokens)
