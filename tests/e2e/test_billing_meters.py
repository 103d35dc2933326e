"""Meter readings through the API: a baseline, consumption billed through the tiers, a lower reading
refused unless it is a meter replacement, a late reading in the month it measures, bad readings."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook

from shared.spreadsheets import XLSX_MEDIA_TYPE
from tests.e2e.billing_estate import BillingEstate
from tests.helpers import archived, eventually

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


def test_prepaid_electricity_is_consumed_by_readings_and_warns_once_per_crossing(stack):
    estate = BillingEstate(stack, ROWS)
    unit_id = estate.by_number["1-101"]["id"]
    policy = estate.clerk.call("PUT", "billing", f"/v1/estates/{estate.estate_id}/balance-policy",
                               json={"low_balance": "50.00"})
    assert policy.status_code == 200, policy.text

    def read(reading: str, period: str):
        response = estate.clerk.post("billing", "/v1/meter-readings", json={
            "unit_id": unit_id, "meter": "electricity", "reading": reading, "read_on": f"{period}-28",
            "period": period})
        assert response.status_code == 201, response.text

    def top_up():
        response = estate.pay("1-101", "100.00", method="alipay", top_up=True)
        assert response.status_code == 201 and response.json()["to_balance"] == "100.00", response.text
        assert response.json()["balance_kind"] == "electricity"

    def meter() -> str:
        account = estate.account("1-101")
        assert account["balance"] == account["balances"]["general"] == "0.00"  # the meter's credit is its own
        return account["balances"]["electricity"]

    read("1000.00", "2025-01")
    top_up()
    read("1100.00", "2025-02")  # 100 kWh × 0.62 = 62.00: 38.00 left, below 50.00 → warned
    assert meter() == "38.00"
    read("1150.00", "2025-03")  # 31.00: 38.00 → 7.00, still below → no second warning
    assert meter() == "7.00"
    top_up()
    read("1250.00", "2025-04")  # 62.00: 107.00 → 45.00, below again → warned again
    assert meter() == "45.00"
    warnings = eventually(lambda: len(found := archived(estate.admin, estate.estate_id, "billing.balance.low")) >= 2
                          and found, what="the low-balance warnings")
    assert sorted(w["data"]["balance"] for w in warnings) == ["38.00", "45.00"]
    assert all(w["data"]["threshold"] == "50.00" and w["subject"] == unit_id for w in warnings)
    assert all(w["data"]["balance_kind"] == "electricity" for w in warnings)
    assert estate.reconciliation()["balanced"] is True


def test_a_months_readings_come_from_csv_all_or_nothing(stack):
    estate = BillingEstate(stack, ROWS)
    header = "building,unit,meter,reading,read_on,period\n"
    good = ["1栋,1-101,water,100.00,2025-01-28,2025-01", "1栋,1-101,water,112.00,2025-02-27,2025-02",
            "1栋,1-101,electricity,500,2025-02-27,2025-02"]
    bad = [*good, "1栋,9-999,water,1.00,2025-02-27,2025-02", "1栋,1-101,gas,1.00,2025-02-27,2025-02",
           "1栋,1-101,water,90.00,2025-03-27,2025-03", "1栋,P-001,water,abc,2025-02-27,2025-02"]

    def upload(lines: list[str]):
        return estate.clerk.post("billing", f"/v1/estates/{estate.estate_id}/meter-readings/import",
                                 content=(header + "\n".join(lines) + "\n").encode(),
                                 headers={"Content-Type": "text/csv"})

    rejected = upload(bad)
    assert rejected.status_code == 422, rejected.text
    assert [(e["line"], e["field"]) for e in rejected.json()["errors_by_line"]] == [
        (5, "unit"), (6, "meter"), (8, "reading")]
    unit_id = estate.by_number["1-101"]["id"]
    assert estate.clerk.get("billing", f"/v1/units/{unit_id}/meter-readings").json() == []
    lower = upload([*good, "1栋,1-101,water,90.00,2025-03-27,2025-03"])  # lower than February's, found in the run
    assert lower.status_code == 422 and lower.json()["errors_by_line"][0]["line"] == 5
    assert estate.clerk.get("billing", f"/v1/units/{unit_id}/meter-readings").json() == []
    accepted = upload(good)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json() == {"recorded": 3, "lines_billed": 1}
    [line] = [line for line in estate.lines(unit_id=unit_id) if line["item_code"] == "water"]
    assert (line["period"], line["amount"]) == ("2025-02", "42.00")  # 12 × 3.50


def _workbook(rows: list[list]) -> bytes:
    workbook = Workbook()
    workbook.active.append(["building", "unit", "meter", "reading", "read_on", "period", "replacement"])
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_months_readings_come_from_xlsx_all_or_nothing_and_other_bodies_are_refused(stack):
    estate = BillingEstate(stack, ROWS)
    unit_id = estate.by_number["1-101"]["id"]
    path = f"/v1/estates/{estate.estate_id}/meter-readings/import"

    def upload(content: bytes, media_type: str = XLSX_MEDIA_TYPE):
        return estate.clerk.post("billing", path, content=content, headers={"Content-Type": media_type})

    # As Excel holds them: readings as numbers, days as dates, and a typed month turned into its first day.
    february = datetime(2025, 2, 27)  # noqa: DTZ001 (a worksheet's cell has no time zone)
    good = [["1栋", "1-101", "water", 100, date(2025, 1, 28), "2025-01", None],
            ["1栋", "1-101", "water", 112.5, february, date(2025, 2, 1), None],
            ["1栋", "1-101", "electricity", "500.00", "2025-02-27", "2025-02", None]]
    lower = [*good, ["1栋", "1-101", "water", 90, date(2025, 3, 27), "2025-03", False]]
    unknown = [*good[:2], ["1栋", "1-101", "gas", 1, date(2025, 2, 27), "2025-02", None]]
    for rows, line, field in [(lower, 5, "reading"), (unknown, 4, "meter")]:
        rejected = upload(_workbook(rows))
        assert rejected.status_code == 422, rejected.text
        assert rejected.headers["content-type"].startswith("application/problem+json")
        assert [(e["line"], e["field"]) for e in rejected.json()["errors_by_line"]] == [(line, field)]
        assert estate.clerk.get("billing", f"/v1/units/{unit_id}/meter-readings").json() == []
    for content, media_type, status, field in [(b"building,unit\n", XLSX_MEDIA_TYPE, 422, "body"),
                                               (_workbook(good), "application/json", 415, "Content-Type"),
                                               (_workbook(good), "", 415, "Content-Type")]:
        refused = upload(content, media_type)
        assert refused.status_code == status and refused.json()["field"] == field, refused.text
    accepted = upload(_workbook([*good, ["1栋", "1-101", "water", "3.00", date(2025, 3, 27), "2025-03", True]]))
    assert accepted.status_code == 201, accepted.text
    assert accepted.json() == {"recorded": 4, "lines_billed": 2}
    readings = estate.clerk.get("billing", f"/v1/units/{unit_id}/meter-readings").json()
    assert [(r["meter"], r["period"], r["reading"], r["replacement"]) for r in readings] == [
        ("electricity", "2025-02", "500.00", False), ("water", "2025-01", "100.00", False),
        ("water", "2025-02", "112.50", False), ("water", "2025-03", "3.00", True)]
    water = {line["period"]: line["amount"] for line in estate.lines(unit_id=unit_id) if line["item_code"] == "water"}
    assert water == {"2025-02": "43.75", "2025-03": "10.50"}  # 12.5 × 3.50; a new meter's 3 × 3.50
