"""Mock interviews: the pure state machine, the service around it, the engine and the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.conversation import ConversationState
from app.mentor.grader import Grade, OfflineGrader, split_units
from app.mentor.interview import (
    Answer,
    DontKnow,
    Event,
    Hint,
    InterviewService,
    InterviewState,
    QuestionCard,
    Repeat,
    Skip,
    Start,
    Stop,
    choose_questions,
    cloze,
    parse_command,
    transition,
)


def card(qid: str, section: int = 5, level: str = "mid", imp: bool = False) -> QuestionCard:
    return QuestionCard(
        id=qid,
        section=section,
        question=f"Question {qid}?",
        level=level,
        imp=imp,
        key_points=["docker stop sends SIGTERM first", "SIGKILL follows after 10 seconds"],
        model_answer="stop sends SIGTERM, then SIGKILL after 10 s.",
        follow_ups=[f"Own follow-up of {qid}?"],
        misconceptions=["docker stop sends SIGKILL immediately"],
    )


def grade(name: str, score: int, missed: list[str] | None = None) -> dict[str, Any]:
    return Grade(name, score, [], missed or [], [], "feedback", "model").to_json()  # type: ignore[arg-type]


def run(state: InterviewState | None, event: Event) -> tuple[InterviewState | None, list[Any]]:
    """transition() plus the invariants every step must keep: purity and an exact round trip."""
    before = json.dumps(state.to_json()) if state else None
    new, actions = transition(state, event)
    if state is not None:
        assert json.dumps(state.to_json()) == before, "transition() modified its input"
    if new is not None:
        restored = InterviewState.from_json(json.loads(json.dumps(new.to_json())))
        assert restored == new and restored.to_json() == new.to_json()
    return new, actions


def kinds(actions: list[Any]) -> list[str]:
    return [a.kind for a in actions]


# -- the pure machine ---------------------------------------------------------------------------


def test_a_scripted_interview_end_to_end() -> None:
    qs = [card("q1", 5, "junior", True), card("q2", 5, "mid"), card("q3", 6, "senior")]
    s, actions = run(None, Start(sections=[5, 6], questions=qs, at=1.0))
    assert kinds(actions) == ["ask"] and actions[0].data["number"] == 1
    assert actions[0].data["of"] == 3 and actions[0].data["question"] == "Question q1?"

    # hint, then repeat, in the middle of question 1
    s, actions = run(s, Hint(at=2.0))
    assert kinds(actions) == ["hint"] and "____" in actions[0].data["hint"]
    assert "SIGTERM" not in actions[0].data["hint"]
    s, actions = run(s, Repeat(at=3.0))
    assert kinds(actions) == ["ask"] and actions[0].data["repeat"] is True

    # a strong answer: graded, then the question's own follow-up
    s, actions = run(s, Answer(text="...", grade=grade("strong", 9), at=4.0))
    assert kinds(actions) == ["graded", "follow_up"]
    assert (
        actions[1].data["kind"] == "own" and actions[1].data["question"] == "Own follow-up of q1?"
    )
    assert s is not None and s.phase == "follow_up" and s.records[0].score == 8  # a hint costs 1
    s, actions = run(s, Answer(text="...", grade=grade("partial", 5), at=5.0))
    assert kinds(actions) == ["graded", "ask"] and actions[1].data["number"] == 2

    # a partial answer: probe the first missed key point, answered well: +1
    missed = ["SIGKILL follows after 10 seconds"]
    s, actions = run(s, Answer(text="...", grade=grade("partial", 5, missed), at=6.0))
    assert kinds(actions) == ["graded", "follow_up"] and actions[1].data["kind"] == "probe"
    assert actions[1].data["key_point"] == missed[0] and "____" in actions[1].data["question"]
    s, actions = run(s, Answer(text="...", grade=grade("strong", 9), at=7.0))
    assert s is not None and s.records[1].score == 6 and s.records[1].follow_up_grade == "strong"

    # I don't know: model answer, 0, next; the scorecard arrives after the last question
    s, actions = run(s, DontKnow(at=8.0))
    assert kinds(actions) == ["reveal", "scorecard", "finish"]
    assert s is not None and s.phase == "done" and s.ended_at == 8.0
    sc = actions[1].data
    assert [r["score"] for r in sc["rows"]] == [8, 6, 0]
    assert [r["status"] for r in sc["rows"]] == ["answered", "answered", "dont_know"]
    assert sc["by_section"]["5"]["score"] == 7.0 and sc["by_section"]["6"]["score"] == 0.0
    assert sc["revise"] == [6] and sc["weakest"][0]["section"] == 6
    # the weakest answer links to its model answer on the section's page
    assert sc["weakest"][0]["anchor"] == f"q-{sc['rows'][2]['id']}"
    assert actions[2].data["results"] == {
        "5": {"score": 7.0, "answered": 2},
        "6": {"score": 0.0, "answered": 0},
    }
    # after the end nothing else happens
    s2, actions = run(s, Answer(text="...", grade=grade("strong", 9)))
    assert s2 == s and actions[0].data["text"] == "no-interview"


def test_wrong_answer_probes_and_skip_and_stop_mid_question() -> None:
    qs = [card("a"), card("b"), card("c")]
    s, _ = run(None, Start(sections=[5], questions=qs))
    s, actions = run(s, Answer(text="x", grade=grade("wrong", 1, list(qs[0].key_points))))
    assert kinds(actions) == ["graded", "follow_up"] and actions[1].data["kind"] == "probe"
    s, actions = run(s, Skip())  # skips the follow-up, keeps the grade
    assert kinds(actions) == ["skipped", "ask"] and actions[0].data["follow_up"] is True
    s, actions = run(s, Skip())  # skips question b
    assert kinds(actions) == ["skipped", "ask"] and actions[1].data["number"] == 3
    s, actions = run(s, Stop())  # question c is interrupted, not counted
    assert kinds(actions) == ["scorecard", "finish"]
    rows = actions[0].data["rows"]
    assert [(r["id"], r["status"], r["score"]) for r in rows] == [
        ("a", "answered", 1),
        ("b", "skipped", 0),
    ]


QUESTION_COMMANDS: list[tuple[Event, list[str]]] = [
    (Hint(), ["hint"]),
    (Repeat(), ["ask"]),
    (Skip(), ["skipped", "ask"]),
    (DontKnow(), ["reveal", "ask"]),
    (Stop(), ["scorecard", "finish"]),
    (
        Answer(text="t", grade=grade("partial", 5, ["SIGKILL follows after 10 seconds"])),
        ["graded", "follow_up"],
    ),
]
FOLLOW_UP_COMMANDS: list[tuple[Event, list[str]]] = [
    (Hint(), ["hint"]),
    (Repeat(), ["follow_up"]),
    (Skip(), ["skipped", "ask"]),
    (DontKnow(), ["reveal", "ask"]),
    (Stop(), ["scorecard", "finish"]),
    (Answer(text="t", grade=grade("wrong", 0)), ["graded", "ask"]),
]


@pytest.mark.parametrize(("event", "expected"), QUESTION_COMMANDS)
def test_every_command_in_the_middle_of_a_question(event: Event, expected: list[str]) -> None:
    s, _ = run(None, Start(sections=[5], questions=[card("a"), card("b"), card("c")]))
    s, _ = run(s, Answer(text="t", grade=grade("strong", 9)))
    s, _ = run(s, Answer(text="t", grade=grade("strong", 9)))  # now in the middle of question 2
    assert s is not None and s.position == 1 and s.phase == "question"
    _, actions = run(s, event)
    assert kinds(actions) == expected


@pytest.mark.parametrize(("event", "expected"), FOLLOW_UP_COMMANDS)
def test_every_command_in_the_middle_of_a_follow_up(event: Event, expected: list[str]) -> None:
    s, _ = run(None, Start(sections=[5], questions=[card("a"), card("b")]))
    s, _ = run(s, Answer(text="t", grade=grade("partial", 5, ["SIGKILL follows after 10 seconds"])))
    assert s is not None and s.phase == "follow_up"
    _, actions = run(s, event)
    assert kinds(actions) == expected


def test_hints_run_out_and_are_never_the_answer() -> None:
    s, _ = run(None, Start(sections=[5], questions=[card("a")]))
    hints = []
    for _ in range(3):
        s, actions = run(s, Hint())
        hints.append(actions[0])
    assert kinds(hints) == ["hint", "hint", "notice"]
    assert hints[2].data["text"] == "no-more-hints"
    assert "SIGTERM" not in hints[0].data["hint"] and "10" not in hints[1].data["hint"]


def test_cloze_blanks_the_details() -> None:
    text = cloze("docker stop sends SIGTERM to PID 1, then SIGKILL after 10 seconds (-t)")
    assert text.count("____") == 3
    assert "SIGTERM" not in text or "SIGKILL" not in text
    assert text.startswith("docker stop sends")


def test_repeats_are_avoided_across_interviews_in_a_conversation() -> None:
    first, _ = run(None, Start(sections=[5], questions=[card("a"), card("b")]))
    first, _ = run(first, Stop())
    assert first is not None
    second, actions = run(first, Start(sections=[5], questions=[card("a"), card("c")]))
    assert second is not None and [q.id for q in second.questions] == ["c"]
    assert second.asked_before == ["a"]  # asked, interrupted by stop: still not repeated
    done, actions = run(second, Stop())
    again, actions = run(done, Start(sections=[5], questions=[card("a"), card("c")]))
    assert again == done and actions[0].data["text"] == "no-questions"


def test_question_choice_imp_first_ramp_spread_no_repeats(kb) -> None:  # type: ignore[no-untyped-def]
    chosen = choose_questions(kb.questions, [5], 5)
    bank = [q for q in kb.questions if q.section == 5]
    assert len(chosen) == 5 and all(q.section == 5 for q in chosen)
    imp = [q for q in bank if q.imp]
    assert {q.id for q in imp[:5]} <= {q.id for q in chosen} or all(q.imp for q in chosen)
    levels = [{"junior": 0, "mid": 1, "senior": 2}[q.level] for q in chosen]
    assert levels == sorted(levels)
    spread = choose_questions(kb.questions, [4, 5, 6], 6)
    assert sorted(q.section for q in spread) == [4, 4, 5, 5, 6, 6]
    rest = choose_questions(kb.questions, [5], 50, exclude=[q.id for q in chosen])
    assert not {q.id for q in rest} & {q.id for q in chosen}
    assert len(rest) == len(bank) - 5


@pytest.mark.parametrize(
    ("message", "command"),
    [
        ("skip", "skip"),
        ("Skip this one.", "skip"),
        ("next question", "skip"),
        ("hint", "hint"),
        ("Can I get a hint?", "hint"),
        ("hint please", "hint"),
        ("I don't know", "dont_know"),
        ("idk", "dont_know"),
        ("no idea", "dont_know"),
        ("I dont know, sorry", None),
        ("i don't know sorry", "dont_know"),
        ("repeat", "repeat"),
        ("What was the question?", "repeat"),
        ("say again", "repeat"),
        ("stop", "stop"),
        ("end interview", "stop"),
        ("quit", "stop"),
        ("End the interview!", "stop"),
        ("docker stop sends SIGTERM", None),
        ("I don't know exactly, but SIGTERM first", None),
        ("stop sends sigterm", None),
    ],
)
def test_commands_are_recognised(message: str, command: str | None) -> None:
    assert parse_command(message) == command


# -- the service (real grader, real bank) ------------------------------------------------------------


def _roundtrip(conv: ConversationState) -> ConversationState:
    restored = ConversationState.from_json(json.loads(json.dumps(conv.to_json())))
    assert restored.to_json() == conv.to_json()
    return restored


async def test_service_interview_with_every_grade_and_command(service: InterviewService) -> None:
    conv = ConversationState()
    reply = await service.start(conv, [4], count=5)
    assert reply.intent == "interview" and conv.mode == "interview"
    assert reply.card and reply.card["type"] == "question" and reply.card["of"] == 5
    assert (
        "**Question 1 of 5**" in reply.markdown
        and f"**{reply.card['question']}**" in reply.markdown
    )
    conv = _roundtrip(conv)

    def current() -> QuestionCard:
        state = service.state_of(conv)
        assert state is not None and state.current is not None
        return state.current

    # 1: a strong answer (the model answer) -> grade card + own follow-up
    q1 = current()
    reply = await service.handle(conv, q1.model_answer)
    assert reply.intent == "answer" and reply.card and reply.card["type"] == "grade"
    assert reply.card["grade"] == "strong" and reply.card["next"]["type"] == "follow_up"
    assert "**Grade: strong (" in reply.markdown and "**Follow-up:**" in reply.markdown
    assert service.reminder(conv) == f"Back to the follow-up: **{q1.follow_ups[0]}**"
    conv = _roundtrip(conv)
    reply = await service.handle(conv, "skip")  # skip the follow-up
    assert reply.card and reply.card["type"] == "skipped" and reply.card["next"]["number"] == 2
    conv = _roundtrip(conv)

    # 2: hint, repeat, then a misconception -> wrong/partial, a probe of a missed point
    q2 = current()
    reply = await service.handle(conv, "hint")
    assert reply.card and reply.card["type"] == "hint" and "**Hint 1:**" in reply.markdown
    reply = await service.handle(conv, "repeat")
    assert reply.card and reply.card["question"] == q2.question and reply.card["repeat"]
    assert service.reminder(conv) == f"Back to the question: **{q2.question}**"
    wrong = (
        f"{q2.misconceptions[0]}. I'm quite sure about that, it's how it always works."
        if q2.misconceptions
        else "I think it's about the network configuration of the host, nothing else."
    )
    reply = await service.handle(conv, wrong)
    assert reply.card and reply.card["grade"] in ("wrong", "partial")
    assert reply.card["grade"] != "strong"
    assert reply.card["next"]["type"] == "follow_up" and reply.card["next"]["kind"] == "probe"
    assert "**Model answer:**" in reply.markdown
    conv = _roundtrip(conv)
    reply = await service.handle(conv, "no idea")  # don't know the probe either
    assert reply.card and reply.card["type"] == "reveal" and reply.card["follow_up"]
    conv = _roundtrip(conv)

    # 3: a partial answer (one key point), the probe answered with the missed point
    q3 = current()
    reply = await service.handle(conv, q3.key_points[0])
    assert reply.card and reply.card["grade"] in ("partial", "strong")
    if reply.card["next"]["type"] == "follow_up" and reply.card["next"]["kind"] == "probe":
        reply = await service.handle(conv, reply.card["next"]["key_point"])
        assert reply.card and reply.card["follow_up"] and reply.card["grade"] == "strong"
    else:
        reply = await service.handle(conv, "skip")
    conv = _roundtrip(conv)

    # 4: I don't know -> model answer, 0, next question; 5: stop mid-question
    q4 = current()
    reply = await service.handle(conv, "I don't know")
    assert (
        reply.card
        and reply.card["type"] == "reveal"
        and reply.card["model_answer"] == q4.model_answer
    )
    assert reply.card["next"]["number"] == 5
    reply = await service.handle(conv, "stop")
    assert reply.card and reply.card["type"] == "scorecard"
    assert conv.mode == "revision" and service.reminder(conv) is None
    rows = reply.card["rows"]
    assert [r["id"] for r in rows] == [q1.id, q2.id, q3.id, q4.id]
    assert rows[0]["grade"] == "strong" and rows[3]["status"] == "dont_know"
    assert 4 in conv.results and conv.results[4].answered == 3
    assert conv.results[4].score == reply.card["by_section"]["4"]["score"]
    assert "### Scorecard" in reply.markdown
    if reply.card["revise"]:
        assert "**Start from Section 4**" in reply.markdown
    conv = _roundtrip(conv)

    # a new interview in the same conversation repeats nothing
    reply = await service.start(conv, [4], count=20)
    state = service.state_of(conv)
    assert state is not None and not {q.id for q in state.questions} & {q1.id, q2.id, q3.id, q4.id}


def test_a_graded_card_carries_the_dated_notes(prompts) -> None:  # type: ignore[no-untyped-def]
    from app.mentor.interview import REPLY_TEMPLATE
    from app.study.versions import dated_claims

    dated = [c.to_json() for c in dated_claims("Kubernetes uses Docker to run the pods.")]
    g = Grade("partial", 5, [], ["SIGKILL follows after 10 seconds"], [], "fb", "model")
    s, _ = run(None, Start(sections=[5], questions=[card("q1")], at=1.0))
    s, actions = run(s, Answer(text="x", grade={**g.to_json(), "dated": dated}, at=2.0))
    graded = actions[0]
    assert graded.kind == "graded" and graded.data["dated"] == dated
    text = prompts.render(
        REPLY_TEMPLATE,
        actions=[{**graded.data, "action": "graded"}],
        reminder=None,
        intro=None,
        too_short=False,
    )
    assert "**Dated:** \u201cKubernetes uses Docker\u201d was right before Kubernetes 1.24" in text
    assert "*(Section 10 > The dockershim Removal)*" in text
    # a card stored before the field existed still renders
    old = {k: v for k, v in graded.data.items() if k != "dated"}
    assert "Dated" not in prompts.render(
        REPLY_TEMPLATE,
        actions=[{**old, "action": "graded"}],
        reminder=None,
        intro=None,
        too_short=False,
    )


async def test_service_answer_with_a_dated_claim_shows_the_note(service: InterviewService) -> None:
    conv = ConversationState()
    await service.start(conv, [8], count=20)
    for _ in range(25):
        state = service.state_of(conv)
        assert state is not None and state.current is not None
        if state.current.id == "cmp-v1-vs-v2" and state.phase != "follow_up":
            break
        await service.handle(conv, "skip")
    reply = await service.handle(
        conv, "use docker-compose up and put version: '3.8' at the top of the file"
    )
    assert reply.card and reply.card["type"] == "grade" and reply.card["grade"] != "strong"
    assert [d["id"] for d in reply.card["dated"]] == ["compose-v1", "compose-version-key"]
    assert reply.card["dated"][0]["note"] in reply.card["feedback"]
    assert reply.markdown.count("**Dated:**") == 2
    assert "Section 8 > Compose v2 vs v1" in reply.markdown


async def test_service_outside_an_interview_and_short_answers(service: InterviewService) -> None:
    conv = ConversationState()
    reply = await service.handle(conv, "hello")
    assert "no interview running" in reply.markdown and conv.mode == "revision"
    await service.start(conv, [5], count=1)
    reply = await service.handle(conv, "bridge")
    assert reply.card and reply.card["grade"] == "wrong" and reply.card["score"] == 0
    assert "very short" in reply.markdown
    assert service.is_command("skip") and not service.is_command("bridge")


# -- through the engine and the terminal -----------------------------------------------------------


async def test_engine_clarification_mid_interview_comes_back_to_the_question(kb, index) -> None:  # type: ignore[no-untyped-def]
    from app.mentor.engine import Mentor
    from app.prompts import Prompts
    from app.settings import ROOT

    mentor = Mentor(kb, index, Prompts(ROOT / "prompts"))
    conv = ConversationState()
    reply = await mentor.reply(conv, "mock interview on networking, 2 questions")
    assert reply.intent == "interview" and conv.mode == "interview"
    question = reply.card["question"] if reply.card else ""
    reply = await mentor.reply(conv, "what is a user-defined bridge network?")
    assert reply.intent == "clarify"
    assert f"Back to the question: **{question}**" in reply.markdown
    reply = await mentor.reply(conv, "stop")
    assert reply.intent == "answer" and conv.mode == "revision"


def test_cli_interview_from_piped_stdin(index, session_settings) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["interview", "--section", "4", "--count", "2"],
        input="hint\nI don't know\nskip\n",
        env={
            "MENTOR_DATA_DIR": str(session_settings.data_dir),
            "MENTOR_KNOWLEDGE_DIR": str(session_settings.knowledge_dir),
            "MENTOR_INDEX_DIR": str(session_settings.resolved_index_dir),
        },
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "**Question 1 of 2**" in out and "**Hint 1:**" in out
    assert "**Question 2 of 2**" in out
    assert "### Scorecard" in out  # end of input stops the interview with the scorecard


def test_cli_interview_rejects_bad_sections() -> None:
    result = CliRunner().invoke(cli, ["interview", "--section", "21"])
    assert result.exit_code != 0 and "1-20" in str(result.exception)


async def test_the_next_rubric_is_encoded_while_the_candidate_reads(
    kb: Any, embedder: Any, prompts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first answer to a question encodes the answer only: the rubric was encoded in the
    background when the question was asked."""
    grader = OfflineGrader(embedder, prompts)  # a fresh cache: nothing encoded yet
    service = InterviewService(kb, None, grader, prompts, embedder=embedder, seed=3)
    conv = ConversationState()
    await service.start(conv, [5], count=2)
    assert service.preparing is not None
    await service.preparing
    state = service.state_of(conv)
    assert state is not None
    rubric = service.expected_rubric(state)
    encoded: list[str] = []
    real = embedder.encode

    def counting(texts: list[str], *args: Any, **kwargs: Any) -> Any:
        encoded.extend(texts)
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(embedder, "encode", counting)
    answer = "It sends SIGTERM first; after the grace period it sends SIGKILL."
    await grader.agrade(rubric, answer)
    assert encoded == split_units(answer)
    encoded.clear()
    await OfflineGrader(embedder, prompts).agrade(rubric, answer)  # without the head start
    assert set(rubric.key_points) <= set(encoded)
