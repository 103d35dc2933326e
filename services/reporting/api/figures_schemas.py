"""Reporting's figures: an estate's counters of a local day, and every figure of a day, week or month."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DailyFiguresPublic(BaseModel):
    estate_id: str
    day: str
    tickets_opened: int = 0
    tickets_by_category: dict[str, int] = {}
    work_orders_created: int = 0
    contacts_logged: int = 0
    contacts_timed: int = Field(default=0, description="Contacts whose ring and answer times were recorded")
    contacts_answered_within_15s: int | None = Field(
        default=None, description="null when unknown: no contact of the day had its answer time recorded")
    unknown: dict[str, str] = Field(default_factory=dict, description="Figure → why it is null (unknown)")


class FiguresPublic(BaseModel):
    """The spec's figures for a period; a figure whose inputs were not recorded is null, `unknown` says why."""

    period: str
    from_: str = Field(alias="from")
    to: str
    estates: list[str]
    units: int
    contacts: dict
    tickets: dict
    complaints: dict
    work_orders: dict
    follow_ups: dict
    billing: dict
    staff: list[dict]
    departments: list[dict]
    duty: dict
    incidents: dict
    unknown: dict[str, str]

    model_config = {"populate_by_name": True}
