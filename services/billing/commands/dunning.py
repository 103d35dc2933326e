"""Dunning (催缴): runs that pick the units owing more than a threshold and issue one payment notice
per unit per run — never more often than the estate allows — through notification, by event;
and the dunning log of each unit (notices, calls, visits, and what came of them)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from services.billing import store
from services.billing.commands.fee_items import find_estate
from services.billing.commands.ledger import find_unit
from services.billing.domain.bills import outstanding
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.errors import InvalidInput
from shared.estates import local_day
from shared.events import DunningNoticeDue
from shared.money import fen_to_text, text_to_fen

DEFAULT_POLICY = {"threshold_fen": 10_000, "min_interval_days": 7}


class DunningRunInput(BaseModel):
    estate_id: str
    threshold: str | None = None  # default: the estate's policy (100.00)
    min_interval_days: int | None = None  # default: the estate's policy (7)


class LogEntryInput(BaseModel):
    kind: Literal["call", "visit", "letter", "notice"]
    outcome: Literal["promised", "disputed", "no_answer", "paid", "refused", "other"]
    promised_on: date | None = None
    note: str | None = None


async def start_dunning_run(database: Database, principal: Principal, request: DunningRunInput) -> dict[str, Any]:
    estate = await find_estate(database, principal, request.estate_id)
    policy = {**DEFAULT_POLICY, **(await store.find_one(database, store.DUNNING_POLICIES,
                                                         {"_id": request.estate_id}) or {})}
    threshold = policy["threshold_fen"]
    if request.threshold is not None:
        try:
            threshold = text_to_fen(request.threshold)
        except ValueError as error:
            raise InvalidInput("an amount with at most two decimal places", field="threshold") from error
    interval = request.min_interval_days if request.min_interval_days is not None else policy["min_interval_days"]
    today = local_day(utcnow(), estate["time_zone"])

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        now = utcnow()
        owing: dict[str, list[dict]] = defaultdict(list)
        for line in await store.find_all(uow, store.BILL_LINES, {
                "estate_id": request.estate_id, "status": {"$in": list(store.OPEN_STATUSES)}, "due_date": {"$lt":
                today.isoformat()}}, {"unit_id": 1, "amount_fen": 1, "paid_fen": 1, "waived_fen": 1, "period": 1,
                                      "item_code": 1}):
            owing[line["unit_id"]].append(line)
        over = {unit_id: lines for unit_id, lines in owing.items() if sum(map(outstanding, lines)) >= threshold}
        recent = {entry["unit_id"] for entry in await store.find_all(uow, store.DUNNING_LOG, {
            "estate_id": request.estate_id, "kind": "notice",
            "on": {"$gt": (today - timedelta(days=interval)).isoformat()}}, {"unit_id": 1})}
        run = {"_id": new_id(), "estate_id": request.estate_id, "company_id": estate["company_id"],
               "threshold_fen": threshold, "min_interval_days": interval, "day": today.isoformat(),
               "units_over_threshold": len(over), "notices": 0, "skipped_recently_notified": 0,
               "started_by": principal.user_id, "at": now}
        for unit_id, lines in sorted(over.items()):
            if unit_id in recent:
                run["skipped_recently_notified"] += 1
                continue
            amount = sum(map(outstanding, lines))
            await uow.db[store.DUNNING_LOG].insert_one({
                "_id": f"{run['_id']}:{unit_id}", "estate_id": request.estate_id, "company_id": estate["company_id"],
                "unit_id": unit_id, "kind": "notice", "outcome": "sent", "on": today.isoformat(),
                "amount_fen": amount, "dunning_run_id": run["_id"], "by": principal.user_id, "at": now,
                "promised_on": None, "note": None}, session=uow.session)
            uow.emit(DunningNoticeDue(
                dunning_run_id=run["_id"], unit_id=unit_id, amount=fen_to_text(amount),
                periods=sorted({line["period"] for line in lines}), items=sorted({line["item_code"] for line in lines}),
                due_since=min(line["period"] for line in lines)), subject=unit_id, company_id=estate["company_id"],
                estate_id=request.estate_id)
            run["notices"] += 1
        await uow.db[store.DUNNING_RUNS].insert_one(run, session=uow.session)
        return run

    return dunning_run_public(await database.transaction(work))


async def log_entry(database: Database, principal: Principal, unit_id: str, request: LogEntryInput) -> dict:
    unit = await find_unit(database, principal, unit_id)
    if request.outcome == "promised" and request.promised_on is None:
        raise InvalidInput("a promise to pay has its date", field="promised_on")
    now = utcnow()
    entry = {"_id": new_id(), "estate_id": unit["estate_id"], "company_id": unit["company_id"], "unit_id": unit_id,
             "kind": request.kind, "outcome": request.outcome, "on": local_day(now).isoformat(),
             "amount_fen": None, "dunning_run_id": None, "by": principal.user_id, "at": now,
             "promised_on": request.promised_on and request.promised_on.isoformat(), "note": request.note}
    await database.db[store.DUNNING_LOG].insert_one(entry)
    return entry_public(entry)


def entry_public(entry: dict[str, Any]) -> dict[str, Any]:
    keys = ("unit_id", "kind", "outcome", "on", "dunning_run_id", "by", "at", "promised_on", "note")
    return {"id": entry["_id"], **{k: entry.get(k) for k in keys},
            "amount": None if entry.get("amount_fen") is None else fen_to_text(entry["amount_fen"])}


def dunning_run_public(run: dict[str, Any]) -> dict[str, Any]:
    keys = ("estate_id", "min_interval_days", "day", "units_over_threshold", "notices", "skipped_recently_notified",
            "at")
    return {"id": run["_id"], "threshold": fen_to_text(run["threshold_fen"]), **{k: run[k] for k in keys}}
