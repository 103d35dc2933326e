"""What `make run` prints once the demo is loaded: where everything is, and how to call it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from devstack.demo import DEMO_ESTATE, ESTATE
from devstack.stack import SERVICES, Stack
from shared.envelope import utcnow

INDENT = " " * 16


def _block(title: str, lines: list[str]) -> str:
    return f"  {title:<13} " + f"\n{INDENT}".join(lines)


def print_demo(stack: Stack, demo: dict, data: Path, say: Callable[[str], None]) -> None:
    agent = stack.token(user_id="agent-1", roles=["agent", "supervisor"])
    admin = stack.token(user_id="admin-1", roles=["company_admin"], estates="*")
    today = utcnow().astimezone(ZoneInfo(DEMO_ESTATE["time_zone"])).date().isoformat()
    dispatch = stack.url("dispatch")
    say("\nEstateDesk is running.\n")
    say(f"  {'service':<13} {'API (Swagger UI)':<31} events (AsyncAPI)")
    for service in SERVICES:
        say(f"  {service:<13} {stack.url(service) + '/docs':<31} {stack.url(service)}/docs/asyncapi")
    say(f"\n  broker        {stack.amqp}")
    say(f"  data          {data}  (kept for the next run; `make clean` wipes it)")
    ticket = demo["contact"]["ticket"]
    say("\n" + _block("demo call", [
        f"张三 (13812345678) reports: {ticket['description']} → ticket {ticket['number']}, priority {ticket['priority']}",
        f"its engineer was told: {demo['message']['body']}",
    ]))
    orders = demo["orders"]
    say("\n" + _block("work orders", [
        *(f"{o['number']}  {o['status']:<11} {o['description']}" for o in orders),
        f"{orders[-1]['number']} breaches its accept deadline within 20 s, then climbs the escalation ladder:",
        f"  GET {dispatch}/v1/work-orders?estate_id={ESTATE}&sla_state=breached",
    ]))
    for area, lines in demo["areas"].items():
        say("\n" + _block(area, lines))
    say("\n  Every /v1 URL above needs a bearer token in an Authorization header. Two are minted for you (12 h):")
    say(f"    agent-1, agent and supervisor of {ESTATE}:\n      export TOKEN={agent}")
    say(f"    admin-1, company admin of every estate:\n      export ADMIN={admin}")
    say("    or mint your own (other roles, estates, users: see the README):")
    say("      export TOKEN=$(make -s token ROLES=agent,supervisor)")
    say(f"  then, for example (today's figures of {DEMO_ESTATE['name']}):")
    say(f"    curl -s -H \"Authorization: Bearer $TOKEN\" "
        f"'{stack.url('reporting')}/v1/reports/daily?estate_id={ESTATE}&day={today}'")


def _board_line(stack: Stack, token: str) -> str:
    """The demo estate's figures as its dashboard shows them, once reporting has caught up."""
    url = f"{stack.url('reporting')}/v1/dashboards/estates/{ESTATE}"
    board, deadline = None, time.monotonic() + 15
    try:
        while time.monotonic() < deadline:  # until the board stops moving (the demo's events are in)
            previous = board
            board = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).raise_for_status().json()
            if previous is not None and previous["version"] == board["version"]:
                break
            time.sleep(1.0)
    except httpx.HTTPError as error:
        return f"(not read: {error})"
    rate = "—" if board["answer_rate"] is None else f"{board['answer_rate'] * 100:.1f}%"
    return (f"今日来电 {board['calls_today']} · 15秒接通率 {rate} · 未结工单 {len(board['open_work_orders'])} · "
            f"即将超时 {len(board['about_to_breach'])} · 已超时 {len(board['breached'])} · 未结受理 {board['open_tickets']}")


def print_dashboard(stack: Stack, say: Callable[[str], None]) -> None:
    """Last of all: where the dashboards are, with a token for an ops viewer of every estate."""
    viewer = stack.token(user_id="ops-demo", roles=["ops_viewer"], estates="*")
    base = stack.url("reporting")
    say("\n" + _block("dashboards", [
        f"{DEMO_ESTATE['name']} now: {_board_line(stack, viewer)}",
        "live in the browser (Chinese; English on the switch), signed in by the link for 12 h:",
        f"  company overview  {base}/dashboard#token={viewer}",
        f"  estate view       {base}/dashboard/estates/{ESTATE}",
        f"  reports           {base}/dashboard/reports",
        "the token rides in the link's #fragment, which no server sees; the page keeps it in the tab only",
    ]))
