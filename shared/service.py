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
from fastapi import APIRouter, Depends, FastAPI, Request

from shared import admin_api
from shared.bus import connect_bus
from shared.consumer import Consumer, Handler, ensure_inbox_indexes
from shared.db import Database, connect
from shared.dead_letters import DeadLetterKeeper
from shared.problems import install_error_handlers
from shared.idempotency import ensure_idempotency_indexes
from shared.logging import configure_logging
from shared.observability import install_observability
from shared.outbox import OutboxRelay, ensure_outbox_indexes
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


class Runtime:
    """The connections and background tasks of one service process."""

    def __init__(self, definition: ServiceDefinition, settings: ServiceSettings) -> None:
        self.definition = definition
        self.settings = settings
        self.database = Database(connect(settings), settings.database_name)
        self.tasks: list[asyncio.Task] = []
        self.connection = None

    async def start(self) -> None:
        await self._ensure_indexes()
        self.connection = await connect_bus(self.settings)
        consumers = [
            Consumer(queue=queue, handlers=handlers, database=self.database, connection=self.connection,
                     settings=self.settings)
            for queue, handlers in self.definition.consumers.items()
        ]
        for consumer in consumers:
            await consumer.start()
        self.dead_letter_keeper = DeadLetterKeeper(
            database=self.database, connection=self.connection, queues=list(self.definition.consumers)
        )
        await self.dead_letter_keeper.start()
        relay = OutboxRelay(database=self.database, connection=self.connection, settings=self.settings)
        self.tasks.append(asyncio.create_task(relay.run(), name="outbox-relay"))
        log.info("service started", consumers=list(self.definition.consumers))

    async def _ensure_indexes(self) -> None:
        await ensure_outbox_indexes(self.database)
        await ensure_inbox_indexes(self.database, self.settings)
        await ensure_idempotency_indexes(self.database)
        if self.definition.ensure_indexes:
            await self.definition.ensure_indexes(self.database)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.close()
        await self.database.client.close()

    def broker_connected(self) -> bool:
        return self.connection is not None and not self.connection.is_closed


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

    app = FastAPI(title=definition.title, version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app)
    install_observability(app, service=definition.name)
    for router in [*definition.routers, admin_api.router]:
        app.include_router(router)
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
