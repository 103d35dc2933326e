"""Reading by many values in pieces (`shared.reads.find_in`) finds what one `$in` would, each document once."""

from __future__ import annotations

from ulid import ULID

from shared.reads import IN_PIECE, find_in


async def test_many_values_find_each_matching_document_once(database):
    collection = database.db[f"reads_{str(ULID()).lower()}"]
    # Residents of two units each, and the two units often in different pieces of the values asked for.
    await collection.insert_many([{"_id": f"r{n:04d}", "estate_id": "e1" if n % 5 else "e2",
                                   "unit_ids": [f"u{n:04d}", f"u{(n + 137) % 400:04d}"]} for n in range(400)])
    asked = [f"u{n:04d}" for n in range(0, 400, 2)] + ["u9999"]  # 201 values: five pieces
    assert len(asked) > 4 * IN_PIECE
    found = await find_in(collection, field="unit_ids", values=asked, query={"estate_id": "e1"})
    expected = await collection.find({"estate_id": "e1", "unit_ids": {"$in": asked}}).to_list(None)
    assert sorted(d["_id"] for d in found) == sorted(d["_id"] for d in expected)
    assert len({d["_id"] for d in found}) == len(found) > 0
    by_id = await find_in(collection, field="_id", values={"r0001", "r0399", "nobody"}, projection={"_id": 1})
    assert sorted(by_id, key=lambda d: d["_id"]) == [{"_id": "r0001"}, {"_id": "r0399"}]
    assert await find_in(collection, field="_id", values=[]) == []
