"""What staff read: the priority a trapped person gets, local times in messages, numbers that find things."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import Api, eventually, setup_estate


def _estate(stack, time_zone: str = "Asia/Shanghai") -> str:
    return setup_estate(stack, time_zone=time_zone)


def _lift_entrapment(estate_id: str) -> dict:
    return {"estate_id": estate_id, "channel": "hotline", "caller_phone": "13812345678", "summary": "电梯困人",
            "ticket": {"category": "repair", "scope": "public_area", "location": "5栋2号电梯",
                       "description": "5栋电梯困人"}}


@pytest.mark.parametrize("time_zone", ["Asia/Shanghai", "America/New_York"])
def test_a_lift_entrapment_is_p1_and_the_engineer_reads_p1_and_local_time(stack, time_zone):
    estate_id = _estate(stack, time_zone)
    agent = Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id])
    response = agent.post("intake", "/v1/contacts", json=_lift_entrapment(estate_id))
    assert response.status_code == 201, response.text
    assert response.json()["ticket"]["priority"] == "P1"

    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    messages = eventually(
        lambda: [m for m in supervisor.get("notification", "/v1/messages", params={"estate_id": estate_id})
                 .json()["items"] if m["template"] == "workorder.assigned"],
        what="the engineer's message",
    )
    body = messages[0]["body"]
    assert "优先级 P1 紧急" in body

    order = supervisor.get("dispatch", "/v1/work-orders", params={"estate_id": estate_id}).json()["items"][0]
    accept_by = datetime.fromisoformat(order["deadlines"]["accept"])
    assert accept_by.utcoffset() is not None  # the API keeps RFC 3339 with its offset
    local = accept_by.astimezone(ZoneInfo(time_zone))
    assert f"请于 {local.month}月{local.day}日 {local:%H:%M} 前接单" in body
    assert "T" not in body.split("请于")[1]  # no raw ISO time anywhere in the sentence


def test_tickets_and_work_orders_are_found_by_their_numbers_within_the_callers_estates(stack):
    estate_id, other_estate = _estate(stack), _estate(stack)
    agent = Api(stack, user_id="agent-7", roles=["agent", "dispatcher"], estates=[estate_id])
    ticket = agent.post("intake", "/v1/contacts", json=_lift_entrapment(estate_id)).json()["ticket"]
    assert ticket["number"].startswith("DH-")
    by_number = agent.get("intake", f"/v1/tickets/{ticket['number']}")
    assert by_number.status_code == 200, by_number.text
    assert by_number.json()["id"] == ticket["id"]

    order = eventually(lambda: agent.get("dispatch", "/v1/work-orders", params={"estate_id": estate_id})
                       .json()["items"], what="the work order")[0]
    assert order["number"].startswith("PG-")
    found = agent.get("dispatch", f"/v1/work-orders/{order['number']}")
    assert found.status_code == 200, found.text
    assert found.json()["id"] == order["id"]
    assert agent.get("dispatch", f"/v1/work-orders/{order['id']}").json()["number"] == order["number"]

    outsider = Api(stack, user_id="agent-9", roles=["agent", "dispatcher"], estates=[other_estate])
    for service, path in [("intake", f"/v1/tickets/{ticket['number']}"),
                          ("dispatch", f"/v1/work-orders/{order['number']}")]:
        response = outsider.get(service, path)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["code"] == "not_found"

    # The other estate's first ticket of the day has the same number: across both, it names two tickets.
    other = Api(stack, user_id="agent-8", roles=["agent"], estates=[other_estate])
    other_ticket = other.post("intake", "/v1/contacts", json=_lift_entrapment(other_estate)).json()["ticket"]
    assert other.get("intake", f"/v1/tickets/{other_ticket['number']}").json()["id"] == other_ticket["id"]
    if other_ticket["number"] == ticket["number"]:  # both opened on the same local day
        both = Api(stack, user_id="sup-2", roles=["supervisor"], estates=[estate_id, other_estate])
        ambiguous = both.get("intake", f"/v1/tickets/{ticket['number']}")
        assert ambiguous.status_code == 409 and ambiguous.json()["code"] == "ambiguous_number"
    assert agent.get("intake", "/v1/tickets/DH-19990101-0001").status_code == 404


def test_a_body_that_is_not_json_names_the_body_with_its_line_and_column(stack):
    estate_id = _estate(stack)
    agent = Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id])
    broken = b'{"estate_id": "x",\n  "channel": "hotline",\n  "summary": oops}'
    response = agent.post("intake", "/v1/contacts", content=broken, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert (problem["code"], problem["field"], problem["line"], problem["column"]) == ("invalid_input", "body", 3, 14)
    assert problem["errors"][0]["field"] == "body"


def test_every_validation_problem_names_its_first_field_at_the_top(stack):
    estate_id = _estate(stack)
    agent = Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id])
    body = _lift_entrapment(estate_id)
    body["ticket"]["category"] = "emergency"
    response = agent.post("intake", "/v1/contacts", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid_input"
    assert problem["field"] == "ticket.category" == problem["errors"][0]["field"]
    response = Api(stack, user_id="d-1", roles=["dispatcher"], estates=[estate_id]).get(
        "dispatch", "/v1/work-orders", params={"estate_id": estate_id, "sla_state": "late"})
    assert response.status_code == 422 and response.json()["field"] == "sla_state"


def test_answered_within_15s_is_unknown_until_an_answer_time_is_recorded(stack):
    estate_id = _estate(stack)
    agent = Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id])
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    untimed = {"estate_id": estate_id, "channel": "hotline", "caller_phone": "13812345678", "summary": "咨询物业费"}
    contact = agent.post("intake", "/v1/contacts", json=untimed).json()
    day = datetime.fromisoformat(contact["logged_at"]).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()

    def figures(logged: int):
        body = supervisor.get("reporting", "/v1/reports/daily", params={"estate_id": estate_id, "day": day}).json()
        return body if body["contacts_logged"] == logged else None

    first = eventually(lambda: figures(1), what="the first contact counted")
    assert first["contacts_answered_within_15s"] is None  # unknown, not "none in time"
    assert first["contacts_timed"] == 0 and "contacts_answered_within_15s" in first["unknown"]

    rang = datetime.fromisoformat(contact["logged_at"])
    timed = {**untimed, "rang_at": rang.isoformat(), "answered_at": (rang + timedelta(seconds=5)).isoformat()}
    assert agent.post("intake", "/v1/contacts", json=timed).status_code == 201
    second = eventually(lambda: figures(2), what="the timed contact counted")
    assert (second["contacts_timed"], second["contacts_answered_within_15s"], second["unknown"]) == (1, 1, {})
