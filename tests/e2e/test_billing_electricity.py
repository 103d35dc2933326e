"""Prepaid electricity keeps its own credit (预交电费): a top-up for the meter is not drawn by a property-fee
run, the meter's readings draw only on it and warn once per crossing of the estate's threshold (naming the
electricity balance, and the resident is told 预交电费), a payment's remainder stays on the general balance
(预存), and the estate reconciles kind by kind."""

from __future__ import annotations

from decimal import Decimal

from tests.e2e.billing_estate import BillingEstate
from tests.helpers import Api, all_pages, archived, eventually

ROWS = [["1栋", "1-101", 1, "100.00", "residential", "张三", "13812345678", "owner", "2020-05-01"],
        ["1栋", "1-102", 1, "100.00", "residential", "李四", "13812345679", "owner", "2020-05-01"]]


def test_an_electricity_top_up_is_the_meters_alone_and_the_estate_reconciles_by_kind(stack):
    estate = BillingEstate(stack, ROWS)
    only_meter, both = estate.by_number["1-101"]["id"], estate.by_number["1-102"]["id"]
    policy = estate.clerk.call("PUT", "billing", f"/v1/estates/{estate.estate_id}/balance-policy",
                               json={"low_balance": "50.00"})
    assert policy.status_code == 200, policy.text

    def read(unit_id: str, reading: str, period: str) -> dict:
        response = estate.clerk.post("billing", "/v1/meter-readings", json={
            "unit_id": unit_id, "meter": "electricity", "reading": reading, "read_on": f"{period}-28",
            "period": period})
        assert response.status_code == 201, response.text
        return response.json()

    def balances(number: str) -> tuple[str, str]:
        account = estate.account(number)
        assert account["balance"] == account["balances"]["general"]
        return account["balances"]["general"], account["balances"]["electricity"]

    for unit_id in (only_meter, both):
        read(unit_id, "1000.00", "2025-01")  # the meters' baselines
    top_up = estate.pay("1-101", "100.00", method="wechat_pay", top_up=True)
    assert top_up.status_code == 201, top_up.text
    assert (top_up.json()["to_balance"], top_up.json()["balance_kind"]) == ("100.00", "electricity")
    receipt = estate.clerk.get("billing", f"/v1/payments/{top_up.json()['id']}/receipt")
    assert "预交电费" in receipt.text
    assert estate.pay("1-102", "100.00", top_up=True).status_code == 201
    general = estate.pay("1-102", "300.00")  # nothing open: all of it to 预存
    assert (general.json()["to_balance"], general.json()["balance_kind"]) == ("300.00", "general"), general.text
    assert balances("1-101") == ("0.00", "100.00") and balances("1-102") == ("300.00", "100.00")

    # Only a top-up credits the meter: a payment naming it otherwise is refused, balances unchanged.
    refused = estate.pay("1-101", "10.00", balance_kind="electricity")
    assert refused.status_code == 422 and refused.json()["field"] == "balance_kind", refused.text
    unknown = estate.pay("1-101", "10.00", top_up=True, balance_kind="gas")
    assert unknown.status_code == 422, unknown.text
    assert balances("1-101") == ("0.00", "100.00")

    run = estate.run("2025-02", ["property_fee"])  # 100 m² × 2.50 = 250.00 each
    assert run["created"] == 2
    fees = {line["unit_id"]: line for line in estate.lines(period="2025-02") if line["item_code"] == "property_fee"}
    assert (fees[only_meter]["status"], fees[only_meter]["outstanding"]) == ("issued", "250.00")  # not drawn
    assert (fees[both]["status"], fees[both]["paid"]) == ("paid", "250.00")  # from 预存 only
    assert balances("1-101") == ("0.00", "100.00") and balances("1-102") == ("50.00", "100.00")

    february = read(only_meter, "1100.00", "2025-02")  # 100 kWh × 0.62 = 62.00: 100.00 → 38.00, warned
    power = estate.clerk.get("billing", f"/v1/bill-lines/{february['line_id']}").json()
    assert (power["amount"], power["status"]) == ("62.00", "paid")
    assert balances("1-101") == ("0.00", "38.00")
    read(only_meter, "1150.00", "2025-03")  # 31.00: 38.00 → 7.00, still below: no second warning
    assert balances("1-101") == ("0.00", "7.00")
    assert fees[only_meter]["id"] in {line["id"] for line in estate.account("1-101")["open_lines"]}
    read(both, "1050.00", "2025-02")  # 31.00 from 1-102's meter: 100.00 → 69.00, its 预存 untouched
    assert balances("1-102") == ("50.00", "69.00")

    # A payment at the desk pays the open property fee first (FIFO); its remainder is 预存, not the meter's.
    paid = estate.pay("1-101", "300.00")
    assert (paid.json()["applied"], paid.json()["to_balance"], paid.json()["balance_kind"]) == (
        "250.00", "50.00", "general"), paid.text
    assert balances("1-101") == ("50.00", "7.00")
    estate.run("2025-03", ["property_fee"])  # 250.00: 1-101's 50.00 and 1-102's 50.00 of 预存 → 0.00, warned
    assert balances("1-101") == ("0.00", "7.00") and balances("1-102") == ("0.00", "69.00")
    again = estate.pay("1-101", "100.00", top_up=True)
    assert again.status_code == 201, again.text
    read(only_meter, "1250.00", "2025-04")  # 62.00: 107.00 → 45.00, below again → warned again
    assert balances("1-101") == ("0.00", "45.00")

    expected = sorted([(only_meter, "electricity", "38.00"), (only_meter, "electricity", "45.00"),
                       (only_meter, "general", "0.00"), (both, "general", "0.00")])

    def warnings():
        found = archived(estate.admin, estate.estate_id, "billing.balance.low")
        return len(found) >= len(expected) and found

    found = eventually(warnings, what="the low-balance warnings")
    assert sorted((w["subject"], w["data"]["balance_kind"], w["data"]["balance"]) for w in found) == expected
    assert all(w["data"]["threshold"] == "50.00" for w in found)

    manager = Api(stack, user_id="pm-1", roles=["estate_manager"], estates=[estate.estate_id])

    def told():
        bodies = [m["body"] for m in all_pages(manager, "notification", "/v1/messages",
                                               {"estate_id": estate.estate_id}) if m["template"] == "balance.low"]
        return len(bodies) >= len(expected) and bodies

    bodies = eventually(told, timeout=60, what="the residents told of their low balances")
    assert any(b.startswith("1-101 预交电费余额 38.00 元") for b in bodies), bodies
    assert any(b.startswith("1-102 预存余额 0.00 元") for b in bodies), bodies

    report = estate.reconciliation()
    assert report["balanced"] is True, report["discrepancies"]
    totals = {name: Decimal(value) for name, value in report["totals"].items()}
    assert totals["lines"] - totals["payments_applied"] - totals["balance_used"] - totals["waived"] == totals["arrears"]
    assert report["balances_by_kind"] == {"general": {"balance_used": "350.00", "balance": "0.00"},
                                          "electricity": {"balance_used": "186.00", "balance": "114.00"}}
    assert report["totals"]["balance"] == "114.00"
    for unit_id in (only_meter, both):
        unit = estate.clerk.get("billing", f"/v1/units/{unit_id}/reconciliation").json()
        assert unit["balanced"] is True, unit["discrepancies"]


def test_an_electricity_top_up_earns_no_prepay_offer_and_a_general_top_up_does(stack):
    estate = BillingEstate(stack, ROWS)
    item = estate.items["property_fee"]
    changed = estate.clerk.call("PATCH", "billing", f"/v1/fee-items/{item['id']}", json={
        "discounts": [{"kind": "prepay", "pay_months": 1, "free_months": 1}]})  # 缴1送1
    assert changed.status_code == 200, changed.text
    meter = estate.pay("1-101", "300.00", top_up=True)  # covers a month of 250.00, but it is the meter's
    general = estate.pay("1-102", "250.00", top_up=True, balance_kind="general")
    assert (meter.json()["balance_kind"], general.json()["balance_kind"]) == ("electricity", "general")
    for period in ("2025-01", "2025-02"):
        estate.run(period, ["property_fee"])
    lines = {(line["unit_id"], line["period"]): line for line in estate.lines()}
    only_meter, prepaid = estate.by_number["1-101"]["id"], estate.by_number["1-102"]["id"]
    assert [(lines[only_meter, p]["amount"], lines[only_meter, p]["status"]) for p in ("2025-01", "2025-02")] == [
        ("250.00", "issued")] * 2
    assert [(lines[prepaid, p]["amount"], lines[prepaid, p]["status"]) for p in ("2025-01", "2025-02")] == [
        ("250.00", "paid"), ("0.00", "paid")]
    assert estate.account("1-101")["balances"] == {"general": "0.00", "electricity": "300.00"}
    assert estate.reconciliation()["balanced"] is True
