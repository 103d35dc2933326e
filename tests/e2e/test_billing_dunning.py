"""Dunning (催缴) through the API — units over the threshold get one notice per run (an event for
notification), none sooner than the estate allows; the dunning log keeps calls, visits and promises —
and paid services from completed work orders, each charge a line once."""

from __future__ import annotations

from shared import clock
from shared.estates import local_day
from tests.e2e.billing_estate import BillingEstate
from tests.helpers import Api, add_staff, archived, eventually

ROWS = [["1栋", "1-101", 1, "89.50", "residential", "", "", "", ""],   # owes 2 × (223.75 + 20.00)
        ["1栋", "1-102", 1, "120.00", "residential", "", "", "", ""],  # pays: owes nothing
        ["2栋", "2-101", 2, "10.00", "residential", "", "", "", ""]]   # owes 2 × (25.00 + 20.00): under 100


def test_a_dunning_run_notices_the_units_over_the_threshold_once_and_not_too_often(stack):
    estate = BillingEstate(stack, ROWS)
    for period in ("2025-01", "2025-02"):
        estate.run(period, ["property_fee", "garbage_fee"])
    assert estate.pay("1-102", "1000.00").status_code == 201
    policy = estate.clerk.call("PUT", "billing", f"/v1/estates/{estate.estate_id}/dunning-policy",
                               json={"threshold": "100.00", "min_interval_days": 7})
    assert policy.status_code == 200, policy.text
    first = estate.clerk.post("billing", "/v1/dunning-runs", json={"estate_id": estate.estate_id})
    assert first.status_code == 201, first.text
    assert (first.json()["units_over_threshold"], first.json()["notices"]) == (1, 1)
    again = estate.clerk.post("billing", "/v1/dunning-runs", json={"estate_id": estate.estate_id}).json()
    assert (again["notices"], again["skipped_recently_notified"]) == (0, 1)
    lower = estate.clerk.post("billing", "/v1/dunning-runs", json={"estate_id": estate.estate_id,
                                                                    "threshold": "50.00", "min_interval_days": 7})
    assert (lower.json()["units_over_threshold"], lower.json()["notices"]) == (2, 1)  # 2-101 now; 1-101 too soon
    notices = eventually(lambda: len(found := archived(estate.admin, estate.estate_id,
                                                       "billing.dunning.notice_due")) == 2 and found)
    owing = {n["data"]["unit_id"]: n["data"] for n in notices}
    assert owing[estate.by_number["1-101"]["id"]]["amount"] == "487.50"
    assert owing[estate.by_number["2-101"]["id"]]["periods"] == ["2025-01", "2025-02"]

    unit_id = estate.by_number["1-101"]["id"]
    call = estate.clerk.post("billing", f"/v1/units/{unit_id}/dunning-log",
                             json={"kind": "call", "outcome": "promised", "promised_on": "2025-03-10",
                                   "note": "业主承诺月底前缴清"})
    assert call.status_code == 201, call.text
    no_date = estate.clerk.post("billing", f"/v1/units/{unit_id}/dunning-log",
                                json={"kind": "visit", "outcome": "promised"})
    assert no_date.status_code == 422 and no_date.json()["field"] == "promised_on"
    log = estate.clerk.get("billing", f"/v1/units/{unit_id}/dunning-log").json()
    assert [(e["kind"], e["outcome"]) for e in log] == [("notice", "sent"), ("call", "promised")]
    assert log[0]["amount"] == "487.50" and log[1]["promised_on"] == "2025-03-10"


def test_a_paid_service_becomes_a_line_of_the_unit_once(stack):
    estate = BillingEstate(stack, [["1栋", "1-101", 1, "89.50", "residential", "", "", "", ""]])
    unit_id = estate.units[0]["id"]
    add_staff(stack, estate.estate_id, f"{estate.estate_id}-eng")
    dispatcher = Api(stack, user_id="dispatcher-1", roles=["dispatcher"], estates=[estate.estate_id])
    order = dispatcher.post("dispatch", "/v1/work-orders", json={
        "estate_id": estate.estate_id, "kind": "repair", "department": "engineering", "priority": "P3",
        "description": "更换水龙头", "unit_id": unit_id}).json()
    engineer = Api(stack, user_id=order["assignee_id"], roles=["technician"], estates=[estate.estate_id])
    for name, body in (("accept", None), ("arrive", None), ("complete", {
            "work_done": "更换水龙头阀芯", "labour_minutes": 30, "responsible_party": "owner", "chargeable": True,
            "charges": [{"description": "上门维修费", "amount": "30"}, {"description": "阀芯", "amount": "25.00"}]})):
        response = engineer.post("dispatch", f"/v1/work-orders/{order['id']}/{name}", json=body)
        assert response.status_code == 200, response.text
    lines = eventually(lambda: len(found := estate.lines(unit_id=unit_id)) == 2 and found, what="the charge lines")
    assert sorted((line["item_code"], line["amount"]) for line in lines) == [
        ("paid_service", "25.00"), ("paid_service", "30.00")]
    explained = estate.clerk.get("billing", f"/v1/bill-lines/{lines[0]['id']}/explanation").json()
    assert explained["matches"] is True and order["number"] in explained["zh"]


def test_the_estates_dunning_day_brings_its_scheduled_run(stack):
    estate = BillingEstate(stack, ROWS[:1])
    estate.run("2025-01", ["property_fee"])
    today = local_day(clock.now())  # the estate's day (Asia/Shanghai), on the platform's clock
    policy = estate.clerk.call("PUT", "billing", f"/v1/estates/{estate.estate_id}/dunning-policy",
                               json={"threshold": "100.00", "min_interval_days": 7, "day_of_month": today.day})
    assert policy.status_code == 200, policy.text

    def scheduled():
        runs = estate.clerk.get("billing", "/v1/dunning-runs", params={"estate_id": estate.estate_id}).json()
        return [run for run in runs if run["scheduled"]]
    [run] = eventually(scheduled, timeout=30, what="the scheduled dunning run")
    assert (run["notices"], run["day"], run["threshold"]) == (1, today.isoformat(), "100.00")
    assert estate.clerk.get("billing", f"/v1/estates/{estate.estate_id}/dunning-policy").json()["day_of_month"] == \
        today.day
