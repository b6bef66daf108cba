"""The analyst tab: one form per tool, generated from the tool signatures, so a new tool gets a form for free.

Literal → dropdown, bool → checkbox, int/float → number, str → textbox, a CSV path → file upload; defaults and
help text come from the signature and docstring. Each form shows the result's table, chart, provenance and a CSV.
"""

from __future__ import annotations

import logging
import tempfile
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import gradio as gr
import pandas as pd

from assistant.ui.render import chart_for, provenance_markdown, rounded
from tools import CHARTS
from tools.registry import ParamSpec, ToolSpec, run_tool, tool_specs
from tools.result import ToolInputError

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


@dataclass(frozen=True)
class FormResult:
    summary: str
    table: pd.DataFrame | None = None
    chart: Any | None = None
    provenance: str = ""
    csv: str | None = None


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows for display: lists joined, floats without noise."""
    def tidy(value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(map(str, value))
        return rounded(value) if isinstance(value, float) else value

    return pd.DataFrame([{k: tidy(v) for k, v in row.items()} for row in rows])


def run_form(spec: ToolSpec, values: tuple[Any, ...]) -> FormResult:
    """Run a tool from its form; a bad input comes back as a message naming the parameter, not as a crash."""
    try:
        result = run_tool(spec.name, **form_args(spec, values))
    except ToolInputError as exc:
        return FormResult(summary=f"⚠ **Check the input** — {exc}")
    except Exception as exc:  # any tool failure is shown in the form, the app keeps running
        log.exception("tool %s failed", spec.name)
        return FormResult(summary=f"⚠ **{spec.name} failed** — {type(exc).__name__}: {exc}")
    summary = result.summary
    if result.caveats:
        summary += f"\n\n*{len(result.caveats)} caveat(s) under Provenance.*"
    csv = None
    if result.rows:
        csv_path = Path(tempfile.mkdtemp(prefix="etf-assistant-")) / f"{spec.name}.csv"
        frame = pd.DataFrame(result.rows).map(spreadsheet_safe)
        frame.to_csv(csv_path, index=False, encoding="utf-8-sig")  # Excel reads UTF-8 with BOM
        csv = str(csv_path)
    return FormResult(summary=summary, table=_frame(result.rows) if result.rows else None, chart=chart_for(result),
                      provenance=provenance_markdown(result), csv=csv)


def _form(spec: ToolSpec) -> None:
    intro, _, details = spec.description.partition("\n")
    gr.Markdown(f"**{intro}**\n\n{details.strip()}", elem_classes="tool-intro")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            inputs = [param_input(spec, p) for p in spec.params]
            run = gr.Button("Run", variant="primary", elem_id=f"run-{spec.name}")
        with gr.Column(scale=3):
            summary = gr.Markdown(elem_id=f"summary-{spec.name}")
            chart = gr.Plot(show_label=False, elem_id=f"chart-{spec.name}") if spec.name in CHARTS else None
            table = gr.Dataframe(label="Result", interactive=False, wrap=True, max_height=420,
                                 elem_id=f"table-{spec.name}")
            with gr.Accordion("Provenance", open=False):
                provenance = gr.Markdown(elem_id=f"provenance-{spec.name}")
            csv = gr.File(label="CSV download", interactive=False, elem_id=f"csv-{spec.name}")
    outputs = [summary, table, *([chart] if chart else []), provenance, csv]

    def handler(*values: Any) -> tuple[Any, ...]:
        out = run_form(spec, values)
        return out.summary, out.table, *([out.chart] if chart else []), out.provenance, out.csv

    run.click(handler, inputs, outputs, api_visibility="private")


def build_analyst_tab() -> None:
    """One sub-tab per registered tool, in registration order."""
    gr.Markdown("Run the calculators directly: every form is generated from the tool's signature, and every result "
                "names its sources. 直接运行计算工具，结果附数据来源。")
    with gr.Tabs():
        for spec in tool_specs():
            with gr.Tab(spec.name.replace("_", " ").capitalize(), elem_id=f"tab-{spec.name}"):
                _form(spec)
