"""Smoke tests of the benchmark machinery on tiny sizes: it runs, measures what it says and renders every section.
No timing is asserted; the figures themselves live in docs/benchmarks.md."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from assistant import bench
from assistant.corpus.chunking import chunk_corpus
from assistant.evaluation import load_golden, retrieval_recall
from assistant.synthetic import INDEXES, RandomEmbedder, corpus_sentences, synthetic_corpus

QUERIES = ["截至2024年底，美国市场共有多少只主动管理ETF？", "指增ETF的平均仓位是多少？"]


@pytest.fixture(scope="module")
def real_chunks(retriever):
    return [c for c in retriever.chunks if not c.report_id.startswith("user_")]


def test_synthetic_corpus_is_deterministic_sized_and_shaped_like_the_real_one(real_chunks):
    reports = synthetic_corpus(real_chunks, 300, seed=7)
    assert [r.body for r in reports] == [r.body for r in synthetic_corpus(real_chunks, 300, seed=7)]
    assert reports[0].body != synthetic_corpus(real_chunks, 300, seed=8)[0].body
    chunks = chunk_corpus(reports)
    assert len(chunks) >= 300 and len(chunks) - len(chunk_corpus(reports[:-1])) > 0
    assert all(c.page is not None and re.search(r"[\u4e00-\u9fff]", c.text) for c in chunks)
    real = set(corpus_sentences(real_chunks))
    made = corpus_sentences(chunks)
    assert sum(s in real for s in made) < len(made) / 2, "most sentences should carry new numbers or codes"
    names = {m for c in chunks for m in re.findall(r"(?:中证|沪深|上证|科创)\d+", c.text)}
    assert names <= set(INDEXES), "index names keep their numbers"


def test_random_embedder_gives_deterministic_unit_vectors_of_the_given_dimension():
    embedder = RandomEmbedder(32)
    vectors = embedder.encode_documents(["a", "b", "a"])
    assert vectors.shape == (3, 32) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(vectors[0], vectors[2]) and not np.array_equal(vectors[0], vectors[1])
    assert embedder.encode_query("a").shape == (32,)


def test_stopwatch_times_patched_functions_and_restores_them():
    class Module:
        @staticmethod
        def work(n: int) -> int:
            return sum(range(n))

    watch = bench.Stopwatch()
    original = Module.work
    with watch.patch(Module, "work"):
        assert Module.work(1000) == original(1000)
        Module.work(10)
    assert Module.work is original and watch.seconds["work"] > 0


def test_run_child_reports_the_child_s_own_peak_memory_and_output(assistant):
    """The parent holds the model (over a gigabyte); a small child must not be credited with that."""
    big = bench.run_child([sys.executable, "-c", "import time; x = bytearray(300 << 20); time.sleep(0.5); print(1)"])
    small = bench.run_child([sys.executable, "-c", "import time; time.sleep(0.3); print(2)"])
    assert big.returncode == 0 and big.stdout.strip() == "1" and big.peak_rss_mb >= 300
    assert small.stdout.strip() == "2" and 0 < small.peak_rss_mb < 100 < bench.peak_rss_mb()


def test_warm_latency_groups_answers_by_kind_and_tool(assistant):
    golden = load_golden(source="legacy")
    sample = [next(g for g in golden if g["kind"] == kind) for kind in ("report", "tool", "not_found")]
    groups = bench.warm_latency(assistant, sample, repeats=1)
    assert set(groups) == {"report", f"tool: {sample[1]['tool']}", "not_found", "all"}
    assert groups["all"].latency.n == 3 and groups["report"].statuses == {"answered": 1}
    assert groups["not_found"].statuses == {"not_found": 1}


@pytest.fixture(scope="module")
def tiny_report(assistant) -> bench.BenchReport:
    """A report with every section filled from real measurements at tiny sizes (scale in subprocesses, with a
    Chroma server), as `run_bench` would assemble it."""
    retriever = assistant.retriever
    golden = [g for g in load_golden(source="legacy") if g["kind"] == "report"][:3]
    recall, misses = retrieval_recall(retriever, golden, bench.K_VALUES)
    report = bench.BenchReport(machine=bench.describe_machine(), load_before=bench.load_average(),
                               corpus={"reports": len(retriever.reports), "chunks": len(retriever.chunks)},
                               warm=bench.warm_latency(assistant, golden, 1), recall=recall, recall_misses=misses,
                               query_embedding=bench.query_embedding(retriever.embedder, QUERIES),
                               memory_mb={"this test process": bench.peak_rss_mb()}, dimension=32, embed_rate=1.0)
    report.scale = bench.measure_scale([120, 240], 32, QUERIES, server=True)
    report.load_after = bench.load_average()
    return report


def test_scale_points_measure_both_backends(tiny_report):
    small, large = tiny_report.scale
    assert 120 <= small.chunks < large.chunks and large.reports > small.reports
    assert set(small.startup) == {"jieba init", "read reports", "chunk", "jieba tokenise", "BM25 index", "total"}
    for point in tiny_report.scale:
        assert [b.name for b in point.backends] == ["embedded", "server"]
        assert all(b.disk_mb > 0 and b.vector_query.n == bench.VECTOR_QUERIES for b in point.backends)
        assert point.backends[1].server_peak_rss_mb and point.peak_rss_mb > 0
        assert point.keyword_query.n == len(QUERIES)


def test_render_has_every_section_and_computed_findings(tiny_report):
    text = bench.render(tiny_report)
    for heading in ("## Machine", "## Index build", "## Cold start to first answer", "## Warm answer latency",
                    "## Retrieval quality", "## Peak memory", "## Scale — synthetic corpus", "## Findings"):
        assert heading in text
    assert "| hybrid | " in text and "| **all** |" in text and "What is synthetic" in text
    assert "embedding is the first bottleneck" in text and "jieba tokenisation" in text


def test_bench_command_rejects_a_bad_scale_list():
    proc = subprocess.run([sys.executable, "-m", "assistant", "bench", "--scale", "10k"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2 and "--scale takes chunk counts" in proc.stderr
