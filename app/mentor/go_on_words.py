"""The words of a reply to an offer: yes, no, back, and "go on" inside a longer message.

Split out of app.mentor.intent_patterns (the router's vocabulary); pure text rules, no state.
"""

# regex vocabularies read better unwrapped (as pyproject.toml allows for app/mentor/intents.py)

from __future__ import annotations

import re
from difflib import SequenceMatcher

_YES = re.compile(
    r"^(?:y|ya|yah|yes+|yess+|yep|yup|yeah|yea|sure|ok|okay|k|kk|okey|alright|aight|cool|mhm+|"
    r"uh[- ]huh|"
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


_YES_STRONG = frozenset(
    "y ya yah yes yess yesss yep yup yeah yea sure ok okay k kk okey alright aight continue cont "
    "mhm mhmm "
    "next nxt proceed go goo gooo ready onward onwards more absolutely definitely ye yee yeh yas "
    "👍 ✅"
    # the same from people who chat in more than one language: hindi, spanish, portuguese,
    # french, german, italian ("haan aage", "sí sigue", "weiter bitte")
    " haan haa aage chalo sí si sigue siguiente dale sim próximo proximo oui suivant ja weiter"
    " avanti".split()
)
_YES_FILLER = frozenset(
    "please pls plz thanks thank you thx ty cool great good nice sounds let's lets let us do it "
    "go ahead on carry keep going goin further move the a to with section one and then now i'm im ready sure "
    "of course why not right that's thats perfect awesome got it done bring give me for this "
    "after what what's whats fine guess show i gimme reading finished"
    # dictated punctuation: "next period"; forms of address and "please" in other languages
    " period bhai yaar bro dude man mate porfa bitte".split()
)


# "moving on pls", "keep going": a phrase that says go on, read as "next"
_GO_ON = re.compile(
    r"\b(?:mov(?:e|ing) on|carry(?:ing)? on|keep (?:going|goin'?|on)|go(?:ing|in'?)? on|"
    r"keep (?:em|'em|them|it|these|those) coming|"
    r"(?:the )?following (?:section|one|chapter|part)|(?:the )?one after(?: this| that)?|"
    r"what'?s after (?:this|that)(?: one)?)\b"
)


def _squeezed(word: str) -> str:
    """A word with its repeated letters typed once: "okk", "yesss", "pleaseee" -> "ok", "yes",
    "please" (and "good" -> "god", the same for every word compared)."""
    return re.sub(r"(.)\1+", r"\1", word)


_YES_STRONG_SQUEEZED = frozenset(map(_squeezed, _YES_STRONG))
_YES_FILLER_SQUEEZED = frozenset(map(_squeezed, _YES_FILLER))
_YES_LONG = tuple(w for w in _YES_STRONG if len(w) >= 6)  # "contineu", "proceeed"


def _strong_yes(word: str) -> bool:
    if word in _YES_STRONG or _squeezed(word) in _YES_STRONG_SQUEEZED:
        return True
    return len(word) >= 6 and any(SequenceMatcher(None, word, w).ratio() >= 0.85 for w in _YES_LONG)


def is_yes(bare: str) -> bool:
    """ "yes", "ok next", "sure, let's continue", "next one pls", "okk move on", "contineu":
    agreement to go on."""
    if _YES.match(bare):
        return True
    words = re.findall(r"[\w'👍✅]+", _GO_ON.sub("next", bare))
    return (
        0 < len(words) <= 7
        and any(_strong_yes(w) for w in words)
        and all(
            _strong_yes(w) or w in _YES_FILLER or _squeezed(w) in _YES_FILLER_SQUEEZED
            for w in words
        )
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


# a go-on phrase inside a longer message (when a section was shown): "yes lets move on to the
# next one", "... the architecture part. next", "took me a while ... continue with the next section"
_GO_ON_IN_CHAT = re.compile(
    r"\b(?:(?:the )?next (?:one|section|chapter|part|topic|module|lesson)|(?:on|onto|to) the next|"
    # ... but not "continue learning about zombie processes", "go on about X", "move on to X"
    r"(?:mov(?:e|ing) on|carry on|keep going|go on|continue)(?!\s+(?:\w+ing|about|with|to)\b)|"
    r"next(?: (?:pls|please|plz))?$)\b"
)
# going back inside a longer message: "ok that makes sense. can u go back to the previous one",
# "wait go back one" (not "how do i go back to a previous image": a previous one, or back one)
_BACK_IN_CHAT = re.compile(
    r"\b(?:go|take me|jump|move|head) back(?: to)?(?: the)? (?:previous|last|prior|earlier) "
    r"(?:one|section|chapter|part)\b|\b(?:go|take me|jump|move) back (?:one|a section|a chapter)\b"
)
# going on asked as a question: "can we move on to the next one?", "could we continue pls"
_GO_ON_ASKED = re.compile(
    r"^(?:can|could|shall|should|may) (?:we|i|you) (?:please |pls |just |now )?"
    r"(?:move on|go on|continue|carry on|keep going|proceed|"
    r"(?:go to|do|have|see|get|start|read) the next)\b"
)
