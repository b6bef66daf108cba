"""The assistant façade the CLI and the app share: validate a question, answer it as a stream of events.

Sessions keep each conversation's history apart; an answer always comes back, never an exception.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel

from assistant.agent.llm import build_chat_model, build_router
from assistant.agent.loop import Agent
from assistant.answers import Answer
from assistant.events import Event, FinalAnswer
from assistant.llm.router import LLMRouter
from assistant.question import QuestionError, clean_question
from assistant.search.retrieval import Retriever

log = logging.getLogger(__name__)


@dataclass
class Session:
    """One conversation: its id and the answers given so far (for follow-up questions)."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    history: list[Answer] = field(default_factory=list)


class Assistant:
    """Answers questions over the indexed reports with the agent: tools, cited passages, grounding guard."""

    def __init__(self, retriever: Retriever, model: BaseChatModel | None = None, llm_router: LLMRouter | None = None
                 ) -> None:
        self.retriever = retriever
        self.agent = Agent(retriever, model, llm_router)

    @classmethod
    def create(cls, llm: str | BaseChatModel | None = None) -> Assistant:
        """Load the corpus and model, bring the vector index up to date, and build the brain.

        `llm`: "offline" | "local" | "openai" | "ollama" (default: settings.llm), or a chat model instance (agent
        mode). With a model and LLM_MODE=route (the default) the model only routes; with agent it answers.
        """
        router = None if isinstance(llm, BaseChatModel) else build_router(llm)
        model = llm if isinstance(llm, BaseChatModel) or router is not None else build_chat_model(llm)
        retriever = Retriever()
        retriever.ensure_index()
        return cls(retriever, model, router)

    @property
    def titles(self) -> list[str]:
        return self.agent.titles

    def stream(self, question: object, session: Session | None = None) -> Iterator[Event]:
        """Events for one question, ending with exactly one FinalAnswer (status 'error' for bad input or failure)."""
        start = time.perf_counter()
        raw = question if isinstance(question, str) else repr(question)
        try:
            text = clean_question(question)
            answer = yield from self.agent.run(text, session.history if session else [])
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
