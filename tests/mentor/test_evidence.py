"""The grader's evidence beyond the rubric (app/mentor/evidence.py): answers to another
question are wrong and say which; catalogued myths are caught whichever question was asked,
with the correction and a link into the notes; the LLM may overrule a myth only with a quote."""

from __future__ import annotations

import json
import random
import shutil

import pytest

from app import knowledge
from app.mentor import evidence as evidence_module
from app.mentor.evidence import Evidence, invented_flags
from app.mentor.grader import LLMGrader, OfflineGrader, Rubric
from app.text import anchor
from tests.conftest import KNOWLEDGE
from tests.mentor.conftest import ScriptedBackend


@pytest.fixture(scope="module")
def judged(embedder, prompts, evidence) -> OfflineGrader:  # type: ignore[no-untyped-def]
    return OfflineGrader(embedder, prompts, evidence=evidence)


def _asked_in(kb, section: int) -> Rubric:  # type: ignore[no-untyped-def]
    """The rubric of the first bank question of `section`."""
    return Rubric.from_question(next(q for q in kb.questions if q.section == section))


def _pairs(kb, n: int) -> list[tuple[Rubric, Rubric]]:  # type: ignore[no-untyped-def]
    """n (question, a question of another section) pairs, fixed by a seed."""
    qs = list(kb.questions)
    rng = random.Random(15)
    out = []
    for q in rng.sample(qs, n):
        other = rng.choice([o for o in qs if o.section != q.section])
        out.append((Rubric.from_question(q), Rubric.from_question(other)))
    return out


def test_model_answers_are_on_topic_and_answers_to_other_questions_are_not(judged, kb) -> None:
    pairs = _pairs(kb, 12)
    own = [judged.grade(q, q.model_answer) for q, _ in pairs]
    assert all(g.off_topic is None and g.grade != "wrong" for g in own), [
        (q.question, g.grade) for (q, _), g in zip(pairs, own, strict=True) if g.off_topic
    ]
    replayed = [judged.grade(q, other.model_answer) for q, other in pairs]
    caught = [g for g in replayed if g.grade == "wrong" and g.off_topic]
    assert len(caught) >= 11, [(g.grade, g.score) for g in replayed]
    for g in caught:
        assert g.score <= 3 and not g.covered
        assert "different question" in g.feedback


def test_off_topic_names_the_question_the_answer_fits(judged, kb) -> None:
    q = next(q for q in kb.questions if q.section == 4 and "stop" in q.question.lower())
    other = next(o for o in kb.questions if o.section == 6 and "volume" in o.question.lower())
    g = judged.grade(Rubric.from_question(q), other.model_answer)
    assert g.grade == "wrong" and g.off_topic
    fitted = next(o for o in kb.questions if o.question == g.off_topic)
    assert fitted.section != 4


def test_a_rubric_without_a_section_finds_its_own(judged, kb) -> None:
    q = next(q for q in kb.questions if q.section == 5)
    given = Rubric(q.question, tuple(q.key_points), model_answer=q.model_answer)
    assert given.section == 0
    assert judged.grade(given, q.model_answer).off_topic is None


@pytest.mark.parametrize("section", [4, 5, 7, 11])
def test_a_catalogued_myth_is_caught_under_any_question(judged, kb, section) -> None:
    myth = next(m for m in kb.myths if m.section == section)
    # asked about something else entirely: the catalogue applies to every answer
    asked = _asked_in(kb, section)
    answer = f"{myth.claims[0]} I am quite sure about that."
    g = judged.grade(asked, answer)
    assert g.grade != "strong"
    hit = next(m for m in g.myths if m["myth_id"] == myth.id)
    assert hit["correction"] == myth.correction and hit["quote"]
    assert hit["link"] == f"/sections/{section}#{anchor(myth.heading)}"
    headings = knowledge.headings(kb.section(section).markdown)
    assert anchor(myth.heading) in {anchor(h) for h in headings}


def test_a_claim_two_sections_share_is_quoted_from_the_asked_section(judged, kb) -> None:
    """The same claim in two catalogues has the same vector up to float noise that changes
    from one index build to the next: the asked question's section decides, not the noise."""
    by_claim: dict[str, set[int]] = {}
    for m in kb.myths:
        for c in m.claims:
            by_claim.setdefault(c, set()).add(m.section)
    claim, sections = next((c, s) for c, s in by_claim.items() if len(s) > 1)
    answer = f"{claim} I am quite sure about that."
    for section in sorted(sections):
        asked = _asked_in(kb, section)
        g = judged.grade(asked, answer)
        assert g.grade != "strong"
        assert g.myths[0]["link"].startswith(f"/sections/{section}#"), (section, g.myths)


def test_the_corrections_themselves_assert_no_myth(judged, kb) -> None:
    rng = random.Random(3)
    myths = rng.sample(list(kb.myths), 25)
    flagged = []
    for myth in myths:
        asked = _asked_in(kb, myth.section)
        g = judged.grade(asked, myth.correction)
        flagged += [m["myth_id"] for m in g.myths if m["myth_id"] == myth.id]
    assert flagged == []


def test_denying_a_myth_is_not_asserting_it(judged, kb) -> None:
    myth = next(m for m in kb.myths if m.id == "04-run-reuses-container")
    asked = _asked_in(kb, 4)
    g = judged.grade(asked, "docker run does not reuse the previous container and its data.")
    assert all(m["myth_id"] != myth.id for m in g.myths)


@pytest.mark.parametrize(
    "answer",
    [
        "Since Docker Desktop 4.49 docker debug needs no paid subscription.",
        "docker debug requires no paid Docker subscription any more.",
    ],
)
def test_needing_no_x_is_not_asserting_that_x_is_needed(judged, kb, answer: str) -> None:
    """A key point of dbg-distroless-no-shell was flagged as the myth "docker debug requires a
    paid Docker subscription": "needs no" was not read as a negation. The myth still counts."""
    asked = Rubric.from_question(next(q for q in kb.questions if q.id == "dbg-distroless-no-shell"))
    g = judged.grade(asked, answer)
    assert all(m["myth_id"] != "14-docker-debug-paid" for m in g.myths), g.myths
    wrong = judged.grade(asked, "docker debug requires a paid Docker subscription.")
    assert any(m["myth_id"] == "14-docker-debug-paid" for m in wrong.myths)


@pytest.mark.parametrize(
    ("question", "myth", "wrong"),
    [
        # "ten seconds" gives the correction's number; "half a minute" names none
        (
            "ctr-pid1-signals",
            "04-stop-waits-30-seconds",
            "The default docker stop grace period is half a minute.",
        ),
        # "-a" is the correction's flag
        (
            "img-dangling-prune",
            "03-image-prune-removes-all-unused",
            "docker image prune removes every image that no container uses.",
        ),
        # "--build-context shared=../shared" does not COPY ../shared/config.yaml
        (
            "img-copy-context",
            "03-copy-relative-to-dockerfile",
            "COPY ../shared/config.yaml works as long as the path is correct from the "
            "Dockerfile's folder.",
        ),
        (
            "ts-copy-cache-key",
            "19-copy-relative-to-dockerfile",
            "COPY ../../libs/common works if you run docker build from the services/api directory.",
        ),
        # "Under rootless Docker or userns-remap, ..." sets the scene and claims nothing
        (
            "ts-bind-mount-permission",
            "20-rootless-is-userns-remap",
            "Rootless Docker and userns-remap are the same thing.",
        ),
    ],
)
def test_a_model_answer_stating_the_correction_asserts_no_myth(
    judged, kb, question: str, myth: str, wrong: str
) -> None:
    """Five bank model answers were graded partial for a myth they correct: the myth's claims
    still count when an answer makes them."""
    q = next(q for q in kb.questions if q.id == question)
    asked = Rubric.from_question(q)
    right = judged.grade(asked, q.model_answer)
    assert all(m["myth_id"] != myth for m in right.myths), right.myths
    assert right.grade == "strong"
    caught = judged.grade(asked, wrong)
    assert any(m["myth_id"] == myth for m in caught.myths), caught.myths


@pytest.mark.parametrize(
    ("myth", "answer"),
    [
        (
            "18-memory-reservation-reserves",
            "--memory-reservation reserves memory for the container.",
        ),
        (
            "11-privileged-only-inside",
            "--privileged only gives the container root inside the container and does not "
            "affect the host.",
        ),
        (
            "03-copy-source-before-dependencies",
            "Put COPY . . at the top of the Dockerfile so every later step sees all files.",
        ),
    ],
)
def test_a_claim_that_opens_with_a_flag_or_copies_dot_is_caught(
    judged, kb, myth: str, answer: str
) -> None:
    """The leading "--" of a flag was stripped and "COPY . ." ended a sentence, so these
    catalogue claims went uncaught when an answer made them."""
    section = next(m.section for m in kb.myths if m.id == myth)
    asked = _asked_in(kb, section)
    assert any(m["myth_id"] == myth for m in judged.grade(asked, answer).myths)


def test_ranking_what_a_myth_calls_equal_is_not_asserting_it(judged, kb) -> None:
    """ "bind mounts are slower" contradicts "as fast as on a native Linux host": the model
    answer of perf-container-overhead was graded partial for it; the myth itself still counts."""
    q = next(q for q in kb.questions if q.id == "perf-container-overhead")
    asked = Rubric.from_question(q)
    right = judged.grade(asked, q.model_answer)
    assert all(m["myth_id"] != "15-desktop-bind-mounts-native" for m in right.myths)
    assert right.grade == "strong"
    wrong = judged.grade(
        asked, "On Docker Desktop for Mac, bind mounts are as fast as on a native Linux host."
    )
    assert any(m["myth_id"] == "15-desktop-bind-mounts-native" for m in wrong.myths)


def test_vectors_are_kept_beside_the_index(kb, embedder, tmp_path, monkeypatch) -> None:
    # one section and its myth file, so the test encodes a few hundred texts, not thousands
    (tmp_path / "knowledge" / "myths").mkdir(parents=True)
    shutil.copy(KNOWLEDGE / "myths" / "20-emerging.yaml", tmp_path / "knowledge" / "myths")
    small = knowledge.Knowledge({20: kb.section(20)}, tmp_path / "knowledge")
    assert small.myths and small.questions
    cache = tmp_path / "index"
    monkeypatch.setattr(evidence_module, "_SHARED", {})
    Evidence(small, embedder, cache).warm()
    files = sorted(p.name for p in cache.glob("texts-*.npy"))
    assert len(files) == 3  # claims, corrections, questions with their key points
    calls = []

    class Counting:
        model_name = embedder.model_name

        def encode(self, texts, **kw):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            return embedder.encode(texts, **kw)

    monkeypatch.setattr(evidence_module, "_SHARED", {})
    Evidence(small, Counting(), cache).warm()  # type: ignore[arg-type]
    assert calls == []


# -- the LLM grader gets the evidence ------------------------------------------------------------

VERDICT = {
    "grade": "strong",
    "score": 9,
    "covered": [],
    "missed": [],
    "misconceptions": [],
    "feedback": "Well explained.",
}


def _myth_case(kb):  # type: ignore[no-untyped-def]
    myth = next(m for m in kb.myths if m.id == "04-run-reuses-container")
    asked = _asked_in(kb, 4)
    answer = f"{myth.claims[0]} That is why my data survives."
    return myth, asked, answer


async def test_the_llm_sees_the_myth_and_cannot_grade_it_strong(judged, kb, prompts) -> None:
    myth, asked, answer = _myth_case(kb)
    backend = ScriptedBackend(json.dumps(VERDICT))
    g = await LLMGrader(backend, prompts, judged).agrade(asked, answer)
    user = backend.requests[0].messages[1]["content"]
    assert myth.correction in user and "overrule" in user
    assert g.backend == "scripted" and g.grade == "partial"
    assert [m["myth_id"] for m in g.myths] == [myth.id]


async def test_an_overrule_needs_the_answers_own_words(judged, kb, prompts) -> None:
    _, asked, answer = _myth_case(kb)
    claim = judged.grade(asked, answer).myths[0]["claim"]
    invented = {**VERDICT, "overrule": [{"claim": claim, "quote": "the candidate meant start"}]}
    g = await LLMGrader(ScriptedBackend(json.dumps(invented)), prompts, judged).agrade(
        asked, answer
    )
    assert g.grade == "partial" and g.myths
    quoted = {**VERDICT, "overrule": [{"claim": claim, "quote": "that is why my data survives"}]}
    g = await LLMGrader(ScriptedBackend(json.dumps(quoted)), prompts, judged).agrade(asked, answer)
    assert g.grade == "strong" and not g.myths


# -- facts the CLI's own flag tables contradict -----------------------------------------------


def test_an_invented_flag_is_a_contradicted_fact(judged, kb) -> None:
    asked = _asked_in(kb, 4)
    g = judged.grade(asked, "You set the zone with docker run --time-zone Europe/Paris myapp.")
    fact = next(m for m in g.myths if m["source"] == "fact")
    assert fact["claim"] == "docker run --time-zone" and "--time-zone" in fact["quote"]
    assert g.grade != "strong"
    denied = "There is no --time-zone flag; use docker run -e TZ=Europe/Paris myapp."
    assert not [m for m in judged.grade(asked, denied).myths if m["source"] == "fact"]


def test_the_notes_and_model_answers_use_no_invented_flag(kb) -> None:
    texts = [s.markdown for s in kb.sections.values()] + [q.model_answer for q in kb.questions]
    units = [line for t in texts for line in t.splitlines() if line.strip()]
    assert [h.quote for _, h in invented_flags(units)] == []
