"""Request and response models of satisfaction surveys, named by purpose."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

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


class SurveyPublic(BaseModel):
    id: str
    estate_id: str
    title: str
    questions: list[QuestionIn]
    status: str
    audience: str | None = None
    sample_size: int | None = None
    created_at: datetime
    published_at: datetime | None = None
    closed_at: datetime | None = None
    respondents: int = 0


class SurveyAnswerPublic(BaseModel):
    id: str
    survey_id: str
    respondent_id: str
    unit_id: str | None = None
    channel: str
    scores: dict[str, int]
    comment: str | None = None
    low_scores: list[str]
    follow_up_suggested: bool
    ticket_id: str | None = None
    answered_at: datetime


class AreaResultPublic(BaseModel):
    count: int
    average: float | None
    distribution: dict[str, int]


class SurveyScores(BaseModel):
    survey_id: str
    title: str
    status: str
    respondents: int
    areas: dict[str, AreaResultPublic]


class SurveyResults(SurveyScores):
    """This survey's results per area, the previous survey's, and the change of each average."""

    previous: SurveyScores | None = None
    changes: dict[str, float | None]
