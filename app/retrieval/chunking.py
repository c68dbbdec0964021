"""Split the knowledge into retrievable chunks: one per `###` sub-topic, one per question.

A chunk is the unit the index ranks and the mentor cites, so it must stand alone: it knows its
section, its heading and how to cite itself. Long sub-topics are split between paragraphs,
never inside a fenced code block or a table, so a cited passage is always well-formed Markdown.

A chunk is also split into answer units (sentences, bullets, table rows) by `split_units`: the
offline composer picks among them, and the index embeds them at build time so that answering
a question encodes nothing but the question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.knowledge import Knowledge, Question, Section
from app.text import EMPHASIS, slugify, spot

# Bump whenever the chunk boundaries, ids or embedded text change: it is part of the cache key.
CHUNKER_VERSION = "12"

MAX_CHUNK_WORDS = 350  # split a sub-topic longer than this between paragraphs
OVERVIEW_HEADING = "Overview"

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_SUBHEADING = re.compile(r"^\s{0,3}###\s+(.+?)\s*#*\s*$")
_SECTION_HEADING = re.compile(r"^\s{0,3}#{1,2}\s+Section\s+\d+\b")
_IMP = re.compile(r"\s*\(IMP\)\s*$", re.IGNORECASE)
_QUOTE_OR_HEADING = re.compile(r"[>#]+")  # Markdown marks beside EMPHASIS


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage. `text` is Markdown as written in the knowledge files."""

    id: str
    section: int
    section_title: str
    heading: str
    kind: str  # "note" | "question"
    text: str
    imp: bool = False
    part: int = 0  # 0 for the first (or only) piece of a split sub-topic
    points: tuple[str, ...] = ()  # a bank question's key points: answer units, never its text
    # the ways candidates type a question it answers (a bank question, or a note's sub-topic):
    # search keys, never shown
    asked_as: tuple[str, ...] = ()

    def citation(self) -> str:
        """'Section 5 > Service Discovery & DNS'."""
        return f"Section {self.section} > {self.heading}"

    @property
    def anchor(self) -> str:
        """Its spot on the section's printable page: `/sections/N#<anchor>` lands on it."""
        return spot(self.id, self.heading)

    def embed_text(self) -> str:
        """What the embedding model and BM25 see: the text with its section and heading as context.

        The heading path is prepended because a sub-topic's body often never repeats the words
        that name it ("Restart Policies" may only say `--restart unless-stopped`).
        """
        return f"{self.section_title} > {self.heading}\n{self.text}"

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "section": self.section,
            "section_title": self.section_title,
            "heading": self.heading,
            "kind": self.kind,
            "text": self.text,
            "imp": self.imp,
            "part": self.part,
            "points": list(self.points),
            "asked_as": list(self.asked_as),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Chunk:
        points, asked_as = data.get("points"), data.get("asked_as")
        return cls(
            id=str(data["id"]),
            section=int(str(data["section"])),
            section_title=str(data["section_title"]),
            heading=str(data["heading"]),
            kind=str(data["kind"]),
            text=str(data["text"]),
            imp=bool(data["imp"]),
            part=int(str(data.get("part", 0))),
            points=tuple(str(p) for p in points) if isinstance(points, list) else (),
            asked_as=tuple(str(p) for p in asked_as) if isinstance(asked_as, list) else (),
        )


def words(text: str) -> int:
    return len(text.split())


def _lines(markdown: str) -> Iterator[tuple[str, bool]]:
    """Each line, and whether it belongs to a fenced code block (its fences included)."""
    fence: str | None = None
    for line in markdown.splitlines():
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)[0] * 3
        elif fence is not None and m and m.group(1).startswith(fence):
            yield line, True
            fence = None
            continue
        yield line, fence is not None


def blocks(markdown: str) -> list[str]:
    """Blank-line separated blocks; a fenced code block is one block even with blank lines inside.

    Tables contain no blank lines, so a table is never cut either.
    """
    out: list[str] = []
    current: list[str] = []
    for line, code in _lines(markdown):
        if not code and not line.strip():
            if current:
                out.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        out.append("\n".join(current))
    return out


def pack(parts: list[str], limit: int = MAX_CHUNK_WORDS) -> list[str]:
    """Greedily join consecutive blocks into pieces of at most `limit` words.

    A single block over the limit (a long table or code block) stays whole. A lone short last
    block is folded into the previous piece rather than left as a stub.
    """
    pieces: list[list[str]] = []
    size = 0
    for block in parts:
        n = words(block)
        if pieces and size + n <= limit:
            pieces[-1].append(block)
            size += n
        else:
            pieces.append([block])
            size = n
    if len(pieces) > 1 and sum(words(b) for b in pieces[-1]) < 40:
        pieces[-2].extend(pieces.pop())
    return ["\n\n".join(p) for p in pieces]


def _is_closing(block: str) -> bool:
    """The note's last line offers the next section; it belongs to no sub-topic."""
    lines = block.strip().splitlines()
    return len(lines) == 1 and lines[0].rstrip().endswith("?")


def _split_section(markdown: str) -> tuple[str, list[tuple[str, str]]]:
    """(overview, [(raw heading, body), ...]) with the `## Section N` line removed."""
    overview: list[str] = []
    topics: list[tuple[str, list[str]]] = []
    for line, code in _lines(markdown):
        if not code:
            if _SECTION_HEADING.match(line) and not topics:
                continue
            h = _SUBHEADING.match(line)
            if h:
                topics.append((h.group(1), []))
                continue
        (topics[-1][1] if topics else overview).append(line)
    return "\n".join(overview).strip(), [(h, "\n".join(b).strip()) for h, b in topics]


def chunk_section(section: Section) -> list[Chunk]:
    """Sub-topic chunks of one section note; the overview joins the first sub-topic."""
    overview, topics = _split_section(section.markdown)
    if topics:
        last_blocks = blocks(topics[-1][1])
        if last_blocks and _is_closing(last_blocks[-1]):
            topics[-1] = (topics[-1][0], "\n\n".join(last_blocks[:-1]))
    elif overview:
        ob = blocks(overview)
        if ob and _is_closing(ob[-1]):
            overview = "\n\n".join(ob[:-1])
    if not topics:
        topics = [(OVERVIEW_HEADING, "")]
    chunks: list[Chunk] = []
    used: dict[str, int] = {}
    for i, (raw, body) in enumerate(topics):
        heading = _IMP.sub("", raw).strip() or OVERVIEW_HEADING
        imp = bool(_IMP.search(raw))
        if i == 0 and overview:
            body = f"{overview}\n\n{body}".strip()
        if not body.strip():
            continue
        slug = slugify(heading)
        used[slug] = used.get(slug, 0) + 1
        if used[slug] > 1:
            slug = f"{slug}-{used[slug]}"
        for part, text in enumerate(pack(blocks(body))):
            chunks.append(
                Chunk(
                    id=f"s{section.number:02d}/{slug}/{part}",
                    section=section.number,
                    section_title=section.title,
                    heading=heading,
                    kind="note",
                    text=text,
                    imp=imp,
                    part=part,
                    asked_as=section.asked_as.get(heading, ()),
                )
            )
    return chunks


def question_heading(question: Question, max_words: int = 8) -> str:
    """'Interview question: What is the difference between ...' (the first few words)."""
    plain = _QUOTE_OR_HEADING.sub("", EMPHASIS.sub("", question.question)).split()
    head = " ".join(plain[:max_words])
    return f"Interview question: {head}{' ...' if len(plain) > max_words else ''}"


def chunk_question(question: Question, section: Section) -> Chunk:
    text = f"**Q:** {question.question.strip()}\n\n{question.model_answer.strip()}"
    return Chunk(
        id=f"q/{question.id}",
        section=section.number,
        section_title=section.title,
        heading=question_heading(question),
        kind="question",
        text=text,
        imp=question.imp,
        points=tuple(question.key_points),
        asked_as=tuple(question.asked_as),
    )


def chunk_knowledge(kb: Knowledge) -> list[Chunk]:
    """Every section's sub-topic chunks, then its question-bank entries, in section order."""
    chunks: list[Chunk] = []
    for section in kb.sections.values():
        chunks.extend(chunk_section(section))
        chunks.extend(chunk_question(q, section) for q in section.questions)
    return chunks


# ---------------------------------------------------------------- answer units

_CODE_BLOCK = re.compile(r"```[^\n]*\n.*?```", re.S)
# a sentence ends at . ! ? before a capital, a digit or markup, and also before a lower-case word
# (the notes start sentences with commands: "... add -d. docker info lists them"), except after
# the abbreviations e.g., i.e., etc. and vs.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z0-9`*(])"
    r"|(?<![\s(]e\.g\.)(?<![\s(]i\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<=[a-z0-9`)\]'\"][.!?])\s+(?=[a-z])"
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")
_ANSWER_MARK = re.compile(r"^\*\*A:\*\*\s*")  # a bank answer's "**A:**", never part of a unit
_RULE_CELL = re.compile(r":?-{2,}:?")


def split_units(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """A chunk's prose split into (kind, text) units, and its code blocks.

    Kinds: "sentence", "bullet", "row" (a table row read as "first cell: header: cell; ...").
    A question restated (the whole `**Q:**` line, a line ending in "?") is no answer and is
    left out.
    """
    codes = [m.group(0) for m in _CODE_BLOCK.finditer(text)]
    prose = _CODE_BLOCK.sub("\n", text)
    units: list[tuple[str, str]] = []
    header: list[str] = []
    for raw in prose.splitlines():
        line = raw.strip()
        if not line.startswith("|"):
            header = []  # a table ends at its first other line: the next table has its own header
        if not line or line.startswith("#"):
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(_RULE_CELL.fullmatch(c) for c in cells if c):
                continue
            if not header:
                header = cells
                continue
            pairs = [f"{h}: {c}" for h, c in zip(header[1:], cells[1:], strict=False) if c]
            units.append(("row", f"{cells[0]} — " + "; ".join(pairs)))
            continue
        if line.startswith("**Q:**"):
            continue  # the question restated, every sentence of it ("... Why?" after a scenario)
        if line.startswith(">"):
            line = line.lstrip("> ").strip()
        if _LIST_ITEM.match(raw):
            units.append(("bullet", _LIST_ITEM.sub("", line).strip()))
            continue
        short = ""  # a fragment too short to stand alone ("Not by default.") opens the next
        for sentence in _SENTENCE_END.split(_ANSWER_MARK.sub("", line)):
            sentence = f"{short} {sentence}".strip() if short else sentence.strip()
            short = "" if len(sentence.split()) >= 4 else sentence
            if not short:
                units.append(("sentence", sentence))
    kept = []
    for kind, unit in units:
        if unit.rstrip().endswith("?") or len(unit) <= 12:
            continue
        kept.append((kind, _ANSWER_MARK.sub("", unit)))
    return kept, codes


_QUESTION_LINE = re.compile(r"^\*\*Q:\*\*\s*(.+)")


def chunk_units(chunk: Chunk) -> list[tuple[str, str]]:
    """The units the index embeds for a chunk: its answer units; for a bank question then its
    key points (kind "point": the facts an interviewer expects, each one line), and its
    question text, and for any chunk the ways candidates type a question it answers, last, kind
    "question": the composer's test of whether the user asked this very question (they are never
    shown)."""
    units = split_units(chunk.text)[0]
    units += [("point", p) for p in chunk.points]
    if chunk.kind == "question" and (m := _QUESTION_LINE.match(chunk.text)):
        units.append(("question", m.group(1).strip()))
    return units + [("question", p) for p in chunk.asked_as]
