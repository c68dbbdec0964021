"""app/text.py: the shared text helpers (here: chat shorthand spelt out for the embedding)."""

from __future__ import annotations

import pytest

from app.text import spell_out, spot


@pytest.mark.parametrize(
    ("typed", "spelt"),
    [
        ("compose in prod vs k8s which one do ppl use", "compose in production vs kubernetes which one do people use"),
        ("K8s pods", "kubernetes pods"),
        ("whats a db volume", "what is a database volume"),
        ("run it w/o root pls", "run it without root please"),
    ],
)  # fmt: skip
def test_shorthand_is_spelt_out(typed: str, spelt: str) -> None:
    assert spell_out(typed) == spelt


@pytest.mark.parametrize(
    "text",
    [
        "docker run -u 1000 alpine",  # a flag
        "mount /srv/repo:/app",  # a path
        "why is ${DB} blank",  # a variable
        "docker diff web",  # Docker's own word
        "ENV vs ARG",
        "kubectl get svcs",  # not a word of the table
    ],
)
def test_tokens_and_dockers_own_words_stay_as_typed(text: str) -> None:
    assert spell_out(text) == text


def test_a_passage_spot_is_a_bank_entry_or_a_heading_anchor() -> None:
    assert spot("q/net-dns", "Interview question: How do ...") == "q-net-dns"
    assert spot("s05/dns/1", "Service Discovery & DNS (IMP)") == "service-discovery-dns"
