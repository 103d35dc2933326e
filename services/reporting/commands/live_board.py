"""The live board, moved by one batch of events: one `$in` read per collection, one write each.

Each estate the batch touched gets its version raised once, which is what the dashboards'
streams watch (in the database, so a browser connected to any replica sees it). An estate's board
is one document (its open counts, its recent days' calls and breaches), so that the overview of
many estates reads one document each. The live consumer and the read-model rebuild both move a
set of board collections here (`target`), through the same rules.
"""

from __future__ import annotations

from typing import Any

from services.reporting.domain import dashboard_board as rules
from services.reporting.store import Target
from services.reporting.store import dashboard_board as store
from shared.db import UnitOfWork
from shared.envelope import Envelope
from shared.estates import DEFAULT_TIME_ZONE, local_day


async def apply(uow: UnitOfWork, envelopes: list[Envelope], *, target: Target) -> None:
    envelopes = [envelope for envelope in envelopes if envelope.estateid]
    if not envelopes:
        return
    order_ids = {env.data["work_order_id"] for env in envelopes
                 if env.routing_key.startswith((rules.WORK_ORDER_EVENTS, rules.SLA_EVENTS))
                 and env.data.get("work_order_id")}
    ticket_ids = {env.data["ticket_id"] for env in envelopes
                  if env.routing_key.startswith(rules.TICKET_EVENTS) and env.data.get("ticket_id")}
    orders = await store.work_orders(uow, order_ids, target=target)
    tickets = await store.tickets(uow, ticket_ids, target=target)
    zones = await store.time_zones(uow, {env.estateid for env in envelopes})
    before_tickets = dict(tickets)
    estates: dict[str, store.EstateChange] = {}
    changed_orders: set[str] = set()
    for env in envelopes:
        estate_id, company_id, key, data = env.estateid, env.companyid, env.routing_key, env.data
        day = local_day(env.time, zones.get(estate_id, DEFAULT_TIME_ZONE)).isoformat()
        estate = estates.setdefault(estate_id, store.EstateChange(estate_id, company_id))
        if key == "intake.estate.registered":
            estate.details = {"name": data.get("name"), "time_zone": data.get("time_zone") or DEFAULT_TIME_ZONE}
        if (order_id := data.get("work_order_id")) and key.startswith((rules.WORK_ORDER_EVENTS, rules.SLA_EVENTS)):
            order = orders.get(order_id) or rules.new_work_order(order_id, estate_id, company_id=company_id)
            orders[order_id] = rules.apply_to_work_order(order, key, time=env.time, data=data)
            changed_orders.add(order_id)
        if (ticket_id := data.get("ticket_id")) and key.startswith(rules.TICKET_EVENTS):
            ticket = tickets.get(ticket_id) or rules.new_ticket(ticket_id, estate_id, company_id=company_id)
            tickets[ticket_id] = rules.apply_to_ticket(ticket, key, time=env.time, data=data)
        for name, value in rules.day_increments(key, data).items():
            estate.add(f"days.{day}.{name}", value)
            estate.latest_day = max(estate.latest_day or day, day)
        if (entry := rules.timeline_entry(key, data)) is not None:
            uow.add(target(store.TIMELINE), {"_id": env.id, "estate_id": estate_id, "company_id": company_id,
                                     "day": day, "time": env.time, **entry})
    changed_tickets = [t for t in tickets.values() if t is not before_tickets.get(t["_id"])]
    for ticket in changed_tickets:
        for name, value in rules.count_change(before_tickets.get(ticket["_id"]), ticket).items():
            estates[ticket["estate_id"]].add(name, value)
    await store.save(uow, target(store.BOARD_ORDERS), documents=[orders[i] for i in sorted(changed_orders)])
    await store.save(uow, target(store.BOARD_TICKETS), documents=changed_tickets)
    await store.change_estates(uow, list(estates.values()), target=target)
