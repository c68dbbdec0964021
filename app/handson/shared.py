"""Small rules shared by the Dockerfile, docker CLI and Compose checks."""

from __future__ import annotations

import re

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
