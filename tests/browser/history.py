"""A scripted study history written through the real store: mock-interview scorecards (as the
chat stores them), flashcard reviews and a hands-on check, dated over the last ten days, for
the identity of one browser context. The expected chart numbers are worked out here from the
script itself, not read back from the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app import knowledge
from app.handson import load_book
from app.store import Database, Repository
from app.study.events import Event
from tests.web.helpers import KNOWLEDGE

KB = knowledge.load(KNOWLEDGE)
BOOK = load_book(KNOWLEDGE)

# (days ago, [(section, score 0-10), ...]): one scorecard each, oldest first
SESSIONS: list[tuple[int, list[tuple[int, float]]]] = [
    (9, [(5, 3.0), (5, 5.0), (6, 4.0)]),
    (6, [(5, 6.0), (6, 5.0)]),
    (3, [(3, 7.0), (5, 8.0), (6, 6.0), (6, 8.0)]),
    (1, [(3, 9.0), (5, 8.0)]),
]
# (days ago, section, rating): flashcard reviews, each of a different question
REVIEWS: list[tuple[int, int, str]] = [
    (8, 1, "good"),
    (8, 1, "easy"),
    (4, 2, "hard"),
    (4, 11, "again"),
    (2, 11, "good"),
    (0, 8, "good"),
]


@dataclass
class Expected:
    session_means: list[float] = field(default_factory=list)
    trend: float = 0.0
    reviews_total: int = 0
    sections: set[int] = field(default_factory=set)
    task_section: int = 0
    conversation_id: str = ""
    last_scores: list[float] = field(default_factory=list)


def owner(page: Any) -> str:
    """The anonymous identity of the page's browser context (its signed cookie's value)."""
    assert page.request.get("/healthz").ok  # receives the identity cookie
    cookie = next(c for c in page.context.cookies() if c["name"] == "mentor_id")
    return str(cookie["value"]).strip('"').rsplit(".", 1)[0]


def _slope(values: list[float]) -> float:
    n = len(values)
    xs = list(range(n))
    mx, my = sum(xs) / n, sum(values) / n
    return sum((x - mx) * (y - my) for x, y in zip(xs, values, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def _scorecard(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_section: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = by_section.setdefault(
            str(r["section"]), {"title": KB.sections[r["section"]].title, "scores": []}
        )
        entry["scores"].append(r["score"])
    total = sum(r["score"] for r in rows) / len(rows)
    return {
        "type": "scorecard",
        "rows": rows,
        "by_section": {
            k: {
                "title": v["title"],
                "score": sum(v["scores"]) / len(v["scores"]),
                "answered": len(v["scores"]),
                "asked": len(v["scores"]),
            }
            for k, v in by_section.items()
        },
        "total": {"score": round(total, 1), "answered": len(rows), "asked": len(rows)},
        "weakest": [],
        "revise": [],
    }


def write_history(data_dir: Path, who: str) -> Expected:
    """Write the script for `who` into the server's database; what the charts should show."""
    now = datetime.now(UTC)
    expected = Expected()
    questions: dict[int, list[Any]] = {}
    for q in KB.questions:
        questions.setdefault(q.section, []).append(q)
    used: dict[int, int] = {}

    def question(section: int) -> Any:
        i = used.get(section, 0)
        used[section] = i + 1
        return questions[section][i]

    db = Database(f"sqlite:///{data_dir / 'mentor.db'}")
    try:
        repo = Repository(db)
        conv = repo.create_conversation(who, "Scripted mock interviews")
        expected.conversation_id = conv.id
        for days, answers in SESSIONS:
            at = now - timedelta(days=days, hours=2)
            rows = []
            for number, (section, score) in enumerate(answers, start=1):
                q = question(section)
                rows.append(
                    {
                        "number": number,
                        "id": q.id,
                        "section": section,
                        "question": q.question,
                        "level": q.level,
                        "status": "answered",
                        "grade": "partial",
                        "score": score,
                        "hints": 0,
                        "imp": q.imp,
                    }
                )
                expected.sections.add(section)
            repo.add_message(who, conv.id, "user", "skip", created_at=at)
            repo.add_message(
                who, conv.id, "assistant", "Scorecard", card=_scorecard(rows), created_at=at
            )
            expected.session_means.append(sum(s for _, s in answers) / len(answers))
            expected.last_scores = [s for _, s in answers]
        expected.trend = _slope(expected.session_means)
        for days, section, rating in REVIEWS:
            q = question(section)
            at = now - timedelta(days=days, minutes=5)
            repo.add_study_event(who, Event.card(section, q.id, rating, at, imp=q.imp))
        expected.reviews_total = len(REVIEWS)
        task = next(iter(BOOK.tasks.values()))
        repo.add_study_event(
            who, Event.handson(task.section, task.id, 1.0, now - timedelta(days=2), imp=task.imp)
        )
        expected.task_section = task.section
    finally:
        db.dispose()
    return expected
