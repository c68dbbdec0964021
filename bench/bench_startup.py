"""Start-up, clarification latency and note serving, on a quiet box and beside a busy neighbour.

For each condition (quiet; one CPU-bound process running beside the mentor) this starts a real
`mentor serve` on loopback with a warm index cache (built first, as `make run` does) and measures:

- time from process start to `/readyz` 200 (median of RUNS starts);
- distinct clarifications through `POST /api/chat` (JSON): p50 / p90 over questions the server
  has not seen before (the first question warms nothing else);
- `GET /api/sections/N` against `GET /healthz`: median latency of each and their ratio;
- `mentor index --rebuild`: the index build time (quiet only).

The neighbour is a pure-Python busy loop in another process (one core's worth of work), the way a
build or a test run on a shared 2-core machine behaves. Timings are noisy: medians and ratios
measured in one run are what BENCHMARKS.md records.

Run: `.venv/bin/python -m bench.run bench_startup` (or `make bench`).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.settings import ROOT

RUNS = 3
QUESTIONS = [
    "why does my container exit with 137",
    "how do i keep secrets out of my image",
    "what is the difference between a volume and a bind mount",
    "does docker stop send sigkill",
    "how do containers on the same network find each other",
    "whats a multi stage build for",
    "why is my image so big",
    "can compose wait for the database to be ready",
    "how do i limit memory for a container",
    "is the docker group safe to add my user to",
    "what does --init do",
    "how do i see why a container keeps restarting",
    "difference between cmd and entrypoint",
    "how does swarm do rolling updates",
    "what replaced dockershim",
    "how do i scan an image for vulnerabilities",
    "where do container logs go",
    "how to make docker build faster in ci",
    "what is a dangling image",
    "how do i run a container read only",
]
SECTIONS = [3, 5, 7, 8, 11]


def _spin(stop: object) -> None:
    while not stop.is_set():  # type: ignore[attr-defined]
        sum(i * i for i in range(10_000))


@contextmanager
def neighbour(busy: bool) -> Iterator[None]:
    """One CPU-bound process beside the mentor while inside the block (when `busy`)."""
    if not busy:
        yield
        return
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    proc = ctx.Process(target=_spin, args=(stop,), daemon=True)
    proc.start()
    try:
        yield
    finally:
        stop.set()
        proc.join(timeout=5)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(data_dir: Path) -> Iterator[tuple[str, float]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MENTOR_"))}
    env.update(MENTOR_DATA_DIR=str(data_dir), MENTOR_INDEX_DIR=str(ROOT / "data" / "index"))
    env.update(MENTOR_RATE_LIMIT_ENABLED="false", HF_HUB_OFFLINE="1")
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # one client for the whole poll: a new httpx client per probe costs ~30 ms of CPU (an SSL
    # context), which on 2 cores is taken from the server being measured
    try:
        with httpx.Client(timeout=2) as client:
            while True:
                try:
                    if client.get(base + "/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.perf_counter() - started > 300:
                    raise RuntimeError("mentor serve did not get ready")
                time.sleep(0.05)
        yield base, time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _timed(client: httpx.Client, method: str, url: str, **kwargs: object) -> float:
    t0 = time.perf_counter()
    response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    response.raise_for_status()
    return (time.perf_counter() - t0) * 1000


def measure(busy: bool) -> dict[str, float]:
    ready: list[float] = []
    chat: list[float] = []
    notes: list[float] = []
    health: list[float] = []
    with neighbour(busy), tempfile.TemporaryDirectory() as tmp:
        for run in range(RUNS):
            with serve(Path(tmp) / f"data{run}") as (base, seconds):
                ready.append(seconds)
                if run:
                    continue
                with httpx.Client(base_url=base, timeout=60) as client:
                    for question in QUESTIONS:
                        chat.append(_timed(client, "POST", "/api/chat", json={"message": question}))
                    for _ in range(10):
                        for n in SECTIONS:
                            health.append(_timed(client, "GET", "/healthz"))
                            notes.append(_timed(client, "GET", f"/api/sections/{n}"))
    chat.sort()
    return {
        "ready_s": statistics.median(ready),
        "chat_p50_ms": statistics.median(chat),
        "chat_p90_ms": chat[int(0.9 * (len(chat) - 1))],
        "healthz_ms": statistics.median(health),
        "section_ms": statistics.median(notes),
        "section_over_healthz": statistics.median(notes) / statistics.median(health),
    }


def index_build_seconds() -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "mentor"), "index", "--rebuild"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t0


def main() -> None:
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    build = index_build_seconds()
    print(f"index build (mentor index --rebuild, quiet): {build:.1f} s")
    rows = {"quiet": measure(False), "one busy neighbour": measure(True)}
    print(
        "| condition | ready (median of 3) | clarify p50 | clarify p90 | /healthz | "
        "/api/sections/N | ratio |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, r in rows.items():
        print(
            f"| {name} | {r['ready_s']:.2f} s | {r['chat_p50_ms']:.0f} ms | "
            f"{r['chat_p90_ms']:.0f} ms | {r['healthz_ms']:.2f} ms | {r['section_ms']:.2f} ms | "
            f"{r['section_over_healthz']:.2f}x |"
        )
    busy, quiet = rows["one busy neighbour"], rows["quiet"]
    print(
        f"busy / quiet: ready {busy['ready_s'] / quiet['ready_s']:.2f}x, "
        f"clarify p50 {busy['chat_p50_ms'] / quiet['chat_p50_ms']:.2f}x"
    )


if __name__ == "__main__":
    main()
