"""Contacts and tickets through intake's API: the good path's guarantees and every bad path."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from shared import clock
from tests.helpers import Api, admin, eventually, repair_contact, setup_estate


@pytest.fixture(scope="module")
def estate_id(stack) -> str:
    return setup_estate(stack)


@pytest.fixture
def agent(stack, estate_id) -> Api:
    return Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])


def test_concurrent_tickets_get_unique_gapless_numbers(stack):
    estate_id = setup_estate(stack, engineers=0)
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda n: agent.post("intake", "/v1/contacts", json=repair_contact(estate_id)), range(20)))
    assert [r.status_code for r in responses] == [201] * 20
    sequences = sorted(int(r.json()["ticket"]["number"][-4:]) for r in responses)
    assert sequences == list(range(1, 21))


def test_a_retried_post_with_the_same_idempotency_key_creates_nothing_new(agent, estate_id):
    headers = {"Idempotency-Key": "call-42"}
    first = agent.post("intake", "/v1/contacts", json=repair_contact(estate_id, "阳台漏水"), headers=headers)
    again = agent.post("intake", "/v1/contacts", json=repair_contact(estate_id, "阳台漏水"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    changed = agent.post("intake", "/v1/contacts", json=repair_contact(estate_id, "别的事"), headers=headers)
    assert changed.status_code == 409  # the spec's answer to a key reused with another body
    assert changed.json()["code"] == "idempotency_key_reused" and changed.json()["field"] == "Idempotency-Key"


def test_a_consultation_is_answered_without_a_ticket(agent, estate_id):
    body = {"estate_id": estate_id, "channel": "walk_in", "summary": "咨询物业费缴纳方式",
            "rang_at": "2026-11-26T08:00:00+08:00", "answered_at": "2026-11-26T08:00:09+08:00"}
    contact = agent.post("intake", "/v1/contacts", json=body).json()
    assert contact["outcome"] == "answered" and contact["ticket"] is None
    assert contact["answered_within_15s"] is True


def test_the_agent_may_override_the_proposed_priority(agent, estate_id):
    body = repair_contact(estate_id, "门铃不响")
    body["ticket"]["priority"] = "P2"
    ticket = agent.post("intake", "/v1/contacts", json=body).json()["ticket"]
    assert (ticket["priority"], ticket["proposed_priority"]) == ("P2", "P3")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.pop("summary"), "summary"),
        (lambda b: b.update(channel="fax"), "channel"),
        (lambda b: b["ticket"].update(category="wish"), "ticket.category"),
        (lambda b: b["ticket"].update(priority="P9"), "ticket.priority"),
        (lambda b: b["ticket"].update(description=""), "ticket.description"),
        (lambda b: b.update(caller_phone="call me maybe"), "caller_phone"),
        (lambda b: b.update(rang_at="2026-11-26T08:00:00"), "rang_at"),  # a time without its zone
        (lambda b: b.update(status="closed"), "status"),  # clients do not set the status
        (lambda b: b.update(company_id="other-company"), "company_id"),
    ],
)
def test_bad_contacts_are_refused_with_the_field_named(agent, estate_id, change, field):
    body = repair_contact(estate_id)
    change(body)
    response = agent.post("intake", "/v1/contacts", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid_input" and problem["status"] == 422
    assert field in [error["field"] for error in problem["errors"]]


def test_call_times_in_the_future_or_answered_before_ringing_are_refused(agent, estate_id):
    now = clock.now()
    cases = [({"rang_at": now + timedelta(minutes=5), "answered_at": now + timedelta(minutes=5, seconds=3)}, "rang_at"),
             ({"rang_at": now - timedelta(seconds=30), "answered_at": now + timedelta(minutes=5)}, "answered_at"),
             ({"rang_at": now - timedelta(seconds=10), "answered_at": now - timedelta(seconds=20)}, "answered_at")]
    for times, field in cases:
        body = {**repair_contact(estate_id), **{k: v.isoformat() for k, v in times.items()}}
        response = agent.post("intake", "/v1/contacts", json=body)
        assert response.status_code == 422, response.text
        assert (response.json()["code"], response.json()["field"]) == ("invalid_input", field)
    # A phone system's clock a little ahead (within the skew) is still a call.
    body = {**repair_contact(estate_id), "rang_at": (now + timedelta(seconds=30)).isoformat(),
            "answered_at": (now + timedelta(seconds=35)).isoformat()}
    answered = agent.post("intake", "/v1/contacts", json=body)
    assert answered.status_code == 201 and answered.json()["answered_within_15s"] is True


def test_a_body_that_is_not_json_is_a_clear_422(agent):
    response = agent.post("intake", "/v1/contacts", content=b"{oops", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_an_unknown_estate_is_not_found(stack):
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates="*")
    response = agent.post("intake", "/v1/contacts", json=repair_contact("no-such-estate"))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_role_that_may_not_log_contacts_is_forbidden(stack, estate_id):
    technician = Api(stack, user_id="tech-1", roles=["technician"], estates=[estate_id])
    response = technician.post("intake", "/v1/contacts", json=repair_contact(estate_id))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_an_estate_with_an_unknown_time_zone_is_refused(stack):
    response = admin(stack).post("intake", "/v1/estates", json={"estate_id": "mars-base", "name": "火星",
                                                                "time_zone": "Mars/Olympus"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "time_zone"


def test_an_estate_registered_twice_is_a_conflict(stack, estate_id):
    response = admin(stack).post("intake", "/v1/estates", json={"estate_id": estate_id, "name": "again"})
    assert response.status_code == 409 and response.json()["field"] == "estate_id"


def test_a_bad_cursor_and_an_oversized_page_are_refused(agent, estate_id):
    assert agent.get("intake", "/v1/tickets", params={"estate_id": estate_id, "cursor": "%%%"}).status_code == 422
    assert agent.get("intake", "/v1/tickets", params={"estate_id": estate_id, "limit": 1000}).status_code == 422


def test_pages_follow_the_cursor_without_repeats(stack):
    estate_id = setup_estate(stack, engineers=0)
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    created = {agent.post("intake", "/v1/contacts", json=repair_contact(estate_id)).json()["ticket"]["id"] for _ in range(5)}
    seen, cursor = [], None
    while True:
        params = {"estate_id": estate_id, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = agent.get("intake", "/v1/tickets", params=params).json()
        seen += [ticket["id"] for ticket in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == 5 and set(seen) == created


def test_the_ticket_links_to_its_work_order_once_it_exists_even_one_nobody_has_taken(stack):
    estate_id = setup_estate(stack, engineers=0)  # nobody to assign: the order waits, pending
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    answer = agent.post("intake", "/v1/contacts", json=repair_contact(estate_id, "厨房水管漏水"))
    assert answer.status_code == 201
    ticket_id = answer.json()["ticket"]["id"]
    linked = eventually(lambda: (t := agent.get("intake", f"/v1/tickets/{ticket_id}").json())["work_order_id"] and t,
                        what="the ticket linked to its work order")
    [order] = admin(stack).get("dispatch", "/v1/work-orders", params={
        "estate_id": estate_id, "ticket_id": ticket_id}).json()["items"]
    assert order["status"] == "pending"
    assert (linked["work_order_id"], linked["work_order_number"]) == (order["id"], order["number"])
    assert linked["work_order_path"] == f"/v1/work-orders/{order['id']}"
    assert admin(stack).get("dispatch", linked["work_order_path"]).json()["id"] == order["id"]
    assert linked["status"] == "open"  # linking is not progress
