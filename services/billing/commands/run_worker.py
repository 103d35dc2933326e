"""The billing-run worker: takes runs nobody holds (new ones, or a dead worker's) and bills them.

Each chunk of units is one transaction: its new lines, its draw on prepaid balances, their
announcement and the run's progress commit together, so a run resumed after a crash starts at the first chunk not
committed, and a line's unique key makes a rerun create nothing.

Who holds a run is kept in a document of its own (`billing_run_claims`), which no chunk's
transaction writes: a worker killed inside a chunk leaves that transaction open on the server
(nothing aborts it until the server reaps it, 60 s or more later), holding the run's document,
and a claim written there would wait for it. The claim also names the session the holder's
transactions run in, so the worker that takes a run over aborts the dead one's open transaction
(`killSessions`) before it touches the run, instead of waiting for the reaper.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, timedelta
from typing import Any

import structlog
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import PyMongoError

from services.billing import store
from services.billing.commands import late_fee_accrual, prepay_offers
from services.billing.commands.bill_events import issued
from services.billing.commands.balances import draw_on_balances
from services.billing.commands.runs import unclaimed
from services.billing.domain import fees
from services.billing.domain.bills import new_line
from services.billing.domain.payments import line_status
from services.billing.domain.periods import Period, parse_period
from services.billing.settings import BillingSettings
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.events import BillingRunCompleted
from shared.money import fen_to_text

log = structlog.get_logger(__name__)


class LostLease(Exception):
    """Another worker took the run over (this one was too slow): it stops, the other goes on."""


class Hold:
    """This worker's claim on one run: the session its chunks run in, and until when the lease lasts."""

    def __init__(self, holder: str, session: AsyncClientSession, *, run: dict[str, Any], lease: timedelta,
                 lease_until) -> None:
        self.holder = holder
        self.session = session
        self.run = run
        self.lease = lease
        self.lease_until = lease_until


def _lines_of_batch(run: dict[str, Any], items: list[dict[str, Any]], *, units: list[dict[str, Any]],
                    period: Period, now) -> tuple[list[dict[str, Any]], int, dict[str, dict[str, Any]]]:
    """The lines a batch of units should have, how many unit × item pairs it covered, and the 缴N送M
    offers their lines would start (by line id)."""
    lines, covered, offers = [], 0, {}
    for item in items:
        span = period.within(item.get("season"))  # a yearly item's season (供暖季), else the period
        price = fees.price_in_force(item["prices"], span.start)
        due = span.due_date(item["due_day"])
        for unit in units:
            if unit.get("kind") not in item["unit_kinds"]:
                continue
            covered += 1
            starts = unit.get("billing_starts_on") or unit.get("first_move_in_on")
            billed = span.billed_days(date.fromisoformat(starts) if starts else None)
            if billed is None:  # billing starts after this period
                continue
            rule = fees.line_rule(item, unit, period_code=period.code, period_days=span.days,
                                  billed_from=billed[0], billed_days=billed[1], price=price)
            started = prepay_offers.decide(item, unit, period_code=period.code, rule=rule)
            line = new_line(
                key=f"{unit['_id']}:{item['code']}:{period.code}", estate_id=run["estate_id"],
                company_id=run["company_id"], unit_id=unit["_id"], item=item, period=period.code, due_date=due,
                rule=rule, amount_fen=fees.compute(rule), at=now, run_id=run["_id"],
            )
            if line["amount_fen"] == 0:
                line["status"] = line_status(0, 0)  # a free month (缴N送M) owes nothing
            if started is not None:
                offers[line["_id"]] = prepay_offers.offer_document(started, line)
            lines.append(line)
    return lines, covered, offers


async def _run_batch(database: Database, hold: Hold, *, items: list[dict[str, Any]]) -> bool:
    """One chunk of units in one transaction; False when the run is done."""
    run = hold.run
    period = parse_period(run["period"])
    chunk = await store.find_one(database, store.RUN_UNITS, query={"_id": f"{run['_id']}:{run['next_chunk']:06d}"})

    async def work(uow: UnitOfWork) -> bool:
        now = utcnow()
        claim = await store.find_one(uow, store.RUN_CLAIMS, query={"_id": run["_id"]})
        if claim is None or claim["holder"] != hold.holder:
            raise LostLease(run["_id"])
        if chunk is None:
            return await _complete(uow, run, now=now)
        units = await _with_overdue_days(uow, run, items=items, units=chunk["units"], period=period)
        units = await prepay_offers.with_prepayments(uow, run, items=items, units=units, period_code=period.code)
        lines, covered, offers = _lines_of_batch(run, items, units=units, period=period, now=now)
        # Late fees (违约金) of the units' overdue lines, up to the day before the period: lines of their own.
        late = await late_fee_accrual.accrue_for_units(uow, run, items=items, units=units, period=period, now=now)
        fresh, fresh_late = [], []
        if lines or late:
            # The lines of these units in this period exist already? One index range, not a lookup per line.
            existing = {d["_id"] for d in await store.find_all(uow, store.BILL_LINES, query={
                "estate_id": run["estate_id"], "period": period.code,
                "unit_id": {"$gte": units[0]["_id"], "$lte": units[-1]["_id"]}}, projection={"_id": 1})}
            fresh = [line for line in lines if line["_id"] not in existing]
            fresh_late = [line for line in late if line["_id"] not in existing]
        if fresh or fresh_late:
            await uow.db[store.BILL_LINES].insert_many(fresh + fresh_late, ordered=True, session=uow.session)
            if started := [offers[line["_id"]] for line in fresh if line["_id"] in offers]:
                await uow.db[store.PREPAY_OFFERS].insert_many(started, ordered=True, session=uow.session)
            await draw_on_balances(uow, fresh + fresh_late, at=now)
            # Announced in the same transaction, as one carrier (`billing.bills.issued`): who lives in each
            # unit is in the run's snapshot, so announcing costs one outbox document and no read.
            issued(uow, fresh + fresh_late, units={unit["_id"]: unit for unit in units}, carried_as=chunk["_id"])
        amount = sum(line["amount_fen"] for line in fresh)
        late_amount = sum(line["amount_fen"] for line in fresh_late)
        result = await uow.db[store.BILLING_RUNS].update_one(
            {"_id": run["_id"], "status": "running", "next_chunk": run["next_chunk"]},
            {"$set": {"next_chunk": run["next_chunk"] + 1},
             "$inc": {"done": covered, "created": len(fresh), "existing": len(lines) - len(fresh),
                      "amount_created_fen": amount, "late_fees_created": len(fresh_late),
                      "late_fee_amount_fen": late_amount}}, session=uow.session)
        if result.modified_count != 1:
            raise LostLease(run["_id"])
        uow.after_commit.append(lambda: run.update(
            next_chunk=run["next_chunk"] + 1, done=run["done"] + covered, created=run["created"] + len(fresh),
            existing=run["existing"] + len(lines) - len(fresh), amount_created_fen=run["amount_created_fen"] + amount,
            late_fees_created=run.get("late_fees_created", 0) + len(fresh_late),
            late_fee_amount_fen=run.get("late_fee_amount_fen", 0) + late_amount))
        return True

    going_on = await database.transaction(work, session=hold.session)
    if going_on:
        await _renew(database, hold)
    return going_on


async def _renew(database: Database, hold: Hold) -> None:
    """Lengthen the lease once half of it has gone (a round trip every few chunks, not every one)."""
    now = utcnow()
    if hold.lease_until - now > hold.lease / 2:
        return
    until = now + hold.lease
    result = await database.db[store.RUN_CLAIMS].update_one(
        {"_id": hold.run["_id"], "holder": hold.holder}, {"$set": {"lease_until": until}})
    if result.modified_count != 1:
        raise LostLease(hold.run["_id"])
    hold.lease_until = until


async def _complete(uow: UnitOfWork, run: dict[str, Any], *, now) -> bool:
    result = await uow.db[store.BILLING_RUNS].update_one(
        {"_id": run["_id"], "status": "running", "next_chunk": run["next_chunk"]},
        {"$set": {"status": "completed", "completed_at": now}}, session=uow.session)
    if result.modified_count != 1:
        raise LostLease(run["_id"])
    await uow.db[store.RUN_UNITS].delete_many({"billing_run_id": run["_id"]}, session=uow.session)
    uow.emit(BillingRunCompleted(
        billing_run_id=run["_id"], period=run["period"], items=run["items"], lines_created=run["created"],
        lines_existing=run["existing"], amount_created=fen_to_text(run["amount_created_fen"]),
        completed_at=now), subject=run["_id"], company_id=run["company_id"], estate_id=run["estate_id"])
    return False


async def _with_overdue_days(uow: UnitOfWork, run: dict[str, Any], *, items: list[dict[str, Any]],
                             units: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
    """For 无欠费打折: how many days each unit's oldest unpaid line was overdue when the period began."""
    if not units or not any(d["kind"] == "no_arrears" for item in items for d in item.get("discounts") or []):
        return units
    oldest: dict[str, str] = {}
    for line in await store.find_all(uow, store.BILL_LINES, query={
            "unit_id": {"$gte": units[0]["_id"], "$lte": units[-1]["_id"]},
            "status": {"$in": list(store.OPEN_STATUSES)}, "due_date": {"$lt": period.start.isoformat()}},
            projection={"unit_id": 1, "due_date": 1}):
        oldest[line["unit_id"]] = min(oldest.get(line["unit_id"], line["due_date"]), line["due_date"])
    return [{**unit, "overdue_days": (period.start - date.fromisoformat(oldest[unit["_id"]])).days}
            if unit["_id"] in oldest else unit for unit in units]


async def _abort_transactions_of(database: Database, session_id: dict[str, Any]) -> None:
    """End a former holder's session: its open transaction (a killed process's) is aborted now."""
    try:
        await database.client.admin.command({"killSessions": [session_id]})
    except PyMongoError as error:  # its transaction then lasts until the server reaps it; chunks retry meanwhile
        log.warning("billing run: the former holder's session could not be ended", error=repr(error))


async def _claim(database: Database, holder: str, *, session: AsyncClientSession, lease: timedelta) -> Hold | None:
    """Take a run whose lease has lapsed (or that nobody held yet), the former holder's transaction aborted."""
    now = utcnow()
    claims = database.db[store.RUN_CLAIMS]
    for claim in await claims.find({"lease_until": {"$lt": now}}).sort("_id", 1).to_list(5):
        until = now + lease
        result = await claims.update_one(
            {"_id": claim["_id"], "holder": claim["holder"], "lease_until": claim["lease_until"]},
            {"$set": {"holder": holder, "session_id": session.session_id, "lease_until": until}})
        if result.modified_count != 1:
            continue  # another worker was quicker
        if claim.get("session_id") is not None:
            # Killing a live holder's session is harmless: its transaction retries and finds it lost the run.
            await _abort_transactions_of(database, claim["session_id"])
        run = await store.find_one(database, store.BILLING_RUNS, query={"_id": claim["_id"]})
        if run is not None and run["status"] == "running":
            return Hold(holder, session, run=run, lease=lease, lease_until=until)
        await claims.delete_one({"_id": claim["_id"], "holder": holder})  # its run completed before the claim went
    return None


async def _claims_for_unclaimed_runs(database: Database) -> None:
    """Runs started before claims had documents of their own get one, so that a worker takes them."""
    now = utcnow()
    for run in await store.find_all(database, store.BILLING_RUNS, query={"status": "running"}, projection={"_id": 1}):
        await database.db[store.RUN_CLAIMS].update_one(
            {"_id": run["_id"]}, {"$setOnInsert": unclaimed(run["_id"], now)}, upsert=True)


async def _bill(database: Database, hold: Hold) -> None:
    run = hold.run
    items = [i for i in await store.find_all(database, store.FEE_ITEMS, query={"estate_id": run["estate_id"]})
             if i["code"] in run["items"]]
    log.info("billing run taken", billing_run_id=run["_id"], from_chunk=run["next_chunk"])
    with contextlib.suppress(LostLease):
        while await _run_batch(database, hold, items=items):
            pass
        # Done: the claim goes (outside the run's transactions, like every write to it).
        await database.db[store.RUN_CLAIMS].delete_one({"_id": run["_id"], "holder": hold.holder})


async def run_billing_worker(database: Database, settings: BillingSettings) -> None:
    """Take runs that nobody holds (new ones, or a crashed worker's) and see them through."""
    holder = new_id()
    claimed_old_runs = False
    while True:
        try:
            if not claimed_old_runs:
                await _claims_for_unclaimed_runs(database)
                claimed_old_runs = True
            # One session per run taken: its id, in the claim, is what a take-over ends.
            async with database.client.start_session() as session:
                hold = await _claim(database, holder, session=session, lease=timedelta(seconds=settings.run_lease_s))
                if hold is not None:
                    await _bill(database, hold)
                    continue
            await asyncio.sleep(settings.run_poll_interval_s)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 (the database away: the lease lapses, a worker resumes the run)
            log.warning("billing run paused", error=repr(error))
            await asyncio.sleep(1)
