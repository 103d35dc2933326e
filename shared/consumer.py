"""Consuming events through the inbox: each event applied once, acked only after commit.

The effect of an event and the record of its id are written in one transaction; the inbox's
unique `_id` makes a redelivered or republished event a no-op. A handler that fails is
retried after growing delays, then parked in the queue's dead-letter queue. A carrier of many
events (`shared.events.parts_of`) is one message and one inbox record; handlers get its parts.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

import aio_pika
import structlog
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from prometheus_client import Counter
from pydantic import BaseModel, ValidationError
from pymongo.errors import DuplicateKeyError

from shared.bus import (
    dead_letter_queue_name,
    declare_consumer_queue,
    declare_exchange,
    retry_delay_ms,
    retry_queue_name,
)
from shared.db import Database, UnitOfWork
from shared.envelope import Envelope, utcnow
from shared.events import REGISTRY, carriers_of, parts_of
from shared.settings import ServiceSettings

log = structlog.get_logger(__name__)
tracer = trace.get_tracer(__name__)

P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class Event(Generic[P]):
    """One consumed event: its envelope and its payload, parsed by the event registry."""

    envelope: Envelope
    payload: P
    carrier: Envelope | None = None  # the carrier it came in, if it came in one (`shared.events.parts_of`)


Handler = Callable[[UnitOfWork, Envelope], Awaitable[None]]
BatchHandler = Callable[[UnitOfWork, list[Event[Any]]], Awaitable[None]]
BATCHED = "batched"


def batched(handler: BatchHandler) -> BatchHandler:
    """Mark a handler as batch-shaped: called once per batch with all of its new events, typed.

    It is called at the place of its first event in the batch, with its events in arrival order;
    handlers whose effects depend on each other's order belong in one handler.
    """
    setattr(handler, BATCHED, True)
    return handler


def typed(envelope: Envelope, *, carrier: Envelope | None = None) -> Event[Any]:
    """The event with its registered payload; an unregistered type keeps its data as a plain model."""
    spec = REGISTRY.get(envelope.type)
    model = spec.model if spec is not None else _Untyped
    return Event(envelope, model.model_validate(envelope.data), carrier=carrier)


class _Untyped(BaseModel):
    model_config = {"extra": "allow"}
INBOX = "inbox"
ATTEMPT_HEADER = "x-attempt"
CONSUMED = Counter("events_consumed_total", "Events taken from a queue", ["queue", "outcome"])


class AlreadyApplied(Exception):
    """The inbox already holds this event: nothing more to do."""


@functools.lru_cache(maxsize=8192)  # a few dozen patterns × a few dozen event types, asked for every event
def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is one word, `#` is zero or more words."""

    def match(pattern_words: list[str], key_words: list[str]) -> bool:
        if not pattern_words:
            return not key_words
        head, rest = pattern_words[0], pattern_words[1:]
        if head == "#":
            return any(match(rest, key_words[i:]) for i in range(len(key_words) + 1))
        return bool(key_words) and head in ("*", key_words[0]) and match(rest, key_words[1:])

    return match(pattern.split("."), routing_key.split("."))


async def ensure_inbox_indexes(database: Database, settings: ServiceSettings) -> None:
    # The dedupe window: a redelivery older than this is not expected from the broker.
    await database.db[INBOX].create_index(
        "applied_at", expireAfterSeconds=int(timedelta(days=settings.inbox_retention_days).total_seconds())
    )


@dataclass
class Delivery:
    message: AbstractIncomingMessage
    envelope: Envelope  # as it came: one event, or a carrier of several
    handler: Handler | BatchHandler
    context: Context
    parts: list[Envelope]  # what the handler is given: the event itself, or the carrier's parts
    events: list[Event[Any]] | None = None  # the parts parsed on arrival, for a batched handler


class Consumer:
    """One consumer queue of a service, with its handlers by routing-key pattern.

    Deliveries are applied in batches (group commit): while one transaction is committing, the
    messages that arrive meanwhile wait and go together in the next one, each with its inbox
    record. A batch that fails is applied again one message at a time, so that only the
    failing message is retried and, in the end, parked.
    """

    def __init__(
        self,
        *,
        queue: str,
        handlers: dict[str, Handler],
        database: Database,
        settings: ServiceSettings,
    ) -> None:
        self.queue_name = queue
        self.handlers = handlers
        self.database = database
        self.settings = settings
        self.waiting: asyncio.Queue[Delivery] = asyncio.Queue()
        self.worker: asyncio.Task | None = None

    async def start(self, connection: AbstractConnection) -> None:
        """Declare the queue family and consume; called again on every new connection."""
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=self.settings.consumer_prefetch)
        exchange = await declare_exchange(channel, self.settings)
        # A queue bound to an event's routing key is bound to its carrier's too.
        bindings = list(dict.fromkeys([*self.handlers, *carriers_of(lambda key: self.handler_for(key) is not None)]))
        queue = await declare_consumer_queue(
            channel, exchange, queue=self.queue_name, bindings=bindings, settings=self.settings
        )
        self.publisher = await connection.channel(publisher_confirms=True, on_return_raises=True)
        if self.worker is None or self.worker.done():
            self.worker = asyncio.create_task(self._apply_forever(), name=f"consumer {self.queue_name}")
        await queue.consume(self.on_message)

    async def stop(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.worker

    def handler_for(self, routing_key: str) -> Handler | None:
        return next(
            (handler for pattern, handler in self.handlers.items() if topic_matches(pattern, routing_key)), None
        )

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            envelope = Envelope.model_validate_json(message.body)
        except ValidationError as error:
            await self.park(message, reason=f"malformed envelope: {error.error_count()} errors")
            return
        try:
            parts = parts_of(envelope)
        except ValueError as error:
            await self.park(message, reason=f"malformed carrier: {error}")
            return
        handler = self.handler_for(parts[0].routing_key) if parts else None
        if handler is None:
            await message.ack()
            CONSUMED.labels(self.queue_name, "ignored").inc()
            return
        events = None
        if getattr(handler, BATCHED, False):
            try:
                carrier = None if parts[0] is envelope else envelope
                events = [typed(part, carrier=carrier) for part in parts]
            except ValidationError as error:  # no retry can make a payload valid
                await self.park(message, reason=f"invalid {parts[0].type} payload: {error.error_count()} errors")
                return
        context = propagate.extract(dict(message.headers or {}))
        self.waiting.put_nowait(Delivery(message, envelope, handler, context, parts=parts, events=events))

    async def _apply_forever(self) -> None:
        while True:
            batch = [await self.waiting.get()]
            events = len(batch[0].parts)  # a carrier counts as the events it carries
            while events < self.settings.consumer_batch_size and not self.waiting.empty():
                batch.append(self.waiting.get_nowait())
                events += len(batch[-1].parts)
            try:
                await self.apply_batch(batch)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the batch failed as a whole: one by one, to find the culprit
                log.info("batch failed; applying one at a time", size=len(batch), error=repr(error))
                for delivery in batch:
                    await self.apply_one(delivery)

    async def apply_batch(self, batch: list[Delivery]) -> None:
        """Apply every new event of the batch in one transaction, then acknowledge them all."""
        outcomes: dict[int, str] = {}

        async def work(uow: UnitOfWork) -> None:
            outcomes.clear()
            ids = [self._inbox_id(d.envelope) for d in batch]
            seen = {d["_id"] for d in await uow.db[INBOX].find({"_id": {"$in": ids}}, {"_id": 1},
                                                                 session=uow.session).to_list(None)}
            fresh = []
            for index, delivery in enumerate(batch):
                inbox_id = ids[index]
                outcomes[index] = "duplicate" if inbox_id in seen else "applied"
                if inbox_id not in seen:
                    seen.add(inbox_id)  # the same event twice in one batch is applied once
                    fresh.append(delivery)
            if fresh:
                await uow.db[INBOX].insert_many([self._inbox_record(d.envelope) for d in fresh], session=uow.session)
            called: set[Any] = set()
            for delivery in fresh:
                with tracer.start_as_current_span(f"{self.queue_name} process", context=delivery.context,
                                                  kind=trace.SpanKind.CONSUMER):
                    if delivery.events is None:
                        for part in delivery.parts:
                            await delivery.handler(uow, part)
                    elif delivery.handler not in called:
                        called.add(delivery.handler)
                        await delivery.handler(uow, [event for d in fresh if d.handler is delivery.handler
                                                     for event in d.events or ()])

        await self.database.transaction(work)
        for index, delivery in enumerate(batch):
            await self._done(delivery, outcomes[index])

    async def apply_one(self, delivery: Delivery) -> None:
        envelope = delivery.envelope

        async def work(uow: UnitOfWork) -> None:
            try:
                await uow.db[INBOX].insert_one(self._inbox_record(envelope), session=uow.session)
            except DuplicateKeyError as duplicate:
                raise AlreadyApplied from duplicate
            if delivery.events is None:
                for part in delivery.parts:
                    await delivery.handler(uow, part)
            else:
                await delivery.handler(uow, delivery.events)

        with tracer.start_as_current_span(f"{self.queue_name} process", context=delivery.context,
                                          kind=trace.SpanKind.CONSUMER):
            try:
                await self.database.transaction(work)
            except AlreadyApplied:
                await self._done(delivery, "duplicate")
            except Exception as error:  # any failure: retry later, then park; never lose it
                log.warning("event handler failed", event_type=envelope.type, event_id=envelope.id,
                            error=repr(error))
                try:
                    await self.retry_or_park(delivery.message, reason=repr(error))
                except Exception:  # could not republish: give it back (the delivery limit still counts)
                    with contextlib.suppress(Exception):  # a lost channel: the broker redelivers it anyway
                        await delivery.message.nack(requeue=True)
            else:
                await self._done(delivery, "applied")

    async def _done(self, delivery: Delivery, outcome: str) -> None:
        with contextlib.suppress(Exception):  # a lost channel: the broker redelivers, the inbox dedupes
            await delivery.message.ack()
        CONSUMED.labels(self.queue_name, outcome).inc()
        with tracer.start_as_current_span("ack", context=delivery.context):
            log.info("event consumed", event_type=delivery.envelope.type, queue=self.queue_name, outcome=outcome,
                     event_id=delivery.envelope.id, estate_id=delivery.envelope.estateid)

    def _inbox_id(self, envelope: Envelope) -> str:
        return f"{self.queue_name}:{envelope.id}"

    def _inbox_record(self, envelope: Envelope) -> dict:
        return {"_id": self._inbox_id(envelope), "applied_at": utcnow(), "type": envelope.type}

    async def retry_or_park(self, message: AbstractIncomingMessage, *, reason: str) -> None:
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 1))
        if attempt >= self.settings.max_attempts:
            await self.park(message, reason=reason)
            return
        delay = retry_delay_ms(self.settings, attempt)
        await self._republish(message, retry_queue_name(self.queue_name, delay), attempt=attempt + 1, reason=reason)
        await message.ack()
        CONSUMED.labels(self.queue_name, "retried").inc()

    async def park(self, message: AbstractIncomingMessage, *, reason: str) -> None:
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 1))
        await self._republish(message, dead_letter_queue_name(self.queue_name), attempt=attempt, reason=reason)
        await message.ack()
        CONSUMED.labels(self.queue_name, "parked").inc()
        log.error("event parked in dead-letter queue", queue=self.queue_name, reason=reason)

    async def _republish(self, message: AbstractIncomingMessage, queue: str, *, attempt: int, reason: str) -> None:
        headers = {**(message.headers or {}), ATTEMPT_HEADER: attempt, "x-last-error": reason[:500]}
        copy = aio_pika.Message(
            body=message.body,
            headers=headers,
            content_type=message.content_type,
            message_id=message.message_id,
            type=message.type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await self.publisher.default_exchange.publish(copy, routing_key=queue, timeout=10)
