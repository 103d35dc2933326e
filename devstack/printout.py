"""What `make run` prints once the demo is loaded: where everything is, and how to call it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

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
