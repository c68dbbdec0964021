"""Servers the tests and benchmarks start: wait until one is ready, stop one for good."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import httpx


def wait_for_readyz(
    base: str, timeout: float, *, every: float = 0.2, died: Callable[[], bool] = lambda: False
) -> bool:
    """Poll `base`/readyz: True once it answers 200, False when `died()` or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while not died():
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return False


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Terminate a child process, and kill it when it has not exited within `timeout` s."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
