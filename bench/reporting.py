"""Reporting's figures (quality.md): the daily report of an estate with a year of history, and the CPU
reporting spends per event it consumes.

The year of history (100,000 tickets, each with its contact, work order, follow-up) is seeded as
day documents computed here by reporting's own rules (`domain.cases`, `domain.figures`) and written
straight into its database: the report reads day documents only, so this is the read it serves; going
through the archive and a rebuild would give the same documents, only slower to seed. The CPU per
event is measured on the live path: crafted events published straight into reporting's queue.

`python -m bench.reporting [--quick]` runs these alone (broker, reporting's database and reporting).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
from pymongo import MongoClient

from bench.processes import CpuMeter
from bench.results import Figure, report
from devstack.stack import Stack
from services.reporting.domain import cases, figures
from shared import clock
from shared.envelope import Envelope, new_id

QUEUE = "reporting.all-events"
DATABASE = "estatedesk_reporting"
ZONE = "Asia/Shanghai"
UNITS = 3000  # the bench estate's flats (complaints per 100 units)
TICKETS_A_YEAR = 100_000


def _envelope(estate_id: str, name: str, data: dict[str, Any], at: datetime) -> Envelope:
    return Envelope(source=f"/estatedesk/{name.split('.')[0]}", type=f"estatedesk.{name}.v1", subject=estate_id,
                    companyid="demo-company", estateid=estate_id, time=at, data=data)


def ticket_life(estate_id: str, n: int, opened_at: datetime) -> list[Envelope]:
    """One repair or complaint from the call to the follow-up, as its services publish it."""
    rng = random.Random(n)
    ticket_id, order_id, follow_up_id = f"{estate_id}-t{n}", f"{estate_id}-w{n}", f"{estate_id}-f{n}"
    category = rng.choice(("repair", "repair", "repair", "complaint", "help", "consultation"))
    done = opened_at + timedelta(minutes=rng.randint(20, 600))
    ticket = {"ticket_id": ticket_id, "number": f"B-{n}", "status": "resolved", "previous_status": "in_progress"}
    order = {"work_order_id": order_id, "number": f"PG-{n}", "ticket_id": ticket_id, "status": "x",
             "previous_status": "y", "by": "bench"}
    return [
        _envelope(estate_id, "intake.contact.logged", {
            "contact_id": f"{estate_id}-c{n}", "channel": rng.choice(("hotline", "hotline", "walk_in", "app")),
            "answered_within_15s": rng.random() < 0.9, "outcome": "ticket_opened", "ticket_id": ticket_id}, opened_at),
        _envelope(estate_id, "intake.ticket.opened", {
            "ticket_id": ticket_id, "number": f"B-{n}", "category": category, "subcategory": "noise",
            "priority": rng.choice(("P1", "P2", "P3", "P3")), "scope": "public_area", "description": "压测",
            "channel": "hotline", "promised_reply_at": opened_at.isoformat(), "opened_at": opened_at.isoformat(),
            "resident_id": f"r{rng.randint(1, 3000)}", "building_id": f"b{rng.randint(1, 20)}"}, opened_at),
        _envelope(estate_id, "dispatch.workorder.created", {
            "work_order_id": order_id, "number": f"PG-{n}", "ticket_id": ticket_id, "department": "engineering",
            "priority": "P3"}, opened_at + timedelta(seconds=2)),
        _envelope(estate_id, "dispatch.workorder.accepted", order, opened_at + timedelta(minutes=rng.randint(1, 20))),
        _envelope(estate_id, "dispatch.workorder.completed", {
            **order, "assignee_id": f"eng-{rng.randint(1, 12)}", "assignee_name": "工程师", "work_done": "done",
            "labour_minutes": 30, "responsible_party": "property", "chargeable": False}, done),
        _envelope(estate_id, "intake.ticket.resolved", ticket, done),
        _envelope(estate_id, "intake.followup.due", {
            "follow_up_id": follow_up_id, "ticket_id": ticket_id, "ticket_number": f"B-{n}", "category": category,
            "due_by": (done + timedelta(hours=24)).isoformat()}, done),
        _envelope(estate_id, "intake.followup.completed", {
            "follow_up_id": follow_up_id, "ticket_id": ticket_id, "ticket_number": f"B-{n}", "result": "satisfied",
            "score": rng.choice((3, 4, 5, 5)), "attempts": 1, "by": "bench"}, done + timedelta(hours=rng.randint(1, 30))),
    ]


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, leaf = path.split(".")
        place = out
        for part in parents:
            place = place.setdefault(part, {})
        place[leaf] = value
    return out


def seed_year(stack: Stack, estate_id: str, tickets: int) -> dict[str, Any]:
    """A year of day documents for `tickets` tickets, computed by reporting's own rules."""
    now = clock.now()
    start = now - timedelta(days=365)
    days: dict[str, dict[str, Any]] = defaultdict(dict)
    for n in range(tickets):
        opened_at = start + timedelta(seconds=n * 365 * 86400 // tickets)
        envelopes = ticket_life(estate_id, n, opened_at)
        for envelope in envelopes:
            counted = figures.increments_for(envelope.routing_key, envelope.data, happened_at=envelope.time,
                                             time_zone=ZONE)
            day = days[figures.attribution_day(envelope.time, ZONE).isoformat()]
            for name, amount in counted.increments.items():
                day[name] = day.get(name, 0) + amount
            day.update(counted.entries)
        summaries = [cases.summary(e.id, e.routing_key, time=e.time, data=e.data) for e in envelopes]
        for contributions in (cases.ticket_contributions([s for s in summaries if s["kind"] in cases.TICKET_KINDS
                                                          or s["kind"] in cases.TICKET_ALSO], ZONE),
                              cases.work_order_contributions([s for s in summaries
                                                              if s["kind"] in cases.WORK_ORDER_KINDS], ZONE)):
            for (day, name), amount in contributions.items():
                days[day][name] = days[day].get(name, 0) + amount
    documents = [{"_id": f"{estate_id}:{day}", "estate_id": estate_id, "company_id": "demo-company", "day": day,
                  **_nest(flat)} for day, flat in days.items()]
    backlog: dict[str, dict[str, Any]] = {}
    for day, flat in days.items():
        for grain, period in (("day", day), ("month", day[:7])):
            held = backlog.setdefault(period, {"_id": f"{estate_id}:{period}", "estate_id": estate_id,
                                               "company_id": "demo-company", "grain": grain, "period": period,
                                               "amount": 0})
            held["amount"] += flat.get("tickets_open_delta", 0)
    units = [{"_id": f"{estate_id}-u{n}", "unit_id": f"{estate_id}-u{n}", "estate_id": estate_id,
              "company_id": "demo-company", "building_id": f"b{n % 20 + 1}", "building_name": f"{n % 20 + 1}栋"}
             for n in range(UNITS)]
    buildings = [{"_id": f"{estate_id}:b{n}", "estate_id": estate_id, "company_id": "demo-company",
                  "building_id": f"b{n}", "name": f"{n}栋"} for n in range(1, 21)]
    with MongoClient(stack.mongo_url_of("reporting")) as client:
        client[DATABASE]["daily_figures"].insert_many(documents)
        client[DATABASE]["backlog"].insert_many(list(backlog.values()))
        client[DATABASE]["units"].insert_many(units)
        client[DATABASE]["unit_counts"].insert_one({"_id": estate_id, "estate_id": estate_id,
                                                    "company_id": "demo-company", "units": UNITS})
        client[DATABASE]["buildings"].insert_many(buildings)
    return {"tickets": tickets, "days": len(documents), "events": tickets * 8, "units": UNITS}


async def _publish(amqp: str, envelopes: list[Envelope]) -> None:
    connection = await aio_pika.connect(amqp)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        for start in range(0, len(envelopes), 200):
            await asyncio.gather(*(channel.default_exchange.publish(
                aio_pika.Message(e.model_dump_json().encode(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=QUEUE) for e in envelopes[start:start + 200]))


def register_estate(stack: Stack, estate_id: str) -> None:
    asyncio.run(_publish(stack.amqp, [_envelope(estate_id, "intake.estate.registered", {
        "estate_id": estate_id, "name": f"压测小区 {estate_id}", "time_zone": ZONE}, clock.now())]))
    _wait_archived(stack, estate_id, 1, timeout=60)


def _wait_archived(stack: Stack, estate_id: str, count: int, *, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    with MongoClient(stack.mongo_url_of("reporting")) as client:
        while client[DATABASE]["events"].count_documents({"estate_id": estate_id}) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reporting did not archive {count} events within {timeout} s")
            time.sleep(0.2)
    return time.monotonic()


def daily_report_p95(stack: Stack, tickets: int, requests: int = 200) -> Figure:
    estate_id = f"bench-report-{new_id().lower()[-8:]}"
    register_estate(stack, estate_id)
    seeded = seed_year(stack, estate_id, tickets)
    token = stack.token(user_id="bench-pm", roles=["estate_manager"], estates=[estate_id])
    today = clock.now().date()
    timings: dict[str, list[float]] = {"report": [], "one_day_document": []}
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        for n in range(requests + 10):
            day = today - timedelta(days=1 + n % 360)
            for name, path in (("report", "/v1/reports/service-centre-daily"), ("one_day_document", "/v1/reports/daily")):
                started = time.perf_counter()
                client.get(f"{stack.url('reporting')}{path}",
                           params={"estate_id": estate_id, "day": day.isoformat()}).raise_for_status()
                if n >= 10:  # the first few warm the process up
                    timings[name].append((time.perf_counter() - started) * 1000)
    report_ms, reference_ms = sorted(timings["report"]), sorted(timings["one_day_document"])
    p95 = report_ms[int(len(report_ms) * 0.95) - 1]
    return Figure("reporting.daily_report_p95_ms", p95, "ms", detail={
        **seeded, "requests": len(report_ms), "p50_ms": round(statistics.median(report_ms), 1),
        # The same stack's cheapest read (one day document by id, GET /v1/reports/daily), for scale.
        "one_day_document_p95_ms": round(reference_ms[int(len(reference_ms) * 0.95) - 1], 1),
        "seeded_as": "day documents computed by reporting's rules"})


def cpu_per_event(stack: Stack, events: int) -> Figure:
    estate_id = f"bench-events-{new_id().lower()[-8:]}"
    register_estate(stack, estate_id)
    tickets = events // 8
    # As many tickets a day as the year of history has (100,000 a year: one every 315 s), ending yesterday.
    every_s = 365 * 86400 // TICKETS_A_YEAR
    base = clock.now() - timedelta(days=1, seconds=tickets * every_s)
    envelopes = [e for n in range(tickets) for e in ticket_life(estate_id, n, base + timedelta(seconds=n * every_s))]
    meter = CpuMeter(stack)
    meter.start()
    started = time.monotonic()
    asyncio.run(_publish(stack.amqp, envelopes))
    finished = _wait_archived(stack, estate_id, len(envelopes) + 1, timeout=1800)
    per_event = meter.per_contact_ms(len(envelopes))
    return Figure("reporting.cpu_ms_per_event", per_event.get("reporting"), "ms", detail={
        "events": len(envelopes), "events_per_s": round(len(envelopes) / (finished - started), 1),
        "cpu_ms_per_event_by_process": per_event})


def figures_of(stack: Stack, *, tickets: int, events: int) -> list[Figure]:
    return [daily_report_p95(stack, tickets), cpu_per_event(stack, events)]


def _each_reported(stack: Stack, *, tickets: int, events: int) -> None:
    report(daily_report_p95(stack, tickets))
    report(cpu_per_event(stack, events))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reporting")
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets of the year of history")
    parser.add_argument("--events", type=int, default=20_000, help="events for the CPU per event")
    parser.add_argument("--quick", action="store_true", help="10,000 tickets, 2,000 events")
    args = parser.parse_args()
    if args.quick:
        args.tickets, args.events = 10_000, 2_000
    workdir = Path(tempfile.mkdtemp(prefix="estatedesk-bench-reporting-"))
    stack = Stack(workdir, ports=None)
    try:
        stack.start_infrastructure()
        stack.start_service("reporting")
        _each_reported(stack, tickets=args.tickets, events=args.events)
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
