"""Daily close (日结) through the API: totals by method less reversals, the counted cash and the
difference recorded, the day locked, and a later payment counted in the next day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests.e2e.billing_estate import BillingEstate

ROWS = [["1栋", "1-101", 1, "89.50", "residential", "", "", "", ""],
        ["1栋", "1-102", 1, "120.00", "residential", "", "", "", ""]]


def test_a_clerk_closes_the_day_and_later_payments_belong_to_the_next(stack):
    estate = BillingEstate(stack, ROWS)
    estate.run("2025-01", ["property_fee"])
    made = [estate.pay("1-101", "100.00").json(), estate.pay("1-102", "50.00", method="wechat_pay").json(),
            estate.pay("1-102", "20.00").json()]
    reversed_ = estate.clerk.post("billing", f"/v1/payments/{made[2]['id']}/reversal", json={"reason": "重复收款"})
    assert reversed_.status_code == 200, reversed_.text
    day = made[0]["business_day"]  # the payments' day (they may straddle midnight: count what fell on it)
    on_day = [p for p in made if p["business_day"] == day]
    cash = sum(Decimal(p["amount"]) for p in on_day if p["method"] == "cash")
    if made[2]["business_day"] == day:  # its reversal is of the same day, or of the next
        cash -= Decimal("20.00")
    counted = cash - Decimal("5.00")
    response = estate.clerk.post("billing", "/v1/day-closes", json={
        "estate_id": estate.estate_id, "day": day, "counted_cash": str(counted), "note": "短款5元，已登记"})
    assert response.status_code == 201, response.text
    close = response.json()
    assert (Decimal(close["expected_cash"]), Decimal(close["counted_cash"]), close["over_short"]) == (
        cash, counted, "-5.00")
    assert Decimal(close["totals"]["cash"]) == cash and close["payments"] == len(on_day)
    stored = estate.clerk.get("billing", f"/v1/day-closes/{close['id']}").json()
    assert {**stored, "closed_at": None} == {**close, "closed_at": None}  # (stored to the millisecond)

    again = estate.clerk.post("billing", "/v1/day-closes", json={
        "estate_id": estate.estate_id, "day": day, "counted_cash": "0.00"})
    assert again.status_code == 409 and again.json()["field"] == "day"
    later = estate.pay("1-101", "10.00").json()
    assert later["business_day"] == (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    future = estate.clerk.post("billing", "/v1/day-closes", json={
        "estate_id": estate.estate_id, "day": (date.fromisoformat(day) + timedelta(days=2)).isoformat(),
        "counted_cash": "0.00"})
    assert future.status_code == 422 and future.json()["field"] == "day"
    listed = estate.clerk.get("billing", "/v1/day-closes", params={"estate_id": estate.estate_id, "day": day}).json()
    assert [c["id"] for c in listed] == [close["id"]]
    assert estate.reconciliation()["balanced"] is True
