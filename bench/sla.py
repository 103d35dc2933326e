"""`sla.fire_lag_p99_ms`: how late warnings and breaches are published after their due time,
with 10,000 open work orders whose accept deadlines fall due over a few minutes.

The orders and their timers are written straight into dispatch's database (creating 10,000
orders through the API would take longer than the measurement); everything after that is
the real path: the running scheduler claims each timer, publishes through the outbox and the
relay, and a queue of our own on the exchange records when each event arrives.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import datetime, timedelta

import aio_pika
from pymongo import AsyncMongoClient

from bench.results import Figure
from devstack.stack import Stack
from services.dispatch import store
from services.dispatch.commands.clock import timer_document
from services.dispatch.domain import sla
from shared.envelope import Envelope, new_id, utcnow


def _orders_and_timers(estate_id: str, count: int, first_due: datetime, spread_s: float) -> tuple[list, list]:
    orders, timers = [], []
    for n in range(count):
        created = first_due - timedelta(seconds=60)
        deadline = first_due + timedelta(seconds=spread_s * n / count)
        order = {
            "_id": (order_id := new_id()), "source": f"manual:{order_id}", "estate_id": estate_id, "company_id": "bench-company", "number": f"PG-BENCH-{n:05d}",
            "ticket_id": None, "ticket_number": None, "kind": "inspection", "department": "engineering",
            "priority": "P3", "status": "assigned", "assignee_id": None, "assignee_name": None, "offered_to": [],
            "location": None, "description": "bench", "created_at": created, "version": 1,
            "deadlines": {"accept": deadline}, "sla_state": "ok", "escalation_reason": "bench",
            "escalation_level": 0, "ladder_delays_s": [0, 3600, 3600, 3600], "escalations": [], "history": [],
        }
        orders.append(order)
        # The warning falls due 1 s before the breach, so both land inside the measured window.
        for timer in (sla.Timer("accept", "warning", deadline - timedelta(seconds=1), deadline),
                      sla.Timer("accept", "breach", deadline, deadline)):
            timers.append(timer_document(order, timer))
    return orders, timers


async def _measure(stack: Stack, count: int, spread_s: float, lead_s: float) -> Figure:
    client = AsyncMongoClient(stack.mongo_url_of("dispatch"), tz_aware=True)
    db = client["estatedesk_dispatch"]
    estate_id = f"sla-bench-{new_id().lower()[-8:]}"
    first_due = utcnow() + timedelta(seconds=lead_s)
    orders, timers = _orders_and_timers(estate_id, count, first_due, spread_s)
    for start in range(0, count, 2000):
        await db[store.WORK_ORDERS].insert_many(orders[start:start + 2000])
    for start in range(0, len(timers), 2000):
        await db[store.SLA_TIMERS].insert_many(timers[start:start + 2000])
    seeded_in = (utcnow() - (first_due - timedelta(seconds=lead_s))).total_seconds()

    connection = await aio_pika.connect(stack.amqp)
    lags: list[float] = []
    seen: Counter = Counter()
    done = asyncio.Event()
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange("estatedesk.events", aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, "dispatch.sla.*")

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            received = utcnow()
            envelope = Envelope.model_validate_json(message.body)
            await message.ack()
            if envelope.estateid != estate_id:
                return
            seen[(envelope.subject, envelope.type)] += 1
            lags.append((received - datetime.fromisoformat(envelope.data["due_at"])).total_seconds())
            if len(lags) >= len(timers):
                done.set()

        await queue.consume(on_message)
        deadline = time.monotonic() + lead_s + spread_s + 120
        while not done.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
    await client.close()
    lags.sort()
    percentile = lambda p: round(lags[min(len(lags) - 1, int(p * len(lags)))] * 1000, 1) if lags else None  # noqa: E731
    return Figure("sla.fire_lag_p99_ms", percentile(0.99), "ms", detail={
        "open_orders": count, "timers": len(timers), "spread_s": spread_s, "received": len(lags),
        "duplicates": sum(n - 1 for n in seen.values() if n > 1), "p50_ms": percentile(0.5),
        "max_ms": round(lags[-1] * 1000, 1) if lags else None, "seeded_in_s": round(seeded_in, 1),
    })


def fire_lag(stack: Stack, *, count: int = 10_000, spread_s: float = 180, lead_s: float = 20) -> Figure:
    return asyncio.run(_measure(stack, count, spread_s, lead_s))
