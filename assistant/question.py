"""Validate user questions before any work is done, with messages that say what would be accepted."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


class QuestionError(ValueError):
    """A question that cannot be answered as given."""


def clean_question(text: object) -> str:
    """Normalise a question (NFKC, control characters removed, whitespace folded) or raise QuestionError."""
    if not isinstance(text, str):
        raise QuestionError(f"a question must be text, got {type(text).__name__}")
    cleaned = " ".join(CONTROL.sub(" ", unicodedata.normalize("NFKC", text)).split())
    if not cleaned:
        raise QuestionError("the question is empty; ask about the reports, e.g. "
                            "'截至2024年底，美国市场共有多少只主动管理ETF？'")
    if len(cleaned) > MAX_CHARS:
        raise QuestionError(f"the question is {len(cleaned):,} characters long; the limit is {MAX_CHARS:,}. "
                            "Ask one question at a time, or use `ask --file` with one question per line.")
    return cleaned
