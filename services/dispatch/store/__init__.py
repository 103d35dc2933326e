"""Dispatch's database: staff and their duty, departments, work orders, SLA timers."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from pymongo import ASCENDING, DeleteMany, UpdateOne

from services.dispatch.domain import sla
from services.dispatch.domain.calendar import BusinessCalendar
from services.dispatch.domain.positions import WORKERS
from services.dispatch.domain.work_orders import RoutingRule
from services.dispatch.store import handover, ledger
from services.dispatch.store import rosters as duty
from shared.cache import TtlCache
from shared.db import Database, UnitOfWork
from shared.estates import estate_time_zone
from shared.lookup import find_by_id_or_number

STAFF = "staff"
DEPARTMENTS = "department_settings"
WORK_ORDERS = "work_orders"
SLA_TIMERS = "sla_timers"
SCHEDULER_STATE = "scheduler_state"
SLA_POLICIES = "sla_policies"
ROUTING_RULES = "routing_rules"
NUMBERED = frozenset({WORK_ORDERS})  # collections whose documents can also be found by their number
FIRED_TIMER_RETENTION_S = 24 * 3600
# What rarely changes and every work order reads: this process's copies, dropped when this
# process changes them, at most a TTL old when another replica did (shared/cache.py).
_department_settings: TtlCache[dict] = TtlCache(remember_missing=True)
_sla_policies: TtlCache[sla.EstatePolicy] = TtlCache()
_routing_rules: TtlCache[tuple] = TtlCache()


def _key(database: Database | UnitOfWork, *parts: str) -> str:
    return "/".join((database.db.name, *parts))


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[STAFF].create_index([("estate_id", ASCENDING), ("department", ASCENDING), ("on_duty", ASCENDING)])
    await db[STAFF].create_index([("estate_id", ASCENDING), ("position", ASCENDING), ("on_duty", ASCENDING)])
    # One order per ticket or incident. Not a partial unique index on ticket_id: SecantusDB does not
    # use partial indexes for lookups (a scan of every order), so every order carries a `source`.
    await db[WORK_ORDERS].create_index("source", unique=True)
    await db[WORK_ORDERS].create_index("ticket_id")
    await db[WORK_ORDERS].create_index([("estate_id", ASCENDING), ("number", ASCENDING)], unique=True)
    await db[WORK_ORDERS].create_index([("estate_id", ASCENDING), ("assignee_id", ASCENDING)])
    await db[WORK_ORDERS].create_index([("estate_id", ASCENDING), ("sla_state", ASCENDING)])
    await db[SLA_TIMERS].create_index([("bucket", ASCENDING), ("fired_at", ASCENDING)])
    await db[SLA_TIMERS].create_index("work_order_id")
    await db[SLA_TIMERS].create_index("fired_at", expireAfterSeconds=FIRED_TIMER_RETENTION_S, name="prune_fired")
    await duty.ensure_indexes(database)
    await handover.ensure_indexes(database)
    await ledger.ensure_indexes(database)


async def insert(uow: UnitOfWork, collection: str, document: dict[str, Any]) -> None:
    await uow.db[collection].insert_one(document, session=uow.session)


async def find_one(
    database: Database | UnitOfWork, collection: str, document_id: str, scope: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """By id; a work order also by its number (`PG-20261201-0003`)."""
    session = getattr(database, "session", None)
    if collection in NUMBERED:
        return await find_by_id_or_number(database.db[collection], document_id, scope, session=session)
    return await database.db[collection].find_one({"_id": document_id, **(scope or {})}, session=session)


# --- staff -----------------------------------------------------------------------------


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


async def workers_on_call(uow: UnitOfWork, estate_id: str, department: str) -> list[dict[str, Any]]:
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


async def count_open_order(uow: UnitOfWork, staff_id: str | None, delta: int) -> None:
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


async def set_staff_fields(uow: UnitOfWork, staff_id: str, scope: dict[str, Any], fields: dict[str, Any]):
    result = await uow.db[STAFF].update_one({"_id": staff_id, **scope}, {"$set": fields}, session=uow.session)
    return await find_one(uow, STAFF, staff_id, scope) if result.matched_count else None


async def grab_mode(uow: UnitOfWork, estate_id: str, department: str) -> bool:
    return bool((await department_settings(uow, estate_id, department)).get("grab_mode"))


async def department_settings(database: Database | UnitOfWork, estate_id: str, department: str) -> dict:
    document_id = f"{estate_id}:{department}"
    found = await _department_settings.get(_key(database, document_id),
                                           lambda: find_one(database, DEPARTMENTS, document_id))
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


async def set_department(uow: UnitOfWork, estate_id: str, department: str, fields: dict[str, Any]) -> dict:
    document_id = f"{estate_id}:{department}"
    await uow.db[DEPARTMENTS].update_one(
        {"_id": document_id}, {"$set": {"estate_id": estate_id, "department": department, **fields}}, upsert=True,
        session=uow.session,
    )
    _forget(uow, _department_settings, _key(uow, document_id))
    return await find_one(uow, DEPARTMENTS, document_id)


def _forget(uow: UnitOfWork, cache: TtlCache, key: str) -> None:
    """This process's copy is dropped now and again after the commit (a read meanwhile kept the old one)."""
    cache.forget(key)
    uow.after_commit.append(lambda: cache.forget(key))


async def sla_policy(uow: UnitOfWork, estate_id: str) -> sla.EstatePolicy:
    return await _sla_policies.get(_key(uow, estate_id), lambda: _load_sla_policy(uow, estate_id))


async def _load_sla_policy(uow: UnitOfWork, estate_id: str) -> sla.EstatePolicy:
    document = await find_one(uow, SLA_POLICIES, estate_id)
    if document is None:
        return sla.DEFAULT_ESTATE_POLICY
    calendar = None
    if document.get("clock") == "business_hours":
        calendar = BusinessCalendar(
            opens=time.fromisoformat(document["opens"]), closes=time.fromisoformat(document["closes"]),
            time_zone=await estate_time_zone(uow, estate_id),
            holidays=frozenset(map(date.fromisoformat, document["holidays"])),
            working_days=frozenset(map(date.fromisoformat, document["working_days"])),
        )
    return sla.EstatePolicy(
        priorities={priority: sla.Policy(**{m: timedelta(seconds=s) for m, s in limits.items()})
                    for priority, limits in document["priorities"].items()},
        ladder_delays_s=tuple(document["ladder_delays_s"]),
        calendar=calendar,
        safety_subcategories=frozenset(document.get("safety_subcategories", [])),
    )


async def set_sla_policy(uow: UnitOfWork, estate_id: str, policy: dict[str, Any]) -> dict[str, Any]:
    await uow.db[SLA_POLICIES].replace_one({"_id": estate_id}, {"estate_id": estate_id, **policy}, upsert=True,
                                           session=uow.session)
    _forget(uow, _sla_policies, _key(uow, estate_id))
    return await find_one(uow, SLA_POLICIES, estate_id)


# --- work orders -----------------------------------------------------------------------


def source_of(*, ticket_id: str | None = None, incident_id: str | None = None, order_id: str) -> str:
    """What an order was made for: `ticket:<id>`, `incident:<id>`, or `manual:<its own id>`."""
    if ticket_id:
        return f"ticket:{ticket_id}"
    return f"incident:{incident_id}" if incident_id else f"manual:{order_id}"


async def find_work_order_from(uow: UnitOfWork, source: str) -> dict[str, Any] | None:
    return (await work_orders_from(uow, [source])).get(source)


CREATED_ORDERS = "work_orders.created"


def add_work_order(uow: UnitOfWork, order: dict[str, Any]) -> None:
    """Inserted at the commit with the batch's other orders; `work_orders_from` finds it meanwhile."""
    uow.add(WORK_ORDERS, order)
    uow.held.setdefault(CREATED_ORDERS, {})[order["source"]] = order


async def work_orders_from(uow: UnitOfWork, sources: list[str]) -> dict[str, dict[str, Any]]:
    """The orders made for these sources, by source: one query, with those this transaction made."""
    created: dict[str, dict[str, Any]] = uow.held.get(CREATED_ORDERS, {})
    unknown = sorted({source for source in sources if source not in created})
    found = await uow.db[WORK_ORDERS].find({"source": {"$in": unknown}}, session=uow.session).to_list(None) \
        if unknown else []
    return {**{order["source"]: order for order in found},
            **{source: created[source] for source in sources if source in created}}


async def routing_rules(uow: UnitOfWork, estate_id: str) -> tuple[RoutingRule, ...]:
    async def load() -> tuple[RoutingRule, ...]:
        document = await find_one(uow, ROUTING_RULES, estate_id)
        return tuple(RoutingRule(**rule) for rule in document["rules"]) if document else ()

    return await _routing_rules.get(_key(uow, estate_id), load)


async def set_routing_rules(uow: UnitOfWork, estate_id: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    await uow.db[ROUTING_RULES].replace_one({"_id": estate_id}, {"estate_id": estate_id, "rules": rules}, upsert=True,
                                            session=uow.session)
    _forget(uow, _routing_rules, _key(uow, estate_id))
    return await find_one(uow, ROUTING_RULES, estate_id)


def update_work_order(uow: UnitOfWork, order: dict[str, Any], fields: dict[str, Any], history: dict, *,
                      conflict: Exception) -> dict[str, Any]:
    """Write a change at the commit if nobody changed the order since it was read (optimistic, by
    version), else raise `conflict`; returns the order as changed."""
    uow.write(WORK_ORDERS, UpdateOne({"_id": order["_id"], "version": order["version"]},
                                     {"$set": fields, "$inc": {"version": 1}, "$push": {"history": history}}),
              or_raise=conflict)
    return {**order, **fields, "version": order["version"] + 1, "history": [*order.get("history", []), history]}


# --- SLA timers ------------------------------------------------------------------------


def add_timers(uow: UnitOfWork, timers: list[dict[str, Any]]) -> None:
    """Filed at the commit, with the other timers of the transaction."""
    for timer in timers:
        uow.add(SLA_TIMERS, timer)


def withdraw_timers(uow: UnitOfWork, work_order_id: str, milestones: list[str] | None = None) -> None:
    """Remove a work order's unfired timers (of some milestones, or all) at the commit (those filed
    in this transaction too)."""
    uow.write(SLA_TIMERS, DeleteMany(_unfired(work_order_id, milestones)))


async def take_timers(uow: UnitOfWork, work_order_id: str) -> list[dict]:
    """Remove all of a work order's unfired timers; returns them (the clock is paused)."""
    timers = await uow.db[SLA_TIMERS].find(_unfired(work_order_id, None), session=uow.session).to_list(None)
    if timers:
        uow.write(SLA_TIMERS, DeleteMany({"_id": {"$in": [t["_id"] for t in timers]}}))
    return timers


def _unfired(work_order_id: str, milestones: list[str] | None) -> dict[str, Any]:
    query: dict[str, Any] = {"work_order_id": work_order_id, "fired_at": None}
    if milestones is not None:
        query["milestone"] = {"$in": milestones}
    return query


async def claim_timer(uow: UnitOfWork, timer: dict[str, Any], fired_at) -> bool:
    """Exactly one claimant fires a timer: a conditional point update inside the firing transaction.

    The due time is part of the condition: a timer re-filed meanwhile (hold, resume) is another timer.
    """
    result = await uow.db[SLA_TIMERS].update_one(
        {"_id": timer["_id"], "due_at": timer["due_at"], "fired_at": None}, {"$set": {"fired_at": fired_at}},
        session=uow.session,
    )
    return result.modified_count == 1
