"""Billing's figures (quality.md): a run over 100,000 units (and its rerun creating 0), concurrent
payments per second with gapless receipts, and reconciling an estate of 10,000 units.

The units are loaded the way an estate is onboarded: intake's directory import, in files of
20,000 lines; billing learns them from intake's events.
"""

from __future__ import annotations

import csv
import io
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from pymongo import MongoClient

from bench.results import Figure
from devstack.stack import Stack

IMPORT_LINES = 20_000


def _admin(stack: Stack) -> dict[str, str]:
    return {"Authorization": "Bearer " + stack.token(user_id="bench-admin", roles=["company_admin"], estates="*")}


def estate_with_units(stack: Stack, estate_id: str, units: int) -> None:
    """An estate of `units` flats, imported through intake, once billing knows them all."""
    with httpx.Client(timeout=900, headers=_admin(stack)) as client:
        client.post(f"{stack.url('intake')}/v1/estates", json={"estate_id": estate_id, "name": estate_id})
        for start in range(0, units, IMPORT_LINES):
            rows = [["building", "unit", "floor", "area", "kind", "name", "phone", "role", "move_in_date"]]
            rows += [[f"{n // 500 + 1}栋", f"U{n:06d}", n % 30 + 1, f"{60 + n % 80}.50", "residential", "", "", "", ""]
                     for n in range(start, min(units, start + IMPORT_LINES))]
            text = io.StringIO()
            csv.writer(text).writerows(rows)
            client.post(f"{stack.url('intake')}/v1/estates/{estate_id}/directory/import",
                        content=text.getvalue().encode(), headers={"Content-Type": "text/csv"}).raise_for_status()
    with MongoClient(stack.mongo_url_of("billing")) as mongo:
        deadline = time.monotonic() + 1800
        while mongo["estatedesk_billing"]["units"].count_documents({"estate_id": estate_id}) < units:
            if time.monotonic() > deadline:
                raise TimeoutError("billing did not learn the units within 30 min")
            time.sleep(1)


def _run(client: httpx.Client, stack: Stack, estate_id: str, period: str) -> tuple[float, dict]:
    started = time.monotonic()
    run = client.post(f"{stack.url('billing')}/v1/billing-runs", json={
        "estate_id": estate_id, "period": period, "items": ["property_fee"]}).raise_for_status().json()
    while run["status"] != "completed":
        time.sleep(0.2)
        run = client.get(f"{stack.url('billing')}/v1/billing-runs/{run['id']}").raise_for_status().json()
    return time.monotonic() - started, run


def run_figures(stack: Stack, units: int) -> list[Figure]:
    estate_id = "bench-billing-run"
    estate_with_units(stack, estate_id, units)
    with httpx.Client(timeout=900, headers=_admin(stack)) as client:
        first_s, first = _run(client, stack, estate_id, "2025-01")
        again_s, again = _run(client, stack, estate_id, "2025-01")
    return [
        Figure("billing.run_100k_units_s", first_s, "s", detail={"units": units, "created": first["created"]}),
        Figure("billing.rerun_created", again["created"], "lines", detail={"units": units, "rerun_s": round(again_s, 1)}),
    ]


def payments_and_reconcile(stack: Stack, units: int, payments: int, clients: int) -> list[Figure]:
    estate_id = "bench-billing-pay"
    estate_with_units(stack, estate_id, units)
    headers = _admin(stack)
    with httpx.Client(timeout=900, headers=headers) as client:
        _run(client, stack, estate_id, "2025-01")
        unit_ids = []
        cursor = None
        while len(unit_ids) < min(units, payments):
            page = client.get(f"{stack.url('billing')}/v1/units", params={
                "estate_id": estate_id, "limit": 100, **({"cursor": cursor} if cursor else {})}).json()
            unit_ids += [unit["id"] for unit in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break

    def pay(n: int) -> int:
        with httpx.Client(timeout=60, headers={**headers, "Idempotency-Key": f"bench-{n}"}) as one:
            return one.post(f"{stack.url('billing')}/v1/payments", json={
                "unit_id": unit_ids[n % len(unit_ids)], "amount": f"{50 + n % 100}.{n % 100:02d}",
                "method": "cash"}).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = list(pool.map(pay, range(payments)))
    elapsed = time.monotonic() - started
    with MongoClient(stack.mongo_url_of("billing")) as mongo:
        numbers = sorted(p["receipt_seq"] for p in mongo["estatedesk_billing"]["payments"].find(
            {"estate_id": estate_id}, {"receipt_seq": 1}))
    gapless = numbers == list(range(1, len(numbers) + 1)) and len(numbers) == statuses.count(201)
    timings = []
    with httpx.Client(timeout=900, headers=headers) as client:
        for _ in range(5):
            started_at = time.monotonic()
            report = client.get(f"{stack.url('billing')}/v1/estates/{estate_id}/reconciliation").json()
            timings.append((time.monotonic() - started_at) * 1000)
    return [
        Figure("billing.payments_per_s", statuses.count(201) / elapsed, "payments/s",
               detail={"payments": payments, "clients": clients, "gapless": gapless,
                       "failed": len(statuses) - statuses.count(201)}),
        Figure("billing.reconcile_estate_ms", statistics.median(timings), "ms",
               detail={"units": units, "balanced": report["balanced"], "units_checked": report["units_checked"]}),
    ]
