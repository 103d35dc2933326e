"""Meter readings through the API: a baseline, consumption billed through the tiers, a lower reading
refused unless it is a meter replacement, a late reading in the month it measures, bad readings."""

from __future__ import annotations

from tests.e2e.billing_estate import BillingEstate

ROWS = [["1栋", "1-101", 1, "89.50", "residential", "张三", "13812345678", "owner", "2020-05-01"],
        ["1栋", "P-001", -1, "12.00", "parking_space", "", "", "", ""]]


def test_readings_bill_their_consumption_through_the_tiers_and_explain_it(stack):
    estate = BillingEstate(stack, ROWS)
    unit_id = estate.by_number["1-101"]["id"]

    def read(reading: str, period: str, **fields):
        body = {"unit_id": unit_id, "meter": "water", "reading": reading, "read_on": f"{period}-28",
                "period": period, **fields}
        return estate.clerk.post("billing", "/v1/meter-readings", json=body)

    baseline = read("100.00", "2025-01")
    assert baseline.status_code == 201 and baseline.json()["line_id"] is None, baseline.text
    february = read("130.50", "2025-02")
    assert february.status_code == 201, february.text
    line_id = february.json()["line_id"]
    line = estate.clerk.get("billing", f"/v1/bill-lines/{line_id}").json()
    assert (line["item_code"], line["period"], line["amount"]) == ("water", "2025-02", "129.50")
    explained = estate.clerk.get("billing", f"/v1/bill-lines/{line_id}/explanation").json()
    assert explained["matches"] is True  # 18 × 3.50 + 7 × 4.55 + 5.50 × 6.30 = 63.00 + 31.85 + 34.65
    assert [s["quantity"] for s in explained["rule"]["steps"]] == ["18.00", "7.00", "5.50"]
    assert "130.50" in explained["zh"] and "100.00" in explained["zh"] and "tiered" in explained["en"]

    lower = read("120.00", "2025-03")
    assert lower.status_code == 422 and lower.json()["field"] == "reading"
    replaced = read("5.00", "2025-03", replacement=True)
    assert replaced.status_code == 201, replaced.text
    assert estate.clerk.get("billing", f"/v1/bill-lines/{replaced.json()['line_id']}").json()["amount"] == "17.50"
    # Read on 2 May, for April: the line is April's.
    late = estate.clerk.post("billing", "/v1/meter-readings", json={
        "unit_id": unit_id, "meter": "water", "reading": "9.00", "read_on": "2025-05-02", "period": "2025-04"})
    assert late.status_code == 201, late.text
    assert estate.clerk.get("billing", f"/v1/bill-lines/{late.json()['line_id']}").json()["period"] == "2025-04"

    cases = [
        (read("140.00", "2025-04"), 409, "period"),  # April has its reading
        (read("150.00", "2025-02"), 409, "period"),  # an earlier month after a later one
        (read("1.005", "2025-06"), 422, None),
        (read("200.00", "2999-01"), 422, None),
        (estate.clerk.post("billing", "/v1/meter-readings", json={
            "unit_id": unit_id, "meter": "gas", "reading": "1.00", "read_on": "2025-06-01"}), 422, "meter"),
        (estate.clerk.post("billing", "/v1/meter-readings", json={
            "unit_id": "no-such-unit", "meter": "water", "reading": "1.00", "read_on": "2025-06-01"}), 404, "unit_id"),
    ]
    for response, status, field in cases:
        assert response.status_code == status, response.text
        assert field is None or response.json()["field"] == field, response.text
    readings = estate.clerk.get("billing", f"/v1/units/{unit_id}/meter-readings").json()
    assert [(r["period"], r["reading"]) for r in readings] == [
        ("2025-01", "100.00"), ("2025-02", "130.50"), ("2025-03", "5.00"), ("2025-04", "9.00")]
    assert estate.reconciliation()["balanced"] is True
