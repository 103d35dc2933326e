"""The app factory and process runtime every service shares.

A service describes itself (routers, consumer queues and their handlers, indexes); this module
wires it: settings, logging, tracing, errors, metrics, the database, the bus, the outbox relay,
the consumers and the dead-letter keeper. Nothing connects before the app starts.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

import structlog
import uvicorn
from aio_pika.abc import AbstractConnection
from fastapi import APIRouter, Depends, FastAPI, Request

from shared import admin_api, api_docs, cache
from shared.bus import Bus
from shared.consumer import Consumer, Handler, ensure_inbox_indexes
from shared.db import Database, connect
from shared.dead_letters import DeadLetterKeeper
from shared.guard import guard_routes
from shared.idempotency import ensure_idempotency_indexes
from shared.idempotent_requests import install_idempotent_posts
from shared.limits import BodySizeLimit, RateLimiter, body_limit
from shared.logging import configure_logging
from shared.observability import install_observability
from shared.outbox import OutboxRelay, ensure_outbox_indexes
from shared.problems import install_error_handlers
from shared.settings import ServiceSettings
from shared.tracing import configure_tracing

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    routers: list[APIRouter]
    # queue name → {routing-key pattern → handler}
    consumers: dict[str, dict[str, Handler]] = field(default_factory=dict)
    ensure_indexes: Callable[[Database], Awaitable[None]] | None = None
    # Long-running tasks of the service (schedulers), started with it, cancelled on shutdown.
    background: tuple[Callable[[Database, ServiceSettings], Awaitable[None]], ...] = ()
    # Path patterns (regular expressions) whose bodies may be uploads up to `max_upload_bytes`.
    upload_paths: tuple[str, ...] = ()


class Runtime:
    """The connections and background tasks of one service process."""

    # How long a starting service waits for the broker before it gives up (its queues must
    # exist before it takes traffic, or events published meanwhile would find no queue).
    BROKER_WAIT_S = 60

    def __init__(self, definition: ServiceDefinition, settings: ServiceSettings) -> None:
        self.definition = definition
        self.settings = settings
        cache.configure(settings.read_cache_ttl_s)
        self.database = Database(connect(settings), settings.database_name)
        self.consumers = [
            Consumer(queue=queue, handlers=handlers, database=self.database, settings=settings)
            for queue, handlers in definition.consumers.items()
        ]
        self.dead_letter_keeper = DeadLetterKeeper(database=self.database, queues=list(definition.consumers))
        self.bus = Bus(settings, self._on_broker_connected)
        self.tasks: list[asyncio.Task] = []

    async def _on_broker_connected(self, connection: AbstractConnection) -> None:
        for consumer in self.consumers:
            await consumer.start(connection)
        await self.dead_letter_keeper.start(connection)

    async def start(self) -> None:
        await self._ensure_indexes()
        relay = OutboxRelay(database=self.database, bus=self.bus, settings=self.settings)
        self.tasks = [
            asyncio.create_task(self.bus.run(), name="bus"),
            asyncio.create_task(relay.run(), name="outbox-relay"),
            *(asyncio.create_task(task(self.database, self.settings)) for task in self.definition.background),
        ]
        await asyncio.wait_for(self.bus.connected.wait(), timeout=self.BROKER_WAIT_S)
        log.info("service started", consumers=list(self.definition.consumers))

    async def _ensure_indexes(self) -> None:
        await ensure_outbox_indexes(self.database)
        await ensure_inbox_indexes(self.database, self.settings)
        await ensure_idempotency_indexes(self.database)
        if self.definition.ensure_indexes:
            await self.definition.ensure_indexes(self.database)

    async def stop(self) -> None:
        for consumer in self.consumers:
            await consumer.stop()
        for task in reversed(self.tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self.bus.close()
        await self.database.close()

    def broker_connected(self) -> bool:
        return self.bus.is_connected


def create_app(definition: ServiceDefinition, settings: ServiceSettings) -> FastAPI:
    configure_logging(service=definition.name, level=settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(definition, settings)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=definition.title, version="1.0.0", lifespan=lifespan, **api_docs.APP_OPTIONS)
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter(
        rate=settings.rate_limit_per_s, burst=settings.rate_limit_burst,
        resident_rate=settings.resident_rate_limit_per_s, resident_burst=settings.resident_rate_limit_burst,
    )
    limits = {"max_bytes": settings.max_body_bytes, "upload_max_bytes": settings.max_upload_bytes,
              "upload_paths": definition.upload_paths}
    app.add_middleware(BodySizeLimit, **limits)
    # Outside the body limit: it reads a body only up to the limit, and leaves a larger one to BodySizeLimit.
    install_idempotent_posts(app, limit_for=body_limit(**limits))
    install_error_handlers(app)
    install_observability(app, service=definition.name)
    for router in [*definition.routers, admin_api.router]:
        app.include_router(router)
    guard_routes(app)  # who is asking, before what they sent is read
    api_docs.install_docs(app)
    configure_tracing(app, settings)
    return app


def get_database(request: Request) -> Database:
    return request.app.state.runtime.database


DatabaseDep = Annotated[Database, Depends(get_database)]


def serve(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    """Run one service process: `python -m services.<name>`."""
    uvicorn.run(
        create_app(definition, settings), host=settings.http_host, port=settings.http_port,
        log_config=None, access_log=False, timeout_graceful_shutdown=5,
    )
