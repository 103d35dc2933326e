"""MongoDB access with PyMongo's async client, and the unit of work.

A unit of work is one transaction: the documents of a state change and the events it causes
(written to the outbox) commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from opentelemetry import propagate
from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared.envelope import Envelope
from shared.events import envelope_for
from shared.settings import ServiceSettings

T = TypeVar("T")
OUTBOX = "outbox"


def connect(settings: ServiceSettings) -> AsyncMongoClient:
    return AsyncMongoClient(
        settings.mongo_url,
        tz_aware=True,
        serverSelectionTimeoutMS=settings.mongo_server_selection_timeout_ms,
    )


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


class UnitOfWork:
    """What a command or event handler sees: the database, its session, and `emit`."""

    def __init__(self, db: AsyncDatabase, session: AsyncClientSession) -> None:
        self.db = db
        self.session = session
        self.events: list[Envelope] = []

    def emit(self, payload: BaseModel, *, subject: str, company_id: str, estate_id: str) -> Envelope:
        envelope = envelope_for(payload, subject=subject, company_id=company_id, estate_id=estate_id)
        envelope.traceparent = current_traceparent()
        self.events.append(envelope)
        return envelope


def outbox_document(envelope: Envelope) -> dict[str, Any]:
    return {"_id": envelope.id, "published_at": None, "envelope": envelope.model_dump(mode="json")}


class Database:
    """A service's own database, and the one place where transactions are committed."""

    def __init__(self, client: AsyncMongoClient, name: str) -> None:
        self.client = client
        self.db: AsyncDatabase = client[name]
        self._after_commit: list[Callable[[], None]] = []

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Called after every commit that wrote events (the outbox relay wakes on it)."""
        self._after_commit.append(callback)

    async def transaction(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run `work` in one transaction together with the outbox writes of its events.

        Transient conflicts are retried by the driver (`with_transaction`), so `work` must
        only touch the database through the unit of work it is given.
        """

        wrote_events = False

        async def attempt(session: AsyncClientSession) -> T:
            nonlocal wrote_events
            uow = UnitOfWork(self.db, session)
            result = await work(uow)
            if uow.events:
                await self.db[OUTBOX].insert_many(
                    [outbox_document(e) for e in uow.events], session=session, ordered=True
                )
            wrote_events = bool(uow.events)
            return result

        async with self.client.start_session() as session:
            result = await session.with_transaction(attempt)
        if wrote_events:
            for callback in self._after_commit:
                callback()
        return result

    async def ping(self) -> bool:
        try:
            await self.client.admin.command("ping")
        except Exception:  # readiness reports any failure to reach the server as "not ready"
            return False
        return True
