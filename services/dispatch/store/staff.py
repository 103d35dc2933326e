"""Dispatch's staff and departments: who is on duty or on call, their open orders, a department's settings."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, UpdateOne

from services.dispatch.domain.positions import WORKERS
from services.dispatch.store import DEPARTMENTS, STAFF, cache_key, find_one, forget
from services.dispatch.store import rosters as duty
from shared.cache import TtlCache
from shared.db import Database, UnitOfWork

# Read by every work order, rarely changed: this process's copy, dropped when this process changes
# it, at most a TTL old when another replica did (shared/cache.py).
_department_settings: TtlCache[dict] = TtlCache(remember_missing=True)


async def staff_on_duty(uow: UnitOfWork, estate_id: str, *, department: str | None = None,
                        position: str | None = None) -> list[dict[str, Any]]:
    """Who is on duty now (by department or position): a published roster where one covers the
    moment, the manual on-duty flags elsewhere (see `rosters.on_duty`). The estate's staff on duty
    are read once per transaction (a batch's orders all ask), then picked here."""
    held: dict[str, list[dict[str, Any]]] = uow.held.setdefault(ON_DUTY, {})
    if estate_id not in held:
        held[estate_id] = await duty.on_duty(uow, estate_id)
    staff = [dict(person) for person in held[estate_id]
             if department in (None, person.get("department")) and position in (None, person.get("position"))]
    return _with_held_counts(uow, staff)


ON_DUTY = "staff.on_duty"


async def workers_on_call(uow: UnitOfWork, estate_id: str, *, department: str) -> list[dict[str, Any]]:
    """The department's on-call staff who do its work (a manager on call is reached, not assigned)."""
    staff = [person for person in await _available_workers(uow, estate_id)
             if person["department"] == department and person.get("on_call") is True]
    return _with_held_counts(uow, [dict(person) for person in staff])


AVAILABLE_WORKERS = "staff.available_workers"


async def _available_workers(uow: UnitOfWork, estate_id: str) -> list[dict[str, Any]]:
    """The estate's staff who do departments' work and are not on leave, read once per transaction
    (a batch's orders all ask who is on call and which departments are staffed), by `_id`."""
    held: dict[str, list[dict[str, Any]]] = uow.held.setdefault(AVAILABLE_WORKERS, {})
    if estate_id not in held:
        query = {"estate_id": estate_id, "position": WORKERS, "on_leave": {"$ne": True}}
        held[estate_id] = await uow.db[STAFF].find(query, session=uow.session).sort("_id", ASCENDING).to_list(None)
    return held[estate_id]


OPEN_ORDERS = "staff.open_orders"


async def count_open_order(uow: UnitOfWork, staff_id: str | None, *, delta: int) -> None:
    """Counted in the unit of work (a batch assigns many orders to few people), written once per person."""
    if not staff_id:
        return
    held: dict[str, int] = uow.held.setdefault(OPEN_ORDERS, {})
    held[staff_id] = held.get(staff_id, 0) + delta
    uow.before_commit(OPEN_ORDERS, lambda: _write_open_orders(uow, held))


def _with_held_counts(uow: UnitOfWork, staff: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Staff as read, with the open orders this transaction counted but has not written yet."""
    held: dict[str, int] = getattr(uow, "held", {}).get(OPEN_ORDERS, {})
    for person in staff:
        if held.get(person["_id"]):
            person["open_orders"] = person.get("open_orders", 0) + held[person["_id"]]
    return staff


async def _write_open_orders(uow: UnitOfWork, held: dict[str, int]) -> None:
    for staff_id, delta in held.items():
        if delta:
            uow.write(STAFF, UpdateOne({"_id": staff_id}, {"$inc": {"open_orders": delta}}))


async def set_staff_fields(uow: UnitOfWork, staff_id: str, *, scope: dict[str, Any], fields: dict[str, Any]):
    result = await uow.db[STAFF].update_one({"_id": staff_id, **scope}, {"$set": fields}, session=uow.session)
    return await find_one(uow, STAFF, document_id=staff_id, scope=scope) if result.matched_count else None


async def grab_mode(uow: UnitOfWork, estate_id: str, *, department: str) -> bool:
    return bool((await department_settings(uow, estate_id, department=department)).get("grab_mode"))


async def department_settings(database: Database | UnitOfWork, estate_id: str, *, department: str) -> dict:
    document_id = f"{estate_id}:{department}"
    found = await _department_settings.get(cache_key(database, document_id),
                                           lambda: find_one(database, DEPARTMENTS, document_id=document_id))
    return found or {}


async def departments_with_workers(database: Database | UnitOfWork, estate_id: str, *,
                                   available_only: bool = False) -> set[str]:
    """The estate's departments that have staff doing their work (not on leave, if `available_only`)."""
    if available_only and isinstance(database, UnitOfWork):
        return {person["department"] for person in await _available_workers(database, estate_id)}
    query: dict[str, Any] = {"estate_id": estate_id, "position": WORKERS}
    if available_only:
        query["on_leave"] = {"$ne": True}
    session = getattr(database, "session", None)
    cursor = database.db[STAFF].find(query, {"department": 1}, session=session)
    return {person["department"] for person in await cursor.to_list(None)}


async def set_department(uow: UnitOfWork, estate_id: str, *, department: str, fields: dict[str, Any]) -> dict:
    document_id = f"{estate_id}:{department}"
    await uow.db[DEPARTMENTS].update_one(
        {"_id": document_id}, {"$set": {"estate_id": estate_id, "department": department, **fields}}, upsert=True,
        session=uow.session,
    )
    forget(uow, _department_settings, key=cache_key(uow, document_id))
    return await find_one(uow, DEPARTMENTS, document_id=document_id)
