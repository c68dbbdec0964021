"""Issue 17 review fixes for sections 6-10, their banks, and the myth catalogue of those sections.

MUST cases look in the section's note only (the fix has to live where the topic is taught);
FORBID cases look at the note and its question bank (questions, key points, model answers).
The myth tests check knowledge/myths/06-10: the format, that each correction's heading exists in
the note it names, that every ### topic is covered, and that every bank misconception is a myth.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import KNOWLEDGE
from tests.knowledge.review import note_of, offenders
from tests.knowledge.test_facts import KB, text_of

SECTIONS = (6, 7, 8, 9, 10)

# (section, pattern that must appear in that section's note, what it teaches)
MUST = [
    # §6 image mounts need the containerd image store
    (6, r"--mount type=image[^\n]*Image mounts \*\*require the containerd image store\*\*",
     "--mount type=image needs the containerd image store"),
    # §7 ADD vs COPY
    (7, r"^### ADD vs COPY \(IMP\)$", "ADD vs COPY has its own topic"),
    (7, r"`COPY` copies from the build context[^\n]*predictable, so it is the default", "COPY is the predictable default"),
    (7, r"\*\*Remote URLs\*\* are downloaded; a downloaded archive is \*\*not extracted\*\*", "remote archives are not extracted"),
    (7, r"--checksum=sha256:", "ADD --checksum pins remote files"),
    (7, r"ADD https://github\.com/\S+\.git#v", "ADD clones a Git ref"),
    (7, r"`git@", "ADD takes SSH Git sources"),
    (7, r"\*\*Local tar archives\*\* \(plain, gzip, bzip2, xz\) are \*\*extracted automatically\*\*", "local tarballs are extracted"),
    (7, r"Use `ADD` only for those features", "ADD only for its extra features"),
    # §7 ONBUILD, SHELL, LABEL, annotations
    (7, r"`ONBUILD RUN npm ci` registers a trigger that runs only when \*\*another\*\* Dockerfile", "ONBUILD runs in child builds"),
    (7, r'`SHELL \["/bin/bash", "-o", "pipefail", "-c"\]`', "SHELL with pipefail"),
    (7, r"`LABEL` stores key-value metadata in the image config", "LABEL writes the image config"),
    (7, r"`org\.opencontainers\.image\.\*` keys", "OCI label keys"),
    (7, r"docker buildx build --annotation", "OCI annotations at build time"),
    # §7 the syntax directive pins a frontend; heredocs and COPY --link need no directive
    (7, r"`# syntax=docker/dockerfile:1` makes BuildKit pull the latest stable 1\.x Dockerfile frontend",
     "the syntax directive pins the frontend"),
    (7, r"Heredocs and `COPY --link` \(stable since Dockerfile 1\.4, 2022\) work on any current BuildKit \*\*without\*\* it",
     "heredocs and COPY --link need no directive"),
    # §7 code stays root-owned
    (7, r"Code, dependencies and the entrypoint stay \*\*root-owned\*\*", "code stays root-owned"),
    (7, r"Give the runtime user only the directories it must write", "chown only writable directories"),
    # §7 distroless/static has no libc
    (7, r"`gcr\.io/distroless/static` has CA certificates and tzdata but \*\*no libc\*\*", "distroless/static has no libc"),
    (7, r"`distroless/base` adds glibc", "distroless/base ships glibc"),
    (7, r"`distroless/cc` adds the GCC runtime", "distroless/cc adds the GCC runtime"),
    # §8 restart, build, up flags, configs, run vs exec
    (8, r"`restart:` takes the same policies as `docker run`: `\"no\"` \(the default\)", "restart policies, default no"),
    (8, r"Policies react to the main process \*\*exiting\*\*, never to an unhealthy status", "restart ignores health"),
    (8, r"`args` \(build arguments, not runtime environment\), `target`", "build args and target"),
    (8, r"`cache_from`", "build cache_from"),
    (8, r"docker compose up -d --build` \| builds images", "up --build"),
    (8, r"docker compose up -d --wait` \| detaches, then blocks until services are running or healthy", "up --wait"),
    (8, r"docker compose up -d --force-recreate` \| recreates containers", "up --force-recreate"),
    (8, r"--exit-code-from tests` \| returns the `tests` container's exit code; implies `--abort-on-container-exit`",
     "--exit-code-from implies --abort-on-container-exit"),
    (8, r"`configs:` mounts non-sensitive files into containers", "Compose configs"),
    (8, r"docker compose run --rm api npm test` \| starts a \*\*new\*\* one-off container", "run starts a new container"),
    (8, r"docker compose exec db psql -U postgres` \| runs a command inside the \*\*already running\*\* container",
     "exec uses the running container"),
    # §9 certificates, gossip, stack deploy
    (9, r"\*\*Node certificates rotate automatically\*\* before they expire \(default validity 90 days",
     "node certificates rotate automatically, 90 days"),
    (9, r"docker swarm update --cert-expiry", "--cert-expiry"),
    (9, r"The \*\*root CA\*\* does not rotate by itself[^\n]*`docker swarm ca --rotate`", "root CA rotation is manual"),
    (9, r"\*\*Control plane\*\*[^\n]*always mutual TLS", "the control plane is mutual TLS"),
    (9, r"\*\*Gossip\*\*[^\n]*encrypted by default with AES-GCM keys that managers rotate every 12 hours",
     "gossip is AES-GCM, keys rotated every 12 hours"),
    (9, r"\*\*Data plane\*\*[^\n]*\*\*not encrypted by default\*\*\. `--opt encrypted` wraps it in IPsec",
     "--opt encrypted encrypts the VXLAN data plane with IPsec"),
    (9, r"It does \*\*not\*\* read the `\.env` file", "stack deploy does not read .env"),
    (9, r"render the file with `docker compose config`", "export variables or render with compose config"),
    (9, r"ignores `build:`[^\n]*`container_name`[^\n]*`depends_on`", "stack deploy ignores build, container_name, depends_on"),
    # §10 dockershim wording, CrashLoopBackOff, flag mapping, ConfigMaps vs Secrets
    (10, r"Kubernetes 1\.24 dropped its built-in Docker adapter \(dockershim\), but cri-dockerd still works",
     "1.24 dropped dockershim; cri-dockerd still works"),
    (10, r"^### Debugging CrashLoopBackOff \(IMP\)$", "CrashLoopBackOff triage has its own topic"),
    (10, r"kubectl describe pod", "kubectl describe pod"),
    (10, r"kubectl logs \S+ --previous", "kubectl logs --previous"),
    (10, r"kubectl get events", "kubectl get events"),
    (10, r"`Reason: OOMKilled`", "OOMKilled in the last state"),
    (10, r"`Liveness probe failed`", "failing liveness probes"),
    (10, r"`--memory 256m` \| `resources\.limits\.memory", "--memory -> limits.memory"),
    (10, r"`--cpus 0\.5` \| `resources\.limits\.cpu", "--cpus -> limits.cpu"),
    (10, r"`resources\.requests`: what the scheduler reserves", "requests are reservations"),
    (10, r"`--user 1000:1000` \| `securityContext\.runAsUser`", "--user -> runAsUser"),
    (10, r"`--read-only` \| `securityContext\.readOnlyRootFilesystem: true`", "--read-only -> readOnlyRootFilesystem"),
    (10, r"`--cap-drop ALL`, `--cap-add` \| `securityContext\.capabilities\.drop`", "--cap-drop -> capabilities.drop"),
    (10, r"`--privileged` \| `securityContext\.privileged: true`", "--privileged -> privileged"),
    (10, r"A \*\*Secret\*\* is only \*\*base64-encoded\*\*, not encrypted", "Secrets are base64, not encrypted"),
    (10, r"\*\*Encryption at rest\*\* must be configured on the API server", "encryption at rest must be configured"),
]  # fmt: skip

# (name, sections searched, patterns that must all occur in one sentence, words that excuse it,
#  scope). An excuse of None means the shared NEGATION list; claims that themselves contain one of
# those words ("only", "no longer") name a narrower excuse. Scope "line" checks whole lines, for
# claims split over sentences ("... COPY --link ... It needs the modern frontend").
FORBID = [
    ("image mount without the containerd store", (6,), [r"type=image"], r"containerd", "line"),
    ("heredocs or COPY --link need the syntax directive", (7,),
     [r"syntax|frontend", r"heredoc|--link", r"\b(?:brings|needs?|requires?|only works)\b"],
     r"\bwithout\b|optional", "line"),
    ("distroless images ship libc", (7,),
     [r"\bdistroless\b(?!/(?:base|cc))[^.;]*\blibc\b"], r"\bno libc\b|without libc|not[^.;]*libc", "sentence"),
    ("root CA rotates automatically", (9,),
     [r"\bCA\b", r"\brotat\w* automatically\b"], r"\bnot\b|[Nn]ode certificates", "sentence"),
    ("gossip rides on mutual TLS", (9,), [r"gossip", r"mutual TLS|\bmTLS\b"], r"AES", "sentence"),
    ("only management traffic is encrypted", (9,),
     [r"\bonly (?:the )?(?:management|control[- ]plane|raft) traffic is encrypted"], r"\bgossip\b", "sentence"),
    ("stack deploy reads .env", (9,), [r"stack deploy", r"\.env\b"], None, "sentence"),
    ("Kubernetes no longer talks to Docker", (10,),
     [r"\bno longer (?:talks?|uses?|supports?|runs?)\b[^.\n]{0,20}\bDocker\b"], r"cri-dockerd", "sentence"),
]  # fmt: skip

# The pre-fix wording each FORBID case was written against (from git HEAD before this change).
OLD_WORDING = {
    "image mount without the containerd store": "**Version Note:** Engine 26.0 added `volume-subpath` to mount a "
    "sub-directory of a volume, and Engine 28.0 added `--mount type=image` to mount another image's filesystem "
    "into a container.",
    "heredocs or COPY --link need the syntax directive": "**Version Note:** BuildKit has been the default builder "
    "since Docker Engine 23.0. Starting the file with `# syntax=docker/dockerfile:1` pins the latest stable 1.x "
    "frontend, which brings heredocs, `COPY --link`, secret `env=` mounts and build checks.",
    "distroless images ship libc": "Distroless images add just those plus libc and a `nonroot` user (UID 65532); "
    "neither has a shell or package manager.",
    "root CA rotates automatically": "Built-in security: nodes talk over mutual TLS with certificates from the "
    "swarm's own CA (rotated automatically); separate join tokens for workers and managers.",
    "gossip rides on mutual TLS": "The control plane (Raft, scheduling, gossip) is always encrypted with mutual TLS.",
    "only management traffic is encrypted": "Only management traffic is encrypted out of the box; service-to-service "
    "data travels in clear VXLAN unless the network was created with `--opt encrypted`.",
    "stack deploy reads .env": "Like docker compose, docker stack deploy picks up the .env file.",
    "Kubernetes no longer talks to Docker": "Docker builds and runs containers on one host; Kubernetes orchestrates "
    "them across many, and since version 1.24 it no longer talks to Docker Engine on its nodes.",
}


@pytest.mark.parametrize(("number", "pattern", "fact"), MUST, ids=[m[2] for m in MUST])
def test_review_fix_is_taught(number: int, pattern: str, fact: str) -> None:
    assert re.search(pattern, note_of(number), re.M), (
        f"Section {number}'s note should teach: {fact}"
    )


@pytest.mark.parametrize(
    ("name", "numbers", "patterns", "excuse", "scope"), FORBID, ids=[f[0] for f in FORBID]
)
def test_review_error_is_gone(
    name: str, numbers: tuple[int, ...], patterns: list[str], excuse: str | None, scope: str
) -> None:
    found = [s for n in numbers for s in offenders(text_of(n), patterns, excuse, scope)]
    assert found == [], f"{name}: {found}"


def test_forbid_cases_catch_the_old_wording() -> None:
    assert set(OLD_WORDING) == {f[0] for f in FORBID}
    for name, _, patterns, excuse, scope in FORBID:
        assert offenders(OLD_WORDING[name], patterns, excuse, scope), name


CODE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.M | re.S)


def test_dockerfiles_keep_code_root_owned() -> None:
    """Only writable data may be chowned to the runtime user: never `.`, the entrypoint or manifests."""
    chown_code = re.compile(
        r"^COPY\s+(?:--\S+\s+)*--chown=\S+\s+(?:--\S+\s+)*(?:\.\s|\S*entrypoint|package)", re.M
    )
    for number in SECTIONS:
        for m in CODE.finditer(note_of(number)):
            if m.group(1) == "dockerfile":
                assert not chown_code.search(m.group(2)), (number, m.group(2))
    assert chown_code.search("COPY --chown=node:node --chmod=755 entrypoint.sh /usr/local/bin/\n")
    assert chown_code.search("COPY --chown=node:node . .\n")


def section_between(text: str, heading: str) -> str:
    start = text.index(heading)
    nxt = text.find("\n### ", start + len(heading))
    return text[start : nxt if nxt != -1 else len(text)]


def test_compose_watch_lists_every_action() -> None:
    watch = section_between(note_of(8), "### Compose Watch")
    for action in ["sync", "rebuild", "restart", "sync+restart", "sync+exec"]:
        assert f"`{action}`" in watch, action


# ---- banks ----------------------------------------------------------------------------------

BANKS = {n: KB.section(n).questions for n in SECTIONS}


def test_every_question_lists_a_misconception() -> None:
    missing = [q.id for qs in BANKS.values() for q in qs if not q.misconceptions]
    assert missing == []


@pytest.mark.parametrize(
    ("section", "qid", "topic"),
    [
        (6, "vol-image-mount", "image mounts"),
        (7, "df-add-vs-copy", "ADD vs COPY"),
        (7, "df-add-remote-git", "ADD --checksum and Git sources"),
        (7, "df-syntax-directive", "the syntax directive"),
        (7, "df-nonroot-ownership", "root-owned code"),
        (7, "df-labels-annotations", "LABEL and OCI annotations"),
        (7, "df-onbuild-shell", "ONBUILD and SHELL"),
        (8, "cmp-build-options", "build: options"),
        (8, "cmp-restart-policy", "restart:"),
        (8, "cmp-up-flags-ci", "up --build/--wait/--exit-code-from"),
        (8, "cmp-configs", "configs:"),
        (8, "cmp-run-vs-exec", "run vs exec"),
        (9, "swarm-cert-rotation", "certificate rotation"),
        (10, "k8s-crashloopbackoff", "CrashLoopBackOff triage"),
        (10, "k8s-docker-flags-mapping", "Docker flags in the pod spec"),
        (10, "k8s-configmap-vs-secret", "ConfigMaps vs Secrets"),
    ],
)
def test_missing_topic_has_a_bank_question(section: int, qid: str, topic: str) -> None:
    assert qid in {q.id for q in BANKS[section]}, topic


def test_env_precedence_key_points_hold_one_fact_each() -> None:
    q = next(q for q in BANKS[8] if q.id == "cmp-env-precedence")
    assert len(q.key_points) >= 5
    assert not [k for k in q.key_points if ", then " in k]


def test_watch_question_names_every_action() -> None:
    q = next(q for q in BANKS[8] if q.id == "cmp-watch")
    joined = " ".join(q.key_points)
    for action in ["sync", "rebuild", "restart", "sync+restart", "sync+exec"]:
        assert f"{action} action" in joined, action


def test_homes_are_not_repeated_in_these_banks() -> None:
    """137 lives in 04, COPY-path rules in 03, what HEALTHCHECK does under plain Docker in 07."""
    for number, qs in BANKS.items():
        for q in qs:
            for k in q.key_points:
                assert not re.search(r"\b137\b", k), (q.id, k)
                assert not re.search(r"relative to the (?:build )?context", k, re.I), (q.id, k)
                if number in (9, 10):
                    assert not re.search(
                        r"plain docker|docker run|standalone", k, re.I
                    ) or not re.search(r"health|unhealthy", k, re.I), (q.id, k)


# ---- myths ----------------------------------------------------------------------------------

MYTH_DIR = KNOWLEDGE / "myths"
STEMS = {n: KB.section(n).path.stem for n in SECTIONS}
KINDS = {"wrong-default", "wrong-mechanism", "unsafe-practice", "dated", "wrong-fact"}
HEADING = re.compile(r"^###\s+(.+?)\s*$", re.M)


def load_myths(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, list), path
    return data


MYTHS = {n: load_myths(MYTH_DIR / f"{STEMS[n]}.yaml") for n in SECTIONS}


def headings_of(number: int) -> set[str]:
    return set(HEADING.findall(note_of(number)))


@pytest.mark.parametrize("number", SECTIONS)
def test_myth_file_format(number: int) -> None:
    myths = MYTHS[number]
    assert len(myths) >= 17, len(myths)
    for m in myths:
        assert set(m) <= {"id", "claims", "correction", "section", "heading", "kind", "since"}, m[
            "id"
        ]
        assert re.fullmatch(rf"{number:02d}-[a-z0-9]+(?:-[a-z0-9]+)*", m["id"]), m["id"]
        assert 2 <= len(m["claims"]) <= 3, m["id"]
        for claim in m["claims"]:
            assert claim.strip().endswith("."), (m["id"], claim)
            assert not re.match(r"(?i)myth\b", claim), (m["id"], claim)
        assert m["correction"].strip(), m["id"]
        assert len(re.findall(r"[.!?](?=\s+[A-Z]|\s*$)", m["correction"].strip())) <= 2, m["id"]
        assert m["kind"] in KINDS, m["id"]
        assert ("since" in m) == (m["kind"] == "dated"), m["id"]
        assert m["section"] in KB.sections, m["id"]
        assert m["heading"] in headings_of(m["section"]), (m["id"], m["heading"])


@pytest.mark.parametrize("number", SECTIONS)
def test_myths_spread_kinds_and_cover_every_topic(number: int) -> None:
    myths = MYTHS[number]
    kinds = [m["kind"] for m in myths]
    assert kinds.count("unsafe-practice") >= 2, number
    assert kinds.count("dated") >= 2, number
    covered = {m["heading"] for m in myths if m["section"] == number}
    assert headings_of(number) - covered == set(), number


def test_myth_ids_are_unique_across_all_myth_files() -> None:
    ids = [m["id"] for path in sorted(MYTH_DIR.glob("*.yaml")) for m in load_myths(path)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("number", SECTIONS)
def test_every_bank_misconception_is_a_myth(number: int) -> None:
    claims = {c.strip().rstrip(".").lower() for m in MYTHS[number] for c in m["claims"]}
    missing = [
        (q.id, mis)
        for q in BANKS[number]
        for mis in q.misconceptions
        if mis.strip().rstrip(".").lower() not in claims
    ]
    assert missing == []


def test_dated_claims_of_these_sections_are_myths() -> None:
    """versions.yaml facts and seed errors that belong to sections 6-10 each have a myth entry."""
    ids = {m["id"] for n in SECTIONS for m in MYTHS[n]}
    for needed in [
        "06-volume-prune-removes-named",  # versions: volume-prune-all, seed §6
        "06-aufs-devicemapper-drivers",  # versions: removed-storage-drivers
        "07-docker-buildkit-env-required",  # versions: buildkit-opt-in
        "08-compose-v1-maintained",  # versions: compose-v1, seed §1/§9
        "08-version-key-selects-features",  # versions: compose-version-key
        "09-overlay-all-encrypted",  # seed §9 "secure communication"
        "09-updates-roll-back-automatically",  # seed §9 "zero downtime, rollbacks"
        "09-swarm-mode-removed",  # seed §9/§18 Swarm status
        "10-kubelet-runs-docker-engine",  # versions: dockershim
        "10-no-way-to-use-docker-engine",  # seed §10 cri-dockerd
        "10-ingress-nginx-default",  # seed §10 ingress-nginx
        "10-metrics-server-built-in",  # seed §10 Metrics Server
        "10-desktop-single-node-only",  # seed §10 Docker Desktop kind cluster
    ]:
        assert needed in ids, needed
