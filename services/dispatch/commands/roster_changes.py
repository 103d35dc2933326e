"""The changes a published roster accepts (调班, 请假, 代班, 加班): asked for by the person or their
supervisor, approved (every rule re-checked on the roster as it would be) or refused."""

from __future__ import annotations

from typing import Any

from services.dispatch import store
from services.dispatch.commands.inputs.rosters import RosterChangeCreate
from services.dispatch.commands.rosters import (
    duty_shift_documents,
    refuse,
    roster_id,
    roster_problem,
)
from services.dispatch.domain import rosters as rules
from services.dispatch.domain.roster_changes import apply_change, change_days
from services.dispatch.domain.roster_checks import check
from services.dispatch.store import rosters as duty
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import (
    RosterChangeApproved,
    RosterChangeRefused,
    RosterChangeRequested,
)


def _months_of(change: dict[str, Any]) -> list[str]:
    return sorted({day[:7] for day in change_days(change)})


# Who may ask for anyone's change; a supervisor asks for their own department (值班管理规定: leave
# and swaps go through the person's superior), everyone else for themselves.
REQUEST_FOR_ANYONE = frozenset({"estate_manager", "company_admin"})


async def _may_request_for(database: Database, principal: Principal, *, estate_id: str, body: RosterChangeCreate):
    if body.staff_id == principal.user_id or REQUEST_FOR_ANYONE.intersection(principal.roles):
        return
    if "supervisor" not in principal.roles:
        raise Forbidden("staff ask for changes to their own shifts only", field="staff_id")
    supervisor = await database.db[store.STAFF].find_one(
        {"_id": principal.user_id, "estate_id": estate_id, "company_id": principal.company_id}, {"department": 1})
    if supervisor is None or supervisor["department"] != body.department:
        raise Forbidden("a supervisor asks for changes of their own department's staff", field="department")


async def request_change(database: Database, principal: Principal, *, estate_id: str, body: RosterChangeCreate):
    """A change waits for a supervisor's approval; it is asked for by the person or their supervisor."""
    await principal.require_estate(estate_id)
    await _may_request_for(database, principal, estate_id=estate_id, body=body)
    involved = {body.staff_id, body.with_staff_id, body.substitute_id} - {None}
    found = await database.db[store.STAFF].find(
        {"_id": {"$in": sorted(involved)}, "estate_id": estate_id, "company_id": principal.company_id,
         "department": body.department}, {"_id": 1}
    ).to_list(None)
    if missing := sorted(involved - {d["_id"] for d in found}):
        raise InvalidInput(f"not staff of {body.department} here: {', '.join(missing)}", field="staff_id")
    if body.kind == "swap" and body.day.strftime("%Y-%m") != body.with_day.strftime("%Y-%m"):
        raise InvalidInput("a swap stays within one month's roster", field="with_day")
    change = {
        "_id": new_id(), "estate_id": estate_id, "company_id": principal.company_id,
        **body.model_dump(mode="json"), "status": "requested", "requested_by": principal.user_id,
        "requested_at": utcnow(), "decided_by": None, "decided_at": None, "decision_reason": None,
    }
    if body.kind != "leave":  # shifts that change must be on a published roster, and held by whom it says
        roster = await _published_roster(database, estate_id, department=body.department, month=change["day"][:7])
        apply_change(change, grid=rules.grid_of(roster), overtime=rules.grid_of(roster, "overtime_ids"))

    async def work(uow: UnitOfWork) -> None:
        await uow.db[duty.ROSTER_CHANGES].insert_one(change, session=uow.session)
        uow.emit(RosterChangeRequested(
            change_id=change["_id"], kind=change["kind"], department=change["department"],
            staff_id=change["staff_id"], requested_by=principal.user_id, days=change_days(change),
        ), subject=change["_id"], company_id=principal.company_id, estate_id=estate_id)

    await database.transaction(work)
    return change


async def _published_roster(database: Database, estate_id: str, *, department: str, month: str) -> dict[str, Any]:
    roster = await duty.find(database, duty.ROSTERS, document_id=roster_id(estate_id, department, month=month))
    if roster is None or roster["status"] != "published":
        raise InvalidInput(f"no published {department} roster for {month}", field="day")
    return roster


async def approve_change(database: Database, principal: Principal, *, estate_id: str, change_id: str) -> dict:
    """Approve, re-checking the rules on the published roster: 422 naming the rule it would break."""
    change = await _find_change(database, principal, estate_id=estate_id, change_id=change_id)
    rosters = []
    for month in _months_of(change):
        roster = await duty.find(database, duty.ROSTERS,
                                 document_id=roster_id(estate_id, change["department"], month=month))
        if roster is None or roster["status"] != "published":
            if change["kind"] != "leave":
                raise Conflict(f"the {month} roster is no longer published")
            continue
        rosters.append(roster)
    updates = []
    for roster in rosters:
        before = await roster_problem(database, roster)
        after = await roster_problem(database, roster, extra_leave=[change] if change["kind"] == "leave" else [])
        grid, overtime = rules.grid_of(roster), rules.grid_of(roster, "overtime_ids")
        new_grid, new_overtime = apply_change(change, grid=grid, overtime=overtime)
        existing = set(check(before, grid, overtime=overtime))
        if broken := [v for v in check(after, new_grid, overtime=new_overtime) if v not in existing]:
            raise refuse(broken)
        updates.append((roster, after, new_grid, new_overtime))
    now = utcnow()
    decision = {"status": "approved", "decided_by": principal.user_id, "decided_at": now}

    async def work(uow: UnitOfWork) -> bool:
        if not await duty.decide_change(uow, change, fields=decision):
            return False
        for roster, problem, grid, overtime in updates:
            fields = {"cells": rules.cells_of(problem, grid, overtime=overtime),
                      "totals": rules.staff_totals(problem, grid)}
            if not await duty.update_roster(uow, roster, fields=fields):
                raise Conflict("the roster changed meanwhile; approve again")
            await duty.write_duty_shifts(uow, duty_shift_documents(roster, problem, grid=grid, overtime=overtime))
        uow.emit(RosterChangeApproved(
            change_id=change["_id"], kind=change["kind"], department=change["department"],
            staff_id=change["staff_id"], decided_by=principal.user_id, days=change_days(change),
        ), subject=change["_id"], company_id=change["company_id"], estate_id=estate_id)
        return True

    if not await database.transaction(work):
        raise Conflict(f"the change is {(await duty.find(database, duty.ROSTER_CHANGES, document_id=change_id))['status']}")
    return {**change, **decision}


async def refuse_change(database: Database, principal: Principal, *, estate_id: str, change_id: str,
                        reason: str) -> dict:
    change = await _find_change(database, principal, estate_id=estate_id, change_id=change_id)
    decision = {"status": "refused", "decided_by": principal.user_id, "decided_at": utcnow(),
                "decision_reason": reason}

    async def work(uow: UnitOfWork) -> bool:
        if not await duty.decide_change(uow, change, fields=decision):
            return False
        uow.emit(RosterChangeRefused(
            change_id=change["_id"], kind=change["kind"], department=change["department"],
            staff_id=change["staff_id"], decided_by=principal.user_id, reason=reason,
        ), subject=change["_id"], company_id=change["company_id"], estate_id=estate_id)
        return True

    if not await database.transaction(work):
        raise Conflict(f"the change is {change['status']} already")
    return {**change, **decision}


async def _find_change(database: Database, principal: Principal, *, estate_id: str, change_id: str) -> dict:
    await principal.require_estate(estate_id)
    change = await duty.find(database, duty.ROSTER_CHANGES, document_id=change_id)
    if change is None or change["estate_id"] != estate_id or change["company_id"] != principal.company_id:
        raise NotFound("roster change")
    if change["status"] != "requested":
        raise Conflict(f"the change is {change['status']} already")
    return change
