"""The mentor's replies that are not notes, answers or interviews (split out of the engine): help
and progress, the off-topic and empty-message replies, due flashcards and a cram plan.

The study replies read the study history (a loader the web layer lends the turn, see
`app.mentor.turn_context.study_history`) or the conversation's own record; no routing, no LLM.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from app.catalog import SECTION_TITLES
from app.conversation import ConversationState
from app.errors import MentorError
from app.mentor.types import Reply, Route
from app.prompts import Prompts

if TYPE_CHECKING:
    from app.knowledge import Knowledge
    from app.study.events import Event as StudyEvent

log = logging.getLogger(__name__)

DUE_CARDS_SHOWN = 3  # "review my due cards" lists this many questions


async def cards(
    kb: Knowledge,
    prompts: Prompts,
    loader: Callable[[], Sequence[StudyEvent]] | None,
    next_section: int | None,
) -> Reply:
    """How many flashcards are due and the first few questions; rating them is on /progress."""
    from datetime import UTC, datetime

    from app.study.cards import due as due_cards

    due: list[dict[str, Any]] | None = None
    count: int | None = None
    if loader is not None:
        try:
            events = await asyncio.to_thread(loader)
        except MentorError as exc:  # the store is away: the pointer alone still helps
            log.warning("no study history for the cards reply: %s", exc)
        else:
            found = due_cards(kb, events, datetime.now(UTC))
            count = len(found)
            due = [
                {
                    "front": d.card.front,
                    "section": d.card.section,
                    "title": SECTION_TITLES.get(d.card.section, ""),
                    "imp": d.card.imp,
                }
                for d in found[:DUE_CARDS_SHOWN]
            ]
    text = prompts.render("replies/cards.j2", due=due, due_count=count, due_hint=next_section)
    return Reply("help", text)


def plan(kb: Knowledge, prompts: Prompts, state: ConversationState, minutes: int) -> Reply:
    """A cram plan from what this conversation has done: sections read, interview scores."""
    from datetime import UTC, datetime

    from app.errors import BadInput
    from app.study.events import Event
    from app.study.plan import cram_plan

    now = datetime.now(UTC)
    events = [Event.read(n, now) for n in state.sections_seen]
    for n, result in state.results.items():
        at = datetime.fromtimestamp(result.at, UTC)
        for i in range(max(1, result.answered)):
            events.append(Event.interview(n, f"s{n}-q{i}", result.score, at))
    try:
        made = cram_plan(kb, events, minutes, now)
    except BadInput as exc:
        return Reply("help", f'I can\'t plan that: {exc}. Try *"I have 45 minutes"*.')
    text = prompts.render(
        "replies/plan.j2", plan=made.to_markdown(), first=made.items[0] if made.items else None
    )
    return Reply("help", text, section=made.items[0].section if made.items else None)


def next_section(state: ConversationState) -> int | None:
    """The section to suggest next: the one offered last, else the first not yet read."""
    if state.offered_section:
        return state.offered_section
    unseen = [n for n in SECTION_TITLES if n not in state.sections_seen]
    return unseen[0] if unseen else None


def help_reply(prompts: Prompts, state: ConversationState, r: Route) -> Reply:
    """What the mentor can do, or (`progress`) what this conversation has done so far."""
    if r.command == "empty":
        return other(prompts, state, Route("other", command="empty"))
    results = [
        {"section": n, "title": SECTION_TITLES[n], "score": res.score, "answered": res.answered}
        for n, res in sorted(state.results.items())
    ]
    text = prompts.render(
        "replies/help.j2",
        progress=r.command == "progress",
        seen=sorted(state.sections_seen),
        results=results,
        sections=list(SECTION_TITLES.items()),
        next_section=next_section(state),
    )
    return Reply("help", text)


def other(prompts: Prompts, state: ConversationState, r: Route) -> Reply:
    """A message that is not about Docker, empty, or an attempt at the system prompt."""
    text = prompts.render(
        "replies/other.j2", kind=r.command or "off-topic", next_section=next_section(state)
    )
    return Reply("other", text)


def analogy(kb: Knowledge, number: int) -> str | None:
    """The section's analogy line (the "explain it simpler" reply shows it)."""
    for line in kb.section(number).markdown.splitlines():
        if "**Analogy" in line:
            return line.split(":**", 1)[-1].strip() or None
    return None
