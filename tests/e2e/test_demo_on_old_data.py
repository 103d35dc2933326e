"""The demo of `make run` finds its first repair's message on data that has many newer messages,
as a second or tenth `make run` on the same `.run/` does (it used to read only the newest page)."""

from __future__ import annotations

import httpx

from devstack.demo import message_to_assignee
from tests.helpers import admin, all_pages, eventually, repair_contact, setup_estate

NEWER_ORDERS = 60  # with the repair's own message: more than a page (50) of messages


def test_the_repair_message_is_found_behind_pages_of_newer_ones(stack):
    estate_id = setup_estate(stack, engineers=1)
    api = admin(stack)
    contact = api.post("intake", "/v1/contacts", json=repair_contact(estate_id, "厨房水槽下水管漏水"),
                       headers={"Idempotency-Key": f"{estate_id}-repair"})
    assert contact.status_code == 201, contact.text
    ticket_id = contact.json()["ticket"]["id"]
    # The repair's order (and so its message) comes through the broker: let it exist before the newer ones.
    [order] = eventually(lambda: api.get("dispatch", "/v1/work-orders", params={
        "estate_id": estate_id, "ticket_id": ticket_id}).json()["items"], what="the repair's work order")
    eventually(lambda: all_pages(api, "notification", "/v1/messages", {"estate_id": estate_id}),
               what="the repair's message")
    for n in range(NEWER_ORDERS):
        response = api.post("dispatch", "/v1/work-orders", json={
            "estate_id": estate_id, "kind": "inspection", "department": "engineering", "priority": "P3",
            "description": f"月度巡检 {n}"})
        assert response.status_code == 201, response.text
    messages = eventually(
        lambda: (found := all_pages(api, "notification", "/v1/messages", {"estate_id": estate_id}))
        and len(found) > NEWER_ORDERS and found, timeout=60, what="every order's message")
    number = order["number"]
    first_page = api.get("notification", "/v1/messages", params={"estate_id": estate_id}).json()["items"]
    assert not [m for m in first_page if number in m["body"]], "the repair's message is behind the first page"

    with httpx.Client(timeout=10) as client:
        found = message_to_assignee(client, stack, api.headers, ticket_id, estate=estate_id)
    assert found is not None
    assert number in found["body"] and "厨房水槽下水管漏水" in found["body"]
    assert found["id"] in {m["id"] for m in messages}
