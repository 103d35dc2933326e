"""Discount rules an estate chooses for a fee item: 打折 for every unit, 空置房 for units nobody lives in;
the best one applies, is stored with the line and explained."""

from __future__ import annotations

from tests.e2e.billing_estate import BillingEstate

ROWS = [["1栋", "1-101", 1, "100.00", "residential", "张三", "13812345678", "owner", "2020-05-01"],
        ["1栋", "1-102", 1, "100.00", "residential", "", "", "", ""]]


def test_discounts_apply_to_the_units_they_are_for_and_explain_themselves(stack):
    estate = BillingEstate(stack, ROWS)
    item = estate.items["property_fee"]
    response = estate.clerk.call("PATCH", "billing", f"/v1/fee-items/{item['id']}", json={
        "discounts": [{"kind": "percentage", "percent": "95"}, {"kind": "vacant", "percent": "50"}]},
        headers={"If-Match": f'"{item["version"]}"'})
    assert response.status_code == 200, response.text
    assert len(response.json()["discounts"]) == 2
    stale = estate.clerk.call("PATCH", "billing", f"/v1/fee-items/{item['id']}", json={"due_day": 20},
                              headers={"If-Match": f'"{item["version"]}"'})
    assert stale.status_code == 409
    bad = estate.clerk.call("PATCH", "billing", f"/v1/fee-items/{item['id']}", json={
        "discounts": [{"kind": "percentage", "percent": "150"}]})
    assert bad.status_code == 422
    estate.run("2025-01", ["property_fee"])
    amounts = {line["unit_id"]: line for line in estate.lines()}
    occupied, vacant = (amounts[estate.by_number[n]["id"]] for n in ("1-101", "1-102"))
    assert (occupied["amount"], vacant["amount"]) == ("237.50", "125.00")  # 250.00 × 95%, × 50%
    explained = estate.clerk.get("billing", f"/v1/bill-lines/{vacant['id']}/explanation").json()
    assert explained["matches"] is True
    assert (explained["rule"]["discount"]["kind"], explained["rule"]["discount"]["percent"]) == ("vacant", "50")
    assert "50.00%（空置房）" in explained["zh"] and "(vacant unit)" in explained["en"]


def test_a_discount_without_older_arrears_goes_only_to_units_that_owe_nothing_old(stack):
    estate = BillingEstate(stack, ROWS)
    item = estate.items["garbage_fee"]
    response = estate.clerk.call("PATCH", "billing", f"/v1/fee-items/{item['id']}", json={
        "discounts": [{"kind": "no_arrears", "percent": "90", "older_than_days": 30}]})
    assert response.status_code == 200, response.text
    estate.run("2025-01", ["garbage_fee"])
    assert {line["amount"] for line in estate.lines()} == {"18.00"}  # nobody owed anything before January
    assert estate.pay("1-101", "18.00").status_code == 201
    estate.run("2025-03", ["garbage_fee"])  # 1-102's January line is 45 days overdue on 1 March
    march = {line["unit_id"]: line for line in estate.lines(period="2025-03")}
    paid_up, owing = (march[estate.by_number[n]["id"]] for n in ("1-101", "1-102"))
    assert (paid_up["amount"], owing["amount"]) == ("18.00", "20.00")
    explained = estate.clerk.get("billing", f"/v1/bill-lines/{paid_up['id']}/explanation").json()
    assert explained["matches"] is True and "无欠费打折" in explained["zh"]
    assert explained["rule"]["discount"]["overdue_days"] == 0
