"""Typed events an answer streams as it is made; the CLI, the app and the tests all consume these.

The agent knows nothing of its interfaces: it yields events, and each interface renders them its own way.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.answers import Answer, Citation


class ToolStarted(BaseModel):
    type: Literal["tool_started"] = "tool_started"
    call_id: str
    name: str
    args: dict[str, Any]


class ToolFinished(BaseModel):
    type: Literal["tool_finished"] = "tool_finished"
    call_id: str
    name: str
    args: dict[str, Any]
    status: Literal["ok", "error"]
    summary: str
    duration_ms: int
    result: dict[str, Any] | None = Field(None, description="ToolResult.model_dump(mode='json') when status is ok")


class PassagesRetrieved(BaseModel):
    type: Literal["passages"] = "passages"
    query: str
    passages: list[Citation]


class AnswerToken(BaseModel):
    type: Literal["token"] = "token"
    text: str


class GuardNotice(BaseModel):
    """The grounding guard changed the answer: what it removed and why."""

    type: Literal["guard"] = "guard"
    message: str
    removed: list[str] = Field(default_factory=list)


class Routed(BaseModel):
    """A language model chose the tool for this question (the rules were unsure, or LLM_ROUTE=always)."""

    type: Literal["routed"] = "routed"
    brain: str
    tool: str
    duration_ms: int


class FinalAnswer(BaseModel):
    type: Literal["final"] = "final"
    answer: Answer


Event = ToolStarted | ToolFinished | PassagesRetrieved | AnswerToken | GuardNotice | Routed | FinalAnswer
