"""What real OpenAI-compatible servers need beyond the OpenAI API itself (llama.cpp, llama-cpp-python, vLLM).

Found running the agent against them: llama-cpp-python answers HTTP 500 to an assistant message whose `content` is
null (what ChatOpenAI sends beside tool calls); llama.cpp's server drops the tools without an explicit `tool_choice`;
small models write their tool calls as a ```json block or a bare {"name", "arguments"} object in the text, which the
server does not parse.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection
from typing import Any

from langchain_core.messages import AIMessage
from langchain_openai import ChatOpenAI

JSON_BLOCK = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


class CompatibleChatOpenAI(ChatOpenAI):
    """ChatOpenAI that never sends `content: null`: an empty string means the same to every server."""

    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        for message in payload.get("messages", []):
            if message.get("content") is None:
                message["content"] = ""
        return payload


def _objects(text: str) -> list[Any]:
    """JSON values in fenced blocks, or the whole text when it is one JSON value."""
    candidates = JSON_BLOCK.findall(text) or [text]
    found = []
    for candidate in candidates:
        try:
            found.append(json.loads(candidate.strip()))
        except ValueError:
            continue
    return found


def text_tool_calls(reply: AIMessage, names: Collection[str]) -> AIMessage:
    """The reply with the tool calls its text writes out, when the server parsed none; otherwise the reply as is."""
    if reply.tool_calls or not reply.text.strip():
        return reply
    calls = []
    for value in _objects(reply.text):
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, dict):
                continue
            name = item.get("name") or (item.get("function") or {}).get("name")
            args = item.get("arguments", item.get("parameters", (item.get("function") or {}).get("arguments", {})))
            if isinstance(args, str):
                try:
                    args = json.loads(args)
                except ValueError:
                    continue
            if name in names and isinstance(args, dict):
                calls.append({"name": name, "args": args, "id": f"text_{uuid.uuid4().hex[:12]}", "type": "tool_call"})
    return AIMessage(content="", tool_calls=calls, response_metadata=reply.response_metadata) if calls else reply
