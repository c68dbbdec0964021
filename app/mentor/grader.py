"""Grade a candidate's answer against a rubric: offline (embeddings + key terms) or by an LLM.

The grader is split by concern; this module is the one import path the interview, the web
route, the CLI and the benches use:

- `rubric.py`: `Rubric`, and `rubric_for` (given key points, the closest bank question, or
  sentences of the notes);
- `answer_text.py`: an answer as the grader reads it (units, key terms, negations, details);
- `offline_grader.py`: `OfflineGrader`, its `Thresholds` and the pure `assess`;
- `llm_grader.py`: `LLMGrader` with its JSON schema and the offline fallback;
- `grades.py`: `Grade`, the score bands, dated claims and the feedback text.
"""

from __future__ import annotations

from app.mentor.answer_text import (
    answer_units,
    answer_vocabulary,
    commands_in,
    details_in,
    key_terms,
    negated,
    rubric_details,
    sentences_of,
    split_units,
    word_count,
)
from app.mentor.grades import (
    FEEDBACK_TEMPLATE,
    GRADES,
    MAX_ANSWER_CHARS,
    Dated,
    Grade,
    GradeName,
    Grader,
    apply_dated,
)
from app.mentor.llm_grader import GRADE_MAX_TOKENS, LLMGrader, LLMVerdict, parse_verdict
from app.mentor.offline_grader import (
    Assessment,
    Features,
    MisEvidence,
    OfflineGrader,
    PointEvidence,
    Thresholds,
    asserts,
    assess,
    grade_for,
    point_coverage,
)
from app.mentor.rubric import BANK_MATCH, NOTE_POINTS, Rubric, closest_bank_question, rubric_for
from app.text import stem, term_found
from app.text import words as tokens

__all__ = [
    "BANK_MATCH",
    "FEEDBACK_TEMPLATE",
    "GRADES",
    "GRADE_MAX_TOKENS",
    "MAX_ANSWER_CHARS",
    "NOTE_POINTS",
    "Assessment",
    "Dated",
    "Features",
    "Grade",
    "GradeName",
    "Grader",
    "LLMGrader",
    "LLMVerdict",
    "MisEvidence",
    "OfflineGrader",
    "PointEvidence",
    "Rubric",
    "Thresholds",
    "answer_units",
    "answer_vocabulary",
    "apply_dated",
    "asserts",
    "assess",
    "closest_bank_question",
    "commands_in",
    "details_in",
    "grade_for",
    "key_terms",
    "negated",
    "parse_verdict",
    "point_coverage",
    "rubric_details",
    "rubric_for",
    "sentences_of",
    "split_units",
    "stem",
    "term_found",
    "tokens",
    "word_count",
]
