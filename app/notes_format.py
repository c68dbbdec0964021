"""The fixed note format (DESIGN.md) as executable rules.

`validate(text, number)` returns a list of human-readable problems; an empty list means the note
is valid. Curated notes, notes an LLM generated and `mentor check` all go through here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.catalog import LAST_SECTION, SECTION_TITLES

MIN_WORDS = 350
MAX_WORDS = 1500
MIN_SUBHEADINGS = 3

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([^\s`]*)")
_QUOTED_FENCE = re.compile(r"^\s*>.*(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}(#{1,2})\s+Section\s+(\d+)\s*[:\-–—]\s*(.+?)\s*#*\s*$", re.I)
_SUBHEADING = re.compile(r"^\s{0,3}###\s+\S")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")
_LABELS = {
    "Common Pitfall": re.compile(r"\*\*\s*(common\s+)?pitfalls?\b", re.I),
    "Best Practice": re.compile(r"\*\*\s*best\s+practices?\b", re.I),
    "Version Note": re.compile(r"\*\*\s*version\s+notes?\b", re.I),
    "Analogy": re.compile(r"\*\*\s*(real[- ](life|world)\s+)?analog(y|ies)\b", re.I),
}
_FOOTNOTE = re.compile(r"\[\^\w+\]|\\[&$_#]")
_SENTENCE_END = re.compile(
    r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\betc)[.!?](?=\s+[A-Z0-9`*(\"]|\s*$)"
)


@dataclass(frozen=True)
class Problem:
    """One broken rule; `line` is 1-based within the note text (0 when it concerns the whole)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def _norm_title(title: str) -> str:
    t = title.lower().replace("&", " and ").replace("*", "")
    return re.sub(r"[^a-z0-9/]+", " ", t).strip()


def _split_code(lines: list[str]) -> tuple[list[bool], list[Problem], list[tuple[int, str]]]:
    """Mark which lines are inside fenced code; report unbalanced fences; list the opening tags."""
    in_code = [False] * len(lines)
    problems: list[Problem] = []
    openings: list[tuple[int, str]] = []
    fence: str | None = None
    start = 0
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence is None:
            if m:
                fence, start = m.group(1), i
                openings.append((i + 1, m.group(2)))
                in_code[i] = True
        else:
            in_code[i] = True
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2):
                fence = None
    if fence is not None:
        problems.append(Problem(start + 1, "code fence opened here is never closed"))
    return in_code, problems, openings


def find_problems(text: str, number: int) -> list[Problem]:
    """Every way `text` breaks the fixed note format for section `number`."""
    problems: list[Problem] = []
    if number not in SECTION_TITLES:
        return [Problem(0, f"section number {number} is outside 1-{LAST_SECTION}")]
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return [Problem(0, "the note is empty")]
    in_code, fence_problems, openings = _split_code(lines)
    problems += fence_problems
    prose = [(i, line) for i, line in enumerate(lines) if not in_code[i]]
    nonblank = [(i, line) for i, line in prose if line.strip()]

    # 1. heading `Section N: Title`, then a 1-3 sentence overview
    first_i, first = nonblank[0] if nonblank else (0, "")
    m = _HEADING.match(first)
    title = SECTION_TITLES[number]
    if not m:
        problems.append(
            Problem(first_i + 1, f"must start with a heading '## Section {number}: {title}'")
        )
    else:
        if int(m.group(2)) != number:
            problems.append(
                Problem(first_i + 1, f"heading names Section {m.group(2)}, expected {number}")
            )
        if _norm_title(m.group(3)) != _norm_title(title):
            problems.append(
                Problem(first_i + 1, f"heading title '{m.group(3)}' should be '{title}'")
            )
    sub_idx = [i for i, line in prose if _SUBHEADING.match(line)]
    overview_end = sub_idx[0] if sub_idx else len(lines)
    overview = " ".join(
        line.strip() for i, line in nonblank if first_i < i < overview_end and not in_code[i]
    ).strip()
    if not overview:
        problems.append(Problem(first_i + 1, "needs a 1-3 sentence overview under the heading"))
    else:
        sentences = len(_SENTENCE_END.findall(overview)) or 1
        if sentences > 3:
            problems.append(
                Problem(first_i + 2, f"overview has {sentences} sentences; keep it to 1-3")
            )

    # 2. sub-headings and (IMP)
    if len(sub_idx) < MIN_SUBHEADINGS:
        problems.append(
            Problem(0, f"needs at least {MIN_SUBHEADINGS} '###' sub-headings, found {len(sub_idx)}")
        )
    if not any("(IMP)" in line for _, line in prose):
        problems.append(Problem(0, "no topic is marked (IMP); mark the hottest interview topics"))

    # 3. a pipe table
    if not any(
        line.lstrip().startswith("|") and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1])
        for i, line in prose
    ):
        problems.append(Problem(0, "needs at least one comparison table (pipe table)"))

    # 4. code: a tagged block, and no fence inside a quote
    if not openings:
        problems.append(
            Problem(0, "needs at least one fenced code block (command, Dockerfile ...)")
        )
    elif not any(tag for _, tag in openings):
        problems.append(Problem(openings[0][0], "code blocks need a language tag (```bash ...)"))
    for i, line in prose:
        if _QUOTED_FENCE.match(line):
            problems.append(
                Problem(i + 1, "code fence inside a '>' quote; put code in its own block")
            )

    # 5. the four labels
    body = "\n".join(line for _, line in prose)
    for label, pattern in _LABELS.items():
        if not pattern.search(body):
            problems.append(Problem(0, f"needs at least one **{label}**"))

    # 6. export junk
    for i, line in prose:
        if _FOOTNOTE.search(line):
            problems.append(Problem(i + 1, "footnote marker or stray escape (\\&, [^1]) left in"))

    # 7. length (prose words; code is not counted)
    words = sum(len(line.split()) for _, line in prose)
    if words < MIN_WORDS:
        problems.append(Problem(0, f"too short: {words} words, at least {MIN_WORDS}"))
    elif words > MAX_WORDS:
        problems.append(Problem(0, f"too long: {words} words, at most {MAX_WORDS}"))

    # 8. the closing question
    last_i, last = nonblank[-1] if nonblank else (0, "")
    problems += _closing_problems(last_i + 1, last.strip(), number)
    return problems


def _closing_problems(line_no: int, last: str, number: int) -> list[Problem]:
    if not last.rstrip("*_ ").endswith("?"):
        return [Problem(line_no, "must end by asking whether to continue with the next section")]
    if number == LAST_SECTION:
        if not re.search(r"mock interview|recap", last, re.I):
            return [Problem(line_no, "section 20 must end by offering a mock interview or a recap")]
        return []
    nxt = number + 1
    named = [int(n) for n in re.findall(r"Section\s+(\d+)", last, re.I)]
    if nxt not in named:
        if named:
            msg = f"closing question offers Section {named[0]}; the next section is {nxt}"
        else:
            msg = f"closing question must name Section {nxt}: {SECTION_TITLES[nxt]}"
        return [Problem(line_no, msg)]
    if _norm_title(SECTION_TITLES[nxt]) not in _norm_title(last):
        return [
            Problem(line_no, f"closing question must give the exact title '{SECTION_TITLES[nxt]}'")
        ]
    return []


def validate(text: str, number: int) -> list[str]:
    """Problems with `text` as the note for section `number`; empty when it is valid."""
    return [str(p) for p in find_problems(text, number)]


def closing_question(number: int) -> str:
    """The canonical closing line for section `number`."""
    if number >= LAST_SECTION:
        return "Ready for a **mock interview** on everything, or a quick recap?"
    nxt = number + 1
    return f"Shall we continue with **Section {nxt}: {SECTION_TITLES[nxt]}**?"
