"""The mentor: one turn = route the message, act, stream the reply, update the state.

Both the web app and the CLI call `Mentor.stream()` / `Mentor.reply()`. Backend failures never
escape: the turn falls back to the offline engine and `Reply.notice` says so.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from app import notes_format
from app.catalog import LAST_SECTION, SECTION_TITLES
from app.conversation import ConversationState
from app.llm.base import Backend, BackendError, Request
from app.llm.offline import OfflineBackend
from app.mentor import replies
from app.mentor.evidence import Evidence
from app.mentor.notes_check import understand
from app.mentor.section_matcher import SectionMatcher
from app.mentor.turn_context import STUDY_EVENTS, WHOLE_TEXT
from app.mentor.types import Citation, Delta, Done, Event, Meta, Reply, Route
from app.prompts import Prompts
from app.retrieval.index import MAX_K, clean_query

if TYPE_CHECKING:
    from app.knowledge import Knowledge
    from app.retrieval.index import Hit, HybridIndex
    from app.settings import Settings

log = logging.getLogger(__name__)

# passages a clarification draws on: the composer's coverage selection down-weights the weaker
# ones, so more of them add the facts the best one leaves out (tuning half of the clarify set,
# units only: 5 -> 0.826, 8 -> 0.843, 12 -> 0.834; any unit in them covers 0.944 / 0.964 / 0.972)
CLARIFY_K = 8
CLARIFY_MAX_TOKENS = 600
SHINGLE_WORDS = 6  # a leak is cut off after at most this many words of the system prompt


@dataclass
class Stats:
    """Counters the metrics endpoint reads."""

    llm_calls: int = 0
    fallbacks: int = 0
    tokens: int = 0
    canary_blocks: int = 0
    by_intent: dict[str, int] = field(default_factory=dict)


class Mentor:
    def __init__(
        self,
        kb: Knowledge,
        index: HybridIndex,
        prompts: Prompts,
        backend: Backend | None = None,
        *,
        interview: Any = None,
        canary: str | None = None,
        max_tokens: int | None = None,
    ) -> None:
        self.kb = kb
        self.index = index
        self.prompts = prompts
        self.offline = OfflineBackend(index.embedder)
        self.backend = backend or self.offline
        # the router remembers message vectors in the index's query memory: a message the
        # router encoded (a vote, the on-topic check) is not encoded again by the search
        self.matcher = SectionMatcher.from_knowledge(
            kb, index.embedder, remember=index.query_vector
        )
        # the grader's myth catalogue and other questions (encoded on the first grade)
        self.evidence = Evidence(kb, index.embedder)
        self.max_tokens = max_tokens
        self.canary = canary or f"CANARY-{secrets.token_hex(8)}"
        self._fingerprints = _shingles(self.prompts.render("system.j2", canary=self.canary))
        self.stats = Stats()
        self.interview = interview if interview is not None else self._default_interview()

    @classmethod
    def from_settings(cls, settings: Settings, kb: Knowledge, index: HybridIndex) -> Mentor:
        from app.llm import backend_from_settings

        backend = backend_from_settings(settings)
        mentor = cls(
            kb, index, Prompts(settings.prompts_dir), backend, max_tokens=settings.llm_max_tokens
        )
        mentor.matcher.cache_dir = settings.resolved_index_dir
        mentor.evidence.cache_dir = settings.resolved_index_dir
        mentor.warm()
        return mentor

    def warm(self) -> None:
        """Compute what the first turn would otherwise wait for (alias vectors, a composition)."""
        self.matcher.warm()
        question = "what is a container"
        hits = self._hits(question)
        self.offline.select(
            question,
            [self._passage(h) for h in hits],
            query_vector=self.index.query_vector(question),
        )

    def _default_interview(self) -> Any:
        try:
            from app.mentor.grader import OfflineGrader
            from app.mentor.interview import InterviewService
        except ImportError:  # pragma: no cover - only while the interview module is missing
            return None
        grader: Any = OfflineGrader(self.index.embedder, self.prompts, evidence=self.evidence)
        if self.backend is not self.offline:
            from app.mentor.grader import LLMGrader

            grader = LLMGrader(self.backend, self.prompts, grader)
        return InterviewService(self.kb, self.index, grader, self.prompts)

    @property
    def llm_enabled(self) -> bool:
        return self.backend is not self.offline

    # -- the turn ------------------------------------------------------------------------------

    async def reply(self, state: ConversationState, message: str) -> Reply:
        final: Reply | None = None
        async for event in self.stream(state, message):
            if isinstance(event, Done):
                final = event.reply
        assert final is not None
        return final

    async def clarify(self, state: ConversationState, question: str) -> Reply:
        """Answer `question` as a clarification whatever the router would say (benchmarks, CLI)."""
        final: Reply | None = None
        async for event in self._clarify(state, question, Route("clarify")):
            if isinstance(event, Done):
                final = event.reply
        assert final is not None
        return final

    async def stream(self, state: ConversationState, message: str) -> AsyncIterator[Event]:
        """Route `message`, stream the reply; mutates `state`. Never raises for LLM trouble.

        A compound request ("section 5 then quiz me") streams both parts as one reply: the
        first part's events, a rule, the second part's text; one Done with both. An interview
        asked for first goes second, so that its first question ends the reply."""
        r = understand(message, state, self.matcher, self.index)
        state.turns += 1
        self.stats.by_intent[r.intent] = self.stats.by_intent.get(r.intent, 0) + 1
        parts = [r] if r.then is None else [replace(r, then=None), r.then]
        if parts[0].intent == "interview":  # "mock on security, then explain rootless mode"
            parts.reverse()  # the interview's question ends the reply: the next message answers it
        done: list[Reply] = []
        for i, part in enumerate(parts):
            async for e in self._dispatch(state, message, part):
                if isinstance(e, Done):
                    done.append(e.reply)
                elif isinstance(e, Meta) and i:
                    yield Delta("\n\n---\n\n")
                else:
                    yield e
        first = done[0]
        if len(done) > 1:
            last = done[-1]
            first = replace(
                first,
                markdown=f"{first.markdown}\n\n---\n\n{last.markdown}",
                citations=list(dict.fromkeys([*first.citations, *last.citations])),
                notice=first.notice or last.notice,
                card=last.card or first.card,
            )
        yield Done(first)

    def _dispatch(self, state: ConversationState, message: str, r: Route) -> AsyncIterator[Event]:
        """The events of one routed request."""
        if r.problem:
            return self._emit_text(Reply(intent=r.intent, markdown=r.problem))
        if r.intent in ("section", "next"):
            return self._section(state, r)
        if r.intent == "interview":
            return self._interview_start(state, r)
        if r.intent == "answer":
            return self._interview_answer(state, message)
        if r.intent == "clarify":
            return self._clarify(state, message, r)
        if r.intent == "help" and r.command == "cards":
            return self._cards_events(state)
        if r.intent == "help":
            return self._emit_text(self._help(state, r))
        return self._emit_text(self._other(state, r))

    async def _cards_events(self, state: ConversationState) -> AsyncIterator[Event]:
        async for e in self._emit_text(await self._cards(state)):
            yield e

    async def _emit_text(self, reply: Reply) -> AsyncIterator[Event]:
        yield Meta(reply.intent, reply.section, reply.citations)
        async for piece in self._offline_pieces(reply.markdown):
            yield Delta(piece)
        yield Done(reply)

    async def _offline_pieces(self, text: str) -> AsyncIterator[str]:
        """`text` as the offline engine streams it: word by word, or whole (`whole_replies`)."""
        if text and WHOLE_TEXT.get():
            yield text
            return
        async for piece in self.offline.stream(Request("other", [], {"text": text})):
            yield piece

    # -- sections ------------------------------------------------------------------------------

    async def _section(self, state: ConversationState, r: Route) -> AsyncIterator[Event]:
        assert r.section is not None
        number = r.section
        section = self.kb.section(number)
        citations = [Citation(number, section.title)]
        yield Meta(r.intent, number, citations)
        notice = None
        backend_name = "offline"
        markdown = section.markdown
        if self.llm_enabled:
            generated: str | None = None
            parts: list[str] = []
            try:
                async for piece in self._llm_stream(self._notes_request(number)):
                    parts.append(piece)
                    yield Delta(piece)
                generated = await self._checked_note(number, "".join(parts))
            except BackendError as exc:
                notice = f"The language model failed ({exc}); these are the curated notes."
            if generated:
                markdown, backend_name = generated, self.backend.name
            elif notice is None:
                notice = (
                    "The generated notes broke the note format twice; these are the curated notes."
                )
            if notice:
                self.stats.fallbacks += 1
                yield Delta(f"\n\n> {notice}\n\n")
                async for piece in self._offline_pieces(markdown):
                    yield Delta(piece)
        else:
            async for piece in self._offline_pieces(markdown):
                yield Delta(piece)
        state.current_section = number
        state.mark_seen(number)
        state.mode = "revision" if state.mode != "interview" else state.mode
        if number >= LAST_SECTION:
            state.offered_section, state.offers_interview = None, True
        else:
            state.offered_section, state.offers_interview = number + 1, False
        yield Done(
            Reply(r.intent, markdown, number, citations, notice=notice, backend=backend_name)
        )

    def _notes_request(self, number: int) -> Request:
        chunks = [c for c in self.index.chunks if c.section == number and c.kind == "note"]
        section = self.kb.section(number)
        ctx = {
            "number": number,
            "title": section.title,
            "closing": notes_format.closing_question(number),
            "chunks": [{"citation": c.citation(), "text": c.text} for c in chunks],
            "canary": self.canary,
        }
        return Request(
            "notes",
            self.prompts.messages("system.j2", "notes_user.j2", **ctx),
            {"markdown": section.markdown, "number": number},
            max_tokens=self.max_tokens,
        )

    async def _checked_note(self, number: int, note: str) -> str | None:
        """The note when it validates, else one repair round; None when both fail."""
        problems = notes_format.validate(note, number)
        if not problems:
            return note.strip() + "\n"
        section = self.kb.section(number)
        ctx = {
            "number": number,
            "title": section.title,
            "closing": notes_format.closing_question(number),
            "problems": problems[:12],
            "note": note,
            "canary": self.canary,
        }
        messages = self.prompts.messages("system.j2", "notes_repair.j2", **ctx)
        request = Request("repair", messages, max_tokens=self.max_tokens)
        repaired = "".join([p async for p in self._llm_stream(request)])
        if notes_format.validate(repaired, number):
            return None
        return repaired.strip() + "\n"

    async def _llm_stream(self, request: Request) -> AsyncIterator[str]:
        """The configured backend's stream, guarded by the canary check."""
        self.stats.llm_calls += 1
        seen = ""
        async for piece in self.backend.stream(request):
            seen += piece
            self.stats.tokens += 1
            tail = _shingles(seen[-400:])
            if self.canary in seen or self.canary[:12] in seen or tail & self._fingerprints:
                self.stats.canary_blocks += 1
                raise BackendError("the reply tried to reveal the system prompt")
            yield piece

    # -- clarify -------------------------------------------------------------------------------

    def _hits(self, question: str) -> list[Hit]:
        return self.index.search(question, k=CLARIFY_K)

    def _code_hits(self, question: str, sections: set[int]) -> list[Hit]:
        """The best two chunks with a code block in `sections`: asked for an example, the answer
        needs one even when the chunks that explain the topic have none ("how do healthchecks
        work" is answered from prose; the HEALTHCHECK snippet sits under another heading)."""
        found = self.index.search(question, k=MAX_K, sections=sections)
        return [h for h in found if "```" in h.chunk.text][:2]

    def _passage(self, hit: Hit) -> dict[str, Any]:
        """A retrieved chunk as the composer and the prompt see it, with its answer units and
        their vectors from the index (embedded at build time)."""
        c = hit.chunk
        units, vectors = self.index.chunk_units(c.id)
        return {
            "id": c.id,
            "text": c.text,
            "citation": c.citation(),
            "section": c.section,
            "heading": c.heading,
            "anchor": c.anchor,
            "score": hit.score,
            "dense": hit.dense,
            "units": units,
            "vectors": vectors,
        }

    async def _clarify(
        self, state: ConversationState, message: str, r: Route
    ) -> AsyncIterator[Event]:
        simpler, example = r.command == "simpler", r.command == "example"
        question = (r.text or message).strip()
        if simpler and state.last_topic:
            question = state.last_topic
        elif example and state.last_topic:
            question = f"{state.last_topic}: example"  # "can u give example?" after an answer
        elif simpler and state.current_section:
            question = f"{SECTION_TITLES[state.current_section]} explained simply"
        hits = self._hits(question)
        if example and hits and not any("```" in h.chunk.text for h in hits):
            hits += self._code_hits(question, {h.chunk.section for h in hits[:2]})
        passages = [self._passage(h) for h in hits]
        top_section = hits[0].chunk.section if hits else None
        analogy = replies.analogy(self.kb, top_section) if simpler and top_section else None
        task = {
            "question": question,
            "passages": passages,
            "simpler": simpler,
            "example": example,
            "analogy": analogy,
            # the vector the search just computed: composing encodes nothing more
            # (the cleaned text, as search() encoded it: a line break must not encode it twice)
            "query_vector": self.index.query_vector(clean_query(question)) if hits else None,
        }
        # cite what the answer drew on: the top passages, one entry per heading
        citations = list(
            dict.fromkeys(
                Citation(h.chunk.section, h.chunk.heading, h.chunk.anchor) for h in hits[:3]
            )
        )
        yield Meta("clarify", top_section, citations)
        text, notice, backend_name = "", None, self.offline.name
        if self.llm_enabled:
            # the prompt is rendered only for a model: the offline composer reads `task`
            request = Request(
                "clarify",
                self.prompts.messages(
                    "system.j2",
                    "clarify_user.j2",
                    question=question,
                    passages=passages,
                    simpler=simpler,
                    canary=self.canary,
                ),
                task,
                max_tokens=min(self.max_tokens or CLARIFY_MAX_TOKENS, CLARIFY_MAX_TOKENS),
            )
            parts: list[str] = []
            try:
                async for piece in self._llm_stream(request):
                    parts.append(piece)
                    yield Delta(piece)
                text, backend_name = "".join(parts).strip(), self.backend.name
                if hits and not any(f"Section {c.section}" in text for c in citations):
                    text += "\n\n*Sources: " + "; ".join(str(c) for c in citations) + "*"
            except BackendError as exc:
                self.stats.fallbacks += 1
                notice = f"The language model failed ({exc}); this answer comes from the notes."
                yield Delta(f"\n\n> {notice}\n\n")
        if not text:
            text = self.offline.compose(task)
            async for piece in self._offline_pieces(text):
                yield Delta(piece)
        footer = self.prompts.render(
            "replies/clarify_footer.j2",
            reminder=self.interview.reminder(state)
            if state.mode == "interview" and self.interview
            else None,
            offered=state.offered_section,
            offered_title=SECTION_TITLES.get(state.offered_section or 0, ""),
            top_section=top_section if top_section != state.current_section else None,
            top_title=SECTION_TITLES.get(top_section or 0, ""),
        )
        if footer:
            yield Delta("\n\n" + footer)
            text += "\n\n" + footer
        if not simpler:
            state.last_topic = question
        yield Done(Reply("clarify", text, top_section, citations, notice, backend_name))

    # -- interview -----------------------------------------------------------------------------

    async def _interview_start(self, state: ConversationState, r: Route) -> AsyncIterator[Event]:
        if self.interview is None:
            async for e in self._emit_text(
                Reply("interview", "Mock interviews are not available in this build yet.")
            ):
                yield e
            return
        state.offers_interview = False
        reply = await self.interview.start(state, list(r.sections), r.count or 5)
        async for e in self._emit_text(reply):
            yield e

    async def _interview_answer(
        self, state: ConversationState, message: str
    ) -> AsyncIterator[Event]:
        if self.interview is None:
            state.mode = "revision"
            async for e in self._emit_text(Reply("other", "There is no interview running.")):
                yield e
            return
        reply = await self.interview.handle(state, message)
        async for e in self._emit_text(reply):
            yield e

    # -- help and the rest ---------------------------------------------------------------------

    def _help(self, state: ConversationState, r: Route) -> Reply:
        if r.command == "plan":
            return replies.plan(self.kb, self.prompts, state, r.count or 30)
        return replies.help_reply(self.prompts, state, r)

    async def _cards(self, state: ConversationState) -> Reply:
        return await replies.cards(
            self.kb, self.prompts, STUDY_EVENTS.get(), replies.next_section(state)
        )

    def _other(self, state: ConversationState, r: Route) -> Reply:
        return replies.other(self.prompts, state, r)


def _shingles(text: str, n: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """Every run of n consecutive words (lowercased): how a leaked system prompt is spotted."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def build(settings: Settings) -> Mentor:
    """Load the knowledge and the (cached) index, and wire the mentor the settings ask for."""
    from app import knowledge
    from app.retrieval.cache import load_or_build

    kb = knowledge.load(settings.knowledge_dir)
    return Mentor.from_settings(settings, kb, load_or_build(settings, kb))
