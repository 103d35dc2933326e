"""The outbox relay: publishes committed events with publisher confirms, marks what the broker confirmed.

Every replica of a service runs a relay; a lease in the database lets only one publish at a
time, so an event is not published twice by two relays. The holder wakes at once on a commit
in its own process, on a change-stream insert from any other process, and at worst polls.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import aio_pika
import structlog
from opentelemetry import propagate, trace
from prometheus_client import Counter, Gauge
from pymongo import ASCENDING

from shared.bus import Bus
from shared.db import OUTBOX, Database, outbox_envelope
from shared.envelope import Envelope, new_id, utcnow
from shared.settings import ServiceSettings

log = structlog.get_logger(__name__)
tracer = trace.get_tracer(__name__)

PUBLISHED = Counter("outbox_published_total", "Events the broker confirmed", ["service"])
BACKLOG = Gauge("outbox_backlog", "Events written but not yet confirmed by the broker", ["service"])
LEASES = "leases"
RELAY_LEASE = "outbox-relay"
# Published events stay this long (for inspection), then the TTL index prunes them.
PUBLISHED_RETENTION_S = 3600


async def ensure_outbox_indexes(database: Database) -> None:
    outbox = database.db[OUTBOX]
    await outbox.create_index([("published_at", ASCENDING), ("_id", ASCENDING)])
    await outbox.create_index("published_at", expireAfterSeconds=PUBLISHED_RETENTION_S, name="prune_published")


class Lease:
    """A time-limited claim held by one process, renewed while it works (point updates by `_id`)."""

    def __init__(self, database: Database, name: str, *, duration_s: float) -> None:
        self.collection = database.db[LEASES]
        self.name = name
        self.holder = new_id()
        self.duration = timedelta(seconds=duration_s)
        self._exists = False

    async def acquire(self) -> bool:
        now = utcnow()
        if not self._exists:  # once per process: the relay takes its lease after every commit
            # Create the document first: racing upserts on a missing key are unsafe on SecantusDB.
            await self.collection.update_one(
                {"_id": self.name}, {"$setOnInsert": {"holder": None, "expires_at": now}}, upsert=True
            )
            self._exists = True
        result = await self.collection.update_one(
            {"_id": self.name, "$or": [{"holder": self.holder}, {"expires_at": {"$lt": now}}]},
            {"$set": {"holder": self.holder, "expires_at": now + self.duration}},
        )
        if result.matched_count == 0:  # held by another, or the document is gone: make sure next time
            self._exists = False
        return result.modified_count == 1

    async def release(self) -> None:
        await self.collection.update_one(
            {"_id": self.name, "holder": self.holder}, {"$set": {"expires_at": utcnow()}}
        )


class OutboxRelay:
    def __init__(
        self, *, database: Database, bus: Bus, settings: ServiceSettings
    ) -> None:
        self.database = database
        self.bus = bus
        self.settings = settings
        self.lease = Lease(database, RELAY_LEASE, duration_s=settings.relay_lease_s)
        self.wake = asyncio.Event()
        database.on_commit(self.wake.set)

    async def run(self) -> None:
        watcher = asyncio.create_task(self._watch_inserts() if self.settings.outbox_watch else asyncio.sleep(0))
        try:
            await self._relay_forever()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watcher
            with contextlib.suppress(Exception):
                await self.lease.release()

    async def _relay_forever(self) -> None:
        channel = None
        backoff = 0.2
        while True:
            self.wake.clear()
            try:
                if channel is None or channel.is_closed:
                    await self.bus.connected.wait()
                    channel = await self.bus.connection.channel(publisher_confirms=True, on_return_raises=True)
                    exchange = await channel.declare_exchange(
                        self.settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
                    )
                if await self.lease.acquire():
                    if await self.publish_batch(exchange) >= self.settings.outbox_batch_size:
                        continue  # more is waiting
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as error:  # broker or database away: keep the events, try again
                log.warning("outbox relay paused", error=repr(error), retry_in_s=backoff)
                channel = None
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.settings.outbox_poll_interval_s)

    async def publish_batch(self, exchange: aio_pika.abc.AbstractExchange) -> int:
        outbox = self.database.db[OUTBOX]
        size = self.settings.outbox_batch_size
        # In one reply: a cursor's first batch is 101 documents, and the rest would cost a getMore.
        documents = await outbox.find({"published_at": None}).sort("_id", ASCENDING).limit(size).batch_size(
            size).to_list(None)
        BACKLOG.labels(self.settings.service_name).set(len(documents))
        if not documents:
            return 0
        envelopes = [outbox_envelope(document) for document in documents]
        results = await asyncio.gather(
            *(self._publish(exchange, envelope, body=document.get("body"))
              for envelope, document in zip(envelopes, documents, strict=True)), return_exceptions=True
        )
        confirmed = [e.id for e, result in zip(envelopes, results, strict=True) if not isinstance(result, BaseException)]
        if confirmed:
            await outbox.update_many({"_id": {"$in": confirmed}}, {"$set": {"published_at": utcnow()}})
            PUBLISHED.labels(self.settings.service_name).inc(len(confirmed))
        failures = [result for result in results if isinstance(result, BaseException)]
        if failures:
            raise failures[0]
        return len(documents)

    async def _publish(self, exchange: aio_pika.abc.AbstractExchange, envelope: Envelope, *, body: str | None) -> None:
        parent = propagate.extract({"traceparent": envelope.traceparent} if envelope.traceparent else {})
        with tracer.start_as_current_span(
            f"{envelope.routing_key} publish", context=parent, kind=trace.SpanKind.PRODUCER
        ):
            headers: dict[str, str] = {}
            propagate.inject(headers)
            message = aio_pika.Message(
                body=(body or envelope.model_dump_json()).encode(),
                content_type="application/cloudevents+json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=envelope.id,
                type=envelope.type,
                headers=headers,
            )
            # Not mandatory: an event with no subscriber yet is still published (reporting binds `#`).
            await exchange.publish(message, routing_key=envelope.routing_key, mandatory=False, timeout=10)

    async def _watch_inserts(self) -> None:
        """Wake on outbox inserts made by other processes (other replicas, other entry points)."""
        while True:
            try:
                # Only that something was inserted: without the document, each change costs little to decode.
                pipeline = [{"$match": {"operationType": "insert"}}, {"$project": {"_id": 1}}]
                async with await self.database.db[OUTBOX].watch(pipeline) as stream:
                    async for _change in stream:
                        self.wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.info("outbox watch restarting", error=repr(error))
                await asyncio.sleep(1.0)
