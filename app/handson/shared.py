"""Small rules shared by the Dockerfile, docker CLI and Compose checks.

`docker run` flags and Compose keys take the same values (restart policies, publish specs, short
volume specs), so their syntax lives here once and both checkers read it from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# names that usually hold credentials; *_FILE variants point at a file and are the good pattern
SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|"
    r"(^|_)KEY$|CREDENTIAL|AUTH)",
    re.I,
)

_REF = re.compile(
    r"^(?:(?P<registry>[a-z0-9.-]+(?::\d+)?)/)?(?P<path>[a-z0-9._/-]+?)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


def is_literal_secret(value: str | None) -> bool:
    """A value typed into the file or command, not taken from a variable, file or secret store."""
    if value is None:
        return False
    v = value.strip().strip("'\"")
    # placeholders such as "changeme" are literal secrets too
    return bool(v) and not v.startswith(("$", "/run/secrets"))


def image_ref_problem(ref: str) -> str | None:
    """Why an image reference is not reproducible (no tag, or :latest), else None."""
    ref = ref.strip()
    if not ref or "$" in ref:
        return None
    m = _REF.match(ref.lower())
    if not m:
        return None  # not an image reference we understand; the parser reports real errors
    if m.group("digest"):
        return None
    tag = m.group("tag")
    if tag is None:
        return "no tag, so it means :latest"
    if tag == "latest":
        return ":latest is a moving name, not a version"
    return None


_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?$", re.I)
_UNIT = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(text: str) -> int | None:
    """'512m' -> bytes (docker's RAMInBytes units: b, k, m, g, t; optional 'b'/'ib')."""
    m = _SIZE.match(str(text).strip())
    if not m:
        return None
    return int(float(m.group(1)) * _UNIT[m.group(2).lower()])


def is_loopback(host_ip: str | None) -> bool:
    if not host_ip:
        return False
    ip = host_ip.strip("[]")
    return ip.startswith("127.") or ip in ("::1", "localhost")


# ------------------------------------------------ values docker run and Compose share

# `--restart` and Compose `restart:`
RESTART = re.compile(r"^(no|always|unless-stopped|on-failure(:\d+)?)$")
RESTART_FORMS = "no, always, unless-stopped or on-failure[:N]"

# `-p` and Compose short `ports:`: [ip:][host-port:]container-port[/proto]; `${VAR}` where Compose
# interpolates (and a shell would expand it)
PUBLISH = re.compile(
    r"^(?:(?P<ip>\[[0-9a-fA-F:.]+\]|\d{1,3}(?:\.\d{1,3}){3}|localhost|\$\{[^}]+\}):)?"
    r"(?:(?P<host>\d{1,5}(?:-\d{1,5})?|\$\{[^}]+\})?:)?"
    r"(?P<ctr>\d{1,5}(?:-\d{1,5})?)(?:/(?P<proto>tcp|udp|sctp))?$"
)

# the source of a short volume spec (`-v SRC:DST`, Compose `- SRC:DST`) that is a host path, so a
# bind mount; anything else names a volume
BIND_SOURCE = re.compile(r"^([/.~$]|[A-Za-z]:)")


@dataclass(frozen=True)
class Publish:
    host_ip: str | None
    host_port: str | None
    container_port: str
    proto: str


def parse_publish(value: str) -> Publish | None:
    """A short publish spec (`127.0.0.1:8080:80/tcp`), or None when it is not one."""
    m = PUBLISH.match(value.strip())
    if not m:
        return None
    return Publish(
        m.group("ip"), m.group("host") or None, m.group("ctr"), m.group("proto") or "tcp"
    )
