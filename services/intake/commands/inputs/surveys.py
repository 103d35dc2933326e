"""The inputs of intake's surveys commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from services.intake.domain.surveys import Area
from shared.schemas import Strict, estate_id_field

Score = Annotated[int, Field(ge=1, le=5)]


class QuestionIn(Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")
    area: Area
    text: str = Field(min_length=1, max_length=300)


class SurveyCreate(Strict):
    estate_id: str = estate_id_field()
    title: str = Field(min_length=1, max_length=100)
    questions: list[QuestionIn] = Field(min_length=1, max_length=50)


class SurveyPublish(Strict):
    audience: Literal["all", "sample"] = "all"
    sample_size: int | None = Field(default=None, ge=1, le=100_000)


class SurveyAnswerCreate(Strict):
    scores: dict[str, Score] = Field(min_length=1, max_length=50, description="question code → score 1–5")
    comment: str | None = Field(default=None, max_length=1000)
    resident_id: str | None = Field(default=None, max_length=60, description="Whom an agent asked on the phone")
    unit_id: str | None = Field(default=None, max_length=60)
