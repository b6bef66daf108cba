"""Deterministic data tools: plain typed functions returning ToolResult with provenance.

Every tool is listed in TOOLS; the CLI, LangChain wrappers and app forms are generated from that list.
"""

from tools.fund_facts import fund_facts
from tools.liquidity import liquidity_chart, liquidity_shock
from tools.report_tables import conversions, rank_funds, rank_issuers
from tools.result import Source, ToolInputError, ToolResult
from tools.returns import compare_returns, returns_chart

TOOLS: list = [
    rank_issuers,
    rank_funds,
    fund_facts,
    conversions,
    liquidity_shock,
    compare_returns,
]

# tool name -> function(ToolResult) -> plotly Figure, for tools whose result the app can chart
CHARTS: dict = {
    "liquidity_shock": liquidity_chart,
    "compare_returns": returns_chart,
}

__all__ = ["CHARTS", "TOOLS", "Source", "ToolInputError", "ToolResult"]
