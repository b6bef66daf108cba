"""The corpus and settings tabs: what is indexed, which brain and embedding model answer, and report uploads.

Settings are shown rather than hidden so that a user knows whether an answer came from an LLM or from quoting,
and whether search runs on embeddings or has fallen back to keywords.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import gradio as gr
import pandas as pd

from assistant.corpus.ingest import MAX_BYTES, SUFFIXES, IngestError, add_report, user_reports_dir
from assistant.service import Assistant

_UPLOADS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="upload")  # embedding outlives the request
DEFAULT_MODEL = "EmbeddingGemma-300M"  # what an empty EMBEDDING_MODEL loads: the verified copy in the cache
SECRET_QUERY = re.compile(r"(?i)([?&](?:api[-_]?key|key|token|access_token|password|secret)=)[^&#]*")


def redacted(url: str) -> str:
    """A URL without its credentials (user:pass@, ?api-key=…): what a settings page may show."""
    parts = urlsplit(url)
    if parts.password or parts.username:
        parts = parts._replace(netloc=f"***@{parts.hostname}" + (f":{parts.port}" if parts.port else ""))
    return SECRET_QUERY.sub(r"\1***", urlunsplit(parts))


def brain(assistant: Assistant) -> str:
    settings = assistant.retriever.settings
    if settings.llm == "offline":
        return "offline — the built-in rule brain picks the tools and quotes the reports (no LLM)"
    where = settings.llm_base_url or (settings.ollama_base_url if settings.llm == "ollama" else "provider default")
    where = redacted(where)
    return (f"{settings.llm} — model {settings.llm_model or '(provider default)'} at {where}; "
            "the offline brain answers if it fails")


def embedding_model(assistant: Assistant) -> str:
    """The model as a user knows it, with a short fingerprint of its weights, rather than its cache folder."""
    embedder = assistant.retriever.embedder
    if embedder is None:
        return "none — keyword-only search"
    configured = assistant.retriever.settings.embedding_model
    name = (Path(configured).expanduser().name if configured and Path(configured).expanduser().exists()
            else configured or DEFAULT_MODEL)
    fingerprint = embedder.name.removeprefix("sha256:")
    return f"{name} (weights sha256 {fingerprint[:12]}…)" if fingerprint != embedder.name else name


def warnings_markdown(assistant: Assistant) -> str:
    """A banner when search has degraded to keywords (or anything else the retriever warns about); else ''."""
    retriever = assistant.retriever
    warnings = list(retriever.warnings)
    if retriever.mode == "keyword" and not warnings:
        warnings.append("No embedding model: search uses keywords only, so paraphrased questions may miss passages.")
    return "\n".join(f"⚠ {w}" for w in warnings)


def status_line(assistant: Assistant) -> str:
    retriever = assistant.retriever
    model = embedding_model(assistant).split(" (")[0] if retriever.embedder else "keyword-only"
    return (f"**Brain** {assistant.retriever.settings.llm} · **Search** {retriever.mode} ({model}) · "
            f"**Index** {len(retriever.reports)} reports, {len(retriever.chunks)} chunks")


def uploaded(assistant: Assistant) -> set[str]:
    """Ids of the reports a user added (the others ship with the app)."""
    uploads = user_reports_dir(assistant.retriever)
    return {r.id for r in assistant.retriever.reports if (uploads / f"{r.id}.md").exists()}


def reports_frame(assistant: Assistant) -> pd.DataFrame:
    retriever = assistant.retriever
    counts = Counter(chunk.report_id for chunk in retriever.chunks)
    added = uploaded(assistant)
    return pd.DataFrame([
        {"Title": r.title, "Publisher": r.publisher, "Date": r.date, "Language": r.language, "Chunks": counts[r.id],
         "Origin": "uploaded" if r.id in added else "built-in", "ID": r.id}
        for r in retriever.reports
    ])


def index_place(assistant: Assistant) -> str:
    """Where the vectors live, in a user's terms: the server's folders and addresses are not theirs to know."""
    return "a Chroma server" if assistant.retriever.settings.chroma_host else "on this server (embedded Chroma)"


def index_markdown(assistant: Assistant) -> str:
    r = assistant.retriever
    lines = [f"- **Reports** {len(r.reports)} · **Chunks** {len(r.chunks)} · **Search** {r.mode}"]
    if r.vectors:
        status = r.vectors.status()
        lines += [f"- **Vector index** {status['chunks']} chunks, {index_place(assistant)}",
                  f"- **Embedding model** {embedding_model(assistant)}",
                  f"- **Last build** {status['built_at'] or 'unknown'}"]
    else:
        lines.append("- **Vector index** not used (no embedding model)")
    return "\n".join(lines)


def settings_markdown(assistant: Assistant) -> str:
    """What answers and who may use the app; no server folders or addresses, which a user can neither see nor use."""
    s = assistant.retriever.settings
    added = len(uploaded(assistant))
    rows = [
        ("Brain (who writes answers)", brain(assistant)),
        ("Embedding model", embedding_model(assistant)),
        ("Search mode", assistant.retriever.mode),
        ("Warnings", warnings_markdown(assistant).replace("\n", "<br>") or "none"),
        ("Reports", f"{len(assistant.retriever.reports) - added} built-in, {added} uploaded (Corpus tab)"),
        ("Index", index_place(assistant)),
        ("Remote access", "allowed (ALLOW_REMOTE)" if s.allow_remote else "localhost only"),
        ("Basic auth", "on" if s.auth_user and s.auth_password else "off"),
    ]
    table = "\n".join(f"| {name} | {value} |" for name, value in rows)
    return ("| Setting | Value |\n|---|---|\n" + table +
            "\n\nChange them with environment variables or a `.env` file (LLM, LLM_MODEL, LLM_BASE_URL, "
            "EMBEDDING_MODEL, DATA_DIR, AUTH_USER, AUTH_PASSWORD, ALLOW_REMOTE …) and restart.")


def upload(assistant: Assistant, file: str | None, title: str, publisher: str, date: str) -> Iterator[tuple[Any, ...]]:
    """Ingest an uploaded report in the background, showing the embedding's progress; the last message says what was
    indexed or why the file was refused. Chat answers keep coming meanwhile, and leaving the page does not stop it."""
    if not file:
        yield "⚠ Choose a file first.", *corpus_view(assistant)
        return
    progress = {"done": 0, "total": 0}
    # Gradio keeps the original file name, so messages name the file the user chose
    job = _UPLOADS.submit(add_report, assistant.retriever, Path(file), title, publisher, date,
                          lambda done, total: progress.update(done=done, total=total))
    while wait([job], timeout=1.0).not_done:
        done, total = progress["done"], progress["total"]
        step = f"embedding chunk {done:,} of {total:,}" if total else "reading and chunking"
        yield f"⏳ Adding **{Path(file).name}**: {step}. Questions are answered meanwhile.", *corpus_view(assistant)
    try:
        added = job.result()
    except IngestError as exc:
        message = f"⚠ **Not added** — {exc}. Nothing already indexed has changed."
    else:
        sync = added.sync
        embedded = f", {sync.added} embedded in {sync.seconds:.1f}s" if sync else " (keyword index only)"
        message = f"✓ Added **{added.report.title}** (`{added.report.id}`): {added.chunks} chunk(s){embedded}."
    yield message, *corpus_view(assistant)



def corpus_view(assistant: Assistant) -> tuple[pd.DataFrame, str, str]:
    """The reports table, index status and header line as they are now (any session's upload changes them)."""
    return reports_frame(assistant), index_markdown(assistant), status_line(assistant)


def build_corpus_tab(assistant: Assistant, header_status: gr.Markdown) -> list[Any]:
    """The corpus tab; returns the components `corpus_view` fills, so the app can refresh them on each page load."""
    gr.Markdown("### Reports in the index")
    reports = gr.Dataframe(reports_frame(assistant), interactive=False, wrap=True, elem_id="reports")
    gr.Markdown("### Index status")
    index = gr.Markdown(index_markdown(assistant), elem_id="index-status")
    gr.Markdown(f"### Add a report\nMarkdown, text or PDF up to {MAX_BYTES // 1024 // 1024} MB. It is chunked and "
                "embedded on its own; the reports already indexed stay as they are. Markdown may start with YAML "
                "front matter (id, title, publisher, date).")
    with gr.Row():
        file = gr.File(label="Report file", file_types=list(SUFFIXES), type="filepath", elem_id="report-file")
        with gr.Column():
            title = gr.Textbox(label="Title (optional)", placeholder="from the front matter, first heading or name")
            publisher = gr.Textbox(label="Publisher (optional)")
            date = gr.Textbox(label="Date (optional)", placeholder="YYYY-MM-DD")
    add = gr.Button("Add to index", variant="primary", elem_id="add-report")
    message = gr.Markdown(elem_id="upload-message")
    view = [reports, index, header_status]
    add.click(partial(upload, assistant), [file, title, publisher, date], [message, *view],
              api_visibility="private")
    return view


def build_settings_tab(assistant: Assistant) -> None:
    gr.Markdown(settings_markdown(assistant), elem_id="settings")
