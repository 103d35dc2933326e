"""Dispatch's HTTP API of the company's positions: the duty leader (公司值班领导) and its roster.

The company's duty leader is one position for every estate: its holders are registered without an
estate (`POST /v1/staff` with `position: duty_leader`), its roster says who holds it when, and the
top step of every estate's escalation ladder reaches whoever holds it now.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.dispatch.api import views
from services.dispatch.api.deps import Managers, Readers
from services.dispatch.api.positions_schemas import CompanyRosterPublic
from services.dispatch.api.staff_schemas import StaffPublic
from services.dispatch.commands import positions as commands
from services.dispatch.commands.inputs.positions import CompanyRosterUpdate
from services.dispatch.store import positions as store
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1/company", tags=["company positions"])
DUTY_LEADER = "duty_leader"


@router.get("/staff", response_model=list[StaffPublic])
async def company_staff(principal: Readers, database: DatabaseDep) -> list[StaffPublic]:
    """The holders of the company's positions (registered without an estate)."""
    holders = await store.holding_position(database, estate_id=None, company_id=principal.company_id,
                                           position=DUTY_LEADER)
    return [views.staff_public(person) for person in holders]


@router.put("/duty-leader-roster", response_model=CompanyRosterPublic)
async def set_duty_leader_roster(body: CompanyRosterUpdate, principal: Managers, *, database: DatabaseDep) -> dict:
    """Replaces the roster; each entry names a company duty leader, ends after it starts, overlaps no other."""
    return await commands.set_roster(database, principal, position=DUTY_LEADER, request=body)


@router.get("/duty-leader-roster", response_model=CompanyRosterPublic)
async def get_duty_leader_roster(principal: Readers, database: DatabaseDep) -> dict:
    return await commands.roster_public(database, principal.company_id, position=DUTY_LEADER)
