"""The key-point judge shared by `mentor eval` and bench/bench_clarify.py.

A key point is covered when some unit of the answer (sentence, bullet, table row or code block)
has MiniLM cosine >= THRESHOLD with it. It lives in app/ (not bench/) because the installed
`mentor eval` command needs it and bench/ is not shipped; bench imports it from here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.text import EMPHASIS

if TYPE_CHECKING:
    from app.retrieval.embeddings import Embedder

# calibrated with `python -m bench.bench_clarify --calibrate` on the question banks
THRESHOLD = 0.48

CODE_BLOCK = re.compile(r"```[^\n]*\n.*?```", re.S)
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`*(\"'])")


def answer_units(markdown: str) -> list[str]:
    """The judge's view of an answer: its sentences, bullets, table rows and code blocks."""
    units = [m.group(0) for m in CODE_BLOCK.finditer(markdown)]
    for line in CODE_BLOCK.sub("\n", markdown).splitlines():
        line = re.sub(r"^\s*(?:[-*+>]|\d+\.)\s+", "", line.strip())
        line = EMPHASIS.sub("", line).strip()  # a name keeps its underscores, as key points do
        if not line or line.startswith(("#", "Sources:", "Source:", "Want the full notes")):
            continue
        if line.startswith("|"):
            if not re.fullmatch(r"[|:\- ]+", line):
                units.append(" ".join(c.strip() for c in line.strip("|").split("|")))
            continue
        units.extend(s for s in _SENT.split(line) if len(s.split()) >= 2)
    return units


def covered(
    embedder: Embedder, key_points: list[str], units: list[str], threshold: float
) -> list[bool]:
    """For each key point, whether some unit is close enough to it."""
    if not units:
        return [False] * len(key_points)
    kv = embedder.encode(key_points)
    uv = embedder.encode(units)
    best = (kv @ uv.T).max(axis=1)
    return [bool(b >= threshold) for b in best]
