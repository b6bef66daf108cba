"""LangChain StructuredTools generated from the tool registry, so an agent can call the deterministic tools.

Kept outside tools/ so the tools themselves do not depend on LangChain. Each tool's args schema is the registry's
pydantic model (types, defaults, Literal choices and Args descriptions); it returns the ToolResult as a JSON-ready
dict, and a bad argument comes back to the agent as a readable message naming the parameter, not as an exception.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool, StructuredTool, ToolException

from tools.registry import ToolSpec, input_error, run_tool, tool_specs
from tools.result import ToolInputError


def _structured_tool(spec: ToolSpec) -> StructuredTool:
    def call(**kwargs: Any) -> dict[str, Any]:
        try:
            return run_tool(spec.name, **kwargs).model_dump(mode="json")
        except ToolInputError as exc:
            raise ToolException(str(exc)) from exc

    return StructuredTool.from_function(
        func=call,
        name=spec.name,
        description=spec.description,
        args_schema=spec.client_model,  # a model never sees parameters that name server files
        handle_tool_error=True,
        handle_validation_error=lambda exc: str(input_error(spec, exc)),
    )


def langchain_tools() -> list[BaseTool]:
    """One StructuredTool per registered tool, in registration order."""
    return [_structured_tool(spec) for spec in tool_specs()]
