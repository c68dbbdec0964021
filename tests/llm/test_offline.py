"""The offline composer: answers built from retrieved sentences, each standing on its own."""

from __future__ import annotations

from typing import Any

import pytest

from app.llm.offline import MAX_POINTS, OfflineBackend, split_units

QA = {
    "id": "q6-3",
    "citation": "Section 6 > Interview question: Does docker compose down delete my data?",
    "text": (
        "**Q:** Does docker compose down delete my data?\n\n"
        "**A:** Not by default. docker compose down removes the containers and networks, but named "
        "volumes stay and the next up reattaches them. Now I can recreate the container and "
        "attach the same volume. `docker compose down -v` removes the named volumes too."
    ),
}
NOTES = {
    "id": "s6-2",
    "citation": "Section 6 > Volume Lifecycle",
    "text": (
        "### Volume Lifecycle\n\n"
        "It survives the container, which is the point. Named volumes outlive containers and "
        "are removed only explicitly with docker volume rm.\n\n"
        "| command | removes named volumes |\n| --- | --- |\n| docker rm | no |\n"
    ),
}


def compose(question: str, *passages: dict[str, Any]) -> str:
    return OfflineBackend(None).compose({"question": question, "passages": list(passages)})


def test_table_rows_become_units_and_questions_do_not() -> None:
    units, codes = split_units(NOTES["text"] + QA["text"])
    texts = [t for _, t in units]
    assert "docker rm — removes named volumes: no" in texts
    assert not any(t.startswith("**Q:**") or t.endswith("?") for t in texts)
    assert codes == []


def test_a_yes_no_opener_is_kept_only_for_a_yes_no_question() -> None:
    asked = compose("does compose down delete named volumes", QA)
    assert "Not by default." in asked
    how = compose("how do I keep named volumes when compose down removes containers", QA)
    assert "Not by default" not in how
    assert "Short answer:** docker compose down removes the containers" in how


def test_narration_and_back_references_do_not_lead() -> None:
    answer = compose("named volumes container removed recreate attach", QA, NOTES)
    lead = answer.splitlines()[0]
    assert lead.startswith("**Short answer:** ")
    assert not lead.removeprefix("**Short answer:** ").startswith(("It ", "Now ", "This "))
    assert "Now I can" not in answer  # narration from a model answer is never a key point
    assert "*Sources: " in answer


BANK = {
    "id": "q/s14-exit-137",
    "citation": "Section 14 > Interview question: What does exit code 137 mean?",
    "section": 14,
    "heading": "Interview question: What does exit code 137 mean?",
    "dense": 0.8,
    "text": (
        "**Q:** What does exit code 137 mean?\n\n"
        "Exit code 137 is 128 + 9: the process was killed by SIGKILL, most often by the kernel's "
        "OOM killer when the container hit its memory limit. Check `docker inspect` for "
        "OOMKilled=true. Exit code 143 is 128 + 15, a SIGTERM from docker stop."
    ),
}
PITFALL = {
    "id": "s14/exit-codes/0",
    "citation": "Section 14 > Exit Codes (IMP)",
    "section": 14,
    "heading": "Exit Codes (IMP)",
    "dense": 0.5,
    "text": (
        "### Exit Codes\n\nA container stops when its main process ends, for whatever reason.\n\n"
        "**Common Pitfall:** raising the memory limit without finding the leak only delays "
        "the next OOM kill.\n\n```bash\ndocker inspect --format '{{.State.OOMKilled}}' web\n```\n"
    ),
}


def test_a_paraphrased_bank_question_leads_with_its_direct_answer() -> None:
    answer = compose("what does exit code 137 mean", PITFALL, BANK)
    assert answer.startswith("**Short answer:** Exit code 137 is 128 + 9")


@pytest.mark.parametrize(
    "continuing",
    [
        "VXLAN has no auth, so open these ports swarm nodes need only to each other.",
        "On top, swarm nodes need their ports closed at the perimeter.",
        "Opening the ports swarm nodes need on the perimeter firewall instead fixes that.",
    ],
)
def test_a_sentence_that_continues_another_never_leads(continuing: str) -> None:
    """The first sentence of a bank answer leads only when it stands on its own."""
    bank = {
        "id": "q/swarm-ports",
        "citation": "Section 9 > Interview question: Which ports do swarm nodes need?",
        "dense": 0.8,
        "text": (
            "**Q:** Which ports do swarm nodes need?\n\n"
            f"{continuing} Swarm nodes need TCP 2377 for cluster management, TCP and UDP 7946 "
            "for node gossip, and UDP 4789 for overlay traffic."
        ),
    }
    answer = compose("which ports do swarm nodes need", bank)
    assert answer.startswith("**Short answer:** Swarm nodes need TCP 2377"), answer


def test_a_sentence_that_needs_the_one_before_it_is_never_a_point() -> None:
    """A back-reference ("They work on different objects.") or a sentence that opens a list the
    answer leaves behind ("ADD has three extras.") says nothing on its own."""
    text = (
        "### COPY vs ADD\n\nCOPY copies files from the build context into the image. ADD has "
        "three extras. They work on different objects. ADD can download a file from a remote "
        "URL. ADD unpacks a local tar archive into the target directory. Runtime configuration "
        "comes from three places:\n"
    )
    passage = {"id": "s7-add", "citation": "Section 7 > COPY vs ADD", "text": text, "dense": 0.7}
    answer = compose("copy vs add in a dockerfile", passage)
    assert "ADD can download a file" in answer and "COPY copies files" in answer
    for fragment in ("three extras", "They work", "three places"):
        assert fragment not in answer


@pytest.mark.parametrize(
    ("heading", "text", "question", "dropped", "kept"),
    [
        # "Because X." answers a "why" the answer leaves behind; "Because X, Y." says Y itself
        (
            "Interpolation",
            "The .env file feeds interpolation of the Compose file itself. Because Compose "
            "interpolates the file before anything runs. Because pods get new IPs when "
            "replaced, a Service gives them one stable name.",
            "why does compose interpolate the file before anything runs",
            "Because Compose interpolates",
            "Because pods get new IPs when replaced, a Service",
        ),
        # "If it is false, ..." needs the sentence that named "it" (State.OOMKilled); alone it
        # once led an answer. "If OOMKilled is true, ..." says its own subject
        (
            "Exit code 137",
            "Exit code 137 means the main process got SIGKILL. First I read State.OOMKilled in "
            "docker inspect. If it is false, something sent SIGKILL on purpose. If OOMKilled "
            "is true, the container hit its memory limit.",
            "why did my container exit with 137 when it was not oom killed",
            "If it is false",
            "If OOMKilled is true",
        ),
    ],
)
def test_a_sentence_that_leans_on_the_one_before_is_never_a_point(
    heading: str, text: str, question: str, dropped: str, kept: str
) -> None:
    passage = {
        "id": "s-leans",
        "citation": f"Notes > {heading}",
        "text": f"### {heading}\n\n{text}\n",
        "dense": 0.7,
    }
    answer = compose(question, passage)
    assert dropped not in answer
    assert kept in answer


def test_a_two_part_bank_question_leads_with_the_part_that_was_asked() -> None:
    """A paraphrased bank answer leads, but with its sentence that answers the question asked:
    its first sentence answers the bank question's first part ("what changed on its
    filesystem" once got docker top)."""
    passage = _unit_passage(
        "q/dbg-processes-and-changes",
        0.7,
        [
            ("sentence", "docker top lists the container's processes with host PIDs", [0, 1, 0]),
            ("sentence", "docker diff lists files added, changed or deleted", [1, 0.1, 0]),
            ("question", "Which processes run and what changed on the filesystem?", [1, 0.5, 0]),
        ],
    )
    picked = _picked("what changed in the container filesystem", passage, [1, 0.05, 0])
    assert picked[0].startswith("docker diff")


def test_citations_link_to_the_heading_on_the_printable_page() -> None:
    answer = compose("exit code 137 oom killed memory limit", PITFALL, BANK)
    assert "[Section 14 > Exit Codes (IMP)](/sections/14#exit-codes)" in answer
    # a bank answer has its own entry on the page, under the notes
    assert "(/sections/14#q-s14-exit-137)" in answer


def test_a_how_to_question_gets_a_snippet_others_need_more_shared_terms() -> None:
    how = compose("how do i check if docker inspect says OOMKilled", PITFALL, BANK)
    assert "**Example**" in how and "docker inspect --format" in how
    why = compose("why was my container stopped", PITFALL)
    assert "**Example**" not in why


def test_a_snippet_comes_from_a_passage_the_answer_drew_on() -> None:
    """A how-to question once got a Dockerfile because `USER node` shares a word."""
    drain = {
        "id": "s9/drain/0",
        "citation": "Section 9 > Node Availability",
        "section": 9,
        "heading": "Node Availability",
        "dense": 0.8,
        "text": (
            "### Node Availability\n\n"
            "docker node update --availability drain moves a node's tasks to other nodes.\n\n"
            "A drained node keeps running standalone containers.\n"
        ),
    }
    dockerfile = {
        "id": "s7/example/0",
        "citation": "Section 7 > Example",
        "section": 7,
        "heading": "Example",
        "dense": 0.1,
        "text": "### Example\n\n```dockerfile\nFROM node:22-alpine\nUSER node\n```\n",
    }
    backend = OfflineBackend(None)
    kept = backend.select("how do i drain a node", [drain, dockerfile], limit=3)
    assert {u.passage for _, u in kept} == {0}  # the points come from the drain passage only
    answer = compose("how do i drain a node", drain, dockerfile)
    assert "USER node" not in answer and "**Example**" not in answer


def test_precomputed_unit_vectors_are_used_without_an_embedder() -> None:
    """The index sends each passage's units and their vectors: composing encodes nothing."""
    import numpy as np

    units = split_units(BANK["text"])[0]
    vectors = np.zeros((len(units), 3), dtype=np.float32)
    vectors[:, 0] = np.linspace(0.2, 1.0, len(units))  # the last unit is the closest
    passage = {**BANK, "dense": 0.0, "units": units, "vectors": vectors}
    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    chosen = OfflineBackend(None).select("unrelated words", [passage], query_vector=query)
    assert chosen[0][1].text == units[-1][1]


def test_answers_stay_short() -> None:
    long_passage = {
        "id": "s1/long/0",
        "citation": "Section 1 > Long",
        "text": "\n\n".join(
            f"Containers share the host kernel and sentence number {i} adds more detail words."
            for i in range(40)
        ),
    }
    answer = compose("containers share the host kernel", long_passage)
    prose = answer.split("*Sources:")[0]
    assert len(prose.split()) <= 200


def _unit_passage(
    pid: str, dense: float, units: list[tuple[str, str, list[float]]]
) -> dict[str, Any]:
    """A passage as the index sends it: units with their (here hand-made) vectors."""
    import numpy as np

    vectors = np.array([v for _, _, v in units], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return {
        "id": pid,
        "citation": f"Section 4 > {pid}",
        "text": "",
        "dense": dense,
        "units": [(kind, text) for kind, text, _ in units],
        "vectors": vectors,
    }


def _select(question: str, passages: list[dict[str, Any]], query: list[float]) -> list[Any]:
    """What `select` picks (at most 3 units) from `passages` for a hand-made query vector."""
    import numpy as np

    vec = np.array(query, dtype=np.float32)
    return OfflineBackend(None).select(
        question, passages, limit=3, query_vector=vec / np.linalg.norm(vec)
    )


def _picked(question: str, passage: dict[str, Any], query: list[float]) -> list[str]:
    """The texts `select` picks (at most 3) from one passage for a hand-made query vector."""
    return [u.text for _, u in _select(question, [passage], query)]


def test_points_spread_over_what_the_passage_says_not_one_fact_twice() -> None:
    """After the lead, a unit close to one already picked adds little coverage: the next pick
    is the point not yet made, even when the repeat shares more words with the question."""

    bank = _unit_passage(
        "q/ctr-oom",
        0.7,
        [
            (
                "sentence",
                "Exit code 137 means the process received SIGKILL from the kernel.",
                [1, 0.1, 0, 0],
            ),
            (
                "point",
                "Exit code 137 means SIGKILL, usually the kernel OOM killer.",
                [1, 0.2, 0.15, 0],
            ),
            (
                "point",
                "docker inspect shows State.OOMKilled true after a memory kill.",
                [0.1, 0, 1, 0],
            ),
            ("point", "Raise the memory limit or fix the leak in the application.", [0.1, 0, 0, 1]),
        ],
    )
    chosen = _select("what does exit code 137 mean", [bank], [1, 0.1, 0.1, 0.1])
    texts = [u.text for _, u in chosen]
    assert texts[0].startswith("Exit code 137 means the process")
    assert "Exit code 137 means SIGKILL, usually the kernel OOM killer." not in texts
    assert len(texts) == 3


def test_the_passage_that_matches_the_question_supplies_the_points() -> None:
    """A bank question the user paraphrased outweighs a passage that only shares words."""

    asked = _unit_passage(
        "q/net-host",
        0.5,
        [
            (
                "sentence",
                "Host networking shares the host's network namespace with the container.",
                [1, 0, 0, 0],
            ),
            (
                "point",
                "Port publishing flags are ignored with a warning in host mode.",
                [0.3, 1, 0, 0],
            ),
            (
                "point",
                "Host mode removes network isolation and can clash with host ports.",
                [0.3, 0, 1, 0],
            ),
            ("question", "When would you run a container with --network host?", [1, 0.1, 0.1, 0]),
        ],
    )
    other = _unit_passage(
        "s05/drivers/0",
        0.35,
        [
            (
                "sentence",
                "The bridge network mode is the default on a single host.",
                [0.5, 0, 0, 1],
            ),
            ("sentence", "The none network mode leaves only a loopback interface.", [0.4, 0, 0, 1]),
        ],
    )
    chosen = _select("host network mode when would i use it", [other, asked], [1, 0.05, 0.05, 0.2])
    assert {u.passage for _, u in chosen} == {1}


def test_a_paraphrased_bank_questions_key_point_counts_however_unlike_the_question() -> None:
    """A key point of the bank question the user paraphrased is what an interviewer expects,
    even when its words are far from the question's ("Respects .dockerignore ..." for "compose
    watch vs bind mounting my code", cosine 0.0): it wins the slot over a sentence that only
    resembles the question."""
    import numpy as np

    bank = _unit_passage(
        "q/cmp-watch",
        0.6,
        [
            ("sentence", "Compose watch syncs or rebuilds services on file changes.", [1, 0, 0, 0]),
            (
                "sentence",
                "A bind mount shares host files with the container as they change.",
                [0.3, 0, 1, 0],
            ),
            ("point", "Watch respects .dockerignore and per-rule ignore patterns.", [0, 1, 0, 0]),
            ("question", "How does Compose watch differ from a bind mount?", [1, 0, 0, 0.3]),
        ],
    )
    query = np.array([1, 0, 0.5, 0.3], dtype=np.float32)
    chosen = OfflineBackend(None).select(
        "compose watch vs bind mounting my code",
        [bank],
        limit=2,
        query_vector=query / np.linalg.norm(query),
    )
    assert [u.text[:21] for _, u in chosen] == ["Compose watch syncs o", "Watch respects .docke"]


def test_a_passage_only_the_embedding_liked_does_not_fill_the_answer() -> None:
    """A bank question close in meaning that the hybrid rank put last ("stack deploy ignores
    build" once matched a question about `build: .` at 0.72) does not supply the short answer:
    the passage both rankings put first does, though its own relevance is a little lower."""

    near = _unit_passage(
        "q/cmp-build-only",
        0.55,
        [
            (
                "sentence",
                "Adding image next to build makes Compose tag the result.",
                [0.6, 0, 0.8, 0],
            ),
            (
                "point",
                "docker compose up reuses an image unless --build is given.",
                [0.5, 0, 0, 0.9],
            ),
            (
                "question",
                "Your Compose file says only build: . How is the image named?",
                [0.7, 0.3, 1, 0],
            ),
        ],
    )
    near["score"] = 0.75
    asked = _unit_passage(
        "q/swarm-stack-deploy",
        0.66,
        [
            (
                "sentence",
                "docker stack deploy ignores build, so images are pushed first.",
                [1, 1, 0, 0],
            ),
            ("point", "depends_on is ignored in a stack; services must retry.", [0.6, 1, 0, 0.3]),
            (
                "point",
                "Stacks honour the deploy section: replicas and update_config.",
                [0.5, 1, 0.3, 0],
            ),
        ],
    )
    asked["score"] = 1.0
    chosen = _select("stack deploy ignores build and depends_on", [near, asked], [1, 0.45, 0.2, 0])
    assert chosen[0][1].passage == 1
    assert chosen[0][1].text.startswith("docker stack deploy ignores build")


def test_at_most_six_points_after_the_lead() -> None:
    facts = [
        "Containers share the host kernel instead of booting their own.",
        "Namespaces give each container its own process tree.",
        "Control groups cap memory, CPU time and process counts.",
        "Images are stacks of read-only layers addressed by digest.",
        "A thin writable layer sits on top of every running container.",
        "Volumes keep data after the container is removed.",
        "Published ports map host addresses to container ports.",
        "Seccomp profiles block dangerous system calls by default.",
        "Capabilities split root privileges into smaller grants.",
    ]
    passages = [
        {"id": f"s1/many/{i}", "citation": f"Section 1 > Many {i}", "text": "\n".join(part)}
        for i, part in enumerate([[f"- {f}" for f in facts[:5]], [f"- {f}" for f in facts[5:]]])
    ]
    answer = compose("containers share the host kernel", *passages)
    assert sum(line.startswith("- ") for line in answer.splitlines()) == MAX_POINTS == 6


def test_a_point_already_made_in_other_words_is_left_out() -> None:
    """Two units at cosine 0.77 say the same thing (a note and a bank answer often do): the
    answer keeps one of them, however many points it may still list."""
    passage = _unit_passage(
        "s04/stop/0",
        0.6,
        [
            ("sentence", "docker stop sends SIGTERM, then SIGKILL after 10 seconds.", [1, 0, 0]),
            ("point", "Stopping waits the 10 s grace period before it kills.", [0.77, 0.638, 0]),
            ("sentence", "Set a longer grace period with --stop-timeout or -t.", [0, 0, 1]),
        ],
    )
    texts = _picked("what does docker stop do", passage, [1, 0.2, 0.2])
    assert texts[0].startswith("docker stop sends SIGTERM")
    assert "Stopping waits the 10 s grace period before it kills." not in texts
    assert len(texts) == 2


def test_a_point_a_longer_sentence_already_states_is_left_out() -> None:
    """A short key point whose words are all in a chosen sentence that says more (cosine only
    0.6, as MiniLM gives such pairs) repeats it: the answer says it once."""
    passage = _unit_passage(
        "q/ctr-run-flags",
        0.6,
        [
            (
                "sentence",
                "-d runs the container detached in the background and prints its ID; -i keeps "
                "stdin open and -t allocates a terminal.",
                [1, 0, 0],
            ),
            ("point", "-d runs the container detached in the background", [0.6, 0.8, 0]),
            ("point", "--rm removes the container when it exits.", [0, 0, 1]),
        ],
    )
    texts = _picked("what do -d and -it do", passage, [1, 0.3, 0.2])
    assert texts[0].startswith("-d runs the container detached in the background and prints")
    assert "-d runs the container detached in the background" not in texts
    assert "--rm removes the container when it exits." in texts


def _exit_codes() -> dict[str, Any]:
    """The exit-code notes: the passage the chunk scores put first for "docker stop takes 10s"."""
    return _unit_passage(
        "s04/exit-codes/0",
        0.70,
        [
            ("sentence", "Exit code 137 means SIGKILL and 143 means SIGTERM.", [0.7, 0.7, 0, 0]),
            ("sentence", "Exit code 125 means the daemon could not run it.", [0.6, 0.8, 0, 0]),
        ],
    )


@pytest.mark.parametrize("typed_as_known", [True, False])
def test_a_bank_question_typed_the_users_way_answers_them(typed_as_known: bool) -> None:
    """A scenario-worded bank question ("Every deploy ... takes ten seconds to shut down") is
    far from how candidates type it ("docker stop always takes 10 seconds, why"); one of its
    `asked_as` keys is not, so its model answer leads and its key points follow. Without the
    key the exit-code notes, closer by the chunk's own score, lead instead."""

    notes = _exit_codes()
    keys = [
        ("question", "Every deploy, our service takes ten seconds to stop. Why?", [0.3, 0, 0, 1])
    ]
    if typed_as_known:
        keys.append(("question", "docker stop always takes 10 seconds, why", [1, 0, 0.1, 0]))
    bank = _unit_passage(
        "q/ctr-pid1-signals",
        0.60,
        [
            (
                "sentence",
                "The app runs as PID 1 and ignores SIGTERM, so docker stop waits out the grace "
                "period and then kills it.",
                [0.75, 0, 0.66, 0],
            ),
            (
                "point",
                "Exec-form CMD or docker run --init lets the signal reach the app.",
                [0, 0.3, 1, 0],
            ),
            *keys,
        ],
    )
    chosen = _select("why does docker stop take 10 secs every time", [notes, bank], [1, 0, 0.05, 0])
    texts = [u.text for _, u in chosen]
    if typed_as_known:
        assert texts[0].startswith("The app runs as PID 1")
        assert any(t.startswith("Exec-form CMD") for t in texts)
    else:
        assert texts[0].startswith("Exit code 137")


@pytest.mark.parametrize("with_key", [True, False])
def test_a_note_sub_topic_typed_the_users_way_leads(with_key: bool) -> None:
    """A note's sub-topic with a phrasing close to the question (knowledge/asked/, counted at
    NOTE_KEY of its cosine) becomes the passage the answer draws on; the phrasing itself is
    never shown. Without it, the passage the chunk scores put first leads."""

    exit_codes = _exit_codes()
    units = [
        (
            "sentence",
            "docker stop sends SIGTERM, waits ten seconds, then sends SIGKILL.",
            [0.72, 0, 0.69, 0],
        ),
        ("sentence", "Exec-form CMD makes the app PID 1 so it gets the signal.", [0.1, 0, 1, 0.2]),
    ]
    if with_key:
        units.append(("question", "docker stop always takes 10 secs", [1, 0, 0.05, 0]))
    stopping = _unit_passage("s04/stopping-gracefully/0", 0.55, units)
    chosen = _select(
        "why does docker stop take 10 secs every time", [exit_codes, stopping], [1, 0, 0.05, 0]
    )
    texts = [u.text for _, u in chosen]
    assert "docker stop always takes 10 secs" not in texts
    if with_key:
        assert texts[0].startswith("docker stop sends SIGTERM")
        assert any(t.startswith("Exec-form CMD") for t in texts)
    else:
        assert texts[0].startswith("Exit code 137")
