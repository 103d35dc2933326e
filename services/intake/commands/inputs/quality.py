"""The inputs of intake's quality commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from services.intake.domain.quality import Target
from shared.schemas import Strict, estate_id_field


class SampleCreate(Strict):
    estate_id: str = estate_id_field()
    from_day: date
    to_day: date
    size: int = Field(ge=1, le=200)
    target: Target = "random"
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, description="The same seed gives the same sample")


class Checklist(Strict):
    """Each item passed (true), failed (false), or not applicable (null or left out)."""

    answered_within_three_rings: bool | None = Field(default=None, description="Left out: taken from the call log")
    greeting_and_polite_language: bool | None = None
    caller_and_problem_recorded: bool | None = None
    reply_time_promised: bool | None = None
    correct_category_and_priority: bool | None = None


class QualityCheckCreate(Strict):
    contact_id: str = Field(min_length=1, max_length=40)
    checklist: Checklist
    comments: str | None = Field(default=None, max_length=2000, description="For the agent")
    recording_ref: str | None = Field(default=None, max_length=300, description="The recording listened to")
    sample_id: str | None = Field(default=None, max_length=40)
