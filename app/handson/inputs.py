"""Turn whatever the user pasted into text the parsers can take, or a clear reason why not."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 20_000
MAX_LINES = 400

WHAT = {
    "dockerfile": "a Dockerfile",
    "docker_run": "a `docker run` command (plus any `docker network/volume create` it needs)",
    "docker_cli": "the docker command line(s)",
    "compose": "a compose.yaml file",
}

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})[\w+.-]*\s*$")


@dataclass(frozen=True)
class Cleaned:
    text: str | None
    problem: str | None = None


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:4000]
    control = sum(
        1
        for ch in sample
        if (unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")) and ch not in "\n\r\t\f"
    )
    return control > max(3, len(sample) // 50)


def clean(answer: str | bytes | None, kind: str) -> Cleaned:
    """Decode, bound and de-fence an answer; `problem` explains a refusal in plain words."""
    what = WHAT.get(kind, "your answer")
    if answer is None:
        return Cleaned(None, f"The answer is empty: paste {what}.")
    if isinstance(answer, bytes):
        if len(answer) > MAX_CHARS * 4:
            return Cleaned(None, _too_long(len(answer), what, unit="bytes"))
        if b"\x00" in answer:
            return Cleaned(None, _binary(what))
        try:
            answer = answer.decode("utf-8")
        except UnicodeDecodeError:
            return Cleaned(None, _binary(what))
    if len(answer) > MAX_CHARS:
        return Cleaned(None, _too_long(len(answer), what))
    if _looks_binary(answer):
        return Cleaned(None, _binary(what))
    text = answer.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    if len(lines) > MAX_LINES:
        return Cleaned(
            None,
            f"The answer has {len(lines)} lines; at most {MAX_LINES} are checked. "
            f"Paste only {what}, not a whole project.",
        )
    # Markdown fences become blank lines, so line numbers still match what the user pasted
    text = "\n".join("" if _FENCE.match(line) else line for line in lines)
    if not text.strip():
        return Cleaned(None, f"The answer is empty: paste {what}.")
    return Cleaned(text)


def _too_long(size: int, what: str, unit: str = "characters") -> str:
    return (
        f"The answer is {size:,} {unit}; answers are limited to {MAX_CHARS:,} characters "
        f"(about {MAX_LINES} lines). Paste only {what}, not logs or a whole project."
    )


def _binary(what: str) -> str:
    return f"This looks like binary data, not text. Paste {what} as plain text (UTF-8)."


def sniff(text: str) -> str | None:
    """A guess at what the text is, for 'you pasted X but the task wants Y' messages."""
    stripped = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if not stripped:
        return None
    first = stripped[0]
    if re.match(r"^(FROM|ARG)\s", first, re.I) and any(
        re.match(r"^FROM\s", ln, re.I) for ln in stripped
    ):
        return "dockerfile"
    if re.match(r"^(\$\s*)?(sudo\s+)?(docker|docker-compose|podman)\b", first):
        return "docker_run"
    if re.match(r"^(services|version|name|volumes|networks|include)\s*:", first):
        return "compose"
    return None
