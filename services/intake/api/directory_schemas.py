"""Response models of the directory (一户一档): buildings, units, residents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class BuildingPublic(BaseModel):
    id: str
    estate_id: str
    name: str
    floors: int | None = None
    registered_at: datetime


class UnitPublic(BaseModel):
    id: str
    estate_id: str
    building_id: str
    building_name: str
    number: str
    floor: int | None = None
    area_m2: str | None = None
    kind: str
    registered_at: datetime
    history: list[dict[str, Any]] = []


class ResidentPublic(BaseModel):
    id: str
    estate_id: str
    name: str
    phones: list[str]
    role: str
    unit_ids: list[str]
    status: str
    move_in_date: date | None = None
    moved_out_on: date | None = None
    preferred_channels: list[str] = []
    language: str = "zh"
    registered_at: datetime
    history: list[dict[str, Any]] = []


class CallerPublic(BaseModel):
    """The agent's screen when a number rings: who it is and where they live."""

    phone: str
    resident: ResidentPublic
    units: list[UnitPublic]


class OwnershipTransferred(BaseModel):
    unit: UnitPublic
    new_owner: ResidentPublic
    previous_owners: list[ResidentPublic]


class ImportResult(BaseModel):
    import_id: str
    buildings_registered: int
    units_registered: int
    residents_registered: int
    residents_joined: int = Field(0, description="Residents already in the directory who joined imported units")
    duration_ms: int
