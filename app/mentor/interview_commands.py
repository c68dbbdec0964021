"""What a candidate may say instead of an answer in a mock interview: skip, hint, I don't know,
repeat, stop."""

from __future__ import annotations

import re
from typing import Literal

Command = Literal["skip", "hint", "dont_know", "repeat", "stop"]


_COMMANDS: list[tuple[Command, re.Pattern[str]]] = [
    (
        "stop",
        re.compile(
            r"^(?:stop|quit|exit|end|finish|done|enough|i'?m done|that'?s enough|"
            r"(?:stop|end|finish|quit|exit|cancel) (?:the |this )?(?:mock )?"
            r"(?:interview|quiz|test)|"
            r"stop (?:here|now|please)|let'?s stop|no more(?: questions)?)$"
        ),
    ),
    (
        "skip",
        re.compile(
            r"^(?:skip|pass|next|next one|next question|move on|skip (?:it|this|this one|"
            r"the question|question)|can we skip(?: this| it)?|skip please)$"
        ),
    ),
    (
        "hint",
        re.compile(
            r"^(?:hint|a hint|clue|a clue|hints?|give me a (?:hint|clue)|any hints?|"
            r"can i (?:get|have) a (?:hint|clue)|(?:hint|clue) please|i need a hint|help me)$"
        ),
    ),
    (
        "dont_know",
        re.compile(
            r"^(?:i (?:don'?t|do not|dont) know|idk|no idea|dunno|not sure|no clue|i give up|"
            r"i have no idea|i'?m not sure|no idea sorry|sorry,? (?:i )?(?:don'?t|do not) know|"
            r"(?:i )?(?:don'?t|do not) know)(?: (?:sorry|tbh|honestly|this one|the answer))?$"
        ),
    ),
    (
        "repeat",
        re.compile(
            r"^(?:repeat|again|say again|come again|pardon|repeat (?:the |that )?question|"
            r"repeat (?:that|please)|what was the question|"
            r"can you repeat(?: (?:that|the question))?|"
            r"sorry,? what was the question)$"
        ),
    ),
]


def parse_command(message: str) -> Command | None:
    text = re.sub(r"\s+", " ", message.lower().replace("’", "'")).strip(" .!?,")
    for name, pattern in _COMMANDS:
        if pattern.match(text):
            return name
    return None
