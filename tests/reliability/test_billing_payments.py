"""Reliability test 8 (quality.md): two hundred concurrent payments in one estate — receipt numbers
unique and gapless, and every unit's account reconciles to the fen.

Some of them fail after their receipt number was taken inside their transaction: twenty payments
name the same open line at once, each for all it owes. Each passes the early check (the line is
open as read before its transaction); one pays the line, and the others, finding it paid when
they come to pay it, are refused (409 `bill_line_changed`) after taking their number, which the
abort gives back. Those that read the line only after it was paid are refused early (409
`conflict`); the test insists that some were refused late, or it would prove nothing: a race
whose racers all came too late is run again on another unit's line (a few rounds at most)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from tests.e2e.billing_estate import BillingEstate
from tests.helpers import Api, all_pages

UNITS = 50
PAYMENTS = 200
RACING = 20  # payments naming one open line at once: one of them pays it
ROUNDS = 4  # at most: a round whose racers all read the line after it was paid proves nothing, another follows


def test_two_hundred_concurrent_payments_get_gapless_receipts_and_every_account_reconciles(stack):
    rows = [[f"{n % 5 + 1}栋", f"U-{n:03d}", 1, f"{60 + n}.25", "residential", "", "", "", ""] for n in range(UNITS)]
    estate = BillingEstate(stack, rows)
    run = estate.run("2025-01", ["property_fee", "garbage_fee"])
    assert run["created"] == 2 * UNITS
    raced_units, others = estate.units[:ROUNDS], estate.units[ROUNDS:]
    # Each racer's client is made and connected before the race, which its start then does not spread out.
    racers = [Api(stack, user_id=f"clerk-{n % 8}", roles=["billing_clerk"], estates=[estate.estate_id])
              for n in range(RACING)]
    for racer in racers:
        assert racer.get("billing", f"/v1/units/{raced_units[0]['id']}/account").status_code == 200

    def race(round_: int, with_others: bool) -> tuple[list, list]:
        unit = raced_units[round_]
        line = next(line for line in estate.lines(unit_id=unit["id"]) if line["item_code"] == "property_fee")
        assert line["status"] == "issued"
        start_together = threading.Barrier(RACING)

        def pay(n: int):
            if n < RACING:
                body = {"unit_id": unit["id"], "amount": line["amount"], "method": "cash", "line_ids": [line["id"]]}
                start_together.wait(timeout=60)
                return racers[n].post("billing", "/v1/payments", json=body,
                                      headers={"Idempotency-Key": f"race-{round_}-{n}"})
            clerk = Api(stack, user_id=f"clerk-{n % 8}", roles=["billing_clerk"], estates=[estate.estate_id])
            payer = others[n % len(others)]
            body = {"unit_id": payer["id"], "amount": f"{37 + n}.{n % 100:02d}", "method": "wechat_pay"}
            return clerk.post("billing", "/v1/payments", json=body, headers={"Idempotency-Key": f"concurrent-{n}"})

        with ThreadPoolExecutor(max_workers=32) as pool:
            responses = list(pool.map(pay, range(PAYMENTS if with_others else RACING)))
        racing = responses[:RACING]
        assert [r.status_code for r in racing].count(201) == 1, [r.text for r in racing]
        paid_once = estate.clerk.get("billing", f"/v1/bill-lines/{line['id']}").json()
        assert (paid_once["status"], paid_once["paid"]) == ("paid", line["amount"])
        return racing, responses[RACING:]

    started = time.monotonic()
    racing, rest = race(0, with_others=True)
    elapsed = time.monotonic() - started
    print(f"\nbilling.payments_per_s {PAYMENTS / elapsed:.1f} ({PAYMENTS} concurrent payments in {elapsed:.2f} s)")
    assert [r.status_code for r in rest] == [201] * (PAYMENTS - RACING), [r.text for r in rest if r.status_code != 201]
    rounds = 1
    codes: Counter = Counter()
    while True:
        refused = [r for r in racing if r.status_code != 201]
        assert all(r.status_code == 409 and r.json()["field"] == "line_ids" for r in refused), [r.text for r in refused]
        codes.update(r.json()["code"] for r in refused)
        if codes["bill_line_changed"] or rounds == ROUNDS:
            break
        racing, _none = race(rounds, with_others=False)
        rounds += 1
    print(f"refused after taking a receipt number: {codes['bill_line_changed']}, before: {codes['conflict']} "
          f"({rounds} round(s) of {RACING})")
    assert codes["bill_line_changed"] >= 1, codes  # else no payment failed after taking its number
    assert set(codes) <= {"bill_line_changed", "conflict"}, codes

    payments = all_pages(estate.clerk, "billing", "/v1/payments", {"estate_id": estate.estate_id})
    assert len(payments) == PAYMENTS - RACING + rounds
    numbers = sorted(int(p["receipt_number"].removeprefix("SJ")) for p in payments)
    assert numbers == list(range(1, len(payments) + 1))  # unique and gapless
    for unit in raced_units[:rounds]:
        assert estate.clerk.get("billing", f"/v1/units/{unit['id']}/account").json()["balance"] == "0.00"
    report = estate.reconciliation()
    assert report["balanced"] is True, report["discrepancies"]
    assert report["units_checked"] == UNITS
    received = sum(Decimal(p["amount"]) for p in payments)
    assert Decimal(report["totals"]["received"]) == received
    assert Decimal(report["totals"]["payments_applied"]) + Decimal(report["totals"]["balance"]) == received
