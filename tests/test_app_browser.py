"""The app in a real browser: Debian's headless Chromium driven by Playwright (no browser download).

Starts the real app on a free loopback port and uses the chat as a person would, on a 1366×768 desktop and a 390×844
phone, in the light and the dark theme: streamed answers with their steps collapsed, citation markers that open
their source, copy buttons that give plain text, conversations that survive a reload and reopen from the list, stop,
regenerate and edit, the Markdown export, and errors shown as errors. Screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator

import pytest

from assistant.settings import ROOT
from tests.conftest import BROWSER_TESTS, CHROMIUM, CHROMIUM_ARGS, SHOTS, free_port

QUESTION = "截至2024年底，美国市场共有多少只主动管理ETF？"
FOLLOW_UP = "来自多少家发行商？"
# Answered by the agent with liquidity_shock, a chart and cited passages with page numbers.
LIQUIDITY_QUESTION = "一只15亿元的中证1000指增ETF用20个交易日建仓，会对多少只成分股造成超过5%的流动性冲击？"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ANSWER_MS = 180_000
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
WCAG_AA = 4.5

pytestmark = BROWSER_TESTS


def serve(assistant) -> Iterator[str]:
    from assistant.ui.app import build_app, launch

    demo = build_app(assistant)
    yield launch(demo, "127.0.0.1", free_port(), block=False)
    demo.close()


@pytest.fixture(scope="module")
def app_url(assistant) -> Iterator[str]:
    yield from serve(assistant)


@pytest.fixture(scope="module")
def hung_url(assistant) -> Iterator[str]:
    """The app with a language model routing every question whose server accepts the connection and never replies:
    an answer that takes as long as its timeout, for the Stop button."""
    from assistant.agent.llm import build_router
    from assistant.service import Assistant
    from assistant.settings import Settings

    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)
        settings = Settings(llm="openai", llm_base_url=f"http://127.0.0.1:{hung.getsockname()[1]}/v1",
                            llm_model="hung", llm_route="always", llm_timeout=20)
        yield from serve(Assistant(assistant.retriever, None, build_router("openai", settings)))


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, app_url) -> Iterator[Callable]:
    """Opens the app in a fresh browser profile (its own stored conversations) with the clipboard allowed."""
    contexts = []

    def open_page(viewport: dict = DESKTOP, dark: bool = False, url: str = app_url, phone: bool = False):
        context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        contexts.append(context)
        page = context.new_page()
        page.goto(url + ("?__theme=dark" if dark else ""))
        page.wait_for_selector("#chat")
        page.wait_for_function("document.querySelector('#history') !== null")
        return page

    yield open_page
    for context in contexts:
        context.close()


def ask(page, question: str) -> None:
    """Ask in the box and wait for the answer (its copy button comes with the final answer)."""
    answers = page.locator("#chat .answer").count()
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.wait_for_function(f"document.querySelectorAll('#chat .answer').length > {answers}", timeout=ANSWER_MS)
    page.locator("#ask").wait_for(state="visible")


def shot(page, name: str, full_page: bool = False) -> None:
    page.screenshot(path=SHOTS / f"{name}.png", full_page=full_page)


def no_page_is_wider_than_the_viewport(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert max(widths[:2]) <= widths[2], widths
    overflowing = page.evaluate("""() => [...document.querySelectorAll('#tab-chat *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null
                     && !e.closest('.js-plotly-plot'))
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert not overflowing, overflowing


def contrast(page, locator) -> float:
    """WCAG contrast ratio of an element's computed text colour on its computed background."""
    colours = locator.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")

    def luminance(css: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted(map(luminance, colours), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_an_answer_streams_with_its_steps_collapsed_and_its_sources_open_from_the_markers(open_page):
    from playwright.sync_api import expect

    page = open_page()
    expect(page.get_by_text("基金研究助手 · Fund Research Assistant")).to_be_visible()
    expect(page.locator("#chat").get_by_text(QUESTION)).to_be_visible()  # an example question
    shot(page, "20-chat-desktop-light-start")

    ask(page, LIQUIDITY_QUESTION)
    answer = page.locator("#chat .answer").last
    assert re.search(r"525|532", answer.inner_text())  # the report's count, or the tool's reproduction of it
    steps = page.locator("#chat").get_by_text("How this was answered")
    expect(steps).to_be_visible()
    expect(page.locator("#chat").get_by_text("Tool call · liquidity_shock")).to_have_count(0)  # collapsed
    expect(page.locator("#chat .js-plotly-plot")).to_be_visible()  # the chart stays in view, after the answer
    assert page.locator("#chat a.cite").count() >= 1
    steps.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "21-chat-desktop-light-answer")

    steps.click()
    tool = page.locator("#chat").get_by_text("Tool call · liquidity_shock")
    tool.click()  # a step opens onto its arguments, result table and provenance
    tool.evaluate("e => e.scrollIntoView({block: 'start'})")
    expect(page.locator("#chat th").filter(has_text="daily_purchase_cny")).to_be_in_viewport()
    shot(page, "22-chat-desktop-light-steps-open")
    tool.click()
    steps.click()

    marker = page.locator("#chat a.cite").first
    source_id = marker.get_attribute("href").removeprefix("#")
    source = page.locator(f"#{source_id}")
    assert source.evaluate("d => d.open") is False
    preview = marker.get_attribute("title")
    assert preview.startswith("指增 ETF 产品解析") and "p. " in preview  # the title, page and quoted sentence
    marker.click()
    assert source.evaluate("d => d.open") is True
    expect(source.locator(".passage mark")).to_be_in_viewport()
    assert "p. 0" not in page.locator("#chat").inner_text()
    shot(page, "23-chat-desktop-light-source-open")


def test_the_desktop_chat_fits_1366x768_with_its_controls_in_view(open_page):
    page = open_page()
    ask(page, LIQUIDITY_QUESTION)
    page.evaluate("window.scrollTo(0, 0)")
    for control in ("#new-conversation", "#history", "#export-md", "#export", "#question", "#ask"):
        box = page.locator(control).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= DESKTOP["height"], (control, box)
    no_page_is_wider_than_the_viewport(page)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_phone_chat_fits_390x844_without_sideways_scrolling(open_page, dark):
    from playwright.sync_api import expect

    page = open_page(PHONE, dark=dark, phone=True)
    no_page_is_wider_than_the_viewport(page)
    ask(page, LIQUIDITY_QUESTION)
    no_page_is_wider_than_the_viewport(page)
    for control in ("#new-conversation", "#history", "#export-md", "#export", "#question", "#ask"):
        box = page.locator(control).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (control, box)
        expect(page.locator(control)).to_be_visible()
    page.locator("#chat a.cite").first.click()
    shot(page, "29-chat-phone-dark" if dark else "28-chat-phone-light")
    steps = page.locator("#chat").get_by_text("How this was answered")
    steps.click()
    page.locator("#chat").get_by_text("Tool call · liquidity_shock").click()  # its table of 20 stocks
    no_page_is_wider_than_the_viewport(page)
    if not dark:
        steps.evaluate("e => e.scrollIntoView({block: 'start'})")
        shot(page, "30-chat-phone-light-steps-open")


def test_copy_gives_the_answer_and_its_sources_as_plain_text(open_page):
    page = open_page()
    ask(page, LIQUIDITY_QUESTION)  # an answer with a chart has its copy button too
    page.get_by_role("button", name="Copy answer").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.search(r"525|532", copied) and "\n\nSources:\n- [1] 指增 ETF 产品解析" in copied
    assert not TAG.search(copied) and "Tool call" not in copied and "**" not in copied

    ask(page, QUESTION)
    page.get_by_role("button", name="Copy conversation").click()
    conversation = page.evaluate("navigator.clipboard.readText()")
    assert conversation.startswith(f"Q: {LIQUIDITY_QUESTION}\n\nA: ")
    assert f"\n\n---\n\nQ: {QUESTION}\n\nA: " in conversation
    assert "1,696" in conversation and conversation.count("Sources:") == 2 and not TAG.search(conversation)

    page.get_by_role("button", name="Copy message").first.click()  # a question copies as typed
    assert page.evaluate("navigator.clipboard.readText()") == LIQUIDITY_QUESTION

    labels = page.locator('#chat [data-testid="bot"]').evaluate_all("ms => ms.map(m => m.getAttribute('aria-label'))")
    assert labels and not any(TAG.search(label) for label in labels), labels  # screen readers read text, not markup
    assert any(label.startswith("Assistant: ") and "Sources:" in label for label in labels), labels


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_highlighted_passage_is_readable_in_both_themes(open_page, dark):
    page = open_page(dark=dark)
    assert page.evaluate("document.body.classList.contains('dark')") is dark
    ask(page, LIQUIDITY_QUESTION)
    page.locator("#chat a.cite").first.click()
    mark = page.locator("#chat details.source[open] .passage mark").first
    ratio = contrast(page, mark)
    assert ratio >= WCAG_AA, ratio
    mark.scroll_into_view_if_needed()
    if dark:
        shot(page, "24-chat-desktop-dark-source-open")


def test_a_reload_keeps_the_conversation_and_the_list_reopens_it_with_its_context(open_page):
    from playwright.sync_api import expect

    page = open_page()
    ask(page, QUESTION)
    page.reload()
    page.wait_for_selector("#chat .answer")
    expect(page.locator("#chat .answer")).to_contain_text("1,696")
    expect(page.locator("#history input")).to_have_value(re.compile(re.escape(QUESTION)))

    page.locator("#new-conversation").click()
    expect(page.locator("#chat .answer")).to_have_count(0)
    ask(page, LIQUIDITY_QUESTION)
    page.locator("#history input").click()
    options = page.locator("[role=option]")
    expect(options).to_have_count(2)
    assert LIQUIDITY_QUESTION[:20] in options.nth(0).inner_text() and QUESTION in options.nth(1).inner_text()
    page.wait_for_timeout(400)  # the list fades in
    shot(page, "26-chat-desktop-light-history")
    options.nth(1).click()
    expect(page.locator("#chat .answer")).to_have_count(1)
    expect(page.locator("#chat .answer")).to_contain_text("1,696")

    ask(page, FOLLOW_UP)  # the reopened conversation is the follow-up's context
    expect(page.locator("#chat .answer").last).to_contain_text("239")


def test_stop_ends_a_slow_answer_and_a_second_question_is_not_queued_behind_it(open_page, hung_url):
    from playwright.sync_api import expect

    page = open_page(url=hung_url)
    page.locator("#question textarea").fill(QUESTION)
    page.locator("#ask").click()
    expect(page.locator("#stop")).to_be_visible()
    expect(page.locator("#ask")).to_be_hidden()
    page.locator("#question textarea").fill(FOLLOW_UP)
    page.locator("#question textarea").press("Enter")  # not sent while the first is answered
    page.wait_for_timeout(500)
    expect(page.locator('#chat [data-testid="user"]')).to_have_count(1)
    expect(page.locator("#question textarea")).to_have_value(FOLLOW_UP)

    page.locator("#stop").click()
    expect(page.locator("#ask")).to_be_visible()
    expect(page.locator("#stop")).to_be_hidden()
    expect(page.locator("#chat .answer.stopped")).to_contain_text("Stopped before the answer was finished.")
    shot(page, "25-chat-desktop-light-stopped")
    page.reload()
    expect(page.locator("#chat .answer.stopped")).to_be_visible()  # kept as stopped


def test_regenerate_and_edit_the_last_question(open_page):
    from playwright.sync_api import expect

    page = open_page()
    ask(page, QUESTION)
    first = page.locator("#chat .answer").get_attribute("data-turn")
    anchor = page.locator("#chat a.cite").first.get_attribute("href")
    page.get_by_role("button", name="Retry").click()
    expect(page.locator("#chat a.cite").first).not_to_have_attribute("href", anchor)  # a new answer
    expect(page.locator("#chat .answer")).to_have_count(1)
    assert page.locator("#chat .answer").get_attribute("data-turn") == first  # to the same question

    page.get_by_role("button", name="Edit").click()
    page.locator("#chat textarea").fill(LIQUIDITY_QUESTION)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator('#chat [data-testid="user"]')).to_have_count(1)
    expect(page.locator("#chat .answer")).to_contain_text(re.compile(r"525|532"))
    expect(page.locator('#chat [data-testid="user"]')).to_contain_text(LIQUIDITY_QUESTION)


def test_the_markdown_export_holds_the_question_answer_sources_and_tool_inputs(open_page):
    page = open_page()
    ask(page, LIQUIDITY_QUESTION)
    page.locator("#export-md").click()
    link = page.locator('a[download$=".md"]')
    link.wait_for()
    text = page.request.get(link.get_attribute("href")).text()
    assert f"## 1. {LIQUIDITY_QUESTION}" in text and re.search(r"525|532", text)
    assert "Sources:\n- [1] 指增 ETF 产品解析" in text
    assert "**liquidity_shock** · **Arguments**" in text and "`fund_size` = `\"15亿\"`" in text
    assert "| code | name |" in text and not TAG.search(text)


def test_errors_are_shown_as_errors_without_server_internals(open_page):
    from playwright.sync_api import expect

    page = open_page()
    ask(page, "基金 123456 的费率是多少？")
    error = page.locator("#chat .answer.error")
    expect(error).to_contain_text("⚠ Could not answer")
    expect(error).to_contain_text("123456")
    assert error.evaluate("e => getComputedStyle(e).borderLeftStyle") == "solid"  # set apart from an answer
    shot(page, "27-chat-desktop-light-error")

    ask(page, "这些ETF有多少只？" * 300)
    expect(page.locator("#chat .answer.error").last).to_contain_text("the limit is 2,000")
    shown = page.locator("#tab-chat").inner_text()
    assert "ask --file" not in shown and str(ROOT) not in shown and "/tmp" not in shown and "jsonl" not in shown
