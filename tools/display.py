"""How tool results read on screen: column headers, plain percentages, plurals, and the look of the tools' figures.

The same figure is shown 244 px wide in a chat bubble and 800 px wide in the Analyst tab, on a light or a dark page
(Gradio follows the OS): it sizes itself to its container, keeps its legend under the x-axis, has a transparent
background and text and grid colours that read on white and on near-black. Titles are short lines joined by <br>,
because Plotly does not wrap a title to the figure's width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.graph_objects as go

TEXT = "#7c8594"  # mid slate: readable against both white and Gradio's dark background
GRID = "rgba(128, 128, 128, 0.25)"
# Mid-lightness colours, distinct from each other and readable on white and on a dark page.
PALETTE = (
    "#1f77b4", "#e4572e", "#2ca02c", "#9467bd", "#e6a100", "#17becf", "#d62780", "#8c564b",
    "#7f7f00", "#3b5bdb", "#f08c00", "#20a39e", "#b5179e", "#5c940d", "#c92a2a", "#868e96",
)
LINE_HEIGHT = 20  # pixels per title line and per legend row
PLOT_HEIGHT = 300  # pixels of the plot area itself
AXIS_HEIGHT = 60  # pixels of x tick labels and axis title under the plot


@dataclass(frozen=True)
class Column:
    """A table header for people, its unit in brackets, and the factor that brings the row's value to that unit (100
    for a fraction shown in %): the rows keep the tool's units, the screen and the CSV show one unit per quantity."""

    label: str
    scale: float = 1


def percent(fraction: float) -> str:
    """A fraction as a plain percentage to three significant digits: 0.05 → 5%, 21.62 → 2,160%, 1e-7 → 0.00001%
    (never '2.16e+03%')."""
    value = float(f"{fraction * 100:.3g}")
    if value == 0:
        return "0%"
    decimals = max(0, 2 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    return (text.rstrip("0").rstrip(".") if decimals else text) + "%"


def plural(count: int, word: str) -> str:
    """'1 day', '2 days', '1,000 days'."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def colour(i: int) -> str:
    """The i-th distinct colour; more lines than the palette has colours would repeat one, so that is refused."""
    if i >= len(PALETTE):
        raise ValueError(f"{i + 1} lines but only {len(PALETTE)} distinct colours")
    return PALETTE[i]


def style(fig: go.Figure, title: list[str], legend_rows: int) -> go.Figure:
    """Lay the figure out for any width and either theme. `title` is its lines (the first bold, the rest smaller);
    `legend_rows` is how many rows the legend takes at phone width, the height kept free for it under the plot."""
    head, *rest = title
    text = "<br>".join([f"<b>{head}</b>", *(f"<span style='font-size:12px'>{line}</span>" for line in rest)])
    top = LINE_HEIGHT * (len(title) + 1)
    bottom = AXIS_HEIGHT + LINE_HEIGHT * legend_rows
    fig.update_layout(
        title={"text": text, "x": 0, "xanchor": "left", "xref": "container", "y": 1, "yanchor": "bottom",
               "yref": "paper", "pad": {"l": 10, "b": 12}, "automargin": True, "font": {"size": 14}},
        autosize=True,
        height=top + PLOT_HEIGHT + bottom,
        margin={"l": 10, "r": 24, "t": 10, "b": 10, "autoexpand": True},  # r: room for the last x label
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": TEXT, "size": 12},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yanchor": "bottom", "yref": "container",
                "bgcolor": "rgba(0,0,0,0)"},
        hoverlabel={"namelength": -1},
    )
    for axes in (fig.update_xaxes, fig.update_yaxes):
        axes(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID, automargin=True)
    return fig
