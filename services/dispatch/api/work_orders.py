"""Dispatch's HTTP API for work orders: reads for the people who work the queue, and every command."""

# No `from __future__ import annotations` here: the command routes are built in a loop, and
# FastAPI must see their annotations as objects, not as names to look up later.

from typing import Literal

from fastapi import APIRouter, Response

from services.dispatch import store
from services.dispatch.api import views
from services.dispatch.api.deps import Managers, Readers, Staff, Workers
from services.dispatch.api.work_orders_schemas import WorkOrderPublic
from services.dispatch.commands.inputs.work_orders import (
    AssignRequest,
    CompletionRequest,
    PlanRequest,
    ReasonRequest,
    WorkOrderCreate,
)
from services.dispatch.commands.life_cycle import caller_check, change_work_order
from services.dispatch.commands.work_orders import create_work_order as create
from shared.auth import estate_query
from shared.documents import presenter
from shared.etags import if_match, with_etag
from shared.idempotency import IdempotencyKey
from shared.lookup import found
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["work orders"])


IfMatch = if_match("work order")


@router.post("/work-orders", status_code=201, response_model=WorkOrderPublic)
async def create_work_order(
    body: WorkOrderCreate, principal: Managers, *, database: DatabaseDep, response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    return with_etag(response, await create(database, principal, request=body, idempotency_key=idempotency_key,
                                            present=presenter(views.work_order_public)))


@router.get("/work-orders/{work_order_id}", response_model=WorkOrderPublic)
async def get_work_order(work_order_id: str, principal: Readers, *, database: DatabaseDep, response: Response) -> dict:
    order = found(
        await store.find_one(database, store.WORK_ORDERS, document_id=work_order_id, scope=principal.estate_filter()),
        "work order"
    )
    return with_etag(response, views.work_order_public(order).model_dump(mode="json"))


@router.get("/work-orders", response_model=Page[WorkOrderPublic])
async def list_work_orders(
    estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery,
    ticket_id: str | None = None, assignee_id: str | None = None, department: str | None = None,
    status: str | None = None, sla_state: Literal["ok", "at_risk", "breached"] | None = None,
) -> Page[WorkOrderPublic]:
    """The department queue (`department`, `status`), and at-risk or overdue orders (`sla_state`)."""
    query = await estate_query(principal, estate_id, ticket_id=ticket_id or None, assignee_id=assignee_id or None,
                               department=department or None, status=status or None, sla_state=sla_state)
    return await page_of(database.db[store.WORK_ORDERS], query, page=page, view=views.work_order_public)


@router.get("/my/work-orders", response_model=Page[WorkOrderPublic])
async def my_work_orders(principal: Staff, database: DatabaseDep, *, page: PageQuery) -> Page[WorkOrderPublic]:
    """A staff member's own orders, newest first (a resident's id is no assignee's)."""
    query = {**principal.estate_filter(), "assignee_id": principal.user_id}
    return await page_of(database.db[store.WORK_ORDERS], query, page=page, view=views.work_order_public)


def _command_route(command: str, body_model: type | None, *, who, summary: str) -> None:
    if body_model is None:
        async def endpoint(work_order_id: str, principal: who, *, database: DatabaseDep, response: Response,
                           if_match: IfMatch) -> dict:
            order = await change_work_order(database, principal, work_order_id=work_order_id, command=command,
                                            if_match=if_match)
            return with_etag(response, views.work_order_public(order).model_dump(mode="json"))
    else:
        async def endpoint(work_order_id: str, body: body_model, *, principal: who, database: DatabaseDep,  # type: ignore[valid-type]
                           response: Response, if_match: IfMatch) -> dict:
            order = await change_work_order(database, principal, work_order_id=work_order_id, command=command,
                                            if_match=if_match,
                                            request=body)
            return with_etag(response, views.work_order_public(order).model_dump(mode="json"))
    endpoint.__name__ = f"{command}_work_order"
    endpoint.before_body = caller_check(command)  # a technician's own order, before the body is read
    router.add_api_route(f"/work-orders/{{work_order_id}}/{command}", endpoint, methods=["POST"],
                         response_model=WorkOrderPublic, summary=summary)


for _command, _body, _who, _summary in [
    ("assign", AssignRequest, Managers, "Assign by hand (department, estate and leave are checked)"),
    ("reassign", AssignRequest, Managers, "Move to another person (转单)"),
    ("accept", None, Workers, "The assignee accepts"),
    ("grab", None, Workers, "Grab mode (抢单): the first offered person to grab wins"),
    ("arrive", None, Workers, "The assignee is on site"),
    ("hold", ReasonRequest, Workers, "Wait for parts or the resident; the clock pauses"),
    ("resume", None, Workers, "Work again; the clock runs again"),
    ("complete", CompletionRequest, Workers, "Work done, materials, labour, responsibility, charges"),
    ("decline", ReasonRequest, Workers, "The assignee declines (退单); back to pending"),
    ("cancel", ReasonRequest, Managers, "Cancel, with a reason"),
    ("plan", PlanRequest, Workers, "Record a complaint's handling plan (due within 24 h by default)"),
]:
    _command_route(_command, _body, who=_who, summary=_summary)
