"""Full-load runs driven by wrk: intake alone, and the whole platform with its CPU per contact.

`intake.accept_rate_alone`: only the broker, intake's database server and intake running (a
service as it scales on machines of its own). `platform.*`: all five services; a burst of
contacts, then the time until every ticket of it has its work order and its assignee's
message; the CPU of every process group from the first request until then, per contact; the
database round trips and events per contact of each service (from their /metrics), and a
py-spy profile of each busy process during the burst.
"""

from __future__ import annotations

import time
from pathlib import Path

from pymongo import MongoClient

from bench import profile
from bench.processes import CpuMeter, counters, per_contact, process_groups
from bench.results import Figure, compared, write_profiles
from bench.wrk import run_wrk
from devstack.stack import Stack


def _count(stack: Stack, service: str, collection: str, query: dict) -> int:
    with MongoClient(stack.mongo_url_of(service)) as client:
        return client[f"estatedesk_{service}"][collection].count_documents(query)


def _settled_tickets(stack: Stack, estate_id: str, timeout: float = 30) -> int:
    """Tickets of the estate once the count stops moving (wrk leaves requests in flight when it stops)."""
    count, deadline = -1, time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = _count(stack, "intake", "tickets", {"estate_id": estate_id})
        if now == count:
            return now
        count = now
        time.sleep(0.5)
    return count


def _profiled(stack: Stack, workdir: Path, seconds: float, only: tuple[str, ...] | None = None) -> dict:
    pids = {name: pid for name, pid in process_groups(stack).items() if name != "broker"
            and (only is None or name in only)}
    return profile.start(pids, seconds, workdir)


def intake_alone(stack: Stack, token: str, estate_id: str, workdir: Path, *, seconds: float,
                 connections: int, reference: Figure | None) -> Figure:
    """Contacts accepted per second by intake with nothing consuming its events."""
    meter, before = CpuMeter(stack), counters(stack)
    profiling = _profiled(stack, workdir / "profile-alone", seconds * 0.8)
    meter.start()
    result = run_wrk(f"{stack.url('intake')}/v1/contacts", estate=estate_id, token=token, prefix="alone",
                     seconds=seconds, connections=connections, workdir=workdir)
    tickets = _settled_tickets(stack, estate_id)  # the relay's last batch is out by then too
    cpu = meter.per_contact_ms(tickets)
    trips = per_contact(before, counters(stack), tickets)
    write_profiles("intake_alone", profile.finish(profiling, workdir / "profile-alone"))
    return compared("intake.accept_rate_alone", result["accepted_per_s"], "contacts/s", reference,
                    **result, tickets=tickets, cpu_ms_per_contact=cpu, cpu_ms_per_contact_total=round(sum(cpu.values()), 1),
                    per_contact=trips)


def burst(stack: Stack, token: str, estate_id: str, workdir: Path, *, seconds: float, connections: int,
          references: list[Figure | None], drain_timeout: float = 600) -> list[Figure]:
    """A wrk burst with everything running, until every ticket has its work order and message."""
    meter, before = CpuMeter(stack), counters(stack)
    profiling = _profiled(stack, workdir / "profile-platform", seconds)
    meter.start()
    started = time.monotonic()
    result = run_wrk(f"{stack.url('intake')}/v1/contacts", estate=estate_id, token=token, prefix="burst",
                     seconds=seconds, connections=connections, workdir=workdir)
    accept_s = time.monotonic() - started
    tickets = _settled_tickets(stack, estate_id)
    orders = messages = 0
    deadline = time.monotonic() + drain_timeout
    while time.monotonic() < deadline:
        orders = _count(stack, "dispatch", "work_orders", {"estate_id": estate_id})
        messages = _count(stack, "notification", "messages",
                          {"estate_id": estate_id, "template": "workorder.assigned"})
        if orders >= tickets and messages >= tickets:
            break
        time.sleep(1.0)  # each count is a scan on those servers, and their CPU is being measured
    drained_s = time.monotonic() - started
    cpu = meter.per_contact_ms(tickets)
    trips = per_contact(before, counters(stack), tickets)
    write_profiles("platform", profile.finish(profiling, workdir / "profile-platform"))
    total = round(sum(cpu.values()), 1)
    detail = {**result, "tickets": tickets, "work_orders": orders, "assigned_messages": messages,
              "drained_s": round(drained_s, 1), "drain_ratio": round(drained_s / accept_s, 2)}
    return [
        Figure("platform.accept_rate", result["accepted_per_s"], "contacts/s", detail=detail),
        *[compared("intake.accept_rate", result["accepted_per_s"], "contacts/s", ref, driven_by="wrk")
          for ref in references],
        Figure("platform.cpu_ms_per_contact", total, "ms", detail={"by_process": cpu, "tickets": tickets}),
        Figure("platform.round_trips_per_contact", round(sum(s["round_trips"] for s in trips.values()), 1),
               "round trips", detail=trips),
    ]
