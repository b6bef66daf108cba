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
from functools import cache
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from assistant.settings import ROOT

HERE = Path(__file__).parent
DOMAIN_FILES = (HERE / "intents.yaml", HERE / "phrases.yaml", HERE.parent / "search" / "glossary.yaml")
CORPUS_FILES = ("corpus/tables/*.csv", "corpus/reports/*.md")
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][a-z]{3,}(?![A-Za-z0-9])")  # lower or Capitalised; not ALLCAPS tickers


@cache
def domain_words() -> tuple[frozenset[str], Counter[str]]:
    """Lower-case English words of the intents, phrases, glossary, tables and reports (left as typed), and those
    among them that are written as words somewhere, not only as ALLCAPS tickers, with how often they occur: the
    words a typo may be repaired to (the more frequent wins a tie, so 'dyas' becomes 'days', never 'DFAS')."""
    texts = [yaml.safe_dump(yaml.safe_load(p.read_text(encoding="utf-8")), allow_unicode=True) for p in DOMAIN_FILES]
    texts += [p.read_text(encoding="utf-8") for pattern in CORPUS_FILES for p in sorted(ROOT.glob(pattern))]
    found = [w for text in texts for w in re.findall(r"[A-Za-z]{2,}", text)]
    return frozenset(w.lower() for w in found), Counter(w.lower() for w in found if not w.isupper())


@cache
def _english() -> frozenset[str]:
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(distance=1).word_frequency.dictionary)


def _fix(word: str) -> str:
    lower = word.lower()
    known, targets = domain_words()
    if lower in known or lower in _english():
        return word
    limit = 1 if len(lower) < 8 else 2
    near = process.extract(lower, targets.keys(), scorer=OSA.distance, score_cutoff=limit, limit=8)
    near = [(w, d) for w, d, _ in near if len(w) >= 4]
    if not near:
        return word
    best = min(near, key=lambda c: (c[1], -targets[c[0]]))[0]
    return best.capitalize() if word[0].isupper() else best


@cache
def respell(text: str) -> str:
    """`text` with misspelt English words replaced by the domain word they most likely meant."""
    return WORD.sub(lambda m: _fix(m.group(0)), text)
