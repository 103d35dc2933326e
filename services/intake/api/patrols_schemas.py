"""Response models of patrols, named by purpose."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.intake.commands.inputs.patrols import (
    CheckpointIn,
)


class PatrolRoutePublic(BaseModel):
    id: str
    estate_id: str
    name: str
    checkpoints: list[CheckpointIn]
    created_at: datetime
    created_by: str


class CheckpointPublic(BaseModel):
    code: str
    name: str
    location: str | None = None
    state: str  # ok / defect / pending / missed
    findings: str | None = None
    recorded_at: datetime | None = None
    ticket_id: str | None = None


class PatrolRoundPublic(BaseModel):
    id: str
    estate_id: str
    route_id: str
    route_name: str
    status: str
    patrolled_by: str
    started_at: datetime
    completed_at: datetime | None = None
    checkpoints: list[CheckpointPublic]
    missed: list[str]
    defects: int
    ticket_ids: list[str]
