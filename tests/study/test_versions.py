"""Dated claims: answers that were right years ago are recognised, modern ones are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import KnowledgeError
from app.handson.model import CiteSpec, NoteIndex
from app.study.versions import dated_claims, facts_for, load_facts
from tests.conftest import KNOWLEDGE

FACTS = load_facts(KNOWLEDGE / "versions.yaml")

DATED = [
    (
        "compose-v1",
        "I start the stack with docker-compose up -d and stop it with docker-compose down.",
    ),
    ("compose-v1", "First pip install docker-compose on the CI runner."),
    ("compose-version-key", 'version: "3.8"\nservices:\n  web:\n    image: nginx:1.28\n'),
    ("compose-version-key", "Every compose file needs version: '3' at the top."),
    ("buildkit-opt-in", "Set DOCKER_BUILDKIT=1 to get cache mounts."),
    ("buildkit-opt-in", "You have to enable BuildKit before you can use secrets."),
    ("dockershim", "Kubernetes uses Docker to run the containers on every node."),
    ("dockershim", "Docker is the default container runtime for Kubernetes."),
    ("legacy-link", "docker run -d --link db:db myapp:1.0"),
    ("legacy-link", "Use --link to connect the web container to the database."),
    ("volume-prune-all", "docker volume prune deletes all unused volumes, named ones too."),
    ("removed-storage-drivers", "On RHEL we use devicemapper for the images."),
]
MODERN = [
    "docker compose up -d, then docker compose down -v to drop volumes.",
    "name: shop\nservices:\n  web:\n    image: nginx:1.28\n",
    "BuildKit is the default builder since Engine 23.0.",
    "Kubernetes runs Docker images through containerd; dockershim was removed in 1.24.",
    "COPY --link . . keeps the layer independent of the base.",
    "docker volume prune -a removes unused named volumes too.",
    # Docker Hub went back to its 6-hour limits: quoting them is current, not dated
    "Unauthenticated pulls are limited to 100 per 6 hours.",
    "overlay2 is the storage driver.",
    "",
    # modern answers that mention the history: past tense, legacy wording, negation
    "Compose v1 used docker-compose, which is end-of-life since 2023; v2 is `docker compose`",
    "Compose v1 used `docker-compose up`; v2 is `docker compose up`.",
    "docker-compose up was the old v1 command, today it is docker compose up.",
    "Instead of docker-compose up, run docker compose up.",
    "You no longer need DOCKER_BUILDKIT=1: BuildKit is the default builder since Engine 23.0.",
    "Before Engine 23.0 you had to set DOCKER_BUILDKIT=1 to get cache mounts.",
    "Many people think Kubernetes needs Docker, but nodes run containerd.",
    "It's a myth that Kubernetes requires Docker on the nodes.",
    "Kubernetes uses Docker-built images unchanged, they are OCI images.",
    "Old tutorials use --link db:db; today both go on a user-defined network.",
    "Drop the version: '3.8' line, Compose ignores it.",
    "docker volume prune used to remove all unused volumes, named ones too.",
    "--link makes the COPY an independent layer, so it stays cached when the base changes.",
    # an old example next to the statement of what changed
    'version: "3.8"\nservices:\n  web:\n    image: nginx:1.28\n'
    "(the version line is obsolete now; Compose v2 only warns about it)",
]


@pytest.mark.parametrize(("fact", "answer"), DATED)
def test_dated_answers_are_recognised(fact: str, answer: str) -> None:
    claims = dated_claims(answer, FACTS)
    assert fact in {c.id for c in claims}, claims
    claim = next(c for c in claims if c.id == fact)
    assert claim.matched and claim.now and claim.since and claim.then
    assert claim.now in claim.note and claim.to_json()["cite"]["section"] == claim.section


@pytest.mark.parametrize("answer", MODERN)
def test_modern_answers_are_not_flagged(answer: str) -> None:
    assert dated_claims(answer, FACTS) == []


def test_every_fact_has_a_sample_and_a_real_citation() -> None:
    assert {f.id for f in FACTS} == {fact for fact, _ in DATED}
    notes = NoteIndex.load(KNOWLEDGE / "sections")
    for f in FACTS:
        assert notes.resolve(CiteSpec(section=f.cite.section, quote=f.cite.quote)), f.id


def test_the_brief_example_and_a_late_claim_after_a_historical_one() -> None:
    claims = dated_claims("use docker-compose up and put version: '3.8' at the top of the file")
    assert [c.id for c in claims] == ["compose-v1", "compose-version-key"]
    assert claims[0].matched == "docker-compose up"
    assert claims[1].matched == "version: '3.8'"
    # the first mention is history, the second is the candidate's own practice
    later = dated_claims("Compose v1 used docker-compose up. I still run docker-compose down -v.")
    assert [c.matched for c in later] == ["docker-compose down"]


def test_a_claim_says_what_changed_and_cites_its_heading() -> None:
    claim = dated_claims("Kubernetes uses Docker to run the pods.", FACTS)[0]
    assert claim.note.startswith(
        "\u201cKubernetes uses Docker\u201d was right before Kubernetes 1.24:"
    )
    assert claim.then in claim.note and claim.now in claim.note
    assert claim.citation == "Section 10 > The dockershim Removal"
    assert claim.to_json()["cite"] == {
        "section": 10,
        "heading": "The dockershim Removal",
        "quote": claim.quote,
    }
    assert claim.concerns("Kubernetes 1.24 removed dockershim")
    assert not claim.concerns("docker stop sends SIGTERM first")


def test_no_bank_model_answer_or_key_point_is_dated() -> None:
    from app import knowledge

    kb = knowledge.load(KNOWLEDGE)
    for q in kb.questions:
        for text in (q.model_answer, *q.key_points, *q.follow_ups):
            assert dated_claims(text, FACTS) == [], (q.id, text)


def test_every_fact_has_a_key_point_about_the_current_behaviour() -> None:
    """`current` patterns find the bank's own statement of each change (what the grader uses
    to decide that a question is about the change)."""
    import re

    from app import knowledge

    points = [k for q in knowledge.load(KNOWLEDGE).questions for k in q.key_points]
    for f in FACTS:
        assert f.current, f.id
        assert any(re.search(p, k, re.I) for p in f.current for k in points), f.id


def test_default_facts_come_from_the_default_knowledge_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # neither the environment nor the cached global settings: an env pointing elsewhere is ignored
    monkeypatch.setenv("MENTOR_KNOWLEDGE_DIR", str(tmp_path))
    assert [c.id for c in dated_claims("docker-compose up")] == ["compose-v1"]


def test_facts_for_reads_the_folder_it_is_given(tmp_path: Path) -> None:
    assert facts_for(tmp_path) == ()
    (tmp_path / "versions.yaml").write_text((KNOWLEDGE / "versions.yaml").read_text())
    assert facts_for(tmp_path) == tuple(load_facts(tmp_path / "versions.yaml"))
    assert dated_claims("docker-compose up", facts_for(tmp_path))[0].id == "compose-v1"


def test_a_bad_fact_file_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "versions.yaml"
    bad.write_text(
        "- {id: x, topic: t, patterns: ['(unclosed'], then: a, now: b, since: c,"
        " cite: {section: 3, quote: 'long enough quote'}}\n"
    )
    with pytest.raises(KnowledgeError, match=r"versions\.yaml"):
        load_facts(bad)
