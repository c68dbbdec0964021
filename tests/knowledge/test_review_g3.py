"""Issue 17 review, sections 11-15: the fixed facts stay taught, the fixed errors stay gone,
each fact has one home question, and the myth catalogue for these sections is well formed.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.knowledge import review
from tests.knowledge.test_facts import sentences

OWNED = {11: "11-security", 12: "12-registries", 13: "13-monitoring-logging", 14: "14-debugging",
         15: "15-performance"}  # fmt: skip


# (section, pattern that must appear in that section's note, what the review asked for)
MUST = [
    # §11 missing topics
    (11, r"CIS Docker Benchmark", "the CIS Docker Benchmark"),
    (11, r"docker-bench-security", "docker-bench-security audits a host against the benchmark"),
    (11, r"Enhanced Container Isolation.{0,120}Docker Business", "ECI is a Docker Business feature"),
    (11, r"Enhanced Container Isolation[\s\S]{0,400}user namespace", "ECI runs containers in user namespaces"),
    (11, r"--tlsverify", "protect the daemon socket with --tlsverify"),
    (11, r"\b2376\b", "TLS on port 2376"),
    (11, r"[Nn]ever expose[^.\n]*\b2375\b", "never expose 2375"),
    (11, r"--security-opt seccomp=\S*\.json", "a custom seccomp profile"),
    (11, r"around 44", "the default seccomp profile blocks around 44 syscalls"),
    (11, r"Falco", "Falco for runtime threat detection"),
    (11, r"Falco[^\n]*(?:eBPF|system calls)", "Falco watches syscalls through eBPF"),
    # §11 error: code must not belong to the runtime user
    (11, r"code and entrypoint root-owned|code stays owned by root", "keep code and entrypoint root-owned"),
    (11, r"[Cc]hown only the directories", "chown only writable directories"),
    # §12 tag immutability, stated consistently
    (12, r"Tag immutability\*\* is a registry setting, off by default", "tag immutability is opt-in"),
    (12, r"Docker Hub \(the repository's tag mutability setting\)", "Docker Hub can enforce immutable tags"),
    (12, r"Azure Container Registry \(repository and tag locks\)", "ACR uses repository and tag locks"),
    (12, r"Quay \(immutability policies\)", "Quay has immutability policies"),
    # §15 missing topics
    (15, r"--shm-size", "--shm-size"),
    (15, r"\*\*64 MB\*\* tmpfs by default", "/dev/shm defaults to 64 MB"),
    (15, r"PyTorch DataLoader", "who needs more shared memory"),
    (15, r"--ulimit nofile=", "--ulimit nofile"),
    (15, r"default-ulimits", "daemon default-ulimits"),
    (15, r"--device-read-bps", "block I/O throughput limits"),
    (15, r"--device-write-iops", "block I/O IOPS limits"),
    (15, r"--blkio-weight", "block I/O weight"),
    (15, r"cgroup v2 `io` controller", "block I/O limits need the cgroup v2 io controller"),
    (15, r"not honoured for every filesystem or driver", "block I/O limits are not honoured everywhere"),
    # new home angles need their facts in the notes
    (13, r"\.State\.Health\.Log", "health probe output lives in the health log"),
    (14, r"memory\.events", "OOM evidence in memory.events"),
    (14, r"journalctl -k", "OOM evidence in the kernel log"),
    (14, r"--no-cache-filter", "rebuild one stage"),
    (14, r"docker buildx history logs", "replay a finished build's log"),
    (15, r"docker buildx history inspect", "measure a past build"),
]  # fmt: skip


@pytest.mark.parametrize(("number", "pattern", "fact"), MUST, ids=[m[2] for m in MUST])
def test_review_fact_is_in_the_note(number: int, pattern: str, fact: str) -> None:
    assert re.search(pattern, review.note_of(number)), f"Section {number} should state: {fact}"


def test_tag_immutability_names_every_registry_in_one_sentence() -> None:
    wanted = [
        "Docker Hub",
        "ECR",
        "Artifact Registry",
        "Azure Container Registry",
        "Quay",
        "Harbor",
    ]
    hits = [s for s in sentences(review.note_of(12)) if "immutab" in s.lower() and "enforce" in s]
    assert any(all(w in s for w in wanted) for s in hits), hits


# (name, section, patterns that must all occur in one sentence of the note, excuse, negation excuses)
FORBID = [
    ("runtime user owns the copied app", 11, [r"--chown=\S+\s+/app\s+/app"], None, False),
    ("COPY --chown of application code", 11, [r"COPY\b[^\n]*--chown="], None, False),
    ("only ECR, Harbor and Artifact Registry enforce immutability", 12,
     [r"immutab", r"ECR, Harbor, Artifact Registry"], None, False),
    ("most registries cannot enforce immutability", 12,
     [r"immutab", r"most registries (?:do not|don't|cannot|can't)"], None, False),
    ("Docker Hub cannot enforce immutability", 12, [r"Docker Hub", r"(?:cannot|can't|no)\b[^.]*immutab"],
     None, False),
    ("seccomp=unconfined as a fix", 11, [r"seccomp=unconfined"], r"[Nn]ever|not", True),
    ("expose 2375", 11, [r"\b2375\b"], r"[Nn]ever|deprecated", True),
    ("/dev/shm is unlimited or host-sized", 15, [r"/dev/shm", r"unlimited|host's size|as large as"], None, True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "number", "patterns", "excuse", "negation_excuses"), FORBID, ids=[f[0] for f in FORBID]
)
def test_fixed_error_does_not_come_back(
    name: str, number: int, patterns: list[str], excuse: str | None, negation_excuses: bool
) -> None:
    offenders = review.fixed_error_offenders(number, patterns, excuse, negation_excuses)
    assert offenders == [], f"{name}: {offenders}"


# Each missing topic got at least one bank question: (section, question id, topic pattern)
NEW_QUESTIONS = [
    (11, "sec-cis-benchmark", r"CIS Docker Benchmark"),
    (11, "sec-enhanced-container-isolation", r"Docker Business"),
    (11, "sec-daemon-tls", r"--tlsverify"),
    (11, "sec-custom-seccomp", r"seccomp=profile\.json"),
    (11, "sec-falco-runtime-detection", r"eBPF"),
    (11, "sec-code-ownership", r"owned by root"),
    (12, "reg-tag-immutability", r"Docker Hub"),
    (15, "perf-shm-size", r"64 MB"),
    (15, "perf-ulimits", r"default-ulimits"),
    (15, "perf-blkio-limits", r"--blkio-weight"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("number", "qid", "pattern"), NEW_QUESTIONS, ids=[n[1] for n in NEW_QUESTIONS]
)
def test_missing_topic_has_a_bank_question(number: int, qid: str, pattern: str) -> None:
    review.assert_home_question(number, qid, pattern)


# Homes decided for all helpers: sections 11-15 must ask a different angle.
NOT_HOME = [
    ("exit code 137 is home in 04", 14, r"\b137\b"),
    ("COPY context is home in 03", 14, r"failed to compute cache key|relative to the (?:root of the )?build context"),
    ("HEALTHCHECK behaviour is home in 07", 13, r"[Ww]hat does Docker do about it|does not restart|restart(?:s)? it"),
    ("cache layer order is home in 07", 15, r"reinstall(?:s)? (?:all )?(?:its |the )?dependencies|COPY \. \. before"),
    ("ufw bypass is home in 05", 11, r"\bufw\b"),
    ("Hub pull limits are home in 12 (11)", 11, r"(?:10|100) (?:pulls )?per (?:hour|6 hours)"),
    ("Hub pull limits are home in 12 (13)", 13, r"(?:10|100) (?:pulls )?per (?:hour|6 hours)"),
    ("Hub pull limits are home in 12 (14)", 14, r"(?:10|100) (?:pulls )?per (?:hour|6 hours)"),
    ("Hub pull limits are home in 12 (15)", 15, r"(?:10|100) (?:pulls )?per (?:hour|6 hours)"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "number", "pattern"), NOT_HOME, ids=[n[0] for n in NOT_HOME])
def test_non_home_banks_ask_another_angle(name: str, number: int, pattern: str) -> None:
    asked = review.asked_in([number], pattern)
    assert asked == [], f"{name}: {asked}"


def test_every_question_in_these_banks_lists_a_misconception() -> None:
    assert review.without_misconception(OWNED) == []


# ---------------------------------------------------------------------------------------------
# The myth catalogue (knowledge/myths/NN-stem.yaml) for the sections above
# ---------------------------------------------------------------------------------------------

(
    test_myth_file_is_well_formed,
    test_myths_cover_every_topic_of_the_note,
    test_every_bank_misconception_is_a_myth,
    test_myth_claims_do_not_appear_in_the_notes,
) = review.myth_catalogue_tests(OWNED)


def myths_of(number: int) -> list[dict]:
    return review.myths_in(OWNED[number])


def test_myth_ids_are_unique_across_all_myth_files() -> None:
    ours = [m["id"] for n in sorted(OWNED) for m in myths_of(n)]
    assert len(ours) == len(set(ours)), sorted(i for i in ours if ours.count(i) > 1)
    others = set()
    for path in sorted(review.MYTHS.glob("*.yaml")):
        if path.stem in OWNED.values():
            continue
        try:  # other sections' catalogues are checked by their own tests
            entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError:
            continue
        others |= {m.get("id") for m in entries if isinstance(m, dict)}
    assert set(ours) & others == set()
