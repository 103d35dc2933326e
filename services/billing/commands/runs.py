"""Billing runs (estate, period, items): a job that issues one line per unit, item and period.

The request stores the run with a snapshot of the estate's units in chunks (the units as they
were when it started) and the run's claim, which no worker holds yet; the worker
(`run_worker`) bills it one chunk per transaction.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.billing import store
from services.billing.commands.fee_items import find_estate
from services.billing.domain import fees
from services.billing.domain.periods import Period, parse_period, refuse_future
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.errors import InvalidInput
from shared.estates import local_day
from shared.idempotency import create_once
from shared.money import fen_to_text

RECURRING = ("area", "per_unit")


class RunInput(BaseModel):
    estate_id: str
    period: str
    items: list[str] | None = None  # item codes; all recurring items of the period's cycle when left out


def _items_for(all_items: list[dict[str, Any]], period: Period, *, codes: list[str] | None) -> list[dict[str, Any]]:
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
        starts = period.within(item.get("season")).start
        if fees.price_in_force(item["prices"], starts) is None:
            raise InvalidInput(f"{code} has no price in force on {starts}", field=f"items.{n}")
        chosen.append(item)
    if not chosen:
        raise InvalidInput("no items to bill", field="items")
    return chosen


async def start_run(database: Database, principal: Principal, *, request: RunInput, chunk_size: int,
                    idempotency_key: str | None) -> dict[str, Any]:
    estate = await find_estate(database, principal, estate_id=request.estate_id)
    period = parse_period(request.period)
    refuse_future(period, local_day(utcnow(), estate["time_zone"]))
    all_items = await store.find_all(database, store.FEE_ITEMS, query={"estate_id": request.estate_id})
    items = _items_for(all_items, period, codes=request.items)
    if not items:
        raise InvalidInput(f"no recurring item is billed {period.cycle}", field="items")
    units = sorted(await store.find_all(database, store.UNITS, query={"estate_id": request.estate_id},
                                        projection={"kind": 1, "area_m2": 1, "billing_starts_on": 1,
                                                    "first_move_in_on": 1,
                                                    "occupied": 1, "resident_ids": 1, "owner_ids": 1}),
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
        "existing": 0, "amount_created_fen": 0, "late_fees_created": 0, "late_fee_amount_fen": 0,
        "chunks": len(chunks), "next_chunk": 0,
        "started_by": principal.user_id, "created_at": now, "completed_at": None,
    }

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        if chunks:
            await uow.db[store.RUN_UNITS].insert_many(chunks, session=uow.session)
        await uow.db[store.BILLING_RUNS].insert_one(run, session=uow.session)
        await uow.db[store.RUN_CLAIMS].insert_one(unclaimed(run_id, now), session=uow.session)
        return run_public(run)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


def unclaimed(run_id: str, now) -> dict[str, Any]:
    """A run's claim that any worker may take (`run_worker`)."""
    return {"_id": run_id, "holder": None, "session_id": None, "lease_until": now}


def run_public(run: dict[str, Any]) -> dict[str, Any]:
    keys = ("estate_id", "period", "items", "status", "total", "done", "created", "existing", "created_at",
            "completed_at")
    return {"id": run["_id"], **{k: run.get(k) for k in keys},
            "amount_created": fen_to_text(run.get("amount_created_fen", 0)),
            "late_fees_created": run.get("late_fees_created", 0),
            "late_fee_amount": fen_to_text(run.get("late_fee_amount_fen", 0))}
