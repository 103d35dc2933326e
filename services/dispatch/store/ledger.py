"""The duty ledger's storage: append-only entries, one chain head per estate, and daily duty figures.

Nothing here updates or deletes an entry. Appends of one estate are serialised by the chain
head: read, then a versioned point update of the head, then the entry, all in the caller's
transaction. A concurrent append conflicts on the head (the driver retries the transaction),
so sequences are gapless and each entry links to the one before it.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne

from services.dispatch.domain.ledger import GENESIS_HASH, entry_id, link_hash
from shared.db import Database, UnitOfWork
from shared.envelope import utcnow
from shared.errors import Conflict

LEDGER_ENTRIES = "ledger_entries"
LEDGER_HEADS = "ledger_heads"
DAILY_FIGURES = "duty_daily_figures"
READ_AT = "sequence_read"  # kept with a held head (never stored): the sequence it had when read
VERIFY_LIMIT = 5000  # entries checked per request; a longer chain is verified range by range


class ChainMoved(Conflict):
    code, title = "ledger_busy", "The duty ledger moved on while appending; try again"


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[LEDGER_ENTRIES].create_index([("estate_id", ASCENDING), ("kind", ASCENDING)])
    await db[LEDGER_HEADS].create_index("unpublished")


def stored_now() -> datetime:
    """Now, to the millisecond the database keeps: an answer built before storing equals a later read."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _json_ready(value: Any) -> Any:
    """Content as it will be stored and hashed: JSON types only (dates as ISO text)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=lambda o: o.isoformat()))


async def append(
    uow: UnitOfWork, key: bytes, *, estate_id: str, company_id: str, kind: str, summary: str,
    details: dict[str, Any] | None = None, by: str = "system", at: datetime | None = None,
    corrects: str | None = None, source: str | None = None,
) -> dict[str, Any]:
    """Append one entry to the estate's chain, inside the caller's transaction.

    The head is read once per transaction and held in the unit of work: the appends of a batch
    (a consumer's batch, a group commit) link on in memory, their entries go in one insert, and
    the head is written once at the commit, on the version it was read at.
    """
    head = await _held_head(uow, estate_id, company_id=company_id)
    now = stored_now()
    sequence = head["sequence"] + 1
    content = _json_ready({
        "estate_id": estate_id, "sequence": sequence, "kind": kind, "at": at or now, "by": by,
        "summary": summary, "details": details or {}, "corrects": corrects, "source": source,
    })
    digest = link_hash(key, content, previous_hash=head["hash"])
    entry = {
        "_id": entry_id(estate_id, sequence), "estate_id": estate_id, "company_id": company_id,
        "sequence": sequence, "kind": kind, "content": content, "previous_hash": head["hash"], "hash": digest,
        "recorded_at": now,
    }
    head.update(sequence=sequence, hash=digest, updated_at=now)
    uow.add(LEDGER_ENTRIES, entry)
    return entry


async def hold_heads(uow: UnitOfWork, companies: dict[str, str]) -> None:
    """Read the chain heads of these estates (estate → company) in one query, for the appends to come."""
    held: dict[str, dict[str, Any]] = uow.held.setdefault(LEDGER_HEADS, {})
    wanted = sorted(estate_id for estate_id in companies if estate_id not in held)
    if not wanted:
        return
    for document in await uow.db[LEDGER_HEADS].find({"_id": {"$in": wanted}}, session=uow.session).to_list(None):
        held[document["_id"]] = {**document, READ_AT: document["sequence"]}
    for estate_id in wanted:
        await _held_head(uow, estate_id, company_id=companies[estate_id])


async def _held_head(uow: UnitOfWork, estate_id: str, *, company_id: str) -> dict[str, Any]:
    held: dict[str, dict[str, Any]] = uow.held.setdefault(LEDGER_HEADS, {})
    uow.before_commit(LEDGER_HEADS, lambda: _write_heads(uow, held))
    if estate_id in held:
        return held[estate_id]
    heads = uow.db[LEDGER_HEADS]
    head = await heads.find_one({"_id": estate_id}, session=uow.session)
    if head is None:  # the estate's first entry: create the head first (racing upserts are unsafe here)
        await heads.update_one(
            {"_id": estate_id},
            {"$setOnInsert": {"estate_id": estate_id, "company_id": company_id, "sequence": 0,
                              "hash": GENESIS_HASH, "version": 0, "unpublished": False, "published_sequence": 0}},
            upsert=True, session=uow.session,
        )
        head = await heads.find_one({"_id": estate_id}, session=uow.session)
    held[estate_id] = head = {**head, READ_AT: head["sequence"]}
    return head


async def _write_heads(uow: UnitOfWork, held: dict[str, dict[str, Any]]) -> None:
    """Each moved head once, if nobody moved it since it was read (optimistic, by version): one write."""
    for estate_id, head in held.items():
        if head[READ_AT] == head["sequence"]:
            continue  # read for appends that did not come
        uow.write(LEDGER_HEADS, UpdateOne(
            {"_id": estate_id, "version": head["version"]},
            {"$set": {"sequence": head["sequence"], "hash": head["hash"], "unpublished": True,
                      "updated_at": head["updated_at"]}, "$inc": {"version": 1}},
        ), or_raise=ChainMoved())


async def head(database: Database | UnitOfWork, estate_id: str) -> dict[str, Any]:
    session = getattr(database, "session", None)
    document = await database.db[LEDGER_HEADS].find_one({"_id": estate_id}, session=session)
    return document or {"_id": estate_id, "estate_id": estate_id, "sequence": 0, "hash": GENESIS_HASH}


def _estate_range(estate_id: str) -> dict[str, str]:
    # Entry ids are "<estate>:<sequence>"; ";" sorts right after ":".
    return {"$gt": f"{estate_id}:", "$lt": f"{estate_id};"}


async def entries_between(database: Database, estate_id: str, *, first: int, last: int) -> list[dict[str, Any]]:
    """Entries `first`..`last` in sequence order: a range of ids, so a deleted one is simply absent."""
    query = {"_id": {"$gte": entry_id(estate_id, first), "$lte": entry_id(estate_id, last)}}
    return await database.db[LEDGER_ENTRIES].find(query).sort("_id", ASCENDING).to_list(None)


async def find_entry(database: Database | UnitOfWork, estate_id: str, *, entry: str) -> dict[str, Any] | None:
    session = getattr(database, "session", None)
    return await database.db[LEDGER_ENTRIES].find_one({"_id": entry, "estate_id": estate_id}, session=session)


async def page_of_entries(
    database: Database, estate_id: str, *, limit: int, before_id: str | None, kind: str | None
) -> list[dict[str, Any]]:
    """Newest first; `before_id` continues a previous page."""
    bounds = _estate_range(estate_id)
    if before_id:
        bounds["$lt"] = min(before_id, bounds["$lt"])
    query: dict[str, Any] = {"_id": bounds, "estate_id": estate_id}
    if kind:
        query["kind"] = kind
    return await database.db[LEDGER_ENTRIES].find(query).sort("_id", DESCENDING).to_list(limit + 1)


# --- published heads -------------------------------------------------------------------


async def heads_to_publish(database: Database) -> list[dict[str, Any]]:
    return await database.db[LEDGER_HEADS].find({"unpublished": True}).to_list(None)


async def claim_head_publication(uow: UnitOfWork, head_document: dict[str, Any], *, now: datetime) -> bool:
    """One replica publishes a given head: a conditional point update on the version it read."""
    result = await uow.db[LEDGER_HEADS].update_one(
        {"_id": head_document["_id"], "version": head_document["version"], "unpublished": True},
        {"$set": {"unpublished": False, "published_sequence": head_document["sequence"], "published_at": now}},
        session=uow.session,
    )
    return result.modified_count == 1


# --- daily duty figures (for the next morning's duty screen) ----------------------------


async def count_daily_figure(uow: UnitOfWork, estate_id: str, *, day: date, figure: str) -> None:
    """Counted in the unit of work; each day's document written once per transaction."""
    held: dict[tuple[str, str], dict[str, int]] = uow.held.setdefault(DAILY_FIGURES, {})
    counts = held.setdefault((estate_id, day.isoformat()), {})
    counts[figure] = counts.get(figure, 0) + 1
    uow.before_commit(DAILY_FIGURES, lambda: _write_daily_figures(uow, held))


async def _write_daily_figures(uow: UnitOfWork, held: dict[tuple[str, str], dict[str, int]]) -> None:
    for (estate_id, day), counts in held.items():
        await uow.db[DAILY_FIGURES].update_one(
            {"_id": f"{estate_id}:{day}"}, {"$inc": counts, "$setOnInsert": {"estate_id": estate_id, "day": day}},
            upsert=True, session=uow.session,
        )


async def daily_figures(database: Database, estate_id: str, *, day: date) -> dict[str, Any]:
    document = await database.db[DAILY_FIGURES].find_one({"_id": f"{estate_id}:{day.isoformat()}"})
    return {"day": day, **{k: (document or {}).get(k, 0) for k in ("created", "completed", "breached")}}
