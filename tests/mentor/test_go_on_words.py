"""Replies to an offer: yes (typed in a hurry, dictated), back, and go-on inside a message."""

from __future__ import annotations

import pytest

from app.mentor.go_on_words import _GO_ON_ASKED, _GO_ON_IN_CHAT, is_back, is_yes


@pytest.mark.parametrize(
    ("text", "expected"),
    [("yes", True), ("Sure, let's continue", True), ("next one pls", True), ("ok", True),
     ("no", False), ("yes but what is a volume", False), ("next question about volumes", False),
     # typed in a hurry or dictated: letters doubled, swapped, "period" spoken
     ("okkk go on", True), ("continuee", True), ("proceeed", True), ("nextt period", True),
     ("nooo", False), ("contain", False)],
)  # fmt: skip
def test_is_yes(text: str, expected: bool) -> None:
    assert is_yes(text.lower().replace(",", "")) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("back", True), ("go back one", True), ("previous please", True), ("take me back", True),
     ("back up my volume", False), ("previous container logs", False), ("go", False)],
)  # fmt: skip
def test_is_back(text: str, expected: bool) -> None:
    assert is_back(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("yes lets move on to the next one", True), ("took me a while, continue", True),
     ("continue learning about zombie processes", False), ("move on to swarm", False)],
)  # fmt: skip
def test_go_on_inside_a_longer_message(text: str, expected: bool) -> None:
    assert bool(_GO_ON_IN_CHAT.search(text)) is expected


def test_go_on_asked_as_a_question() -> None:
    assert _GO_ON_ASKED.match("can we move on to the next one")
    assert not _GO_ON_ASKED.match("can we move a volume between hosts")
