"""The persistent vector index: a Chroma collection of chunk embeddings, synced incrementally by content hash.

Embedded (`PersistentClient` under `index/`) by default; a Chroma server when CHROMA_HOST is set — the same code
path. An unreadable embedded index is moved aside and rebuilt rather than crashing the app.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import chromadb
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from pydantic import BaseModel

from assistant.corpus.chunking import Chunk
from assistant.search.aside import move_aside
from assistant.search.embeddings import Embedder
from assistant.settings import Settings

log = logging.getLogger(__name__)
BATCH = 16  # chunks per embedding call: progress every ~4 s on 2 cores
Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)


class SyncReport(BaseModel):
    """What an index refresh did."""

    added: int
    removed: int
    unchanged: int
    seconds: float
    rebuilt_from_scratch: bool = False
    note: str | None = None


class VectorIndex:
    """Chunk vectors in Chroma (cosine space), keyed by chunk content hash."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.note: str | None = None
        self.client = self._client()
        self.collection = self._collection()

    def _client(self) -> chromadb.ClientAPI:
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_host:
            return chromadb.HttpClient(host=self.settings.chroma_host, port=self.settings.chroma_port,
                                       settings=chroma_settings)
        path = self.settings.index_dir
        if not path.exists():
            _forget_cached_system(path)
        try:
            client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            client.list_collections()
            return client
        except Exception as exc:  # any failure to open means the on-disk index is unusable
            return self._replace_local(exc)

    def _replace_local(self, exc: Exception) -> chromadb.ClientAPI:
        """Move the unusable local index aside (kept for inspection) and open an empty one in its place."""
        path = self.settings.index_dir
        _forget_cached_system(path)
        aside = move_aside(path)
        _forget_cached_system(path)
        self.note = f"The index at {path} was unreadable ({type(exc).__name__}); moved to {aside} and rebuilt."
        log.warning(self.note)
        return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))

    def start_over(self, exc: Exception) -> None:
        """After a read failed on an index that opened: move a local index aside and start an empty one."""
        if self.settings.chroma_host:
            raise exc  # a Chroma server's store is not ours to move; the caller searches on keywords
        self.client = self._replace_local(exc)
        self.collection = self._collection()

    def _collection(self) -> chromadb.Collection:
        name = self.settings.collection
        options = {"configuration": {"hnsw": {"space": "cosine"}}, "metadata": {"embedding_model": self.embedder.name},
                   "embedding_function": None}
        collection = self.client.get_or_create_collection(name, **options)
        if (collection.metadata or {}).get("embedding_model") != self.embedder.name:  # vectors of another model
            self.client.delete_collection(name)
            collection = self.client.create_collection(name, **options)
        return collection

    def sync(self, chunks: list[Chunk], progress: Progress | None = None) -> SyncReport:
        """Make the collection hold exactly these chunks, embedding only the new ones (`progress(done, total)` after
        each batch)."""
        start = time.perf_counter()
        existing = set(self.collection.get(include=[])["ids"])
        wanted = {c.id: c for c in chunks}
        stale = sorted(existing - wanted.keys())
        fresh = [c for cid, c in wanted.items() if cid not in existing]
        for i in range(0, len(stale), 5000):
            self.collection.delete(ids=stale[i : i + 5000])
        for i in range(0, len(fresh), BATCH):
            batch = fresh[i : i + BATCH]
            vectors = self.embedder.encode_documents([c.search_text() for c in batch])
            self.collection.add(ids=[c.id for c in batch], embeddings=vectors.tolist(),
                                documents=[c.text for c in batch], metadatas=[_metadata(c) for c in batch])
            if progress:
                progress(i + len(batch), len(fresh))
        if stale or fresh:
            self.collection.modify(metadata={"embedding_model": self.embedder.name,
                                             "built_at": datetime.now(UTC).isoformat(timespec="seconds")})
        return SyncReport(added=len(fresh), removed=len(stale), unchanged=len(existing & wanted.keys()),
                          seconds=round(time.perf_counter() - start, 2), rebuilt_from_scratch=not existing,
                          note=" ".join(n for n in (self.note, self.embedder.note) if n) or None)

    def query(self, text: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks."""
        count = self.collection.count()
        if not count:
            return []
        result = self.collection.query(query_embeddings=[self.embedder.encode_query(text).tolist()],
                                       n_results=min(k, count), include=["distances"])
        return [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]

    def status(self) -> dict[str, object]:
        meta = self.collection.metadata or {}
        where = (f"chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"
                 if self.settings.chroma_host else str(self.settings.index_dir))
        return {"backend": where, "chunks": self.collection.count(), "embedding_model": meta.get("embedding_model"),
                "built_at": meta.get("built_at")}


def _forget_cached_system(path: Path) -> None:
    """Chroma keeps one open system per index path in a process; a moved or deleted index must not reuse it."""
    for identifier, system in list(SharedSystemClient._identifier_to_system.items()):
        if system.settings.persist_directory == str(path):
            SharedSystemClient._identifier_to_system.pop(identifier, None)
            SharedSystemClient._identifier_to_refcount.pop(identifier, None)


def _metadata(chunk: Chunk) -> dict[str, str | int]:
    meta: dict[str, str | int] = {"report_id": chunk.report_id, "title": chunk.title, "section": chunk.section,
                                  "pages": chunk.pages, "kind": chunk.kind, "seq": chunk.seq}
    if chunk.page is not None:
        meta["page"] = chunk.page
    return meta
