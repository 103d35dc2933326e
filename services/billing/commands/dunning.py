"""Dunning (催缴): runs that pick the units owing more than a threshold and issue one payment notice
per unit per run — never more often than the estate allows — through notification, by event;
and the dunning log of each unit (notices, calls, visits, and what came of them)."""

from __future__ import annotations

import asyncio
import calendar
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Literal

import structlog
from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from services.billing import store
from services.billing.commands.fee_items import find_estate
from services.billing.commands.ledger import find_unit
from services.billing.domain.bills import outstanding
from shared.auth import Principal, acting_for
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.errors import InvalidInput
from shared.estates import ESTATES, local_day
from shared.events import DunningNoticeDue
from shared.money import fen_to_text, text_to_fen

log = structlog.get_logger(__name__)
DEFAULT_POLICY = {"threshold_fen": 10_000, "min_interval_days": 7, "day_of_month": None}


class DunningRunInput(BaseModel):
    estate_id: str
    threshold: str | None = None  # default: the estate's policy (100.00)
    min_interval_days: int | None = None  # default: the estate's policy (7)


class LogEntryInput(BaseModel):
    kind: Literal["call", "visit", "letter", "notice"]
    outcome: Literal["promised", "disputed", "no_answer", "paid", "refused", "other"]
    promised_on: date | None = None
    note: str | None = None


async def start_dunning_run(database: Database, principal: Principal, *, request: DunningRunInput,
                            schedule_key: str | None = None) -> dict[str, Any]:
    """By hand, or by the schedule (`schedule_key`: one scheduled run per estate and month, whatever the replicas)."""
    estate = await find_estate(database, principal, estate_id=request.estate_id)
    policy = {**DEFAULT_POLICY, **(await store.find_one(database, store.DUNNING_POLICIES,
                                                         query={"_id": request.estate_id}) or {})}
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
        for line in await store.find_all(uow, store.BILL_LINES, query={
                "estate_id": request.estate_id, "status": {"$in": list(store.OPEN_STATUSES)}, "due_date": {"$lt":
                today.isoformat()}}, projection={"unit_id": 1, "amount_fen": 1, "paid_fen": 1, "waived_fen": 1,
                                                 "period": 1,
                                                 "item_code": 1}):
            owing[line["unit_id"]].append(line)
        over = {unit_id: lines for unit_id, lines in owing.items() if sum(map(outstanding, lines)) >= threshold}
        recent = {entry["unit_id"] for entry in await store.find_all(uow, store.DUNNING_LOG, query={
            "estate_id": request.estate_id, "kind": "notice",
            "on": {"$gt": (today - timedelta(days=interval)).isoformat()}}, projection={"unit_id": 1})}
        run = {"_id": new_id(), "estate_id": request.estate_id, "company_id": estate["company_id"],
               "threshold_fen": threshold, "min_interval_days": interval, "day": today.isoformat(),
               "units_over_threshold": len(over), "notices": 0, "skipped_recently_notified": 0,
               "started_by": principal.user_id, "at": now, "scheduled": schedule_key is not None}
        if schedule_key is not None:  # a second replica's attempt collides here and is dropped
            await uow.db[store.DUNNING_SCHEDULE].insert_one({"_id": schedule_key, "dunning_run_id": run["_id"]},
                                                            session=uow.session)
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


async def log_entry(database: Database, principal: Principal, *, unit_id: str, request: LogEntryInput) -> dict:
    unit = await find_unit(database, principal, unit_id=unit_id)
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
            "at", "scheduled")
    return {"id": run["_id"], "threshold": fen_to_text(run["threshold_fen"]), **{k: run.get(k) for k in keys}}


async def run_dunning_scheduler(database: Database, settings) -> None:
    """Each estate with a dunning day (e.g. the 10th) gets its run that day, once (a month without the
    day has it on its last)."""
    while True:
        try:
            for policy in await store.find_all(database, store.DUNNING_POLICIES, query={"day_of_month": {"$ne": None}}):
                await _scheduled_run(database, policy)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 (the database away: the next pass tries again)
            log.warning("dunning schedule paused", error=repr(error))
        await asyncio.sleep(settings.dunning_schedule_interval_s)


async def _scheduled_run(database: Database, policy: dict[str, Any]) -> None:
    estate = await store.find_one(database, ESTATES, query={"_id": policy["_id"]})
    if estate is None or not policy.get("day_of_month"):
        return
    today = local_day(utcnow(), estate["time_zone"])
    due = min(policy["day_of_month"], calendar.monthrange(today.year, today.month)[1])
    key = f"{estate['_id']}:{today:%Y-%m}"
    if today.day != due or await store.find_one(database, store.DUNNING_SCHEDULE, query={"_id": key}):
        return
    principal = acting_for(database, user_id="dunning-schedule", company_id=estate["company_id"],
                           estate_id=estate["_id"], roles=["billing_clerk"])
    try:
        run = await start_dunning_run(database, principal, request=DunningRunInput(estate_id=estate["_id"]),
                                      schedule_key=key)
    except DuplicateKeyError:
        return
    log.info("scheduled dunning run", estate_id=estate["_id"], notices=run["notices"])
