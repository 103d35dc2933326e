"""Consuming events through the inbox: each event applied once, acked only after commit.

The effect of an event and the record of its id are written in one transaction; the inbox's
unique `_id` makes a redelivered or republished event a no-op. A handler that fails is
retried after growing delays, then parked in the queue's dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import aio_pika
import structlog
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage
from opentelemetry import propagate, trace
from prometheus_client import Counter
from pydantic import ValidationError
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
from shared.locks import KeyedLocks
from shared.settings import ServiceSettings

log = structlog.get_logger(__name__)
tracer = trace.get_tracer(__name__)

Handler = Callable[[UnitOfWork, Envelope], Awaitable[None]]
INBOX = "inbox"
ATTEMPT_HEADER = "x-attempt"
CONSUMED = Counter("events_consumed_total", "Events taken from a queue", ["queue", "outcome"])


class AlreadyApplied(Exception):
    """The inbox already holds this event: nothing more to do."""


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


class Consumer:
    """One consumer queue of a service, with its handlers by routing-key pattern."""

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
        # Events of one estate are applied one at a time in this process (see shared.locks).
        self.estate_locks = KeyedLocks()

    async def start(self, connection: AbstractConnection) -> None:
        """Declare the queue family and consume; called again on every new connection."""
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=self.settings.consumer_prefetch)
        exchange = await declare_exchange(channel, self.settings)
        queue = await declare_consumer_queue(
            channel, exchange, queue=self.queue_name, bindings=list(self.handlers), settings=self.settings
        )
        self.publisher = await connection.channel(publisher_confirms=True, on_return_raises=True)
        await queue.consume(self.on_message)

    def handler_for(self, routing_key: str) -> Handler | None:
        return next(
            (handler for pattern, handler in self.handlers.items() if topic_matches(pattern, routing_key)), None
        )

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        context = propagate.extract(dict(message.headers or {}))
        with tracer.start_as_current_span(f"{self.queue_name} process", context=context, kind=trace.SpanKind.CONSUMER):
            try:
                envelope = Envelope.model_validate_json(message.body)
            except ValidationError as error:
                await self.park(message, reason=f"malformed envelope: {error.error_count()} errors")
                return
            structlog.contextvars.bind_contextvars(event_id=envelope.id, estate_id=envelope.estateid)
            try:
                outcome = await self.apply(envelope)
            except Exception as error:  # any failure: retry later, then park; never lose it
                log.warning("event handler failed", event_type=envelope.type, error=repr(error))
                await self.retry_or_park(message, reason=repr(error))
            else:
                await message.ack()
                CONSUMED.labels(self.queue_name, outcome).inc()
                log.info("event consumed", event_type=envelope.type, queue=self.queue_name, outcome=outcome)
            finally:
                structlog.contextvars.unbind_contextvars("event_id", "estate_id")

    async def apply(self, envelope: Envelope) -> str:
        """Apply the event once; says whether it was `applied`, a `duplicate` or `ignored`."""
        handler = self.handler_for(envelope.routing_key)
        if handler is None:
            return "ignored"

        async def work(uow: UnitOfWork) -> None:
            try:
                await uow.db[INBOX].insert_one(
                    {"_id": f"{self.queue_name}:{envelope.id}", "applied_at": utcnow(), "type": envelope.type},
                    session=uow.session,
                )
            except DuplicateKeyError as duplicate:
                raise AlreadyApplied from duplicate
            await handler(uow, envelope)

        try:
            async with self.estate_locks.hold(envelope.estateid):
                await self.database.transaction(work)
        except AlreadyApplied:
            return "duplicate"
        return "applied"

    async def retry_or_park(self, message: AbstractIncomingMessage, *, reason: str) -> None:
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 1))
        if attempt >= self.settings.max_attempts:
            await self.park(message, reason=reason)
            return
        delay = retry_delay_ms(self.settings, attempt)
        await self._republish(message, retry_queue_name(self.queue_name, delay), attempt + 1, reason)
        await message.ack()
        CONSUMED.labels(self.queue_name, "retried").inc()

    async def park(self, message: AbstractIncomingMessage, *, reason: str) -> None:
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 1))
        await self._republish(message, dead_letter_queue_name(self.queue_name), attempt, reason)
        await message.ack()
        CONSUMED.labels(self.queue_name, "parked").inc()
        log.error("event parked in dead-letter queue", queue=self.queue_name, reason=reason)

    async def _republish(self, message: AbstractIncomingMessage, queue: str, attempt: int, reason: str) -> None:
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
