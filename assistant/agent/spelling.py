"""English typos repaired against the project's own words, so 'inflws', 'bigest' and 'build dyas' read as meant.

Why: routing and slot rules, the router's examples and the keyword glossary know a few thousand English words; a
stranger's typo of one of them should not change the route or lose a stated value. Only a word that neither the
domain vocabulary nor a general English dictionary (pyspellchecker's) knows is touched, and only towards a domain
word one edit away (two for long words; a swap of two letters is one edit), so a lower-case ticker such as 'jepi'
or an unknown name is never turned into another word.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from assistant.corpus.reports import corpus_files, corpus_text

HERE = Path(__file__).parent
DOMAIN_FILES = (HERE / "intents.yaml", HERE / "phrases.yaml", HERE / "entities.yaml",
                HERE.parent / "search" / "glossary.yaml")
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][a-z]{3,}(?![A-Za-z0-9])")  # lower or Capitalised; not ALLCAPS tickers


@lru_cache(maxsize=2)
def domain_words(files: tuple[tuple[str, float], ...]) -> tuple[frozenset[str], Counter[str]]:
    """Lower-case English words of the intents, phrases, glossary and corpus `files` (left as typed), and those
    among them that are written as words somewhere, not only as ALLCAPS tickers, with how often they occur: the
    words a typo may be repaired to (the more frequent wins a tie, so 'dyas' becomes 'days', never 'DFAS')."""
    texts = [yaml.safe_dump(yaml.safe_load(p.read_text(encoding="utf-8")), allow_unicode=True) for p in DOMAIN_FILES]
    texts.append(corpus_text(files))  # the reports and tables, uploads included
    found = [w for text in texts for w in re.findall(r"[A-Za-z]{2,}", text)]
    return frozenset(w.lower() for w in found), Counter(w.lower() for w in found if not w.isupper())


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
    english_words()


@cache
def caps_typos() -> tuple[re.Pattern[str], dict[str, str]]:
    """Capitalised typos of the abbreviations (EFT → ETF), which the word repair leaves alone as possible tickers."""
    typos = yaml.safe_load((HERE / "entities.yaml").read_text(encoding="utf-8"))["caps_typos"]
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, typos)) + r")(?![A-Za-z])"), typos


@cache
def respell(text: str) -> str:
    """`text` with misspelt English words replaced by the domain word they most likely meant."""
    known, targets = domain_words(corpus_files())
    pattern, typos = caps_typos()
    return WORD.sub(lambda m: _fix(m.group(0), known, targets), pattern.sub(lambda m: typos[m.group(0)], text))
