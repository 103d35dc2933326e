"""Billing runs (estate, period, items): a job that issues one line per unit, item and period.

The request stores the run with a snapshot of the estate's units in chunks (the units as they
were when it started); a worker in the service takes the run under a lease and bills one chunk
per transaction: the chunk's new lines, its draw on prepaid balances and the run's progress
commit together, so a run resumed after a crash starts at the first chunk not committed, and
the line's unique key makes a rerun create nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, timedelta
from typing import Any

import structlog
from pydantic import BaseModel

from services.billing import store
from services.billing.commands.fee_items import find_estate
from services.billing.commands.ledger import draw_on_balances
from services.billing.domain import fees
from services.billing.domain.bills import new_line
from services.billing.domain.periods import Period, parse_period, refuse_future
from services.billing.settings import BillingSettings
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.errors import InvalidInput
from shared.estates import local_day
from shared.events import BillingRunCompleted
from shared.idempotency import create_once
from shared.money import fen_to_text

log = structlog.get_logger(__name__)
RECURRING = ("area", "per_unit")


class RunInput(BaseModel):
    estate_id: str
    period: str
    items: list[str] | None = None  # item codes; all recurring items of the period's cycle when left out


def _items_for(all_items: list[dict[str, Any]], period: Period, codes: list[str] | None) -> list[dict[str, Any]]:
    by_code = {item["code"]: item for item in all_items}
    if codes is None:
        return [i for i in all_items if i["cycle"] == period.cycle and i["formula"] in RECURRING]
    chosen = []
    for n, code in enumerate(dict.fromkeys(codes)):
        item = by_code.get(code)
        if item is None:
            raise InvalidInput(f"no fee item {code!r} in this estate", field=f"items.{n}")
        if item["formula"] not in RECURRING:
            raise InvalidInput(f"{code} is {item['formula']}: it is billed from readings or charges, not by a run",
                               field=f"items.{n}")
        if item["cycle"] != period.cycle:
            raise InvalidInput(f"{code} is billed {item['cycle']}, the period {period.code} is {period.cycle}",
                               field="period")
        if fees.price_in_force(item["prices"], period.start) is None:
            raise InvalidInput(f"{code} has no price in force on {period.start}", field=f"items.{n}")
        chosen.append(item)
    if not chosen:
        raise InvalidInput("no items to bill", field="items")
    return chosen


async def start_run(database: Database, principal: Principal, request: RunInput, *, chunk_size: int,
                    idempotency_key: str | None) -> dict[str, Any]:
    estate = await find_estate(database, principal, request.estate_id)
    period = parse_period(request.period)
    refuse_future(period, local_day(utcnow(), estate["time_zone"]))
    all_items = await store.find_all(database, store.FEE_ITEMS, {"estate_id": request.estate_id})
    items = _items_for(all_items, period, request.items)
    if not items:
        raise InvalidInput(f"no recurring item is billed {period.cycle}", field="items")
    units = sorted(await store.find_all(database, store.UNITS, {"estate_id": request.estate_id},
                                        {"kind": 1, "area_m2": 1, "billing_starts_on": 1, "first_move_in_on": 1,
                                         "occupied": 1}),
                   key=lambda unit: unit["_id"])
    kinds = [set(item["unit_kinds"]) for item in items]
    total = sum(1 for unit in units for unit_kinds in kinds if unit.get("kind") in unit_kinds)
    now = utcnow()
    run_id = new_id()
    chunks = [{"_id": f"{run_id}:{n:06d}", "billing_run_id": run_id, "units": units[start:start + chunk_size]}
              for n, start in enumerate(range(0, len(units), chunk_size))]
    run = {
        "_id": run_id, "estate_id": request.estate_id, "company_id": estate["company_id"], "period": period.code,
        "items": [item["code"] for item in items], "status": "running", "total": total, "done": 0, "created": 0,
        "existing": 0, "amount_created_fen": 0, "chunks": len(chunks), "next_chunk": 0, "lease_holder": None,
        "lease_until": now, "started_by": principal.user_id, "created_at": now, "completed_at": None,
    }

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        if chunks:
            await uow.db[store.RUN_UNITS].insert_many(chunks, session=uow.session)
        await uow.db[store.BILLING_RUNS].insert_one(run, session=uow.session)
        return run_public(run)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


def run_public(run: dict[str, Any]) -> dict[str, Any]:
    keys = ("estate_id", "period", "items", "status", "total", "done", "created", "existing", "created_at",
            "completed_at")
    return {"id": run["_id"], **{k: run.get(k) for k in keys},
            "amount_created": fen_to_text(run.get("amount_created_fen", 0))}


# --- the worker ---------------------------------------------------------------------------


def _lines_of_batch(run: dict[str, Any], items: list[dict[str, Any]], units: list[dict[str, Any]],
                    period: Period, now) -> tuple[list[dict[str, Any]], int]:
    """The lines a batch of units should have, and how many unit × item pairs it covered."""
    lines, covered = [], 0
    for item in items:
        price = fees.price_in_force(item["prices"], period.start)
        due = period.due_date(item["due_day"])
        for unit in units:
            if unit.get("kind") not in item["unit_kinds"]:
                continue
            covered += 1
            starts = unit.get("billing_starts_on") or unit.get("first_move_in_on")
            billed = period.billed_days(date.fromisoformat(starts) if starts else None)
            if billed is None:  # billing starts after this period
                continue
            rule = fees.line_rule(item, unit, period_code=period.code, period_days=period.days,
                                  billed_from=billed[0], billed_days=billed[1], price=price)
            lines.append(new_line(
                key=f"{unit['_id']}:{item['code']}:{period.code}", estate_id=run["estate_id"],
                company_id=run["company_id"], unit_id=unit["_id"], item=item, period=period.code, due_date=due,
                rule=rule, amount_fen=fees.compute(rule), at=now, run_id=run["_id"],
            ))
    return lines, covered


async def _run_batch(database: Database, run: dict[str, Any], items: list[dict[str, Any]], holder: str,
                     settings: BillingSettings) -> bool:
    """One chunk of units in one transaction; False when the run is done (or no longer ours)."""
    period = parse_period(run["period"])
    chunk = await store.find_one(database, store.RUN_UNITS, {"_id": f"{run['_id']}:{run['next_chunk']:06d}"})

    async def work(uow: UnitOfWork) -> bool:
        now = utcnow()
        if chunk is None:
            return await _complete(uow, run, holder, now)
        units = await _with_overdue_days(uow, run, items, chunk["units"], period)
        lines, covered = _lines_of_batch(run, items, units, period, now)
        fresh = []
        if lines:
            # The lines of these units in this period exist already? One index range, not a lookup per line.
            existing = {d["_id"] for d in await store.find_all(uow, store.BILL_LINES, {
                "estate_id": run["estate_id"], "period": period.code,
                "unit_id": {"$gte": units[0]["_id"], "$lte": units[-1]["_id"]}}, {"_id": 1})}
            fresh = [line for line in lines if line["_id"] not in existing]
        if fresh:
            await uow.db[store.BILL_LINES].insert_many(fresh, ordered=True, session=uow.session)
            await draw_on_balances(uow, fresh, now)
        amount = sum(line["amount_fen"] for line in fresh)
        progress = {"next_chunk": run["next_chunk"] + 1, "lease_until": now + timedelta(seconds=settings.run_lease_s)}
        result = await uow.db[store.BILLING_RUNS].update_one(
            {"_id": run["_id"], "lease_holder": holder, "next_chunk": run["next_chunk"]},
            {"$set": progress, "$inc": {"done": covered, "created": len(fresh), "existing": len(lines) - len(fresh),
                                        "amount_created_fen": amount}}, session=uow.session)
        if result.modified_count != 1:
            raise LostLease(run["_id"])
        run.update(progress, done=run["done"] + covered, created=run["created"] + len(fresh),
                   existing=run["existing"] + len(lines) - len(fresh),
                   amount_created_fen=run["amount_created_fen"] + amount)
        return True

    return await database.transaction(work)


async def _complete(uow: UnitOfWork, run: dict[str, Any], holder: str, now) -> bool:
    result = await uow.db[store.BILLING_RUNS].update_one(
        {"_id": run["_id"], "lease_holder": holder, "status": "running"},
        {"$set": {"status": "completed", "completed_at": now}}, session=uow.session)
    if result.modified_count:
        await uow.db[store.RUN_UNITS].delete_many({"billing_run_id": run["_id"]}, session=uow.session)
        uow.emit(BillingRunCompleted(
            billing_run_id=run["_id"], period=run["period"], items=run["items"], lines_created=run["created"],
            lines_existing=run["existing"], amount_created=fen_to_text(run["amount_created_fen"]),
            completed_at=now), subject=run["_id"], company_id=run["company_id"], estate_id=run["estate_id"])
    return False


async def _with_overdue_days(uow: UnitOfWork, run: dict[str, Any], items: list[dict[str, Any]],
                             units: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
    """For 无欠费打折: how many days each unit's oldest unpaid line was overdue when the period began."""
    if not units or not any(d["kind"] == "no_arrears" for item in items for d in item.get("discounts") or []):
        return units
    oldest: dict[str, str] = {}
    for line in await store.find_all(uow, store.BILL_LINES, {
            "unit_id": {"$gte": units[0]["_id"], "$lte": units[-1]["_id"]},
            "status": {"$in": list(store.OPEN_STATUSES)}, "due_date": {"$lt": period.start.isoformat()}},
            {"unit_id": 1, "due_date": 1}):
        oldest[line["unit_id"]] = min(oldest.get(line["unit_id"], line["due_date"]), line["due_date"])
    return [{**unit, "overdue_days": (period.start - date.fromisoformat(oldest[unit["_id"]])).days}
            if unit["_id"] in oldest else unit for unit in units]


class LostLease(Exception):
    """Another worker took the run over (this one was too slow): it stops, the other goes on."""


async def _claim(database: Database, holder: str, lease_s) -> dict[str, Any] | None:
    now = utcnow()
    runs = database.db[store.BILLING_RUNS]
    for run in await runs.find({"status": "running", "lease_until": {"$lt": now}}).sort("_id", 1).to_list(5):
        result = await runs.update_one(
            {"_id": run["_id"], "lease_until": run["lease_until"], "lease_holder": run["lease_holder"]},
            {"$set": {"lease_holder": holder, "lease_until": now + timedelta(seconds=lease_s)}})
        if result.modified_count == 1:
            return await runs.find_one({"_id": run["_id"]})
    return None


async def run_billing_worker(database: Database, settings: BillingSettings) -> None:
    """Take runs that nobody holds (new ones, or a crashed worker's) and see them through."""
    holder = new_id()
    while True:
        try:
            run = await _claim(database, holder, settings.run_lease_s)
            if run is None:
                await asyncio.sleep(settings.run_poll_interval_s)
                continue
            items = [i for i in await store.find_all(database, store.FEE_ITEMS, {"estate_id": run["estate_id"]})
                     if i["code"] in run["items"]]
            log.info("billing run taken", billing_run_id=run["_id"], from_chunk=run["next_chunk"])
            with contextlib.suppress(LostLease):
                while await _run_batch(database, run, items, holder, settings):
                    pass
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 (the database away: the lease lapses, a worker resumes the run)
            log.warning("billing run paused", error=repr(error))
            await asyncio.sleep(1)
