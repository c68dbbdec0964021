"""Load on loopback: 50 concurrent conversations, 1,000+ chat turns, mixed intents, offline.

Starts `mentor serve` on a free loopback port with a fresh SQLite database, drives it with a
bounded, self-stopping asyncio/httpx client, then checks that the database holds exactly every
message sent and that the server's RSS stayed flat.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from tests.support.process import wait_for_readyz

CONVERSATIONS = int(os.environ.get("LOAD_CONVERSATIONS", "50"))
TURNS_PER_CONVERSATION = int(os.environ.get("LOAD_TURNS", "24"))  # 50 x 24 = 1,200 turns
DEADLINE_S = 900  # the run stops itself after this, whatever happens

SCRIPT = [
    "Start from Section 1", "yes", "why does my container exit with 137?", "next",
    "how do volumes differ from bind mounts?", "help", "sec 7", "continue",
    "what is the difference between CMD and ENTRYPOINT", "my progress", "hi",
    "networking notes", "yes", "explain multi-stage builds", "section 21",
    "the compose one", "go on", "docker stop vs docker kill?", "back", "list sections",
    "what does docker system prune remove", "mock interview on networking",
    "containers on the same user-defined bridge network find each other by name through "
    "Docker's embedded DNS server at 127.0.0.11", "skip", "end interview",
]  # fmt: skip


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


async def conversation(
    base: str, n: int, latencies: list[float], errors: list[str], sent: list[tuple[str, str]]
) -> None:
    rng = random.Random(n)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        conv_id = None
        for i in range(TURNS_PER_CONVERSATION):
            message = SCRIPT[i % len(SCRIPT)] if rng.random() < 0.8 else rng.choice(SCRIPT)
            t0 = time.perf_counter()
            try:
                r = await client.post(
                    "/api/chat",
                    json={"message": message, "conversation_id": conv_id},
                    headers={"Accept": "application/json"},
                )
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__}")
                continue
            latencies.append(time.perf_counter() - t0)
            if r.status_code != 200:
                errors.append(f"HTTP {r.status_code}: {r.text[:80]}")
                continue
            conv_id = r.json()["conversation_id"]
            sent.append((conv_id, message))


async def drive(base: str, pid: int) -> tuple[dict[str, float], list[tuple[str, str]]]:
    latencies: list[float] = []
    errors: list[str] = []
    sent: list[tuple[str, str]] = []
    rss: list[float] = [rss_mb(pid)]
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            rss.append(rss_mb(pid))
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample())
    t0 = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(
            *(conversation(base, n, latencies, errors, sent) for n in range(CONVERSATIONS))
        ),
        timeout=DEADLINE_S,
    )
    elapsed = time.perf_counter() - t0
    done.set()
    await sampler
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100)
    quarter = max(1, len(rss) // 4)
    return (
        {
            "turns": len(latencies),
            "ok_turns": len(sent),
            "errors": len(errors),
            "seconds": elapsed,
            "throughput": len(latencies) / elapsed,
            "p50_ms": q[49] * 1000,
            "p95_ms": q[94] * 1000,
            "p99_ms": q[98] * 1000,
            "rss_start_mb": rss[0],
            "rss_first_quarter_mb": statistics.median(rss[:quarter]),
            "rss_last_quarter_mb": statistics.median(rss[-quarter:]),
            "rss_max_mb": max(rss),
            "rss_quarters": [  # type: ignore[dict-item]
                statistics.median(rss[i * quarter : (i + 1) * quarter] or rss[-1:])
                for i in range(4)
            ],
            "error_examples": errors[:3],  # type: ignore[dict-item]
        },
        sent,
    )


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="mentor-load-"))
    port = free_port()
    env = {
        **os.environ,
        "MENTOR_DATA_DIR": str(tmp),
        "MENTOR_INDEX_DIR": os.environ.get("MENTOR_INDEX_DIR", str(Path("data/index").resolve())),
        "MENTOR_RATE_LIMIT_ENABLED": "false",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "server.log", "wb"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_for_readyz(base, 180, every=0.25):
            raise SystemExit(
                "server never became ready: " + (tmp / "server.log").read_text()[-2000:]
            )
        # warm up the engine (first embedding calls) before measuring
        httpx.post(base + "/api/chat", json={"message": "what is docker?"}, timeout=60)
        stats, sent = asyncio.run(drive(base, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    # every message the client got a 200 for must be in the database, in its conversation,
    # with a finished reply; compared as multisets of (conversation, text)
    db = sqlite3.connect(tmp / "mentor.db")
    stored = Counter(
        db.execute("select conversation_id, content from messages where role = 'user'").fetchall()
    )
    missing = Counter(sent) - stored
    replies = dict(
        db.execute(
            "select status, count(*) from messages where role = 'assistant' group by status"
        ).fetchall()
    )
    rows = {"user": sum(stored.values()), "assistant": sum(replies.values())}
    lost_user = sum(missing.values())
    lost_reply = (len(sent) + 1) - replies.get("ok", 0)  # + the warm-up turn
    print(f"conversations {CONVERSATIONS}, turns {stats['turns']:.0f} in {stats['seconds']:.1f} s")
    print(f"throughput {stats['throughput']:.1f} turns/s; latency p50 {stats['p50_ms']:.0f} ms, "
          f"p95 {stats['p95_ms']:.0f} ms, p99 {stats['p99_ms']:.0f} ms; errors {stats['errors']:.0f}"
          f" {stats['error_examples']}")  # fmt: skip
    print(f"database: {rows.get('user', 0)} user + {rows.get('assistant', 0)} assistant messages;"
          f" lost user messages {lost_user}, replies not stored as ok {lost_reply}"
          f" (reply statuses {replies})")  # fmt: skip
    print(f"server RSS: start {stats['rss_start_mb']:.0f} MB, first-quarter median "
          f"{stats['rss_first_quarter_mb']:.0f} MB, last-quarter median "
          f"{stats['rss_last_quarter_mb']:.0f} MB (ratio "
          f"{stats['rss_last_quarter_mb'] / stats['rss_first_quarter_mb']:.2f}), "
          f"max {stats['rss_max_mb']:.0f} MB; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    quarters = ", ".join(f"{q:.0f}" for q in stats["rss_quarters"])  # type: ignore[attr-defined]
    print(f"server RSS median by quarter of the run: {quarters} MB")


if __name__ == "__main__":
    main()
