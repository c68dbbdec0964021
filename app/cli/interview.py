"""`mentor grade` (the grader on its own) and `mentor interview` (a mock interview in the terminal).

Both use the same pieces as the web app: rubric_for + the grader, and the mentor engine with its
InterviewService (so side questions mid-interview are answered and you come back to the question).
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from app.catalog import SECTION_TITLES
from app.cli.console import note, out, parse_section_number, print_markdown, settings
from app.conversation import ConversationState
from app.errors import BadInput
from app.llm import backend_from_settings
from app.mentor.grader import MAX_ANSWER_CHARS, Grader, OfflineGrader, Rubric, rubric_for
from app.mentor.interview import REPLY_TEMPLATE
from app.prompts import Prompts

if TYPE_CHECKING:
    from app.knowledge import Knowledge
    from app.mentor.engine import Mentor
    from app.settings import Settings


def _grader(conf: Settings, kb: Knowledge) -> tuple[Grader, OfflineGrader]:
    """The LLM grader when an LLM is configured (falling back offline), else the offline one."""
    from app.mentor.evidence import Evidence
    from app.retrieval.embeddings import shared_embedder

    prompts = Prompts(conf.prompts_dir)
    embedder = shared_embedder(conf.embedding_model)
    evidence = Evidence(kb, embedder, conf.resolved_index_dir)
    offline = OfflineGrader(embedder, prompts, evidence=evidence)
    backend = backend_from_settings(conf)
    if backend is None:
        return offline, offline
    from app.mentor.grader import LLMGrader

    return LLMGrader(backend, prompts, offline), offline


def _rubric(
    conf: Settings,
    kb: Knowledge,
    offline: OfflineGrader,
    question: str,
    key_points: list[str] | None,
) -> Rubric:
    try:
        return rubric_for(question, key_points, kb, None, offline.embedder)
    except BadInput:
        if key_points:
            raise
    # no close bank question: key points from the notes (the index is cached on disk)
    from app.retrieval.cache import load_or_build

    index = load_or_build(conf, kb, embedder=offline.embedder)
    return rubric_for(question, None, kb, index, offline.embedder)


def grade(
    question: Annotated[str, typer.Option("--question", "-q", help="the interview question")],
    answer: Annotated[str, typer.Option("--answer", "-a", help="the answer to grade")],
    key_point: Annotated[
        list[str] | None,
        typer.Option("--key-point", "-k", help="a point a good answer makes (repeat the option)"),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the grade as JSON")] = False,
) -> None:
    """Grade one answer: strong / partial / wrong, a 0-10 score, covered and missed points.

    Without --key-point the rubric comes from the closest bank question, or from the notes.
    """
    from app import knowledge

    for name, value in (("question", question), ("answer", answer)):
        if not value.strip():
            raise BadInput(f"the {name} is empty: pass --{name} '...'")
        if len(value) > MAX_ANSWER_CHARS:
            raise BadInput(
                f"the {name} has {len(value)} characters; the limit is {MAX_ANSWER_CHARS}"
            )
    conf = settings()
    kb = knowledge.load(conf.knowledge_dir)
    grader, offline = _grader(conf, kb)
    points = [k for k in key_point or [] if k.strip()] or None
    rubric = _rubric(conf, kb, offline, question, points)
    result = asyncio.run(grader.agrade(rubric, answer))
    if json_out:
        data = {
            **result.to_json(),
            "rubric_source": rubric.source,
            "key_points": list(rubric.key_points),
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    if result.notice:
        note(result.notice)
    card = {**result.to_json(), "action": "graded", "follow_up": False}
    print_markdown(
        Prompts(conf.prompts_dir).render(
            REPLY_TEMPLATE,
            actions=[card],
            reminder=None,
            intro=None,
            too_short=False,
            rubric_source=rubric.source,
        )
    )


def interview(
    section: Annotated[
        list[str] | None,
        typer.Option("--section", "-s", help="a section number (repeat for several; default all)"),
    ] = None,
    count: Annotated[int, typer.Option("--count", "-n", min=1, max=20, help="questions")] = 5,
) -> None:
    """A mock interview in the terminal: one answer per line (hint, skip, repeat, stop ...)."""
    from app.mentor.engine import build

    sections = [parse_section_number(s) for s in section or []] or list(SECTION_TITLES)
    mentor = build(settings())
    if mentor.interview is None:
        raise BadInput("mock interviews are not available in this build")
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    asyncio.run(_interview_loop(mentor, sections, count, tty))


async def _interview_loop(mentor: Mentor, sections: list[int], count: int, tty: bool) -> None:
    conv = ConversationState()
    reply = await mentor.interview.start(conv, sections, count)
    _show(reply.markdown, reply.notice, tty)
    while conv.mode == "interview":
        line = await asyncio.to_thread(_read_line, tty)
        if line is None:  # end of input: finish with the scorecard
            line = "stop"
        if not line.strip():
            continue
        reply = await mentor.reply(conv, line)
        _show(reply.markdown, reply.notice, tty)


def _read_line(tty: bool) -> str | None:
    if tty:
        try:
            return input("answer> ")
        except EOFError:
            return None
    line = sys.stdin.readline()
    return line.rstrip("\n") if line else None


def _show(markdown: str, notice: str | None, tty: bool) -> None:
    if notice:
        note(notice)
    print_markdown(markdown)
    if tty:
        out.print()
    else:
        sys.stdout.write("\n")


def register(cli: typer.Typer) -> None:
    cli.command()(grade)
    cli.command()(interview)
