"""The chat tab: streamed answers, stop / regenerate / edit, conversations kept in the browser, feedback, exports.

Conversations live in the browser (gr.BrowserState), so a reload or another day reopens them; the server holds the
open page's `Library` in a gr.State and rebuilds the agent's follow-up context from the stored answers. Feedback and
exports are written under the data folder, where they can be reviewed offline.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.service import Assistant
from assistant.ui.conversation import EMPTY_STORE, Conversation, Library, Turn, now
from assistant.ui.render import Message

EXAMPLES = [
    "截至2024年底，美国市场共有多少只主动管理ETF？",
    "按资产规模排名前五的美国主动管理ETF发行商是哪些？",
    "一只15亿元的中证1000指增ETF用20个交易日建仓，会对多少只成分股造成超过5%的流动性冲击？",
    "Which US active ETFs had the largest inflows in 2024?",
    "Did the CSI 1000 enhanced ETFs beat the passive ETF since they listed?",
    "What is DFAC's fee and AUM?",
]
PLACEHOLDER = (
    "### Ask about the reports · 向报告提问\n"
    "Answers quote the reports and list their sources; calculations show the tool, its inputs and its data."
)
HINT = "Rate an answer with the thumbs under it to help fix bad ones. Conversations are kept in this browser only."
BUSY = "Still answering the previous question: press Stop to ask another."
NOTICE_SECONDS = 6  # notices time out: left on screen they cover chart titles on other tabs
STORAGE_KEY = "fund-assistant-conversations"
# The page receives the key to decrypt its own store, so it protects nothing from the page's user; a fixed one lets
# the conversations survive a restart of the server (a random one per start would make them unreadable).
STORE_SECRET = "fund-research-assistant-conversations-v1"
# Runs once in the page: citation markers open their source and scroll to its highlighted sentence, an answer's
# copy button copies its plain text, and each answer's aria-label is that text (Gradio would label an HTML message
# "a component of type html").
CHAT_JS = """
() => {
  document.addEventListener("click", (event) => {
    const cite = event.target.closest("a.cite");
    if (cite) {
      event.preventDefault();
      const source = document.getElementById(cite.getAttribute("href").slice(1));
      if (source) {
        source.open = true;
        (source.querySelector("mark") || source).scrollIntoView({block: "center"});
        source.querySelector("summary").focus({preventScroll: true});
      }
      return;
    }
    const copy = event.target.closest("button.copy-answer");
    if (copy) {
      navigator.clipboard.writeText(copy.closest(".answer").dataset.copy).then(() => {
        copy.textContent = "Copied";
        setTimeout(() => { copy.textContent = "Copy"; }, 1500);
      });
    }
  });
  const label = () => {
    for (const answer of document.querySelectorAll("#chat .answer[data-copy]")) {
      const message = answer.closest("[aria-label]");
      const text = "Assistant: " + answer.dataset.copy;
      if (message && message.getAttribute("aria-label") !== text) message.setAttribute("aria-label", text);
    }
  };
  new MutationObserver(label).observe(document.body, {childList: true, subtree: true, attributes: true,
                                                     attributeFilter: ["aria-label"]});
}
"""
COPY_CONVERSATION_JS = """
() => {
  const turns = [...document.querySelectorAll("#chat .answer[data-turn]")].map((answer) => answer.dataset.turn);
  if (turns.length) navigator.clipboard.writeText(turns.join("\\n\\n---\\n\\n"));
}
"""
CHAT_CSS = """
.hint { font-size: 0.85em; color: var(--body-text-color-subdued); }
#chat-bar { align-items: center; gap: 0.5em; }
#history.block { padding: 2px 8px; }
#history .container { display: flex; align-items: center; gap: 0.6em; }
#history [data-testid="block-info"] { margin: 0; white-space: nowrap; }
#history .wrap { flex: 1; }
#chat button.example { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 0.7em 0.9em;
  background: var(--background-fill-secondary); text-align: left; }
#chat button.example:hover { border-color: var(--color-accent); background: var(--color-accent-soft); }
#chat .message-content table { display: block; max-width: 100%; overflow-x: auto; }
#chat .message { max-width: 100%; overflow-wrap: anywhere; }
.answer { line-height: 1.6; }
.answer p { margin: 0 0 0.5em; }
.answer-status { font-weight: 600; }
.answer.error { border-left: 4px solid var(--error-border-color); background: var(--error-background-fill);
  padding: 0.5em 0.8em; border-radius: 0 6px 6px 0; }
.answer.error .answer-status { color: var(--error-text-color); }
.answer.not_found .answer-status, .answer.stopped .answer-status { color: var(--body-text-color-subdued); }
.answer-warnings { margin: 0.4em 0; padding-left: 1.2em; font-size: 0.92em; color: var(--body-text-color-subdued); }
a.cite { display: inline-block; padding: 0 0.25em; border-radius: 4px; font-size: 0.85em; font-weight: 600;
  text-decoration: none; color: var(--color-accent); background: var(--color-accent-soft); vertical-align: 0.1em; }
a.cite:hover, a.cite:focus-visible { text-decoration: underline; }
.sources { margin-top: 0.8em; padding-top: 0.5em; border-top: 1px solid var(--border-color-primary); }
.sources-title { font-size: 0.78em; font-weight: 600; letter-spacing: 0.06em; text-transform: uppercase;
  color: var(--body-text-color-subdued); margin-bottom: 0.2em; }
details.source { margin: 0.3em 0; scroll-margin: 1em; }
details.source summary { cursor: pointer; line-height: 1.5; }
.source-n { display: inline-block; min-width: 1.5em; padding: 0 0.3em; border-radius: 999px; text-align: center;
  font-size: 0.8em; font-weight: 700; background: var(--color-accent-soft); color: var(--color-accent); }
.source-where { color: var(--body-text-color-subdued); font-size: 0.9em; }
.passage { margin: 0.4em 0 0.6em 1.8em; padding: 0.5em 0.8em; border-left: 3px solid var(--color-accent);
  background: var(--background-fill-secondary); border-radius: 0 6px 6px 0; font-size: 0.92em; line-height: 1.6; }
.passage mark { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 2px; }
.dark .passage mark { background: #713f12; color: #fef3c7; }
.answer-actions { display: flex; justify-content: flex-end; margin-top: 0.3em; }
button.copy-answer { font-size: 0.8em; padding: 0.1em 0.7em; border: 1px solid var(--border-color-primary);
  border-radius: 6px; background: var(--background-fill-primary); color: var(--body-text-color-subdued); }
button.copy-answer:hover { color: var(--body-text-color); border-color: var(--color-accent); }
@media (max-width: 640px) {
  #chat { height: calc(100dvh - 450px) !important; min-height: 260px !important; }
  #history [data-testid="block-info"] { display: none; }
  .passage { margin-left: 0; }
}
"""
_write_lock = threading.Lock()
Screen = tuple[Any, ...]  # updates of (question, chatbot, store, history, ask, stop, exported)


def append_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Append records as JSON lines; one lock so concurrent sessions never interleave a line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)
    with _write_lock, path.open("a", encoding="utf-8") as handle:
        handle.write(lines)


def message_text(message: Message) -> str:
    """The text of a chat message, whether its content is a string or Gradio's normalised list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else [content]
    return "\n".join(p["text"] for p in parts if isinstance(p, dict) and p.get("type") == "text")


def screen(library: Library, question: Any = None, stored: bool = False, busy: bool = False,
           exported: Any = None) -> Screen:
    """The chat tab's outputs for the library's current conversation; `stored` also saves it in the browser and
    refreshes the list of conversations (left unchanged while an answer streams)."""
    current = library.current
    history = gr.skip()
    store = library.store() if stored else gr.skip()
    if stored:
        listed = library.find(current.id) is not None
        history = gr.Dropdown(choices=library.choices(), value=current.id if listed else None)
    return (gr.skip() if question is None else question, current.messages, store, history,
            gr.Button(visible=not busy), gr.Button(visible=busy), gr.skip() if exported is None else exported)


class Chat:
    """Chat handlers bound to one Assistant and data folder; each browser's Library comes in as gr.State."""

    def __init__(self, assistant: Assistant, data_dir: Path) -> None:
        self.assistant = assistant
        self.data_dir = data_dir

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @staticmethod
    def restore(stored: Any) -> tuple[Library, list[Message], Any]:
        """On page load: the browser's conversations, with the one that was open on screen."""
        library = Library.load(stored)
        listed = library.find(library.current.id) is not None
        return (library, library.current.messages,
                gr.Dropdown(choices=library.choices(), value=library.current.id if listed else None))

    def send(self, question: str, library: Library) -> Iterator[Screen]:
        """A question from the box: answered unless it is empty or another answer is still streaming."""
        if not question.strip():
            yield screen(library)
            return
        if library.busy:
            gr.Warning(BUSY, duration=NOTICE_SECONDS)
            yield screen(library, busy=True)
            return
        yield from self._answer(question, library, from_box=True)

    def regenerate(self, library: Library, retry: gr.RetryData) -> Iterator[Screen]:
        """The retry button under the last answer: ask its question again."""
        if library.busy or not library.current.turns:
            yield screen(library, busy=library.busy)
            return
        yield from self._answer(library.current.turns.pop().question, library, from_box=False)

    def edit(self, library: Library, edit: gr.EditData) -> Iterator[Screen]:
        """An edited question: the conversation from that question on is asked again with the new words."""
        question = edit.value if isinstance(edit.value, str) else message_text({"content": edit.value})
        if library.busy or not question.strip():
            yield screen(library, busy=library.busy)
            return
        index = edit.index if isinstance(edit.index, int) else edit.index[0]
        del library.current.turns[library.current.turn_at(index):]
        yield from self._answer(question, library, from_box=False)

    def _answer(self, question: str, library: Library, from_box: bool) -> Iterator[Screen]:
        """Stream one answer into the current conversation, then keep the conversation in the browser."""
        conversation = library.current
        session = conversation.session()
        turn = Turn(question=question)
        conversation.turns.append(turn)
        library.busy = True
        try:
            yield screen(library, question="" if from_box else None, busy=True)
            for event in self.assistant.stream(question, session):
                if turn.stopped:  # Stop was pressed while this step ran: what it found comes too late
                    return
                turn.add(event)
                yield screen(library, busy=True)
        finally:
            library.busy = False
        library.touch()
        yield screen(library, stored=True)

    def stop(self, library: Library) -> Screen:
        """The Stop button: the streaming answer is cancelled and kept as stopped; the question can be asked anew."""
        self._halt(library)
        return screen(library, stored=True)

    @staticmethod
    def _halt(library: Library) -> None:
        turns = library.current.turns
        if library.busy and turns and turns[-1].answer is None:
            turns[-1].stop()
            library.touch()
        library.busy = False

    def new_conversation(self, library: Library) -> Screen:
        """A fresh conversation (the last one stays in the list); an answer still streaming is stopped first."""
        self._halt(library)
        library.open(Conversation())
        return screen(library, stored=True, exported=gr.File(value=None, visible=False))

    def reopen(self, conversation_id: str, library: Library) -> Screen:
        """A conversation picked from the list, as it was left; follow-up questions continue it."""
        self._halt(library)
        found = library.find(conversation_id)
        if found is not None:
            library.open(found)
        return screen(library, stored=True, exported=gr.File(value=None, visible=False))

    def feedback(self, library: Library, like: gr.LikeData) -> None:
        """Record a like/dislike with the question and the answer it is about, so bad answers can be found and fixed.

        The chat groups an exchange's messages (steps, answer, charts) under one pair of thumbs, whose index is the
        group's first message.
        """
        conversation = library.current
        index = like.index if isinstance(like.index, int) else like.index[0]
        turn = conversation.turns[conversation.turn_at(index)]
        answer = turn.answer
        record = {"time": now(), "session": conversation.id, "liked": like.liked, "index": index,
                  "question": turn.question, "answer": answer.answer if answer else "",
                  "status": answer.status if answer else "stopped",
                  "steps": [step["metadata"]["title"] for step in turn.view.steps.values()]}
        append_jsonl(self.feedback_path, [record])
        gr.Info("Thanks, your feedback was saved.", duration=NOTICE_SECONDS)

    def _export_path(self, conversation: Conversation, suffix: str) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return self.data_dir / "exports" / f"conversation-{conversation.id[:12]}-{stamp}{suffix}"

    def export_markdown(self, library: Library) -> Any:
        """The conversation as Markdown: questions, answers with their sources, each tool's inputs and results."""
        conversation = library.current
        if not conversation.turns:
            gr.Info("Nothing to export yet: ask a question first.", duration=NOTICE_SECONDS)
            return gr.File(visible=False)
        path = self._export_path(conversation, ".md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(conversation.markdown(), encoding="utf-8")
        return gr.File(value=str(path), visible=True)

    def export_jsonl(self, library: Library) -> Any:
        """The conversation's answers (with citations and tool calls) as JSON lines."""
        conversation = library.current
        records = conversation.records()
        if not records:
            gr.Info("Nothing to export yet: ask a question first.", duration=NOTICE_SECONDS)
            return gr.File(visible=False)
        path = self._export_path(conversation, ".jsonl")
        append_jsonl(path, records)
        return gr.File(value=str(path), visible=True)


def _pick_example(example: gr.SelectData) -> str:
    return example.value["text"]


def build_chat_tab(chat: Chat, demo: gr.Blocks) -> None:
    """The chat UI inside the current Blocks context; `demo.load` restores the browser's conversations."""
    library = gr.State(Library())  # copied for each browser session, filled from the browser's store on load
    store = gr.BrowserState(EMPTY_STORE, storage_key=STORAGE_KEY, secret=STORE_SECRET)
    with gr.Row(elem_id="chat-bar", equal_height=True):
        new = gr.Button("＋ New conversation", size="sm", scale=0, min_width=150, elem_id="new-conversation")
        history = gr.Dropdown(choices=[], value=None, label="Past conversations", scale=1, min_width=180,
                              elem_id="history", interactive=True)
        export_md = gr.Button("Export Markdown", size="sm", scale=0, min_width=140, elem_id="export-md")
        export_jsonl = gr.Button("Export JSON lines", size="sm", scale=0, min_width=140, elem_id="export")
    copy_all = gr.Button("Copy conversation", size="sm", elem_id="copy-conversation")
    chatbot = gr.Chatbot(
        elem_id="chat",
        label="Conversation",
        show_label=False,
        height="calc(100dvh - 400px)",
        min_height=300,
        placeholder=PLACEHOLDER,
        examples=[{"text": q} for q in EXAMPLES],
        buttons=["copy", copy_all],
        layout="bubble",
        editable="user",
    )
    with gr.Row(equal_height=True, elem_id="ask-row"):
        question = gr.Textbox(
            elem_id="question",
            show_label=False,
            placeholder="Ask about the reports · 输入问题",
            scale=8,
            autofocus=True,
            submit_btn=False,
        )
        ask = gr.Button("Ask", variant="primary", scale=0, min_width=90, elem_id="ask")
        stop = gr.Button("Stop", variant="stop", scale=0, min_width=90, elem_id="stop", visible=False)
    gr.Markdown(HINT, elem_classes="hint")
    exported = gr.File(label="Conversation export", visible=False, interactive=False)

    outputs = [question, chatbot, store, history, ask, stop, exported]
    private = {"api_visibility": "private"}
    answering = [
        question.submit(chat.send, [question, library], outputs, **private),
        ask.click(chat.send, [question, library], outputs, **private),
        chatbot.example_select(_pick_example, None, question, **private).then(chat.send, [question, library],
                                                                             outputs, **private),
        chatbot.retry(chat.regenerate, library, outputs, **private),
        chatbot.edit(chat.edit, library, outputs, **private),
    ]
    stopping = {"inputs": library, "outputs": outputs, "cancels": answering, **private}
    stop.click(chat.stop, **stopping)
    new.click(chat.new_conversation, **stopping)
    chatbot.clear(chat.new_conversation, **stopping)
    history.input(chat.reopen, [history, library], outputs, cancels=answering, **private)
    chatbot.like(chat.feedback, library, None, **private)
    export_md.click(chat.export_markdown, library, exported, **private)
    export_jsonl.click(chat.export_jsonl, library, exported, **private)
    copy_all.click(None, None, None, js=COPY_CONVERSATION_JS, **private)
    demo.load(chat.restore, store, [library, chatbot, history], **private)
