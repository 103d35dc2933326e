"""A billing run killed (kill -9) in the middle and taken up again: every line once, none twice.

The run's progress commits with each chunk of lines, so the process that takes the run over
after the lease lapses starts at the first chunk not committed."""

from __future__ import annotations

from devstack.stack import wait_until_ready
from tests.e2e.billing_estate import BillingEstate
from tests.helpers import eventually

UNITS = 1000


def test_a_run_killed_mid_way_resumes_without_duplicates(stack):
    rows = [[f"{n // 100 + 1}栋", f"R-{n:05d}", 1, "90.00", "residential", "", "", "", ""] for n in range(UNITS)]
    estate = BillingEstate(stack, rows)
    original = stack.services["billing"][0]
    original.kill()
    # Small chunks and a short lease, so that the kill falls mid-run and the take-over comes soon.
    billing = stack.start_service("billing", port=stack.ports["billing"], RUN_BATCH_SIZE="20", RUN_LEASE_S="3")
    try:
        response = estate.clerk.post("billing", "/v1/billing-runs", json={
            "estate_id": estate.estate_id, "period": "2025-06", "items": ["property_fee"]})
        assert response.status_code == 202, response.text
        run_id = response.json()["id"]

        def under_way():
            run = estate.clerk.get("billing", f"/v1/billing-runs/{run_id}").json()
            return 0 < run["done"] < run["total"] and run
        partly = eventually(under_way, interval=0.02, what="the run under way")
        billing.kill()
        billing.start()
        wait_until_ready(stack.url("billing"), timeout=90, process=billing, service="billing")
        run = estate.finished(run_id, timeout=150)  # an open transaction of the killed process may hold the run
        assert partly["done"] < UNITS
        assert (run["total"], run["done"], run["created"], run["existing"]) == (UNITS, UNITS, UNITS, 0)
        lines = estate.lines(period="2025-06")
        assert len(lines) == len({line["unit_id"] for line in lines}) == UNITS
        assert {line["amount"] for line in lines} == {"225.00"}  # 90 m² × 2.50
        assert estate.reconciliation()["balanced"] is True
    finally:
        billing.stop()
        stack.services["billing"].remove(billing)
        original.start()
        wait_until_ready(stack.url("billing"), timeout=90, process=original, service="billing")
