"""The grader: offline coverage + terms, negation-aware misconceptions, the LLM path and its
fallbacks, rubric_for, POST /api/grade and `mentor grade`."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.errors import BadInput
from app.llm.base import BackendError
from app.mentor.grader import (
    Grade,
    LLMGrader,
    OfflineGrader,
    Rubric,
    apply_dated,
    key_terms,
    parse_verdict,
    rubric_for,
    term_found,
)
from app.settings import Settings
from app.web import routes_grade
from app.web.app import _error_handlers
from tests.mentor.conftest import ScriptedBackend

STOP_KILL = "ctr-stop-vs-kill"
COMPOSE = "cmp-v1-vs-v2"
DATED = "use docker-compose up and put version: '3.8' at the top of the file"
MODERN = (
    "Compose v1 used docker-compose, which is end-of-life since 2023; v2 is `docker compose`. "
    "The top-level version key is obsolete: v2 ignores it and warns."
)
SECTION_8 = "Section 8 > Compose v2 vs v1, compose.yaml and version:"


@pytest.fixture(scope="module")
def stop_kill(kb) -> Rubric:  # type: ignore[no-untyped-def]
    return Rubric.from_question(next(q for q in kb.questions if q.id == STOP_KILL))


@pytest.fixture(scope="module")
def compose(kb) -> Rubric:  # type: ignore[no-untyped-def]
    return Rubric.from_question(next(q for q in kb.questions if q.id == COMPOSE))


# -- offline grading ---------------------------------------------------------------------------


def test_the_model_answer_is_strong_and_a_crisp_answer_too(grader, stop_kill) -> None:
    g = grader.grade(stop_kill, stop_kill.model_answer)
    assert g.grade == "strong" and g.score >= 7 and not g.misconceptions
    crisp = grader.grade(
        stop_kill,
        "stop sends SIGTERM, waits 10s (change with -t) then SIGKILL; kill sends SIGKILL at once.",
    )
    assert crisp.grade == "strong"
    assert "Model answer" not in crisp.feedback


def test_a_vague_answer_is_partial_and_feedback_names_what_was_missed(grader, stop_kill) -> None:
    g = grader.grade(
        stop_kill,
        "Both stop the container. docker stop is the more graceful one and kill is more "
        "forceful, I usually use stop.",
    )
    assert g.grade in ("partial", "wrong") and g.score < 7
    assert g.missed and g.missed[0] in g.feedback
    assert "**Model answer:**" in g.feedback and stop_kill.model_answer in g.feedback


@pytest.mark.parametrize(
    "answer",
    [
        "docker stop sends SIGKILL immediately, so the process dies at once.",
        "docker stop sends SIGKILL right away and the process has no time to clean up, it's "
        "basically the same as pulling the plug, while docker kill is the gentle one.",
    ],
)
def test_asserting_a_misconception_is_flagged_and_never_strong(grader, stop_kill, answer) -> None:
    g = grader.grade(stop_kill, answer)
    assert "docker stop sends SIGKILL immediately" in g.misconceptions
    assert g.grade != "strong"
    assert "misconception" in g.feedback.lower()


def test_a_good_answer_with_a_misconception_bolted_on_is_not_strong(grader, stop_kill) -> None:
    g = grader.grade(
        stop_kill,
        stop_kill.model_answer + " Also, docker stop waits 30 seconds by "
        "default before killing the container.",
    )
    assert g.misconceptions and g.grade != "strong"


@pytest.mark.parametrize(
    "answer",
    [
        "docker stop does not send SIGKILL at once: it sends SIGTERM first, waits 10 seconds, "
        "then SIGKILL. docker kill sends SIGKILL immediately.",
        "docker stop never sends SIGKILL immediately; SIGTERM goes first and SIGKILL only after "
        "the 10 s grace period. docker kill skips the wait.",
        "It's a myth that docker stop sends SIGKILL immediately — it sends SIGTERM and waits "
        "10 seconds; docker kill is the immediate SIGKILL.",
        "Unlike docker kill, docker stop doesn't send SIGKILL right away: SIGTERM first, then "
        "SIGKILL after the timeout (10s, -t to change).",
        "docker stop sends SIGTERM instead of SIGKILL, and only sends SIGKILL after 10 seconds; "
        "docker kill sends SIGKILL immediately.",
        "People think docker stop sends SIGKILL immediately, which is wrong: it sends SIGTERM "
        "and waits the 10 second grace period. docker kill sends SIGKILL at once.",
    ],
)
def test_negated_misconceptions_are_not_misconceptions(grader, stop_kill, answer) -> None:
    g = grader.grade(stop_kill, answer)
    assert g.misconceptions == [], g.misconceptions
    assert g.grade in ("strong", "partial")


@pytest.mark.parametrize(
    ("answer", "message", "not_message"),
    [
        ("", "too short", "No problem"),
        ("   ", "too short", "No problem"),
        ("SIGTERM", "too short", "No problem"),
        ("stop kill", "too short", "No problem"),
        ("idk", "No problem", "too short"),
        ("I don't know", "No problem", "too short"),
    ],
)
def test_empty_or_tiny_answers_are_wrong_politely(
    grader, stop_kill, answer, message, not_message
) -> None:
    g = grader.grade(stop_kill, answer)
    assert g.grade == "wrong" and g.score == 0
    assert g.missed == list(stop_kill.key_points)
    assert message in g.feedback and not_message not in g.feedback
    assert stop_kill.model_answer in g.feedback


def test_off_topic_fluent_answer_is_wrong(grader, stop_kill) -> None:
    g = grader.grade(
        stop_kill,
        "I really enjoy working in agile teams and I think communication is the most important "
        "skill for an engineer, so I always write good documentation for my colleagues.",
    )
    assert g.grade == "wrong"


def test_typos_and_lower_case_still_count(grader, stop_kill) -> None:
    g = grader.grade(
        stop_kill,
        "docker stop sends sigterm to the proccess, waits ten seconds (you can change it with "
        "-t) and then sigkill. docker kill sends sigkill immediatly, -s for another signal.",
    )
    assert g.grade == "strong"


def test_key_terms_weigh_flags_numbers_and_signals() -> None:
    terms = key_terms("docker stop sends SIGTERM and waits 10 seconds (-t to change)")
    assert terms["sigterm"] == terms["10"] == terms["-t"] == 2.0
    assert "docker" not in terms or terms["docker"] < 1
    assert "the" not in terms
    excluded = key_terms("docker stop sends SIGTERM", exclude={"stop"})
    assert "stop" not in excluded


@pytest.mark.parametrize(
    ("term", "words", "found"),
    [
        ("layer", {"layers"}, True),
        ("sigterm", {"sigtrem"}, True),
        ("volum", {"volumes"}, True),
        ("sigterm", {"sigkill"}, False),
        ("10", {"100"}, False),
        ("network", {"netwrok"}, True),
        ("healthcheck", {"healthchek"}, True),
        ("entrypoint", {"cmd", "entrypont"}, True),
        ("entrypoint", {"endpoint"}, False),
        ("restart", {"rest"}, False),
    ],
)
def test_term_matching_forgives_plurals_and_typos(term, words, found) -> None:
    assert term_found(term, words) is found
    assert term_found(term, words) is found  # the memoised pair answers the same


def test_grade_json_round_trips(grader, stop_kill) -> None:
    g = grader.grade(stop_kill, stop_kill.model_answer)
    assert Grade.from_json(json.loads(json.dumps(g.to_json()))) == g
    assert Rubric.from_json(json.loads(json.dumps(stop_kill.to_json()))) == stop_kill


# -- dated claims ------------------------------------------------------------------------------


def test_a_dated_answer_gets_notes_with_citations(grader, compose) -> None:
    g = grader.grade(compose, DATED)
    assert [d["id"] for d in g.dated] == ["compose-v1", "compose-version-key"]
    for d in g.dated:
        assert d["citation"] == SECTION_8 and d["cite"]["section"] == 8
        assert d["note"] in g.feedback and d["citation"] in g.feedback
        assert d["key_point"] in compose.key_points and d["key_point"] in g.missed
    assert "was right before Compose v2" in g.feedback and "end of life in June 2023" in g.feedback
    assert g.grade != "strong"
    assert Grade.from_json(json.loads(json.dumps(g.to_json()))) == g


def test_a_modern_answer_that_mentions_history_is_not_dated(grader, compose) -> None:
    g = grader.grade(compose, MODERN)
    assert g.dated == [] and "Dated" not in g.feedback


def test_a_dated_aside_off_the_question_keeps_the_grade(grader, stop_kill) -> None:
    crisp = (
        "stop sends SIGTERM, waits 10s (change with -t) then SIGKILL; kill sends SIGKILL at once."
    )
    g = grader.grade(stop_kill, crisp + " I bring the stack up with docker-compose up -d first.")
    assert g.grade == "strong" and g.score == grader.grade(stop_kill, crisp).score
    assert [(d["id"], d["key_point"]) for d in g.dated] == [("compose-v1", None)]
    assert "**Dated:**" in g.feedback and "counts as missed" not in g.feedback


def test_a_dated_claim_on_the_point_of_the_question_keeps_it_from_strong(compose) -> None:
    from app.study.versions import dated_claims

    claims = dated_claims("Put version: '3.8' at the top of the file.")
    point = "The top-level version key is obsolete; Compose v2 ignores it and prints a warning"
    d = apply_dated(compose, "strong", 9, list(compose.key_points), [], claims)
    assert (d.grade, d.score) == ("partial", 7)
    assert point in d.missed and point not in d.covered and d.dated[0]["key_point"] == point
    # partial and wrong never get worse for being dated; no claims change nothing
    assert apply_dated(compose, "partial", 5, [], [], claims).score == 5
    assert apply_dated(compose, "wrong", 2, [], [], claims).grade == "wrong"
    same = apply_dated(compose, "strong", 9, list(compose.key_points), [], [])
    assert (same.grade, same.score, same.dated) == ("strong", 9, [])


# -- rubric_for --------------------------------------------------------------------------------


def test_rubric_for_uses_given_key_points(kb, embedder) -> None:
    r = rubric_for("Why use HEALTHCHECK?", ["runs a command", "reports health"], kb, None, embedder)
    assert r.source == "given" and r.key_points == ("runs a command", "reports health")


def test_rubric_for_finds_the_closest_bank_question(kb, embedder) -> None:
    r = rubric_for(
        "Can you explain how docker stop differs from docker kill?", None, kb, None, embedder
    )
    assert r.source == f"bank:{STOP_KILL}" and r.misconceptions
    assert r.question.startswith("Can you explain")


def test_rubric_for_without_a_match_or_an_index_asks_for_key_points(kb, embedder) -> None:
    with pytest.raises(BadInput, match="key points"):
        rubric_for("What is the capital of France?", None, kb, None, embedder)
    with pytest.raises(BadInput, match="empty"):
        rubric_for("   ", ["x"], kb, None, embedder)


def test_rubric_for_falls_back_to_the_notes(tmp_path, embedder) -> None:
    from app import knowledge
    from app.retrieval.cache import load_or_build
    from tests.retrieval.conftest import write_knowledge

    root = write_knowledge(tmp_path / "knowledge")
    small = knowledge.load(root)
    index = load_or_build(
        Settings(knowledge_dir=root, data_dir=tmp_path / "data"), small, embedder=embedder
    )
    r = rubric_for("Which network drivers are there for multi host setups?", None, small, index)
    assert r.source.startswith("notes:Section 5")
    assert 1 <= len(r.key_points) <= 4 and any("overlay" in k for k in r.key_points)


# -- the LLM grader ------------------------------------------------------------------------------

VERDICT = {
    "grade": "partial",
    "score": 5,
    "covered": ["docker stop sends SIGTERM"],
    "missed": ["the 10 second default"],
    "misconceptions": [],
    "feedback": "Good start; mention the grace period.",
}


def _llm(grader: OfflineGrader, prompts, *replies) -> tuple[LLMGrader, ScriptedBackend]:  # type: ignore[no-untyped-def]
    backend = ScriptedBackend(*replies)
    return LLMGrader(backend, prompts, grader), backend


ANSWER = "docker stop sends SIGTERM and later kills it; docker kill is instant."


async def test_llm_grade_is_parsed_and_the_prompt_carries_the_rubric(
    grader, prompts, stop_kill
) -> None:
    llm, backend = _llm(grader, prompts, json.dumps(VERDICT))
    g = await llm.agrade(stop_kill, ANSWER)
    assert (g.grade, g.score, g.backend, g.notice) == ("partial", 5, "scripted", None)
    assert "Good start" in g.feedback and stop_kill.model_answer in g.feedback
    req = backend.requests[0]
    assert req.kind == "grade" and req.json_mode
    system, user = req.messages[0]["content"], req.messages[1]["content"]
    assert "JSON" in system and '"grade"' in system
    assert all(k in user for k in stop_kill.key_points)
    assert stop_kill.misconceptions[0] in user and ANSWER in user


async def test_fenced_json_and_a_strong_with_misconception_downgrade(
    grader, prompts, stop_kill
) -> None:
    verdict = {**VERDICT, "grade": "Strong", "score": 9, "misconceptions": ["x"]}
    llm, _ = _llm(grader, prompts, "Here you go:\n```json\n" + json.dumps(verdict) + "\n```")
    g = await llm.agrade(stop_kill, ANSWER)
    assert g.grade == "partial" and g.score == 7


async def test_invalid_json_is_retried_once(grader, prompts, stop_kill) -> None:
    llm, backend = _llm(grader, prompts, "I think it is partial.", json.dumps(VERDICT))
    g = await llm.agrade(stop_kill, ANSWER)
    assert g.backend == "scripted" and g.grade == "partial"
    assert len(backend.requests) == 2
    retry = backend.requests[1].messages
    assert retry[-2] == {"role": "assistant", "content": "I think it is partial."}
    assert "JSON" in retry[-1]["content"]


@pytest.mark.parametrize(
    "second",
    ['{"grade": "excellent", "score": 11, "feedback": "x"}', "still not json", "{}"],
)
async def test_invalid_twice_falls_back_offline_with_a_notice(
    grader, prompts, stop_kill, second
) -> None:
    llm, backend = _llm(grader, prompts, "nope", second)
    g = await llm.agrade(stop_kill, ANSWER)
    assert g.backend == "offline" and g.notice and "offline grade" in g.notice
    assert len(backend.requests) == 2
    offline = await grader.agrade(stop_kill, ANSWER)
    assert (g.grade, g.score, g.covered) == (offline.grade, offline.score, offline.covered)


async def test_backend_error_falls_back_offline(grader, prompts, stop_kill) -> None:
    llm, backend = _llm(grader, prompts, BackendError("timed out after 60 s"))
    g = await llm.agrade(stop_kill, ANSWER)
    assert g.backend == "offline" and "timed out" in (g.notice or "")
    assert len(backend.requests) == 1
    offline = await grader.agrade(stop_kill, ANSWER)
    assert (g.grade, g.score) == (offline.grade, offline.score)


async def test_empty_answers_never_reach_the_llm(grader, prompts, stop_kill) -> None:
    llm, backend = _llm(grader, prompts, json.dumps({**VERDICT, "grade": "strong"}))
    g = await llm.agrade(stop_kill, "ok")
    assert g.grade == "wrong" and backend.requests == []


async def test_llm_grade_gets_the_dated_notes_after_the_model_answers(
    grader, prompts, compose
) -> None:
    verdict = {
        **VERDICT,
        "grade": "strong",
        "score": 9,
        "covered": list(compose.key_points),
        "missed": [],
    }
    llm, backend = _llm(grader, prompts, json.dumps(verdict))
    g = await llm.agrade(compose, DATED)
    assert g.backend == "scripted" and [d["id"] for d in g.dated] == [
        "compose-v1",
        "compose-version-key",
    ]
    # the key points the claims contradict are missed, and the answer is not strong
    assert (g.grade, g.score) == ("partial", 7)
    assert {d["key_point"] for d in g.dated} <= set(g.missed)
    assert all(d["note"] in g.feedback for d in g.dated)
    system = backend.requests[0].messages[0]["content"]
    assert "dated, not wrong" in system
    # the fallback carries the same notes
    llm, _ = _llm(grader, prompts, BackendError("down"))
    fallback = await llm.agrade(compose, DATED)
    assert fallback.backend == "offline" and fallback.dated == g.dated


def test_parse_verdict_rejects_bad_schemas() -> None:
    with pytest.raises(ValueError, match="score"):
        parse_verdict('{"grade": "wrong", "score": 12, "feedback": "x"}')
    with pytest.raises(ValueError, match="no JSON"):
        parse_verdict("no braces here")
    assert parse_verdict('{"grade": " WRONG ", "score": 1, "feedback": "x"}').grade == "wrong"


# -- POST /api/grade ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(kb):  # type: ignore[no-untyped-def]
    """The router in a small app with the real error handlers; no index (it loads lazily)."""
    app = FastAPI()
    app.include_router(routes_grade.router)
    _error_handlers(app)
    app.state.knowledge = kb
    app.state.index = None
    app.state.mentor = None
    app.state.settings = Settings()
    with TestClient(app) as c:
        yield c


def test_api_grade_with_key_points(client) -> None:
    r = client.post(
        "/api/grade",
        json={
            "question": "What does HEALTHCHECK do?",
            "answer": "It runs a command inside the container every interval and marks the "
            "container healthy or unhealthy from its exit code; docker ps shows the status.",
            "key_points": [
                "HEALTHCHECK runs a command inside the container periodically",
                "the exit code sets the status healthy or unhealthy",
                "plain Docker does not restart unhealthy containers",
            ],
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {
        "grade",
        "score",
        "covered",
        "missed",
        "feedback",
        "misconceptions",
        "model_answer",
        "rubric_source",
    }
    assert body["grade"] in ("strong", "partial") and 0 <= body["score"] <= 10
    assert body["rubric_source"] == "given"
    assert "plain Docker does not restart unhealthy containers" in body["missed"]


def test_api_grade_finds_the_bank_rubric(client) -> None:
    r = client.post(
        "/api/grade",
        json={
            "question": "How is docker stop different from docker kill?",
            "answer": "docker stop sends SIGKILL immediately.",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["rubric_source"] == f"bank:{STOP_KILL}"
    assert body["grade"] != "strong" and body["misconceptions"]


def test_api_grade_carries_the_dated_claims(client) -> None:
    question = "What is the difference between docker-compose and docker compose?"
    r = client.post("/api/grade", json={"question": question, "answer": DATED})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["rubric_source"] == f"bank:{COMPOSE}"
    assert [d["id"] for d in body["dated"]] == ["compose-v1", "compose-version-key"]
    first = body["dated"][0]
    assert first["citation"] == SECTION_8 and first["cite"]["quote"]
    assert first["note"] in body["feedback"] and first["since"] == "Compose v2"
    modern = client.post("/api/grade", json={"question": question, "answer": MODERN}).json()
    assert modern["dated"] == []


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ({"question": "", "answer": "x y z"}, "the question is empty"),
        ({"question": "What is a volume?", "answer": "  "}, "the answer is empty"),
        ({"question": "What is a volume?", "answer": "a" * 8001}, "the limit is 8000"),
        ({"question": "q" * 8001, "answer": "abc"}, "the limit is 8000"),
    ],
)
def test_api_grade_rejects_empty_and_oversized_input(client, payload, detail) -> None:
    r = client.post("/api/grade", json=payload)
    assert r.status_code == 422
    assert detail in r.json()["detail"]


def test_api_grade_missing_fields_are_422(client) -> None:
    r = client.post("/api/grade", json={"question": "What is a volume?"})
    assert r.status_code == 422
    assert any(e["loc"][-1] == "answer" for e in r.json()["detail"])


def test_api_grade_without_rubric_or_index_is_503(client) -> None:
    r = client.post(
        "/api/grade", json={"question": "What is the capital of France?", "answer": "Paris, sure."}
    )
    assert r.status_code == 503 and "key_points" in r.json()["detail"]


# -- mentor grade ---------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_grade_json_with_key_points() -> None:
    result = runner.invoke(
        cli,
        [
            "grade",
            "-q",
            "What does docker diff show?",
            "-a",
            "The changes in the container's writable layer: A added, C changed, D deleted.",
            "-k",
            "changes in the container's writable layer compared with the image",
            "-k",
            "A for added, C for changed, D for deleted",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["grade"] == "strong" and data["rubric_source"] == "given"


def test_cli_grade_markdown_from_the_bank() -> None:
    result = runner.invoke(
        cli,
        [
            "grade",
            "--question",
            "docker stop vs docker kill?",
            "--answer",
            "docker stop sends SIGKILL immediately and kill is graceful.",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "**Grade: wrong" in result.stdout or "**Grade: partial" in result.stdout
    assert "Not true" in result.stdout and f"bank question {STOP_KILL}" in result.stdout


def test_cli_grade_shows_the_dated_notes() -> None:
    args = ["grade", "-q", "docker-compose vs docker compose?", "-a", DATED]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "**Dated:**" in result.stdout and "was right before Compose v2" in result.stdout
    assert SECTION_8 in result.stdout
    data = json.loads(runner.invoke(cli, [*args, "--json"]).stdout)
    assert [d["id"] for d in data["dated"]] == ["compose-v1", "compose-version-key"]


def test_cli_grade_empty_answer_is_bad_input() -> None:
    result = runner.invoke(cli, ["grade", "-q", "What is a volume?", "-a", " "])
    assert isinstance(result.exception, BadInput)


def test_a_full_encoding_cache_starts_again_without_losing_a_grade(grader) -> None:  # type: ignore[no-untyped-def]
    """Key points cached before the cache fills up are still found in the call that clears it
    (this used to raise KeyError once a long-running grader had seen ~4000 rubric texts)."""
    from app.mentor.offline_grader import CACHE_TEXTS, OfflineGrader

    fresh = OfflineGrader(grader.embedder, grader.prompts)
    first = Rubric("What does docker stop do?", ("docker stop sends SIGTERM first",))
    before = fresh.grade(first, "docker stop sends SIGTERM and later SIGKILL")
    filler = fresh.embedder.encode(["filler"])[0]
    fresh._cache.update({f"filler {i}": filler for i in range(CACHE_TEXTS + 1)})
    both = Rubric(
        "What does docker stop do?",
        ("docker stop sends SIGTERM first", "then SIGKILL after the grace period"),
    )
    after = fresh.grade(both, "docker stop sends SIGTERM and later SIGKILL")
    assert before.grade in {"strong", "partial"}
    assert after.covered or after.missed
    assert len(fresh._cache) < CACHE_TEXTS


def test_a_fluent_answer_built_on_the_compose_restart_myth_is_wrong(grader, kb) -> None:  # type: ignore[no-untyped-def]
    """The myth the restart question needs: without it this answer was partial (7/10)."""
    rubric = Rubric.from_question(next(q for q in kb.questions if q.id == "cmp-up-start-restart"))
    wrong = grader.grade(
        rubric,
        "That should not happen: docker compose restart applies the changes made to "
        "compose.yaml, so the new variable is there after a restart. up creates and starts "
        "containers, start starts stopped ones, and create only creates them without starting.",
    )
    assert wrong.grade == "wrong"
    assert any("restart applies" in m for m in wrong.misconceptions)
    right = grader.grade(
        rubric,
        "restart only stops and starts the existing containers, so edits to compose.yaml are not "
        "applied. up builds or pulls, recreates containers whose config changed and starts them; "
        "start only starts existing stopped containers; create makes containers without starting "
        "them. After editing the file I run docker compose up -d.",
    )
    assert right.grade == "strong" and not right.misconceptions
