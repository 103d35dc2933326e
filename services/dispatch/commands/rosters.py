"""Duty rosters: shift templates, generating a month (CP-SAT), review, publication, and who is on duty.
The changes a published roster accepts only with a supervisor's approval are `roster_changes`."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from services.dispatch import store
from services.dispatch.commands.inputs.rosters import CellEdit, RosterGenerate, ShiftTemplates
from services.dispatch.domain import rosters as rules
from services.dispatch.domain.roster_changes import leave_days
from services.dispatch.domain.roster_checks import check
from services.dispatch.domain.roster_solver import solve
from services.dispatch.store import positions
from services.dispatch.store import rosters as duty
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.envelope import utcnow
from shared.errors import Conflict, InvalidInput, NotFound
from shared.estates import estate_time_zone
from shared.events import (
    RosterPublished,
    StaffRosterSummary,
)

# One solve at a time per process: the solver uses both cores, and requests wait rather than contend.
_SOLVING = asyncio.Semaphore(1)


class RosterRuleBroken(InvalidInput):
    """422 naming the rule, the day (and shift and staff) of each breach."""

    code, title = "roster_rule_broken", "The roster breaks a rule"


def refuse(violations: list[rules.Violation] | tuple[rules.Violation, ...]) -> RosterRuleBroken:
    first = violations[0]
    who = f" ({', '.join(first.staff_ids)})" if first.staff_ids else ""
    shift = f" {first.shift}" if first.shift else ""
    return RosterRuleBroken(
        f"{first.rule} broken on {first.day}{shift}{who}: {first.detail}"
        + (f"; and {len(violations) - 1} more" if len(violations) > 1 else ""),
        field=first.rule, rule=first.rule, day=first.day.isoformat(),
        violations=[v.as_dict() for v in violations[:50]],
    )


# --- shift templates ---------------------------------------------------------------------------


async def shift_templates(database: Database | UnitOfWork, estate_id: str, *, department: str) -> dict[str, Any]:
    document = await duty.find(database, duty.SHIFT_TEMPLATES, document_id=f"{estate_id}:{department}")
    templates = [rules.template_of(t) for t in document["templates"]] if document else list(rules.DEFAULT_TEMPLATES)
    return {"estate_id": estate_id, "department": department, "defaults": document is None,
            "templates": [rules.template_document(t) for t in templates]}


async def set_shift_templates(
    database: Database, principal: Principal, *, estate_id: str, department: str, body: ShiftTemplates
) -> dict[str, Any]:
    await principal.require_estate(estate_id)
    templates = [rules.template_document(rules.template_of(t.model_dump())) for t in body.templates]
    document = {"estate_id": estate_id, "company_id": principal.company_id, "department": department,
                "templates": templates, "updated_by": principal.user_id, "updated_at": utcnow()}
    await database.transaction(lambda uow: uow.db[duty.SHIFT_TEMPLATES].replace_one(
        {"_id": f"{estate_id}:{department}"}, document, upsert=True, session=uow.session))
    return await shift_templates(database, estate_id, department=department)


# --- the problem a roster answers ----------------------------------------------------------------


def roster_id(estate_id: str, department: str, *, month: str) -> str:
    return f"{estate_id}:{department}:{month}"


HISTORY_DAYS = 7


async def history_before(database: Database | UnitOfWork, estate_id: str, *, department: str, month: str,
                         time_zone: str) -> tuple[tuple[str, rules.Instance], ...]:
    """The last week of the month before, as its published roster has it: the rest and night rules
    of this month reach back into it."""
    year, number = rules.parse_month(month)
    previous = f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
    roster = await duty.find(database, duty.ROSTERS, document_id=roster_id(estate_id, department, month=previous))
    if roster is None or roster["status"] != "published":
        return ()
    problem = rules.problem_of(roster, leave={}, time_zone=time_zone)
    since = problem.days[-1] - timedelta(days=HISTORY_DAYS - 1)
    by_cell = {i.cell: i for i in rules.instances(problem) if i.cell.day >= since}
    worked = [(staff_id, by_cell[cell]) for key in ("staff_ids", "overtime_ids")
              for cell, staff_ids in rules.grid_of(roster, key).items() if cell in by_cell for staff_id in staff_ids]
    return tuple(sorted(worked, key=lambda pair: (pair[0], pair[1].starts_at)))


async def roster_problem(database: Database, roster: dict[str, Any], *, extra_leave: list | None = None):
    """The problem a stored roster answers, with today's approved leave and the month before."""
    leave = await duty.approved_leave(database, roster["estate_id"], department=roster["department"])
    history = await history_before(database, roster["estate_id"], department=roster["department"],
                                   month=roster["month"],
                                   time_zone=roster["time_zone"])
    return rules.problem_of(roster, leave=leave_days([*leave, *(extra_leave or [])]), time_zone=roster["time_zone"],
                            history=history)


async def _department_staff(database: Database, estate_id: str, *, department: str, staff_ids: list[str] | None):
    query: dict[str, Any] = {"estate_id": estate_id, "department": department}
    if staff_ids is None:
        query["position"] = "staff"
    else:
        query["_id"] = {"$in": staff_ids}
    found = await database.db[store.STAFF].find(query, {"_id": 1}).to_list(None)
    ids = sorted(d["_id"] for d in found)
    if staff_ids is not None and (missing := sorted(set(staff_ids) - set(ids))):
        raise InvalidInput(f"not staff of {department} in this estate: {', '.join(missing)}", field="staff_ids")
    if not ids:
        raise InvalidInput(f"{department} has no staff to roster", field="staff_ids")
    return ids


# --- generating, reviewing, publishing -------------------------------------------------------------


async def generate_roster(database: Database, principal: Principal, *, estate_id: str, body: RosterGenerate) -> dict:
    """A draft roster for the month that keeps every rule, or 422 naming the rules it cannot keep."""
    await principal.require_estate(estate_id)
    document_id = roster_id(estate_id, body.department, month=body.month)
    existing = await duty.find(database, duty.ROSTERS, document_id=document_id)
    if existing and existing["status"] == "published":
        raise Conflict("this month's roster is published; it changes through approved swaps and leave only")
    staff_ids = await _department_staff(database, estate_id, department=body.department, staff_ids=body.staff_ids)
    templates = (await shift_templates(database, estate_id, department=body.department))["templates"]
    chosen = [t for t in templates if (t["code"] in body.shifts if body.shifts else t["minimum"] > 0)]
    if body.shifts and (unknown := sorted(set(body.shifts) - {t["code"] for t in templates})):
        raise InvalidInput(f"no such shift template: {', '.join(unknown)}", field="shifts")
    if not chosen:
        raise InvalidInput("no shift template to cover", field="shifts")
    roster = {"month": body.month, "staff_ids": staff_ids, "templates": chosen, "rules": body.rules.model_dump()}
    time_zone = await estate_time_zone(database, estate_id)
    leave = leave_days(await duty.approved_leave(database, estate_id, department=body.department))
    history = await history_before(database, estate_id, department=body.department, month=body.month,
                                   time_zone=time_zone)
    problem = rules.problem_of(roster, leave=leave, time_zone=time_zone, history=history)
    problem = rules.RosterProblem(**{**problem.__dict__, "fixed": _pinned(problem, body)})
    async with _SOLVING:
        solution = await asyncio.to_thread(solve, problem, time_limit_s=body.time_limit_s)
    if not solution.feasible:
        raise refuse(solution.violations)
    now = utcnow()
    roster.update({
        "_id": document_id, "estate_id": estate_id, "company_id": principal.company_id,
        "department": body.department, "status": "draft", "version": (existing or {}).get("version", 0) + 1,
        "cells": rules.cells_of(problem, solution.assignments),
        "totals": rules.staff_totals(problem, solution.assignments),
        "solver": {"status": solution.status, "seconds": round(solution.solve_seconds, 3)},
        "generated_at": now, "generated_by": principal.user_id, "time_zone": time_zone,
    })
    await database.transaction(lambda uow: duty.save_roster(uow, roster))
    return roster


def _pinned(problem: rules.RosterProblem, body: RosterGenerate) -> dict[rules.Cell, tuple[str, ...]]:
    codes, days = {t.code for t in problem.templates}, set(problem.days)
    pinned: dict[rules.Cell, list[str]] = defaultdict(list)
    for n, cell in enumerate(body.fixed):
        if cell.day not in days or cell.shift not in codes or cell.staff_id not in problem.staff_ids:
            raise InvalidInput("a pinned cell must be a day of the month, a shift covered and a rostered person",
                               field=f"fixed.{n}")
        pinned[rules.Cell(cell.day, cell.shift)].append(cell.staff_id)
    return {cell: tuple(staff) for cell, staff in pinned.items()}


async def find_roster(database: Database, principal: Principal, *, estate_id: str, department: str, month: str):
    await principal.require_estate(estate_id)
    roster = await duty.find(database, duty.ROSTERS, document_id=roster_id(estate_id, department, month=month))
    if roster is None or roster["company_id"] != principal.company_id:
        raise NotFound("roster")
    return roster


async def edit_cell(database: Database, principal: Principal, *, estate_id: str, department: str, month: str,
                    body: CellEdit) -> dict[str, Any]:
    """A supervisor's change to one cell of a draft, kept only if the roster still keeps every rule."""
    roster = await find_roster(database, principal, estate_id=estate_id, department=department, month=month)
    if roster["status"] != "draft":
        raise Conflict("a published roster changes through approved swaps and leave only")
    problem = await roster_problem(database, roster)
    if body.day not in problem.days or body.shift not in {t.code for t in problem.templates}:
        raise InvalidInput("no such cell in this roster", field="day" if body.day not in problem.days else "shift")
    if strangers := sorted(set(body.staff_ids) - set(roster["staff_ids"])):
        raise InvalidInput(f"not on this roster: {', '.join(strangers)}", field="staff_ids")
    grid = {**rules.grid_of(roster), rules.Cell(body.day, body.shift): tuple(sorted(set(body.staff_ids)))}
    if violations := check(problem, grid):
        raise refuse(violations)
    fields = {"cells": rules.cells_of(problem, grid), "totals": rules.staff_totals(problem, grid)}
    if not await database.transaction(lambda uow: duty.update_roster(uow, roster, fields=fields)):
        raise Conflict("the roster changed meanwhile; read it again")
    return {**roster, **fields, "version": roster["version"] + 1}


async def publish_roster(database: Database, principal: Principal, *, estate_id: str, department: str,
                         month: str) -> dict[str, Any]:
    """From now on the roster decides who of its staff is on duty in its month."""
    roster = await find_roster(database, principal, estate_id=estate_id, department=department, month=month)
    if roster["status"] != "draft":
        raise Conflict("the roster is published already")
    problem = await roster_problem(database, roster)
    grid = rules.grid_of(roster)
    if violations := check(problem, grid):  # leave approved since the draft was made
        raise refuse(violations)
    shifts = duty_shift_documents(roster, problem, grid=grid, overtime={})
    now = utcnow()
    fields = {"status": "published", "published_at": now, "published_by": principal.user_id,
              "covers_from": min(s["starts_at"] for s in shifts), "covers_until": max(s["ends_at"] for s in shifts)}

    async def work(uow: UnitOfWork) -> bool:
        if not await duty.update_roster(uow, roster, fields=fields):
            return False
        await duty.write_duty_shifts(uow, shifts)
        totals = rules.staff_totals(problem, grid)
        uow.emit(RosterPublished(
            roster_id=roster["_id"], department=department, month=month, shifts=[t.code for t in problem.templates],
            staff=[StaffRosterSummary(staff_id=s, **{k: v for k, v in t.items()}) for s, t in sorted(totals.items())],
        ), subject=roster["_id"], company_id=roster["company_id"], estate_id=estate_id)
        return True

    if not await database.transaction(work):
        raise Conflict("the roster changed meanwhile; read it again")
    return {**roster, **fields, "version": roster["version"] + 1}


def duty_shift_documents(roster, problem: rules.RosterProblem, *, grid, overtime) -> list[dict[str, Any]]:
    names = {t.code: t.name for t in problem.templates}
    return [{
        "_id": f"{roster['_id']}:{i.cell.day.isoformat()}:{i.cell.shift}", "roster_id": roster["_id"],
        "estate_id": roster["estate_id"], "company_id": roster["company_id"], "department": roster["department"],
        "day": i.cell.day.isoformat(), "shift": i.cell.shift, "name": names[i.cell.shift],
        "starts_at": i.starts_at, "ends_at": i.ends_at, "night": i.night, "rest_day": i.cell.day in problem.rest_days,
        "staff_ids": list(grid.get(i.cell, ())), "overtime_ids": list(overtime.get(i.cell, ())),
    } for i in rules.instances(problem)]


# --- who is on duty ---------------------------------------------------------------------------------

SENIORITY = ("cs_manager", "supervisor")


async def who_is_on_duty(database: Database, principal: Principal, *, estate_id: str, at: datetime | None,
                         department: str | None) -> dict[str, Any]:
    """Everyone on duty at the moment, the on-call staff, the chief duty officer (总值班员: the most
    senior customer-service manager on duty) and the company's duty leader on duty (its roster or flag)."""
    await principal.require_estate(estate_id)
    at = at or utcnow()
    everyone = await duty.on_duty(database, estate_id, at=at)
    staff = [s for s in everyone if department is None or s["department"] == department]
    on_call = await database.db[store.STAFF].find(
        {"estate_id": estate_id, "on_call": True, "on_leave": {"$ne": True},
         **({"department": department} if department else {})}).sort("_id", 1).to_list(None)
    seniors = [s for s in everyone if s["department"] == "customer_service" and s.get("position") in SENIORITY]
    seniors.sort(key=lambda s: SENIORITY.index(s["position"]))
    leader, _ = await positions.on_duty_in(database, estate_id=estate_id, company_id=principal.company_id,
                                           position="duty_leader", at=at)  # the company's, on its roster
    return {"estate_id": estate_id, "at": at, "staff": [_person(s) for s in staff],
            "on_call": [_person(s) for s in on_call], "chief_duty_officer": seniors and _person(seniors[0]) or None,
            "duty_leader": leader and _person(leader)}


def _person(document: dict[str, Any]) -> dict[str, Any]:
    return {"id": document["_id"], **{k: document.get(k) for k in ("name", "department", "duty_shift")},
            "position": document.get("position", "staff"), "on_call": document.get("on_call", False)}

