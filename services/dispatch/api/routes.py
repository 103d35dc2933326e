"""Dispatch's HTTP API: translate, call the command, answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.dispatch import commands, store
from services.dispatch.api.schemas import DutyUpdate, StaffCreate, StaffPublic, WorkOrderPublic
from shared.auth import Principal, require_roles
from shared.errors import NotFound
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageRequest, fetch_page, page_request
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["dispatch"])
Supervisors = Annotated[Principal, require_roles("supervisor", "dispatcher", "estate_manager", "company_admin")]
Readers = Annotated[
    Principal,
    require_roles("agent", "supervisor", "dispatcher", "technician", "estate_manager", "company_admin", "ops_viewer"),
]


@router.post("/staff", status_code=201, response_model=StaffPublic)
async def register_staff(
    body: StaffCreate, principal: Supervisors, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    return await commands.register_staff(database, principal, body, idempotency_key=idempotency_key)


@router.put("/staff/{staff_id}/duty", response_model=StaffPublic)
async def set_duty(staff_id: str, body: DutyUpdate, principal: Supervisors, database: DatabaseDep) -> StaffPublic:
    staff = await store.set_duty(database, staff_id, principal.estate_filter(), body.on_duty)
    if staff is None:
        raise NotFound("staff member")
    return commands.staff_public(staff)


@router.get("/staff", response_model=Page[StaffPublic])
async def list_staff(
    estate_id: str, principal: Readers, database: DatabaseDep, page: Annotated[PageRequest, Depends(page_request)]
) -> Page[StaffPublic]:
    principal.require_estate(estate_id)
    query = {**principal.estate_filter(), "estate_id": estate_id}
    documents, next_cursor = await fetch_page(database.db[store.STAFF], query, page, newest_first=False)
    return Page(items=[commands.staff_public(d) for d in documents], next_cursor=next_cursor)


@router.get("/work-orders/{work_order_id}", response_model=WorkOrderPublic)
async def get_work_order(work_order_id: str, principal: Readers, database: DatabaseDep) -> WorkOrderPublic:
    work_order = await store.find_one(database, store.WORK_ORDERS, work_order_id, principal.estate_filter())
    if work_order is None:
        raise NotFound("work order")
    return commands.work_order_public(work_order)


@router.get("/work-orders", response_model=Page[WorkOrderPublic])
async def list_work_orders(
    estate_id: str, principal: Readers, database: DatabaseDep, page: Annotated[PageRequest, Depends(page_request)],
    ticket_id: str | None = None, assignee_id: str | None = None,
) -> Page[WorkOrderPublic]:
    principal.require_estate(estate_id)
    query = {**principal.estate_filter(), "estate_id": estate_id}
    query.update({k: v for k, v in {"ticket_id": ticket_id, "assignee_id": assignee_id}.items() if v})
    documents, next_cursor = await fetch_page(database.db[store.WORK_ORDERS], query, page)
    return Page(items=[commands.work_order_public(d) for d in documents], next_cursor=next_cursor)
