"""Point reads asked for together share one query; each asker gets its own answer or the error."""

import asyncio

import pytest

from shared.coalesce import CoalescedReads


def test_reads_asked_while_one_is_in_flight_share_the_next_query():
    queries: list[list[str]] = []

    async def fetch_many(keys):
        queries.append(sorted(keys))
        await asyncio.sleep(0)
        return {key: key.upper() for key in keys if key != "missing"}

    async def scenario():
        reads = CoalescedReads(fetch_many)
        return await asyncio.gather(*(reads.get(key) for key in ["a", "b", "c", "a", "missing"]))

    answers = asyncio.run(scenario())
    assert answers == ["A", "B", "C", "A", None]
    assert queries == [["a"], ["a", "b", "c", "missing"]] or queries == [["a", "b", "c", "missing"]]
    assert len(queries) <= 2


def test_a_failed_query_fails_each_of_its_askers_and_the_next_read_works():
    calls = []

    async def fetch_many(keys):
        calls.append(keys)
        if len(calls) == 1:
            raise RuntimeError("server away")
        return {key: 1 for key in keys}

    async def scenario():
        reads = CoalescedReads(fetch_many)
        with pytest.raises(RuntimeError):
            await reads.get("a")
        return await reads.get("a")

    assert asyncio.run(scenario()) == 1


def test_writes_asked_together_share_a_bulk_write_and_a_duplicate_fails_only_its_asker():
    from pymongo import InsertOne
    from pymongo.errors import BulkWriteError, DuplicateKeyError

    from shared.coalesce import CoalescedWrites

    class Collection:
        def __init__(self):
            self.ids, self.calls = {"taken"}, []

        async def bulk_write(self, operations, ordered):
            assert ordered is False
            self.calls.append(len(operations))
            await asyncio.sleep(0)
            errors = []
            for index, operation in enumerate(operations):
                document = operation._doc
                if document["_id"] in self.ids:
                    errors.append({"index": index, "code": 11000, "errmsg": "duplicate key"})
                self.ids.add(document["_id"])
            if errors:
                raise BulkWriteError({"writeErrors": errors})

    collection = Collection()

    async def scenario():
        writes = CoalescedWrites(collection)
        return await asyncio.gather(*(writes.write(InsertOne({"_id": i})) for i in ["a", "taken", "b", "c"]),
                                    return_exceptions=True)

    outcomes = asyncio.run(scenario())
    assert outcomes[0] is None and outcomes[2] is None and outcomes[3] is None
    assert isinstance(outcomes[1], DuplicateKeyError)
    assert sum(collection.calls) == 4 and len(collection.calls) <= 2
