"""Sentence-transformers embeddings with a content-hash cache, because embedding runs at about 1 chunk/s on CPU."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from pathlib import Path

import numpy as np

from assistant.chunk_wheels import memoised_sha256, read_memo
from assistant.search.aside import move_aside
from assistant.search.model_fetch import ModelIntegrityError, verify_model_dir
from assistant.settings import Settings

log = logging.getLogger(__name__)
RECENT_QUERIES = 64


class Embedder:
    """Encodes queries and documents with the model's own prompts; caches document vectors by text hash."""

    def __init__(self, model_ref: str, cache_path: Path, local_only: bool, identity: str | None = None) -> None:
        """`identity` names the weights in the cache and the index (default: `model_ref`)."""
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, os.cpu_count() or 1))
        self.name = identity or model_ref
        self.model = SentenceTransformer(model_ref, device="cpu", local_files_only=local_only)
        self.prompts = self.model.prompts or {}
        self._recent: dict[str, np.ndarray] = {}
        self.note: str | None = None
        self._path = cache_path
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = _open_cache(cache_path)
        except sqlite3.DatabaseError as exc:  # random bytes, a folder, a half-written file: the cache is only a cache
            self._start_over(exc)
        if self.name != model_ref:  # vectors cached under the model's path before it was known by its weights
            self._db.execute("UPDATE OR IGNORE vectors SET model = ? WHERE model = ?", (self.name, model_ref))
            self._db.commit()

    def _start_over(self, exc: Exception) -> None:
        """Move an unreadable cache aside and start an empty one: at start, or when it breaks while serving."""
        aside = move_aside(self._path)
        self.note = (f"The embedding cache {self._path.name} was unreadable ({type(exc).__name__}); moved to "
                     f"{aside.name} and rebuilt.")
        log.warning(self.note)
        self._db = _open_cache(self._path)

    def _prompt(self, kind: str) -> str | None:
        return kind if kind in self.prompts else None

    def encode_query(self, text: str) -> np.ndarray:
        """A query vector; the last few are kept, because routing and search embed the same question."""
        if (hit := self._recent.get(text)) is not None:
            return hit
        vector = self.model.encode([text], prompt_name=self._prompt("query"), normalize_embeddings=True)[0]
        self._recent[text] = vector
        while len(self._recent) > RECENT_QUERIES:
            self._recent.pop(next(iter(self._recent)))
        return vector

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors for many query-like texts (the router's example questions), cached by content hash."""
        return self._encode(texts, "query")

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        """Vectors for documents, computing only those whose text hash is not cached yet."""
        return self._encode(texts, "document")

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        salt = "" if kind == "document" else f"{kind}\n"  # document hashes stay as they were: no re-embedding
        hashes = [hashlib.sha256((salt + t).encode()).hexdigest() for t in texts]
        cached = self._cached(hashes)
        missing = [i for i, h in enumerate(hashes) if h not in cached]
        if missing:
            vectors = self.model.encode([texts[i] for i in missing], prompt_name=self._prompt(kind),
                                        normalize_embeddings=True, batch_size=16)
            pairs = list(zip(missing, vectors, strict=True))
            rows = [(self.name, hashes[i], v.astype(np.float32).tobytes()) for i, v in pairs]
            try:
                self._store(rows)
            except sqlite3.DatabaseError as exc:
                self._start_over(exc)
                self._store(rows)
            cached.update({hashes[i]: v.astype(np.float32) for i, v in pairs})
        return np.stack([cached[h] for h in hashes]) if texts else np.zeros((0, 0), dtype=np.float32)

    def _store(self, rows: list[tuple[str, str, bytes]]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
        self._db.commit()

    def _cached(self, hashes: list[str]) -> dict[str, np.ndarray]:
        """The cached vectors among `hashes`; none (and a fresh cache) when the file broke under the running app."""
        try:
            return self._lookup(hashes)
        except sqlite3.DatabaseError as exc:
            self._start_over(exc)
            return {}

    def _lookup(self, hashes: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            batch = hashes[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(f"SELECT hash, vec FROM vectors WHERE model = ? AND hash IN ({marks})",
                                    [self.name, *batch])
            found.update({h: np.frombuffer(v, dtype=np.float32) for h, v in rows})
        return found


def _open_cache(path: Path) -> sqlite3.Connection:
    """The vector cache, checked by a read: sqlite opens a corrupt file lazily and fails only at the first query."""
    db = sqlite3.connect(path, check_same_thread=False)
    db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vec BLOB, PRIMARY KEY (model, hash))")
    db.execute("SELECT count(*) FROM (SELECT 1 FROM vectors LIMIT 1)").fetchone()
    return db


def model_identity(folder: Path, cache_dir: Path) -> str:
    """The sha256 of the model's weight files, so that the same model in a moved cache keeps its vectors and another
    model never shares them. Each file is hashed once and remembered by path, size and mtime."""
    weights = sorted(p for p in folder.rglob("*") if p.suffix in (".safetensors", ".bin") and p.is_file())
    if not weights:
        return str(folder)
    memo_path = cache_dir / "weights-sha256.json"
    memo = read_memo(memo_path)
    known = dict(memo)
    digests = [memoised_sha256(path, memo) for path in weights]
    if memo != known:
        memo_path.parent.mkdir(parents=True, exist_ok=True)
        memo_path.write_text(json.dumps(memo), encoding="utf-8")
    return "sha256:" + hashlib.sha256(" ".join(digests).encode()).hexdigest()


def load_embedder(settings: Settings) -> tuple[Embedder | None, str | None]:
    """The configured embedder, or (None, warning) so that search degrades to keywords instead of crashing."""
    ref = settings.embedding_model or str(settings.model_dir)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # offline-first: a hub name not cached here fails at once, not in 85 s
    try:
        if not settings.embedding_model:
            verify_model_dir(settings.model_dir)
        identity = model_identity(Path(ref), settings.cache_dir) if Path(ref).is_dir() else ref
        return Embedder(ref, settings.cache_dir / "embeddings.sqlite", local_only=True, identity=identity), None
    except (ModelIntegrityError, OSError, ValueError, RuntimeError) as exc:
        warning = (f"Embedding model unavailable ({exc}). Falling back to keyword-only search; "
                   "run `python -m assistant fetch-model` or set EMBEDDING_MODEL to a sentence-transformers path.")
        log.warning(warning)
        return None, warning
