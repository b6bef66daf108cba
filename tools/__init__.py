"""Deterministic data tools: plain typed functions returning ToolResult with provenance.

Every tool is listed in TOOLS; the CLI, LangChain wrappers and app forms are generated from that list.
"""

from tools.result import Source, ToolInputError, ToolResult

TOOLS: list = []

__all__ = ["TOOLS", "Source", "ToolInputError", "ToolResult"]
