"""The analyst tab: one form per tool, generated from the tool signatures, so a new tool gets a form for free.

Literal → dropdown, bool → checkbox, int/float → number, str → textbox, a CSV path → file upload; defaults and
help text come from the signature and docstring. Each form shows the result's table, chart, provenance and a CSV.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import types
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import gradio as gr
import pandas as pd
from pandas.io.formats.style import Styler

from assistant.ui.render import cell, chart_for, provenance_markdown
from tools import CHARTS
from tools.display import Column, percent, plural
from tools.liquidity import COLUMNS as LIQUIDITY_COLUMNS
from tools.registry import ParamSpec, ToolSpec, run_tool, tool_specs
from tools.result import ToolInputError, ToolResult
from tools.returns import COLUMNS as RETURNS_COLUMNS

log = logging.getLogger(__name__)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula ('=HYPERLINK(…)', '=cmd|…', from an uploaded CSV) is
    written with a leading apostrophe, so it is shown, not executed; numbers stay numbers."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


UPLOAD_TYPES = [".csv"]  # what a server-path parameter (an uploaded table) accepts
# Values for required parameters, so every form runs as it opens.
FORM_EXAMPLES: dict[str, dict[str, Any]] = {
    "fund_facts": {"query": "DFAC"},
    "liquidity_shock": {"fund_size": "15亿"},
    "compare_returns": {"index": "中证1000"},
}
OMIT = ""  # what an optional input holds when left empty: the tool's own default applies


def base_types(annotation: Any) -> set[Any]:
    """The non-None types of an annotation: {int} for `int`, {str, float} for `str | float | None`."""
    if get_origin(annotation) in (Union, types.UnionType):
        return {a for a in get_args(annotation) if a is not type(None)}
    return {annotation}


def param_input(spec: ToolSpec, param: ParamSpec) -> gr.components.Component:
    """The input component a parameter's type calls for, with its default and docstring help."""
    label = param.name.replace("_", " ") + ("" if param.required else " (optional)" if param.default is None else "")
    value = FORM_EXAMPLES.get(spec.name, {}).get(param.name, param.default)
    common = {"label": label, "info": param.description, "elem_id": f"{spec.name}-{param.name}"}
    kinds = base_types(param.annotation)
    if param.server_path:
        return gr.File(label=label, file_types=UPLOAD_TYPES, type="filepath",
                       elem_id=common["elem_id"])
    if param.choices:
        choices = [(str(c), c) for c in param.choices]
        if not param.required and param.default is None:
            choices.insert(0, ("(tool default)", OMIT))
        return gr.Dropdown(choices=choices, value=OMIT if value is None else value, **common)
    if kinds == {bool}:
        return gr.Checkbox(value=bool(value), **common)
    if str not in kinds and kinds <= {int, float}:
        return gr.Number(value=value, precision=0 if kinds == {int} else None, **common)
    return gr.Textbox(value="" if value is None else str(value), placeholder="(tool default)" if value is None else "",
                      **common)


def form_args(spec: ToolSpec, values: tuple[Any, ...]) -> dict[str, Any]:
    """Keyword arguments from the form's values; empty inputs are left out so the tool's defaults apply."""
    args = {}
    for param, value in zip(spec.params, values, strict=True):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        args[param.name] = value.strip() if isinstance(value, str) else value
    return args


# Headers (with units) of the tools whose rows hold many figures; other tools' headers come from their field names.
COLUMNS: dict[str, dict[str, Column]] = {"liquidity_shock": LIQUIDITY_COLUMNS, "compare_returns": RETURNS_COLUMNS}
UNIT_SUFFIXES = (("_100m_usd", "USD 100m"), ("_usd_m", "USD m"), ("_cny", "CNY"), ("_pct", "%"))
ACRONYMS = {"aum": "AUM", "etf": "ETF", "etfs": "ETFs", "id": "ID"}
# Tools whose `top` only shortens a long list for reading: the CSV runs them again for every row, as many as the
# named field of their data says there are.
ALL_ROWS = {"liquidity_shock": "constituents_counted"}
# File-name parts: inputs always named (defaults too), and how a value reads when a bare number would not say what
# it is (liquidity_shock_15yi_20d_5pct.csv).
ALWAYS_NAMED = {"liquidity_shock": ("fund_size", "build_days", "threshold")}
NAME_FORMATS: dict[str, Callable[[Any], str]] = {"build_days": "{}d".format, "threshold": percent}
NAME_WORDS = str.maketrans({"亿": "yi", "万": "wan", "元": "yuan", "%": "pct"})
MAX_NAME = 120  # characters of a CSV file name


def label(field: str) -> str:
    """A header from a field name, its unit in brackets: 'aum_share_pct' → 'AUM share (%)'."""
    unit = next(((suffix, name) for suffix, name in UNIT_SUFFIXES if field.endswith(suffix)), None)
    words = " ".join(ACRONYMS.get(w, w) for w in field.removesuffix(unit[0] if unit else "").split("_") if w)
    text = words[:1].upper() + words[1:]
    return f"{text} ({unit[1]})" if unit else text


def columns(result: ToolResult) -> dict[str, Column]:
    """Every field of the rows, in order, with its header and the scale to the header's unit."""
    known = COLUMNS.get(result.tool, {})
    fields = dict.fromkeys(key for row in result.rows for key in row)
    return {field: known.get(field) or Column(label(field)) for field in fields}


def labelled(result: ToolResult, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows under their human headers, each quantity in its header's unit (a fraction shown in %), lists joined."""
    specs = columns(result)
    frame = pd.DataFrame([{k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()}
                          for row in rows], columns=list(specs))
    for field, spec in specs.items():
        if spec.scale != 1:
            frame[field] = frame[field] * spec.scale
    return frame.rename(columns={field: spec.label for field, spec in specs.items()})


def shown(frame: pd.DataFrame) -> Styler:
    """The table as it reads: thousands separators and few decimals, while sorting still uses the numbers."""
    return frame.style.format(cell, na_rep="")


def name_part(text: Any) -> str:
    """A value as a file-name-safe word: '15亿' → '15yi', '5%' → '5pct', '2023-02-10' stays; '' when nothing is
    left."""
    words = unicodedata.normalize("NFKC", str(text)).translate(NAME_WORDS).lower()
    return re.sub(r"[^\w.-]+", "-", words).strip("-._")


def csv_name(spec: ToolSpec, result: ToolResult) -> str:
    """The download's name from the tool and its inputs, so that two downloads never share one: the inputs always
    named for the tool, then every other one that differs from its default (an upload by its own base name)."""
    always = ALWAYS_NAMED.get(spec.name, ())
    parts = [spec.name]
    for param in spec.params:
        value = result.args.get(param.name)
        if param.name not in always and value == param.default:
            continue
        if value is True:
            parts.append(name_part(param.name))
            continue
        if param.server_path:
            value = Path(str(value)).stem
        text = name_part(NAME_FORMATS.get(param.name, str)(value))
        parts.append(text if param.required or param.name in always else f"{name_part(param.name)}-{text}")
    return "_".join(p for p in parts if p)[:MAX_NAME] + ".csv"


def export_rows(spec: ToolSpec, args: dict[str, Any], result: ToolResult) -> list[dict[str, Any]]:
    """Every row for the CSV: a tool whose `top` only shortened its list is run again for all of them."""
    field = ALL_ROWS.get(spec.name)
    total = result.data.get(field) if field else None
    if total is None or len(result.rows) >= total:
        return result.rows
    return run_tool(spec.name, **{**args, "top": total}).rows


def write_csv(spec: ToolSpec, args: dict[str, Any], result: ToolResult) -> str:
    """All rows under the table's headers and units, in a fresh folder under the inputs' name; text that a
    spreadsheet would run as a formula is written as text."""
    path = Path(tempfile.mkdtemp(prefix="etf-assistant-")) / csv_name(spec, result)
    labelled(result, export_rows(spec, args, result)).map(spreadsheet_safe).to_csv(
        path, index=False, encoding="utf-8-sig")  # Excel reads UTF-8 with BOM
    return str(path)


def public(text: str, uploads: dict[str, str]) -> str:
    """The text with each uploaded file's server path (a temp folder) replaced by the file's own name."""
    for path, name in uploads.items():
        text = text.replace(path, name)
    return text


@dataclass(frozen=True)
class FormResult:
    summary: str
    table: pd.DataFrame | None = None  # under human headers, in their units
    chart: Any | None = None
    provenance: str = ""
    csv: str | None = None


def run_form(spec: ToolSpec, values: tuple[Any, ...]) -> FormResult:
    """Run a tool from its form; a bad input comes back as a message naming the parameter, not as a crash.

    Messages and provenance name an uploaded file by its own name, never by the server folder Gradio stored it in.
    """
    args = form_args(spec, values)
    uploads = {str(args[p.name]): Path(str(args[p.name])).name for p in spec.params if p.server_path and p.name in args}
    try:
        result = run_tool(spec.name, **args)
    except ToolInputError as exc:
        return FormResult(summary=f"⚠ **Check the input** — {public(str(exc), uploads)}")
    except Exception as exc:  # any tool failure is shown in the form, the app keeps running
        log.exception("tool %s failed", spec.name)
        return FormResult(summary=f"⚠ **{spec.name} failed** — {type(exc).__name__}: {public(str(exc), uploads)}")
    json_uploads = {json.dumps(k, ensure_ascii=False)[1:-1]: json.dumps(v, ensure_ascii=False)[1:-1]
                    for k, v in uploads.items()}
    shown_result = ToolResult.model_validate_json(public(result.model_dump_json(), json_uploads))
    summary = shown_result.summary
    if shown_result.caveats:
        summary += f"\n\n*{plural(len(shown_result.caveats), 'caveat')} under Provenance.*"
    if not result.rows:
        summary += "\n\n*No rows: nothing to list for these inputs.*"
        return FormResult(summary=summary, chart=chart_for(result), provenance=provenance_markdown(shown_result))
    return FormResult(summary=summary, table=labelled(result, result.rows), chart=chart_for(result),
                      provenance=provenance_markdown(shown_result), csv=write_csv(spec, args, result))


def _form(spec: ToolSpec) -> None:
    """The inputs beside the results (stacked on a phone by the app's CSS); a table, chart or CSV is shown only when
    there is one, so an empty table never shows placeholder headers."""
    intro, _, details = spec.description.partition("\n")
    gr.Markdown(f"**{intro}**\n\n{details.strip()}", elem_classes="tool-intro")
    with gr.Row(equal_height=False, elem_classes="analyst-form"):
        with gr.Column(scale=1, min_width=300):
            inputs = [param_input(spec, p) for p in spec.params]
            run = gr.Button("Run", variant="primary", elem_id=f"run-{spec.name}")
        with gr.Column(scale=3, min_width=300):
            summary = gr.Markdown(elem_id=f"summary-{spec.name}")
            chart = (gr.Plot(show_label=False, visible=False, elem_id=f"chart-{spec.name}")
                     if spec.name in CHARTS else None)
            table = gr.Dataframe(label="Result", interactive=False, wrap=True, max_height=420, visible=False,
                                 elem_id=f"table-{spec.name}")
            with gr.Accordion("Provenance", open=False):
                provenance = gr.Markdown(elem_id=f"provenance-{spec.name}")
            csv = gr.File(label="CSV download (every row)", interactive=False, visible=False,
                          elem_id=f"csv-{spec.name}")
    outputs = [summary, table, *([chart] if chart else []), provenance, csv]

    def handler(*values: Any) -> tuple[Any, ...]:
        out = run_form(spec, values)
        table_value = shown(out.table) if out.table is not None else None
        figure = [gr.update(value=out.chart, visible=out.chart is not None)] if chart else []
        return (out.summary, gr.update(value=table_value, visible=table_value is not None), *figure,
                out.provenance, gr.update(value=out.csv, visible=out.csv is not None))

    run.click(handler, inputs, outputs, api_visibility="private")


def build_analyst_tab() -> None:
    """One sub-tab per registered tool, in registration order."""
    gr.Markdown("Run the calculators directly: every form is generated from the tool's signature, and every result "
                "names its sources. 直接运行计算工具，结果附数据来源。")
    with gr.Tabs():
        for spec in tool_specs():
            with gr.Tab(spec.name.replace("_", " ").capitalize(), elem_id=f"tab-{spec.name}"):
                _form(spec)
