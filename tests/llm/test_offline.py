"""The offline composer: answers built from retrieved sentences, each standing on its own."""

from __future__ import annotations

from typing import Any

from app.llm.offline import OfflineBackend, split_units

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
