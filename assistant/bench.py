"""`python -m assistant bench`: what the assistant costs and how it scales, measured in one run and written to
docs/benchmarks.md, so that every later change can be judged by figures rather than impressions.

Real parts: index builds, cold starts and answers run the real CLI, model, corpus and Chroma index. Scale parts use
a synthetic corpus (`assistant.synthetic`) with random unit vectors, because embedding 100,000 real chunks would take
more than a day here; each scale point runs in its own process so that its peak memory is its own.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.settings import ROOT, Settings, get_settings

DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
K_VALUES = (1, 3, 5, 10)
COLD_RUNS = 3
VECTOR_QUERIES = 100
PACKAGES = ("torch", "sentence-transformers", "chromadb", "bm25s", "jieba", "gradio", "langchain-core")


# --- measuring -----------------------------------------------------------------------------------------------------


class Latency(BaseModel):
    """Percentiles of a set of timings, in milliseconds."""

    n: int
    p50: float
    p95: float
    max: float

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        ms = sorted(s * 1000 for s in seconds)
        p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
        return cls(n=len(ms), p50=round(statistics.median(ms), 1), p95=round(p95, 1), max=round(ms[-1], 1))


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def process_hwm_mb(pid: int) -> float | None:
    """Another live process's peak resident memory (VmHWM), e.g. a Chroma server before it is stopped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return round(int(match.group(1)) / 1024, 1) if match else None


def disk_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1024**2, 1)


class Stopwatch:
    """Accumulates the time spent in chosen module functions while it patches them, to split a real code path
    (e.g. Retriever start-up) into its parts without copying it."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def patch(self, module: Any, *names: str) -> Iterator[Stopwatch]:
        originals = {name: getattr(module, name) for name in names}

        def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
            def timed_call(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return function(*args, **kwargs)
                finally:
                    self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
            return timed_call

        for name, function in originals.items():
            setattr(module, name, wrap(name, function))
        try:
            yield self
        finally:
            for name, function in originals.items():
                setattr(module, name, function)


class ChildRun(BaseModel):
    """One subprocess: wall time, its own peak memory, exit code and output."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_child(args: list[str], env: dict[str, str] | None = None, timeout: float = 7200) -> ChildRun:
    """Run a command, polling its VmHWM for its own peak memory: the rusage of a forked child starts from the
    parent's peak (the kernel carries the high-water mark across exec), which would credit it with the parent's."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env={**os.environ, **(env or {})}, cwd=ROOT)
        peak = 0.0
        while proc.poll() is None:
            peak = process_hwm_mb(proc.pid) or peak
            if time.perf_counter() - start > timeout:
                proc.kill()
                proc.wait()
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return ChildRun(seconds=round(seconds, 2), peak_rss_mb=peak, returncode=proc.returncode,
                        stdout=out.read(), stderr=err.read())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A Chroma server on loopback for the duration of the block: (port, process)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port = free_port()
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    proc = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port,
                                    settings=ChromaSettings(anonymized_telemetry=False)).heartbeat()
                break
            except Exception:
                if proc.poll() is not None:
                    raise RuntimeError(f"chroma run exited with {proc.returncode}") from None
                time.sleep(0.25)
        else:
            raise RuntimeError("chroma run did not answer within 60 s")
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the real corpus ------------------------------------------------------------------------------------------------


def describe_machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total = re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.MULTILINE)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for package in PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions.append(f"{package} {importlib.metadata.version(package)}")
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "CPU": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores": f"{usable} usable of {os.cpu_count()}",
        "RAM": f"{int(total.group(1)) / 1024**2:.1f} GiB" if total else "unknown",
        "GPU": "none used (device=cpu)",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "packages": ", ".join(versions),
    }


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


class IndexBuild(BaseModel):
    label: str
    run: ChildRun
    summary: str


def index_builds(settings: Settings) -> list[IndexBuild]:
    """`python -m assistant index` three ways on a private index and embedding cache: from nothing, again with
    nothing changed, and after deleting the index but keeping the embedding cache."""
    builds = []
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        env = {"INDEX_DIR": f"{tmp}/index", "DATA_DIR": f"{tmp}/data", "CACHE_DIR": f"{tmp}/cache",
               "EMBEDDING_MODEL": settings.embedding_model or str(settings.model_dir), "HF_HUB_OFFLINE": "1"}
        command = [sys.executable, "-m", "assistant", "index"]
        for label in ("cold: empty index and embedding cache", "warm: nothing changed",
                      "index/ deleted, embedding cache kept"):
            if label.startswith("index/"):
                shutil.rmtree(f"{tmp}/index")
            run = run_child(command, env)
            if run.returncode:
                raise RuntimeError(f"index build failed: {run.stderr[-2000:]}")
            summary = next((line for line in run.stdout.splitlines() if line.startswith("Vector index")), "")
            builds.append(IndexBuild(label=label, run=run, summary=summary))
    return builds


def cold_starts(question: str, runs: int = COLD_RUNS) -> list[ChildRun]:
    """Fresh `python -m assistant ask --json` processes, end to end (imports, model, index check, one answer)."""
    results = []
    for _ in range(runs):
        run = run_child([sys.executable, "-m", "assistant", "ask", "--json", question], {"HF_HUB_OFFLINE": "1"})
        status = json.loads(run.stdout.splitlines()[-1])["status"] if run.returncode == 0 and run.stdout else None
        if status != "answered":
            raise RuntimeError(f"cold start did not answer ({status}): {run.stderr[-2000:]}")
        results.append(run)
    return results


class Group(BaseModel):
    latency: Latency
    statuses: dict[str, int]


def group_of(item: dict[str, Any]) -> str:
    return f"tool: {item['tool']}" if item["kind"] == "tool" else item["kind"]


def warm_latency(assistant: Any, golden: list[dict[str, Any]], repeats: int) -> dict[str, Group]:
    """Answer latency by question kind (tool questions by their expected tool) through Assistant.ask."""
    seconds: dict[str, list[float]] = {}
    statuses: dict[str, dict[str, int]] = {}
    for _ in range(repeats):
        for item in golden:
            elapsed, answer = timed(lambda item=item: assistant.ask(item["question"]))
            group = group_of(item)
            seconds.setdefault(group, []).append(elapsed)
            counts = statuses.setdefault(group, {})
            counts[answer.status] = counts.get(answer.status, 0) + 1
    order = sorted(seconds, key=lambda g: (g.startswith("tool"), g == "not_found", g))
    everything = [s for g in order for s in seconds[g]]
    groups = {g: Group(latency=Latency.of(seconds[g]), statuses=statuses[g]) for g in order}
    totals: dict[str, int] = {}
    for counts in statuses.values():
        for status, n in counts.items():
            totals[status] = totals.get(status, 0) + n
    return groups | {"all": Group(latency=Latency.of(everything), statuses=totals)}


def query_embedding(embedder: Any, questions: list[str]) -> Latency:
    return Latency.of([timed(lambda q=q: embedder.encode_query(q))[0] for q in questions])


# --- scale ----------------------------------------------------------------------------------------------------------


class Backend(BaseModel):
    name: str
    ingest_s: float
    disk_mb: float
    vector_query: Latency
    hybrid_search: Latency
    server_peak_rss_mb: float | None = None


class ScalePoint(BaseModel):
    chunks: int
    reports: int
    generate_s: float
    startup: dict[str, float] = Field(description="Retriever start-up and its parts, seconds")
    keyword_query: Latency
    backends: list[Backend]
    peak_rss_mb: float = 0.0


def _backend(name: str, retriever: Any, queries: list[str], vectors: list[list[float]], disk: Path,
             server_pid: int | None = None) -> Backend:
    from assistant.search.retrieval import CANDIDATES

    ingest_s, _ = timed(lambda: retriever.vectors.sync(retriever.chunks))
    collection = retriever.vectors.collection
    vector = [timed(lambda v=v: collection.query(query_embeddings=[v], n_results=CANDIDATES,
                                                 include=["distances"]))[0] for v in vectors]
    hybrid = [timed(lambda q=q: retriever.search(q))[0] for q in queries]
    return Backend(name=name, ingest_s=round(ingest_s, 2), disk_mb=disk_mb(disk), vector_query=Latency.of(vector),
                   hybrid_search=Latency.of(hybrid),
                   server_peak_rss_mb=process_hwm_mb(server_pid) if server_pid else None)


def scale_point(size: int, dimension: int, queries: list[str], seed: int = 0, server: bool = True) -> ScalePoint:
    """Build a synthetic corpus of about `size` chunks and measure start-up, ingest, disk and queries against it,
    in embedded Chroma and (when `server`) a Chroma server. Query vectors are random, so no model is loaded."""
    import assistant.search.keyword
    import assistant.search.retrieval
    from assistant.corpus.chunking import chunk_corpus
    from assistant.corpus.reports import load_reports, render_report
    from assistant.search.index import VectorIndex
    from assistant.synthetic import RandomEmbedder, synthetic_corpus

    real = chunk_corpus(load_reports(get_settings().reports_dir))
    generate_s, reports = timed(lambda: synthetic_corpus(real, size, seed))
    embedder = RandomEmbedder(dimension)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        root = Path(tmp)
        (root / "corpus" / "reports").mkdir(parents=True)
        for report in reports:
            (root / "corpus" / "reports" / f"{report.id}.md").write_text(render_report(report), encoding="utf-8")
        settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index", data_dir=root / "data",
                            collection="bench")
        jieba_s, _ = timed(lambda: assistant.search.keyword.tokenize("预热"))  # loads jieba's dictionaries once
        watch = Stopwatch()
        with watch.patch(assistant.search.retrieval, "load_reports", "chunk_corpus", "KeywordIndex"), \
                watch.patch(assistant.search.keyword, "tokenize"):
            total_s, retriever = timed(lambda: assistant.search.retrieval.Retriever(settings, embedder=embedder))
        parts = watch.seconds
        startup = {"jieba init": jieba_s, "read reports": parts["load_reports"], "chunk": parts["chunk_corpus"],
                   "jieba tokenise": parts["tokenize"], "BM25 index": parts["KeywordIndex"] - parts["tokenize"],
                   "total": jieba_s + total_s}
        keyword = Latency.of([timed(lambda q=q: retriever.keyword.scores(q))[0] for q in queries])
        vectors = [embedder.encode_query(f"q{i}").tolist() for i in range(VECTOR_QUERIES)]
        backends = [_backend("embedded", retriever, queries, vectors, root / "index")]
        if server:
            with chroma_server(root / "server") as (port, proc):
                retriever.vectors = VectorIndex(settings.model_copy(update={"chroma_host": "127.0.0.1",
                                                                            "chroma_port": port}), embedder)
                backends.append(_backend("server", retriever, queries, vectors, root / "server", proc.pid))
        return ScalePoint(chunks=len(retriever.chunks), reports=len(reports), generate_s=round(generate_s, 2),
                          startup={k: round(v, 2) for k, v in startup.items()}, keyword_query=keyword,
                          backends=backends, peak_rss_mb=peak_rss_mb())


def measure_scale(sizes: list[int], dimension: int, queries: list[str], server: bool = True) -> list[ScalePoint]:
    """Each size in a fresh process (`python -m assistant.bench`), so peak memory belongs to that size alone."""
    points = []
    for size in sizes:
        params = {"size": size, "dimension": dimension, "queries": queries, "server": server}
        run = run_child([sys.executable, "-m", "assistant.bench", json.dumps(params, ensure_ascii=False)])
        if run.returncode:
            raise RuntimeError(f"scale point {size} failed: {run.stderr[-3000:]}")
        point = ScalePoint.model_validate_json(run.stdout.strip().splitlines()[-1])
        point.peak_rss_mb = run.peak_rss_mb
        points.append(point)
        print(f"  scale {point.chunks:,} chunks done in {run.seconds:.0f}s", file=sys.stderr, flush=True)
    return points


# --- the whole run --------------------------------------------------------------------------------------------------


class BenchReport(BaseModel):
    machine: dict[str, str]
    load_before: str
    load_after: str = ""
    corpus: dict[str, int]
    index_builds: list[IndexBuild] = []
    cold_starts: list[ChildRun] = []
    in_process: dict[str, float] = {}
    warm: dict[str, Group] = {}
    repeats: int = 1
    query_embedding: Latency | None = None
    recall: dict[str, dict[int, float]] = {}
    recall_misses: dict[str, list[str]] = {}
    memory_mb: dict[str, float] = {}
    scale: list[ScalePoint] = []
    dimension: int | None = None
    embed_rate: float | None = Field(None, description="chunks embedded per second in the cold index build")


def run_bench(sizes: list[int], skip_scale: bool = False, repeats: int = 2, skip_index: bool = False,
              server: bool = True) -> BenchReport:
    """Everything in one run; progress goes to stderr. Order matters: the in-process start is measured before
    anything else in this process has imported the assistant's modules or the model."""
    settings = get_settings()
    def progress(message: str) -> None:
        print(f"bench: {message} (load {load_average()})", file=sys.stderr, flush=True)

    progress("in-process start")
    import_s, service = timed(lambda: __import__("assistant.service", fromlist=["Assistant"]))
    from assistant.evaluation import MODES, load_golden, retrieval_recall

    golden = load_golden()
    first_question = golden[0]["question"]
    create_s, assistant = timed(service.Assistant.create)
    first_s, first = timed(lambda: assistant.ask(first_question))
    retriever = assistant.retriever
    report = BenchReport(machine=describe_machine(), load_before=load_average(), repeats=repeats,
                         corpus={"reports": len(retriever.reports), "chunks": len(retriever.chunks)},
                         in_process={"import assistant.service": import_s, "Assistant.create()": create_s,
                                     "first answer": first_s, "total": import_s + create_s + first_s})
    if first.status != "answered":
        raise RuntimeError(f"the first golden question was not answered: {first.answer}")
    progress("warm answers over the golden set")
    report.warm = warm_latency(assistant, golden, repeats)
    if retriever.embedder:
        report.query_embedding = query_embedding(retriever.embedder,
                                                 [g["question"] for g in golden if g["kind"] == "report"])
    progress("recall@k")
    modes = MODES if retriever.vectors else ("keyword",)
    report.recall, report.recall_misses = retrieval_recall(retriever, golden, K_VALUES, modes)
    report.memory_mb["bench process: model, index, golden set answered (ru_maxrss)"] = peak_rss_mb()
    if not skip_index:
        progress("index builds (the cold one embeds the whole corpus)")
        report.index_builds = index_builds(settings)
        cold = report.index_builds[0].summary
        if match := re.search(r"(\d+) embedded.* in ([\d.]+)s", cold):
            report.embed_rate = round(int(match.group(1)) / float(match.group(2)), 2)
    progress("cold starts")
    report.cold_starts = cold_starts(first_question)
    for build in report.index_builds:
        report.memory_mb[f"`index` process, {build.label}"] = build.run.peak_rss_mb
    report.memory_mb["`ask` process, cold start to first answer (max of runs)"] = max(
        r.peak_rss_mb for r in report.cold_starts)
    if not skip_scale and sizes:
        progress(f"scale {sizes}")
        report.dimension = _dimension(retriever.embedder)
        report.scale = measure_scale(sizes, report.dimension, [g["question"] for g in golden if g["kind"] == "report"],
                                     server)
    report.load_after = load_average()
    return report


def _dimension(embedder: Any) -> int:
    model = embedder.model if embedder else None
    get = getattr(model, "get_embedding_dimension", None) or getattr(model, "get_sentence_embedding_dimension", None)
    return int(get()) if get else 768


# --- rendering ------------------------------------------------------------------------------------------------------


def _ms(latency: Latency | None) -> str:
    return f"{latency.p50:,.1f} / {latency.p95:,.1f}" if latency else "–"


def _growth(points: list[ScalePoint], value: Callable[[ScalePoint], float]) -> str:
    first, last = points[0], points[-1]
    a, b = value(first), value(last)
    return f"×{b / a:,.1f}" if a > 0 else "–"


def findings(report: BenchReport) -> list[str]:
    """Plain sentences computed from the figures: how cost grows with corpus size and what breaks first."""
    lines = []
    points = report.scale
    if len(points) >= 2:
        first, last = points[0], points[-1]
        factor = last.chunks / first.chunks
        lines.append(
            f"From {first.chunks:,} to {last.chunks:,} chunks (×{factor:,.0f}): retriever start-up "
            f"{_growth(points, lambda p: p.startup['total'])}, jieba tokenisation "
            f"{_growth(points, lambda p: p.startup['jieba tokenise'])}, BM25 query p50 "
            f"{_growth(points, lambda p: p.keyword_query.p50)}, embedded Chroma ingest "
            f"{_growth(points, lambda p: p.backends[0].ingest_s)}, its query p50 "
            f"{_growth(points, lambda p: p.backends[0].vector_query.p50)}, its size on disk "
            f"{_growth(points, lambda p: p.backends[0].disk_mb)}, hybrid search p50 "
            f"{_growth(points, lambda p: p.backends[0].hybrid_search.p50)}.")
        embedded = last.backends[0]
        if report.embed_rate:
            hours = last.chunks / report.embed_rate / 3600
            lines.append(
                f"Ingest: at the measured {report.embed_rate:.2f} chunks/s, embedding {last.chunks:,} real chunks "
                f"would take about {hours:,.1f} h, against {embedded.ingest_s / 60:,.1f} min for Chroma to store "
                f"their vectors — embedding is the first bottleneck, by a factor of "
                f"{hours * 3600 / max(embedded.ingest_s, 1e-9):,.0f}.")
        share = last.startup["jieba tokenise"] / last.startup["total"]
        lines.append(
            f"Start-up: the keyword index is rebuilt in memory at every start; at {last.chunks:,} chunks that takes "
            f"{last.startup['total']:,.0f} s, {share:.0%} of it jieba tokenisation — the first bottleneck once the "
            f"vectors exist (a restart re-embeds nothing but re-tokenises everything).")
        parts = {"keyword scoring (query tokenisation + BM25)": last.keyword_query.p50,
                 "Chroma vector query": embedded.vector_query.p50}
        if report.query_embedding:
            parts["query embedding"] = report.query_embedding.p50
        slowest = max(parts, key=lambda k: parts[k])
        lines.append(
            f"Query: at {last.chunks:,} chunks a hybrid search takes {embedded.hybrid_search.p50:,.0f} ms p50 "
            f"without query embedding; the parts' p50 are "
            + ", ".join(f"{k} {v:,.1f} ms" for k, v in parts.items())
            + f", so {slowest} dominates.")
        if len(last.backends) > 1:
            server = last.backends[1]
            lines.append(
                f"Chroma server versus embedded at {last.chunks:,} chunks: ingest {server.ingest_s:,.0f} s vs "
                f"{embedded.ingest_s:,.0f} s, vector query p50 {server.vector_query.p50:,.1f} ms vs "
                f"{embedded.vector_query.p50:,.1f} ms (HTTP on loopback), disk {server.disk_mb:,.0f} MB vs "
                f"{embedded.disk_mb:,.0f} MB, server peak memory {server.server_peak_rss_mb or 0:,.0f} MB.")
    return lines


def render(report: BenchReport) -> str:
    m = report.machine
    out = ["# Benchmarks", "",
           f"Generated by `python -m assistant bench` on {m['date']}; re-run it to refresh this file. Every figure is "
           "one run on the machine below, measured, not asserted by any test. Load average (1/5/15 min) "
           f"before: {report.load_before}; after: {report.load_after}.", "",
           "## Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in m.items()]
    c = report.corpus
    out += ["", f"## Index build — the real corpus ({c['reports']} reports, {c['chunks']} chunks)", "",
            "`python -m assistant index` in a fresh process on a private index and embedding cache "
            "(wall time includes Python start-up and loading the model).", "",
            "| build | wall time | peak memory | the command's own report |", "|---|---:|---:|---|"]
    out += [f"| {b.label} | {b.run.seconds:,.1f} s | {b.run.peak_rss_mb:,.0f} MB | {b.summary} |"
            for b in report.index_builds]
    if report.embed_rate:
        out += ["", f"Embedding throughput in the cold build: **{report.embed_rate:.2f} chunks/s**."]
    cold = [r.seconds for r in report.cold_starts]
    out += ["", "## Cold start to first answer", "", "| measure | time |", "|---|---:|"]
    if cold:
        out.append(f"| `python -m assistant ask --json Q`, fresh process, {len(cold)} runs: median (min–max) | "
                   f"{statistics.median(cold):,.1f} s ({min(cold):,.1f}–{max(cold):,.1f}) |")
    out += [f"| in process: {k} | {v:,.2f} s |" for k, v in report.in_process.items()]
    out += ["", "## Warm answer latency by question kind", "",
            f"The golden set (`tests/golden.yaml`) through `Assistant.ask`, offline brain, {report.repeats} "
            "pass(es) after the first answer; tool questions are grouped by the tool they should call.", "",
            "| kind | answers | p50 ms | p95 ms | max ms | statuses |", "|---|---:|---:|---:|---:|---|"]
    for name, group in report.warm.items():
        label = f"**{name}**" if name == "all" else name
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(group.statuses.items()))
        out.append(f"| {label} | {group.latency.n} | {group.latency.p50:,.0f} | {group.latency.p95:,.0f} | "
                   f"{group.latency.max:,.0f} | {statuses} |")
    if report.query_embedding:
        out += ["", f"Of which query embedding alone (EmbeddingGemma, one question): p50 / p95 "
                    f"{_ms(report.query_embedding)} ms."]
    if report.recall:
        out += ["", "## Retrieval quality", "",
                "Recall@k on the golden questions with an evidence passage (`assistant.evaluation.retrieval_recall`):"
                " the expected report's passage containing the evidence is among the top k.", "",
                "| retriever | " + " | ".join(f"recall@{k}" for k in K_VALUES) + " | misses at k=10 |",
                "|---|" + "---:|" * len(K_VALUES) + "---|"]
        for mode, recalls in report.recall.items():
            misses = ", ".join(report.recall_misses.get(mode, [])) or "none"
            out.append(f"| {mode} | " + " | ".join(f"{recalls[k]:.1%}" for k in K_VALUES) + f" | {misses} |")
    out += ["", "## Peak memory", "", "| process | peak RSS |", "|---|---:|"]
    out += [f"| {k} | {v:,.0f} MB |" for k, v in report.memory_mb.items()]
    if report.scale:
        out += _render_scale(report)
    if lines := findings(report):
        out += ["", "## Findings", ""] + [f"- {line}" for line in lines]
    return "\n".join(out) + "\n"


def _render_scale(report: BenchReport) -> list[str]:
    out = ["", "## Scale — synthetic corpus", "",
           "**What is synthetic.** Reports generated by `assistant/synthetic.py` (seed 0): the real corpus's "
           "sentences recombined with new numbers, fund codes, indexes and tickers, chunked by the real chunker. "
           f"Their vectors are random unit vectors of the model's dimension ({report.dimension}), stored through the "
           "real `VectorIndex`. "
           "**What is real.** Chunking, jieba, BM25, Chroma (embedded `PersistentClient`, and `chroma run` on "
           "127.0.0.1 started by the benchmark), `Retriever.search` (hybrid: BM25 + vectors + RRF + coverage). "
           "Query vectors are random too, so search times exclude query embedding (measured above, independent "
           "of corpus size). Each size runs in its own process; its peak memory is that process's.", "",
           "Start-up (`Retriever(...)`: what every restart pays, since the keyword index lives in memory):", "",
           "| chunks | reports | jieba init | read | chunk | jieba tokenise | BM25 index | total | "
           "keyword query p50 / p95 ms | peak RSS |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in report.scale:
        s = p.startup
        out.append(f"| {p.chunks:,} | {p.reports:,} | {s['jieba init']:,.1f} s | {s['read reports']:,.1f} s | "
                   f"{s['chunk']:,.1f} s | {s['jieba tokenise']:,.1f} s | {s['BM25 index']:,.1f} s | "
                   f"**{s['total']:,.1f} s** | "
                   f"{_ms(p.keyword_query)} | {p.peak_rss_mb:,.0f} MB |")
    out += ["", "Vector store (ingest = `VectorIndex.sync` of every chunk in batches of 64, vectors precomputed "
                "cost nothing):", "",
            "| chunks | backend | ingest | chunks/s | size on disk | vector query p50 / p95 ms (k=50) | "
            "hybrid search p50 / p95 ms | server peak RSS |",
            "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for p in report.scale:
        for b in p.backends:
            server = f"{b.server_peak_rss_mb:,.0f} MB" if b.server_peak_rss_mb else "–"
            out.append(f"| {p.chunks:,} | {b.name} | {b.ingest_s:,.1f} s | {p.chunks / max(b.ingest_s, 1e-9):,.0f} | "
                       f"{b.disk_mb:,.1f} MB | {_ms(b.vector_query)} | {_ms(b.hybrid_search)} | {server} |")
    if report.embed_rate:
        out += ["", "Projected ingest with real embeddings at the measured rate: " + ", ".join(
            f"{p.chunks:,} chunks ≈ {p.chunks / report.embed_rate / 3600:,.1f} h" for p in report.scale) + "."]
    return out


def add_bench_command(sub: Any) -> None:
    """The `bench` subcommand's options (registered by assistant.cli)."""
    bench = sub.add_parser("bench", help="speed, memory, recall and scale figures (writes docs/benchmarks.md)")
    bench.add_argument("--scale", default=",".join(map(str, DEFAULT_SIZES)),
                       help="synthetic corpus sizes in chunks, comma-separated (default %(default)s)")
    bench.add_argument("--skip-scale", action="store_true", help="only the real-corpus figures")
    bench.add_argument("--no-server", action="store_true", help="scale with embedded Chroma only")
    bench.add_argument("--skip-index", action="store_true", help="skip the index builds (the cold one embeds all)")
    bench.add_argument("--repeat", type=int, default=2, help="passes over the golden set for warm latency")
    bench.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown file to write (default %(default)s)")
    bench.set_defaults(func=cmd_bench)


def cmd_bench(args: Any) -> int:
    try:
        sizes = [int(s.replace("_", "")) for s in args.scale.split(",") if s.strip()]
    except ValueError:
        print(f"bench: --scale takes chunk counts like 10000,100000, got {args.scale!r}", file=sys.stderr)
        return 2
    report = run_bench(sizes, skip_scale=args.skip_scale, repeats=max(1, args.repeat), skip_index=args.skip_index,
                       server=not args.no_server)
    text = render(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # one scale point in its own process, as measure_scale runs it: JSON in, JSON out
    params = json.loads(sys.argv[1])
    print(scale_point(params["size"], params["dimension"], params["queries"], server=params["server"])
          .model_dump_json())
