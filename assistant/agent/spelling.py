"""Typos repaired against the project's own words, so 'inflws', 'bigest', 'build dyas' and 指曾, 费率最底 read as meant.

Why: routing and slot rules, the router's examples and the keyword glossary know a few thousand English words; a
stranger's typo of one of them should not change the route or lose a stated value. Only a word that neither the
domain vocabulary nor a general English dictionary (pyspellchecker's) knows is touched, and only towards a domain
word one edit away (two for long words; a swap of two letters is one edit), so a lower-case ticker such as 'jepi'
or an unknown name is never turned into another word. Chinese typos are mostly homophones picked from the input
method's list (指曾 for 指增, 最底 for 最低): a word jieba's dictionary does not know (or knows as rare) becomes the
domain word that differs from it in one character of the same pinyin.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path

import jieba
import yaml
from pypinyin import Style, pinyin
from rapidfuzz import process
from rapidfuzz.distance import OSA

from assistant.corpus.reports import corpus_files, corpus_text
from assistant.search.keyword import cut, words

HERE = Path(__file__).parent
DOMAIN_FILES = (HERE / "intents.yaml", HERE / "phrases.yaml", HERE / "entities.yaml",
                HERE.parent / "search" / "glossary.yaml")
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][a-z]{3,}(?![A-Za-z0-9])")  # lower or Capitalised; not ALLCAPS tickers
HANZI = re.compile(r"[\u4e00-\u9fff]{2,4}")
RARE = 50  # jieba's dictionary counts of words such as 最底 (0) or 欧州 (4), against 最低 (2431): no one means those
MIN_DOMAIN_COUNT = 1  # the targets are the project's words: 欧洲 is written once, in entities.yaml
# particles jieba glues onto the word before them ('发布方是谁' is cut 发布/方是/谁, '3月1日起' 日起): a homophone of
# one (方是 ~ 方式, 日起 ~ 日期) is the particle as meant, not a typo
PARTICLES = frozenset("是起的了在有和与也都就那")


@lru_cache(maxsize=2)
def _domain_texts(files: tuple[tuple[str, float], ...]) -> tuple[str, ...]:
    """The knowledge files and the corpus as text, read once for both the English and the Chinese word lists."""
    texts = [yaml.safe_dump(yaml.safe_load(p.read_text(encoding="utf-8")), allow_unicode=True) for p in DOMAIN_FILES]
    return (*texts, corpus_text(files))  # the reports and tables, uploads included


@lru_cache(maxsize=2)
def domain_words(files: tuple[tuple[str, float], ...]) -> tuple[frozenset[str], Counter[str]]:
    """Lower-case English words of the intents, phrases, glossary and corpus `files` (left as typed), and those
    among them that are written as words somewhere, not only as ALLCAPS tickers, with how often they occur: the
    words a typo may be repaired to (the more frequent wins a tie, so 'dyas' becomes 'days', never 'DFAS')."""
    found = [w for text in _domain_texts(files) for w in re.findall(r"[A-Za-z]{2,}", text)]
    return frozenset(w.lower() for w in found), Counter(w.lower() for w in found if not w.isupper())


@lru_cache(maxsize=2)
def domain_hanzi(files: tuple[tuple[str, float], ...]) -> tuple[Counter[str], dict[str, list[str]]]:
    """The Chinese words (2–4 characters, jieba's cut) of the same texts with their counts, and the frequent ones
    by each one-character-blanked form ('指_' → 指增, 指数…): where a homophone typo is looked up."""
    counts = Counter(w for text in _domain_texts(files) for w in words(text) if HANZI.fullmatch(w))
    blanked: dict[str, list[str]] = {}
    for word, count in counts.items():
        if count >= MIN_DOMAIN_COUNT:
            for i in range(len(word)):
                blanked.setdefault(word[:i] + "_" + word[i + 1:], []).append(word)
    return counts, blanked


@lru_cache(maxsize=4096)
def _readings(char: str) -> frozenset[str]:
    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


def _fix_hanzi(word: str, counts: Counter[str], blanked: dict[str, list[str]]) -> str:
    """The domain word a word unknown to jieba's dictionary was typed for. (A typo jieba glues to the character
    before it, '里费律', stays: repairing parts of words turned 从大到 into 从达到 and 百分之一 into 百分支一.)"""
    if not HANZI.fullmatch(word) or word in counts or jieba.dt.FREQ.get(word, 0) >= RARE:
        return word
    near = [target for i in range(len(word)) for target in blanked.get(word[:i] + "_" + word[i + 1:], ())
            if word[i] not in PARTICLES and _readings(word[i]) & _readings(target[i])]
    return max(near, key=lambda target: counts[target]) if near else word


@cache
def english_words() -> frozenset[str]:
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(distance=1).word_frequency.dictionary)


def _fix(word: str, known: frozenset[str], targets: Counter[str]) -> str:
    lower = word.lower()
    if lower in known or lower in english_words():
        return word
    limit = 1 if len(lower) < 8 else 2
    near = process.extract(lower, targets.keys(), scorer=OSA.distance, score_cutoff=limit, limit=8)
    near = [(w, d) for w, d, _ in near if len(w) >= 4]
    if not near:
        return word
    best = min(near, key=lambda c: (c[1], -targets[c[0]]))[0]
    return best.capitalize() if word[0].isupper() else best


def prepare() -> None:
    """Load the dictionaries now (at start-up, beside the router's examples), not in the first answer."""
    domain_words(corpus_files())
    domain_hanzi(corpus_files())
    english_words()


@cache
def caps_typos() -> tuple[re.Pattern[str], dict[str, str]]:
    """Capitalised typos of the abbreviations (EFT → ETF), which the word repair leaves alone as possible tickers."""
    typos = yaml.safe_load((HERE / "entities.yaml").read_text(encoding="utf-8"))["caps_typos"]
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, typos)) + r")(?![A-Za-z])"), typos


@cache
def respell(text: str) -> str:
    """`text` with misspelt English words and Chinese homophones replaced by the domain word they most likely meant."""
    known, targets = domain_words(corpus_files())
    pattern, typos = caps_typos()
    text = WORD.sub(lambda m: _fix(m.group(0), known, targets), pattern.sub(lambda m: typos[m.group(0)], text))
    if not HANZI.search(text):
        return text
    counts, blanked = domain_hanzi(corpus_files())
    return "".join(_fix_hanzi(word, counts, blanked) for word in cut(text))
