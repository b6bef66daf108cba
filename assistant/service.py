"""The assistant façade the CLI and the app share: validate a question, answer it, never raise."""

from __future__ import annotations

import logging
import time

from assistant.answers import Answer, extractive_answer
from assistant.question import QuestionError, clean_question
from assistant.retrieval import Retriever

log = logging.getLogger(__name__)


class Assistant:
    """Answers questions over the indexed reports."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    @classmethod
    def create(cls) -> Assistant:
        """Load the corpus and model, and bring the vector index up to date with the corpus."""
        retriever = Retriever()
        retriever.ensure_index()
        return cls(retriever)

    @property
    def titles(self) -> list[str]:
        return [r.title for r in self.retriever.reports]

    def ask(self, question: object) -> Answer:
        """An Answer for any input: bad questions and internal failures come back as status 'error'."""
        start = time.perf_counter()
        raw = question if isinstance(question, str) else repr(question)
        try:
            text = clean_question(question)
            answer = extractive_answer(text, self.retriever.search(text, k=5), self.titles)
            answer.question = raw
        except QuestionError as exc:
            answer = Answer(question=raw[:200], answer=str(exc), status="error")
        except Exception as exc:  # an answer must always come back, whatever failed inside
            log.exception("answering failed")
            answer = Answer(question=raw[:200], answer=f"internal error: {type(exc).__name__}: {exc}", status="error")
        answer.latency_ms = round((time.perf_counter() - start) * 1000)
        return answer
