"""缴N送M through the API: a fee item with the rule, a unit that prepays N months gets the month after them
free (a line of 0.00 that explains which prepayment earned it and recomputes), one that prepays less does not."""

from __future__ import annotations

from tests.e2e.billing_estate import BillingEstate

ROWS = [["1栋", "1-101", 1, "100.00", "residential", "张三", "13812345678", "owner", "2020-05-01"],
        ["1栋", "1-102", 1, "100.00", "residential", "李四", "13812345679", "owner", "2020-05-01"]]


def test_prepaying_n_months_makes_the_m_months_after_them_free_lines_that_explain_themselves(stack):
    estate = BillingEstate(stack, ROWS)
    item = estate.items["property_fee"]
    path = f"/v1/fee-items/{item['id']}"
    for discount, field in [({"kind": "prepay", "pay_months": 3}, "discounts.0.free_months"),
                            ({"kind": "percentage"}, "discounts.0.percent")]:
        bad = estate.clerk.call("PATCH", "billing", path, json={"discounts": [discount]})
        assert bad.status_code == 422 and bad.json()["field"] == field, bad.text
    changed = estate.clerk.call("PATCH", "billing", path, json={
        "discounts": [{"kind": "prepay", "pay_months": 3, "free_months": 1}]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["discounts"] == [{"kind": "prepay", "pay_months": 3, "free_months": 1}]

    prepaid = estate.pay("1-101", "750.00", key="prepay-1-101")  # 3 × 100 m² × 2.50
    assert prepaid.status_code == 201 and prepaid.json()["to_balance"] == "750.00", prepaid.text
    assert estate.pay("1-102", "500.00").status_code == 201  # two months: no offer
    for period in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05"):
        estate.run(period, ["property_fee"])
    lines = {(line["unit_id"], line["period"]): line for line in estate.lines()}
    full, short = estate.by_number["1-101"]["id"], estate.by_number["1-102"]["id"]
    assert [(lines[full, p]["amount"], lines[full, p]["status"]) for p in ("2025-01", "2025-02", "2025-03")] == [
        ("250.00", "paid")] * 3
    free = lines[full, "2025-04"]
    assert (free["amount"], free["status"], free["outstanding"]) == ("0.00", "paid", "0.00")
    assert (lines[full, "2025-05"]["amount"], lines[full, "2025-05"]["status"]) == ("250.00", "issued")
    assert lines[short, "2025-04"]["amount"] == "250.00"

    explained = estate.clerk.get("billing", f"/v1/bill-lines/{free['id']}/explanation").json()
    assert (explained["matches"], explained["recomputed"], explained["amount"]) == (True, "0.00", "0.00")
    discount = explained["rule"]["discount"]
    assert (discount["kind"], discount["pay_months"], discount["free_months"], discount["free_month"]) == (
        "prepay", 3, 1, 1)
    receipt = prepaid.json()["receipt_number"]
    assert discount["earned_by"]["payment_id"] == prepaid.json()["id"]
    assert discount["earned_by"]["paid_periods"] == ["2025-01", "2025-02", "2025-03"]
    assert "缴3送1" in explained["zh"] and receipt in explained["zh"] and "= 0.00 元" in explained["zh"]
    assert f"earned by receipt {receipt}" in explained["en"] and "2025-01 to 2025-03 paid in full" in explained["en"]
    paid_month = estate.clerk.get("billing", f"/v1/bill-lines/{lines[full, '2025-02']['id']}/explanation").json()
    assert paid_month["matches"] is True and "第 2/3 个月" in paid_month["zh"]
    rerun = estate.run("2025-04", ["property_fee"])
    assert (rerun["created"], rerun["existing"]) == (0, 2)
    assert estate.account("1-101")["balance"] == "0.00"
    assert estate.reconciliation()["balanced"] is True
