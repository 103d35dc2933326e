"""Incidents through the API: matching, linking, one work order, the emergency plan's messages, resolution."""

from __future__ import annotations

import asyncio

import pytest

from shared.envelope import Envelope
from tests.e2e.test_dead_letters_api import publish_raw
from tests.helpers import Api, add_staff, admin, all_pages, archived, eventually, setup_estate

BURST_MAIN = {"category": "repair", "subcategory": "plumbing", "priority": "P1", "location": "3栋",
              "description": "3栋主水管爆裂，全楼停水"}
COMPLETION = {"work_done": "更换爆裂管段，恢复供水", "labour_minutes": 120, "responsible_party": "property"}


def report(estate_id: str, location: str, description: str = "家里没水了", **ticket) -> dict:
    return {"estate_id": estate_id, "channel": "hotline", "caller_phone": "13900002222", "summary": description,
            "ticket": {"category": "repair", "subcategory": "plumbing", "scope": "public_area",
                       "location": location, "description": description, **ticket}}


@pytest.fixture(scope="module")
def estate_id(stack) -> str:
    estate_id = setup_estate(stack, engineers=1)
    add_staff(stack, estate_id, f"{estate_id}-sup", department="customer_service", position="supervisor")
    # Off duty (it is night): the emergency plan reaches the estate manager all the same.
    add_staff(stack, estate_id, f"{estate_id}-pm", department="customer_service", position="estate_manager",
              on_duty=False)
    return estate_id


@pytest.fixture(scope="module")
def agent(stack, estate_id) -> Api:
    return Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id])


@pytest.fixture(scope="module")
def supervisor(stack, estate_id) -> Api:
    return Api(stack, user_id=f"{estate_id}-sup", roles=["supervisor"], estates=[estate_id])


def open_ticket(agent: Api, body: dict) -> dict:
    response = agent.post("intake", "/v1/contacts", json=body)
    assert response.status_code == 201, response.text
    return response.json()["ticket"]


def orders(estate_id: str, stack) -> list[dict]:
    return all_pages(admin(stack), "dispatch", "/v1/work-orders", {"estate_id": estate_id})


def test_an_incident_groups_its_tickets_under_one_work_order_and_resolves_them(stack, estate_id, agent, supervisor):
    first = open_ticket(agent, report(estate_id, "3栋1单元", "3栋停水了"))
    eventually(lambda: any(o["ticket_id"] == first["id"] for o in orders(estate_id, stack)), what="its own order")
    declared = agent.post("intake", "/v1/incidents", json={**BURST_MAIN, "estate_id": estate_id,
                                                           "ticket_ids": [first["id"]]})
    assert declared.status_code == 201, declared.text
    incident = declared.json()
    assert incident["number"].startswith("SJ-") and incident["status"] == "open"
    assert agent.get("intake", f"/v1/incidents/{incident['number']}").json()["id"] == incident["id"]  # by number
    assert incident["ticket_ids"] == [first["id"]]
    assert [h.get("linked_ticket_id") for h in incident["history"]] == [None, first["id"]]
    assert incident["broadcast"]["audience"] == "estate" and "3栋" in incident["broadcast"]["message"]

    # A later call from the same building is matched, then linked by the agent.
    second = open_ticket(agent, report(estate_id, "3栋2单元502", "水龙头没有水"))
    matches = agent.get("intake", f"/v1/tickets/{second['id']}/incident-matches").json()["items"]
    assert [m["id"] for m in matches] == [incident["id"]]
    other_place = open_ticket(agent, report(estate_id, "7栋", "7栋水管滴水"))
    assert agent.get("intake", f"/v1/tickets/{other_place['id']}/incident-matches").json()["items"] == []
    linked = agent.post("intake", f"/v1/incidents/{incident['id']}/tickets", json={"ticket_id": second["id"]})
    assert linked.status_code == 200, linked.text
    assert linked.json()["ticket_ids"] == [first["id"], second["id"]]
    again = agent.post("intake", f"/v1/incidents/{incident['id']}/tickets", json={"ticket_id": second["id"]})
    assert again.status_code == 200 and again.json()["ticket_ids"] == [first["id"], second["id"]]

    # A call matched before its ticket is opened joins at once and never gets an order of its own.
    params = {"estate_id": estate_id, "category": "repair", "subcategory": "plumbing", "location": "3栋"}
    assert [m["id"] for m in agent.get("intake", "/v1/incidents/matches", params=params).json()["items"]] == [
        incident["id"]]
    third = open_ticket(agent, report(estate_id, "3栋", "三楼也停水", incident_id=incident["id"]))
    assert (third["incident_id"], third["status"]) == (incident["id"], "in_progress")

    def one_open_order():
        mine = [o for o in orders(estate_id, stack) if o["ticket_id"] in (first["id"], second["id"], third["id"])
                or o["incident_id"] == incident["id"]]
        still_open = [o for o in mine if o["status"] != "cancelled"]
        return len(still_open) == 1 and still_open[0]["incident_id"] == incident["id"] and len(mine) == 3 and mine

    found = eventually(one_open_order, what="one open order: the incident's; the tickets' own cancelled")
    assert not [o for o in found if o["ticket_id"] == third["id"]]
    incident_order = next(o for o in found if o["incident_id"] == incident["id"])
    assert incident_order["priority"] == "P1"

    # The emergency plan: the supervisor and the estate manager are told at once.
    for recipient in (f"{estate_id}-sup", f"{estate_id}-pm"):
        eventually(lambda r=recipient: [m for m in admin(stack).get("notification", "/v1/messages", params={
            "estate_id": estate_id, "recipient_id": r}).json()["items"] if "突发事件" in m["body"]],
            what=f"{recipient} told of the incident")
    assert eventually(lambda: agent.get("intake", f"/v1/incidents/{incident['id']}").json()["work_order_id"]) == (
        incident_order["id"])

    supervisor.post("intake", f"/v1/incidents/{incident['id']}/status", json={"status": "investigating"})
    engineer = Api(stack, user_id=incident_order["assignee_id"], roles=["technician"], estates=[estate_id])
    for name, body in (("accept", None), ("arrive", None), ("complete", COMPLETION)):
        response = engineer.post("dispatch", f"/v1/work-orders/{incident_order['id']}/{name}", json=body)
        assert response.status_code == 200, response.text
    resolved = eventually(lambda: (i := agent.get("intake", f"/v1/incidents/{incident['id']}").json())["status"]
                          == "resolved" and i, what="the incident resolved by its order's completion")
    assert resolved["resolution"] == COMPLETION["work_done"]
    assert [h["status"] for h in resolved["history"] if "status" in h] == ["open", "investigating", "resolved"]
    for ticket in (first, second, third):
        now = agent.get("intake", f"/v1/tickets/{ticket['id']}").json()
        assert (now["status"], now["work_order_id"], now["incident_id"]) == (
            "resolved", incident_order["id"], incident["id"])
        assert now["follow_up"]["state"] == "due"  # followed up like any repair

    # Nothing joins a resolved incident, and it cannot move back.
    late = open_ticket(agent, report(estate_id, "3栋", "还是没水"))
    refused = agent.post("intake", f"/v1/incidents/{incident['id']}/tickets", json={"ticket_id": late["id"]})
    assert refused.status_code == 409
    back = supervisor.post("intake", f"/v1/incidents/{incident['id']}/status", json={"status": "investigating"})
    assert back.status_code == 409 and back.json()["code"] == "invalid_transition"
    joined = agent.post("intake", "/v1/contacts", json=report(estate_id, "3栋", "x", incident_id=incident["id"]))
    assert joined.status_code == 409


def test_an_incident_resolved_at_the_desk_cancels_its_order_and_resolves_its_tickets(stack, estate_id, agent,
                                                                                      supervisor):
    ticket = open_ticket(agent, report(estate_id, "9栋电梯厅", "9栋停电"))
    incident = agent.post("intake", "/v1/incidents", json={
        "estate_id": estate_id, "category": "repair", "subcategory": "plumbing", "priority": "P2",
        "location": "9栋", "description": "9栋水压低", "ticket_ids": [ticket["id"]]}).json()
    order = eventually(lambda: [o for o in orders(estate_id, stack) if o["incident_id"] == incident["id"]],
                       what="the incident's order")[0]
    forbidden = agent.post("intake", f"/v1/incidents/{incident['id']}/status", json={"status": "resolved"})
    assert forbidden.status_code == 403
    done = supervisor.post("intake", f"/v1/incidents/{incident['id']}/status",
                           json={"status": "resolved", "note": "供水公司已恢复"})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert agent.get("intake", f"/v1/tickets/{ticket['id']}").json()["status"] == "resolved"
    eventually(lambda: admin(stack).get("dispatch", f"/v1/work-orders/{order['id']}").json()["status"] == "cancelled",
               what="the incident's order cancelled")


def test_tickets_already_handled_or_in_another_incident_cannot_be_grouped(stack, estate_id, agent):
    ticket = open_ticket(agent, report(estate_id, "12栋", "12栋漏水"))
    body = {**BURST_MAIN, "estate_id": estate_id, "location": "12栋", "ticket_ids": [ticket["id"]]}
    assert agent.post("intake", "/v1/incidents", json=body).status_code == 201
    twice = agent.post("intake", "/v1/incidents", json=body)
    assert twice.status_code == 409 and twice.json()["field"] == "ticket_ids"
    unknown = agent.post("intake", "/v1/incidents", json={**body, "ticket_ids": ["no-such-ticket"]})
    assert unknown.status_code == 404 and unknown.json()["field"] == "ticket_ids"


@pytest.mark.parametrize(("change", "field"), [
    ({"priority": "P9"}, "priority"), ({"category": "wish"}, "category"), ({"description": ""}, "description"),
    ({"status": "resolved"}, "status"), ({"ticket_ids": "t1"}, "ticket_ids"),
    ({"subcategory": "unicorns"}, "subcategory"),  # not in the estate's catalogue
])
def test_bad_declarations_are_refused_with_the_field_named(estate_id, agent, change, field):
    response = agent.post("intake", "/v1/incidents", json={**BURST_MAIN, "estate_id": estate_id, **change})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert field in [problem.get("field"), *(error["field"] for error in problem.get("errors", []))]


def test_another_estates_incidents_do_not_exist_for_the_caller(stack, estate_id, agent):
    incident = agent.post("intake", "/v1/incidents", json={**BURST_MAIN, "estate_id": estate_id}).json()
    outsider = Api(stack, user_id="agent-x", roles=["agent", "supervisor"], estates=["some-other-estate"])
    assert outsider.get("intake", f"/v1/incidents/{incident['id']}").status_code == 404
    linked = outsider.post("intake", f"/v1/incidents/{incident['id']}/tickets", json={"ticket_id": "x"})
    assert linked.status_code == 404
    assert outsider.post("intake", "/v1/incidents", json={**BURST_MAIN, "estate_id": estate_id}).status_code == 404
    assert outsider.get("intake", "/v1/incidents", params={"estate_id": estate_id}).status_code == 404
    technician = Api(stack, user_id="tech-1", roles=["technician"], estates=[estate_id])
    assert technician.post("intake", "/v1/incidents", json={**BURST_MAIN, "estate_id": estate_id}).status_code == 403
    listed = agent.get("intake", "/v1/incidents", params={"estate_id": estate_id, "status": "open"}).json()["items"]
    assert incident["id"] in [i["id"] for i in listed]


def test_a_ticket_that_joined_an_incident_before_dispatch_saw_it_opened_gets_no_order(stack, estate_id):
    """Events out of order: the join arrives first; the late `opened` must not make an order."""
    ticket_id = f"{estate_id}-late-ticket"
    scope = {"source": "/estatedesk/intake", "subject": ticket_id, "companyid": "demo-company", "estateid": estate_id}
    joined = Envelope(type="estatedesk.intake.ticket.updated.v1", **scope, data={
        "ticket_id": ticket_id, "number": "DH-20261126-9100", "status": "in_progress", "previous_status": "open",
        "incident_id": f"{estate_id}-incident-x"})
    opened = Envelope(type="estatedesk.intake.ticket.opened.v1", **scope, data={
        "ticket_id": ticket_id, "number": "DH-20261126-9100", "category": "repair", "subcategory": "plumbing",
        "priority": "P2", "scope": "public_area", "description": "迟到的报修", "channel": "hotline",
        "promised_reply_at": "2026-11-26T12:00:00Z", "opened_at": "2026-11-26T08:00:00Z"})
    asyncio.run(publish_raw(stack.amqp, "intake.ticket.updated", joined.model_dump_json().encode()))
    eventually(lambda: archived(admin(stack), estate_id, "intake.ticket.updated"), what="the join archived")
    asyncio.run(publish_raw(stack.amqp, "intake.ticket.opened", opened.model_dump_json().encode()))
    # A control ticket opened after it does get its order, so dispatch has read past the late one.
    control = open_ticket(Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id]),
                          report(estate_id, "20栋", "20栋水管漏水"))
    eventually(lambda: any(o["ticket_id"] == control["id"] for o in orders(estate_id, stack)), what="control order")
    assert not [o for o in orders(estate_id, stack) if o["ticket_id"] == ticket_id]
