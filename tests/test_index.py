"""The vector index on the real model and real Chroma: incremental sync, recovery, server mode, fallback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import chromadb
import pytest

from assistant.corpus.chunking import chunk_corpus
from assistant.corpus.reports import Report
from assistant.search.embeddings import load_embedder
from assistant.search.index import VectorIndex
from assistant.search.model_fetch import ModelIntegrityError, verify_model_dir
from assistant.search.retrieval import Retriever
from assistant.settings import Settings
from tests.conftest import free_port

NEW_REPORT = Report(id="test_new", title="测试报告：沪深300增强基金的费率",
                    body="## 摘要\n\n沪深300增强基金的平均管理费率为0.8%。\n")


@pytest.fixture(scope="module")
def embedder(assistant):
    return assistant.retriever.embedder


def test_sync_is_incremental(temp_settings, retriever, embedder):
    index = VectorIndex(temp_settings, embedder)
    first = index.sync(retriever.chunks)
    assert first.added == len(retriever.chunks) and first.rebuilt_from_scratch
    again = index.sync(retriever.chunks)
    assert (again.added, again.removed, again.unchanged) == (0, 0, len(retriever.chunks))
    extra = chunk_corpus([NEW_REPORT])
    grown = index.sync(retriever.chunks + extra)
    assert (grown.added, grown.removed) == (len(extra), 0)
    shrunk = index.sync(retriever.chunks)
    assert (shrunk.added, shrunk.removed) == (0, len(extra))
    assert index.collection.count() == len(retriever.chunks)


def test_query_returns_cosine_similarities(temp_settings, retriever, embedder):
    index = VectorIndex(temp_settings, embedder)
    index.sync(retriever.chunks)
    hits = index.query("美国主动管理ETF的数量", 3)
    assert len(hits) == 3 and all(-1.0 <= sim <= 1.0 for _, sim in hits)
    assert hits[0][1] >= hits[-1][1]
    assert index.status()["chunks"] == len(retriever.chunks)


def test_corrupt_index_is_moved_aside_and_rebuilt(temp_settings, retriever, embedder):
    VectorIndex(temp_settings, embedder).sync(retriever.chunks)
    sqlite = temp_settings.index_dir / "chroma.sqlite3"
    sqlite.write_bytes(b"this is not a database" * 100)
    index = VectorIndex(temp_settings, embedder)
    assert index.note and "unreadable" in index.note
    aside = list(temp_settings.index_dir.parent.glob("index.broken-*"))
    assert len(aside) == 1 and (aside[0] / "chroma.sqlite3").read_bytes().startswith(b"this is not")
    report = index.sync(retriever.chunks)
    assert report.added == len(retriever.chunks) and report.note


def test_deleted_index_is_rebuilt_from_the_embedding_cache(temp_settings, retriever, embedder):
    VectorIndex(temp_settings, embedder).sync(retriever.chunks)
    shutil.rmtree(temp_settings.index_dir)
    start = time.perf_counter()
    report = VectorIndex(temp_settings, embedder).sync(retriever.chunks)
    assert report.added == len(retriever.chunks)
    assert time.perf_counter() - start < 30, "cached vectors should make a rebuild far faster than re-embedding"


def test_chroma_server_uses_the_same_code_path(tmp_path, retriever, embedder):
    chroma = Path(sys.executable).with_name("chroma")
    port = free_port()
    server = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "srv"), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(60):
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
                break
            except Exception:
                time.sleep(0.5)
        settings = Settings(chroma_host="127.0.0.1", chroma_port=port, collection="reports-server-test")
        index = VectorIndex(settings, embedder)
        assert index.sync(retriever.chunks).added == len(retriever.chunks)
        assert index.sync(retriever.chunks).added == 0
        assert "chroma server" in index.status()["backend"]
        assert index.query("DYNF 资金流入", 1)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_model_with_wrong_hash_is_refused(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(ModelIntegrityError, match="refusing to load"):
        verify_model_dir(tmp_path)
    with pytest.raises(ModelIntegrityError, match="missing"):
        verify_model_dir(tmp_path / "absent")


def test_missing_model_falls_back_to_keyword_search(tmp_path):
    settings = Settings(embedding_model=str(tmp_path / "no-such-model"), index_dir=tmp_path / "index")
    embedder, warning = load_embedder(settings)
    assert embedder is None and "keyword-only" in warning
    retriever = Retriever(settings)
    assert retriever.mode == "keyword" and retriever.warnings
    result = retriever.search("截至2024年底，美国市场共有多少只主动管理ETF？", mode="hybrid")
    assert result.mode == "keyword" and "1,696" in result.passages[0].chunk.text
    assert any("keyword" in w for w in result.warnings)
    assert not (tmp_path / "index").exists()


def test_cli_index_on_unchanged_corpus_embeds_nothing():
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "assistant", "index"], capture_output=True, text=True, env=env,
                         check=True).stdout
    assert "0 embedded, 0 removed" in out


def test_the_model_is_known_by_its_weights_not_its_path(tmp_path, retriever, embedder):
    """The same weights in another folder (a moved cache) find every chunk's vector already cached; the index records
    the weights' sha256, so it is not rebuilt either."""
    assert embedder.name.startswith("sha256:")
    moved = tmp_path / "moved-model"
    shutil.copytree(Settings().model_dir, moved, copy_function=os.link)  # hard links: the same bytes, a new path
    again, warning = load_embedder(Settings(embedding_model=str(moved)))
    assert warning is None and again.name == embedder.name
    again.model.encode = None  # any vector not found in the cache would now fail
    texts = [c.search_text() for c in retriever.chunks]
    assert again.encode_documents(texts).shape[0] == len(texts)
