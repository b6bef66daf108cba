"""The Analyst, Corpus and Settings tabs in a real browser, on a phone (390×844) and a desktop (1366×768) screen.

Debian's headless Chromium driven by Playwright against the real app: no tab is wider than the screen, every
calculator's sub-tab can be opened on the phone, the liquidity and returns forms draw charts whose legend sits under
the plot (also in a 244 px chat-bubble width) with no toolbar, tables have human headers, the CSV is named by the
inputs, and in dark mode the charts are dark too. Screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import ROOT
from tests.conftest import BROWSER_TESTS, CHROMIUM, CHROMIUM_ARGS, SHOTS, free_port

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
CHAT_WIDTH = 244  # a chart inside a chat bubble on the phone
RUN_MS = 60_000
TOOLS = ["Rank issuers", "Rank funds", "Fund facts", "Conversions", "Liquidity shock", "Compare returns"]

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    from assistant.service import Assistant
    from assistant.ui.app import build_app, launch

    demo = build_app(Assistant.create())
    url = launch(demo, "127.0.0.1", free_port(), block=False)
    yield url
    demo.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, app_url: str, screen: str, scheme: str = "light"):
    """A fresh page of the app on the screen, in the OS colour scheme Gradio follows."""
    context = browser.new_context(viewport=SCREENS[screen], color_scheme=scheme)
    page = context.new_page()
    page.goto(app_url)
    page.wait_for_selector("#chat", timeout=60_000)
    return page


@pytest.fixture(params=list(SCREENS))
def screen(request) -> str:
    return request.param


@pytest.fixture
def page(browser, app_url: str, screen: str) -> Iterator:
    page = open_page(browser, app_url, screen)
    yield page
    page.context.close()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def settled(page, read: Callable[[], Any]) -> Any:
    """What `read` returns once two reads a quarter of a second apart agree: Gradio moves tabs that do not fit
    into a menu, and Plotly resizes a figure, a moment after they are shown."""
    last = None
    for _ in range(20):
        page.wait_for_timeout(250)
        now = read()
        if now == last:
            break
        last = now
    return now


def open_tool(page, name: str) -> None:
    """Open a calculator's sub-tab as a user would: from the tab bar, or from its '⋯' menu when the bar is full."""
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Analyst").click()
    analyst = page.locator("#tab-analyst")
    settled(page, lambda: analyst.get_by_role("tab").count())
    tab, more = analyst.get_by_role("tab", name=name), analyst.get_by_role("button", name="More tabs")
    if tab.is_visible():
        tab.click()
    else:
        more.click()
        analyst.locator(".overflow-dropdown button", has_text=name).click()
    key = name.lower().replace(" ", "_")
    expect(page.locator(f"#run-{key}")).to_be_visible()


def boxes(page, chart: str) -> dict[str, dict[str, float]]:
    """SVG bounding boxes of a drawn chart, read once Plotly has stopped resizing it."""
    parts = {"svg": ".main-svg", "plot": ".cartesianlayer", "xtitle": ".g-xtitle", "legend": ".legend",
             "title": ".g-gtitle"}
    return settled(page, lambda: {name: page.locator(f"{chart} {sel}").first.bounding_box()
                                  for name, sel in parts.items()})


def assert_legend_under_plot(page, chart: str) -> None:
    box = boxes(page, chart)
    plot_bottom = max(box["plot"]["y"] + box["plot"]["height"], box["xtitle"]["y"] + box["xtitle"]["height"])
    assert box["legend"]["y"] >= plot_bottom - 1, box  # under the ticks and axis title, not over the lines
    assert box["legend"]["y"] + box["legend"]["height"] <= box["svg"]["y"] + box["svg"]["height"] + 1, box
    assert box["title"]["x"] >= box["svg"]["x"] - 1, box  # the title is not cut on either side
    assert box["title"]["x"] + box["title"]["width"] <= box["svg"]["x"] + box["svg"]["width"] + 1, box
    assert box["title"]["y"] >= box["svg"]["y"] - 1, box


def assert_no_toolbar(page, chart: str) -> None:
    from playwright.sync_api import expect

    page.locator(f"{chart} .js-plotly-plot").hover()  # Plotly shows its toolbar on hover
    expect(page.locator(f"{chart} .modebar-container")).to_be_hidden()
    page.mouse.move(0, 0)  # and its hover label, which the screenshots need not show


def run_liquidity(page) -> None:
    from playwright.sync_api import expect

    open_tool(page, "Liquidity shock")
    expect(page.locator("#table-liquidity_shock")).to_be_hidden()  # no empty table with placeholder headers
    page.locator("#liquidity_shock-report_convention input").check()
    page.locator("#run-liquidity_shock").click()
    expect(page.locator("#chart-liquidity_shock .legend")).to_be_visible(timeout=RUN_MS)


def test_every_tab_fits_the_screen_and_names_no_server_folder(page, screen):
    width = SCREENS[screen]["width"]
    for n, tab in enumerate(["Analyst", "Corpus", "Settings"]):
        page.get_by_role("tab", name=tab).click()
        panel = page.locator(f"#tab-{tab.lower()}")
        panel.wait_for()
        assert settled(page, lambda: page_width(page)) <= width, tab
        text = panel.inner_text()
        assert str(ROOT) not in text and str(Path.home()) not in text, tab
        page.screenshot(path=SHOTS / f"1{n}-{tab.lower()}-{screen}.png", full_page=True)


def test_every_calculator_opens_on_the_phone(browser, app_url):
    page = open_page(browser, app_url, "phone")
    try:
        open_tool(page, "Rank issuers")
        page.locator("#tab-analyst").get_by_role("button", name="More tabs").click()  # the bar holds two on a phone
        page.screenshot(path=SHOTS / "13-analyst-more-tabs-phone.png")
        for name in TOOLS:
            open_tool(page, name)
            run = page.locator(f"#run-{name.lower().replace(' ', '_')}").bounding_box()
            assert run["x"] >= 0 and run["x"] + run["width"] <= SCREENS["phone"]["width"], (name, run)
            assert page_width(page) <= SCREENS["phone"]["width"], name
    finally:
        page.context.close()


def test_liquidity_form_draws_a_readable_chart_and_a_labelled_table(page, screen):
    from playwright.sync_api import expect

    run_liquidity(page)
    chart = "#chart-liquidity_shock"
    assert_legend_under_plot(page, chart)
    assert_no_toolbar(page, chart)
    table = page.locator("#table-liquidity_shock")
    for header in ("Weight (%)", "Avg daily turnover (CNY)", "Daily buy / turnover (%)"):
        expect(table.locator("th", has_text=header).first).to_be_visible()
    expect(table).not_to_contain_text("weight_pct")
    expect(table).not_to_contain_text("report_ratio")
    expect(page.locator("#csv-liquidity_shock a")).to_have_attribute(
        "href", re.compile(r"/liquidity_shock_15yi_20d_5pct_report_convention\.csv$"))
    assert page_width(page) <= SCREENS[screen]["width"]
    page.locator("#tab-liquidity_shock").screenshot(path=SHOTS / f"14-liquidity-{screen}.png")


def test_compare_form_keeps_its_long_legend_under_the_plot(page, screen):
    from playwright.sync_api import expect

    open_tool(page, "Compare returns")
    page.locator("#run-compare_returns").click()
    chart = "#chart-compare_returns"
    expect(page.locator(f"{chart} .legend")).to_be_visible(timeout=RUN_MS)
    assert page.locator(f"{chart} .legend .traces").count() == 13  # every compared fund
    assert_legend_under_plot(page, chart)
    assert_no_toolbar(page, chart)
    expect(page.locator("#table-compare_returns th", has_text="Excess return (pp)").first).to_be_visible()
    assert page_width(page) <= SCREENS[screen]["width"]
    page.locator("#tab-compare_returns").screenshot(path=SHOTS / f"15-compare-{screen}.png")
    if screen == "phone":  # the same figure as a chat bubble shows it
        page.locator(chart).evaluate(f"el => {{ el.style.width = '{CHAT_WIDTH}px'; }}")
        page.evaluate("window.dispatchEvent(new Event('resize'))")
        page.wait_for_function(f"document.querySelector('{chart} .main-svg').getBoundingClientRect().width <= "
                               f"{CHAT_WIDTH}")
        assert_legend_under_plot(page, chart)
        page.locator(chart).screenshot(path=SHOTS / "16-compare-chart-244px.png")


def test_charts_are_dark_in_dark_mode(browser, app_url, screen):
    from PIL import Image

    page = open_page(browser, app_url, screen, scheme="dark")
    try:
        run_liquidity(page)
        chart = page.locator("#chart-liquidity_shock")
        boxes(page, "#chart-liquidity_shock")  # drawn and settled
        pixels = Image.open(io.BytesIO(chart.screenshot())).convert("L")
        assert sum(pixels.getdata()) / (pixels.width * pixels.height) < 90  # a dark chart, not a white card
        page.locator("#tab-liquidity_shock").screenshot(path=SHOTS / f"17-liquidity-{screen}-dark.png")
        open_tool(page, "Compare returns")
        page.locator("#run-compare_returns").click()
        page.locator("#chart-compare_returns .legend").wait_for(timeout=RUN_MS)
        boxes(page, "#chart-compare_returns")
        page.locator("#tab-compare_returns").screenshot(path=SHOTS / f"18-compare-{screen}-dark.png")
    finally:
        page.context.close()
