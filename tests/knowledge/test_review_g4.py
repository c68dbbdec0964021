"""Issue 17 review, sections 16-20: the fixed facts stay taught, the fixed errors stay gone,
each fact has one home question, and the myth catalogue for these sections is well formed.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.knowledge import review
from tests.knowledge.test_facts import KB

OWNED = {16: "16-plugins-extensions", 17: "17-cicd", 18: "18-production", 19: "19-troubleshooting",
         20: "20-emerging"}  # fmt: skip


# (section, pattern that must appear in that section's note, what the review asked for)
MUST = [
    # §16 alternative runtimes and GPUs
    (16, r'registered under `"runtimes"` in `daemon\.json`', "runtimes are registered in daemon.json"),
    (16, r"docker run --rm --runtime=runsc", "docker run --runtime=runsc"),
    (16, r"gVisor \(`runsc`\)", "gVisor's runsc"),
    (16, r"Kata Containers \|[^\n]*lightweight VM", "Kata Containers runs a lightweight VM"),
    (16, r"io\.containerd\.kata\.v2", "Kata's containerd shim"),
    (16, r"NVIDIA \(`nvidia`\)", "the NVIDIA runtime"),
    (16, r"NVIDIA Container Toolkit", "the NVIDIA Container Toolkit"),
    (16, r"--gpus all", "--gpus all"),
    (16, r"--gpus device=0", "--gpus device=0"),
    (16, r"--device nvidia\.com/gpu=all", "CDI device names"),
    (16, r"nvidia-ctk cdi generate", "generating the CDI spec"),
    (16, r"enabled by default since Engine 28\.2", "CDI is on by default since Engine 28.2"),
    # §16 dated Marketplace statement
    (16, r"As of 2026, new submissions to the public Marketplace are paused", "a dated Marketplace statement"),
    # §17 integration tests, bake, cosign
    (17, r"up -d --wait", "docker compose up -d --wait"),
    (17, r"--exit-code-from tests", "docker compose up --exit-code-from"),
    (17, r"\*\*Testcontainers\*\*", "Testcontainers in CI"),
    (17, r"docker buildx bake", "docker buildx bake"),
    (17, r"docker-bake\.hcl", "the bake file"),
    (17, r'group "default"', "a bake group"),
    (17, r'target "api"', "a bake target"),
    (17, r'cosign sign --yes "registry\.example\.com/shop/api@\$\{DIGEST\}"', "cosign sign by digest"),
    (17, r"--certificate-identity", "cosign verify pins the identity"),
    (17, r"--certificate-oidc-issuer", "cosign verify pins the issuer"),
    (17, r"id-token: write", "OIDC permission for keyless signing"),
    # §17 GitLab tests run in a test stage
    (17, r"docker build --pull --target test \.", "tests run with docker build --target test"),
    (17, r"`npm ci --omit=dev` left the test tools out", "the production image lacks test tools"),
    (17, r"non-shell `ENTRYPOINT`", "a non-shell ENTRYPOINT breaks GitLab's script runner"),
    # §17 tag immutability, aligned with §12
    (17, r"Tag immutability is a registry setting, off by default", "tag immutability is opt-in"),
    (17, r"Docker Hub, Amazon ECR, Google Artifact Registry, Azure Container Registry \(repository and tag "
         r"locks\), Quay and Harbor can enforce", "the registries that can enforce immutability"),
    # §18 PID 1 and shell form, stated precisely
    (18, r"Many shells \(dash, bash\) exec a single simple command", "shells exec a lone simple command"),
    (18, r"node can still end up as PID 1", "shell-form CMD can still give node PID 1"),
    (18, r"starts it without `exec`", "wrapper scripts without exec"),
    (18, r"`CMD npm start` \(npm becomes PID 1", "npm start puts npm at PID 1"),
    (18, r'sh -c "migrate && node server\.js"', "command lists keep the shell in front"),
    # §18 new angles for home facts
    (18, r'"ip": "127\.0\.0\.1"', "daemon-wide default bind address"),
    (18, r"Keep liveness checks shallow", "orchestrators act on health: shallow liveness"),
    # §19 missing topics
    (19, r"no matching manifest for linux/arm64/v8 in the manifest list entries", "no matching manifest"),
    (19, r"--platform linux/amd64", "run the amd64 variant under emulation"),
    (19, r"tonistiigi/binfmt --install amd64", "QEMU handlers on Linux"),
    (19, r"docker buildx build --platform linux/amd64,linux/arm64", "publish multi-arch"),
    (19, r"x509: certificate signed by unknown authority", "x509 errors"),
    (19, r"TLS-inspecting corporate proxy", "TLS-inspecting proxies"),
    (19, r"/etc/docker/certs\.d/<registry>:<port>/ca\.crt", "per-registry CA"),
    (19, r"host trust store", "proxy CA in the system trust store"),
    (19, r"`insecure-registries` turns verification off: a last resort", "insecure-registries only last"),
    (19, r"/etc/resolv\.conf", "resolv.conf inside the container"),
    (19, r'`--dns` or `"dns"` in `daemon\.json`', "--dns and daemon.json dns"),
    (19, r"net\.ipv4\.ip_forward", "ip_forward"),
    (19, r"iptables or nftables rules", "firewall rules"),
    (19, r"MTU", "MTU mismatches"),
    (19, r"`HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`", "proxy variables"),
    # §19 triage angle for exit 137
    (19, r"--filter event=oom", "docker events for OOM kills"),
    (19, r"container_memory_working_set_bytes", "memory metrics against the limit"),
    # §20 agent tooling and Offload
    (20, r"\*\*Docker MCP Catalog\*\*", "the MCP Catalog"),
    (20, r"\*\*MCP Toolkit\*\* \(Docker Desktop, beta\)", "the MCP Toolkit, beta"),
    (20, r"\*\*MCP Gateway\*\*", "the MCP Gateway"),
    (20, r"`docker mcp` CLI plugin", "the docker mcp plugin"),
    (20, r"\*\*Gordon\*\* \(beta\)", "Gordon, beta"),
    (20, r"`docker ai`", "docker ai"),
    (20, r"\*\*Docker Agent\*\*[^\n]*cagent", "Docker Agent, formerly cagent"),
    (20, r"\*\*Docker Offload\*\*", "Docker Offload"),
    (20, r"docker offload start", "docker offload start"),
    # §20 Model Runner's TCP port on Docker Desktop
    (20, r"docker desktop enable model-runner --tcp 12434", "enable Model Runner's TCP port"),
]  # fmt: skip


@pytest.mark.parametrize(("number", "pattern", "fact"), MUST, ids=[m[2] for m in MUST])
def test_review_fact_is_in_the_note(number: int, pattern: str, fact: str) -> None:
    assert re.search(pattern, review.note_of(number)), f"Section {number} should state: {fact}"


def test_model_runner_port_is_enabled_before_it_is_used() -> None:
    text = review.note_of(20)
    enable = text.find("docker desktop enable model-runner --tcp 12434")
    use = text.find("curl http://localhost:12434")
    assert 0 <= enable < use, "enable the TCP port before calling localhost:12434"


# (name, section, patterns that must all occur in one sentence of the note, excuse, negation excuses)
FORBID = [
    ("undated 'at the time of writing'", 16, [r"(?i)at the time of writing"], None, False),
    ("internal jargon 'seed-era'", 17, [r"(?i)\bseed[- ]era\b"], None, False),
    ("GitLab tests run in the production image", 17, [r"image: \$CI_REGISTRY_IMAGE:\$CI_COMMIT_SHA"], None,
     False),
    ("only ECR and Harbor enforce immutability", 17, [r"ECR and Harbor can enforce"], None, False),
    ("most registries cannot enforce immutability", 17, [r"immutab", r"most registries do not"], None, False),
    ("shell-form CMD always makes /bin/sh PID 1", 18,
     [r"[Ss]hell-form `?CMD`?", r"(?:makes|leaves) `?/bin/sh(?: -c)?`? PID 1"], None, False),
    ("shell-form CMD blamed for every 10-second stop", 18, [r"never saw SIGTERM \(shell-form"], None, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "number", "patterns", "excuse", "negation_excuses"), FORBID, ids=[f[0] for f in FORBID]
)
def test_fixed_error_does_not_come_back(
    name: str, number: int, patterns: list[str], excuse: str | None, negation_excuses: bool
) -> None:
    offenders = review.fixed_error_offenders(number, patterns, excuse, negation_excuses)
    assert offenders == [], f"{name}: {offenders}"


def test_no_internal_jargon_in_these_notes() -> None:
    for number in OWNED:
        assert not re.search(r"(?i)\bseed[- ]era\b|\bthe seed\b", review.note_of(number)), number


# Each missing topic got at least one bank question: (section, question id, key-point pattern)
NEW_QUESTIONS = [
    (16, "plug-alt-runtimes", r"runtimes key in daemon\.json"),
    (16, "plug-alt-runtimes", r"--runtime=<name>"),
    (16, "plug-gpus", r"--gpus all"),
    (16, "plug-gpus", r"nvidia\.com/gpu=all"),
    (17, "cicd-integration-tests", r"up -d --wait"),
    (17, "cicd-integration-tests", r"--exit-code-from tests"),
    (17, "cicd-integration-tests", r"Testcontainers"),
    (17, "cicd-bake", r"docker-bake\.hcl"),
    (17, "cicd-bake", r"group"),
    (17, "cicd-cosign-keyless", r"--certificate-identity"),
    (17, "cicd-cosign-keyless", r"OIDC identity"),
    (17, "cicd-gitlab-dind-image-missing", r"--target test"),
    (17, "cicd-rate-limit", r"pull-through cache"),
    (18, "prod-pid1-signals", r"without exec"),
    (18, "prod-ufw-bypass", r"127\.0\.0\.1"),
    (18, "prod-healthcheck-behaviour", r"readiness probe"),
    (19, "ts-no-matching-manifest", r"manifest list"),
    (19, "ts-no-matching-manifest", r"--platform linux/amd64"),
    (19, "ts-x509", r"/etc/docker/certs\.d"),
    (19, "ts-x509", r"insecure-registries"),
    (19, "ts-no-internet", r"ip_forward"),
    (19, "ts-no-internet", r"MTU"),
    (19, "ts-no-internet", r"HTTP_PROXY"),
    (19, "ts-dns", r"127\.0\.0\.53"),
    (19, "ts-exit-137", r"docker events"),
    (20, "adv-mcp-toolkit", r"MCP Catalog"),
    (20, "adv-mcp-toolkit", r"MCP Gateway"),
    (20, "adv-gordon-agent", r"Gordon"),
    (20, "adv-gordon-agent", r"cagent"),
    (20, "adv-offload", r"Docker Offload"),
    (20, "adv-model-runner", r"--tcp 12434"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("number", "qid", "pattern"), NEW_QUESTIONS, ids=[f"{n[1]}:{n[2]}" for n in NEW_QUESTIONS]
)
def test_missing_topic_has_a_bank_question(number: int, qid: str, pattern: str) -> None:
    review.assert_home_question(number, qid, pattern)


# Homes decided for all helpers: sections 16-20 must ask a different angle.
NOT_HOME = [
    ("exit code 137 is home in 04", r"137 (?:is|means) 128|128 plus 9|[Ww]hat do you check\?"),
    ("COPY context is home in 03",
     r"failed to compute cache key|relative to the (?:root of the )?build context|directory that contains the Dockerfile"),
    ("HEALTHCHECK behaviour is home in 07",
     r"[Nn]othing replaced it|only sets the container status to unhealthy|react to the main process exiting"),
    ("cache layer order is home in 07", r"dependency manifests|before copying source|ordering matters"),
    ("ufw bypass is home in 05", r"\bufw\b"),
    ("Hub pull limits are home in 12", r"(?:10|100|200) (?:pulls )?per (?:hour|6 hours)|toomanyrequests"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "pattern"), NOT_HOME, ids=[n[0] for n in NOT_HOME])
def test_non_home_banks_ask_another_angle(name: str, pattern: str) -> None:
    asked = review.asked_in(OWNED, pattern)
    assert asked == [], f"{name}: {asked}"


def test_every_question_in_these_banks_lists_a_misconception() -> None:
    assert review.without_misconception(OWNED) == []


def test_strawman_misconceptions_are_gone() -> None:
    strawmen = [r"Podman cannot run images", r"Podman cannot run rootful"]
    found = [
        mc
        for n in OWNED
        for q in KB.section(n).questions
        for mc in q.misconceptions
        if any(re.search(p, mc) for p in strawmen)
    ]
    assert found == []


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
    ids = [
        m["id"]
        for path in sorted(review.MYTHS.glob("*.yaml"))
        for m in yaml.safe_load(path.read_text()) or []
    ]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


# The seed errors and dated claims that belong to these sections each have a myth entry.
SEED_MYTHS = [
    (16, "16-weave-net-maintained"),
    (16, "16-ndvp-is-current"),
    (16, "16-calico-is-a-docker-plugin"),
    (16, "16-plugins-only-for-volumes"),
    (16, "16-compose-v1-python-current"),
    (16, "16-k8s-nodes-run-docker"),
    (17, "17-gitlab-jobs-share-images"),
    (17, "17-login-p-masked"),
    (17, "17-docker-2010-for-ci"),
    (17, "17-old-action-majors-current"),
    (17, "17-docker-driver-exports-gha"),
    (18, "18-healthcheck-restarts"),
    (18, "18-stop-waits-30s"),
    (18, "18-commit-tag-immutable"),
    (18, "18-swarm-removed"),
    (18, "18-json-file-rotates"),
    (19, "19-137-always-oom"),
    (19, "19-copy-relative-to-dockerfile"),
    (19, "19-exec-format-apple-silicon"),
    (19, "19-volume-prune-removes-named"),
    (20, "20-wasm-desktop-future"),
    (20, "20-no-docker-llm-tool"),
    (20, "20-rootless-no-low-ports"),
    (20, "20-podman-is-alias"),
    (20, "20-buildkit-needs-env-var"),
]  # fmt: skip


@pytest.mark.parametrize(("number", "myth_id"), SEED_MYTHS, ids=[s[1] for s in SEED_MYTHS])
def test_seed_errors_and_dated_claims_are_myths(number: int, myth_id: str) -> None:
    assert myth_id in {m["id"] for m in myths_of(number)}
