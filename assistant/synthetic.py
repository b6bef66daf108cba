"""A synthetic corpus for scale benchmarks: many reports' worth of realistic chunks, deterministic for a seed.

Embedding real text runs at about one chunk per second here, so 100,000 real chunks would take more than a day.
The scale benchmark therefore measures everything *but* document embedding on synthetic reports: their sentences
are the real corpus's sentences recombined, with fresh numbers and fund codes, so jieba, BM25 and chunking see text
of the real shape and vocabulary; their vectors are random unit vectors of the model's dimension
(`RandomEmbedder`), which cost Chroma exactly what real vectors of that dimension cost.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator

import numpy as np

from assistant.corpus.chunking import Chunk, chunk_report, split_sentences, strip_page_marks
from assistant.corpus.reports import Report

NUMBER = re.compile(r"\d+(?:[.,]\d+)*([月日])?")
CODE = re.compile(r"\b\d{6}\b")
INDEXES = ("沪深300", "中证500", "中证1000", "科创50", "创业板指", "上证50", "中证2000", "红利低波")
INDEX_NAME = re.compile(r"(?:中证|沪深|上证|深证|科创|国证)\d+|创业板指|红利低波")  # kept whole, numbers and all
PUBLISHERS = ("信达证券", "华鑫证券", "中证指数有限公司", "中信证券", "华泰证券", "国泰君安", "招商证券", "广发证券")
US_TICKERS = ("DFAC", "JEPQ", "DYNF", "JPST", "AVUV", "DFUS", "JGLO", "JCPI")
SECTIONS_PER_REPORT = (4, 9)
SENTENCES_PER_SECTION = (4, 14)


def corpus_sentences(chunks: list[Chunk]) -> list[str]:
    """The distinct prose sentences of the real corpus (tables left out), the material the generator recombines."""
    seen: dict[str, None] = {}
    for chunk in chunks:
        if chunk.kind != "text":
            continue
        for line in strip_page_marks(chunk.text).splitlines():
            for sentence in split_sentences(line.strip().lstrip("-# ").strip()):
                if len(sentence) >= 12:
                    seen.setdefault(sentence)
    return list(seen)


def section_titles(chunks: list[Chunk]) -> list[str]:
    return sorted({part.strip() for c in chunks for part in c.section.split(">") if 2 <= len(part.strip()) <= 30})


def _number(match: re.Match[str], rng: random.Random) -> str:
    """A random number shaped like the one it replaces: years, months and days stay plausible, decimals decimals."""
    text = match.group(0)
    if match.group(1):
        return f"{rng.randint(1, 12 if match.group(1) == '月' else 28)}{match.group(1)}"
    digits = re.sub(r"\D", "", text)
    if len(digits) == 4 and text.startswith(("19", "20")):
        return str(rng.randint(2015, 2025))
    decimals = len(text.rsplit(".", 1)[1]) if "." in text else 0
    whole = rng.randrange(10 ** max(1, len(digits) - decimals))
    return f"{whole}.{rng.randrange(10**decimals):0{decimals}d}" if decimals else str(whole)


def _vary(sentence: str, rng: random.Random) -> str:
    """The sentence with new fund codes and numbers (index names kept), sometimes another index or a US ticker."""
    parts = INDEX_NAME.split(sentence)
    names = [rng.choice(INDEXES) if name in INDEXES and rng.random() < 0.5 else name
             for name in INDEX_NAME.findall(sentence)]
    varied = [NUMBER.sub(lambda m: _number(m, rng),
                         CODE.sub(lambda _: f"{rng.choice((15, 51, 56, 58))}{rng.randrange(10**4):04d}", part))
              for part in parts]
    sentence = "".join(p + n for p, n in zip(varied, [*names, ""], strict=True))
    return f"{rng.choice(US_TICKERS)} {sentence}" if rng.random() < 0.1 else sentence


def synthetic_reports(chunks: list[Chunk], seed: int = 0) -> Iterator[Report]:
    """An endless, reproducible stream of reports built from the real corpus's sentences and section titles."""
    rng = random.Random(seed)
    sentences, titles = corpus_sentences(chunks), section_titles(chunks)
    for n in range(10**9):
        page, body = 1, []
        index = rng.choice(INDEXES)
        title = f"{index}指数增强ETF研究之{n + 1}：{rng.choice(titles)}"
        body.append(f"# {title}\n")
        for _ in range(rng.randint(*SECTIONS_PER_REPORT)):
            body.append(f"## {rng.choice(titles)}\n")
            paragraph = []
            for _ in range(rng.randint(*SENTENCES_PER_SECTION)):
                paragraph.append(_vary(rng.choice(sentences), rng))
                if rng.random() < 0.3:
                    body.append("".join(paragraph) + f"[page::{page}]\n")
                    paragraph, page = [], page + rng.randint(0, 1)
            if paragraph:
                body.append("".join(paragraph) + f"[page::{page}]\n")
            page += 1
        digest = hashlib.sha256(f"{seed}:{n}".encode()).hexdigest()[:16]
        yield Report(id=f"syn_{n:06d}_{digest}", title=title, publisher=rng.choice(PUBLISHERS),
                     date=f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                     source="synthetic", body="\n".join(body))


def synthetic_corpus(chunks: list[Chunk], size: int, seed: int = 0) -> list[Report]:
    """Whole synthetic reports until they hold at least `size` chunks (the last report is not cut short)."""
    reports, total = [], 0
    for report in synthetic_reports(chunks, seed):
        if total >= size:
            break
        reports.append(report)
        total += len(chunk_report(report))
    return reports


class RandomEmbedder:
    """Stands in for the embedder when scaling: random unit document vectors of the real dimension (deterministic
    per text), and the real model's query vectors when one is given, so query timings include real query encoding."""

    def __init__(self, dimension: int, query_model: object | None = None) -> None:
        self.dimension = dimension
        self.query_model = query_model
        self.name = f"random-unit-{dimension}"
        self.note: str | None = None  # no cache to find broken

    def _unit(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        vector = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
        return vector / np.linalg.norm(vector)

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._unit(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        encode = getattr(self.query_model, "encode_query", None)
        return encode(text) if encode else self._unit(f"query:{text}")
