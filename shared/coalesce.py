"""Point reads (and writes) that arrive together go together: one `$in` query, one `bulk_write`.

The hot write path (intake's contacts, in a group commit) reads a few documents per request
before its transaction: the Idempotency-Key's record, the caller by phone. Against a server
that answers one request at a time, 64 requests' reads one by one are the queue in front of
the group commit; here the keys asked for while a query is in flight wait and share the next
one, so a group's requests cost one query per kind of read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class CoalescedReads(Generic[K, V]):
    """`fetch_many(keys)` answers {key: value} for the keys it found; a key not in it is None."""

    def __init__(self, fetch_many: Callable[[list[K]], Awaitable[dict[K, V]]], max_keys: int = 256) -> None:
        self.fetch_many, self.max_keys = fetch_many, max_keys
        self._waiting: dict[K, list[asyncio.Future]] = {}
        self._worker: asyncio.Task | None = None

    async def get(self, key: K) -> V | None:
        answer: asyncio.Future = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append(answer)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._read_while_asked(), name="coalesced reads")
        return await answer

    async def _read_while_asked(self) -> None:
        while self._waiting:
            keys = list(self._waiting)[: self.max_keys]
            asked = {key: self._waiting.pop(key) for key in keys}
            try:
                found = await self.fetch_many(keys)
            except Exception as error:  # each asker gets the error, as its own read would have
                _answer_all(asked.values(), error=error)
                continue
            except BaseException:  # cancelled: the askers must not wait forever
                for answers in asked.values():
                    for answer in answers:
                        answer.cancel()
                raise
            for key, answers in asked.items():
                _answer_all([answers], value=found.get(key))


def _answer_all(groups: Iterable[list[asyncio.Future]], *, value=None, error: Exception | None = None) -> None:
    for answers in groups:
        for answer in answers:
            if answer.done():  # the asker went away
                continue
            if error is not None:
                answer.set_exception(error)
            else:
                answer.set_result(value)


class CoalescedWrites:
    """Single-document writes outside transactions (InsertOne, UpdateOne, DeleteOne) of one
    collection: those asked for while a write is in flight share the next unordered `bulk_write`.
    Each asker gets its own outcome: a duplicate key is its `DuplicateKeyError`, as `insert_one`'s."""

    def __init__(self, collection: Any, max_ops: int = 512) -> None:
        self.collection, self.max_ops = collection, max_ops
        self._waiting: list[tuple[Any, asyncio.Future]] = []
        self._worker: asyncio.Task | None = None

    async def write(self, operation: Any) -> None:
        answer: asyncio.Future = asyncio.get_running_loop().create_future()
        self._waiting.append((operation, answer))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._write_while_asked(), name="coalesced writes")
        await answer

    async def _write_while_asked(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[: self.max_ops], self._waiting[self.max_ops:]
            failed: dict[int, dict] = {}
            try:
                await self.collection.bulk_write([operation for operation, _ in batch], ordered=False)
            except BulkWriteError as error:
                failed = {e["index"]: e for e in error.details.get("writeErrors", [])}
            except Exception as error:  # each asker gets the error, as its own write would have
                _answer_all([[answer for _, answer in batch]], error=error)
                continue
            except BaseException:
                for _, answer in batch:
                    answer.cancel()
                raise
            for index, (_, answer) in enumerate(batch):
                if answer.done():
                    continue
                if index in failed:
                    detail = failed[index]
                    kind = DuplicateKeyError if detail.get("code") in (11000, 11001) else OperationFailure
                    answer.set_exception(kind(detail.get("errmsg", "write failed"), detail.get("code"), detail))
                else:
                    answer.set_result(None)
