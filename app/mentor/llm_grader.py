"""The LLM grader: the rubric rendered into prompts/interview_grade_*.j2, JSON demanded in a
fixed schema (LLMVerdict), one retry on invalid JSON, and otherwise the offline grade, saying
so in `Grade.notice`. Dated claims are applied to the verdict afterwards (app.mentor.grades).

The offline checks go in as evidence: the false claims the offline grader found (rubric
misconceptions and catalogued myths, with the answer's words and the correction) and, when
it found one, the other question the answer fits. A false claim stands, and keeps the grade
from "strong", unless the model overrules it with a quote: an `overrule` entry naming the claim
and quoting words that really are in the answer. A model cannot wave a myth away by saying so,
and an answer cannot talk it into doing so without its own words being the reason."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.llm.base import Backend, BackendError, Request
from app.mentor.grades import (
    MAX_ANSWER_CHARS,
    Grade,
    GradeName,
    MythHit,
    apply_dated,
    in_band,
    render_grade,
)

if TYPE_CHECKING:
    from app.mentor.offline_grader import Features, OfflineGrader
    from app.mentor.rubric import Rubric
    from app.prompts import Prompts
    from app.study.versions import DatedClaim

GRADE_MAX_TOKENS = 700  # a verdict in the JSON schema needs ~150-400 tokens


class Overrule(BaseModel):
    """The model's reason to reject one false claim the offline checker found."""

    model_config = ConfigDict(extra="ignore")

    claim: str = Field(min_length=1, max_length=1000)
    quote: str = Field(min_length=1, max_length=2000)


class LLMVerdict(BaseModel):
    """The JSON schema the grading prompt demands."""

    model_config = ConfigDict(extra="ignore")

    grade: GradeName
    score: int = Field(ge=0, le=10)
    covered: list[str] = Field(default_factory=list)
    missed: list[str] = Field(default_factory=list)
    misconceptions: list[str] = Field(default_factory=list)
    feedback: str = Field(min_length=1, max_length=2000)
    overrule: list[Overrule] = Field(default_factory=list)

    @field_validator("grade", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


_FENCED = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.S)


def parse_verdict(text: str) -> LLMVerdict:
    """The first JSON object in `text` (bare or fenced), validated; ValueError otherwise."""
    m = _FENCED.search(text)
    raw = m.group(1) if m else text[text.find("{") : text.rfind("}") + 1]
    if not raw:
        raise ValueError("no JSON object in the reply")
    try:
        return LLMVerdict.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg}") from None
    except ValidationError as exc:
        e = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, e['loc'])) or 'object'}: {e['msg']}") from None


class LLMGrader:
    """Grade with the configured LLM; one retry on bad JSON, then the offline grader."""

    def __init__(
        self,
        backend: Backend,
        prompts: Prompts,
        fallback: OfflineGrader,
        *,
        max_tokens: int = GRADE_MAX_TOKENS,
    ) -> None:
        self.backend = backend
        self.prompts = prompts
        self.fallback = fallback
        self.max_tokens = max_tokens

    def prepare(self, rubric: Rubric) -> None:
        """The offline checks run on every answer, so their rubric vectors are wanted too."""
        self.fallback.prepare(rubric)

    async def agrade(self, rubric: Rubric, answer: str) -> Grade:
        answer = answer[:MAX_ANSWER_CHARS]
        offline_features = await asyncio.to_thread(self.fallback.features, rubric, answer)
        if offline_features.words < self.fallback.thresholds.min_words or offline_features.idk:
            return self.fallback.decide(rubric, offline_features)  # nothing for a model to judge
        offline = self.fallback.decide(rubric, offline_features)
        ctx = {
            "rubric": rubric,
            "answer": answer,
            "myths": offline.myths,
            "off_topic": offline.off_topic,
        }
        messages = self.prompts.messages(
            "interview_grade_system.j2", "interview_grade_user.j2", **ctx
        )
        task = {"rubric": rubric.to_json(), "answer": answer}
        problem = ""
        for attempt in range(2):
            try:
                text = await self.backend.complete(
                    Request("grade", messages, task, json_mode=True, max_tokens=self.max_tokens)
                )
            except BackendError as exc:
                return self._offline(rubric, offline_features, f"the language model failed ({exc})")
            try:
                verdict = parse_verdict(text)
            except ValueError as exc:
                problem = str(exc)
                if attempt == 0:
                    retry = self.prompts.render("interview_grade_retry.j2", problem=problem)
                    messages = [
                        *messages,
                        {"role": "assistant", "content": text[:4000]},
                        {"role": "user", "content": retry},
                    ]
                continue
            return self._from_verdict(rubric, verdict, offline_features.dated, offline, answer)
        return self._offline(
            rubric, offline_features, f"the language model's grade was not valid JSON ({problem})"
        )

    def _offline(self, rubric: Rubric, f: Features, why: str) -> Grade:
        grade = self.fallback.decide(rubric, f)
        return replace(grade, notice=f"{why[:300]}; this is the offline grade.")

    def _from_verdict(
        self,
        rubric: Rubric,
        v: LLMVerdict,
        claims: list[DatedClaim],
        offline: Grade,
        answer: str,
    ) -> Grade:
        grade = v.grade
        myths = [MythHit(**m) for m in offline.myths if not overruled(m["claim"], v, answer)]
        misconceptions = list(dict.fromkeys([*v.misconceptions, *(m.claim for m in myths)]))
        if misconceptions and grade == "strong":
            grade = "partial"
        # Dated claims are found by the same regexes as offline and applied to the model's
        # verdict afterwards, not asked of the model: the result cannot depend on a model
        # (possibly a small local one) noticing version history or following one more
        # instruction, the answer text (untrusted) cannot talk it out of them, the fallback
        # grade carries the same notes, and the prompt stays short. The system prompt only
        # states the policy, so the model does not call a dated answer wrong on its own.
        d = apply_dated(rubric, grade, in_band(grade, v.score), v.covered, v.missed, claims)
        return render_grade(
            self.prompts,
            rubric,
            d,
            [m for m in misconceptions if m not in {h.claim for h in myths}],
            comment=v.feedback.strip(),
            backend=self.backend.name,
            myths=myths,
            off_topic=offline.off_topic if grade == "wrong" else None,
        )


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def overruled(claim: str, v: LLMVerdict, answer: str) -> bool:
    """Did the model reject `claim` with a real quote (at least three words of the answer)?"""
    said = _norm(answer)
    return any(
        _norm(o.claim) == _norm(claim)
        and len(_norm(o.quote).split()) >= 3
        and _norm(o.quote) in said
        for o in v.overrule
    )
