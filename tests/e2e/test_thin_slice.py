"""The thin slice through the HTTP APIs of the five running services."""

from __future__ import annotations

from tests.helpers import Api, admin, eventually, repair_contact, setup_estate


def test_a_repair_call_reaches_its_assignee_and_the_daily_report(stack):
    estate_id = setup_estate(stack)
    agent = Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id])
    response = agent.post("intake", "/v1/contacts", json=repair_contact(estate_id, "厨房水管爆裂，水浸厨房"))
    assert response.status_code == 201, response.text
    contact = response.json()
    ticket = contact["ticket"]
    assert contact["outcome"] == "ticket_opened"
    assert ticket["number"].endswith("-0001")
    assert ticket["priority"] == "P1"  # 爆裂/水浸: danger to property now

    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    messages = eventually(
        lambda: supervisor.get("notification", "/v1/messages", params={"estate_id": estate_id}).json()["items"],
        what="a message for the assignee",
    )
    assert len(messages) == 1
    assert messages[0]["recipient_id"] == f"{estate_id}-eng-0"
    assert messages[0]["status"] == "sent"
    assert "厨房水管爆裂" in messages[0]["body"]

    work_orders = supervisor.get("dispatch", "/v1/work-orders", params={"estate_id": estate_id}).json()["items"]
    assert [(w["ticket_id"], w["status"], w["assignee_id"]) for w in work_orders] == [
        (ticket["id"], "assigned", f"{estate_id}-eng-0")
    ]
    eventually(
        lambda: supervisor.get("intake", f"/v1/tickets/{ticket['id']}").json()["status"] == "in_progress",
        what="the ticket moving to in_progress",
    )
    local_day = f"{ticket['number'][3:7]}-{ticket['number'][7:9]}-{ticket['number'][9:11]}"  # DH-YYYYMMDD-NNNN

    def figures():
        params = {"estate_id": estate_id, "day": local_day}
        body = supervisor.get("reporting", "/v1/reports/daily", params=params).json()
        return body if body["tickets_opened"] else None

    assert eventually(figures, what="the daily count")["tickets_opened"] == 1


def test_billing_learns_estates_from_intake_events(stack):
    estate_id = setup_estate(stack, engineers=0)
    clerk = Api(stack, user_id="clerk-1", roles=["billing_clerk"], estates=[estate_id])
    estates = eventually(lambda: clerk.get("billing", "/v1/estates").json(), what="billing's estate projection")
    assert [e["estate_id"] for e in estates] == [estate_id]


def test_a_token_for_another_estate_sees_nothing(stack):
    estate_id = setup_estate(stack)
    agent = Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id])
    ticket = agent.post("intake", "/v1/contacts", json=repair_contact(estate_id)).json()["ticket"]
    outsider = Api(stack, user_id="agent-9", roles=["agent", "supervisor"], estates=["some-other-estate"])
    for service, path in [("intake", f"/v1/tickets/{ticket['id']}"), ("intake", f"/v1/estates/{estate_id}")]:
        response = outsider.get(service, path)
        assert response.status_code == 404, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    response = outsider.post("intake", "/v1/contacts", json=repair_contact(estate_id))
    assert response.status_code == 404
    assert admin(stack).get("intake", f"/v1/tickets/{ticket['id']}").status_code == 200
