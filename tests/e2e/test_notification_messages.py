"""Notification tells residents and staff: its copy of the directory and of dispatch's staff, the rule
table with its defaults and an estate's overrides, and events of billing and reporting it consumes."""

from __future__ import annotations

from shared.envelope import Envelope
from tests.e2e.notification_kit import Residents, event, publish
from tests.helpers import add_staff, eventually, repair_contact


def test_residents_are_copied_from_the_directory_and_hear_of_their_ticket_and_bills(stack):
    estate = Residents(stack)
    unit, owner = estate.resident("王芳", "3-502", "13812345678", preferred_channels=["wechat", "sms"])
    copy = estate.known(owner["id"])
    assert copy["unit_ids"] == [unit["id"]] and copy["building_ids"] == [estate.building["id"]]
    assert copy["phone"].endswith("13812345678") and copy["channels"] == ["wechat", "sms"]
    estate.prefer(owner["id"], no_quiet_hours=True)  # whatever the hour the suite runs at

    call = estate.directory.api.post("intake", "/v1/contacts", json={
        **repair_contact(estate.estate_id, "厨房水龙头漏水"), "caller_phone": "13812345678"})
    assert call.status_code == 201, call.text
    ticket = call.json()["ticket"]
    [received] = estate.told(owner["id"], "ticket.received")
    assert ticket["number"] in received["body"] and "前答复您" in received["body"]
    # No openid: WeChat cannot reach them, so SMS is the first channel (the local provider stores it).
    assert (received["channel"], received["status"], received["recipient_kind"]) == ("sms", "sent", "resident")
    [assigned] = estate.told(owner["id"], "ticket.technician_assigned")
    assert ticket["number"] in assigned["body"]

    publish(stack, event(estate.estate_id, "billing.bill.issued", {
        "bill_id": "bill-1", "unit_id": unit["id"], "item": "property_fee", "item_name_zh": "物业费",
        "item_name_en": "Property fee", "period": "2026-11", "amount_fen": 48750, "amount": "487.50",
        "due_date": "2026-12-31"}))
    [bill] = estate.told(owner["id"], "bill.issued")
    assert bill["body"] == "3-502 2026-11 账单已出，金额 487.50 元，请于 2026-12-31 前缴纳。"
    publish(stack, event(estate.estate_id, "billing.balance.low", {
        "unit_id": unit["id"], "balance": "12.50", "threshold": "50.00"}))
    assert "12.50" in estate.told(owner["id"], "balance.low")[0]["body"]


def test_staff_hear_by_their_positions_and_an_estate_can_change_its_rules(stack):
    estate = Residents(stack)
    for staff_id, position in (("sup", "supervisor"), ("pm", "estate_manager")):
        response = estate.manager.call("PUT", "notification", f"/v1/estates/{estate.estate_id}/staff/"
                                       f"{estate.estate_id}-{position}", json={"name": staff_id, "positions": [position]})
        assert response.status_code == 200, response.text
    report = event(estate.estate_id, "reporting.daily_report.ready", {
        "estate_id": estate.estate_id, "day": "2026-11-30", "report_url": "http://reports.local/day/2026-11-30",
        "contacts": 35, "tickets_opened": 12, "tickets_handled": 10, "open_at_end": 4, "work_orders_completed": 8,
        "complaints": 1, "incidents": 0, "collected": "1280.00"})
    publish(stack, report)

    def reports_told(person_id: str, *events: Envelope) -> list[dict]:
        """Messages of these crafted reports only: reporting announces each test estate's real one too."""
        ids = {e.id for e in events}
        return [m for m in estate.messages(person_id) if m["template"] == "report.daily_ready"
                and m["source_event_id"] in ids]

    for position in ("supervisor", "estate_manager"):
        [told] = eventually(lambda p=position: reports_told(f"{estate.estate_id}-{p}", report),
                            what=f"the {position} told of the report")
        assert told["body"] == ("11月30日 服务中心日报已生成：来电 35，受理 12，办结 10，投诉 1，收缴 1280.00。"
                                 "查看：http://reports.local/day/2026-11-30")

    rules = estate.manager.get("notification", f"/v1/estates/{estate.estate_id}/rules").json()
    by_id = {rule["id"]: rule for rule in rules}
    assert by_id["incident.declared"]["audience"] == ["position:supervisor", "position:estate_manager"]
    assert by_id["incident.declared"]["urgency"] == "safety"
    assert {"ticket.received", "bill.issued", "bill.overdue", "dunning.notice", "workorder.offered",
            "sla.warning", "workorder.escalated", "shift.handover_missing"} <= set(by_id)
    off = estate.manager.call("PUT", "notification", f"/v1/estates/{estate.estate_id}/rules/report.daily_ready",
                              json={"audience": ["position:estate_manager"]})
    assert off.status_code == 200 and off.json()["overridden"], off.text
    bad = estate.manager.call("PUT", "notification", f"/v1/estates/{estate.estate_id}/rules/report.daily_ready",
                              json={"audience": ["everyone"]})
    assert bad.status_code == 422 and bad.json()["field"] == "audience[0]"
    unknown = estate.manager.call("PUT", "notification", f"/v1/estates/{estate.estate_id}/rules/no.such", json={})
    assert unknown.status_code == 404
    again = event(estate.estate_id, "reporting.daily_report.ready", {**report.data, "day": "2026-12-01"})
    publish(stack, again)
    eventually(lambda: len(reports_told(f"{estate.estate_id}-estate_manager", report, again)) == 2,
               what="the estate manager told of the second report")
    assert len(reports_told(f"{estate.estate_id}-supervisor", report, again)) == 1

    # Staff named by dispatch are copied too: the assignee of an order.
    add_staff(stack, estate.estate_id, f"{estate.estate_id}-plumber", name="李师傅")
    order = estate.admin.post("dispatch", "/v1/work-orders", json={
        "estate_id": estate.estate_id, "kind": "repair", "department": "engineering", "priority": "P3",
        "description": "楼道灯不亮"}).json()
    eventually(lambda: estate.messages(order["assignee_id"]), what="the assignee told")
    assert estate.known(order["assignee_id"])["kind"] == "staff"


def test_a_resident_who_moved_out_hears_no_more_of_their_unit(stack):
    estate = Residents(stack)
    unit, person = estate.resident("赵强", "3-101", "13900002222")
    response = estate.directory.api.post("intake", f"/v1/residents/{person['id']}/move-out", json={
        "unit_ids": [unit["id"]], "moved_out_on": "2026-11-30"})
    assert response.status_code == 200, response.text
    eventually(lambda: estate.known(person["id"])["status"] == "moved_out", what="the move-out copied")
    publish(stack, event(estate.estate_id, "billing.dunning.notice_due", {
        "dunning_run_id": "run-1", "unit_id": unit["id"], "amount": "100.00", "periods": ["2026-10"],
        "items": ["property_fee"], "due_since": "2026-10"}))
    _, neighbour = estate.resident("钱红", "3-102", "13900003333")
    publish(stack, event(estate.estate_id, "billing.dunning.notice_due", {
        "dunning_run_id": "run-1", "unit_id": neighbour["unit_ids"][0], "amount": "80.00", "periods": ["2026-10"],
        "items": ["property_fee"], "due_since": "2026-10"}))
    estate.told(neighbour["id"], "dunning.notice")  # the later event is consumed: the earlier one was too
    assert estate.messages(person["id"]) == []
