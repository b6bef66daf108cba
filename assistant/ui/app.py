"""The web app: chat, analyst forms, corpus and settings, plus named API endpoints; `serve` runs it on localhost.

A thin adapter over `assistant.service.Assistant` and `tools`: it renders their events and results and adds nothing
to what an answer says. Binding beyond loopback must be asked for (ALLOW_REMOTE=1), since the app has no accounts.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.service import Assistant, Session
from assistant.settings import Settings, get_settings
from assistant.ui.analyst import build_analyst_tab
from assistant.ui.chat import CHAT_CSS, CHAT_JS, Chat, build_chat_tab
from assistant.ui.corpus import build_corpus_tab, build_settings_tab, corpus_view, status_line, warnings_markdown
from tools.registry import refuse_server_paths, run_tool, tool_specs
from tools.result import ToolInputError

log = logging.getLogger(__name__)

CONCURRENCY = 20  # events of one kind running at once: about 20 people asking at the same time
QUEUE_SIZE = 200  # waiting requests beyond which new ones are turned away rather than left hanging
API_SESSIONS = 1000  # follow-up sessions kept for API clients, oldest dropped first
CACHE_SWEEP = (3600, 86_400)  # hourly, drop Gradio's copies of uploads and downloads older than a day
TITLE = "基金研究助手 · Fund Research Assistant"
THEME = gr.themes.Soft(
    primary_hue="teal",
    neutral_hue="slate",
    font=["Inter", "system-ui", "-apple-system", "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC",
          "WenQuanYi Micro Hei", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
)
CSS = """
.gradio-container { max-width: 1180px !important; margin: 0 auto; }
#header h1 { margin-bottom: 0.1em; }
#header p { margin-top: 0; color: var(--body-text-color-subdued); }
#status { font-size: 0.9em; color: var(--body-text-color-subdued); }
#warnings { background: #fff7ed; color: #7c2d12; border: 1px solid #fdba74; border-radius: 8px; padding: 0.4em 0.8em; }
.dark #warnings { background: #431407; color: #ffedd5; border-color: #9a3412; }
.tool-intro { font-size: 0.92em; }
@media (max-width: 640px) {
  #header h1 { font-size: 1.35em; }
  #header p { display: none; }
  #status { font-size: 0.8em; }
}
/* Every tab fits the screen: with auto margins the container would take the width of its widest table. */
.gradio-container { width: 100% !important; }
/* Analyst: the inputs beside the results on a wide screen, above them on a phone. */
@media (max-width: 700px) {
  .analyst-form { flex-direction: column !important; }
  .analyst-form > .column { min-width: 0 !important; width: 100% !important; }
}
/* Table headers and setting names wrap between words, never inside one. */
.gradio-container th .wrap, #settings td:first-child {
  word-break: normal !important; overflow-wrap: normal !important; }
/* Charts: no Plotly toolbar over the title. */
.js-plotly-plot .modebar-container { display: none !important; }
"""


SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def refused(endpoint: str, message: str) -> gr.Error:
    """A refused API call: one log line (a bad argument is the caller's mistake, not a server fault worth a
    traceback) and the message for the caller."""
    log.warning("refused %s: %s", endpoint, message[:300])
    return gr.Error(message, print_exception=False)


def register_api(assistant: Assistant) -> None:
    """Named endpoints for programs (documented in the README); the UI's own events are private.

    They return JSON text rather than objects: gradio_client would take any dict with a "path" key (a tool source)
    for a file to download, and fail.
    """
    sessions: OrderedDict[str, Session] = OrderedDict()
    lock = threading.Lock()

    def ask(question: str, session_id: str = "") -> str:
        """Answer a question over the reports; pass the returned session_id again for follow-up questions.

        Returns JSON text: question, answer, status, citations, tool_calls, latency_ms and session_id.
        """
        if not isinstance(session_id, str) or (session_id and not SESSION_ID.fullmatch(session_id)):
            shown = repr(session_id)[:40]
            raise refused("ask", "session_id: must be the text /ask returned (1–64 letters, digits, - or _), "
                                 f"got {shown}")
        with lock:
            known = sessions.pop(session_id, None)
            session = known or (Session(id=session_id) if session_id else Session())
            sessions[session.id] = session
            while len(sessions) > API_SESSIONS:
                sessions.popitem(last=False)
        answer = assistant.ask(question, session)
        if session_id and known is None:  # expired, or from before a restart: say so rather than answer as if known
            answer.warnings.append(f"session {session_id} was not known here (expired or from before a restart); "
                                   "this question was answered without the earlier conversation")
        return _json({**answer.public_dict(), "session_id": session.id})

    def tool(name: str, args: dict[str, Any]) -> str:
        """Run one tool by name with keyword arguments (see /tools); returns its result with sources as JSON text."""
        try:
            if not isinstance(args, dict):
                raise ToolInputError("args", "must be a JSON object of argument names to values, e.g. {\"top\": 3}")
            refuse_server_paths(name, args)
            return run_tool(name, **args).model_dump_json()
        except ToolInputError as exc:
            raise refused(f"tool {str(name)[:40]!r}", str(exc)) from exc

    def tools() -> str:
        """The tools and their parameters (name, type, default, choices, description) as JSON text."""
        return _json([spec.as_dict() for spec in tool_specs()])

    gr.api(ask, api_name="ask")
    gr.api(tool, api_name="tool")
    gr.api(tools, api_name="tools")


def build_app(assistant: Assistant | None = None) -> gr.Blocks:
    """The whole app around one Assistant (created, with its model, when not given)."""
    assistant = assistant or Assistant.create()
    settings = assistant.retriever.settings
    warnings = warnings_markdown(assistant)
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=CACHE_SWEEP) as demo:  # no telemetry calls
        gr.Markdown(f"# {TITLE}\nAsk in Chinese or English about the fund research reports in the index: every "
                    "answer lists the passages it quotes, and every calculation its tool, inputs and data.",
                    elem_id="header")
        header_status = gr.Markdown(status_line(assistant), elem_id="status")
        gr.Markdown(warnings, elem_id="warnings", visible=bool(warnings))
        register_api(assistant)  # first, so the documented names are taken before any private handler's
        with gr.Tabs():
            with gr.Tab("Chat", elem_id="tab-chat"):
                build_chat_tab(Chat(assistant, settings.data_dir), demo)
            with gr.Tab("Analyst", elem_id="tab-analyst"):
                build_analyst_tab()
            with gr.Tab("Corpus", elem_id="tab-corpus"):
                corpus = build_corpus_tab(assistant, header_status)
            with gr.Tab("Settings", elem_id="tab-settings"):
                build_settings_tab(assistant)
        demo.load(lambda: corpus_view(assistant), None, corpus, api_visibility="private")
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return demo


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost may resolve anywhere
        return False


FAILED_LOGIN_DELAY = 1.0  # seconds per wrong login: 30 guesses take half a minute, not 0.3 s


def login_check(user: str, password: str) -> Callable[[str, str], bool]:
    """Basic-auth check in constant time, slowed down after a wrong guess so that passwords cannot be tried fast."""
    def check(given_user: str, given_password: str) -> bool:
        ok = hmac.compare_digest(str(given_user).encode(), user.encode()) & hmac.compare_digest(
            str(given_password).encode(), password.encode())
        if not ok:
            time.sleep(FAILED_LOGIN_DELAY)
        return ok

    return check


def launch(demo: gr.Blocks, host: str, port: int, settings: Settings | None = None, block: bool = True) -> str:
    """Start the server (basic auth when configured); returns its URL. `block=False` returns at once (tests)."""
    settings = settings or get_settings()
    auth = (login_check(settings.auth_user, settings.auth_password)
            if settings.auth_user and settings.auth_password else None)
    has_display = sys.platform in ("darwin", "win32") or any(map(os.environ.get, ("DISPLAY", "WAYLAND_DISPLAY")))
    _, url, _ = demo.launch(server_name=host, server_port=port, auth=auth, theme=THEME, css=CSS + CHAT_CSS,
                            js=CHAT_JS, ssr_mode=False, inbrowser=block and has_display,
                            prevent_thread_lock=not block, show_error=True, footer_links=["api", "settings"],
                            max_file_size="50mb")
    return url


def serve(host: str, port: int) -> int:
    """Run the app until interrupted; 2 when the host or auth settings are refused, 1 when the port is taken."""
    settings = get_settings()
    if not is_loopback(host) and not settings.allow_remote:
        print(f"serve: refusing to listen on {host}: the app would be reachable from other machines. "
              f"Use --host 127.0.0.1, or set ALLOW_REMOTE=1 (and AUTH_USER/AUTH_PASSWORD) to allow it.",
              file=sys.stderr)
        return 2
    if bool(settings.auth_user) != bool(settings.auth_password):
        print("serve: set both AUTH_USER and AUTH_PASSWORD for basic auth, or neither.", file=sys.stderr)
        return 2
    if not is_loopback(host) and not settings.auth_user and not settings.allow_remote_no_auth:
        print(f"serve: refusing to listen on {host} without a login: anyone on the network could use the app and "
              "its API. Set AUTH_USER and AUTH_PASSWORD, or ALLOW_REMOTE_NO_AUTH=1 if another layer authenticates.",
              file=sys.stderr)
        return 2
    demo = build_app(Assistant.create())
    try:
        launch(demo, host, port, settings)
    except OSError as exc:
        print(f"serve: cannot listen on {host}:{port} ({exc}); pick another --port.", file=sys.stderr)
        return 1
    return 0
