"""Dispatch's HTTP API for staff and duty, and each estate's department and clock settings."""

from __future__ import annotations

from fastapi import APIRouter

from services.dispatch import store
from services.dispatch.api import views
from services.dispatch.api.deps import Managers, Readers
from services.dispatch.api.staff_schemas import DepartmentPublic, RoutingRulesPublic, SlaPolicyPublic, StaffPublic
from services.dispatch.commands import estate_settings
from services.dispatch.commands.inputs.staff import (
    DepartmentUpdate,
    DutyUpdate,
    RoutingRulesUpdate,
    SlaPolicyUpdate,
    StaffCreate,
)
from services.dispatch.commands.inputs.work_orders import Department
from services.dispatch.commands.staff import register_staff as register
from services.dispatch.domain import sla
from services.dispatch.store import staff as staff_store
from services.dispatch.store import work_orders as order_store
from shared.auth import estate_query
from shared.documents import presenter
from shared.errors import InvalidInput
from shared.idempotency import IdempotencyKey
from shared.lookup import found
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["staff"])


@router.post("/staff", status_code=201, response_model=StaffPublic)
async def register_staff(
    body: StaffCreate, principal: Managers, *, database: DatabaseDep, idempotency_key: IdempotencyKey = None
) -> dict:
    return await register(database, principal, request=body, idempotency_key=idempotency_key,
                          present=presenter(views.staff_public))


@router.put("/staff/{staff_id}/duty", response_model=StaffPublic)
async def set_duty(staff_id: str, body: DutyUpdate, *, principal: Managers, database: DatabaseDep) -> StaffPublic:
    fields = body.model_dump(exclude_none=True)
    staff = found(await database.transaction(
        lambda uow: staff_store.set_staff_fields(uow, staff_id, scope=principal.estate_filter(), fields=fields)),
                  "staff member")
    return views.staff_public(staff)


@router.get("/staff", response_model=Page[StaffPublic])
async def list_staff(
    estate_id: str, principal: Readers, *, database: DatabaseDep, page: PageQuery
) -> Page[StaffPublic]:
    query = await estate_query(principal, estate_id)
    return await page_of(database.db[store.STAFF], query, page=page, view=views.staff_public, newest_first=False)


@router.put("/estates/{estate_id}/departments/{department}", response_model=DepartmentPublic)
async def set_department(
    estate_id: str, department: Department, *, body: DepartmentUpdate, principal: Managers, database: DatabaseDep
) -> DepartmentPublic:
    """Per department: grab mode (抢单) offers new orders to everyone on duty; the first to accept wins.
    Its fallback takes its orders while it has nobody (the service centre unless named; 422 if empty)."""
    await principal.require_estate(estate_id)
    fallback = body.fallback_department
    if fallback and fallback not in await staff_store.departments_with_workers(database, estate_id):
        raise InvalidInput(f"department {fallback} has nobody in it in this estate; register its staff first",
                           field="fallback_department")
    fields = body.model_dump()
    return DepartmentPublic(**await database.transaction(
        lambda uow: staff_store.set_department(uow, estate_id, department=department, fields=fields)))


@router.put("/estates/{estate_id}/sla-policy", response_model=SlaPolicyPublic)
async def set_sla_policy(
    estate_id: str, body: SlaPolicyUpdate, *, principal: Managers, database: DatabaseDep
) -> SlaPolicyPublic:
    """Applies to work orders created from now on; each order keeps the deadlines it was given."""
    policy = await estate_settings.set_sla_policy(database, principal, estate_id=estate_id,
                                                  policy=body.model_dump(mode="json"))
    return _policy_public(policy)


@router.get("/estates/{estate_id}/sla-policy", response_model=SlaPolicyPublic)
async def get_sla_policy(estate_id: str, principal: Readers, *, database: DatabaseDep) -> SlaPolicyPublic:
    await principal.require_estate(estate_id)
    document = await store.find_one(database, store.SLA_POLICIES, document_id=estate_id)
    if document:
        return _policy_public(document)
    defaults = {p: {m: int(getattr(limits, m).total_seconds()) for m in sla.MILESTONES}
                for p, limits in sla.DEFAULT_POLICIES.items()}
    return _policy_public({"estate_id": estate_id, "priorities": defaults,
                           "ladder_delays_s": list(sla.DEFAULT_LADDER_DELAYS_S)})


def _policy_public(document: dict) -> SlaPolicyPublic:
    return SlaPolicyPublic(**document, clocks=sla.clocks_by_priority(document.get("clock", "full")))


@router.put("/estates/{estate_id}/routing-rules", response_model=RoutingRulesPublic)
async def set_routing_rules(
    estate_id: str, body: RoutingRulesUpdate, *, principal: Managers, database: DatabaseDep
) -> RoutingRulesPublic:
    """The estate's own rules, tried before the defaults; the most specific matching rule wins."""
    await principal.require_estate(estate_id)
    staffed = await staff_store.departments_with_workers(database, estate_id)
    for n, rule in enumerate(body.rules):
        if rule.department not in staffed:  # its orders would wait for nobody
            raise InvalidInput(f"department {rule.department} has nobody in it in this estate; register its staff "
                               "first or route elsewhere", field=f"rules.{n}.department")
    rules = [rule.model_dump() for rule in body.rules]
    return RoutingRulesPublic(**await database.transaction(
        lambda uow: order_store.set_routing_rules(uow, estate_id, rules=rules)))


@router.get("/estates/{estate_id}/routing-rules", response_model=RoutingRulesPublic)
async def get_routing_rules(estate_id: str, principal: Readers, *, database: DatabaseDep) -> RoutingRulesPublic:
    await principal.require_estate(estate_id)
    document = await store.find_one(database, store.ROUTING_RULES, document_id=estate_id)
    return RoutingRulesPublic(**(document or {"estate_id": estate_id, "rules": []}))
