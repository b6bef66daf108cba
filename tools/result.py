"""The one result shape every deterministic tool returns, so the CLI, agent and app can show provenance uniformly."""

from __future__ import annotations

from typing import Any, Literal, NewType

from pydantic import BaseModel, Field

# A path to a file on the server (an upload the app stored). Only the server's own code passes one: a model, an API
# client or a CLI user naming a path could read any file the server can, so every client-facing caller refuses it.
ServerPath = NewType("ServerPath", str)


class Source(BaseModel):
    """Where a figure comes from: a report table/page or a market-data file."""

    kind: Literal["report", "data"]
    title: str
    report_id: str | None = None
    table: str | None = None
    page: int | None = None
    path: str | None = None
    as_of: str | None = None
    note: str | None = None

    def label(self) -> str:
        """A short human-readable citation, e.g. '主动管理 ETF 发展年度报告（2024）, 表 2'."""
        parts = [self.title]
        if self.table:
            parts.append(self.table)
        if self.page is not None:
            parts.append(f"p.{self.page}")
        if self.as_of:
            parts.append(f"as of {self.as_of}")
        return ", ".join(parts)


class ToolResult(BaseModel):
    """A tool's answer: a readable summary, structured data with explicit units, and its sources."""

    tool: str
    args: dict[str, Any]
    summary: str
    data: dict[str, Any] = Field(default_factory=dict)
    rows: list[dict[str, Any]] = Field(default_factory=list, description="tabular result, one dict per row")
    units: dict[str, str] = Field(default_factory=dict, description="column or field -> unit, e.g. {'aum': '亿美元'}")
    sources: list[Source] = Field(default_factory=list)
    caveats: list[str] = Field(default_factory=list)


class ToolInputError(ValueError):
    """A bad argument: names the parameter and what would be accepted, so callers can show it as is."""

    def __init__(self, param: str, message: str, allowed: list[str] | None = None) -> None:
        self.param = param
        self.allowed = allowed or []
        text = f"{param}: {message}"
        if self.allowed:
            text += f" (accepted: {', '.join(map(str, self.allowed))})"
        super().__init__(text)
