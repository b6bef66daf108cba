"""Tool specs generated from each function's signature and Google-style docstring, plus validated invocation.

Why: the CLI, the LangChain tools and the app forms must all describe and check arguments the same way, and must not
drift from the functions. Everything here is derived from `tools.TOOLS`; nothing is written per tool.
"""

from __future__ import annotations

import inspect
import math
import re
import types
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from tools import TOOLS
from tools.result import ServerPath, ToolInputError, ToolResult

SECTION = re.compile(r"^(Args|Arguments|Returns|Raises|Yields|Examples?|Notes?):\s*$")


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: str  # readable, e.g. "int", "str | None"
    annotation: Any
    default: Any
    required: bool
    choices: list[Any] | None
    description: str
    server_path: bool = False  # names a file on the server: only the server's own code may pass it


@dataclass(frozen=True)
class ToolSpec:
    name: str
    summary: str  # the docstring's first line: what the tool answers
    description: str  # everything before the Args section, for LLMs and help text
    params: list[ParamSpec]
    func: Callable[..., ToolResult]
    model: type[BaseModel]  # pydantic model of the arguments, used for coercion
    client_model: type[BaseModel]  # the same without server-path parameters: the schema models and API clients see

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description of the tool, for listings and UIs."""
        params = [{k: v for k, v in vars(p).items() if k != "annotation"} for p in self.params]
        return {"name": self.name, "summary": self.summary, "description": self.description, "params": params}


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """(text before the sections, {param: description}) from a Google-style docstring."""
    lines = inspect.cleandoc(doc or "").splitlines()
    intro: list[str] = []
    params: dict[str, str] = {}
    section = None
    current = None
    for line in lines:
        header = SECTION.match(line)
        if header:
            section = header.group(1)
            continue
        if section is None:
            intro.append(line)
        elif section in {"Args", "Arguments"} and line.strip():
            entry = re.match(r"^\s{1,4}(\*{0,2}\w+)\s*(?:\([^)]*\))?:\s*(.*)$", line)
            if entry:
                current = entry.group(1)
                params[current] = entry.group(2).strip()
            elif current:
                params[current] += " " + line.strip()
    return "\n".join(intro).strip(), params


def _choices(annotation: Any) -> list[Any] | None:
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    for arg in get_args(annotation) if _is_union(annotation) else ():
        if get_origin(arg) is Literal:
            return list(get_args(arg))
    return None


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def type_name(annotation: Any) -> str:
    """'int', 'str | None', 'str' for a Literal of strings: what a user types, not Python's repr."""
    if annotation is type(None):
        return "None"
    if get_origin(annotation) is Literal:
        return type(get_args(annotation)[0]).__name__
    if _is_union(annotation):
        return " | ".join(type_name(a) for a in get_args(annotation))
    return getattr(annotation, "__name__", str(annotation))


@cache
def spec_for(func: Callable[..., ToolResult]) -> ToolSpec:
    """Build (once) the spec of a tool function; fails loudly if a parameter is undocumented."""
    description, docs = parse_docstring(func.__doc__)
    hints = get_type_hints(func)
    params, fields = [], {}
    for name, parameter in inspect.signature(func).parameters.items():
        if name not in docs:
            raise TypeError(f"{func.__name__}: parameter {name!r} is missing from the docstring's Args section")
        annotation = hints.get(name, str)
        required = parameter.default is inspect.Parameter.empty
        default = None if required else parameter.default
        server_path = annotation is ServerPath or ServerPath in get_args(annotation)
        params.append(ParamSpec(name, type_name(annotation), annotation, default, required, _choices(annotation),
                                docs[name], server_path))
        fields[name] = (annotation, Field(... if required else default, description=docs[name]))
    models = [create_model(f"{func.__name__}_args", __config__=ConfigDict(extra="forbid"),
                           **{n: f for n, f in fields.items() if full or not spec_param(params, n).server_path})
              for full in (True, False)]  # the full model, then the client's
    for model in models:
        model.__doc__ = description.splitlines()[0] if description else func.__name__
    summary = description.splitlines()[0] if description else ""
    return ToolSpec(func.__name__, summary, description, params, func, *models)


def spec_param(params: list[ParamSpec], name: str) -> ParamSpec:
    return next(p for p in params if p.name == name)


def refuse_server_paths(name: str, args: dict[str, Any]) -> None:
    """Refuse a server-path argument from a model or an API client: a named path could read any file the server
    can, and which paths exist would leak through the errors. Uploads reach the tool from the app's own code."""
    for param in get_spec(name).params:
        if param.server_path and args.get(param.name) is not None:
            raise ToolInputError(param.name, "names a file on the server, which only the app's own upload passes; "
                                 "upload the CSV in the Analyst tab")


def tool_specs() -> list[ToolSpec]:
    """Specs of every registered tool, in registration order."""

    return [spec_for(func) for func in TOOLS]


def get_spec(name: str) -> ToolSpec:
    specs = {spec.name: spec for spec in tool_specs()}
    if name not in specs:
        raise ToolInputError("tool", f"unknown tool {name!r}", allowed=list(specs))
    return specs[name]


def input_error(spec: ToolSpec, exc: ValidationError) -> ToolInputError:
    """The first pydantic error as a ToolInputError naming the parameter and what it accepts."""
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else "args"
    param = spec.param(name)
    if param is None:
        return ToolInputError(name, "unknown parameter", allowed=[p.name for p in spec.params])
    accepted = [str(c) for c in param.choices] if param.choices else [param.type]
    message = "is required" if error["type"] == "missing" else f"{error['msg']}, got {error.get('input')!r}"
    return ToolInputError(name, message, allowed=accepted)


MAX_TEXT = 300  # characters of a text argument: names, codes, dates and sizes are short; fuzzy matching stays bounded


def _checked(spec: ToolSpec, raw: dict[str, Any]) -> dict[str, Any]:
    """Arguments before type coercion: text NFKC-normalised (full-width ＤＦＡＣ is DFAC) and bounded in length, no
    true/false where a number is wanted, and no NaN or infinity."""
    out = dict(raw)
    for name, value in raw.items():
        param = spec.param(name)
        if param is None or param.server_path:
            continue
        kinds = set(get_args(param.annotation)) | {param.annotation}
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise ToolInputError(name, f"is {len(value):,} characters long; the limit is {MAX_TEXT}")
            out[name] = unicodedata.normalize("NFKC", value)
        elif isinstance(value, bool) and bool not in kinds:
            raise ToolInputError(name, f"takes a number or text ({param.type}), not {str(value).lower()}")
        elif isinstance(value, float) and not math.isfinite(value):
            raise ToolInputError(name, f"must be a finite number, got {value}")
    return out


def validate_args(spec: ToolSpec, raw: dict[str, Any]) -> dict[str, Any]:
    """Coerce raw (e.g. CLI string) arguments into the declared types; ToolInputError when they do not fit."""
    checked = _checked(spec, raw)
    try:
        values = dict(spec.model.model_validate(checked))
    except ValidationError as exc:
        raise input_error(spec, exc) from None
    for name, value in values.items():  # '"nan"' typed on a command line becomes a float only now
        if isinstance(value, float) and not math.isfinite(value):
            raise ToolInputError(name, f"must be a finite number, got {checked.get(name)}")
    return values


def run_tool(name: str, /, **kwargs: Any) -> ToolResult:
    """Validate the arguments against the tool's signature and call it."""
    spec = get_spec(name)
    return spec.func(**validate_args(spec, kwargs))
