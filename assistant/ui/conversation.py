"""Conversations as the browser keeps them: each exchange's question and events, so a reload or a reopened
conversation shows exactly what was shown, and the agent's follow-up context is rebuilt from the stored answers.

The store is plain JSON (gr.BrowserState, in the browser's localStorage); the server holds only the open
page's copy. A `Library` is one browser's conversations, newest first, plus the one on screen.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, PrivateAttr, ValidationError

from assistant.answers import Answer
from assistant.events import (
    AnswerToken,
    Event,
    FinalAnswer,
    GuardNotice,
    PassagesRetrieved,
    Routed,
    ToolFinished,
    ToolStarted,
)
from assistant.service import Session
from assistant.ui.render import (
    STOPPED,
    ChatTurn,
    Message,
    answer_text,
    args_markdown,
    finished_result,
    markdown_table,
    provenance_markdown,
)

log = logging.getLogger(__name__)
STORE_VERSION = 1
MAX_CONVERSATIONS = 30  # kept in the browser, oldest dropped first
MAX_STORE_CHARS = 1_500_000  # JSON kept in localStorage (its quota is about 5 M characters, and the store is
# encrypted, which makes it longer); oldest conversations are dropped beyond it
TITLE_CHARS = 48
EMPTY_STORE: dict[str, Any] = {"version": STORE_VERSION, "current": None, "conversations": []}
StoredEvent = Annotated[ToolStarted | ToolFinished | PassagesRetrieved | GuardNotice | Routed | FinalAnswer,
                        Field(discriminator="type")]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Turn(BaseModel):
    """One exchange: the question, every event but the tokens (the final answer holds the text), and the text that
    had streamed when the user stopped it."""

    question: str
    events: list[StoredEvent] = Field(default_factory=list)
    partial: str = ""
    stopped: bool = False
    _view: ChatTurn | None = PrivateAttr(None)

    def add(self, event: Event) -> None:
        if isinstance(event, AnswerToken):
            self.partial += event.text
        else:
            self.events.append(event)
            if isinstance(event, FinalAnswer):
                self.partial = ""
        self.view.apply(event)

    def stop(self) -> None:
        self.stopped = True
        self.view.stop()

    @property
    def answer(self) -> Answer | None:
        return next((e.answer for e in self.events if isinstance(e, FinalAnswer)), None)

    @property
    def view(self) -> ChatTurn:
        """The rendered exchange, replayed from the stored events the first time it is needed."""
        if self._view is None:
            self._view = ChatTurn(question=self.question)
            for event in self.events:
                self._view.apply(event)
            if self.partial:
                self._view.apply(AnswerToken(text=self.partial))
            if self.stopped:
                self._view.stop()
        return self._view

    @property
    def messages(self) -> list[Message]:
        return [{"role": "user", "content": self.question}, *self.view.messages]

    def markdown(self, number: int) -> str:
        """The exchange for a Markdown export: question, answer with sources, then each tool's inputs and result."""
        answer = self.answer
        shown = answer_text(answer) if answer else f"*{STOPPED}*"
        parts = [f"## {number}. {self.question}", shown]
        calls = [e for e in self.events if isinstance(e, ToolFinished)]
        if calls:
            parts.append("### How this was answered")
        for call in calls:
            result = finished_result(call)
            body = [f"**{call.name}** · {args_markdown(call.args)}"]
            body += ([result.summary, markdown_table(result.rows, limit=None), provenance_markdown(result)]
                     if result else [f"**Error** {call.summary}"])
            parts.append("\n\n".join(p for p in body if p))
        return "\n\n".join(parts)


class Conversation(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    updated: str = Field(default_factory=now)
    turns: list[Turn] = Field(default_factory=list)

    @property
    def title(self) -> str:
        first = " ".join(self.turns[0].question.split()) if self.turns else "New conversation"
        return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"

    def session(self) -> Session:
        """The agent's view of the conversation: its answers so far, so follow-up questions have their context."""
        return Session(id=self.id, history=[t.answer for t in self.turns if t.answer is not None])

    @property
    def messages(self) -> list[Message]:
        return [message for turn in self.turns for message in turn.messages]

    def turn_at(self, index: int) -> int:
        """The exchange a chat message belongs to, by the message's index in the chat."""
        start = 0
        for number, turn in enumerate(self.turns):
            start += len(turn.messages)
            if index < start:
                return number
        raise IndexError(f"message {index} is not in this conversation")

    def markdown(self) -> str:
        exchanges = "\n\n---\n\n".join(turn.markdown(n) for n, turn in enumerate(self.turns, 1))
        return f"# {self.title}\n\nConversation with the fund research assistant, exported {now()}.\n\n{exchanges}\n"

    def records(self) -> list[dict[str, Any]]:
        """The answers as JSON-lines records (the documented shape of `ask --json`, with the conversation id)."""
        return [{"session": self.id, **t.answer.public_dict()} for t in self.turns if t.answer is not None]


class Library(BaseModel):
    """One browser's conversations, newest first, and the one on screen (not listed until it has a question)."""

    conversations: list[Conversation] = Field(default_factory=list)
    current: Conversation = Field(default_factory=Conversation)
    busy: bool = False  # an answer is streaming: a second question must wait or stop it, not run alongside

    @classmethod
    def load(cls, stored: Any) -> Library:
        """The library from the browser's store; anything unreadable (another version, a hand edit) is dropped,
        one conversation at a time."""
        library = cls()
        if not isinstance(stored, dict) or stored.get("version") != STORE_VERSION:
            return library
        for data in stored.get("conversations") or []:
            try:
                library.conversations.append(Conversation.model_validate(data))
            except ValidationError as exc:
                log.warning("dropped a stored conversation that does not load: %s", str(exc)[:200])
        library.current = library.find(stored.get("current")) or Conversation()
        return library

    def find(self, conversation_id: Any) -> Conversation | None:
        return next((c for c in self.conversations if c.id == conversation_id), None)

    def touch(self) -> None:
        """The current conversation changed: it moves to the top of the list."""
        self.current.updated = now()
        self.conversations = [self.current, *(c for c in self.conversations if c.id != self.current.id)]

    def open(self, conversation: Conversation) -> None:
        self.current = conversation

    def store(self) -> dict[str, Any]:
        """The store to keep in the browser: the newest conversations that fit its budget, the current one always;
        the library forgets the others too, so the list shows what a reload would."""
        kept, size = [], 0
        for conversation in self.conversations[:MAX_CONVERSATIONS]:
            data = conversation.model_dump(mode="json")
            length = len(json.dumps(data, ensure_ascii=False))
            if size + length <= MAX_STORE_CHARS or conversation is self.current:
                kept.append(data)
                size += length
        ids = {data["id"] for data in kept}
        self.conversations = [c for c in self.conversations if c.id in ids]
        return {"version": STORE_VERSION, "current": self.current.id, "conversations": kept}

    def choices(self) -> list[tuple[str, str]]:
        """The list of past conversations: (title · date, id), newest first."""
        return [(f"{c.title} · {c.updated[:10]}", c.id) for c in self.conversations]
