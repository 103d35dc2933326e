"""Billing through its API against the real broker and database: units learned from intake's
import, fee items with a price from a date, runs (pro rata, idempotent), lines that explain
themselves, payments (FIFO, named lines, prepaid, Idempotency-Key), reversals, arrears and
reconciliation to the fen — and every bad request its problem+json with balances unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.billing_estate import BillingEstate
from tests.helpers import Api

ROWS = [
    ["1栋", "1-101", 1, "89.50", "residential", "张三", "13812345678", "owner", "2020-05-01"],
    ["1栋", "1-102", 1, "120", "residential", "王五", "13900001111", "owner", "2025-03-16"],  # moves in mid-March
    ["1栋", "P-001", -2, "12.5", "parking_space", "张三", "13812345678", "owner", ""],
    ["2栋", "2-101", 2, "76", "residential", "", "", "", ""],  # vacant: billed all the same
]
ITEMS = ["property_fee", "garbage_fee", "parking_fee"]
PERIODS = ["2024-01", "2024-06", "2024-12", "2025-02", "2025-03", "2025-04"]


def yuan(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture(scope="module")
def estate(stack) -> BillingEstate:
    estate = BillingEstate(stack, ROWS)
    property_fee = estate.items["property_fee"]
    response = estate.clerk.post("billing", f"/v1/fee-items/{property_fee['id']}/prices",
                                 json={"price": "3.00", "valid_from": "2025-03-01"})
    assert response.status_code == 201, response.text
    assert [p["price"] for p in response.json()["prices"]] == ["2.50", "3.00"]
    estate.runs = {period: estate.run(period, ITEMS) for period in PERIODS}
    return estate


def line_of(estate: BillingEstate, number: str, item: str, period: str) -> dict:
    unit_id = estate.by_number[number]["id"]
    found = [line for line in estate.lines(unit_id=unit_id, period=period) if line["item_code"] == item]
    assert len(found) == 1, found
    return found[0]


def test_the_estate_starts_with_the_usual_fee_items(estate):
    assert {"property_fee", "parking_fee", "garbage_fee", "water", "electricity", "decoration_service_fee",
            "decoration_deposit"} <= set(estate.items)
    assert estate.items["property_fee"]["name_zh"] == "物业管理费"
    assert estate.by_number["1-102"]["first_move_in_on"] == "2025-03-16"
    assert estate.by_number["1-101"]["area_m2"] == "89.50"


def test_a_run_issues_one_line_per_unit_item_and_period_and_a_rerun_creates_none(estate):
    march = estate.runs["2025-03"]
    assert (march["total"], march["done"], march["created"], march["existing"]) == (7, 7, 7, 0)
    assert estate.runs["2025-02"]["created"] == 5  # 1-102 is billed from its move-in on 2025-03-16
    again = estate.run("2025-03", ITEMS)
    assert (again["created"], again["existing"], again["amount_created"]) == (0, 7, "0.00")
    assert len(estate.lines(period="2025-03")) == 7
    assert len(estate.lines()) == 4 * 5 + 2 * 7


def test_lines_use_the_price_in_force_and_bill_a_mid_period_move_in_pro_rata(estate):
    assert line_of(estate, "1-101", "property_fee", "2025-02")["amount"] == "223.75"  # 89.50 × 2.50
    assert line_of(estate, "1-101", "property_fee", "2025-03")["amount"] == "268.50"  # 89.50 × 3.00
    assert line_of(estate, "P-001", "parking_fee", "2025-03")["amount"] == "150.00"
    moved_in = line_of(estate, "1-102", "property_fee", "2025-03")
    assert moved_in["amount"] == "185.81"  # 120 × 3.00 × 16/31 = 185.806…
    assert line_of(estate, "1-102", "garbage_fee", "2025-03")["amount"] == "10.32"  # 20 × 16/31
    assert moved_in["due_date"] == "2025-03-15" and moved_in["status"] == "issued"


def test_a_line_explains_itself_in_chinese_and_english_and_recomputes_its_amount(estate):
    line = line_of(estate, "1-102", "property_fee", "2025-03")
    response = estate.clerk.get("billing", f"/v1/bill-lines/{line['id']}/explanation",
                                params={"as_of": "2025-04-30"})
    assert response.status_code == 200, response.text
    explained = response.json()
    assert explained["matches"] is True and explained["recomputed"] == explained["amount"] == "185.81"
    rule = explained["rule"]
    assert (rule["formula"], rule["area_m2"], rule["price"], rule["price_from"]) == ("area", "120.00", "3.00",
                                                                                      "2025-03-01")
    assert (rule["billed_days"], rule["period_days"], rule["billed_from"]) == (16, 31, "2025-03-16")
    assert "120.00 m²" in explained["zh"] and "16/31 天" in explained["zh"] and "185.81 元" in explained["zh"]
    assert "price in force from 2025-03-01" in explained["en"] and "185.81 yuan" in explained["en"]
    late = explained["late_fee"]  # late fees are off in this estate (the default): none charged on it
    assert (late["charged"], late["through"], late["lines"]) == ("0.00", None, [])
    assert "违约金" in late["zh"] and "Late fee" in late["en"]


def test_a_payment_pays_the_oldest_lines_first_and_a_retry_gets_the_first_answer(estate):
    before = estate.account("1-101")
    first = estate.pay("1-101", "300.00", key="pay-1-101-a")
    assert first.status_code == 201, first.text
    payment = first.json()
    assert payment["applied"] == "300.00" and payment["to_balance"] == "0.00"
    assert payment["receipt_number"].startswith("SJ")
    retry = estate.pay("1-101", "300.00", key="pay-1-101-a")
    assert retry.status_code == 201 and retry.json()["id"] == payment["id"]
    assert retry.json()["receipt_number"] == payment["receipt_number"]
    other = estate.pay("1-101", "301.00", key="pay-1-101-a")
    assert other.status_code == 409 and other.json()["field"] == "Idempotency-Key"
    after = estate.account("1-101")
    assert yuan(before["arrears"]) - yuan(after["arrears"]) == Decimal("300.00")
    paid = {line["id"] for line in before["open_lines"]} - {line["id"] for line in after["open_lines"]}
    periods = {line["id"]: line["period"] for line in before["open_lines"]}
    # 2024-01 (223.75 + 20.00) in full, the other 56.25 on 2024-06 lines (same due day: either first).
    assert {line["id"] for line in before["open_lines"] if line["period"] == "2024-01"} <= paid
    assert {periods[line_id] for line_id in paid} <= {"2024-01", "2024-06"}
    assert [line["period"] for line in after["open_lines"] if line["status"] == "partially_paid"] == ["2024-06"]
    assert all(line["period"] >= "2024-06" for line in after["open_lines"])


def test_named_lines_are_paid_and_the_rest_goes_to_the_prepaid_balance(estate):
    garbage = line_of(estate, "2-101", "garbage_fee", "2025-04")
    response = estate.pay("2-101", "50.00", line_ids=[garbage["id"]], method="wechat_pay")
    assert response.status_code == 201, response.text
    assert (response.json()["applied"], response.json()["to_balance"]) == ("20.00", "30.00")
    assert estate.clerk.get("billing", f"/v1/bill-lines/{garbage['id']}").json()["status"] == "paid"
    assert estate.account("2-101")["balance"] == "30.00"
    again = estate.pay("2-101", "20.00", line_ids=[garbage["id"]])
    assert again.status_code == 409 and again.json()["field"] == "line_ids"
    assert estate.account("2-101")["balance"] == "30.00"


def test_new_bills_draw_on_the_prepaid_balance(estate):
    response = estate.pay("P-001", "2000.00", method="bank_transfer")
    assert response.status_code == 201, response.text
    assert response.json()["applied"] == "900.00"  # six months of 150.00
    assert estate.account("P-001")["balance"] == "1100.00"
    may = estate.run("2025-05", ["parking_fee"])
    assert may["created"] == 1
    line = line_of(estate, "P-001", "parking_fee", "2025-05")
    assert (line["status"], line["paid"]) == ("paid", "150.00")
    assert estate.account("P-001")["balance"] == "950.00"
    reversal = estate.clerk.post("billing", f"/v1/payments/{response.json()['id']}/reversal",
                                 json={"reason": "误收"})
    assert reversal.status_code == 409, reversal.text  # its prepaid part paid the May bill
    assert estate.account("P-001")["balance"] == "950.00"


def test_a_reversal_is_a_new_entry_that_reopens_the_lines_once(estate):
    before = estate.account("2-101")
    payment = estate.pay("2-101", "190.00", key="to-reverse").json()
    assert yuan(estate.account("2-101")["arrears"]) == yuan(before["arrears"]) - Decimal("190.00")
    reversed_ = estate.clerk.post("billing", f"/v1/payments/{payment['id']}/reversal", json={"reason": "收错户"})
    assert reversed_.status_code == 200, reversed_.text
    assert reversed_.json()["status"] == "reversed" and reversed_.json()["reversal"]["reason"] == "收错户"
    after = estate.account("2-101")
    assert (after["arrears"], after["balance"]) == (before["arrears"], before["balance"])
    twice = estate.clerk.post("billing", f"/v1/payments/{payment['id']}/reversal", json={"reason": "again"})
    assert twice.status_code == 409
    listed = estate.clerk.get("billing", "/v1/payments", params={"estate_id": estate.estate_id,
                                                                  "unit_id": estate.by_number["2-101"]["id"]}).json()
    assert payment["id"] in [p["id"] for p in listed["items"] if p["status"] == "reversed"]
    assert estate.account("2-101") == after


def test_a_waiver_needs_a_manager_and_a_reason_and_a_waived_line_takes_no_payment(stack, estate):
    manager = Api(stack, user_id="pm-1", roles=["estate_manager"], estates=[estate.estate_id])
    line = line_of(estate, "2-101", "property_fee", "2024-01")
    partial = line_of(estate, "2-101", "property_fee", "2024-06")
    before = estate.account("2-101")
    assert estate.clerk.post("billing", f"/v1/bill-lines/{line['id']}/waiver",
                             json={"reason": "空置"}).status_code == 403
    response = manager.post("billing", f"/v1/bill-lines/{line['id']}/waiver", json={"reason": "开发商承担，经理批准"})
    assert response.status_code == 201, response.text
    waiver = response.json()
    assert (waiver["amount"], waiver["approved_by"], waiver["line"]["status"]) == ("190.00", "pm-1", "waived")
    assert waiver["line"]["outstanding"] == "0.00"
    some = manager.post("billing", f"/v1/bill-lines/{partial['id']}/waiver", json={"amount": "10.00", "reason": "维修补偿"})
    assert some.status_code == 201 and some.json()["line"]["waived"] == "10.00"
    assert some.json()["line"]["status"] == "issued"
    too_much = manager.post("billing", f"/v1/bill-lines/{partial['id']}/waiver", json={"amount": "999.00", "reason": "x"})
    assert too_much.status_code == 422 and too_much.json()["field"] == "amount"
    again = manager.post("billing", f"/v1/bill-lines/{line['id']}/waiver", json={"reason": "再次"})
    assert again.status_code == 409
    paying = estate.pay("2-101", "190.00", line_ids=[line["id"]])
    assert paying.status_code == 409 and paying.json()["field"] == "line_ids"
    assert yuan(estate.account("2-101")["arrears"]) == yuan(before["arrears"]) - Decimal("200.00")
    assert estate.account("2-101")["balance"] == before["balance"]


def test_bad_requests_get_their_problem_and_change_nothing(stack, estate):
    other = BillingEstate(stack, [["A", "A-1", 1, "50", "residential", "", "", "", ""]])
    before = estate.reconciliation()
    cases = [
        (estate.pay("1-101", "0"), 422, "amount"),
        (estate.pay("1-101", "-5.00"), 422, "amount"),
        (estate.pay("1-101", "1.005"), 422, "amount"),
        (estate.clerk.post("billing", "/v1/payments", json={"unit_id": other.units[0]["id"], "amount": "1.00",
                                                            "method": "cash"}), 404, "unit_id"),
        (estate.clerk.post("billing", "/v1/billing-runs", json={"estate_id": estate.estate_id, "period": "2999-01"}),
         422, "period"),
        (estate.clerk.post("billing", "/v1/billing-runs", json={"estate_id": estate.estate_id, "period": "2025-13"}),
         422, "period"),
        (estate.clerk.post("billing", "/v1/billing-runs", json={"estate_id": estate.estate_id, "period": "2025-01",
                                                                "items": ["nonexistent"]}), 422, "items.0"),
        (estate.clerk.post("billing", "/v1/billing-runs", json={"estate_id": estate.estate_id, "period": "2025-01",
                                                                "items": ["water"]}), 422, "items.0"),
        (estate.clerk.post("billing", "/v1/billing-runs", json={"estate_id": other.estate_id, "period": "2025-01"}),
         404, None),
        (estate.clerk.post("billing", f"/v1/fee-items/{estate.items['property_fee']['id']}/prices",
                           json={"price": "3.00", "valid_from": "2025-03-01"}), 409, "valid_from"),
        (estate.clerk.post("billing", f"/v1/fee-items/{estate.items['property_fee']['id']}/prices",
                           json={"price": "3.001", "valid_from": "2025-07-01"}), 422, "price"),
        (estate.clerk.post("billing", f"/v1/estates/{estate.estate_id}/fee-items",
                           json={**{k: estate.items["garbage_fee"][k] for k in ("code", "name_zh", "name_en",
                                 "formula", "cycle", "unit_kinds")}}), 409, "code"),
    ]
    for response, status, field in cases:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        named = {problem.get("field")} | {error["field"] for error in problem.get("errors") or []}
        assert problem["code"] and (field is None or field in named), response.text
    other_line = other.run("2025-01", ["property_fee"]) and other.lines()[0]
    assert estate.clerk.get("billing", f"/v1/bill-lines/{other_line['id']}").status_code == 404
    assert estate.clerk.get("billing", f"/v1/bill-lines/{other_line['id']}/explanation").status_code == 404
    agent = Api(stack, user_id="agent-9", roles=["agent"], estates=[estate.estate_id])
    assert agent.post("billing", "/v1/payments", json={"unit_id": estate.units[0]["id"], "amount": "1.00",
                                                       "method": "cash"}).status_code == 403
    assert estate.reconciliation() == before


def test_arrears_are_aged_by_building_and_item_and_the_collection_rate_is_per_period(estate):
    lines = [line for line in estate.lines() if line["status"] != "paid"]
    report = estate.clerk.get("billing", f"/v1/estates/{estate.estate_id}/arrears",
                              params={"as_of": "2025-04-20"}).json()
    outstanding = sum(yuan(line["outstanding"]) for line in lines)
    assert yuan(report["total"]) == outstanding > 0
    assert sum(yuan(v) for v in report["buckets"].values()) == outstanding
    for bucket in ("1-30", "31-90", "91-180", "181-365", ">365"):
        assert yuan(report["buckets"][bucket]) > 0, report["buckets"]
    assert yuan(report["current"]) == sum(yuan(line["outstanding"]) for line in lines if line["period"] == "2025-04")
    assert yuan(report["current"]) + yuan(report["older"]) == outstanding
    assert {b["building_name"] for b in report["by_building"]} == {"1栋", "2栋"}
    assert sum(yuan(b["total"]) for b in report["by_building"]) == outstanding
    assert {i["item_code"] for i in report["by_item"]} == {"property_fee", "garbage_fee"}
    rate = estate.clerk.get("billing", f"/v1/estates/{estate.estate_id}/collection-rate",
                            params={"period": "2025-04"}).json()
    billed = [line for line in estate.lines(period="2025-04")]
    assert yuan(rate["billed"]) == sum(yuan(line["amount"]) for line in billed)
    assert yuan(rate["collected"]) == sum(yuan(line["paid"]) for line in billed) > 0
    assert Decimal(rate["rate_percent"]) == (yuan(rate["collected"]) * 100 / yuan(rate["billed"])).quantize(
        Decimal("0.01"))


def test_every_unit_and_the_estate_reconcile_to_the_fen(estate):
    report = estate.reconciliation()
    assert report["balanced"] is True, report["discrepancies"]
    totals = {k: yuan(v) for k, v in report["totals"].items()}
    assert totals["lines"] - totals["payments_applied"] - totals["balance_used"] - totals["waived"] == totals["arrears"]
    assert totals["waived"] == Decimal("200.00")
    assert totals["arrears"] == sum(yuan(line["outstanding"]) for line in estate.lines())
    assert report["units_checked"] == 4
    unit = estate.clerk.get("billing", f"/v1/units/{estate.by_number['P-001']['id']}/reconciliation").json()
    assert unit["balanced"] is True and unit["totals"]["balance"] == "950.00"
    assert unit["totals"]["balance_used"] == "150.00"
