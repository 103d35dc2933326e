"""`billing.bill.issued` when a line is issued, `billing.bill.overdue` once when it passes its due date unpaid.

Issuing a line (a run's chunk, a meter reading, a one-off charge) emits its event in the same
transaction and notes the lines with something owed under their due date in `bill_due_watch`: one
small document per (transaction, due date), not a field and an index on every line (a run inserts
100,000 of them). A periodic pass takes the watch documents whose due date has passed in the
estate's own day and, one document per transaction, announces the lines still owed and deletes
the document: each bill is announced once, and a paid or waived one not at all.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from services.billing import store
from services.billing.domain.bills import outstanding
from services.billing.settings import BillingSettings
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.estates import estate_time_zone, local_day
from shared.events import BillIssued, BillOverdue
from shared.money import fen_to_text
from shared.periodic import PeriodicJob


def _people(unit: dict[str, Any] | None) -> dict[str, list[str]]:
    unit = unit or {}
    return {"resident_ids": list(unit.get("resident_ids") or []), "owner_ids": list(unit.get("owner_ids") or [])}


def issued(uow: UnitOfWork, lines: list[dict[str, Any]], units: dict[str, dict[str, Any]]) -> None:
    """The events of newly inserted lines and their due-date watch (`units` by id, for who lives there)."""
    watched: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for line in lines:
        uow.emit(BillIssued(
            bill_id=line["_id"], unit_id=line["unit_id"], **_people(units.get(line["unit_id"])),
            item=line["item_code"], item_name_zh=line["item_name_zh"], item_name_en=line["item_name_en"],
            period=line["period"], amount_fen=line["amount_fen"], amount=fen_to_text(line["amount_fen"]),
            due_date=date.fromisoformat(line["due_date"]), paid_fen=line["paid_fen"],
        ), subject=line["_id"], company_id=line["company_id"], estate_id=line["estate_id"])
        if outstanding(line) > 0:
            watched[(line["estate_id"], line["company_id"], line["due_date"])].append(line["_id"])
    for (estate_id, company_id, due_date), line_ids in watched.items():
        uow.add(store.DUE_WATCH, {"_id": new_id(), "estate_id": estate_id, "company_id": company_id,
                                  "due_date": due_date, "line_ids": line_ids})


async def _announce(uow: UnitOfWork, watch: dict[str, Any]) -> int:
    result = await uow.db[store.DUE_WATCH].delete_one({"_id": watch["_id"]}, session=uow.session)
    if result.deleted_count != 1:  # another replica announced these
        return 0
    lines = await store.find_all(uow, store.BILL_LINES, {"_id": {"$in": watch["line_ids"]}})
    owing = [line for line in lines if line["status"] in store.OPEN_STATUSES and outstanding(line) > 0]
    units = {u["_id"]: u for u in await store.find_all(
        uow, store.UNITS, {"_id": {"$in": sorted({line["unit_id"] for line in owing})}},
        {"resident_ids": 1, "owner_ids": 1})} if owing else {}
    for line in owing:
        due = date.fromisoformat(line["due_date"])
        left = outstanding(line)
        uow.emit(BillOverdue(
            bill_id=line["_id"], unit_id=line["unit_id"], **_people(units.get(line["unit_id"])),
            item=line["item_code"], period=line["period"], amount_fen=line["amount_fen"], outstanding_fen=left,
            outstanding=fen_to_text(left), due_date=due, overdue_since=due + timedelta(days=1),
        ), subject=line["_id"], company_id=line["company_id"], estate_id=line["estate_id"])
    return len(owing)


async def announce_overdue(database: Database, _settings: BillingSettings | None = None) -> int:
    """One pass: every watched line whose due date is behind its estate's today, announced once."""
    now = utcnow()
    # No estate's day is ahead of UTC's by more than one: the query bound; each estate's own day decides.
    bound = (now.date() + timedelta(days=1)).isoformat()
    announced = 0
    for watch in await store.find_all(database, store.DUE_WATCH, {"due_date": {"$lt": bound}},
                                      {"line_ids": 0}):
        today = local_day(now, await estate_time_zone(database, watch["estate_id"]))
        if watch["due_date"] >= today.isoformat():
            continue
        full = await store.find_one(database, store.DUE_WATCH, {"_id": watch["_id"]})
        if full is not None:
            announced += await database.transaction(lambda uow, full=full: _announce(uow, full))
    return announced


run_overdue_watch = PeriodicJob[BillingSettings](
    name="bill overdue watch", run_pass=announce_overdue,
    interval_s=lambda settings: settings.overdue_watch_interval_s,
)
