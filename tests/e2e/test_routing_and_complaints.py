"""Who gets what: routing rules and skills, on-call and the supervisors' queue, complaints, incidents."""

from __future__ import annotations

import asyncio

from shared.envelope import Envelope
from tests.e2e.test_dead_letters_api import publish_raw
from tests.helpers import Api, add_staff, admin, archived, eventually, setup_estate


def contact(estate_id: str, category: str, description: str, **ticket) -> dict:
    return {"estate_id": estate_id, "channel": "hotline", "summary": description,
            "ticket": {"category": category, "scope": "public_area", "description": description, **ticket}}


def order_for(api: Api, estate_id: str, ticket_id: str) -> dict:
    return eventually(lambda: api.get("dispatch", "/v1/work-orders", params={
        "estate_id": estate_id, "ticket_id": ticket_id}).json()["items"], what="the ticket's work order")[0]


def test_skills_routing_rules_on_call_and_the_supervisors_queue(stack):
    estate_id = setup_estate(stack, engineers=1)  # a generalist on duty
    api = admin(stack)
    api.post("dispatch", "/v1/staff", json={"estate_id": estate_id, "staff_id": f"{estate_id}-lift", "name": "电梯工",
                                            "department": "engineering", "skills": ["elevator"], "on_duty": True})
    add_staff(stack, estate_id, f"{estate_id}-cleaner-on-call", department="cleaning", on_duty=False)
    api.call("PUT", "dispatch", f"/v1/staff/{estate_id}-cleaner-on-call/duty", json={"on_call": True})
    add_staff(stack, estate_id, f"{estate_id}-sup", department="customer_service", position="supervisor")
    add_staff(stack, estate_id, f"{estate_id}-gardener", department="greening", on_duty=False)  # off duty, not on call
    rules = {"rules": [{"category": "repair", "subcategory": "drains", "department": "cleaning", "kind": "repair"},
                       {"category": "help", "department": "greening", "kind": "help"}]}
    assert api.call("PUT", "dispatch", f"/v1/estates/{estate_id}/routing-rules", json=rules).status_code == 200
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])

    lift = agent.post("intake", "/v1/contacts", json=contact(estate_id, "repair", "3号电梯异响", subcategory="elevator"))
    assert order_for(api, estate_id, lift.json()["ticket"]["id"])["assignee_id"] == f"{estate_id}-lift"

    drain = agent.post("intake", "/v1/contacts", json=contact(estate_id, "repair", "雨水井堵塞", subcategory="drains"))
    drain_order = order_for(api, estate_id, drain.json()["ticket"]["id"])
    assert (drain_order["department"], drain_order["assignee_id"]) == ("cleaning", f"{estate_id}-cleaner-on-call")

    help_call = agent.post("intake", "/v1/contacts", json=contact(estate_id, "help", "老人需要帮忙搬东西"))
    queued = order_for(api, estate_id, help_call.json()["ticket"]["id"])
    assert (queued["department"], queued["status"], queued["queue"]) == ("greening", "pending", "supervisors")
    step = eventually(lambda: [e for e in archived(api, estate_id, "dispatch.workorder.escalated")
                               if e["subject"] == queued["id"]], what="the supervisor told")[0]
    assert (step["data"]["reason"], step["data"]["recipient_id"]) == ("unassigned", f"{estate_id}-sup")


def test_a_complaint_goes_to_the_supervisor_with_plan_and_feedback_due(stack):
    estate_id = setup_estate(stack, engineers=0)
    add_staff(stack, estate_id, f"{estate_id}-sup", department="customer_service", position="supervisor")
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    complaint = agent.post("intake", "/v1/contacts", json=contact(estate_id, "complaint", "楼上装修噪音扰民",
                                                                   subcategory="noise"))
    order = order_for(admin(stack), estate_id, complaint.json()["ticket"]["id"])
    assert (order["kind"], order["assignee_id"]) == ("complaint_handling", f"{estate_id}-sup")
    assert set(order["deadlines"]) == {"plan", "feedback"}
    supervisor = Api(stack, user_id=f"{estate_id}-sup", roles=["supervisor"], estates=[estate_id])
    planned = supervisor.post("dispatch", f"/v1/work-orders/{order['id']}/plan", json={"plan": "今日上门协调"})
    assert planned.status_code == 200 and planned.json()["complaint_plan"]["plan"] == "今日上门协调"
    repair = supervisor.post("dispatch", "/v1/work-orders", json={
        "estate_id": estate_id, "kind": "repair", "department": "engineering", "description": "x"}).json()
    refused = supervisor.post("dispatch", f"/v1/work-orders/{repair['id']}/plan", json={"plan": "x"})
    assert refused.status_code == 422


def test_a_major_complaint_goes_to_the_estate_manager_at_once(stack):
    estate_id = setup_estate(stack, engineers=0)
    add_staff(stack, estate_id, f"{estate_id}-sup", department="customer_service", position="supervisor")
    add_staff(stack, estate_id, f"{estate_id}-pm", department="customer_service", position="estate_manager")
    major = Envelope(source="/estatedesk/intake", type="estatedesk.intake.ticket.opened.v1", subject="t-major",
                     companyid="demo-company", estateid=estate_id, data={
                         "ticket_id": f"{estate_id}-t-major", "number": "DH-20261126-9001", "category": "complaint",
                         "priority": "P2", "scope": "public_area", "description": "第三次投诉：垃圾清运不及时",
                         "channel": "hotline", "promised_reply_at": "2026-11-26T12:00:00Z",
                         "opened_at": "2026-11-26T08:00:00Z", "major": True})
    asyncio.run(publish_raw(stack.amqp, "intake.ticket.opened", major.model_dump_json().encode()))
    order = order_for(admin(stack), estate_id, f"{estate_id}-t-major")
    assert order["major"] and order["assignee_id"] == f"{estate_id}-sup"
    step = eventually(lambda: archived(admin(stack), estate_id, "dispatch.workorder.escalated"), what="the manager told")
    assert [(s["data"]["position"], s["data"]["recipient_id"], s["data"]["reason"]) for s in step] == [
        ("estate_manager", f"{estate_id}-pm", "major_complaint")]


def test_an_incident_has_one_work_order_however_often_it_is_declared(stack):
    estate_id = setup_estate(stack, engineers=1)
    incident_id = f"{estate_id}-incident-1"
    for _ in range(2):  # two deliveries with different event ids: still one order
        declared = Envelope(source="/estatedesk/intake", type="estatedesk.intake.incident.declared.v1",
                            subject=incident_id, companyid="demo-company", estateid=estate_id, data={
                                "incident_id": incident_id, "category": "repair", "subcategory": "plumbing",
                                "priority": "P1", "location": "3栋", "description": "3栋主水管爆裂",
                                "declared_at": "2026-11-26T08:00:00Z"})
        asyncio.run(publish_raw(stack.amqp, "intake.incident.declared", declared.model_dump_json().encode()))
    api = admin(stack)
    orders = eventually(lambda: [o for o in api.get("dispatch", "/v1/work-orders", params={"estate_id": estate_id})
                                 .json()["items"] if o["incident_id"] == incident_id], what="the incident's order")
    eventually(lambda: len([e for e in archived(api, estate_id, "intake.incident.declared")]) == 2,
               what="both declarations consumed")
    orders = [o for o in api.get("dispatch", "/v1/work-orders", params={"estate_id": estate_id}).json()["items"]
              if o["incident_id"] == incident_id]
    assert len(orders) == 1 and orders[0]["priority"] == "P1"


def test_a_route_to_an_empty_department_is_refused_and_an_empty_department_falls_back(stack):
    estate_id = setup_estate(stack, engineers=1)
    api = admin(stack)
    rules = {"rules": [{"category": "repair", "subcategory": "drains", "department": "engineering", "kind": "repair"},
                       {"category": "help", "department": "greening", "kind": "help"}]}
    refused = api.call("PUT", "dispatch", f"/v1/estates/{estate_id}/routing-rules", json=rules)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "rules.1.department" and "greening" in refused.json()["detail"]
    assert api.get("dispatch", f"/v1/estates/{estate_id}/routing-rules").json()["rules"] == []
    refused = api.call("PUT", "dispatch", f"/v1/estates/{estate_id}/departments/security",
                       json={"fallback_department": "cleaning"})
    assert refused.status_code == 422 and refused.json()["field"] == "fallback_department"

    # No security staff (the default route of help): the service centre takes it, and says why.
    add_staff(stack, estate_id, f"{estate_id}-cs", department="customer_service")
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    first = agent.post("intake", "/v1/contacts", json=contact(estate_id, "help", "老人摔倒需要帮助"))
    order = order_for(api, estate_id, first.json()["ticket"]["id"])
    assert (order["department"], order["routed_from"], order["assignee_id"]) == (
        "customer_service", "security", f"{estate_id}-cs")
    assert "security" in order["fallback_reason"] and order["queue"] is None
    # A named fallback instead.
    named = api.call("PUT", "dispatch", f"/v1/estates/{estate_id}/departments/security",
                     json={"fallback_department": "engineering"})
    assert named.status_code == 200 and named.json()["fallback_department"] == "engineering"
    second = agent.post("intake", "/v1/contacts", json=contact(estate_id, "help", "住户被锁门外"))
    order = order_for(api, estate_id, second.json()["ticket"]["id"])
    assert (order["department"], order["routed_from"], order["assignee_id"]) == (
        "engineering", "security", f"{estate_id}-eng-0")
