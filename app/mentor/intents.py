"""Intent routing: rules first, embedding similarity against section titles/aliases second.

No LLM is needed to route. `route()` is pure apart from the optional embedder call. A compound
request ("section 5 then quiz me", "do 6 and 7") is split and comes back with `Route.then`.
Where the rules are unsure (a statement no rule claims, an otherwise off-topic message), the
nearest labelled examples vote (`SectionMatcher.vote` in app/mentor/section_matcher.py), with
the Docker topic masked so that the vote is about the request, not the subject. The vocabulary
(regexes, number words) lives in app/mentor/intent_patterns.py; reading an interview request (how
many questions, on which sections) in app/mentor/interview_request.py; where in a message the
question, a correction or a clause of section names sits in app/mentor/message_parts.py.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.catalog import LAST_SECTION, SECTION_TITLES
from app.conversation import ConversationState
from app.mentor.go_on_words import (
    _BACK,
    _BACK_IN_CHAT,
    _GO_ON_ASKED,
    _GO_ON_IN_CHAT,
    _NO,
    is_back,
    is_yes,
)
from app.mentor.intent_patterns import (
    _AFTERWARDS,
    _AND_REQUEST,
    _ANY_QUESTION_WORD,
    _BARE_COMMAND,
    _CARDS,
    _CODE_OR_PORT,
    _CONFUSED,
    _DOCKER_WORDS,
    _GREETING,
    _HELP,
    _HELP_SEARCH,
    _INJECTION,
    _INTERVIEW,
    _LEAD_IN_QUESTION,
    _MORE_ON_IT,
    _NOT_QUIZ,
    _NOTES_NOUN,
    _NOTES_NUMBER,
    _NOTES_WORD,
    _NUM_WORD_RE,
    _OFF_TOPIC_SAID,
    _PLAN,
    _PLAN_TIME,
    _POINTS_AT_NOTES,
    _POLITE_REQUEST,
    _QUESTION_INSIDE,
    _QUESTION_START,
    _QUESTIONS_WANTED,
    _RECALLS,
    _REQUEST_START,
    _SECTION_THEN_QUESTION,
    _SHOW_NOTES,
    _SIMPLER,
    _SMALL_TALK_END,
    _SOCIAL,
    _STUDY_VERB,
    _THE_ONE,
    _THEN,
    _TWO_NUMBERS,
    _WHERE_ARE_NOTES,
    NUMBER_WORDS,
    _norm,
    _section_ref,
)
from app.mentor.interview_request import asking_part, interview_route
from app.mentor.message_parts import (
    _FROM_THE_START,
    _SAY_FILLER,
    _asked_first,
    _asks_inside,
    _asks_last,
    _corrected,
    _request_and_remark,
)
from app.mentor.section_matcher import SectionMatcher
from app.mentor.types import Route
from app.text import spell_out

ON_TOPIC_SIMILARITY = 0.5  # for questions with no Docker word at all
# a short message built around a word of the notes the model does not know ("tini?", "is gvisor
# worth it") is about that word; in a longer one the other words carry the meaning, and common
# words the model lacks ("delete", "cursor") would claim off-topic questions
TERM_MESSAGE_WORDS = 5


def route(message: str, state: ConversationState, matcher: SectionMatcher) -> Route:
    """Decide what `message` asks for, given where the conversation is. A compound request
    ("section 5 then quiz me", "do 6 and 7") comes back as its first part with `then` set."""
    message = matcher.respell(message)  # "volumns notes", "containers sectoin"
    if state.mode != "interview" and (parts := _compound(_norm(message).strip(" ?!."))):
        first = _route_one(parts[0], state, matcher)
        second = _route_one(parts[1], state, matcher)
        wanted = ("section", "interview")
        if first.intent == second.intent == "interview" and not (first.problem or second.problem):
            # "be the interviewer and ask me about registries": one interview, not two
            if first.command == "any" or second.command == "any":
                merged = second if first.command == "any" else first
            else:  # "quiz me on compose and ask me about swarm"
                merged = replace(
                    first, sections=tuple(dict.fromkeys(first.sections + second.sections))
                )
            return replace(merged, count=first.count or second.count)
        if (
            first.intent in wanted
            and second.intent in wanted
            and not (first.problem or second.problem)
        ):
            return replace(first, then=_quiz_on(second, first.section))  # "quiz me on it"
        if first.intent == "clarify" and second.intent == "interview" and not second.problem:
            # "explain volumes and then give me 3 questions": the answer, then the quiz on it
            named = matcher.by_words(parts[0])
            second = _quiz_on(second, named[0] if named else None)
            return replace(first, text=parts[0], then=second)
        if (
            first.intent in wanted
            and not first.problem
            and (second.intent == "clarify" or second.command in ("unclaimed", "off-topic"))
            and (_QUESTION_START.match(parts[1]) or message.rstrip().endswith("?"))
        ):
            # "open the ci/cd notes, then explain what a multi stage build saves": the notes or
            # the interview, and the answer to the question of the second part. One no rule
            # claimed is about Docker when it holds a word of the notes the model does not know
            # ("and after tell me what is tini"): the first part set the topic. Else the
            # mentor's notes check decides, as for a whole message.
            if second.intent != "clarify" and matcher.notes_term(parts[1]):
                second = Route("clarify")
            return replace(first, then=replace(second, text=parts[1]))
    if state.mode != "interview" and (m := _SECTION_THEN_QUESTION.match(message.strip())):
        # "start from section 5, what is a bridge network?": the notes, then the answer
        first = _route_one(m.group("first"), state, matcher)
        second = _route_one(m.group("question"), state, matcher)
        # "in the networking section you mentioned overlay networks, how do they work" asks
        recalls = _RECALLS.search(_norm(m.group("first")))
        if (
            first.intent == "section"
            and not (first.problem or recalls)
            and second.intent == "clarify"
        ):
            return replace(first, then=replace(second, text=m.group("question").strip()))
    return _route_one(message, state, matcher)


def _quiz_on(r: Route, section: int | None) -> Route:
    """An interview over every section (none named) narrowed to the section the other part of
    a compound request is about; any other route as it is."""
    if r.intent == "interview" and r.command == "any" and section:
        return replace(r, sections=(section,), command=None)
    return r


def _compound(bare: str) -> tuple[str, str] | None:
    """The two parts of "X then Y" / "X followed by Y" / "6 and 7", or None."""
    if m := _TWO_NUMBERS.match(bare):
        return f"section {m.group(1)}", f"section {m.group(2)}"
    pieces = _THEN.split(bare, maxsplit=1)
    if len(pieces) != 2:
        pieces = _AND_REQUEST.split(bare, maxsplit=1)  # "section 11 and test me after"
    if len(pieces) != 2 or not all(p.strip() for p in pieces):
        return None
    first = re.sub(r"\s+first$", "", pieces[0].strip())
    second = _AFTERWARDS.sub("", re.sub(r"\s+(?:please|pls|plz)$", "", pieces[1].strip()))
    if re.fullmatch(rf"\d{{1,2}}|{_NUM_WORD_RE}", second):
        second = f"section {second}"
    return first, second


def _route_one(message: str, state: ConversationState, matcher: SectionMatcher) -> Route:
    text = _SAY_FILLER.sub("", _norm(message))  # "how to say... the notes for swarm"
    bare = text.strip(" ?!.")
    if not bare:
        return Route("help", command="empty")

    if _INJECTION.search(text) or _INJECTION.search(message.lower()):
        return Route("other", command="injection")

    in_interview = state.mode == "interview"
    if in_interview:
        return _route_in_interview(message, text, bare, state, matcher)

    if state.offers_interview and is_yes(bare):
        return Route("interview", sections=tuple(SECTION_TITLES), command="after-20")
    if is_yes(bare):
        return _next(state)
    if _BACK.match(bare) or is_back(bare):
        if state.current_section is None or state.current_section <= 1:
            return Route("section", section=1, command="back")
        return Route("section", section=state.current_section - 1, command="back")
    if _NO.match(bare):
        return Route("other", command="no")
    if _OFF_TOPIC_SAID.search(bare):
        return Route("other", command="off-topic")  # "unrelated to docker but can you ..."

    if _HELP_SEARCH.search(bare):
        return Route("help")
    # a plan, unless the notes of a section are asked for by name ("new to docker, where do i
    # start... can you show me the introduction notes")
    wants_plan = bool(_PLAN.search(bare)) and not (
        _NOTES_NOUN.search(text) and matcher.by_words(text)
    )
    if wants_plan and not re.search(r"\b(?:mock|quiz|interview me|test me|grill me)\b", bare):
        return Route("help", command="plan", count=plan_minutes(bare))
    asked = _NOT_QUIZ.sub(" ", text)  # "don't quiz me, just explain ..." asks for no interview
    if _INTERVIEW.search(asked) or (
        _QUESTIONS_WANTED.search(asked)
        and (not _QUESTION_START.match(bare) or _REQUEST_START.match(bare))
    ):
        return interview_route(text, state, matcher, asking_part(message, text, matcher))
    if (corrected := _corrected(bare)) is not None:
        return Route("section", section=corrected, command="correction")

    number, problem = _section_ref(bare)
    if (
        number is None
        and not problem
        and state.current_section is not None
        and (("?" not in message and not _QUESTION_START.match(bare)) or _GO_ON_ASKED.match(bare))
        and (going_on := [m.group(0) for m in _GO_ON_IN_CHAT.finditer(bare)])
        and (any("next" in g for g in going_on) or not matcher.by_words(bare))
    ):
        # "yes please!! ... keep going with the next section", "... the architecture part. next":
        # going on, whatever else the message says (but "continue with the compose notes, next
        # week is my interview" names a section)
        return _next(state)
    if (
        number is None
        and not problem
        and state.current_section is not None
        and _BACK_IN_CHAT.search(bare)
        and not matcher.by_words(bare)
    ):  # "ok that makes sense. can u go back to the previous one, i skimmed it too fast"
        return Route("section", section=max(1, state.current_section - 1), command="back")
    if number is None and not problem and (m := _NOTES_NUMBER.match(bare)):
        word = m.group(1)
        number, problem = _section_ref(str(NUMBER_WORDS.get(word, word)))
    if problem:
        return Route("section", problem=problem)
    if number is not None:
        return Route("section", section=number)
    if _FROM_THE_START.search(bare) and (
        not _QUESTION_START.match(bare) or _REQUEST_START.match(bare)
    ):  # "can we start from the very beginning" (not "why does my app start from the top")
        return Route("section", section=1)
    if _CODE_OR_PORT.fullmatch(bare) or re.search(
        r"\b(?:exit(?:ed)?(?: with)?|code|status)\s+\d{2,}", bare
    ):
        return Route("clarify")  # "137?", "2377", "exit code 137": what it means

    if wants_plan:
        return Route("help", command="plan", count=plan_minutes(bare))
    if _CARDS.search(bare):
        return Route("help", command="cards")
    if _HELP.match(bare):
        return Route("help", command="progress" if "progress" in bare or "where" in bare else None)
    if _CONFUSED.search(bare) and len(bare.split()) <= 6 and not _DOCKER_WORDS.search(bare):
        return Route("clarify", command="simpler")  # "huh? dont get it": say it more simply
    if state.last_topic and not _DOCKER_WORDS.search(bare):
        # about the last answer: "still confusing, can u explain it simpler pls", "example?"
        if _SIMPLER.search(text) or _CONFUSED.search(bare):
            return Route("clarify", command="simpler")
        if _MORE_ON_IT.search(bare) and not re.match(r"(?:thanks?|thank you|thx|ty)\b", bare):
            return Route("clarify", command="example")
    if _GREETING.match(bare) and len(bare.split()) <= 8 and not _DOCKER_WORDS.search(bare):
        return Route("other", command="greeting")
    if _SMALL_TALK_END.search(bare) and "?" not in re.sub(r"[\W_]+$", "", message):
        return Route("other", command="greeting")  # "... long day at work, how are you doing"
    if (
        state.last_topic
        and len(bare.split()) <= 4
        and re.match(
            r"(?:(?:but|and|so|ok|okay|then)\s+)?(?:what|why|how|when|where|which|who)\b", bare
        )
    ):
        return Route("clarify")  # "why tho", "how come": about the last answer
    if "?" not in message and (
        re.match(r"(?:no|nope|nah),? (?:thanks|thank you|thx|ty)\b", bare)
        # "not now, gotta run to a meeting"
        or re.match(r"(?:not now|not today|maybe later|another time)\b", bare)
        or re.match(
            r"(?:no|nope|nah)\b.{0,25}\b(?:here|for today|for now|another time|later)$", bare
        )
        or (
            re.match(r"(?:no|nope|nah)\b", bare)
            and not _DOCKER_WORDS.search(bare)
            and not _ANY_QUESTION_WORD.search(bare)
            and not matcher.quotes_notes(bare)  # "no space left on device"
        )
    ):
        return Route("other", command="no")  # "no thanks i stop here for today"

    comparison = re.search(r"\b(?:vs|versus)\b", bare) and not _NOTES_NOUN.search(text)
    asks = message.strip().endswith("?") or _asks_inside(message) or _asks_last(message)
    questiony = (
        bool(
            (_QUESTION_START.match(bare) and not _POLITE_REQUEST.match(bare))
            or comparison
            or _LEAD_IN_QUESTION.match(bare)
            or _QUESTION_INSIDE.search(bare)
        )
        or asks
    )
    if _RECALLS.search(bare) and (questiony or _ANY_QUESTION_WORD.search(bare)):
        return Route("clarify")
    named = _asked_first(text, matcher.by_words(text), matcher)
    if named and _WHERE_ARE_NOTES.search(bare):
        return Route(
            "section", section=named[0], command="by-name"
        )  # "volumes notes, where r they"
    if named and (shown := _SHOW_NOTES.search(bare)) and (ones := matcher.by_words(shown[0])):
        return Route("section", section=ones[0], command="by-name")  # "... show me the X notes"
    if _BARE_COMMAND.match(bare) and not matcher.only_names(bare):
        return Route("clarify")  # "docker diff": what it does, not a whole section
    two_topics = len(set(named)) > 1 and not re.search(r"\b(?:and|n|then|or)\b|[&+/,]", bare)
    if named and not asks and not comparison and not two_topics and matcher.only_names(bare):
        return Route("section", section=named[0], command="by-name")
    clauses = re.split(r"[,.;!]\s", message.strip().lower())
    if (
        named
        and len(clauses) > 1
        and not questiony
        and not comparison
        and not _ANY_QUESTION_WORD.search(bare)  # "respected, i would like to ask how ..."
        and any(_request_and_remark(i, clauses, matcher) for i in (0, len(clauses) - 1))
    ):
        # the request and a remark: "intro to docker pls, total beginner here", "cool. now
        # security best practices" (not "self hosted registry:2 with tls, quick setup")
        return Route("section", section=named[0], command="by-name")
    pointer_at_end = bool(re.search(r"\b(?:section|chapter|part|notes|stuff|one)$", bare))
    # "..., is alpine a good idea or will it break stuff" ends in "stuff" but asks
    pointer_at_end = pointer_at_end and not _asks_last(message)
    if not comparison and _POINTS_AT_NOTES.search(bare) and (pointer_at_end or not questiony):
        # "the compose chapter", "that part", "the one about container lifecycle"
        pointer = _POINTS_AT_NOTES.sub(" ", bare)
        if not named and not matcher.details(pointer):
            # nothing beside the pointer ("the section", "this chapter"): the one on screen,
            # else the list of sections (meaning would pick one at random)
            if state.current_section is not None:
                return Route("section", section=state.current_section, command="by-name")
            return Route("help")
        sec = named[0] if named else matcher.by_meaning(pointer, threshold=0.45)[0]
        if sec is not None:
            return Route("section", section=sec, command="by-name")
    if (
        named
        and _REQUEST_START.match(bare)
        and (_STUDY_VERB.search(bare) or _THE_ONE.search(bare))
        and not comparison
    ):  # "can you go over compose", "can u do the swarm one"
        return Route("section", section=named[0], command="by-name")
    if named and not questiony:
        words = bare.split()
        # a short message of names alone asks for the notes; one that names something more
        # ("backup a named volume") or two sections' topics at once ("swarm firewall ports",
        # "install a volume plugin") asks about that detail
        if _NOTES_WORD.search(text) or (
            len(words) <= 4 and not matcher.details(bare) and not two_topics
        ):
            return Route("section", section=named[0], command="by-name")
    if named and _REQUEST_START.match(bare) and _NOTES_NOUN.search(text):
        return Route("section", section=named[0], command="by-name")
    if _SIMPLER.search(text) and len(bare.split()) <= 6:
        return Route("clarify", command="simpler")
    docker_ish = bool(
        _DOCKER_WORDS.search(spell_out(text))  # "shrinking a 2gb img"
        or named
        or (len(bare.split()) <= TERM_MESSAGE_WORDS and matcher.notes_term(bare))
        or matcher.quotes_notes(bare)
        or (questiony and matcher.notes_phrase(bare))
    )
    if not docker_ish and questiony:
        # a question with no Docker word: on-topic only if it is close to some section
        _, score = matcher.by_meaning(bare, threshold=1.0)
        docker_ish = score >= ON_TOPIC_SIMILARITY
    # laughter or thanks in a statement that asks for nothing: "lol the docker whale is so cute"
    social = not (questiony or "?" in message or _NOTES_WORD.search(text)) and bool(
        _SOCIAL.search(bare)
    )
    if docker_ish:
        if re.search(
            r"\b(?:simpler|eli5|simple terms|like i'?m five|dumb it down|plain english)\b", text
        ):
            return Route("clarify", command="simpler")
        if social:
            # small talk, unless the mentor's notes check claims it ("new node joined but swarm
            # wont move any containers onto it lol" is 0.57 from a passage, the whale 0.39)
            return Route("other", command="social")
        if not questiony and (voted := _by_vote(text, bare, state, matcher)) is not None:
            if (
                voted.intent == "section"
                and (matcher.details(bare) or two_topics)
                and not _NOTES_WORD.search(text)
                # short and in one piece: "advanced dockerfile stuff pls, multistage etc" lists
                # what the notes should cover
                and len(bare.split()) <= 7
                and "," not in message
            ):
                return Route("clarify")  # "ship container logs to loki", "install a volume plugin"
            return voted  # a statement no rule claimed: "walk me through compose"
        return Route("clarify")
    if (voted := _by_vote(text, bare, state, matcher)) is not None and voted.intent != "clarify":
        return voted
    # no rule matched: short messages may still name a section by meaning ("the k8s stuff")
    if len(bare.split()) <= 6 and len(re.sub(r"\W", "", bare)) >= 4:
        sec, score = matcher.by_meaning(bare)
        if sec is not None:
            return Route("section", section=sec, command="by-meaning", confidence=score)
    # no rule or vote: the mentor asks the notes
    return Route("other", command="social" if social else "unclaimed")


def _by_vote(
    text: str, bare: str, state: ConversationState, matcher: SectionMatcher
) -> Route | None:
    """The labelled examples' verdict, made concrete (which section, which interview)."""
    intent, share = matcher.vote(bare)
    if intent == "section":
        named = matcher.by_words(text)
        sec = named[0] if named else matcher.by_meaning(bare, threshold=0.45)[0]
        return Route("section", section=sec, command="by-vote", confidence=share) if sec else None
    if intent == "interview":
        return replace(interview_route(text, state, matcher), confidence=share)
    if intent == "other":
        return Route("other", command="off-topic", confidence=share)
    if intent in ("help", "clarify"):
        return Route(intent, confidence=share)
    return None


DEFAULT_PLAN_MINUTES = 30


def plan_minutes(text: str) -> int:
    """'I have 45 minutes' -> 45, 'an hour' -> 60, '1.5 hours' -> 90; default 30."""
    m = _PLAN_TIME.search(text)
    if not m:
        return DEFAULT_PLAN_MINUTES
    amount = {"a": 1.0, "an": 1.0, "half a": 0.5, "half an": 0.5}.get(m.group(1))
    value = amount if amount is not None else float(m.group(1))
    if m.group(2).startswith("h"):
        value *= 60
    return max(1, round(value))


def _next(state: ConversationState) -> Route:
    if state.offered_section is not None:
        return Route("next", section=state.offered_section)
    if state.current_section is not None:
        if state.current_section >= LAST_SECTION:
            return Route("interview", sections=tuple(SECTION_TITLES), command="after-20")
        return Route("next", section=state.current_section + 1)
    return Route("next", section=1)


def _route_in_interview(
    message: str, text: str, bare: str, state: ConversationState, matcher: SectionMatcher
) -> Route:
    """Inside a mock interview most messages are answers; a few things break out."""
    number, problem = _section_ref(bare)
    explicit_nav = re.match(r"^(?:start from|go to|open|show me|take me to|jump to)\b", bare)
    if explicit_nav and (number is not None or problem):
        return Route("section", section=number, problem=problem, command="leave-interview")
    if _HELP.match(bare) and len(bare.split()) <= 3 and bare not in {"hint", "?"}:
        return Route("help")
    if re.match(r"^(?:clarify|quick question|side question|question)\b", bare) or (
        message.strip().endswith("?")
        and re.match(
            r"^(?:what is|what's|whats|what are|what does|how does|how do|why does|why do|can you explain|could you explain|explain|define|wait,? what)\b",
            bare,
        )
        and len(bare.split()) >= 3
    ):
        return Route("clarify", command="mid-interview")
    return Route("answer")
