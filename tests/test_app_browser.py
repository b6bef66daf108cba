"""The app in a real browser: Debian's headless Chromium driven by Playwright (no browser download).

Starts the real app on a free loopback port, asks a question, waits for the streamed answer, checks its text, tool
call and an expanding citation, runs the liquidity form, and saves screenshots to tests/screenshots/.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "screenshots"
# Answered by the agent with liquidity_shock once it exists; the offline quote answers it from the report.
QUESTION = "一只15亿元的中证1000指增ETF用20个交易日建仓，会对多少只成分股造成超过5%的流动性冲击？"
HAS_AGENT = (ROOT / "assistant" / "agent").is_dir()
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANSWER_SECONDS = 180

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (make browser)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    from assistant.service import Assistant
    from assistant.ui.app import build_app, launch

    demo = build_app(Assistant.create())
    url = launch(demo, "127.0.0.1", free_port(), block=False)
    yield url
    demo.close()


@pytest.fixture(scope="module")
def page(app_url: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(app_url)
        page.wait_for_selector("#chat", timeout=60_000)
        yield page
        browser.close()


def test_question_streams_an_answer_with_tool_call_and_expanding_source(page):
    from playwright.sync_api import expect

    expect(page.get_by_text("基金研究助手 · Fund Research Assistant")).to_be_visible()
    expect(page.locator("#chat").get_by_text("截至2024年底，美国市场共有多少只主动管理ETF？")).to_be_visible()
    page.screenshot(path=SHOTS / "01-start.png")

    page.locator("#question textarea").fill(QUESTION)
    page.locator("#ask").click()
    sources = page.locator("#chat details.source")
    expect(sources.first).to_be_attached(timeout=ANSWER_SECONDS * 1000)  # sources come with the final answer
    chat = page.locator("#chat").inner_text()
    assert re.search(r"525|532", chat), chat  # the report's count, or the tool's reproduction of it
    if HAS_AGENT:
        expect(page.locator("#chat .thought").filter(has_text="Tool call ·").first).to_be_visible()
    page.screenshot(path=SHOTS / "02-answer-end.png")
    page.locator("#chat [role=log]").evaluate("log => { log.scrollTop = 0; }")
    page.screenshot(path=SHOTS / "02-answer-start.png")  # the tool calls (and chart) that precede the text

    first = sources.first
    first.locator("summary").click()
    expect(first.locator(".passage mark")).to_be_visible()
    first.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "03-source-expanded.png")


def test_liquidity_form_shows_table_chart_and_provenance(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Analyst").click()
    page.get_by_role("tab", name="Liquidity shock").click()
    page.locator("#liquidity_shock-report_convention input").check()
    page.locator("#run-liquidity_shock").click()
    expect(page.locator("#chart-liquidity_shock .js-plotly-plot")).to_be_visible(timeout=60_000)
    expect(page.locator("#summary-liquidity_shock")).to_contain_text("15亿")
    table = page.locator("#table-liquidity_shock")
    expect(table).to_contain_text("daily_purchase_cny")
    expect(table).to_contain_text(re.compile(r"\b\d{6}\b"))  # rows of stock codes (the grid renders lazily)
    expect(page.locator("#csv-liquidity_shock a")).to_have_attribute("href", re.compile(r"/liquidity_shock\.csv$"))
    page.get_by_role("button", name="Provenance").click()
    expect(page.locator("#provenance-liquidity_shock")).to_contain_text("图表17")  # the report's figures
    page.screenshot(path=SHOTS / "04-liquidity-form.png", full_page=True)
