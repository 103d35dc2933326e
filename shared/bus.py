"""RabbitMQ: one topic exchange for every event, and each consumer's queue family.

A consumer queue `<service>.<purpose>` is a durable quorum queue with an explicit delivery
limit; failed messages wait in `<queue>.retry.<ms>` queues whose TTL dead-letters them back,
and end in the quorum queue `<queue>.dlq` (also the broker's dead-letter target when the
delivery limit is reached, e.g. a message that keeps killing its consumer).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import aio_pika
import structlog
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange

from shared.settings import ServiceSettings

log = structlog.get_logger(__name__)


async def connect_bus(settings: ServiceSettings) -> AbstractConnection:
    return await aio_pika.connect(settings.amqp_url, timeout=10)


class Bus:
    """The process's one broker connection, re-established with everything on it when it drops.

    `on_connect` declares the topology and starts the consumers on each new connection; the
    outbox relay opens its channels from `connection` whenever it finds its channel closed.
    """

    def __init__(self, settings: ServiceSettings, on_connect: Callable[[AbstractConnection], Awaitable[None]]) -> None:
        self.settings = settings
        self.on_connect = on_connect
        self.connection: AbstractConnection | None = None
        self.connected = asyncio.Event()

    @property
    def is_connected(self) -> bool:
        return self.connected.is_set() and self.connection is not None and not self.connection.is_closed

    async def run(self) -> None:
        backoff = 0.2
        while True:
            lost = asyncio.Event()
            try:
                self.connection = await connect_bus(self.settings)
                self.connection.close_callbacks.add(lambda *_: lost.set())
                await self.on_connect(self.connection)
                self.connected.set()
                log.info("broker connected")
                backoff = 0.2
                await lost.wait()
                log.warning("broker connection lost")
            except asyncio.CancelledError:
                raise
            except Exception as error:  # broker away or restarting: try again, a little later each time
                log.warning("broker not reachable", error=repr(error), retry_in_s=backoff)
            finally:
                self.connected.clear()
                if self.connection is not None and not self.connection.is_closed:
                    with contextlib.suppress(Exception):
                        await self.connection.close()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    async def close(self) -> None:
        if self.connection is not None and not self.connection.is_closed:
            await self.connection.close()


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
