"""The thin slice, paced by the Python generator (per-request tags): half-load latency, 201 → assignee's message."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

import httpx
from ulid import ULID

from bench.load import contact, percentile, run_load
from bench.refs import load_summary
from bench.results import Figure
from devstack.stack import Stack

TAG = re.compile(r"\[([a-z0-9-]+)\]")


def new_estate(stack: Stack, *, engineers: int = 2, intake_only: bool = False) -> str:
    """A fresh estate with engineers on duty, registered through the public APIs (as the demo does)."""
    estate_id = f"bench-{str(ULID()).lower()[-12:]}"
    admin = {"Authorization": f"Bearer {stack.token(user_id='bench-admin', roles=['company_admin'], estates='*')}"}
    with httpx.Client(timeout=15, headers=admin) as client:
        client.post(f"{stack.url('intake')}/v1/estates",
                    json={"estate_id": estate_id, "name": f"压测小区 {estate_id}"}).raise_for_status()
        if intake_only:
            return estate_id
        stack.wait_for_estate(estate_id)  # dispatch answers 404 for an estate it has not learnt of yet
        for n in range(engineers):
            staff = {"estate_id": estate_id, "staff_id": f"{estate_id}-eng-{n}", "name": f"工程师{n}",
                     "department": "engineering", "skills": ["plumbing"], "on_duty": True}
            client.post(f"{stack.url('dispatch')}/v1/staff", json=staff,
                        headers={"Idempotency-Key": f"{estate_id}-staff-{n}"}).raise_for_status()
    return estate_id


def agent_token(stack: Stack, estates: list[str]) -> str:
    return stack.token(user_id="bench-agent", roles=["agent", "supervisor"], estates=estates)


def p99_at_half_load(stack: Stack, token: str, estate_id: str, full: Figure | None, *, duration: float = 15) -> Figure:
    """Latency of contacts paced at half the measured accept rate (quality.md)."""
    if full is None or not full.value:
        raise RuntimeError("the full-load accept rate was not measured")
    rate = full.value / 2
    result = run_load(f"{stack.url('intake')}/v1/contacts", estate_id, token, mode="paced", prefix="half",
                      rate=rate, duration=duration, concurrency=64)
    return Figure("intake.p99_ms_at_half_load", result["p99_ms"], "ms",
                  detail={"rate_per_s": round(rate, 1), **load_summary(result)})


def _created_at(text: str) -> float:
    """The message's server time (UTC, stored without a zone by the database) as a Unix time."""
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def delivered(client: httpx.Client, stack: Stack, estate_id: str) -> dict[str, float]:
    """Every stored message of the estate, all pages: tag → created_at (Unix time)."""
    found, cursor = {}, None
    while True:
        params = {"estate_id": estate_id, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{stack.url('notification')}/v1/messages", params=params).raise_for_status().json()
        for message in page["items"]:
            if match := TAG.search(message["body"]):
                found.setdefault(match.group(1), _created_at(message["created_at"]))
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def warm_up(client: httpx.Client, stack: Stack, estate_id: str, timeout: float = 30) -> None:
    """One repair through the whole chain before measuring, so every consumer is connected."""
    client.post(f"{stack.url('intake')}/v1/contacts", json=contact(estate_id, "warm-000000")).raise_for_status()
    deadline = time.monotonic() + timeout
    while "warm-000000" not in delivered(client, stack, estate_id):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the warm-up repair did not reach its assignee within {timeout} s")
        time.sleep(0.2)


def ticket_to_assignee(stack: Stack, token: str, estate_id: str, *, rate: float, duration: float,
                       drain_s: float = 60) -> list[Figure]:
    """Steady repairs at `rate`/s for `duration` s; latency = message's created_at − the client's 201 time."""
    with httpx.Client(timeout=15, headers={"Authorization": f"Bearer {token}"}) as client:
        warm_up(client, stack, estate_id)
        result = run_load(f"{stack.url('intake')}/v1/contacts", estate_id, token, mode="paced", prefix="e2e",
                          rate=rate, duration=duration, concurrency=32)
        accepted: dict[str, float] = result["accepted_at"]
        deadline, found = time.monotonic() + drain_s, {}
        while time.monotonic() < deadline:
            found = delivered(client, stack, estate_id)
            if all(tag in found for tag in accepted):
                break
            time.sleep(0.5)
    latencies = [(found[tag] - at) * 1000 for tag, at in accepted.items() if tag in found]
    detail = {"rate_per_s": rate, "duration_s": duration, "sent": result["sent"], "statuses": result["statuses"],
              "accepted_per_s": _round(result["accepted_per_s"]), "accepted": len(accepted),
              "delivered": len(latencies), "missing": len(accepted) - len(latencies),
              "http_p50_ms": _round(result["p50_ms"]), "http_p95_ms": _round(result["p95_ms"]),
              "max_ms": _round(max(latencies, default=None))}
    return [
        Figure("e2e.ticket_to_assignee_p50_ms", percentile(latencies, 0.50), "ms", detail=detail),
        Figure("e2e.ticket_to_assignee_p95_ms", percentile(latencies, 0.95), "ms", detail=detail),
    ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
