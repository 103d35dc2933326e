"""Every service reads the same clock as the test: with CLOCK_AT set (`make test-calendar`), the
platform lives on that day, and numbers and times follow it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared import clock
from tests.helpers import Api, eventually, repair_contact, setup_estate

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_day() -> str:
    return clock.now().astimezone(SHANGHAI).strftime("%Y%m%d")


def test_numbers_and_times_follow_the_platforms_clock(stack):
    estate_id = setup_estate(stack)
    agent = Api(stack, user_id="agent-7", roles=["agent"], estates=[estate_id])
    before, asked_at = local_day(), clock.now()
    response = agent.post("intake", "/v1/contacts", json=repair_contact(estate_id))
    after = local_day()
    assert response.status_code == 201, response.text
    ticket = response.json()["ticket"]
    assert ticket["number"].split("-")[1] in {before, after}  # DH-YYYYMMDD-NNNN, the estate's local day

    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    [order] = eventually(lambda: supervisor.get("dispatch", "/v1/work-orders", params={
        "estate_id": estate_id, "ticket_id": ticket["id"]}).json()["items"], what="the work order")
    assert order["number"].split("-")[1] >= before
    created_at = datetime.fromisoformat(order["created_at"].replace("Z", "+00:00"))
    # Stored to the millisecond; the other process's clock agrees with ours to well under a second.
    assert asked_at - timedelta(seconds=1) <= created_at <= clock.now() + timedelta(seconds=1)
