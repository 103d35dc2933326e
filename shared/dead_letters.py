"""Dead letters: parked messages are kept in the database, listed and replayed by operators.

A keeper drains each `<queue>.dlq` into the `dead_letters` collection (the broker's own
dead-lettering on the delivery limit ends there too). Replay puts the message back on its
queue with a fresh attempt count; the inbox makes a replay of an applied event harmless.
"""

from __future__ import annotations

import json
from typing import Any

import aio_pika
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage
from prometheus_client import Counter

from shared.bus import dead_letter_queue_name
from shared.consumer import ATTEMPT_HEADER
from shared.db import Database
from shared.envelope import new_id, utcnow
from shared.errors import NotFound, ServiceUnavailable

DEAD_LETTERS = "dead_letters"
PARKED = Counter("dead_letters_parked_total", "Messages parked after their last attempt", ["queue"])


def _header_text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def dead_letter_document(queue: str, message: AbstractIncomingMessage) -> dict[str, Any]:
    headers = dict(message.headers or {})
    try:
        envelope = json.loads(message.body)
    except ValueError:
        envelope = {}
    if not isinstance(envelope, dict):
        envelope = {}
    death_reason = _header_text(headers.get("x-first-death-reason"))
    return {
        "_id": new_id(),
        "queue": queue,
        "event_id": envelope.get("id"),
        "event_type": envelope.get("type"),
        "company_id": envelope.get("companyid"),
        "estate_id": envelope.get("estateid"),
        "attempts": int(headers.get(ATTEMPT_HEADER, 1) or 1),
        "last_error": _header_text(headers.get("x-last-error")) or death_reason,
        "body": message.body.decode(errors="replace"),
        "parked_at": utcnow(),
        "replayed_at": None,
    }


class DeadLetterKeeper:
    def __init__(self, *, database: Database, queues: list[str]) -> None:
        self.database = database
        self.queues = queues
        self.channel = None

    async def start(self, connection: AbstractConnection) -> None:
        """Drain the dead-letter queues; called again on every new connection."""
        self.channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        for queue in self.queues:
            dead_letter_queue = await self.channel.declare_queue(
                dead_letter_queue_name(queue), durable=True, arguments={"x-queue-type": "quorum"}
            )
            await dead_letter_queue.consume(self._keeper_for(queue))

    def _keeper_for(self, queue: str):
        async def keep(message: AbstractIncomingMessage) -> None:
            await self.database.db[DEAD_LETTERS].insert_one(dead_letter_document(queue, message))
            await message.ack()
            PARKED.labels(queue).inc()

        return keep

    async def replay(self, dead_letter_id: str, *, company_id: str) -> dict[str, Any]:
        collection = self.database.db[DEAD_LETTERS]
        document = await collection.find_one({"_id": dead_letter_id, "company_id": company_id})
        if document is None:
            raise NotFound("dead letter")
        if self.channel is None or self.channel.is_closed:
            raise ServiceUnavailable("the broker is not reachable; replay again shortly")
        message = aio_pika.Message(
            body=document["body"].encode(),
            headers={ATTEMPT_HEADER: 1, "x-replayed-from": dead_letter_id},
            content_type="application/cloudevents+json",
            message_id=document["event_id"],
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await self.channel.default_exchange.publish(message, routing_key=document["queue"], timeout=10)
        replayed_at = utcnow()
        await collection.update_one({"_id": dead_letter_id}, {"$set": {"replayed_at": replayed_at}})
        return {**document, "replayed_at": replayed_at}
