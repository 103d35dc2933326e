"""Work orders, what they are made with (the estate's SLA policy and routing rules), and their SLA timers."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from pymongo import DeleteMany, UpdateOne

from services.dispatch.domain import sla
from services.dispatch.domain.calendar import BusinessCalendar
from services.dispatch.domain.work_orders import RoutingRule
from services.dispatch.store import ROUTING_RULES, SLA_POLICIES, SLA_TIMERS, WORK_ORDERS, cache_key, find_one, forget
from shared.cache import TtlCache
from shared.db import UnitOfWork
from shared.estates import estate_time_zone

# Read by every work order, rarely changed: this process's copies (see `staff._department_settings`).
_sla_policies: TtlCache[sla.EstatePolicy] = TtlCache()
_routing_rules: TtlCache[tuple] = TtlCache()


# --- the estate's SLA policy and routing rules --------------------------------------------


async def sla_policy(uow: UnitOfWork, estate_id: str) -> sla.EstatePolicy:
    return await _sla_policies.get(cache_key(uow, estate_id), lambda: _load_sla_policy(uow, estate_id))


async def _load_sla_policy(uow: UnitOfWork, estate_id: str) -> sla.EstatePolicy:
    document = await find_one(uow, SLA_POLICIES, document_id=estate_id)
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


async def set_sla_policy(uow: UnitOfWork, estate_id: str, *, policy: dict[str, Any]) -> dict[str, Any]:
    await uow.db[SLA_POLICIES].replace_one({"_id": estate_id}, {"estate_id": estate_id, **policy}, upsert=True,
                                           session=uow.session)
    forget(uow, _sla_policies, key=cache_key(uow, estate_id))
    return await find_one(uow, SLA_POLICIES, document_id=estate_id)


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
        document = await find_one(uow, ROUTING_RULES, document_id=estate_id)
        return tuple(RoutingRule(**rule) for rule in document["rules"]) if document else ()

    return await _routing_rules.get(cache_key(uow, estate_id), load)


async def set_routing_rules(uow: UnitOfWork, estate_id: str, *, rules: list[dict[str, Any]]) -> dict[str, Any]:
    await uow.db[ROUTING_RULES].replace_one({"_id": estate_id}, {"estate_id": estate_id, "rules": rules}, upsert=True,
                                            session=uow.session)
    forget(uow, _routing_rules, key=cache_key(uow, estate_id))
    return await find_one(uow, ROUTING_RULES, document_id=estate_id)


def update_work_order(uow: UnitOfWork, order: dict[str, Any], *, fields: dict[str, Any], history: dict,
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


def withdraw_timers(uow: UnitOfWork, work_order_id: str, *, milestones: list[str] | None = None) -> None:
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


async def claim_timer(uow: UnitOfWork, timer: dict[str, Any], *, fired_at) -> bool:
    """Exactly one claimant fires a timer: a conditional point update inside the firing transaction.

    The due time is part of the condition: a timer re-filed meanwhile (hold, resume) is another timer.
    """
    result = await uow.db[SLA_TIMERS].update_one(
        {"_id": timer["_id"], "due_at": timer["due_at"], "fired_at": None}, {"$set": {"fired_at": fired_at}},
        session=uow.session,
    )
    return result.modified_count == 1
