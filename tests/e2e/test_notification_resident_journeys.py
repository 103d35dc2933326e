"""What residents hear, end to end through the real services (no event is published by hand here): a repair
from the call through dispatch's work order to the follow-up, a payment taken by billing, and an incident
declared in intake for one building, which only that building's residents hear of."""

from __future__ import annotations

from tests.e2e.notification_kit import Residents
from tests.helpers import Api, eventually, repair_contact

COMPLETION = {"work_done": "更换卫生间阀芯", "labour_minutes": 40, "responsible_party": "property"}
REPAIR_TEMPLATES = ["ticket.received", "ticket.technician_assigned", "ticket.technician_on_the_way",
                    "ticket.work_done", "ticket.follow_up"]


def test_a_repair_tells_its_resident_each_step_of_the_work_order_in_their_inbox(stack):
    estate = Residents(stack)
    _, owner = estate.resident("王芳", "3-502", "13812345678")
    estate.prefer(owner["id"], no_quiet_hours=True)  # whatever the hour the suite runs at
    call = estate.directory.api.post("intake", "/v1/contacts", json={
        **repair_contact(estate.estate_id, "卫生间漏水"), "caller_phone": "13812345678"})
    assert call.status_code == 201, call.text
    ticket = call.json()["ticket"]
    dispatcher = Api(stack, user_id="dispatcher-1", roles=["dispatcher"], estates=[estate.estate_id])
    [order] = eventually(lambda: dispatcher.get("dispatch", "/v1/work-orders", params={
        "estate_id": estate.estate_id, "ticket_id": ticket["id"]}).json()["items"], what="the ticket's work order")
    assert order["assignee_id"] == f"{estate.estate_id}-eng-0"
    assigned = estate.in_inbox(owner["id"], "ticket.technician_assigned")
    assert assigned["body"] == f"您的报修 {ticket['number']} 已派给 工程师0，师傅接单后将尽快上门。"

    engineer = Api(stack, user_id=order["assignee_id"], roles=["technician"], estates=[estate.estate_id])
    accepted = engineer.post("dispatch", f"/v1/work-orders/{order['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    on_the_way = estate.in_inbox(owner["id"], "ticket.technician_on_the_way")
    assert on_the_way["body"] == f"工程师0 已接单，正在前往处理您的报修 {ticket['number']}。"

    arrived = engineer.post("dispatch", f"/v1/work-orders/{order['id']}/arrive")
    assert arrived.status_code == 200, arrived.text
    done = engineer.post("dispatch", f"/v1/work-orders/{order['id']}/complete", json=COMPLETION)
    assert done.status_code == 200, done.text
    work_done = estate.in_inbox(owner["id"], "ticket.work_done")
    assert work_done["body"] == f"您的报修 {ticket['number']} 已完工：更换卫生间阀芯。如有问题请致电服务中心。"
    # The completion resolves the ticket in intake, whose follow-up (回访) asks the resident how it went.
    follow_up = estate.in_inbox(owner["id"], "ticket.follow_up")
    assert follow_up["body"] == f"您的报修 {ticket['number']} 已处理完毕，请对本次服务进行评价，感谢您的支持。"

    inbox = estate.inbox(owner["id"])
    # Newest first; arriving on site is no message of its own; each step is told once.
    assert [m["template"] for m in reversed(inbox)] == REPAIR_TEMPLATES
    assert all(ticket["number"] in m["body"] and m["status"] == "sent" for m in inbox)
    assert estate.as_person(owner["id"]).get(
        "notification", f"/v1/estates/{estate.estate_id}/inbox/unread-count").json() == {"unread": len(inbox)}


def test_a_payment_taken_by_billing_gives_the_units_residents_their_receipt(stack):
    estate = Residents(stack)
    unit, owner = estate.resident("李娜", "3-601", "13812340001")
    _, neighbour = estate.resident("周涛", "3-602", "13812340002")
    clerk = Api(stack, user_id="clerk-1", roles=["billing_clerk"], estates=[estate.estate_id])
    eventually(lambda: clerk.get("billing", f"/v1/units/{unit['id']}/account").status_code == 200,
               what="billing's copy of the unit")
    paid = clerk.post("billing", "/v1/payments", json={"unit_id": unit["id"], "amount": "300.00", "method": "cash"},
                      headers={"Idempotency-Key": f"receipt-{unit['id']}"})
    assert paid.status_code == 201, paid.text
    receipt = paid.json()["receipt_number"]
    message = estate.in_inbox(owner["id"], "payment.received")
    assert message["body"] == f"已收到您的缴费 300.00 元，收据号 {receipt}。感谢您的支持。"
    assert message["subject"] == f"缴费收据 {receipt}"
    assert estate.inbox(neighbour["id"]) == []  # another unit's payment is none of theirs


def test_an_incident_in_one_building_is_heard_there_only_and_only_when_it_moves(stack):
    estate = Residents(stack)
    other_building = estate.directory.building("5栋")
    _, here = estate.resident("陈静", "3-201", "13812340011")
    _, there = estate.resident("赵磊", "5-201", "13812340012", building=other_building)
    for person in (here, there):
        estate.prefer(person["id"], no_quiet_hours=True)
    agent = estate.directory.api
    declared = agent.post("intake", "/v1/incidents", json={
        "estate_id": estate.estate_id, "category": "repair", "subcategory": "plumbing", "priority": "P2",
        "location": "3栋", "building_id": estate.building["id"], "description": "3栋主水管爆裂，全楼停水",
        "broadcast_message": "3栋停水抢修中，预计18点恢复"})
    assert declared.status_code == 201, declared.text
    incident = declared.json()
    notice = estate.in_inbox(here["id"], "incident.notice")
    assert notice["body"] == "【紧急通知】3栋停水抢修中，预计18点恢复（3栋）。物业正在处理，请注意安全。"
    assert notice["urgency"] == "safety"

    # A call joining the incident changes nothing residents need to hear; its status moving does.
    call = agent.post("intake", "/v1/contacts", json={
        "estate_id": estate.estate_id, "channel": "hotline", "caller_phone": "13900009999", "summary": "3栋没水",
        "ticket": {"category": "repair", "subcategory": "plumbing", "scope": "public_area", "location": "3栋1单元",
                   "description": "3栋没水了"}})
    assert call.status_code == 201, call.text
    joining = call.json()["ticket"]["id"]
    linked = agent.post("intake", f"/v1/incidents/{incident['id']}/tickets", json={"ticket_id": joining})
    assert linked.status_code == 200, linked.text
    moved = estate.manager.post("intake", f"/v1/incidents/{incident['id']}/status",
                                json={"status": "investigating", "note": "已关闭总阀"})
    assert moved.status_code == 200, moved.text
    resolved = estate.manager.post("intake", f"/v1/incidents/{incident['id']}/status",
                                   json={"status": "resolved", "note": "更换爆裂管段，已恢复供水"})
    assert resolved.status_code == 200, resolved.text
    over = estate.in_inbox(here["id"], "incident.resolved")
    assert over["body"] == f"【已恢复】事件 {incident['number']} 已处理完毕：更换爆裂管段，已恢复供水。感谢您的理解。"
    [update] = [m for m in estate.inbox(here["id"]) if m["template"] == "incident.updated"]
    assert update["body"] == f"【进展】事件 {incident['number']}：正在排查，已关闭总阀。"

    # The other building's resident heard none of it (the same events drafted every message at once).
    assert [m["template"] for m in estate.inbox(there["id"])] == []
