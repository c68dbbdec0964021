"""The key-point judge of `mentor eval` and bench_clarify (app/eval/judge.py): what it reads of
an answer, and when a key point counts as covered (the packaged MiniLM model)."""

from __future__ import annotations

from app.eval.judge import THRESHOLD, answer_units, covered

ANSWER = """**Short answer:** drop them all. Then add `NET_BIND_SERVICE` back.

**Key points**
- In Compose the lists are *cap_drop* and cap_add.

| flag | effect |
| --- | --- |
| `--cap-drop ALL` | no capability left |

```bash
docker run --cap-drop ALL nginx
```

*Sources: [Section 11 > Capabilities](/sections/11#capabilities)*"""


def test_answer_units_are_sentences_bullets_rows_and_code() -> None:
    units = answer_units(ANSWER)
    assert units == [
        "```bash\ndocker run --cap-drop ALL nginx\n```",
        "Short answer: drop them all.",
        "Then add NET_BIND_SERVICE back.",  # the name keeps its underscores
        "Key points",
        "In Compose the lists are cap_drop and cap_add.",
        "flag effect",
        "--cap-drop ALL no capability left",
    ]


def test_a_key_point_is_covered_by_a_unit_that_says_it(embedder) -> None:  # type: ignore[no-untyped-def]
    units = answer_units(ANSWER)
    hits = covered(
        embedder,
        ["Compose uses cap_drop and cap_add lists", "Swarm needs a quorum of managers"],
        units,
        THRESHOLD,
    )
    assert hits == [True, False]
    assert covered(embedder, ["anything"], [], THRESHOLD) == [False]
