"""The chat tab: streamed answers with tool calls and sources, feedback and conversation export.

Each browser session holds its own `Session` in a gr.State, so follow-up questions see only their own conversation;
feedback and exports are appended as JSON lines under the data folder, where they can be reviewed offline.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.service import Assistant, Session
from assistant.ui.render import ChatTurn, Message

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
_write_lock = threading.Lock()


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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Chat:
    """Chat handlers bound to one Assistant and data folder; the conversation state comes in and goes out."""

    def __init__(self, assistant: Assistant, data_dir: Path) -> None:
        self.assistant = assistant
        self.data_dir = data_dir

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    def respond(
        self, question: str, history: list[Message] | None, session: Session | None
    ) -> Iterator[tuple[str, list[Message], Session]]:
        """Stream the answer into the chat: the question at once, then every event re-rendered as it arrives."""
        session = session or Session()
        history = list(history or [])
        if not question.strip():
            yield question, history, session
            return
        history.append({"role": "user", "content": question})
        yield "", history, session
        turn = ChatTurn()
        for event in self.assistant.stream(question, session):
            turn.apply(event)
            yield "", history + turn.messages, session

    def feedback(self, history: list[Message], session: Session | None, like: gr.LikeData) -> None:
        """Record a like/dislike with the question and the answer it is about, so bad answers can be found and fixed.

        The chat groups an answer's messages (tool calls, charts, text) under one pair of thumbs, whose index is the
        group's first message; the answer is the group's last plain message.
        """
        index = like.index if isinstance(like.index, int) else like.index[0]
        question = next((message_text(m) for m in reversed(history[:index]) if m.get("role") == "user"), "")
        group = []
        for message in history[index:]:
            if message.get("role") == "user":
                break
            group.append(message)
        answer = next((message_text(m) for m in reversed(group) if not m.get("metadata")), "")
        tools = [m["metadata"]["title"] for m in group if m.get("metadata") and m["metadata"].get("title")]
        record = {"time": _now(), "session": session.id if session else None, "liked": like.liked, "index": index,
                  "question": question, "answer": answer, "steps": tools}
        append_jsonl(self.feedback_path, [record])
        gr.Info("Thanks, your feedback was saved.")

    def export(self, session: Session | None) -> Any:
        """Write the conversation's answers (with citations and tool calls) as JSON lines and offer the file."""
        if session is None or not session.history:
            gr.Info("Nothing to export yet: ask a question first.")
            return gr.File(visible=False)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = self.data_dir / "exports" / f"conversation-{session.id[:12]}-{stamp}.jsonl"
        append_jsonl(path, ({"session": session.id, **a.public_dict()} for a in session.history))
        return gr.File(value=str(path), visible=True)

    @staticmethod
    def new_conversation() -> tuple[list[Message], Session, Any]:
        return [], Session(), gr.File(value=None, visible=False)


def _pick_example(example: gr.SelectData) -> str:
    return example.value["text"]


def build_chat_tab(chat: Chat) -> None:
    """The chat UI inside the current Blocks context."""
    session = gr.State(None)  # per browser session; the first question creates its Session
    chatbot = gr.Chatbot(
        elem_id="chat",
        label="Conversation",
        show_label=False,
        height="62vh",
        min_height=420,
        placeholder=PLACEHOLDER,
        examples=[{"text": q} for q in EXAMPLES],
        buttons=["copy", "copy_all"],
        layout="bubble",
    )
    with gr.Row(equal_height=True):
        question = gr.Textbox(
            elem_id="question",
            show_label=False,
            placeholder="Ask a question · 输入问题，例如：主动管理ETF的资金流入有多少？",
            scale=8,
            autofocus=True,
            submit_btn=False,
        )
        send = gr.Button("Ask", variant="primary", scale=1, min_width=90, elem_id="ask")
    with gr.Row():
        new = gr.Button("New conversation", size="sm", elem_id="new-conversation")
        export = gr.Button("Export conversation (JSON lines)", size="sm", elem_id="export")
        gr.Markdown(f"Thumbs up or down under an answer are saved to `{chat.feedback_path}`.", elem_classes="hint")
    exported = gr.File(label="Conversation export", visible=False, interactive=False)

    streaming = {"fn": chat.respond, "inputs": [question, chatbot, session], "outputs": [question, chatbot, session],
                 "api_visibility": "private"}
    question.submit(**streaming)
    send.click(**streaming)
    chatbot.example_select(_pick_example, None, question, api_visibility="private").then(**streaming)
    chatbot.like(chat.feedback, [chatbot, session], None, api_visibility="private")
    new.click(chat.new_conversation, None, [chatbot, session, exported], api_visibility="private")
    chatbot.clear(chat.new_conversation, None, [chatbot, session, exported], api_visibility="private")
    export.click(chat.export, session, exported, api_visibility="private")
