"""Reporting as managers read it: the figures, the service-centre daily report in four formats, its
morning announcement, and reports scoped to the caller's estates."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from shared import clock
from shared.estates import local_day
from shared.money import text_to_fen
from tests.e2e import dashboard_events as events
from tests.e2e.billing_estate import BillingEstate
from tests.e2e.reporting_days import SERVICE_CENTRE_DAY, month_before_day, month_of, service_centre_day
from tests.helpers import Api, all_pages, archived, eventually, repair_contact, setup_estate

DAILY = "/v1/reports/service-centre-daily"


def _contacts(estate_id: str) -> list[dict]:
    complaint = {"estate_id": estate_id, "channel": "walk_in", "summary": "投诉：夜间施工噪音",
                 "ticket": {"category": "complaint", "subcategory": "noise", "scope": "public_area",
                            "description": "夜间施工噪音 <script>", "priority": "P2"}}
    consultation = {"estate_id": estate_id, "channel": "hotline", "summary": "咨询物业费",
                    "ticket": {"category": "consultation", "scope": "in_unit", "description": "物业费怎么交",
                               "resolution": "已告知缴费方式"}}
    return [repair_contact(estate_id, "厨房水管漏水"), complaint, consultation]


def test_the_daily_report_shows_the_days_figures_in_every_format(stack):
    estate_id = setup_estate(stack)
    agent = Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id])
    manager = Api(stack, user_id="pm-1", roles=["estate_manager"], estates=[estate_id])
    logged = [agent.post("intake", "/v1/contacts", json=body) for body in _contacts(estate_id)]
    assert all(r.status_code == 201 for r in logged), [r.text for r in logged]
    day = datetime.fromisoformat(logged[0].json()["logged_at"]).astimezone(ZoneInfo("Asia/Shanghai")).date()
    params = {"estate_id": estate_id, "day": day.isoformat()}

    def figures():
        body = manager.get("reporting", "/v1/figures", params=params).json()
        return body if body["tickets"]["opened"] == 3 and body["work_orders"]["created"] == 2 else None

    body = eventually(figures, what="the day's figures")
    assert body["tickets"]["by_category"] == {"complaint": 1, "consultation": 1, "repair": 1}
    assert body["tickets"]["resolved_first_contact"] == 1 and body["tickets"]["handled"] == 1
    assert (body["tickets"]["to_handle"], body["tickets"]["open_at_end"]) == (3, 2)
    assert body["contacts"]["calls"] == 2 and body["contacts"]["visits"] == 1
    assert body["contacts"]["answer_rate"] is None and "contacts.answer_rate" in body["unknown"]
    assert body["complaints"]["by_subcategory"] == {"noise": 1}
    assert [c["description"] for c in body["complaints"]["notable"]] == ["夜间施工噪音 <script>"]
    company = manager.get("reporting", "/v1/figures", params={"day": day.isoformat(), "period": "month"}).json()
    assert company["estates"] == [estate_id] and company["tickets"]["opened"] == 3

    report = manager.get("reporting", "/v1/reports/service-centre-daily", params=params).json()
    rows = {s["key"]: {r["key"]: r for r in s["rows"]} for s in report["sections"]}
    assert report["title"] == "服务中心日报表"
    assert {k: rows["requests"][k]["value"] for k in ("complaint", "repair", "consultation", "help")} == {
        "complaint": 1, "repair": 1, "consultation": 1, "help": 0}
    assert (rows["backlog"]["to_handle"]["value"], rows["backlog"]["handled"]["value"]) == (3, 1)
    assert rows["backlog"]["handling_rate"]["text"] == "33.3%"
    assert rows["contacts"]["answer_rate"]["text"] == "—" and rows["contacts"]["answer_rate"]["note"]

    csv = manager.get("reporting", "/v1/reports/service-centre-daily", params={**params, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.content.startswith("\ufeff".encode())
    assert "受理分类,报修,1," in csv.content.decode("utf-8-sig")
    xlsx = manager.get("reporting", "/v1/reports/service-centre-daily", params={**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert ["受理分类", "投诉", "1", None] in [[c.value for c in row] for row in sheet.iter_rows()]
    html = manager.get("reporting", "/v1/reports/service-centre-daily", params={**params, "format": "html"}).text
    assert "<h1>服务中心日报表</h1>" in html and "&lt;script&gt;" in html and "<script>" not in html
    english = manager.get("reporting", "/v1/reports/service-centre-daily",
                          params={**params, "format": "html", "lang": "en"}).text
    assert "Service-centre daily report" in english and "Handled today" in english


def delivered(stack, api: Api, estate_id: str, envelopes) -> None:
    """Crafted events handed to reporting alone, awaited in its archive (archived and counted in one
    transaction, so archived means counted)."""
    events.deliver_to_reporting(stack, envelopes)
    wanted = {e.id for e in envelopes}
    eventually(lambda: wanted <= {e["id"] for e in all_pages(api, "reporting", "/v1/events", {"estate_id": estate_id})},
               timeout=30, what="the crafted events archived")


def sections(report: dict) -> dict[str, dict[str, dict]]:
    return {s["key"]: {r["key"]: r for r in s["rows"]} for s in report["sections"]}


def test_every_section_of_the_daily_report_reads_its_known_inputs(stack):
    estate_id = setup_estate(stack, engineers=0)
    manager = Api(stack, user_id="pm-1", roles=["estate_manager"], estates=[estate_id])
    day = local_day(clock.now()) - timedelta(days=3)
    known = service_centre_day(estate_id, day, tag=estate_id)
    delivered(stack, manager, estate_id, known.envelopes)
    params = {"estate_id": estate_id, "day": day.isoformat()}

    report = manager.get("reporting", DAILY, params=params).json()
    rows = sections(report)
    for section, expected in SERVICE_CENTRE_DAY.items():
        assert {key: rows[section][key]["value"] for key in expected} == expected, section
    assert set(rows["work_orders"]) >= {"escalations.1", "escalations.2"} and "escalations.3" not in rows["work_orders"]
    assert rows["work_orders"]["escalations.1"]["label"] == "升级（第1级）"
    assert rows["work_orders"]["arrive_on_time_rate"]["text"] == "50.0%"
    assert rows["contacts"]["channel.hotline"]["text"] == "3（66.7%）"
    assert rows["follow_ups"]["done_within_24h_rate"]["text"] == "50.0%"
    assert rows["follow_ups"]["satisfaction_average"]["text"] == "4.0"
    assert (rows["incidents"]["declared"]["value"], rows["incidents"]["resolved"]["value"]) == (1, 1)
    [incident] = [r for k, r in rows["incidents"].items() if k.startswith("incident.")]
    assert incident["text"] == "INC-0001 P2 3栋大堂 大堂漏水"
    assert (rows["billing"]["collected"]["text"], rows["billing"]["billed"]["text"]) == ("450.00", "1050.00")
    assert rows["billing"]["collection_rate"]["text"] == "33.3%"
    assert [k for k in rows["notable"]] == [f"complaint.{estate_id}-t3"]
    figures = report["figures"]
    assert figures["billing"]["prepaid_fen"] == 5000 and figures["work_orders"]["sla_warnings"] == 1
    assert figures["complaints"]["by_subcategory"] == {"noise": 1}

    csv = manager.get("reporting", DAILY, params={**params, "format": "csv"}).content.decode("utf-8-sig")
    for line in ("派工,升级（第1级）,2,", "派工,到场及时率,50.0%,", "回访,24小时内回访率,50.0%,", "回访,满意率,50.0%,",
                 "突发事件,发生,1,", "交接班,未交接,1,", "收缴,当日收缴（元）,450.00,", "收缴,收缴率,33.3%,",
                 "事项处理,日终未处理,1,", "来电来访,接通及时率（15秒内）,66.7%,"):
        assert line in csv, line
    xlsx = manager.get("reporting", DAILY, params={**params, "format": "xlsx"})
    cells = [[c.value for c in row] for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows()]
    for row in (["收缴", "当日计费（元）", "1050.00", None], ["派工", "维修及时率", "50.0%", None],
                ["交接班", "接班有异议", "1", None], ["回访", "满意度平均分", "4.0", None]):
        assert row in cells, row
    html = manager.get("reporting", DAILY, params={**params, "format": "html"}).text
    assert "INC-0001 P2 3栋大堂 大堂漏水" in html and "33.3%" in html and "升级（第2级）" in html
    english = manager.get("reporting", DAILY, params={**params, "format": "csv", "lang": "en"}).content.decode("utf-8-sig")
    assert "Escalations (level 2),1," in english and "Done within 24 h,50.0%," in english


def test_a_payment_taken_by_billing_is_the_days_collection(stack):
    """Through billing's own API: a run issues the bills, a clerk takes a payment; the daily reports of
    their days show what billing announced."""
    estate = BillingEstate(stack, [["1栋", "1-101", 1, "89.50", "residential", "", "", "", ""],
                                   ["1栋", "1-102", 1, "120.00", "residential", "", "", "", ""]])
    estate.run("2025-01", ["property_fee", "garbage_fee"])
    lines = estate.lines()
    owed = sum(text_to_fen(line["amount"]) for line in lines if line["unit_id"] == estate.by_number["1-101"]["id"])
    payment = estate.pay("1-101", f"{owed / 100:.2f}")
    assert payment.status_code == 201, payment.text
    assert text_to_fen(payment.json()["applied"]) == owed
    manager = Api(stack, user_id="pm-1", roles=["estate_manager"], estates=[estate.estate_id])
    issued = eventually(lambda: len(found := archived(manager, estate.estate_id, "billing.bill.issued")) == len(lines)
                        and found, timeout=30, what="the bills in reporting's archive")
    billed_on = Counter()
    for bill in issued:
        billed_on[local_day(datetime.fromisoformat(bill["time"])).isoformat()] += bill["data"]["amount_fen"]
    assert sum(billed_on.values()) == sum(text_to_fen(line["amount"]) for line in lines)
    paid_on = local_day(datetime.fromisoformat(payment.json()["received_at"])).isoformat()

    def billing(day: str) -> dict:
        body = manager.get("reporting", DAILY, params={"estate_id": estate.estate_id, "day": day}).json()
        return sections(body)["billing"]

    paid = eventually(lambda: (b := billing(paid_on))["payments"]["value"] == 1 and b, what="the payment counted")
    assert paid["collected"]["value"] == owed and paid["reversed"]["value"] == 0
    for day, amount in billed_on.items():
        assert billing(day)["billed"]["value"] == amount
    if set(billed_on) == {paid_on}:
        assert paid["collection_rate"]["value"] == round(owed / billed_on[paid_on], 4)


def test_reports_answer_only_for_the_callers_estates(stack):
    estate_id = setup_estate(stack, engineers=0)
    outsider = Api(stack, user_id="pm-9", roles=["estate_manager"], estates=["estate-elsewhere"])
    for path in ("/v1/reports/service-centre-daily", "/v1/figures"):
        response = outsider.get("reporting", path, params={"estate_id": estate_id, "day": "2026-11-26"})
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    wrong = Api(stack, user_id="pm-1", roles=["estate_manager"], estates=[estate_id]).get(
        "reporting", "/v1/reports/service-centre-daily", params={"estate_id": estate_id, "day": "yesterday"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "day"


def test_each_morning_the_report_of_the_day_before_is_announced_once(stack):
    estate_id = setup_estate(stack, engineers=0)
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    [announced] = eventually(lambda: archived(supervisor, estate_id, "reporting.daily_report.ready"),
                             timeout=30, what="the daily report announced")
    data = announced["data"]
    assert data["estate_id"] == estate_id and data["tickets_opened"] == 0 and data["answer_rate"] is None
    assert data["report_url"].endswith(f"estate_id={estate_id}&day={data['day']}&format=html")
    registered = datetime.fromisoformat(announced["time"]).astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert data["day"] == (registered - timedelta(days=1)).isoformat()


def test_monthly_reports_compare_with_the_month_before_and_keep_to_the_callers_estates(stack):
    estate_id, other_id = setup_estate(stack), setup_estate(stack, engineers=0)
    agent = Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id])
    logged = [agent.post("intake", "/v1/contacts", json=body) for body in _contacts(estate_id)]
    assert all(r.status_code == 201 for r in logged)
    month = datetime.fromisoformat(logged[0].json()["logged_at"]).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    viewer = Api(stack, user_id="ops-1", roles=["ops_viewer"], estates=[estate_id])

    def complaints():
        body = viewer.get("reporting", "/v1/reports/monthly/complaints", params={"month": month}).json()
        return body if body["current"]["count"] == 1 else None

    report = eventually(complaints, what="the month's complaint analysis")
    assert report["estates"] == [estate_id] and report["title"] == "投诉分析"
    assert report["current"]["by_subcategory"] == {"noise": 1} and report["change"]["count"] == 1
    assert report["previous"]["count"] == 0 and report["current"]["per_100_units"] is None
    assert list(report["by_estate"]) == [estate_id] and report["by_estate"][estate_id]["change"]["count"] == 1
    repairs = eventually(lambda: (r := viewer.get("reporting", "/v1/reports/monthly/repairs", params={
        "month": month, "estate_id": estate_id}).json())["current"]["created"] == 2 and r, what="the repair report")
    assert repairs["current"]["repair_tickets"] == 1 and repairs["change"]["created"] == 2
    for kind in ("collection", "dunning", "sla-breaches", "staff"):
        for format in ("json", "csv", "xlsx", "html"):
            response = viewer.get("reporting", f"/v1/reports/monthly/{kind}",
                                  params={"month": month, "format": format, "lang": "en"})
            assert response.status_code == 200, (kind, format, response.text)
    outsider = viewer.get("reporting", "/v1/reports/monthly/complaints", params={"month": month, "estate_id": other_id})
    assert outsider.status_code == 404
    bad = viewer.get("reporting", "/v1/reports/monthly/complaints", params={"month": "2026-13"})
    assert bad.status_code == 422 and bad.json()["field"] == "month"


def test_monthly_reports_read_their_figures_and_the_change_against_the_month_before(stack):
    # Four units in two buildings, registered through intake's directory import (complaints per 100 units).
    estate = BillingEstate(stack, [[building, f"{building[0]}-10{n}", 1, "80.00", "residential", "", "", "", ""]
                                   for building in ("1栋", "2栋") for n in (1, 2)])
    estate_id = estate.estate_id
    viewer = Api(stack, user_id="ops-1", roles=["ops_viewer"], estates=[estate_id])
    today = local_day(clock.now())
    month, month_before = month_of(today, 1), month_of(today, 2)
    this = service_centre_day(estate_id, date.fromisoformat(f"{month}-12"), tag=f"{estate_id}-m")
    this.dunning(1, "18:00", "487.50", month_of(this.day, 1))
    this.dunning(2, "18:00", "120.00", month_of(this.day, 5))
    last = month_before_day(estate_id, date.fromisoformat(f"{month_before}-12"), tag=f"{estate_id}-p")
    last.dunning(1, "18:00", "300.00", month_of(last.day, 2))
    delivered(stack, viewer, estate_id, [*this.envelopes, *last.envelopes])

    def report(kind: str, **params) -> dict:
        response = viewer.get("reporting", f"/v1/reports/monthly/{kind}",
                              params={"month": month, "estate_id": estate_id, **params})
        assert response.status_code == 200, response.text
        return response.json()

    complaints = eventually(lambda: (r := report("complaints"))["current"]["per_100_units"] is not None and r,
                            what="the estate's units known to reporting")
    assert (complaints["period"]["from"], complaints["previous_period"]["from"]) == (f"{month}-01", f"{month_before}-01")
    assert (complaints["current"]["count"], complaints["previous"]["count"]) == (1, 2)
    assert (complaints["current"]["per_100_units"], complaints["previous"]["per_100_units"]) == (25.0, 50.0)
    assert complaints["change"]["per_100_units"] == -25.0 and complaints["change"]["count"] == -1
    assert complaints["change"]["by_subcategory"] == {"noise": 0, "parking": -1}
    assert (complaints["current"]["repeat_complainants"], complaints["change"]["repeat_complainants"]) == (0, -1)

    collection = report("collection")
    assert {k: collection["current"][k] for k in ("billed_fen", "collected_fen", "reversed_fen", "prepaid_fen",
                                                  "payments", "collection_rate")} == {
        "billed_fen": 105000, "collected_fen": 45000, "reversed_fen": 10000, "prepaid_fen": 5000, "payments": 2,
        "collection_rate": 0.3333}
    assert (collection["previous"]["billed_fen"], collection["previous"]["collected_fen"],
            collection["previous"]["collection_rate"]) == (50000, 20000, 0.4)
    assert {k: collection["change"][k] for k in ("billed_fen", "collected_fen", "payments", "collection_rate")} == {
        "billed_fen": 55000, "collected_fen": 25000, "payments": 1, "collection_rate": -0.0667}
    assert collection["change"]["older_arrears_recovered_fen"] is None
    assert "billing.older_arrears_recovered_fen" in collection["unknown"]

    dunning = report("dunning")
    assert dunning["current"] == {"dunning_notices": 2, "dunning_fen": 60750,
                                  "arrears_by_aging_fen": {"0_1m": 48750, "3_6m": 12000}}
    assert dunning["previous"] == {"dunning_notices": 1, "dunning_fen": 30000, "arrears_by_aging_fen": {"1_3m": 30000}}
    assert dunning["change"] == {"dunning_notices": 1, "dunning_fen": 30750,
                                 "arrears_by_aging_fen": {"0_1m": 48750, "3_6m": 12000, "1_3m": -30000}}

    breaches = report("sla-breaches")
    assert {k: breaches["current"][k] for k in ("sla_breaches", "sla_breaches_by_milestone", "sla_warnings",
                                                "escalations", "escalations_by_level")} == {
        "sla_breaches": 2, "sla_breaches_by_milestone": {"arrive": 1, "complete": 1}, "sla_warnings": 1,
        "escalations": 3, "escalations_by_level": {"1": 2, "2": 1}}
    assert (breaches["previous"]["sla_breaches_by_milestone"], breaches["previous"]["accept_on_time_rate"]) == (
        {"accept": 1}, 0.0)
    assert breaches["change"]["sla_breaches_by_milestone"] == {"arrive": 1, "complete": 1, "accept": -1}
    assert breaches["change"]["escalations_by_level"] == {"1": 1, "2": 1}
    assert {k: breaches["change"][k] for k in ("accept_on_time_rate", "arrive_on_time_rate",
                                               "complete_on_time_rate")} == {
        "accept_on_time_rate": 1.0, "arrive_on_time_rate": -0.5, "complete_on_time_rate": -0.5}

    staff = report("staff")
    assert staff["current"]["staff"] == {
        "eng-a": {"name": "工程师eng-a", "completed": 1, "completed_on_time": 1, "on_time_rate": 1.0,
                  "satisfaction_average": 5.0},
        "eng-b": {"name": "工程师eng-b", "completed": 1, "completed_on_time": 0, "on_time_rate": 0.0,
                  "satisfaction_average": None}}
    assert staff["previous"]["staff"]["eng-a"]["completed"] == 1 and "eng-b" not in staff["previous"]["staff"]
    assert staff["change"]["staff"]["eng-a"] == {"completed": 0, "completed_on_time": 0, "on_time_rate": 0.0,
                                                 "satisfaction_average": None}
    assert staff["change"]["staff"]["eng-b"]["completed"] == 1 and staff["change"]["staff"]["eng-b"]["on_time_rate"] is None
    assert staff["current"]["departments"]["engineering"]["on_time_rate"] == 0.5
    assert staff["change"]["departments"]["engineering"]["completed"] == 1

    repairs = report("repairs")
    assert (repairs["current"]["handling_minutes_median"], repairs["previous"]["handling_minutes_median"]) == (30, 60)
    assert repairs["change"]["created"] == 2 and repairs["change"]["handling_minutes_p90"] == 90

    csv = viewer.get("reporting", "/v1/reports/monthly/collection", params={
        "month": month, "estate_id": estate_id, "format": "csv"}).content.decode("utf-8-sig")
    assert "收缴率,33.3%,40.0%,−6.7个百分点" in csv and "应收（元）,1050.00,500.00,+550.00" in csv
    sheet = load_workbook(io.BytesIO(viewer.get("reporting", "/v1/reports/monthly/dunning", params={
        "month": month, "estate_id": estate_id, "format": "xlsx"}).content)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["欠费账龄（元）·1–3个月", "0.00", "300.00", "-300.00"] in cells  # a bucket of the month before only
    assert ["欠费账龄（元）·1个月内", "487.50", "0.00", "+487.50"] in cells
    html = viewer.get("reporting", "/v1/reports/monthly/sla-breaches", params={
        "month": month, "estate_id": estate_id, "format": "html"}).text
    assert "超时（按环节）·接单" in html and "0 / 1 / -1" in html and "升级（按级别）·第2级" in html
    english = viewer.get("reporting", "/v1/reports/monthly/staff", params={
        "month": month, "estate_id": estate_id, "lang": "en"}).json()
    assert {line["label"]: line["change_text"] for line in english["lines"]}["Staff·工程师eng-b·Completed"] == "+1"
