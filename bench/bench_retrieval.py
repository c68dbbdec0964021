"""Retrieval quality and speed on the real knowledge: dense vs BM25 vs hybrid, in one run.

`make bench` (or `python -m bench.bench_retrieval`) prints a Markdown table for BENCHMARKS.md.
`python -m bench.bench_retrieval --tune` grids the fusion settings on the development half only.

A question is a hit when the top chunk's section is among its labels; MRR uses the rank of the
first labelled chunk in the top 10. Even positions of the question file are the development
half (the fusion settings were chosen there), odd positions the held-out half.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from app import knowledge
from app.retrieval import index as index_mod
from app.retrieval.cache import load_or_build
from app.retrieval.embeddings import shared_embedder
from app.retrieval.index import HybridIndex
from app.settings import ROOT, Settings

DATA = Path(__file__).parent / "data" / "retrieval_questions.yaml"
# the clarification set's questions with their `sections` labels: candidates' wording, a second
# held-out test of retrieval (same split: even positions tune, odd are held out)
CLARIFY = Path(__file__).parent / "data" / "clarify_questions.yaml"
MODES = ("dense", "bm25", "hybrid")
MRR_DEPTH = 10


@dataclass
class Case:
    q: str
    sections: list[int]
    style: str
    dev: bool


@dataclass
class Score:
    n: int = 0
    hit1: int = 0
    hit3: int = 0
    rr: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, ranked_sections: list[int], labels: list[int], q: str) -> None:
        self.n += 1
        first = next((i for i, s in enumerate(ranked_sections) if s in labels), None)
        self.hit1 += first == 0
        self.hit3 += first is not None and first < 3
        self.rr += 0.0 if first is None else 1.0 / (first + 1)
        if first is None or first >= 1:
            self.misses.append(f"{q!r} want {labels} got {ranked_sections[:3]}")

    def row(self) -> tuple[float, float, float]:
        n = max(self.n, 1)
        return self.hit1 / n, self.hit3 / n, self.rr / n


def load_cases(path: Path = DATA) -> list[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Case(q=str(r["q"]), sections=list(r["sections"]), style=str(r["style"]), dev=i % 2 == 0)
        for i, r in enumerate(raw)
    ]


def evaluate(idx: HybridIndex, cases: list[Case], mode: str) -> dict[str, Score]:
    """Scores for all, dev, held-out, and per style; through the real `search()`."""
    out: dict[str, Score] = defaultdict(Score)
    for c in cases:
        ranked = [h.chunk.section for h in idx.search(c.q, k=MRR_DEPTH, mode=mode)]
        for key in ("all", "dev" if c.dev else "held-out", f"style:{c.style}"):
            out[key].add(ranked, c.sections, c.q)
    return out


def percentile(values: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(values), p))


def latency(idx: HybridIndex, cases: list[Case]) -> tuple[float, float, float]:
    """Wall p50/p95 and CPU-time p50, in ms, of a hybrid search (query embedding + FAISS + BM25
    + fusion). CPU time is reported too because other work on this 2-core machine inflates
    wall time."""
    for c in cases[:10]:
        idx.search(c.q)
    wall, cpu = [], []
    for c in cases:
        t0, c0 = time.perf_counter(), time.process_time()
        idx.search(c.q, k=5)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return percentile(wall, 50), percentile(wall, 95), percentile(cpu, 50)


COLD_LOAD = """
import time, json
t0 = time.perf_counter()
from app import knowledge
from app.retrieval.cache import load_or_build
from app.settings import Settings
t1 = time.perf_counter()
s = Settings(data_dir={data!r})
kb = knowledge.load(s.knowledge_dir)
t2 = time.perf_counter()
load_or_build(s, kb, warm=False)
t3 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2]))
"""


def cold_load(data_dir: Path) -> list[float]:
    """A fresh process: [app imports, knowledge.load, load_or_build without the model] in s."""
    out = subprocess.run(
        [sys.executable, "-c", COLD_LOAD.format(data=str(data_dir))],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return [float(x) for x in json.loads(out.stdout.strip().splitlines()[-1])]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    """VmHWM of a running process (RUSAGE_CHILDREN would count the fork of this big process)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_startup(data_dir: Path, runs: int = 3) -> tuple[list[float], float]:
    """Seconds from `mentor serve` process start to /readyz 200 with a warm cache, `runs` times,
    and the server's peak memory after it is ready (MB)."""
    mentor = Path(sys.executable).with_name("mentor")
    env = {**os.environ, "MENTOR_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    times = []
    peak = 0.0
    for _ in range(runs):
        port = _free_port()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [str(mentor), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = t0 + 120
            while time.perf_counter() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                time.sleep(0.02)
            else:
                raise RuntimeError("the server never became ready")
            times.append(time.perf_counter() - t0)
            search = f"http://127.0.0.1:{port}/api/search?q=volumes"
            with urllib.request.urlopen(search, timeout=30) as r:
                assert r.status == 200 and json.loads(r.read())
            peak = max(peak, _peak_rss_mb(proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return times, peak


def fmt(x: float) -> str:
    return f"{x:.3f}"


def quality() -> None:
    """Held-out quality only, on both question sets, from the shared index cache (fast)."""
    settings = Settings(knowledge_dir=ROOT / "knowledge", index_dir=ROOT / "data" / "index")
    kb = knowledge.load(settings.knowledge_dir)
    idx = load_or_build(settings, kb)
    print("| set (held-out) | n | hit@1 | hit@3 | MRR |")
    print("| --- | --- | --- | --- | --- |")
    misses: list[str] = []
    for name, path in (("retrieval_questions", DATA), ("clarify_questions", CLARIFY)):
        sc = evaluate(idx, load_cases(path), "hybrid")
        for part in ("held-out", "dev"):
            print(
                f"| {name} {part} | {sc[part].n} | {' | '.join(fmt(x) for x in sc[part].row())} |"
            )
        misses += [f"{name}: {m}" for m in sc["held-out"].misses]
    print("\nheld-out misses at hit@1:")
    for m in misses:
        print("  ", m)


def main() -> None:
    if "--quality" in sys.argv[1:]:
        quality()
        return
    cases = load_cases()
    settings = Settings(knowledge_dir=ROOT / "knowledge")
    kb = knowledge.load(settings.knowledge_dir)
    embedder = shared_embedder(settings.embedding_model)
    t0 = time.perf_counter()
    embedder.encode(["load the model"])
    model_s = time.perf_counter() - t0
    tmp = Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    try:
        s = Settings(knowledge_dir=settings.knowledge_dir, data_dir=tmp)
        t0 = time.perf_counter()
        idx = load_or_build(s, kb, embedder=embedder, rebuild=True)
        build_s = time.perf_counter() - t0
        loads = []
        for _ in range(5):
            t0 = time.perf_counter()
            load_or_build(s, kb, embedder=embedder, warm=False)
            loads.append(time.perf_counter() - t0)
        results = {mode: evaluate(idx, cases, mode) for mode in MODES}
        p50, p95, cpu50 = latency(idx, cases)
        colds = [cold_load(tmp) for _ in range(3)]
        cold = [statistics.median(x[i] for x in colds) for i in range(3)]
        startups, server_mb = server_startup(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    n_dev = sum(c.dev for c in cases)
    kinds = {k: sum(c.kind == k for c in idx.chunks) for k in ("note", "question")}
    print(
        f"knowledge: {len(kb.sections)} sections, {len(idx.chunks)} chunks "
        f"({kinds['note']} notes, {kinds['question']} questions); "
        f"{len(cases)} questions ({n_dev} dev, {len(cases) - n_dev} held-out); "
        f"rrf_k={idx.rrf_k}, weights dense {idx.dense_weight} / bm25 {idx.lexical_weight}\n"
    )
    print("| retriever | hit@1 | hit@3 | MRR | held-out hit@1 | held-out hit@3 | held-out MRR |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for mode in MODES:
        a, h = results[mode]["all"].row(), results[mode]["held-out"].row()
        print(f"| {mode} | {' | '.join(fmt(x) for x in a)} | {' | '.join(fmt(x) for x in h)} |")
    print("\n| hybrid by style | n | hit@1 | hit@3 | MRR |")
    print("| --- | --- | --- | --- | --- |")
    for key, sc in sorted(results["hybrid"].items()):
        if key.startswith("style:"):
            print(f"| {key[6:]} | {sc.n} | {' | '.join(fmt(x) for x in sc.row())} |")
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\n| measure | value |")
    print("| --- | --- |")
    print(
        f"| query latency, hybrid (embed + search), wall p50 / p95; CPU p50 | "
        f"{p50:.1f} ms / {p95:.1f} ms; {cpu50:.1f} ms |"
    )
    print(f"| index build (chunk + embed {len(idx.chunks)} chunks + write) | {build_s:.1f} s |")
    print(
        f"| index load from warm cache (model already loaded), median of 5 | "
        f"{statistics.median(loads) * 1000:.0f} ms |"
    )
    print(
        f"| fresh process, median of 3: app imports / knowledge.load / index load (no model) | "
        f"{cold[0]:.2f} s / {cold[1]:.2f} s / {cold[2]:.2f} s |"
    )
    print(f"| torch + sentence-transformers import, model load, first encode | {model_s:.1f} s |")
    print(
        f"| `mentor serve` start to /readyz 200, warm cache, median of 3 | "
        f"{statistics.median(startups):.2f} s ({', '.join(f'{t:.2f}' for t in startups)}) |"
    )
    print(
        f"| peak memory: bench process (ru_maxrss) / server after a search (VmHWM) | "
        f"{peak_self:.0f} MB / {server_mb:.0f} MB |"
    )
    print(f"| load average at the end | {os.getloadavg()[0]:.2f} (2 cores) |")
    print("\nhybrid misses at hit@1:")
    for m in results["hybrid"]["all"].misses:
        print("  ", m)


# ---------------------------------------------------------------- tuning (dev half only)


def tune() -> None:
    """Grid the fusion on the development half; prints MRR / hit@1 / hit@3 per setting."""
    cases = [c for c in load_cases() if c.dev]
    settings = Settings(knowledge_dir=ROOT / "knowledge")
    kb = knowledge.load(settings.knowledge_dir)
    idx = load_or_build(settings, kb)
    raw: list[tuple[Any, Any, list[int]]] = []
    for c in cases:
        text = index_mod.clean_query(c.q)
        raw.append((idx._dense_scores(text), idx.lexical.scores(text), c.sections))
    sections = np.array([ch.section for ch in idx.chunks])
    allowed = np.ones(len(idx.chunks), dtype=bool)

    def score(fused_fn: Any) -> tuple[float, float, float]:
        sc = Score()
        for dense, lex, labels in raw:
            order = np.argsort(-fused_fn(dense, lex), kind="stable")[:MRR_DEPTH]
            sc.add([int(sections[i]) for i in order], labels, "")
        return sc.row()

    rows = []
    for k in (5, 10, 20, 30, 60, 100):
        for wl in (0.5, 0.75, 1.0, 1.25, 1.5):
            idx.rrf_k, idx.dense_weight, idx.lexical_weight = k, 1.0, wl
            rows.append((f"rrf k={k} w_bm25={wl}", score(lambda d, x: idx._fuse(d, x, allowed))))
    for alpha in (0.3, 0.5, 0.7):

        def convex(d: Any, x: Any, a: float = alpha) -> Any:
            xn = x / x.max() if x.max() > 0 else x
            dn = (d - d.min()) / (d.max() - d.min() + 1e-9)
            return a * dn + (1 - a) * xn

        rows.append((f"min-max score fusion alpha_dense={alpha}", score(convex)))
    rows.append(("dense only", score(lambda d, x: d)))
    rows.append(("bm25 only", score(lambda d, x: x)))
    for name, (h1, h3, mrr) in sorted(rows, key=lambda r: -r[1][2]):
        print(f"{name:45s} MRR {mrr:.3f}  hit@1 {h1:.3f}  hit@3 {h3:.3f}")


if __name__ == "__main__":
    if "--tune" in sys.argv:
        tune()
    else:
        main()
