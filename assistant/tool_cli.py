"""The `tools` and `tool NAME --param value … [--json]` subcommands, generated from the tool registry.

Why generated: a new tool appended to `tools.TOOLS` gets its CLI options, help text and validation for free, and the
CLI cannot drift from the function. Options stay strings here; the registry's pydantic model coerces and validates
them, so the CLI, the agent and the app reject a bad value with the same message.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import pandas as pd

from tools.registry import ParamSpec, ToolSpec, get_spec, run_tool, tool_specs
from tools.result import ToolInputError, ToolResult

DEST = "tool_arg__"  # prefix keeping tool parameters apart from the main CLI's own options


def _flag(param: ParamSpec) -> str:
    return "--" + param.name.replace("_", "-")


def _metavar(param: ParamSpec) -> str:
    return "{" + ",".join(map(str, param.choices)) + "}" if param.choices else param.name.upper()


def _escape(text: str) -> str:
    """argparse %-formats help strings, and descriptions contain '%' (units)."""
    return text.replace("%", "%%")


def _add_option(parser: argparse.ArgumentParser, param: ParamSpec) -> None:
    dest = DEST + param.name
    text = _escape(param.description + ("" if param.required else f" (default: {param.default})"))
    if param.annotation is bool:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            _flag(param), dest=dest, nargs="?", const="true", default=argparse.SUPPRESS, metavar="true|false", help=text
        )
        group.add_argument(
            "--no-" + _flag(param)[2:], dest=dest, action="store_const", const="false", default=argparse.SUPPRESS
        )
        return
    parser.add_argument(
        _flag(param), dest=dest, required=param.required, default=argparse.SUPPRESS, metavar=_metavar(param), help=text
    )


def add_tool_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `tools` (list every tool) and `tool NAME …` (run one) on the main CLI's subparsers."""
    listing = subparsers.add_parser("tools", help="list the deterministic tools with their parameters")
    listing.add_argument("--json", action="store_true", help="print the tool specs as one JSON array")
    listing.set_defaults(func=cmd_tools)

    tool = subparsers.add_parser("tool", help="run one deterministic tool; `tool NAME -h` shows its parameters")
    names = tool.add_subparsers(dest="tool_name", required=True, metavar="NAME")
    for spec in tool_specs():
        parser = names.add_parser(
            spec.name,
            help=_escape(spec.summary),
            description=spec.description,
            formatter_class=argparse.RawTextHelpFormatter,
        )
        for param in spec.params:
            _add_option(parser, param)
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object {tool,args,result,summary,sources}"
        )
        parser.set_defaults(func=cmd_tool)


def _describe(spec: ToolSpec) -> str:
    lines = [f"{spec.name} — {spec.summary}"]
    for param in spec.params:
        flag = (
            f"{_flag(param)}/--no-{_flag(param)[2:]}"
            if param.annotation is bool
            else f"{_flag(param)} {_metavar(param)}"
        )
        default = "required" if param.required else f"default {param.default}"
        lines.append(f"    {flag}  [{param.type}, {default}]  {param.description}")
    return "\n".join(lines)


def cmd_tools(args: argparse.Namespace) -> int:
    specs = tool_specs()
    if args.json:
        print(json.dumps([s.as_dict() for s in specs], ensure_ascii=False, default=str))
    else:
        print("\n\n".join(_describe(s) for s in specs))
    return 0


def payload(result: ToolResult) -> dict[str, Any]:
    """The --json object: {tool, args, result, summary, sources}, sources with a readable label."""
    return {
        "tool": result.tool,
        "args": result.args,
        "result": result.model_dump(mode="json", include={"data", "rows", "units", "caveats"}),
        "summary": result.summary,
        "sources": [s.model_dump(mode="json") | {"label": s.label()} for s in result.sources],
    }


def render(result: ToolResult) -> str:
    """Summary, a table of the rows, scalar data, units, caveats and sources, for a terminal."""
    parts = [result.summary]
    if result.rows:
        frame = pd.DataFrame(result.rows).map(lambda v: ", ".join(map(str, v)) if isinstance(v, list) else v)
        with pd.option_context("display.unicode.east_asian_width", True, "display.width", 200):
            parts.append(frame.fillna("").to_string(index=False))
    scalars = {k: v for k, v in result.data.items() if not isinstance(v, dict | list)}
    if scalars:
        parts.append("\n".join(f"{k}: {v}" for k, v in scalars.items()))
    if result.units:
        parts.append("单位 units: " + "; ".join(f"{k} = {v}" for k, v in result.units.items()))
    parts += [f"注意 caveat: {c}" for c in result.caveats]
    parts += [f"来源 source: {s.label()}" + (f" — {s.note}" if s.note else "") for s in result.sources]
    return "\n\n".join(parts)


def cmd_tool(args: argparse.Namespace) -> int:
    spec = get_spec(args.tool_name)
    raw = {key.removeprefix(DEST): value for key, value in vars(args).items() if key.startswith(DEST)}
    try:
        result = run_tool(spec.name, **raw)
    except ToolInputError as exc:
        print(f"error: tool {spec.name}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(payload(result), ensure_ascii=False) if args.json else render(result))
    return 0
