"""Study replies inside the chat: due flashcards and a cram plan (split out of the engine).

They read the study history (a loader the web layer lends the turn, see
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
from app.mentor.types import Reply
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
