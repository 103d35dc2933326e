"""Reliability test 8 (quality.md): two hundred concurrent payments in one estate — receipt numbers
unique and gapless (payments that fail inside their transaction leave no hole), and every unit's
account reconciles to the fen."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from tests.e2e.billing_estate import BillingEstate
from tests.helpers import Api, all_pages

UNITS = 50
PAYMENTS = 200
DOOMED = 10  # name a line that is paid already: refused inside the payment's transaction


def test_two_hundred_concurrent_payments_get_gapless_receipts_and_every_account_reconciles(stack):
    rows = [[f"{n % 5 + 1}栋", f"U-{n:03d}", 1, f"{60 + n}.25", "residential", "", "", "", ""] for n in range(UNITS)]
    estate = BillingEstate(stack, rows)
    run = estate.run("2025-01", ["property_fee", "garbage_fee"])
    assert run["created"] == 2 * UNITS
    first_unit = estate.units[0]
    settled = estate.lines(unit_id=first_unit["id"])[0]
    response = estate.pay(first_unit["number"], settled["amount"], line_ids=[settled["id"]])
    assert response.status_code == 201, response.text

    def pay(n: int):
        clerk = Api(stack, user_id=f"clerk-{n % 8}", roles=["billing_clerk"], estates=[estate.estate_id])
        if n < DOOMED:
            body = {"unit_id": first_unit["id"], "amount": "1.00", "method": "cash", "line_ids": [settled["id"]]}
        else:
            unit = estate.units[n % UNITS]
            body = {"unit_id": unit["id"], "amount": f"{37 + n}.{n % 100:02d}", "method": "wechat_pay"}
        return clerk.post("billing", "/v1/payments", json=body, headers={"Idempotency-Key": f"concurrent-{n}"})

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        responses = list(pool.map(pay, range(PAYMENTS)))
    elapsed = time.monotonic() - started
    print(f"\nbilling.payments_per_s {PAYMENTS / elapsed:.1f} ({PAYMENTS} concurrent payments in {elapsed:.2f} s)")
    statuses = [r.status_code for r in responses]
    assert statuses[:DOOMED] == [409] * DOOMED, [r.text for r in responses[:DOOMED]]
    assert statuses[DOOMED:] == [201] * (PAYMENTS - DOOMED), [r.text for r in responses if r.status_code != 201]

    payments = all_pages(estate.clerk, "billing", "/v1/payments", {"estate_id": estate.estate_id})
    numbers = sorted(int(p["receipt_number"].removeprefix("SJ")) for p in payments)
    assert numbers == list(range(1, PAYMENTS - DOOMED + 2))  # unique and gapless, the first payment's included
    report = estate.reconciliation()
    assert report["balanced"] is True, report["discrepancies"]
    assert report["units_checked"] == UNITS
    received = sum(Decimal(p["amount"]) for p in payments)
    assert Decimal(report["totals"]["received"]) == received
    assert Decimal(report["totals"]["payments_applied"]) + Decimal(report["totals"]["balance"]) == received
