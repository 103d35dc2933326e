"""The dashboards' JSON: what the pages show, so that a test can compare the screen with it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

Level = str  # ok / amber / red / unknown


class TilePublic(BaseModel):
    estate_id: str
    name: str
    day: str = Field(description="The estate's local day the today-figures count")
    time_zone: str
    version: int = Field(description="Raised by every batch of events that moved this estate's board")
    calls_today: int
    calls_timed_today: int = Field(description="Calls whose ring and answer times were recorded")
    answered_15s_today: int
    answer_rate: float | None = Field(description="Answered within 15 s over timed calls; null: none timed")
    open_tickets: int
    open_p1: int = Field(description="Open tickets of priority P1")
    breaches_today: int
    billed_month: str | None = Field(description="Billed this month, yuan; null: not recorded")
    collected_month: str | None = Field(description="Collected this month, yuan; null: not recorded")
    collection_rate: float | None = Field(description="Collected over billed this month; null: not recorded")
    levels: dict[str, Level]
    level: Level


class OverviewPublic(BaseModel):
    estates: list[TilePublic]


class QueuedWorkOrderPublic(BaseModel):
    work_order_id: str
    number: str | None
    status: str
    priority: str | None
    department: str | None
    since: datetime | None
    age_s: int | None
    sla_state: str = Field(description="ok, at_risk (80% of a time used) or breached")
    next_milestone: str | None
    deadline: datetime | None
    breached_milestones: list[str]


class TimelineEntryPublic(BaseModel):
    id: str
    kind: str
    time: datetime
    day: str
    number: str | None = None
    priority: str | None = None
    category: str | None = None
    milestone: str | None = None
    level: int | None = None


class EstateBoardPublic(TilePublic):
    open_work_orders: list[QueuedWorkOrderPublic]
    open_by_status: dict[str, int]
    about_to_breach: list[QueuedWorkOrderPublic]
    breached: list[QueuedWorkOrderPublic]
    timeline: list[TimelineEntryPublic]


class ChartsPublic(BaseModel):
    estate_id: str
    days: list[str]
    calls: list[int | None]
    tickets_by_category: dict[str, list[int | None]]
    on_time_rate: list[float | None]
    satisfaction: list[float | None]
    collection_rate: list[float | None]


class VersionsPublic(BaseModel):
    versions: dict[str, int] = Field(description="Estate id → its board's version (raised by each batch that moved it)")
