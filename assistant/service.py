"""The assistant façade the CLI and the app share: validate a question, answer it as a stream of events.

Sessions keep each conversation's history apart; an answer always comes back, never an exception.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.answers import Answer, extractive_answer
from assistant.events import AnswerToken, Event, FinalAnswer, PassagesRetrieved
from assistant.question import QuestionError, clean_question
from assistant.retrieval import Retriever

log = logging.getLogger(__name__)


@dataclass
class Session:
    """One conversation: its id and the answers given so far (for follow-up questions)."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    history: list[Answer] = field(default_factory=list)


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

    def stream(self, question: object, session: Session | None = None) -> Iterator[Event]:
        """Events for one question, ending with exactly one FinalAnswer (status 'error' for bad input or failure)."""
        start = time.perf_counter()
        raw = question if isinstance(question, str) else repr(question)
        try:
            text = clean_question(question)
            result = self.retriever.search(text, k=5)
            answer = extractive_answer(text, result, self.titles)
            yield PassagesRetrieved(query=text, passages=answer.citations)
            for token in re.split(r"(?<=[。.!?？])", answer.answer):
                if token:
                    yield AnswerToken(text=token)
            answer.question = raw
        except QuestionError as exc:
            answer = Answer(question=raw[:200], answer=str(exc), status="error")
        except Exception as exc:  # an answer must always come back, whatever failed inside
            log.exception("answering failed")
            answer = Answer(question=raw[:200], answer=f"internal error: {type(exc).__name__}: {exc}", status="error")
        answer.latency_ms = round((time.perf_counter() - start) * 1000)
        if session is not None:
            session.history.append(answer)
        yield FinalAnswer(answer=answer)

    def ask(self, question: object, session: Session | None = None) -> Answer:
        """The final answer of `stream`."""
        final = [e for e in self.stream(question, session) if isinstance(e, FinalAnswer)]
        return final[-1].answer
