"""The false claims an answer asserts (`Grade.myths`) and an answer to another question
(`Grade.off_topic`) on the web: the feedback Markdown, the interview grade card, GradeOut and
POST /api/grade (issue #15)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.mentor.grades import Grade, GradeName, MythHit, apply_dated, render_grade
from app.mentor.interview_machine import _grade_card
from app.mentor.interview_state import InterviewState
from app.mentor.rubric import Rubric
from app.prompts import Prompts
from app.settings import ROOT
from app.web.schemas import GradeOut
from app.web.views import templates

QUESTION = "What does docker stop do?"
# knowledge/myths/04-containers.yaml, 04-stop-sends-sigkill-at-once, verbatim
CLAIM = "docker stop sends SIGKILL immediately."
ANSWER = f"{CLAIM} It is the command you use to end a running container."
LINK = "/sections/4#core-commands-run-start-stop-kill-pause-rm"
HEADING = "Core Commands: run, start, stop, kill, pause, rm"
CORRECTION = (
    "docker stop sends SIGTERM (or the image's STOPSIGNAL) to PID 1, waits a grace period of "
    "10 seconds by default, then sends SIGKILL."
)
OTHER_MISCONCEPTION = "docker kill lets the process clean up first"

RUBRIC = Rubric(
    question=QUESTION,
    key_points=(
        "docker stop sends SIGTERM to the main process first",
        "after a grace period (10 s by default) it sends SIGKILL",
    ),
    misconceptions=(CLAIM, OTHER_MISCONCEPTION),
    model_answer="SIGTERM first, then SIGKILL after the grace period (10 s, -t to change).",
    source="given",
    section=4,
)
MYTH = MythHit(
    quote=CLAIM,
    claim=CLAIM,
    correction=CORRECTION,
    section=4,
    heading=HEADING,
    link=LINK,
    myth_id="04-stop-sends-sigkill-at-once",
)


def _grade(
    *,
    myths: list[MythHit] | None = None,
    misconceptions: list[str] | None = None,
    off_topic: str | None = None,
    grade: GradeName = "wrong",
) -> Grade:
    """A Grade built by hand through the same renderer both graders use."""
    covered = [RUBRIC.key_points[0]] if grade == "partial" else []
    missed = [k for k in RUBRIC.key_points if k not in covered]
    score = 2 if grade == "wrong" else 5
    dated = apply_dated(RUBRIC, grade, score, covered, missed, [])
    return render_grade(
        Prompts(ROOT / "prompts"),
        RUBRIC,
        dated,
        misconceptions if misconceptions is not None else [CLAIM],
        myths=myths,
        off_topic=off_topic,
    )


def _card_html(g: Grade) -> str:
    card = {**_grade_card(InterviewState(sections=[4], questions=[]), g), "follow_up": False}
    return templates.env.get_template("_card.html").render(card=card)


# -- the feedback Markdown ------------------------------------------------------------------


def test_feedback_quotes_the_answer_corrects_it_and_links_the_note() -> None:
    g = _grade(myths=[MYTH])
    assert g.myths == [MYTH.to_json()]
    assert f'**Not true:** "{CLAIM}" — {CORRECTION}' in g.feedback
    assert f"([Section 4: {HEADING}]({LINK}))" in g.feedback
    # the misconception is the myth's claim: said once, as the myth
    assert "known misconception" not in g.feedback
    assert g.feedback.count("SIGKILL immediately") == 1


def test_feedback_keeps_misconceptions_that_are_not_myths() -> None:
    g = _grade(myths=[MYTH], misconceptions=[CLAIM, OTHER_MISCONCEPTION])
    assert "**Not true:**" in g.feedback
    assert f"known misconception — {OTHER_MISCONCEPTION}." in g.feedback
    assert "SIGKILL immediately." not in g.feedback.split("known misconception")[1]


def test_feedback_without_a_citation_has_no_link() -> None:
    bare = MythHit(quote="kill is graceful", claim=OTHER_MISCONCEPTION, correction="It is not.",
                   source="rubric")  # fmt: skip
    g = _grade(myths=[bare], misconceptions=[OTHER_MISCONCEPTION])
    assert '**Not true:** "kill is graceful" — It is not.' in g.feedback
    assert "](" not in g.feedback and "(Section" not in g.feedback


def test_a_rubric_myth_without_a_correction_is_not_said_twice() -> None:
    """The offline grader's rubric myths may carry no correction and the misconception's own
    spelling (no full stop): one "Not true" line, no "known misconception" line, no dangling dash."""
    bare = MythHit(quote=CLAIM, claim=CLAIM, correction="", source="rubric")
    g = _grade(myths=[bare], misconceptions=[CLAIM.rstrip(".")])
    assert f'**Not true:** "{CLAIM}" — a known misconception.' in g.feedback
    assert "Careful" not in g.feedback
    html = _card_html(g)
    assert "<h3>Misconceptions</h3>" not in html and html.count("SIGKILL immediately") == 1
    assert "a known misconception." in html


def test_one_line_per_quoted_sentence_the_linked_myth_first() -> None:
    """The rubric and two catalogue entries may all match one sentence: say it once, with the
    first correction that links into the notes."""
    rubric = MythHit(quote=CLAIM, claim=CLAIM.rstrip("."), correction="", source="rubric")
    other = MythHit(quote=CLAIM, claim=CLAIM, correction="Section 18 says so too.", section=18,
                    heading="Graceful Shutdown", link="/sections/18#graceful-shutdown")  # fmt: skip
    g = _grade(myths=[rubric, MYTH, other], misconceptions=[CLAIM.rstrip(".")])
    assert len(g.myths) == 3  # the JSON keeps every match
    assert g.feedback.count("**Not true:**") == 1 and LINK in g.feedback
    assert "Careful" not in g.feedback and "Section 18" not in g.feedback
    html = _card_html(g)
    assert html.count('class="myth__quote"') == 1 and f'href="{LINK}"' in html


def test_feedback_without_myths_is_unchanged() -> None:
    g = _grade(misconceptions=[OTHER_MISCONCEPTION], grade="partial")
    assert "Not true" not in g.feedback and "different question" not in g.feedback
    assert g.feedback.startswith("Partly there: you covered 1 of 2 key points.")
    assert f"known misconception — {OTHER_MISCONCEPTION}." in g.feedback


def test_feedback_off_topic_says_so_first_and_does_not_count_points() -> None:
    other = "What does docker kill do?"
    g = _grade(off_topic=other, misconceptions=[], grade="partial")
    first = g.feedback.splitlines()[0]
    assert first == f"This answers a different question: *{other}*"
    assert "you covered" not in g.feedback and "key points" not in g.feedback
    assert g.off_topic == other


# -- the interview grade card ---------------------------------------------------------------


def test_card_shows_not_true_with_quote_correction_and_a_link() -> None:
    html = _card_html(_grade(myths=[MYTH], misconceptions=[CLAIM, OTHER_MISCONCEPTION]))
    assert "<h3>Not true</h3>" in html and "<h3>Misconceptions</h3>" not in html
    block = html.split("<h3>Not true</h3>")[1].split("</div>")[0]
    assert f'<q class="myth__quote">{CLAIM}</q>' in block
    assert "docker stop sends SIGTERM" in block
    assert re.search(rf'<a class="myth__link" href="{re.escape(LINK)}"[^>]*>Section 4: ', block)
    # the misconception that is not a myth is still listed, the myth's claim only once
    assert OTHER_MISCONCEPTION in block
    assert html.count("SIGKILL immediately") == 1, "the feedback repeats the myth"
    # the rest of the feedback is still there
    assert "Not quite" in html and "known misconception" in html


def test_card_escapes_the_answer_quote() -> None:
    myth = MythHit(quote='<img src=x onerror="alert(1)">', claim=CLAIM, correction=CORRECTION,
                   section=4, heading=HEADING, link=LINK)  # fmt: skip
    html = _card_html(_grade(myths=[myth]))
    assert "<img" not in html and "&lt;img" in html


def test_card_without_myths_keeps_the_misconceptions_list() -> None:
    html = _card_html(_grade(misconceptions=[OTHER_MISCONCEPTION]))
    assert "<h3>Misconceptions</h3>" in html and "Not true" not in html
    assert "different question" not in html


def test_a_stored_card_from_before_myths_still_renders() -> None:
    card = {**_grade_card(InterviewState(sections=[4], questions=[]), _grade()), "follow_up": False}
    del card["myths"], card["off_topic"]
    html = templates.env.get_template("_card.html").render(card=card)
    assert "<h3>Misconceptions</h3>" in html and "card__feedback" in html


def test_card_off_topic_notice() -> None:
    other = "What does docker kill do?"
    html = _card_html(_grade(off_topic=other, misconceptions=[]))
    assert "card__note--off-topic" in html
    assert f"This answers a different question: <em>{other}</em>" in html
    assert html.count("This answers a different question") == 1


def test_grade_out_documents_the_myths() -> None:
    g = _grade(myths=[MYTH], off_topic="What does docker kill do?")
    out = GradeOut.model_validate({**g.to_json(), "rubric_source": "given", "key_points": []})
    assert out.myths[0].link == LINK and out.myths[0].section == 4
    assert out.off_topic == "What does docker kill do?"
    assert "MythOut" in str(GradeOut.model_json_schema())


# -- POST /api/grade, end to end (the offline grader finds the myth) --------------------------


def test_api_grade_names_the_myth_and_links_the_note(client: TestClient) -> None:
    r = client.post("/api/grade", json={"question": QUESTION, "answer": ANSWER})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["grade"] != "strong"
    assert body["myths"], body
    hit = next(m for m in body["myths"] if m["section"] == 4)
    assert hit["link"].startswith("/sections/4#")
    assert "SIGKILL" in hit["quote"]
    assert body["off_topic"] is None
    assert "**Not true:**" in body["feedback"] and hit["link"] in body["feedback"]
