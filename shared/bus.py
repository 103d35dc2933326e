"""RabbitMQ: one topic exchange for every event, and each consumer's queue family.

A consumer queue `<service>.<purpose>` is a durable quorum queue with an explicit delivery
limit; failed messages wait in `<queue>.retry.<ms>` queues whose TTL dead-letters them back,
and end in the quorum queue `<queue>.dlq` (also the broker's dead-letter target when the
delivery limit is reached, e.g. a message that keeps killing its consumer).
"""

from __future__ import annotations

import asyncio

import aio_pika
import structlog
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from shared.settings import ServiceSettings

log = structlog.get_logger(__name__)


async def connect_bus(settings: ServiceSettings, *, attempts: int = 60) -> AbstractRobustConnection:
    """A self-reconnecting connection; waits (bounded) for a broker that is still starting."""
    for attempt in range(1, attempts + 1):
        try:
            return await aio_pika.connect_robust(settings.amqp_url, reconnect_interval=1)
        except (ConnectionError, OSError, aio_pika.exceptions.AMQPConnectionError) as error:
            if attempt == attempts:
                raise
            log.warning("broker not reachable yet", attempt=attempt, error=str(error))
            await asyncio.sleep(0.5)
    raise AssertionError("unreachable")


async def declare_exchange(channel: AbstractChannel, settings: ServiceSettings) -> AbstractExchange:
    return await channel.declare_exchange(
        settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dlq"


def retry_queue_name(queue: str, delay_ms: int) -> str:
    return f"{queue}.retry.{delay_ms}"


def retry_delay_ms(settings: ServiceSettings, attempt: int) -> int:
    """Delay before attempt `attempt + 1`: 1 s, 5 s, 25 s, 60 s… by default."""
    delays = settings.retry_delays_ms
    return delays[min(attempt - 1, len(delays) - 1)]


async def declare_consumer_queue(
    channel: AbstractChannel, exchange: AbstractExchange, *, queue: str, bindings: list[str], settings: ServiceSettings
) -> aio_pika.abc.AbstractQueue:
    quorum = {"x-queue-type": "quorum"}
    await channel.declare_queue(dead_letter_queue_name(queue), durable=True, arguments=quorum)
    for delay in sorted(set(settings.retry_delays_ms)):
        await channel.declare_queue(
            retry_queue_name(queue, delay),
            durable=True,
            arguments={
                "x-message-ttl": delay,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": queue,
            },
        )
    main = await channel.declare_queue(
        queue,
        durable=True,
        arguments={
            **quorum,
            "x-delivery-limit": settings.max_attempts,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": dead_letter_queue_name(queue),
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )
    for routing_key in bindings:
        await main.bind(exchange, routing_key=routing_key)
    return main
