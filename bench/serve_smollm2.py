"""Serve SmolLM2-135M-Instruct (Q4_1, llama.cpp) on loopback until interrupted.

The weak-model baseline of BENCHMARKS.md is `mentor eval` pointed at this server:

    .venv/bin/python -m bench.serve_smollm2 --port 8099 &
    .venv/bin/mentor eval --limit 20 --base-url http://127.0.0.1:8099/v1 --model smollm2

Not a bench_* module, so `make bench` does not start it.
"""

from __future__ import annotations

import argparse
import signal
import threading

from tests.support.smollm2 import GGUF, smollm2_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--ctx", type=int, default=4096, help="context window in tokens")
    parser.add_argument("--threads", type=int, default=1, help="1: see tests/support/smollm2.py")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with smollm2_server(n_ctx=args.ctx, threads=args.threads, port=args.port) as url:
        print(f"{GGUF} (n_ctx {args.ctx}, {args.threads} threads) at {url}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
