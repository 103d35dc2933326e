"""People see and file only what is theirs (issue findings, each tried against the demo estate):
messages, tickets of a resident with two units, incidents, roster changes, a staff member's own
work orders, and who writes the duty ledger."""

from __future__ import annotations

import pytest

from devstack.demo import ESTATE
from tests.helpers import Api, admin



def test_a_technician_reads_his_own_messages_only(stack, demo):
    wang = Api(stack, user_id="eng-wang", roles=["technician"])
    colleague = wang.get("notification", "/v1/messages", params={"estate_id": ESTATE, "recipient_id": "eng-li"})
    assert colleague.status_code == 403, colleague.text
    own = wang.get("notification", "/v1/messages", params={"estate_id": ESTATE}).json()["items"]
    assert own and {m["recipient_id"] for m in own} == {"eng-wang"}
    agent = Api(stack, user_id="agent-1", roles=["agent"])
    assert {m["recipient_id"] for m in agent.get("notification", "/v1/messages",
                                                  params={"estate_id": ESTATE}).json()["items"]} <= {"agent-1"}
    supervisor = Api(stack, user_id="cs-chen", roles=["supervisor"])
    theirs = supervisor.get("notification", "/v1/messages", params={"estate_id": ESTATE, "recipient_id": "eng-li"})
    assert theirs.status_code == 200 and theirs.json()["items"], theirs.text


def _zhang_san(stack, demo) -> Api:
    """张三 owns a flat and a parking space: his hotline call is his, but names no unit."""
    resident_id = demo["contact"]["resident_id"]
    units = admin(stack).get("intake", f"/v1/residents/{resident_id}").json()["unit_ids"]
    assert len(units) == 2
    return Api(stack, user_id=resident_id, roles=["resident"], unit_ids=units)


def test_a_resident_with_two_units_sees_his_hotline_ticket(stack, demo):
    ticket = demo["contact"]["ticket"]
    assert ticket["unit_id"] is None
    zhang = _zhang_san(stack, demo)
    assert zhang.get("intake", f"/v1/tickets/{ticket['id']}").status_code == 200
    listed = zhang.get("intake", "/v1/tickets", params={"estate_id": ESTATE}).json()["items"]
    assert ticket["id"] in [t["id"] for t in listed]
    stranger = Api(stack, user_id="resident-x", roles=["resident"], unit_ids=["no-such-unit"])
    assert stranger.get("intake", f"/v1/tickets/{ticket['id']}").status_code == 404


@pytest.mark.parametrize("incident", ["real", "made-up"])
def test_a_resident_cannot_put_his_ticket_into_an_incident(stack, demo, incident):
    zhang = _zhang_san(stack, demo)
    incidents = admin(stack).get("intake", "/v1/incidents", params={"estate_id": ESTATE}).json()["items"]
    incident_id = incidents[0]["id"] if incident == "real" else "01JNOSUCHINCIDENT000000000"
    response = zhang.post("intake", "/v1/tickets", json={
        "estate_id": ESTATE, "unit_id": zhang_units(stack, demo)[0],
        "ticket": {"category": "repair", "scope": "in_unit", "description": "家里没水", "incident_id": incident_id}})
    assert response.status_code == 422, response.text  # the same for a real and a made-up id: nothing to probe
    assert response.json()["field"] == "ticket.incident_id"


def zhang_units(stack, demo) -> list[str]:
    return admin(stack).get("intake", f"/v1/residents/{demo['contact']['resident_id']}").json()["unit_ids"]


def leave(staff_id: str, department: str = "customer_service") -> dict:
    return {"kind": "leave", "department": department, "staff_id": staff_id, "day": "2026-12-30",
            "to_day": "2026-12-30", "reason": "事假"}


def test_staff_ask_for_their_own_leave_and_supervisors_for_their_department(stack, demo):
    changes = f"/v1/estates/{ESTATE}/roster-changes"
    agent = Api(stack, user_id="cs-agent-1", roles=["agent"])
    assert agent.post("dispatch", changes, json=leave("cs-agent-2")).status_code == 403
    assert agent.post("dispatch", changes, json=leave("cs-agent-1")).status_code == 201
    supervisor = Api(stack, user_id="cs-chen", roles=["supervisor"])  # customer service's supervisor
    assert supervisor.post("dispatch", changes, json=leave("eng-wang", "engineering")).status_code == 403
    assert supervisor.post("dispatch", changes, json=leave("cs-agent-2")).status_code == 201
    manager = Api(stack, user_id="pm-zhou", roles=["estate_manager"])
    assert manager.post("dispatch", changes, json=leave("eng-li", "engineering")).status_code == 201


def test_my_work_orders_are_for_staff_only(stack, demo):
    resident = Api(stack, user_id="eng-wang", roles=["resident"])
    assert resident.get("dispatch", "/v1/my/work-orders").status_code == 403
    technician = Api(stack, user_id="eng-wang", roles=["technician"])
    mine = technician.get("dispatch", "/v1/my/work-orders")
    assert mine.status_code == 200 and {o["assignee_id"] for o in mine.json()["items"]} == {"eng-wang"}


def test_the_service_centre_writes_the_duty_ledger_and_technicians_read_it(stack, demo):
    note = {"estate_id": ESTATE, "text": "22:00 巡查完毕，无异常"}
    technician = Api(stack, user_id="eng-wang", roles=["technician"])
    assert technician.post("dispatch", "/v1/ledger/entries", json=note).status_code == 403
    assert technician.get("dispatch", "/v1/ledger/entries", params={"estate_id": ESTATE}).status_code == 200
    for user_id, role in (("cs-agent-1", "agent"), ("cs-chen", "supervisor"), ("dispatcher-1", "dispatcher")):
        written = Api(stack, user_id=user_id, roles=[role]).post("dispatch", "/v1/ledger/entries", json=note)
        assert written.status_code == 201, (role, written.text)


@pytest.mark.parametrize("body", [{"reason": "等配件"}, {"reason": 7}, {}], ids=["good body", "bad body", "empty"])
def test_a_technician_is_refused_another_ones_order_whatever_the_body(stack, demo, body):
    order = next(o for o in demo["orders"] if o["assignee_id"])
    other = Api(stack, user_id="eng-not-the-assignee", roles=["technician"])
    refused = other.post("dispatch", f"/v1/work-orders/{order['id']}/hold", json=body)
    assert refused.status_code == 403, refused.text
    assignee = Api(stack, user_id=order["assignee_id"], roles=["technician"])
    if body != {"reason": "等配件"}:
        assert assignee.post("dispatch", f"/v1/work-orders/{order['id']}/hold", json=body).status_code == 422


@pytest.mark.parametrize("body", [b'{"note": ', b"{}"], ids=["broken body", "empty body"])
def test_a_decoration_is_approved_by_engineering_review_only_whatever_the_body(stack, demo, body):
    cases = admin(stack).get("intake", "/v1/procedures", params={"estate_id": ESTATE, "kind": "decoration"}).json()
    case = cases["items"][0]
    supervisor = Api(stack, user_id="cs-chen", roles=["supervisor"])  # approves other kinds, not decorations
    refused = supervisor.post("intake", f"/v1/procedures/{case['id']}/approve", content=body,
                              headers={"Content-Type": "application/json"})
    assert refused.status_code == 403, refused.text


@pytest.mark.parametrize("body", [b'{"checkpoint": ', b"{}"], ids=["broken body", "empty body"])
def test_only_the_patroller_records_his_round_whatever_the_body(stack, demo, body):
    rounds = admin(stack).get("intake", "/v1/patrol-rounds", params={"estate_id": ESTATE}).json()["items"]
    patrol_round = rounds[0]
    other = Api(stack, user_id="not-the-patroller", roles=["technician"])
    refused = other.post("intake", f"/v1/patrol-rounds/{patrol_round['id']}/checkpoints", content=body,
                         headers={"Content-Type": "application/json"})
    assert refused.status_code == 403, refused.text
