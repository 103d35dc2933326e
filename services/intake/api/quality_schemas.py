"""Response models of quality checks, named by purpose."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class SamplePublic(BaseModel):
    id: str
    estate_id: str
    from_day: date
    to_day: date
    target: str
    size: int
    seed: int
    eligible: int
    contact_ids: list[str]
    created_at: datetime
    created_by: str


class QualityCheckPublic(BaseModel):
    id: str
    estate_id: str
    contact_id: str
    agent_id: str | None
    reviewer_id: str
    checklist: dict[str, bool | None]
    score: int
    failed_items: list[str]
    comments: str | None = None
    recording_ref: str | None = None
    sample_id: str | None = None
    month: str
    checked_at: datetime


class AgentMonthScore(BaseModel):
    agent_id: str
    month: str
    checks: int
    average_score: float
    failed: dict[str, int]


class AgentMonthScores(BaseModel):
    estate_id: str
    month: str
    items: list[AgentMonthScore]
