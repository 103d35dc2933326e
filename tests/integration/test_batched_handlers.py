"""Batch-shaped handlers against the real database: a batch reads once per collection, writes at the commit.

Each test calls a service's handler with one batch of typed events in one transaction, as the
consumer does, and counts the commands sent meanwhile: a batch of 24 tickets costs the same
commands as a batch of 3.
"""

from __future__ import annotations

from collections import Counter

import pytest
from pymongo import AsyncMongoClient, UpdateOne, monitoring

from services.dispatch import store as dispatch_store
from services.dispatch.commands.incidents import create_work_orders_for_tickets, merge_tickets_into_incidents
from services.intake.commands.work_orders import follow_work_orders
from services.intake.store import tickets as ticket_store
from shared.consumer import Event, typed
from shared.db import Database
from shared.envelope import new_id, utcnow
from shared.errors import Conflict
from shared.events import (
    TicketOpened,
    TicketUpdated,
    WorkOrderAssigned,
    WorkOrderCompleted,
    WorkOrderCreated,
    envelope_for,
)

COMPANY = "company-b"


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self.counting = False

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.counting:
            self.sent[event.command_name] += 1

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass


@pytest.fixture
async def counted(settings):
    """A database whose commands are counted, and the counter."""
    commands = Commands()
    client = AsyncMongoClient(settings.mongo_url, tz_aware=True, event_listeners=[commands])
    database = Database(client, settings.database_name)
    yield database, commands
    await client.drop_database(settings.database_name)
    await client.close()


def an_event(payload, subject: str, estate: str = "estate-b") -> Event:
    return typed(envelope_for(payload, subject=subject, company_id=COMPANY, estate_id=estate))


async def apply(database: Database, commands: Commands, handler, events: list[Event]) -> Counter[str]:
    commands.sent.clear()
    commands.counting = True
    try:
        await database.transaction(lambda uow: handler(uow, events))
    finally:
        commands.counting = False
    return commands.sent


def opened(ticket_id: str, n: int, estate: str) -> Event[TicketOpened]:
    now = utcnow()
    return an_event(TicketOpened(
        ticket_id=ticket_id, number=f"DH-20261201-{n:04d}", category="repair", subcategory="plumbing",
        priority="P3", scope="in_unit", location="1-101", description="leak", channel="phone",
        promised_reply_at=now, opened_at=now), ticket_id, estate)


async def test_writes_at_the_commit_follow_the_inserts_and_a_checked_write_that_misses_aborts(database):
    async def work(uow):
        uow.add("things", {"_id": "a", "version": 1})
        uow.write("things", UpdateOne({"_id": "a", "version": 1}, {"$set": {"seen": True}, "$inc": {"version": 1}}),
                  or_raise=Conflict("moved"))
        uow.write("things", UpdateOne({"_id": "b"}, {"$set": {"n": 1}}, upsert=True))

    await database.transaction(work)
    assert await database.db.things.find_one({"_id": "a"}) == {"_id": "a", "version": 2, "seen": True}
    assert await database.db.things.find_one({"_id": "b"}) == {"_id": "b", "n": 1}

    async def stale(uow):
        uow.write("things", UpdateOne({"_id": "b"}, {"$set": {"n": 2}}))
        uow.write("things", UpdateOne({"_id": "a", "version": 1}, {"$set": {"seen": False}}),
                  or_raise=Conflict("moved"))

    with pytest.raises(Conflict):
        await database.transaction(stale)
    assert (await database.db.things.find_one({"_id": "b"}))["n"] == 1  # nothing of the failed one stays


async def test_a_batch_of_opened_tickets_gets_its_orders_for_the_same_round_trips(counted):
    database, commands = counted
    await dispatch_store.ensure_indexes(database)
    assert await opened_batch(database, commands, "estate-small", 3) == await opened_batch(
        database, commands, "estate-large", 24)


async def opened_batch(database: Database, commands: Commands, estate: str, size: int) -> Counter[str]:
    """A batch of opened tickets, two of them joining an incident; checks the outcome, returns the commands."""
    await database.db[dispatch_store.STAFF].insert_many([
        {"_id": f"{estate}-plumber-{n}", "estate_id": estate, "company_id": COMPANY, "name": f"师傅{n}",
         "department": "engineering", "position": "staff", "on_duty": True, "skills": ["plumbing"], "open_orders": 0}
        for n in range(3)])
    tickets = [new_id() for _ in range(size)]
    joined_first = tickets[0]  # joined an incident before dispatch saw it opened: never an order
    joined_after = tickets[1]  # opened, then joined in the same batch: its order is cancelled
    merges = [an_event(TicketUpdated(ticket_id=ticket_id, number="x", status="in_progress", previous_status="open",
                                     incident_id="incident-1"), ticket_id, estate)
              for ticket_id in (joined_first, joined_after)]
    opening = [opened(ticket_id, n, estate) for n, ticket_id in enumerate(tickets)]

    async def in_arrival_order(uow, _events):  # the consumer calls each handler at its first event
        await merge_tickets_into_incidents(uow, merges[:1])
        await create_work_orders_for_tickets(uow, opening)
        await merge_tickets_into_incidents(uow, merges[1:])

    sent = await apply(database, commands, in_arrival_order, [])

    orders = await database.db[dispatch_store.WORK_ORDERS].find({"estate_id": estate}).to_list(None)
    by_ticket = {order["ticket_id"]: order for order in orders}
    assert joined_first not in by_ticket
    assert by_ticket[joined_after]["status"] == "cancelled"
    assert len(orders) == size - 1
    assert len([order for order in orders if order["status"] == "assigned"]) == size - 2
    staff = await database.db[dispatch_store.STAFF].find({"estate_id": estate}).to_list(None)
    assert sum(person["open_orders"] for person in staff) == size - 2  # the cancelled one counted off
    assert max(p["open_orders"] for p in staff) - min(p["open_orders"] for p in staff) <= 1  # balanced
    cancelled_timers = {"work_order_id": by_ticket[joined_after]["_id"]}
    assert await database.db[dispatch_store.SLA_TIMERS].count_documents(cancelled_timers) == 0  # its clock stopped
    assert await database.db[dispatch_store.SLA_TIMERS].count_documents({"estate_id": estate}) > 0
    return sent


def work_order_event(model, ticket_id: str, order_id: str, estate: str) -> Event:
    common = {"work_order_id": order_id, "number": "PG-1", "ticket_id": ticket_id, "department": "engineering",
              "priority": "P3"}
    if model is WorkOrderAssigned:
        common.update(assignee_id="plumber-1", assignee_name="师傅", description="leak")
    if model is WorkOrderCompleted:
        common = {"work_order_id": order_id, "number": "PG-1", "ticket_id": ticket_id, "status": "completed",
                  "previous_status": "in_progress", "by": "plumber-1", "work_done": "换了阀门", "labour_minutes": 30,
                  "responsible_party": "estate", "chargeable": False}
    return an_event(model(**common), order_id, estate)


async def test_a_batch_of_work_order_events_moves_its_tickets_for_the_same_round_trips(counted):
    database, commands = counted
    small = await work_order_batch(database, commands, "estate-small", 3)
    assert small == await work_order_batch(database, commands, "estate-large", 24)
    assert small["update"] == 1 and small["insert"] == 2, small  # tickets; follow-ups and outbox


async def work_order_batch(database: Database, commands: Commands, estate: str, size: int) -> Counter[str]:
    """Every order of a batch created, assigned and completed: its ticket linked, started, resolved."""
    now = utcnow()
    ticket_ids = [new_id() for _ in range(size)]
    await database.db[ticket_store.TICKETS].insert_many([
        {"_id": ticket_id, "estate_id": estate, "company_id": COMPANY, "number": f"DH-{n}", "category": "repair",
         "status": "open", "version": 1, "history": [], "opened_at": now, "unit_id": None, "resident_id": None}
        for n, ticket_id in enumerate(ticket_ids)])
    events = []
    for ticket_id in ticket_ids:
        order_id = new_id()
        events += [work_order_event(model, ticket_id, order_id, estate)
                   for model in (WorkOrderCreated, WorkOrderAssigned, WorkOrderCompleted)]

    sent = await apply(database, commands, follow_work_orders, events)

    tickets = await database.db[ticket_store.TICKETS].find({"estate_id": estate}).to_list(None)
    assert {ticket["status"] for ticket in tickets} == {"resolved"}
    assert all([entry["action"] for entry in ticket["history"]] == ["start", "resolve"] for ticket in tickets)
    assert all(ticket["version"] == 4 and ticket["resolution"] == "换了阀门" for ticket in tickets)
    assert all(ticket["work_order_number"] == "PG-1" for ticket in tickets)
    assert await database.db[ticket_store.FOLLOW_UPS].count_documents({"estate_id": estate}) == size
    return sent
