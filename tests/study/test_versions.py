"""Dated claims: answers that were right years ago are recognised, modern ones are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import KnowledgeError
from app.handson.model import CiteSpec, NoteIndex
from app.study.versions import dated_claims, load_facts
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
    ("volume-prune-all", "docker volume prune deletes all unused volumes, named ones too."),
    ("hub-pull-limit", "Anonymous users get 100 pulls per 6 hours from Docker Hub."),
    ("removed-storage-drivers", "On RHEL we use devicemapper for the images."),
]
MODERN = [
    "docker compose up -d, then docker compose down -v to drop volumes.",
    "name: shop\nservices:\n  web:\n    image: nginx:1.28\n",
    "BuildKit is the default builder since Engine 23.0.",
    "Kubernetes runs Docker images through containerd; dockershim was removed in 1.24.",
    "COPY --link . . keeps the layer independent of the base.",
    "docker volume prune -a removes unused named volumes too.",
    "Unauthenticated pulls are limited to 10 per hour.",
    "overlay2 is the storage driver.",
    "",
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


def test_default_facts_come_from_settings() -> None:
    assert [c.id for c in dated_claims("docker-compose up")] == ["compose-v1"]


def test_a_bad_fact_file_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "versions.yaml"
    bad.write_text(
        "- {id: x, topic: t, patterns: ['(unclosed'], then: a, now: b, since: c,"
        " cite: {section: 3, quote: 'long enough quote'}}\n"
    )
    with pytest.raises(KnowledgeError, match=r"versions\.yaml"):
        load_facts(bad)
