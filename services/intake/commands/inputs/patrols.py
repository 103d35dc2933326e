"""The inputs of intake's patrols commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from services.intake.domain.patrols import CheckpointResult
from services.intake.domain.tickets import Priority
from shared.schemas import Strict

Code = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")


class CheckpointIn(Strict):
    code: str = Code
    name: str = Field(min_length=1, max_length=100)
    location: str | None = Field(default=None, max_length=200)
    building_id: str | None = Field(default=None, max_length=60)


class PatrolRouteCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    checkpoints: list[CheckpointIn] = Field(min_length=1, max_length=100)


class PatrolRoundStart(Strict):
    route_id: str = Field(min_length=1, max_length=40)


class DefectIn(Strict):
    """A defect found: it becomes a ticket with channel `patrol`."""

    category: Literal["repair", "help", "complaint"] = "repair"
    subcategory: str | None = Field(default=None, max_length=60)
    description: str = Field(min_length=1, max_length=2000)
    priority: Priority | None = None


class CheckpointRecord(Strict):
    code: str = Code
    result: CheckpointResult
    findings: str | None = Field(default=None, max_length=1000)
    defect: DefectIn | None = Field(default=None, description="Required when the result is a defect")
