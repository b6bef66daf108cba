"""The semantic router: a question goes to the intent whose example questions it is nearest to in meaning.

Why embeddings: keyword rules understand only the phrasings they were written for ("lowest fee" but not "cheapest");
the embedding model the retriever already loads places "which active ETF is the cheapest?" beside the examples of
rank_funds in any language. Examples live in intents.yaml (data, not code), are embedded once and cached by content
hash; the question's own vector is the one search computes anyway. Unsure questions (not clearly nearest) get None.
"""

from __future__ import annotations

import re
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

if TYPE_CHECKING:
    from assistant.search.embeddings import Embedder

INTENTS = Path(__file__).with_name("intents.yaml")
MIN_SIMILARITY = 0.62  # below it a question is near no example
MIN_MARGIN = 0.03  # the best intent must beat the next one by this much
SCOPE_SIMILARITY = 0.75  # refusing a question (advice, prediction, invented figures) needs a closer match
SCOPES = ("advice", "prediction", "invent")


FUND = "FUND"  # what every ticker and fund code is read as


@cache
def _fund_pattern() -> re.Pattern[str]:
    from assistant.agent.slots import us_tickers

    tickers = "|".join(sorted(map(re.escape, us_tickers()), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{tickers})(?![A-Za-z])|(?<!\d)\d{{6}}(?!\d)", re.I)


def neutral(text: str) -> str:
    """Tickers and fund codes as one placeholder: the router tells what kind of question it is, not which fund, and
    an advice example naming JEPI ('should I buy JEPI now?') would otherwise pull every JEPI question to advice."""
    return _fund_pattern().sub(FUND, text)


def load_intents(path: Path = INTENTS) -> dict[str, dict[str, object]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class Router:
    """Nearest-intent classification over embedded example questions."""

    def __init__(self, embedder: Embedder, path: Path = INTENTS) -> None:
        self.embedder = embedder
        intents = load_intents(path)
        self.labels = [label for label, spec in intents.items() for _ in spec["examples"]]
        self.examples = [neutral(str(e)) for spec in intents.values() for e in spec["examples"]]

    @cached_property
    def matrix(self) -> np.ndarray:
        return self.embedder.encode_queries(self.examples)

    def scores(self, question: str) -> dict[str, float]:
        """Each intent's score: the mean similarity of its two nearest examples (one close example can be luck)."""
        similarity = self.matrix @ self.embedder.encode_query(neutral(question))
        best: dict[str, list[float]] = {}
        for label, value in zip(self.labels, similarity, strict=True):
            best.setdefault(label, []).append(float(value))
        return {label: float(np.mean(sorted(values)[-2:])) for label, values in best.items()}

    def route(self, question: str) -> str | None:
        """The clearly nearest intent, or None when the question is near none or between two."""
        ranked = sorted(self.scores(question).items(), key=lambda item: -item[1])
        (label, top), (_, second) = ranked[0], ranked[1]
        floor = SCOPE_SIMILARITY if label in SCOPES else MIN_SIMILARITY
        return label if top >= floor and top - second >= MIN_MARGIN else None
