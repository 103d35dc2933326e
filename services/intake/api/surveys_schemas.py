"""Response models of satisfaction surveys, named by purpose."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.intake.commands.inputs.surveys import (
    QuestionIn,
)


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
