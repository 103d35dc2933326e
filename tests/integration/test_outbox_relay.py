"""The outbox relay publishes every committed event once, even with two replicas relaying."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

from shared.bus import Bus, declare_exchange
from shared.db import OUTBOX, outbox_document
from shared.envelope import Envelope
from shared.events import TicketUpdated, envelope_for
from shared.outbox import OutboxRelay, ensure_outbox_indexes
from tests.integration.test_inbox_and_dead_letters import eventually


async def commit_events(database, count: int, *, per_transaction: int = 10) -> None:
    for first in range(0, count, per_transaction):
        async def work(uow, first=first):
            for n in range(first, first + per_transaction):
                uow.emit(
                    TicketUpdated(ticket_id=f"t-{n}", number=f"DH-20261126-{n:04d}", status="in_progress",
                                  previous_status="open"),
                    subject=f"t-{n}", company_id="company-1", estate_id="estate-1",
                )
        await database.transaction(work)


async def nothing_to_declare(connection) -> None:
    return None


async def listen(connection, settings) -> Counter:
    """Count every message the exchange routes to a queue of our own, by event id."""
    received: Counter = Counter()
    channel = await connection.channel()
    exchange = await declare_exchange(channel, settings)
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(exchange, routing_key="#")

    async def on_message(message):
        received[message.message_id] += 1
        await message.ack()

    await queue.consume(on_message)
    return received


def all_marked_published(database):
    async def probe() -> bool:
        return await database.db[OUTBOX].count_documents({"published_at": None}) == 0

    return probe


async def test_two_relays_publish_each_event_once_and_one_takes_over(database, connection, settings):
    await ensure_outbox_indexes(database)
    received = await listen(connection, settings)
    buses = [Bus(settings, on_connect=nothing_to_declare) for _ in range(2)]
    relays = [OutboxRelay(database=database, bus=bus, settings=settings) for bus in buses]
    tasks = [asyncio.create_task(bus.run()) for bus in buses] + [asyncio.create_task(r.run()) for r in relays]
    try:
        await commit_events(database, 300)
        await eventually(lambda: asyncio.sleep(0, len(received) == 300), what="300 events published")
        await eventually(all_marked_published(database), what="every event marked published")
        assert set(received.values()) == {1}, "an event was published twice"

        # The relay holding the lease goes away; the other takes over after the lease expires.
        lease = await database.db["leases"].find_one({"_id": relays[0].lease.name})
        holder = [relay.lease.holder for relay in relays].index(lease["holder"])
        relay_task = tasks[len(buses) + holder]
        relay_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay_task
        await commit_events(database, 50)
        await eventually(lambda: asyncio.sleep(0, len(received) == 350), what="the survivor publishing")
        assert set(received.values()) == {1}
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_an_event_is_published_as_stored_and_one_of_the_former_shape_too(database, connection, settings):
    await ensure_outbox_indexes(database)
    bodies: dict[str, bytes] = {}
    channel = await connection.channel()
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(await declare_exchange(channel, settings), routing_key="intake.ticket.updated")

    async def on_message(message):
        bodies[message.message_id] = message.body
        await message.ack()

    await queue.consume(on_message)
    new, former = (envelope_for(TicketUpdated(ticket_id=f"t-{name}", number=f"DH-{name}", status="resolved",
                                              previous_status="open"),
                                subject=f"t-{name}", company_id="company-1", estate_id="estate-1")
                   for name in ("new", "former"))
    await database.db[OUTBOX].insert_many([
        outbox_document(new),
        {"_id": former.id, "published_at": None, "envelope": former.model_dump(mode="json")},  # an earlier version's
    ])
    stored = await database.db[OUTBOX].find_one({"_id": new.id})
    assert (stored["type"], stored["estate_id"]) == ("estatedesk.intake.ticket.updated.v1", "estate-1")
    bus = Bus(settings, on_connect=nothing_to_declare)
    relay = OutboxRelay(database=database, bus=bus, settings=settings)
    tasks = [asyncio.create_task(bus.run()), asyncio.create_task(relay.run())]
    try:
        await eventually(lambda: asyncio.sleep(0, len(bodies) == 2), what="both events published")
        assert bodies[new.id] == stored["body"].encode()
        assert Envelope.model_validate_json(bodies[former.id]) == former
        await eventually(all_marked_published(database), what="both marked published")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
