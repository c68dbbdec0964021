"""Intent routing: rules first, embedding similarity against section titles/aliases second.

No LLM is needed to route. `route()` is pure apart from the optional embedder call.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from app.catalog import LAST_SECTION, SECTION_KEYWORDS, SECTION_TITLES
from app.mentor.state import ConversationState
from app.mentor.types import Intent

if TYPE_CHECKING:
    from app.knowledge import Knowledge
    from app.retrieval.embeddings import Embedder

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "last": 20, "final": 20,
}  # fmt: skip
_NUM_WORD_RE = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_SEC_WORD = (
    r"(?:section|sectoin|secton|setion|sec|sect|chapter|chap|ch|part|module|topic|§|s(?=\d))"
)
_SECTION_REF = re.compile(
    rf"(?:{_SEC_WORD})\s*\.?\s*(?:no\.?|number|#)?\s*(-?\d+(?:[.,]\d+)?|(?:{_NUM_WORD_RE})(?:[\s-]+(?:hundred|thousand))?)\b"
)
_BARE_NUMBER = re.compile(r"^(?:#|no\.?\s*)?(-?\d+(?:\.\d+)?)$")
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
# "the very first section", "the 3rd chapter", "the fifth one" (not "last section": that is back)
_ORDINAL_REF = re.compile(
    rf"\b(?:the\s+)?(?:very\s+)?({'|'.join(_ORDINALS)}|\d{{1,2}}(?:st|nd|rd|th))\s+"
    rf"(?:section|sectoin|chapter|part|module|topic)\b"
)

_YES = re.compile(
    r"^(?:y|ya|yah|yes+|yess+|yep|yup|yeah|yea|sure|ok|okay|k|kk|okey|alright|aight|cool|"
    r"go|go on|go ahead|continue|cont|next|nxt|proceed|carry on|keep going|let'?s go|lets do it|"
    r"let'?s do it|do it|more|next one|next section|next please|next pls|yes please|yes pls|"
    r"sure thing|absolutely|definitely|of course|why not|please|pls|plz|ready|i'?m ready|"
    r"move on|onwards|onward|next topic|continue please|please continue|yes,? continue|"
    r"yes,? next|ok next|okay next|sounds good|great,? next|thanks,? next|done,? next|"
    r"got it,? next|yes let'?s go|👍|✅)$"
)
_NO = re.compile(r"^(?:no|nope|nah|not now|later|no thanks|stop|enough|that'?s all)$")
_BACK = re.compile(
    r"^(?:back|go back|previous|prev|previous section|previous one|last section|the previous one|"
    r"go back a section|one back|back one|back please|earlier section|before that)$"
)
_GREETING = re.compile(
    r"^(?:hi+|hello+|hey+|heya|hiya|yo|sup|good (?:morning|afternoon|evening)|greetings|howdy|"
    r"thanks?|thank you|thx|ty|cheers|bye|goodbye|see ya|cya|how are you\??|what'?s up|"
    r"lol|lmao|haha+|hehe|hmm+|wow|omg|nice|brb|ok cool|cool)\b"
)
_HELP = re.compile(
    r"^(?:help|menu|commands|options|\?|what can you do|how does this work|how do i use this|"
    r"list(?: all)?(?: the)? sections|show(?: me)?(?: all)?(?: the)? sections|sections|"
    r"table of contents|toc|contents|syllabus|what are the sections|which sections are there|"
    r"(?:show |what'?s |what is )?my progress|progress|where was i|where am i|what have i (?:covered|read|done)|"
    r"what do you cover|what topics|list topics|topics|(?:what|which) (?:sections|topics|chapters)\b|"
    r"how far (?:along )?(?:am i|have i (?:got|gotten|come))|how am i doing|my (?:stats|score|scores)|"
    r"where (?:did|do) i (?:leave|stop|stopp?ed)(?: off)?|where were we|"
    r"(?:what'?s |what is |show )?(?:the )?(?:sections? list|list of (?:the )?sections))\b"
)
_INJECTION = re.compile(
    r"ignore (?:all |any |the |your )?(?:previous|prior|above|earlier)|disregard (?:all|previous|your)|"
    r"system prompt|your (?:instructions|prompt|rules)|initial prompt|reveal|jailbreak|\bdan\b|"
    r"developer mode|you are now|act as (?!an? interviewer)|pretend (?:to be|you)|"
    r"print (?:your|the) (?:prompt|instructions)|repeat (?:the|your) (?:text|words) above|"
    r"<\s*/?\s*system\s*>|\[system\]|override (?:your|the) (?:rules|instructions)"
)
_INTERVIEW = re.compile(
    r"\b(?:mock|interview|quiz|test me|grill me|drill me|examine me|ask me (?:some |a few )?"
    r"(?:questions|qs|something)|practice (?:questions|interview)|q ?& ?a round|viva|"
    r"question me|challenge me|test (?:my|me)\b|evaluate me|quiz me|ask me (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten) (?:more )?(?:questions?|qs)|check my knowledge|assess me)"
)
_NOTES_WORD = re.compile(
    r"\b(?:notes?|revision|revise|revising|teach me|study|learn|cover|show me|go through|open|"
    r"start|begin|take me to|jump to|go to|skip to|read|summary|overview|guide|cheat ?sheet|"
    r"lesson|the .{1,25} one|one on|section on|chapter on|let'?s do|let'?s (?:look at|go over|cover)|"
    r"look at|go over|the .{1,30} (?:section|chapter|part|notes)|i need|i want|can i (?:get|have|see))\b"
)
# nouns that ask for the notes themselves, even inside a question ("can I get the volumes notes?")
_NOTES_NOUN = re.compile(r"\b(?:notes|section|chapter|cheat ?sheet|revision notes)\b")
_REQUEST_START = re.compile(r"^(?:can|could|would|may) (?:i|you|we)\b")
_QUESTION_START = re.compile(
    r"^(?:what|what's|whats|why|how|when|where|which|who|whom|whose|is|are|can|could|should|"
    r"would|will|do|does|did|explain|describe|define|tell me|compare|difference|diff|"
    r"differentiate|clarify|meaning|help me understand|i don'?t (?:get|understand)|"
    r"i'?m confused|confused|eli5|give me an example|example of|whats the|wat|wht|y does|y is)\b"
)
_ALL = re.compile(
    r"\b(?:everything|all(?: sections| topics| of it)?|whole guide|full guide|entire guide|all 20|anything|random)\b"
)
_REVISED = re.compile(
    r"\b(?:what i(?:'?ve| have)? (?:revised|read|covered|studied|seen|done)|my sections|sections i (?:read|revised|covered))\b"
)
_MID_QUESTION = re.compile(
    r"^(?:what is|what's|whats|what are|what does|how does|how do|why does|why do|"
    r"can you explain|could you explain|explain|define|wait,? what)\b"
)
_PLAN = re.compile(
    r"\b(?:what should i (?:revise|study|read|learn|focus on|do next)|study plan|revision plan|cram|"
    r"make me a plan|plan my (?:study|revision|time)|i (?:only )?(?:have|got)\s+(?:an? |\d+(?:\.\d+)?\s*)"
    r"(?:min|mins|minutes|minute|hours?|hrs?|h)\b|where (?:should|do) i (?:start|focus))"
)
_PLAN_TIME = re.compile(r"(\d+(?:\.\d+)?|an?|half an?)\s*(min|mins|minutes|minute|hours?|hrs?|h)\b")
_CARDS = re.compile(
    r"\b(?:due cards|flash ?cards?|review (?:my )?cards|cards (?:are |that are )?due|"
    r"spaced (?:review|repetition))\b"
)
_SIMPLER = re.compile(
    r"\b(?:simpler|eli5|simple terms|like i'?m five|dumb it down|plain english|simply)\b"
)
_COUNT = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:more\s+)?(?:questions?|qs|q)\b"
)
_NOTES_NUMBER = re.compile(
    r"^(?:revise|revising|study|read|open|show|show me|teach me|notes|notes on|notes for|do|let'?s do|start|begin|go to|jump to|skip to|cover|learn)\s+(-?\d+(?:\.\d+)?|[a-z]+)(?:\s+(?:please|pls|plz|now|next))?$"
)
_DOCKER_WORDS = re.compile(
    r"docker|container|image|dockerfile|compose|swarm|kubernetes|k8s|kubectl|volume|network|"
    r"registry|daemon|dockerd|containerd|runc|oci|buildkit|buildx|podman|layer|cgroup|namespace|"
    r"port|mount|entrypoint|cmd|healthcheck|oom|sigterm|sigkill|exit code|137|143|pod|helm|"
    r"ci/?cd|pipeline|github actions|gitlab|jenkins|hub|tag|digest|rootless|seccomp|apparmor|"
    r"capabilit|secret|env|arg|cache|multi-?stage|overlay|bridge|macvlan|dns|logs?|stats|exec|"
    r"inspect|prune|restart|scale|replica|service|stack|node|cluster|wasm|sbom|scout|trivy|"
    r"build|copy|\brun\b|error|failed|crash|exit|daemon|socket|compose|yaml|nginx|postgres|"
    r"\bapp\b|application|server|deploy|ship|process|memory|\bram\b|cpu|disk|storage|persist|"
    r"database|\bdb\b|isolat|vulnerab|\bscan|securi|secure|perform|slow|size|microservice|devops|"
    r"cloud|aws|azure|gcp|\becs\b|\beks\b|\bgke\b|\baks\b|permission|\broot\b|sudo|ubuntu|debian|"
    r"\bmac\b|macos|windows|variable|config|orchestrat|load balanc|proxy|\bhttp|tls|cert|ssh|"
    r"version|upgrade|install|kill|signal|\bstop|health|probe|monitor|metric|debug|trace|"
    r"\bpid\b|init|mount|bind|tmpfs|ingress|gateway|firewall|iptables|nftables|ufw|\bip\b|"
    r"routing|mesh|quorum|raft|manager|worker|rollback|rolling|secret|vault|sign|sbom|"
    r"subnet|ephemeral|stateless|stateful|immutable|reproducib|sandbox|hypervisor|"
    r"\bci\b|\bcd\b|artifact|\bpush|\bpull|(?:^|\s)--?[a-z]|\.ya?ml|\.json|\bdev\b|prod|"
    r"alpine|distroless|scratch|wsl|desktop|hyper-?v|vm\b|virtual machine|linux|kernel"
)


ON_TOPIC_SIMILARITY = 0.5  # for questions with no Docker word at all


@dataclass(frozen=True)
class Route:
    """Where a message goes. `problem` carries a friendly error (e.g. a section out of range)."""

    intent: Intent
    section: int | None = None
    sections: tuple[int, ...] = ()
    command: str | None = None  # "back", "simpler", "injection", "greeting", "progress" ...
    count: int | None = None
    problem: str | None = None
    confidence: float = 1.0


@dataclass
class SectionMatcher:
    """Finds sections named by words ("the compose one", "k8s") and, as a fallback, meaning."""

    aliases: dict[int, tuple[str, ...]]
    embedder: Embedder | None = None
    _vectors: np.ndarray | None = field(default=None, repr=False)
    _owners: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def from_knowledge(cls, kb: Knowledge, embedder: Embedder | None = None) -> SectionMatcher:
        aliases = cls.builtin().aliases
        for n, s in kb.sections.items():
            aliases[n] = tuple(dict.fromkeys([*aliases[n], *(_norm(a) for a in s.aliases)]))
        return cls(aliases=aliases, embedder=embedder)

    @classmethod
    def builtin(cls, embedder: Embedder | None = None) -> SectionMatcher:
        """Titles and the catalog's keywords only (no knowledge files needed)."""
        aliases = {
            n: tuple(dict.fromkeys([_norm(t), *(_norm(k) for k in SECTION_KEYWORDS.get(n, ()))]))
            for n, t in SECTION_TITLES.items()
        }
        return cls(aliases=aliases, embedder=embedder)

    def by_words(self, text: str) -> list[int]:
        """Sections whose title or alias appears in `text`, best (longest) match first."""
        found: dict[int, int] = {}
        padded = f" {text} "
        for n, names in self.aliases.items():
            for name in names:
                variants = {name, name.removeprefix("docker ").strip()}
                for v in variants:
                    if len(v) >= 2 and re.search(rf"(?<![\w-]){re.escape(v)}s?(?![\w-])", padded):
                        found[n] = max(found.get(n, 0), len(v))
        return sorted(found, key=lambda n: -found[n])

    def by_meaning(self, text: str, threshold: float = 0.5) -> tuple[int | None, float]:
        if self.embedder is None:
            return None, 0.0
        if self._vectors is None:
            labels, owners = [], []
            for n, names in self.aliases.items():
                for name in names:
                    labels.append(name)
                    owners.append(n)
            self._vectors = self.embedder.encode(labels)
            self._owners = owners
        sims = self._vectors @ self.embedder.encode_one(text)
        best = int(np.argmax(sims))
        score = float(sims[best])
        return (self._owners[best] if score >= threshold else None), score


_YES_STRONG = frozenset(
    "y ya yah yes yess yesss yep yup yeah yea sure ok okay k kk okey alright aight continue cont "
    "next nxt proceed go ready onward onwards more absolutely definitely 👍 ✅".split()
)
_YES_FILLER = frozenset(
    "please pls plz thanks thank you thx ty cool great good nice sounds let's lets let us do it "
    "go ahead on carry keep going move the a to with section one and then now i'm im ready sure "
    "of course why not right that's thats perfect awesome got it done bring give me for this "
    "after".split()
)


def is_yes(bare: str) -> bool:
    """ "yes", "ok next", "sure, let's continue", "next one pls": agreement to go on."""
    if _YES.match(bare):
        return True
    words = re.findall(r"[\w'👍✅]+", bare)
    return (
        0 < len(words) <= 7
        and any(w in _YES_STRONG for w in words)
        and all(w in _YES_STRONG or w in _YES_FILLER for w in words)
    )


_BACK_STRONG = frozenset("back previous prev".split())
_BACK_FILLER = frozenset(
    "go one a section please pls plz the to step bit again take me let's lets can we".split()
)


def is_back(bare: str) -> bool:
    """ "go back one", "previous please", "take me back": a step back to the last section."""
    words = re.findall(r"[\w']+", bare)
    return (
        0 < len(words) <= 6
        and any(w in _BACK_STRONG for w in words)
        and all(w in _BACK_STRONG or w in _BACK_FILLER for w in words)
    )


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s§#'/.+-]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .")


def _parse_number(raw: str) -> float | None:
    raw = raw.strip().replace(",", ".")
    if raw in NUMBER_WORDS:
        return NUMBER_WORDS[raw]
    if re.fullmatch(r"-?\d+(?:\.\d+)?", raw):
        return float(raw)
    return None


def out_of_range(raw: str) -> str:
    return (
        f"There is no Section {raw} — the guide has sections 1 to {LAST_SECTION}. "
        'Say **"Start from Section 1"**, a number from 1-20, or **"list sections"**.'
    )


def _section_ref(text: str) -> tuple[int | None, str | None]:
    """A section named by number: (number, None), (None, problem) or (None, None)."""
    m = _SECTION_REF.search(text)
    raw = None
    if m:
        raw = m.group(1)
    elif o := _ORDINAL_REF.search(text):
        raw = o.group(1)
        raw = raw if raw in NUMBER_WORDS else re.sub(r"(?:st|nd|rd|th)$", "", raw)
    else:
        b = _BARE_NUMBER.match(text)
        if b:
            raw = b.group(1)
    if raw is None:
        junk = re.match(rf"^(?:start from |go to |open )?(?:{_SEC_WORD})\s+(\S+)$", text)
        if junk and junk.group(1) not in NUMBER_WORDS:
            return None, out_of_range(junk.group(1))
        return None, None
    tail = text[m.end() :] if m else ""
    if raw in NUMBER_WORDS and re.match(rf"^[\s-]+(?:{_NUM_WORD_RE})\b", tail):
        return None, out_of_range(f"{raw} {tail.strip(' -').split()[0]}")
    if re.search(r"hundred|thousand", raw):
        return None, out_of_range(raw)
    value = _parse_number(raw)
    if value is None:
        return None, None
    if value != int(value) or not 1 <= value <= LAST_SECTION:
        return None, out_of_range(raw)
    return int(value), None


def route(message: str, state: ConversationState, matcher: SectionMatcher) -> Route:
    """Decide what `message` asks for, given where the conversation is."""
    text = _norm(message)
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

    wants_plan = bool(_PLAN.search(bare))
    if wants_plan and not re.search(r"\b(?:mock|quiz|interview me|test me|grill me)\b", bare):
        return Route("help", command="plan", count=plan_minutes(bare))
    if _INTERVIEW.search(text):
        return _interview_route(text, state, matcher)

    number, problem = _section_ref(bare)
    if number is None and not problem and (m := _NOTES_NUMBER.match(bare)):
        word = m.group(1)
        number, problem = _section_ref(str(NUMBER_WORDS.get(word, word)))
    if problem:
        return Route("section", problem=problem)
    if number is not None:
        return Route("section", section=number)

    if _PLAN.search(bare):
        return Route("help", command="plan", count=plan_minutes(bare))
    if _CARDS.search(bare):
        return Route("help", command="cards")
    if _HELP.match(bare):
        return Route("help", command="progress" if "progress" in bare or "where" in bare else None)
    if _GREETING.match(bare) and len(bare.split()) <= 8 and not _DOCKER_WORDS.search(bare):
        return Route("other", command="greeting")

    comparison = re.search(r"\b(?:vs|versus)\b", bare) and not _NOTES_NOUN.search(text)
    questiony = bool(_QUESTION_START.match(bare) or comparison) or message.strip().endswith("?")
    named = matcher.by_words(text)
    if named and not questiony:
        words = bare.split()
        if _NOTES_WORD.search(text) or len(words) <= 4:
            return Route("section", section=named[0], command="by-name")
    if named and _REQUEST_START.match(bare) and _NOTES_NOUN.search(text):
        return Route("section", section=named[0], command="by-name")
    if _SIMPLER.search(text) and len(bare.split()) <= 6:
        return Route("clarify", command="simpler")
    docker_ish = bool(_DOCKER_WORDS.search(text) or named)
    if not docker_ish and questiony:
        # a question with no Docker word: on-topic only if it is close to some section
        _, score = matcher.by_meaning(bare, threshold=1.0)
        docker_ish = score >= ON_TOPIC_SIMILARITY
    if docker_ish:
        if re.search(
            r"\b(?:simpler|eli5|simple terms|like i'?m five|dumb it down|plain english)\b", text
        ):
            return Route("clarify", command="simpler")
        return Route("clarify")
    # no rule matched: short messages may still name a section by meaning ("the k8s stuff")
    if len(bare.split()) <= 6 and len(re.sub(r"\W", "", bare)) >= 4:
        sec, score = matcher.by_meaning(bare)
        if sec is not None:
            return Route("section", section=sec, command="by-meaning", confidence=score)
    return Route("other", command="off-topic")


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


def _interview_route(text: str, state: ConversationState, matcher: SectionMatcher) -> Route:
    count = None
    if m := _COUNT.search(text):
        raw = m.group(1)
        count = max(1, min(int(raw) if raw.isdigit() else NUMBER_WORDS[raw], 20))
    if _REVISED.search(text):
        sections = tuple(sorted(state.sections_seen)) or tuple(SECTION_TITLES)
        return Route("interview", sections=sections, count=count, command="revised")
    numbers = [int(n) for n in re.findall(r"\b(\d{1,2})\b", _COUNT.sub(" ", text))]
    numbers = [n for n in numbers if 1 <= n <= LAST_SECTION]
    named = matcher.by_words(text)
    sections = tuple(dict.fromkeys([*numbers, *named]))
    this = re.search(r"\b(?:this|that|current|same)\s+(?:section|topic|one)\b", text)
    if not sections and this and state.current_section:
        sections = (state.current_section,)
    if not sections and not _ALL.search(text):
        tail = re.split(r"\b(?:on|about|for|in|regarding)\b", text, maxsplit=1)
        if len(tail) == 2 and tail[1].strip():
            sec, _ = matcher.by_meaning(tail[1].strip(), threshold=0.45)
            if sec is not None:
                sections = (sec,)
    if not sections:
        sections = tuple(SECTION_TITLES)
    return Route("interview", sections=sections, count=count)


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
