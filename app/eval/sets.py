"""The benchmark sets `mentor eval` runs, read from bench/data/ (a source checkout) and knowledge/.

Sets whose files are missing (an installed wheel has no bench/) are simply empty: their metrics
are left out of the row rather than scored as zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.settings import ROOT

BENCH_DATA = ROOT / "bench" / "data"
INJECTIONS = Path(__file__).parent / "data" / "injections.yaml"


@dataclass(frozen=True)
class ClarifyCase:
    question: str
    key_points: list[str]
    sections: list[int] = field(default_factory=list)  # the guide sections that answer it


@dataclass(frozen=True)
class GradeCase:
    question: str
    section: int
    key_points: list[str]
    answer: str
    label: str  # strong | partial | wrong


@dataclass(frozen=True)
class Sets:
    sections: list[int]
    clarify: list[ClarifyCase]
    grading: list[GradeCase]
    injections: list[str]


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None


def load(limit: int | None = None, data: Path = BENCH_DATA) -> Sets:
    """Every set, each cut to its first `limit` items (the held-out halves where there is a split,
    so a quick run never scores what the engines were tuned on)."""
    n = limit if limit and limit > 0 else None
    raw_clarify = _yaml(data / "clarify_questions.yaml") or []
    clarify = [
        ClarifyCase(
            str(r["q"]), [str(k) for k in r["key_points"]], [int(s) for s in r.get("sections", [])]
        )
        for i, r in enumerate(raw_clarify)
        if i % 2 == 1
    ]
    raw_grading = (_yaml(data / "grading_heldout.yaml") or {}).get("questions", [])
    grading = [
        GradeCase(
            str(q["question"]),
            int(q["section"]),
            [str(k) for k in q["key_points"]],
            str(a["text"]),
            str(a["label"]),
        )
        for i, q in enumerate(raw_grading)
        if i % 2 == 1
        for a in q["answers"]
    ]
    injections = [str(m) for m in _yaml(INJECTIONS) or []]
    return Sets(
        sections=list(range(1, 21))[:n],
        clarify=clarify[:n],
        grading=grading[: n * 3 if n else None],
        injections=injections[:n],
    )


_IMP = re.compile(r"^#{2,4}\s+(.*\(IMP\).*)$", re.M)
_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)


def key_facts(markdown: str) -> list[str]:
    """What must survive a rewrite of a curated note: its (IMP) headings, the first cell of each
    table row, and each command line of its code blocks."""
    facts = [m.group(1).replace("(IMP)", "").strip() for m in _IMP.finditer(markdown)]
    for line in markdown.splitlines():
        line = line.strip()
        if line.startswith("|") and not re.fullmatch(r"[|:\- ]+", line):
            first = line.strip("|").split("|")[0].strip()
            if first:
                facts.append(first)
    for block in _FENCE.findall(markdown):
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ")
            if re.match(r"(docker|kubectl|podman|buildx|compose)\b", line):
                facts.append(line)
    return list(dict.fromkeys(facts))


def normal(text: str) -> str:
    """Lowercase, Markdown emphasis and backticks dropped, whitespace collapsed."""
    return " ".join(re.sub(r"[*_`]+", "", text.lower()).split())


def survived(facts: list[str], reply: str) -> float:
    """The share of `facts` found (normalised) in `reply`; 1.0 when the note had none."""
    if not facts:
        return 1.0
    text = normal(reply)
    return sum(normal(f) in text for f in facts) / len(facts)
