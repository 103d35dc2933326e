"""`billing.bill.issued` when a line is issued, `billing.bill.overdue` once when it passes its due date unpaid.

Issuing a line by a meter reading or a one-off charge emits its event in the same transaction. A
run's chunk emits, in its transaction, one `billing.bills.issued`: the carrier of its lines'
`billing.bill.issued` events (consumers get them one by one), so that a run of 100,000 bills is
100 outbox documents and messages, not 100,000. (Runs of an earlier version noted their chunks' lines
in `bill_announcements` for a periodic pass to announce; `announce_issued` still drains such notes.)

Announcing lines also notes those with something owed under their due date in `bill_due_watch`:
one small document per (transaction, due date), not a field and an index on every line (a run
inserts 100,000 of them). A periodic pass takes the watch documents whose due date has passed in
the estate's own day and, one document per transaction, announces the lines still owed and
deletes the document: each bill is announced overdue once (after its issue), a paid or waived one
not at all. The overdue bills of one watch document travel as one carrier (`billing.bills.overdue`):
a run's chunk billed for a past period is overdue at once, a thousand bills at a time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from services.billing import store
from services.billing.domain.bills import outstanding
from services.billing.settings import BillingSettings
from shared.db import OUTBOX, Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.estates import estate_time_zone, local_day
from shared.events import BillIssued, BillOverdue, BillsIssued, BillsOverdue
from shared.money import fen_to_text
from shared.periodic import PeriodicJob

# Beyond this many ids an `$in` costs more than walking an index range on SecantusDB (1,000 ids: ~10 s).
IN_LIMIT = 50


def line_refs(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """How to find these lines again: their ids, and for many of one estate and period the index range
    (estate, period, unit) they lie in."""
    refs: dict[str, Any] = {"line_ids": [line["_id"] for line in lines]}
    if len(lines) > IN_LIMIT and len({(line["estate_id"], line["period"]) for line in lines}) == 1:
        units = sorted(line["unit_id"] for line in lines)
        refs.update(estate_id=lines[0]["estate_id"], period=lines[0]["period"], unit_range=[units[0], units[-1]])
    return refs


async def _lines_of(uow: UnitOfWork, refs: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = set(refs["line_ids"])
    if "unit_range" not in refs:
        return await store.find_all(uow, store.BILL_LINES, query={"_id": {"$in": sorted(wanted)}})
    first, last = refs["unit_range"]
    return [line for line in await store.find_all(uow, store.BILL_LINES, query={
        "estate_id": refs["estate_id"], "period": refs["period"], "unit_id": {"$gte": first, "$lte": last}})
        if line["_id"] in wanted]


async def _units_of(uow: UnitOfWork, lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Who lives in the lines' units (a range of the estate's units when they are many)."""
    unit_ids = sorted({line["unit_id"] for line in lines})
    if not unit_ids:
        return {}
    if len(unit_ids) <= IN_LIMIT:
        query: dict[str, Any] = {"_id": {"$in": unit_ids}}
    else:
        query = {"estate_id": lines[0]["estate_id"], "unit_id": {"$gte": unit_ids[0], "$lte": unit_ids[-1]}}
    wanted = set(unit_ids)
    return {u["_id"]: u for u in await store.find_all(uow, store.UNITS, query=query,
                                                      projection={"resident_ids": 1, "owner_ids": 1})
            if u["_id"] in wanted}


def _people(unit: dict[str, Any] | None) -> dict[str, list[str]]:
    unit = unit or {}
    return {"resident_ids": list(unit.get("resident_ids") or []), "owner_ids": list(unit.get("owner_ids") or [])}


def _bill_issued(line: dict[str, Any], unit: dict[str, Any] | None) -> BillIssued:
    return BillIssued(
        bill_id=line["_id"], unit_id=line["unit_id"], **_people(unit),
        item=line["item_code"], item_name_zh=line["item_name_zh"], item_name_en=line["item_name_en"],
        period=line["period"], amount_fen=line["amount_fen"], amount=fen_to_text(line["amount_fen"]),
        due_date=date.fromisoformat(line["due_date"]), paid_fen=line["paid_fen"],
    )


def issued(uow: UnitOfWork, lines: list[dict[str, Any]], *, units: dict[str, dict[str, Any]],
           carried_as: str | None = None) -> None:
    """The events of new lines and their due-date watch (`units` by id, for who lives there): one event
    per line, or with `carried_as` (the carrier's subject) one carrier per estate for them all."""
    if carried_as is None:
        for line in lines:
            uow.emit(_bill_issued(line, units.get(line["unit_id"])), subject=line["_id"],
                     company_id=line["company_id"], estate_id=line["estate_id"])
    else:
        by_estate: dict[tuple[str, str], list[BillIssued]] = defaultdict(list)
        for line in lines:
            by_estate[(line["company_id"], line["estate_id"])].append(_bill_issued(line, units.get(line["unit_id"])))
        for (company_id, estate_id), bills in by_estate.items():
            uow.emit(BillsIssued(bills=bills), subject=carried_as, company_id=company_id, estate_id=estate_id)
    watched: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        if outstanding(line) > 0:
            watched[(line["estate_id"], line["company_id"], line["due_date"])].append(line)
    for (estate_id, company_id, due_date), owed in watched.items():
        uow.add(store.DUE_WATCH, {"_id": new_id(), "estate_id": estate_id, "company_id": company_id,
                                  "due_date": due_date, **line_refs(owed)})


async def _issue_noted(uow: UnitOfWork, note: dict[str, Any]) -> int:
    result = await uow.db[store.ANNOUNCEMENTS].delete_one({"_id": note["_id"]}, session=uow.session)
    if result.deleted_count != 1:  # another replica announced these
        return 0
    lines = await _lines_of(uow, note)
    issued(uow, lines, units=await _units_of(uow, lines), carried_as=note["_id"])
    return len(lines)


async def _relay_is_behind(database: Database, most: int) -> bool:
    """More than `most` events wait in the outbox. The relay's read of what waits costs as much as
    what waits on SecantusDB (it reads every match before its limit), so a run of 100,000 lines
    announced at once made every pass read the whole backlog: notes wait for the relay instead."""
    waiting = await database.db[OUTBOX].find({"published_at": None}, {"_id": 1}).limit(most + 1).batch_size(
        most + 1).to_list(None)
    return len(waiting) > most


async def announce_issued(database: Database, settings: BillingSettings | None = None) -> int:
    """One pass: the lines that runs of an earlier version noted, announced (oldest notes first) while the
    relay keeps up."""
    most = (settings or BillingSettings()).announce_outbox_backlog_max
    announced = 0
    for note in await store.find_all(database, store.ANNOUNCEMENTS, query={}, projection={"_id": 1}, sort=[("_id", 1)]):
        if await _relay_is_behind(database, most):
            break
        full = await store.find_one(database, store.ANNOUNCEMENTS, query={"_id": note["_id"]})
        if full is not None:
            announced += await database.transaction(lambda uow, full=full: _issue_noted(uow, full))
    return announced


async def _announce(uow: UnitOfWork, watch: dict[str, Any]) -> int:
    result = await uow.db[store.DUE_WATCH].delete_one({"_id": watch["_id"]}, session=uow.session)
    if result.deleted_count != 1:  # another replica announced these
        return 0
    lines = await _lines_of(uow, watch)
    owing = [line for line in lines if line["status"] in store.OPEN_STATUSES and outstanding(line) > 0]
    units = await _units_of(uow, owing)
    bills = []
    for line in owing:
        due = date.fromisoformat(line["due_date"])
        left = outstanding(line)
        bills.append(BillOverdue(
            bill_id=line["_id"], unit_id=line["unit_id"], **_people(units.get(line["unit_id"])),
            item=line["item_code"], period=line["period"], amount_fen=line["amount_fen"], outstanding_fen=left,
            outstanding=fen_to_text(left), due_date=due, overdue_since=due + timedelta(days=1),
        ))
    if len(bills) == 1:
        uow.emit(bills[0], subject=bills[0].bill_id, company_id=watch["company_id"], estate_id=watch["estate_id"])
    elif bills:  # a run's chunk: one carrier of its overdue bills
        uow.emit(BillsOverdue(bills=bills), subject=watch["_id"], company_id=watch["company_id"],
                 estate_id=watch["estate_id"])
    return len(owing)


async def announce_overdue(database: Database, _settings: BillingSettings | None = None) -> int:
    """One pass: every watched line whose due date is behind its estate's today, announced once."""
    now = utcnow()
    # No estate's day is ahead of UTC's by more than one: the query bound; each estate's own day decides.
    bound = (now.date() + timedelta(days=1)).isoformat()
    announced = 0
    for watch in await store.find_all(database, store.DUE_WATCH, query={"due_date": {"$lt": bound}},
                                      projection={"line_ids": 0}):
        today = local_day(now, await estate_time_zone(database, watch["estate_id"]))
        if watch["due_date"] >= today.isoformat():
            continue
        full = await store.find_one(database, store.DUE_WATCH, query={"_id": watch["_id"]})
        if full is not None:
            announced += await database.transaction(lambda uow, full=full: _announce(uow, full))
    return announced


run_issue_announcer = PeriodicJob[BillingSettings](
    name="bill issue announcer", run_pass=announce_issued,
    interval_s=lambda settings: settings.announce_interval_s,
)

run_overdue_watch = PeriodicJob[BillingSettings](
    name="bill overdue watch", run_pass=announce_overdue,
    interval_s=lambda settings: settings.overdue_watch_interval_s,
)
