"""Dispatch's HTTP API for duty: shift templates, rosters, roster changes, who is on duty, attendance."""

# No `from __future__ import annotations`: FastAPI must see the annotations as objects.

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.dispatch.api.deps import Managers, Readers, Staff, Supervisors
from services.dispatch.api.rosters_schemas import (
    AttendanceSettingsPublic,
    OnDutyPublic,
    PunchPublic,
    RosterChangePublic,
    RosterPublic,
    ShiftTemplatesPublic,
)
from services.dispatch.commands import attendance, roster_changes, rosters
from services.dispatch.commands.inputs.rosters import (
    AttendanceSettings,
    CellEdit,
    ClockRequest,
    Month,
    RefuseRequest,
    RosterChangeCreate,
    RosterGenerate,
    ShiftTemplates,
)
from services.dispatch.commands.inputs.work_orders import Department
from services.dispatch.domain import attendance as sheets
from services.dispatch.store import rosters as duty
from shared.auth import estate_query
from shared.documents import to_public
from shared.errors import InvalidInput
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep
from shared.spreadsheets import download

router = APIRouter(prefix="/v1/estates/{estate_id}", tags=["duty rosters and attendance"])


@router.get("/shift-templates/{department}", response_model=ShiftTemplatesPublic)
async def get_shift_templates(estate_id: str, department: Department, *, principal: Readers, database: DatabaseDep):
    await principal.require_estate(estate_id)
    return await rosters.shift_templates(database, estate_id, department=department)


@router.put("/shift-templates/{department}", response_model=ShiftTemplatesPublic)
async def put_shift_templates(estate_id: str, department: Department, *, body: ShiftTemplates, principal: Managers,
                              database: DatabaseDep):
    """The department's shifts (早班, 中班, 夜班, 白班 or the estate's own); later rosters use them."""
    return await rosters.set_shift_templates(database, principal, estate_id=estate_id, department=department, body=body)


@router.post("/rosters", status_code=201, response_model=RosterPublic)
async def generate_roster(estate_id: str, body: RosterGenerate, *, principal: Managers, database: DatabaseDep):
    """A draft roster for a month, computed to keep every rule and spread nights and rest-day shifts
    fairly; generating again replaces the draft. 422 `roster_rule_broken` names each rule, day,
    shift and staff it cannot keep."""
    return _roster(await rosters.generate_roster(database, principal, estate_id=estate_id, body=body))


@router.get("/rosters/{department}/{month}", response_model=RosterPublic)
async def get_roster(estate_id: str, department: Department, *, month: Month, principal: Readers,
                     database: DatabaseDep):
    return _roster(await rosters.find_roster(database, principal, estate_id=estate_id, department=department,
                                             month=month))


@router.put("/rosters/{department}/{month}/cells", response_model=RosterPublic)
async def edit_roster_cell(estate_id: str, department: Department, *, month: Month, body: CellEdit,
                           principal: Managers, database: DatabaseDep):
    """Change who works one shift of a draft; the rules are checked again (422), a published roster is 409."""
    return _roster(await rosters.edit_cell(database, principal, estate_id=estate_id, department=department, month=month,
                                           body=body))


@router.post("/rosters/{department}/{month}/publish", response_model=RosterPublic)
async def publish_roster(estate_id: str, department: Department, *, month: Month, principal: Supervisors,
                         database: DatabaseDep):
    return _roster(await rosters.publish_roster(database, principal, estate_id=estate_id, department=department,
                                                month=month))


def _roster(document: dict) -> RosterPublic:
    return to_public(RosterPublic, document)


@router.post("/roster-changes", status_code=201, response_model=RosterChangePublic)
async def request_roster_change(estate_id: str, body: RosterChangeCreate, *, principal: Staff,
                                database: DatabaseDep):
    """Ask for a swap (调班), leave (请假), cover (代班) or overtime (加班); nothing changes until approved."""
    return to_public(RosterChangePublic,
                     await roster_changes.request_change(database, principal, estate_id=estate_id, body=body))


@router.get("/roster-changes", response_model=Page[RosterChangePublic])
async def list_roster_changes(
    estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery,
    status: Literal["requested", "approved", "refused"] | None = None, department: Department | None = None,
):
    query = await estate_query(principal, estate_id, status=status, department=department)
    return await page_of(database.db[duty.ROSTER_CHANGES], query, page=page, view=RosterChangePublic, newest_first=True)


@router.post("/roster-changes/{change_id}/approve", response_model=RosterChangePublic)
async def approve_roster_change(estate_id: str, change_id: str, *, principal: Supervisors, database: DatabaseDep):
    """Applies the change to the published roster if it still keeps every rule (422 naming the rule)."""
    return to_public(RosterChangePublic,
                     await roster_changes.approve_change(database, principal, estate_id=estate_id, change_id=change_id))


@router.post("/roster-changes/{change_id}/refuse", response_model=RosterChangePublic)
async def refuse_roster_change(estate_id: str, change_id: str, *, body: RefuseRequest, principal: Supervisors,
                               database: DatabaseDep):
    return to_public(RosterChangePublic,
                     await roster_changes.refuse_change(database, principal, estate_id=estate_id, change_id=change_id,
                                                        reason=body.reason))


@router.get("/on-duty", response_model=OnDutyPublic)
async def on_duty(estate_id: str, principal: Readers, *, database: DatabaseDep, at: datetime | None = None,
                  department: Department | None = None):
    """Who is on duty at `at` (default now): the published roster where one covers the moment,
    otherwise the manual on-duty flags; with the on-call staff, the chief duty officer and the duty leader."""
    if at is not None and at.tzinfo is None:
        raise InvalidInput("give the time with its offset, e.g. 2026-12-01T08:00:00+08:00", field="at")
    return await rosters.who_is_on_duty(database, principal, estate_id=estate_id, at=at, department=department)


@router.post("/attendance/clock-in", status_code=201, response_model=PunchPublic)
async def clock_in(estate_id: str, principal: Staff, *, database: DatabaseDep, body: ClockRequest | None = None):
    return await attendance.clock(database, principal, estate_id=estate_id, kind="in", body=body or ClockRequest())


@router.post("/attendance/clock-out", status_code=201, response_model=PunchPublic)
async def clock_out(estate_id: str, principal: Staff, *, database: DatabaseDep, body: ClockRequest | None = None):
    return await attendance.clock(database, principal, estate_id=estate_id, kind="out", body=body or ClockRequest())


@router.get("/attendance/settings", response_model=AttendanceSettingsPublic)
async def get_attendance_settings(estate_id: str, principal: Readers, *, database: DatabaseDep):
    await principal.require_estate(estate_id)
    tolerances = await attendance.tolerances(database, estate_id)
    return AttendanceSettingsPublic(estate_id=estate_id, **tolerances.__dict__)


@router.put("/attendance/settings", response_model=AttendanceSettingsPublic)
async def put_attendance_settings(estate_id: str, body: AttendanceSettings, *, principal: Managers,
                                  database: DatabaseDep):
    """How late a clock-in may be, and how early a clock-out, before it counts (minutes)."""
    return await attendance.set_settings(database, principal, estate_id=estate_id, body=body)


@router.get("/attendance/sheet")
async def attendance_sheet(
    estate_id: str, month: Annotated[str, Query(max_length=7)], *, principal: Managers, database: DatabaseDep,
    department: Department | None = None, format: Literal["json", "csv", "xlsx"] = "json",
):
    """The monthly attendance sheet (考勤表): shifts, hours, nights, rest-day shifts, overtime, late,
    early leave and absence (脱岗) per person; as JSON, CSV or XLSX."""
    rows = await attendance.monthly_sheet(database, principal, estate_id=estate_id, month=month, department=department)
    if format in ("csv", "xlsx"):
        return download(format, f"attendance-{estate_id}-{month}", headings=sheets.SHEET_HEADINGS,
                        rows=sheets.sheet_cells(rows),
                        title=month)
    return {"estate_id": estate_id, "month": month,
            "rows": [{column: getattr(row, column) for column in sheets.SHEET_COLUMNS} for row in rows]}
