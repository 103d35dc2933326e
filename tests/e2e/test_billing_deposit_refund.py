"""退押金 through the APIs: a decoration's deposit billed, paid, refunded by a manager once intake closes the
procedure (the settlement's refund by default), once, as a new entry; bad refunds answered with the field
named; the reconciliation still balancing to the fen."""

from __future__ import annotations

from tests.e2e.billing_estate import BillingEstate
from tests.helpers import Api, eventually

ROWS = [["1栋", "1-101", 1, "100.00", "residential", "张三", "13812345678", "owner", "2020-05-01"]]
DECORATION = {
    "contractor": {"name": "美家装饰", "person_in_charge": "赵工", "phone": "13911112222"},
    "workers": [{"name": "钱师傅", "trade": "水电"}],
    "plan": "厨卫翻新", "start_date": "2027-01-04", "end_date": "2027-01-15",
    "allowed_hours": [{"start": "08:00", "end": "18:00"}],
}
PAPERS = ["application_form", "contractor_licence", "plan_drawings", "owner_commitment", "fire_safety_commitment"]


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def test_a_paid_deposit_is_refunded_once_after_its_procedure_closes_and_the_ledger_balances(stack):
    estate = BillingEstate(stack, ROWS)
    unit_id = estate.by_number["1-101"]["id"]

    def as_(user: str, role: str) -> Api:
        return Api(stack, user_id=user, roles=[role], estates=[estate.estate_id])

    agent, supervisor, engineering, technician = (as_("agent-1", "agent"), as_("sup-1", "supervisor"),
                                                  as_("eng-lead", "dispatcher"), as_("tech-1", "technician"))
    manager = as_("pm-1", "estate_manager")

    def act(api: Api, case: dict, action: str, body: dict | None = None) -> dict:
        return ok(api.post("intake", f"/v1/procedures/{case['id']}/{action}", json=body))

    case = ok(agent.post("intake", "/v1/procedures", json={
        "estate_id": estate.estate_id, "kind": "decoration", "unit_id": unit_id, "resident_id": "res-101",
        "decoration": DECORATION}), 201)
    for item in PAPERS:
        case = act(agent, case, "checklist", {"item": item})
    case = act(agent, case, "submit")
    case = act(engineering, case, "approve", {"fees": {"deposit": "2000.00", "service_fee": "300.00"}})

    def deposit_lines():
        lines = {line["item_code"]: line for line in estate.lines(unit_id=unit_id)}
        return len(lines) == 2 and lines
    lines = eventually(deposit_lines, what="the decoration's fee lines in billing")
    deposit, service_fee = lines["decoration_deposit"], lines["decoration_service_fee"]
    path = f"/v1/bill-lines/{deposit['id']}/refund"

    def refund(body: dict, *, api: Api = manager, key: str | None = None, line_id: str = deposit["id"]):
        return api.post("billing", f"/v1/bill-lines/{line_id}/refund", json=body,
                        headers={"Idempotency-Key": key} if key else {})

    def refused(response, status: int, field: str, code: str | None = None) -> None:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["field"] == field and (code is None or response.json()["code"] == code), response.text

    refused(refund({"reason": "退押金"}), 409, "bill_line_id", "procedure_open")
    payment = estate.pay("1-101", "2300.00", line_ids=[deposit["id"], service_fee["id"]])
    assert payment.status_code == 201 and payment.json()["applied"] == "2300.00", payment.text
    refused(refund({"reason": "退押金"}), 409, "bill_line_id", "procedure_open")
    assert estate.clerk.post("billing", path, json={"reason": "退押金"}).status_code == 403  # a manager approves

    case = act(agent, case, "start")
    case = act(technician, case, "acceptance", {"passed": True, "findings": "验收合格"})
    case = act(supervisor, case, "deposit-settlement", {"withheld": [{"amount": "320.00", "reason": "墙面损坏修复"}]})
    assert case["status"] == "completed"
    # Billing learns the closing and the settlement (1,680.00 refunded, 320.00 withheld) from intake's events.
    over_settlement = eventually(lambda: (r := refund({"amount": "1680.01", "reason": "退押金"})).status_code == 422
                                 and r, what="billing knowing the procedure closed")
    assert over_settlement.json()["field"] == "amount" and "320.00" in over_settlement.json()["detail"]
    refused(refund({"amount": "2000.01", "reason": "退押金"}), 422, "amount")  # more than was paid
    refused(refund({"amount": "0", "reason": "退押金"}), 422, "amount")
    refused(refund({"reason": "退押金"}, line_id=service_fee["id"]), 409, "bill_line_id", "not_refundable")
    refused(refund({"reason": ""}), 422, "reason")

    body = {"reason": "装修验收合格，扣除墙面修复费后退还", "method": "cash"}
    first = refund(body, key="refund-1")
    assert first.status_code == 201, first.text
    refunded = first.json()
    assert (refunded["amount"], refunded["approved_by"], refunded["method"]) == ("1680.00", "pm-1", "cash")
    assert (refunded["procedure_id"], refunded["line"]["refunded"], refunded["line"]["status"]) == (
        case["id"], "1680.00", "paid")
    again = refund(body, key="refund-1")
    assert again.status_code == 201 and again.json() == refunded  # the retry gets the first answer
    refused(refund({**body, "method": "bank_transfer"}, key="refund-1"), 409, "Idempotency-Key")
    refused(refund(body, key="refund-2"), 409, "bill_line_id", "already_refunded")
    refused(refund({"amount": "1.00", "reason": "再退一次"}), 409, "bill_line_id", "already_refunded")

    line = estate.clerk.get("billing", f"/v1/bill-lines/{deposit['id']}").json()
    assert (line["paid"], line["refunded"], line["outstanding"]) == ("2000.00", "1680.00", "0.00")
    reversal = estate.clerk.post("billing", f"/v1/payments/{payment.json()['id']}/reversal", json={"reason": "误收"})
    refused(reversal, 409, "payment_id")  # the deposit it paid went back to the resident
    report = estate.reconciliation()
    assert report["balanced"] is True, report["discrepancies"]
    assert (report["totals"]["received"], report["totals"]["refunded"], report["totals"]["arrears"]) == (
        "2300.00", "1680.00", "0.00")
    closes = manager.post("billing", "/v1/day-closes", json={
        "estate_id": estate.estate_id, "day": refunded["business_day"], "counted_cash": "0.00"})
    assert closes.status_code == 201, closes.text
    assert (closes.json()["totals"]["cash"], closes.json()["refunds"]) == ("-1680.00", 1)
