"""MongoDB access with PyMongo's async client, and the unit of work.

A unit of work is one transaction: the documents of a state change and the events it causes
(written to the outbox) commit together or not at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
from collections.abc import Awaitable, Callable
from contextvars import Context
from dataclasses import dataclass
from typing import Any, TypeVar

from opentelemetry import propagate
from pydantic import BaseModel
from prometheus_client import Counter
from pymongo import AsyncMongoClient, DeleteMany, DeleteOne, ReplaceOne, UpdateMany, UpdateOne, monitoring
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from shared.coalesce import CoalescedReads
from shared.envelope import Envelope
from shared.errors import ServiceUnavailable
from shared.events import envelope_for
from shared.settings import ServiceSettings

T = TypeVar("T")
WriteOperation = UpdateOne | UpdateMany | ReplaceOne | DeleteOne | DeleteMany
OUTBOX = "outbox"
COUNTERS = "counters"


ROUND_TRIPS = Counter("mongo_commands_total", "Database commands sent (round trips), by command",
                      ["service", "command"])


class CommandCounter(monitoring.CommandListener):
    """Counts every command this process sends to its database server (one round trip each)."""

    def __init__(self, service: str) -> None:
        self.service = service

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        ROUND_TRIPS.labels(self.service, event.command_name).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def connect(settings: ServiceSettings) -> AsyncMongoClient:
    listeners = [CommandCounter(settings.service_name)] if settings.mongo_count_commands else []
    return AsyncMongoClient(
        settings.mongo_url,
        tz_aware=True,
        serverSelectionTimeoutMS=settings.mongo_server_selection_timeout_ms,
        event_listeners=listeners,
    )


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


@dataclass
class HeldCounter:
    """A counter this transaction has incremented (and so holds): later numbers are counted here."""

    value: int
    unwritten: int = 0


class UnitOfWork:
    """What a command or event handler sees: the database, its session, `emit` and `add`."""

    def __init__(self, db: AsyncDatabase, session: AsyncClientSession) -> None:
        self.db = db
        self.session = session
        self.events: list[Envelope] = []
        self.counters: dict[str, HeldCounter] = {}
        self._inserts: dict[str, list[dict[str, Any]]] = {}
        self._writes: dict[str, list[_Write]] = {}
        # What a handler keeps for the whole transaction and writes once (chain heads, daily figures).
        self.held: dict[str, Any] = {}
        self._before_commit: dict[str, Callable[[], Awaitable[None]]] = {}
        # Called once the transaction has committed (a process's cached copies dropped).
        self.after_commit: list[Callable[[], None]] = []

    def before_commit(self, name: str, write: Callable[[], Awaitable[None]]) -> None:
        """Run `write` once, as part of the commit (after the work): what the work kept in `held`."""
        self._before_commit.setdefault(name, write)

    def add(self, collection: str, document: dict[str, Any]) -> None:
        """Insert `document` when the unit of work commits, with the others of its collection.

        The hot write path: the requests of a group commit share one `insert_many` per
        collection. Reads in this transaction do not see the document before the commit.
        """
        self._inserts.setdefault(collection, []).append(document)

    def write(self, collection: str, operation: WriteOperation, *, or_raise: Exception | None = None) -> None:
        """Apply `operation` (PyMongo's `UpdateOne`, `UpdateMany`, `DeleteMany`…) when the unit of work
        commits: one ordered `bulk_write` per collection, after the inserts (so it may change a
        document `add`ed in this transaction). `or_raise`: raised if an `UpdateOne` matches nothing
        (an optimistic write on a version that moved). Reads in this transaction do not see it.
        """
        self._writes.setdefault(collection, []).append(_Write(operation, or_raise))

    async def flush(self) -> None:
        """Write what `add`, `write` and `shared.counters` kept back; part of every commit."""
        for write in self._before_commit.values():
            await write()
        for collection, documents in self._inserts.items():
            await self.db[collection].insert_many(documents, session=self.session, ordered=True)
        for collection, writes in self._writes.items():
            await _bulk_write(self.db[collection], writes, session=self.session)
        for counter_id, held in self.counters.items():
            if held.unwritten:
                await self.db[COUNTERS].update_one(
                    {"_id": counter_id}, {"$inc": {"value": held.unwritten}}, session=self.session
                )
        self._inserts, self._writes, self.counters, self.held, self._before_commit = {}, {}, {}, {}, {}

    def emit(self, payload: BaseModel, *, subject: str, company_id: str, estate_id: str) -> Envelope:
        envelope = envelope_for(payload, subject=subject, company_id=company_id, estate_id=estate_id)
        envelope.traceparent = current_traceparent()
        self.events.append(envelope)
        return envelope


@dataclass(frozen=True)
class _Write:
    operation: WriteOperation
    or_raise: Exception | None


async def _bulk_write(collection: Any, writes: list[_Write], *, session: AsyncClientSession) -> None:
    """One `bulk_write`; when some writes must match, it is the exact match count that tells (a run
    of checked writes, each an `UpdateOne`, matches one document each or one of them missed)."""
    if not any(write.or_raise for write in writes):
        await collection.bulk_write([write.operation for write in writes], ordered=True, session=session)
        return
    for checked, run in itertools.groupby(writes, key=lambda write: write.or_raise is not None):
        run = list(run)
        result = await collection.bulk_write([write.operation for write in run], ordered=True, session=session)
        if checked and result.matched_count != len(run):
            raise run[0].or_raise


def outbox_document(envelope: Envelope) -> dict[str, Any]:
    """An event waiting for the relay: its envelope kept as the JSON that is published, one string the
    database stores, reads and rewrites (when the relay marks it published) without going field by field
    (a carrier of a billing run's 1,000 bills is ~400 KB); its type and estate beside it, for inspection."""
    return {"_id": envelope.id, "published_at": None, "type": envelope.type, "estate_id": envelope.estateid,
            "body": envelope.model_dump_json()}


def outbox_envelope(document: dict[str, Any]) -> Envelope:
    """The envelope of an outbox document (of one written before envelopes were kept as JSON: its fields)."""
    if "body" in document:
        return Envelope.model_validate_json(document["body"])
    return Envelope.model_validate(document["envelope"])


def _commit_outcome_unknown(error: Exception) -> bool:
    return isinstance(error, PyMongoError) and error.has_error_label("UnknownTransactionCommitResult")


def _answer(answer: asyncio.Future, *, result: Any = None, error: Exception | None = None) -> None:
    if answer.done():  # the caller went away (a client that hung up); its work is committed all the same
        return
    if error is not None:
        answer.set_exception(error)
    else:
        answer.set_result(result)


class Database:
    """A service's own database, and the one place where transactions are committed."""

    # Units of work committed together by `grouped_transaction`, at most.
    GROUP_MAX = 64

    def __init__(self, client: AsyncMongoClient, name: str) -> None:
        self.client = client
        self.db: AsyncDatabase = client[name]
        self._after_commit: list[Callable[[], None]] = []
        self._waiting: asyncio.Queue[tuple[Callable[[UnitOfWork], Awaitable[Any]], asyncio.Future, Context]] = (
            asyncio.Queue()
        )
        self._group_worker: asyncio.Task | None = None
        self._coalesced: dict[str, CoalescedReads] = {}

    def reads_together(self, name: str, fetch_many: Callable[[list], Awaitable[dict]]) -> CoalescedReads:
        """This database's coalesced point reads called `name` (created with `fetch_many` the first time)."""
        if name not in self._coalesced:
            self._coalesced[name] = CoalescedReads(fetch_many)
        return self._coalesced[name]

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Called after every commit that wrote events (the outbox relay wakes on it)."""
        self._after_commit.append(callback)

    async def transaction(self, work: Callable[[UnitOfWork], Awaitable[T]], *,
                          session: AsyncClientSession | None = None) -> T:
        """Run `work` in one transaction together with the outbox writes of its events.

        Transient conflicts are retried by the driver (`with_transaction`), so `work` must
        only touch the database through the unit of work it is given. A caller that must be
        able to name its transactions' session (so that another process can abort them,
        `killSessions`) passes its own `session`.

        A collection changed here is changed only here: SecantusDB retries a write made outside a
        transaction that conflicts with an open one's, server-side and without end, holding locks
        the transactions need (`tests/unit/test_writes_beside_transactions.py` checks the rule).
        """

        wrote_events = False
        committed: list[Callable[[], None]] = []

        async def attempt(session: AsyncClientSession) -> T:
            nonlocal wrote_events
            uow = UnitOfWork(self.db, session)
            committed[:] = []
            uow.after_commit = committed
            result = await work(uow)
            await uow.flush()
            if uow.events:
                await self.db[OUTBOX].insert_many(
                    [outbox_document(e) for e in uow.events], session=session, ordered=True
                )
            wrote_events = bool(uow.events)
            return result

        if session is not None:
            result = await session.with_transaction(attempt)
        else:
            async with self.client.start_session() as own:
                result = await own.with_transaction(attempt)
        for callback in committed:
            callback()
        if wrote_events:
            for callback in self._after_commit:
                callback()
        return result

    async def grouped_transaction(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Like `transaction`, but committed together with whatever other work is waiting (group commit).

        Requests that arrive while a transaction commits share the next one: one commit, one
        outbox write. Each caller is answered only after that commit. If the shared transaction
        fails, each unit of work is run again in its own, so one bad request fails alone.
        """
        if self._group_worker is None or self._group_worker.done():
            self._group_worker = asyncio.create_task(self._commit_groups(), name="group-commit")
        answer: asyncio.Future = asyncio.get_running_loop().create_future()
        # The caller's context goes along, so its work runs in its own trace and log context.
        self._waiting.put_nowait((work, answer, contextvars.copy_context()))
        return await answer

    async def _commit_groups(self) -> None:
        while True:
            group = [await self._waiting.get()]
            while len(group) < self.GROUP_MAX and not self._waiting.empty():
                group.append(self._waiting.get_nowait())

            async def all_of_them(uow: UnitOfWork) -> list[Any]:
                return [await asyncio.create_task(work(uow), context=context) for work, _answer, context in group]

            try:
                results = await self.transaction(all_of_them)
            except asyncio.CancelledError:
                for _work, answer, _context in group:
                    _answer(answer, error=ServiceUnavailable("the service is stopping; retry"))
                raise
            except Exception as error:
                if _commit_outcome_unknown(error):  # it may have committed: running them again could double them
                    for _work, answer, _context in group:
                        _answer(answer, error=error)
                    continue
                for work, answer, context in group:  # each on its own now, so that only the culprit fails
                    try:
                        result = await asyncio.create_task(self.transaction(work), context=context)
                    except Exception as error:  # handed to the request that caused it
                        _answer(answer, error=error)
                    else:
                        _answer(answer, result=result)
                continue
            for (_work, answer, _context), result in zip(group, results, strict=True):
                _answer(answer, result=result)

    async def close(self) -> None:
        if self._group_worker is not None:
            self._group_worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._group_worker
        await self.client.close()

    async def ping(self) -> bool:
        try:
            await self.client.admin.command("ping")
        except Exception:  # readiness reports any failure to reach the server as "not ready"
            return False
        return True
