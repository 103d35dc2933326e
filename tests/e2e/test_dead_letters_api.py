"""Operators list parked messages and replay them through the admin API."""

from __future__ import annotations

import asyncio

import aio_pika

from shared.envelope import Envelope
from tests.helpers import Api, eventually


async def publish_raw(amqp_url: str, routing_key: str, body: bytes) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange("estatedesk.events", aio_pika.ExchangeType.TOPIC, durable=True)
        await exchange.publish(aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key)


def parked(operator: Api, event_id: str | None = None, **params) -> list[dict]:
    items = operator.get("dispatch", "/v1/admin/dead-letters", params=params).json()["items"]
    return [item for item in items if event_id is None or item["event_id"] == event_id]


def test_a_failing_event_is_listed_and_replayed(stack):
    operator = Api(stack, user_id="ops-1", roles=["company_admin"], estates="*", company_id="dlq-company")
    # A ticket event with no payload: dispatch's consumer cannot parse it, so no retry can help.
    broken = Envelope(source="/estatedesk/intake", type="estatedesk.intake.ticket.opened.v1", subject="t-broken",
                      companyid="dlq-company", estateid="dlq-estate", data={})
    asyncio.run(publish_raw(stack.amqp, "intake.ticket.opened", broken.model_dump_json().encode()))

    [dead_letter] = eventually(lambda: parked(operator, broken.id), timeout=30, what="the broken event parked")
    assert dead_letter["attempts"] == 1  # parked at once (retries of a failing handler: the inbox's own test)
    assert dead_letter["queue"] == "dispatch.intake-events"
    assert "invalid estatedesk.intake.ticket.opened.v1 payload" in dead_letter["last_error"]

    replayed = operator.post("dispatch", f"/v1/admin/dead-letters/{dead_letter['id']}/replay")
    assert replayed.status_code == 200 and replayed.json()["replayed_at"]
    # Still broken: it is parked again, as a new dead letter.
    again = eventually(lambda: [d for d in parked(operator, broken.id) if d["id"] != dead_letter["id"]], timeout=30,
                       what="the replayed event parked again")
    assert again[0]["attempts"] == 1
    history = parked(operator, broken.id, include_replayed="true")
    assert {d["id"] for d in history} == {dead_letter["id"], again[0]["id"]}


def test_dead_letters_are_for_company_admins_only(stack):
    agent = Api(stack, user_id="agent-1", roles=["agent", "supervisor"], estates="*")
    assert agent.get("dispatch", "/v1/admin/dead-letters").status_code == 403
    operator = Api(stack, user_id="ops-1", roles=["company_admin"], estates="*")
    response = operator.post("dispatch", "/v1/admin/dead-letters/no-such-id/replay")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
