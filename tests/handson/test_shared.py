"""Value syntaxes `docker run` and Compose share (publish specs, restart policies, bind sources)."""

from __future__ import annotations

import pytest

from app.handson.shared import BIND_SOURCE, RESTART, parse_publish


@pytest.mark.parametrize(
    ("value", "ip", "host", "ctr"),
    [
        ("80", None, None, "80"),
        ("8080:80", None, "8080", "80"),
        ("127.0.0.1:8080:80", "127.0.0.1", "8080", "80"),
        ("127.0.0.1::80", "127.0.0.1", None, "80"),
        ("[::1]:8080:80/udp", "[::1]", "8080", "80"),
        ("8000-8010:80-90", None, "8000-8010", "80-90"),
    ],
)
def test_publish_forms(value: str, ip: str | None, host: str | None, ctr: str) -> None:
    p = parse_publish(value)
    assert p is not None and (p.host_ip, p.host_port, p.container_port) == (ip, host, ctr)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("no", True), ("always", True), ("unless-stopped", True), ("on-failure:3", True),
     ("on-failure", True), ("sometimes", False), ("on-failure:x", False), ("", False)],
)  # fmt: skip
def test_restart_policies(value: str, ok: bool) -> None:
    assert bool(RESTART.match(value)) is ok


@pytest.mark.parametrize(
    ("source", "bind"),
    [("./conf", True), ("/srv/data", True), ("~/x", True), ("$(pwd)/x", True), ("C:/x", True),
     ("pgdata", False), ("my_volume.1", False)],
)  # fmt: skip
def test_bind_sources(source: str, bind: bool) -> None:
    assert bool(BIND_SOURCE.match(source)) is bind
