"""`make bench`: start the stack in a temporary folder, measure, print, write, stop.

First only the broker, the databases and intake: the references (`ref.http_noop` driven by
wrk, like intake) and intake alone at full load. Then the other four services: the SLA
scheduler's fire lag, the dashboards (the overview of 200 estates, an event to a browser's
screen), the steady end-to-end run, a full-load burst through the whole platform
(its accept rate, its CPU per contact per process, its round trips per contact per service,
py-spy profiles), intake at half load, the call storm; then billing (a run over 100,000 units
and its rerun, concurrent payments, an estate's reconciliation); last reporting (the daily report over a
year of history, CPU per event consumed). A measurement that fails is reported
as n/a; only a stack that cannot start makes the run fail. `--quick` runs all of it small.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import announce, billing, dashboards, platform, refs, reporting, sla, storm, thin_slice, webhooks
from bench.results import Figure, report, write
from devstack.stack import SERVICES, Stack
from services.dispatch.domain.roster_solver import bench_roster_solve


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="EstateDesk benchmarks (quality.md)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections at full load")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per full-load (wrk) run")
    parser.add_argument("--e2e-rate", type=float, default=20.0, help="repairs per second in the end-to-end run")
    parser.add_argument("--e2e-duration", type=float, default=15.0, help="seconds of the end-to-end run")
    parser.add_argument("--engineers", type=int, default=2, help="engineers on duty in each bench estate")
    parser.add_argument("--sla-orders", type=int, default=10_000, help="open work orders for the SLA fire-lag run")
    parser.add_argument("--sla-spread", type=float, default=180, help="seconds over which their deadlines fall due")
    parser.add_argument("--storm-count", type=int, default=20_000, help="contacts in the call storm")
    parser.add_argument("--storm-clients", type=int, default=64, help="clients of the call storm")
    parser.add_argument("--billing-units", type=int, default=100_000, help="units of the billing run")
    parser.add_argument("--billing-payments", type=int, default=200, help="concurrent payments")
    parser.add_argument("--reconcile-units", type=int, default=10_000, help="units of the reconciled estate")
    parser.add_argument("--report-tickets", type=int, default=100_000, help="tickets of the daily report's year")
    parser.add_argument("--reporting-events", type=int, default=20_000, help="events for reporting's CPU per event")
    parser.add_argument("--announce-residents", type=int, default=10_000, help="residents of the announcement")
    parser.add_argument("--webhook-events", type=int, default=1000, help="events delivered to the bench webhook")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, data)")
    parser.add_argument("--only", default="", metavar="PREFIXES",
                        help="measure only the figures whose names start with one of these comma-separated "
                             "prefixes, e.g. `billing.,webhook.` (the stack still starts whole)")
    parser.add_argument("--quick", action="store_true",
                        help="everything, small: 5 s runs, 1,000 SLA orders, a storm of 2,000, "
                             "a billing run of 2,000 units (about 4 minutes)")
    args = parser.parse_args()
    global ONLY
    ONLY = tuple(prefix for prefix in args.only.split(",") if prefix)
    if args.quick:
        args.duration, args.e2e_duration, args.sla_orders, args.sla_spread = 5.0, 5.0, 1000, 20
        args.storm_count, args.announce_residents = 2000, 1000
        args.billing_units, args.reconcile_units = 2000, 1000
        args.report_tickets, args.reporting_events = 10_000, 2_000
        args.webhook_events = 300
    return args


# `--only`: the prefixes of the figures to measure (none: all of them).
ONLY: tuple[str, ...] = ()


def measure(names: list[tuple[str, ...]], run: Callable[[], Figure | list[Figure]]) -> list[Figure]:
    """Run one measurement; on any error, its figures are n/a with the error noted, and we go on.

    `names` are the figures' (name, value, unit[, reference]) when it fails, value None. A measurement
    `--only` leaves out gives its figures as n/a, marked skipped, and they are not written.
    """
    if ONLY and not any(name[0].startswith(ONLY) for name in names):
        return [Figure(*name, detail={"skipped": True}) for name in names]
    started = time.monotonic()
    try:
        result = run()
        figures = result if isinstance(result, list) else [result]
    except Exception as error:  # a benchmark never fails the run on a measurement
        traceback.print_exc(file=sys.stderr)
        figures = [Figure(*name, detail={"error": repr(error)}) for name in names]
    for figure in figures:
        figure.detail.setdefault("took_s", round(time.monotonic() - started, 1))
        # What else ran on the machine meanwhile: a figure taken at a load average of 8 is an upper bound.
        figure.detail.setdefault("load_average", [round(n, 1) for n in os.getloadavg()])
        report(figure)
    return figures


def roster_solve() -> Figure:
    """A month's roster for a 12-person service centre, three shifts of two (CP-SAT), solved here."""
    return Figure("duty.roster_solve_s", bench_roster_solve(), "s", detail={"staff": 12, "shifts_per_day": 3})


def main() -> int:
    args = arguments()
    workdir = Path(tempfile.mkdtemp(prefix="estatedesk-bench-"))
    # Every service counts its database commands (mongo_commands_total): round trips per contact.
    # The bench's webhook receiver is on this machine (a private address).
    stack = Stack(workdir, ports=None, env={"MONGO_COUNT_COMMANDS": "true", "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"})
    keep = args.keep
    full = {"seconds": args.duration, "connections": args.connections}
    try:
        print(f"# starting the broker, the databases and intake in {workdir} …", file=sys.stderr, flush=True)
        try:
            stack.start_infrastructure()
            stack.start_service("intake")
            alone_estate = thin_slice.new_estate(stack, engineers=0, intake_only=True)
        except Exception:
            traceback.print_exc()
            print(f"the stack did not start; its logs are in {workdir}", file=sys.stderr)
            keep = True
            return 1
        alone_token = thin_slice.agent_token(stack, [alone_estate])
        db, = measure([("ref.db_insert_one", None, "inserts/s")], lambda: refs.db_insert_one(stack))
        http, = measure([("ref.http_noop", None, "req/s")],
                        lambda: refs.http_noop(stack, workdir / "noop", alone_token, alone_estate, **full))
        alone = measure([("intake.accept_rate_alone", None, "contacts/s", "ref.db_insert_one")],
                lambda: platform.intake_alone(stack, alone_token, alone_estate, workdir, reference=db, **full))

        print("# starting the other services …", file=sys.stderr, flush=True)
        try:
            for service in SERVICES:
                if not stack.services[service]:
                    stack.start_service(service)
            e2e_estate = thin_slice.new_estate(stack, engineers=args.engineers)
            load_estate = thin_slice.new_estate(stack, engineers=args.engineers)
            storm_estate = thin_slice.new_estate(stack, engineers=args.engineers)
        except Exception:
            traceback.print_exc()
            print(f"the stack did not start; its logs are in {workdir}", file=sys.stderr)
            keep = True
            return 1
        token = thin_slice.agent_token(stack, [e2e_estate, load_estate, storm_estate])
        print("# stack up; measuring …", file=sys.stderr, flush=True)
        amqp, = measure([("ref.amqp_publish_confirmed", None, "msgs/s")], lambda: refs.amqp_publish_confirmed(stack))
        # The clock on a quiet stack, before the intake storms leave backlogs behind them.
        fire_lag, = measure([("sla.fire_lag_p99_ms", None, "ms")],
                            lambda: sla.fire_lag(stack, count=args.sla_orders, spread_s=args.sla_spread))
        # The dashboards on a quiet stack too: reporting has no backlog of the storms yet.
        board = measure([("reporting.overview_200_estates_p95_ms", None, "ms")],
                        lambda: dashboards.overview_200_estates(stack, requests=50 if args.quick else 200))
        board += measure([("reporting.event_to_screen_ms", None, "ms")],
                         lambda: dashboards.event_to_screen(stack, e2e_estate, samples=10 if args.quick else 30))
        e2e = measure(
            [("e2e.ticket_to_assignee_p50_ms", None, "ms"), ("e2e.ticket_to_assignee_p95_ms", None, "ms")],
            lambda: thin_slice.ticket_to_assignee(stack, token, e2e_estate, rate=args.e2e_rate,
                                                  duration=args.e2e_duration),
        )
        burst = measure(
            [("platform.accept_rate", None, "contacts/s"),
             *[("intake.accept_rate", None, "contacts/s", ref) for ref in ("ref.db_insert_one", "ref.http_noop")],
             ("platform.cpu_ms_per_contact", None, "ms"), ("platform.round_trips_per_contact", None, "round trips")],
            lambda: platform.burst(stack, token, load_estate, workdir, references=[db, http], **full),
        )
        intake_full = next((f for f in burst if f.name == "intake.accept_rate"), None)
        half_load = measure([("intake.p99_ms_at_half_load", None, "ms")],
                            lambda: thin_slice.p99_at_half_load(stack, token, load_estate, intake_full))
        storm_figures = measure(
            [("storm.drain_ratio", None, "ratio"), ("memory.rss_mb_max", None, "MB")],
            lambda: storm.drain_ratio(stack, token, storm_estate, count=args.storm_count, clients=args.storm_clients),
        )
        roster, = measure([("duty.roster_solve_s", None, "s")], roster_solve)
        billing_run = measure([("billing.run_100k_units_s", None, "s"), ("billing.rerun_created", None, "lines")],
                              lambda: billing.run_figures(stack, args.billing_units))
        billing_pay = measure([("billing.payments_per_s", None, "payments/s"), ("billing.reconcile_estate_ms", None, "ms")],
                              lambda: billing.payments_and_reconcile(stack, args.reconcile_units, args.billing_payments,
                                                                     clients=32))
        reporting_figures = measure(
            [("reporting.daily_report_p95_ms", None, "ms"), ("reporting.cpu_ms_per_event", None, "ms")],
            lambda: reporting.figures_of(stack, tickets=args.report_tickets, events=args.reporting_events))
        announced = measure(
            [(f"announce.{args.announce_residents // 1000}k_residents_s", None, "s"),
             ("notification.cpu_ms_per_message", None, "ms")],
            lambda: announce.announce_to_residents(stack, args.announce_residents))
        webhook, = measure([("webhook.deliveries_per_s", None, "deliveries/s")],
                           lambda: webhooks.deliveries_per_s(stack, e2e_estate, count=args.webhook_events))
        figures = [db, amqp, http, *alone, *burst, *half_load, *e2e, fire_lag, *board, *storm_figures, roster,
                   *billing_run, *billing_pay, *reporting_figures, *announced, webhook]
        path = write([figure for figure in figures if not figure.detail.get("skipped")])
        print(f"# written to {path}", file=sys.stderr)
        return 0
    finally:
        print("# stopping the stack …", file=sys.stderr, flush=True)
        stack.stop()
        if keep:
            print(f"# kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
