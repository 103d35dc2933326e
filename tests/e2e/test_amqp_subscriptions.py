"""AMQP subscriptions against the real broker: the credentials an integrator is given read its own queue,
which holds the events of its estates only; they cannot read another queue, publish or declare."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

import aio_pika
import pytest
from aio_pika.exceptions import ChannelClosed, DeliveryError
from aiormq.exceptions import ChannelAccessRefused

from tests.helpers import Api, setup_estate

MANUAL_ORDER = {"kind": "repair", "department": "engineering", "priority": "P3", "location": "一号楼大堂",
                "description": "大堂灯具更换"}


def new_order(stack, estate_id: str) -> dict:
    api = Api(stack, user_id="dispatcher-1", roles=["dispatcher"], estates=[estate_id])
    response = api.post("dispatch", "/v1/work-orders", json={"estate_id": estate_id, **MANUAL_ORDER})
    assert response.status_code == 201, response.text
    return response.json()


def subscribe(stack, estate_id: str, user_id: str) -> dict:
    api = Api(stack, user_id=user_id, roles=["integrator"], estates=[estate_id])
    response = api.post("notification", "/v1/amqp-subscriptions",
                        json={"event_types": ["dispatch.workorder.*"], "estate_ids": [estate_id]})
    assert response.status_code == 201, response.text
    return response.json()


def url_for(stack, subscription: dict) -> str:
    broker = urlsplit(stack.amqp)
    return f"amqp://{subscription['username']}:{subscription['password']}@{broker.hostname}:{broker.port}/"


async def drain(url: str, queue: str, want: int, timeout: float = 30) -> list[dict]:
    """Consume until `want` messages came or `timeout` passed (then what came)."""
    events: list[dict] = []
    connection = await aio_pika.connect(url, timeout=10)
    async with connection:
        channel = await connection.channel()
        own = await channel.get_queue(queue, ensure=False)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(events) < want and loop.time() < deadline:
            message = await own.get(fail=False, timeout=5)
            if message is None:
                await asyncio.sleep(0.1)
                continue
            events.append(json.loads(message.body))
            await message.ack()
    return events


async def refused(url: str, action) -> bool:
    connection = await aio_pika.connect(url, timeout=10)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        try:
            await action(channel)
        except (ChannelAccessRefused, ChannelClosed, DeliveryError):
            return True
        await asyncio.sleep(0.5)  # a refusal may close the channel just after the call
        return channel.is_closed


def test_an_integrators_credentials_read_its_own_queue_with_its_estates_events_only(stack):
    estate, other_estate = setup_estate(stack), setup_estate(stack)
    mine = subscribe(stack, estate, "erp-amqp")
    theirs = subscribe(stack, other_estate, "other-amqp")
    assert mine["queue"] != theirs["queue"] and mine["password"]
    url = url_for(stack, mine)

    orders = [new_order(stack, estate) for _ in range(2)]
    elsewhere = new_order(stack, other_estate)
    events = asyncio.run(drain(url, mine["queue"], want=4))
    assert len(events) >= 4 and {e["estateid"] for e in events} == {estate}
    assert {e["subject"] for e in events} == {o["id"] for o in orders}
    assert elsewhere["id"] not in {e["subject"] for e in events}
    for order in orders:  # in the order they happened, per subject
        types = [e["type"] for e in events if e["subject"] == order["id"]]
        assert types[0] == "estatedesk.dispatch.workorder.created.v1"
    assert asyncio.run(drain(url_for(stack, theirs), theirs["queue"], want=1))[0]["estateid"] == other_estate

    async def read_theirs(channel):
        queue = await channel.get_queue(theirs["queue"], ensure=False)
        await queue.get(fail=False, timeout=5)

    async def publish_event(channel):
        exchange = await channel.get_exchange("estatedesk.events", ensure=False)
        await exchange.publish(aio_pika.Message(b"{}"), routing_key="dispatch.workorder.created", timeout=5)

    async def publish_to_own_queue(channel):
        await channel.default_exchange.publish(aio_pika.Message(b"{}"), routing_key=mine["queue"], timeout=5)

    async def declare(channel):
        await channel.declare_queue("integrator-made-queue", auto_delete=True)

    async def read_own(channel):
        queue = await channel.get_queue(mine["queue"], ensure=False)
        await queue.get(fail=False, timeout=5)

    assert not asyncio.run(refused(url, read_own))  # the check itself tells allowed from refused
    for action in (read_theirs, publish_event, publish_to_own_queue, declare):
        assert asyncio.run(refused(url, action)), action.__name__

    outsider = Api(stack, user_id="x", roles=["integrator"], estates=[other_estate])
    assert outsider.get("notification", f"/v1/amqp-subscriptions/{mine['id']}").status_code == 404
    owner = Api(stack, user_id="erp-amqp", roles=["integrator"], estates=[estate])
    assert "password" not in owner.get("notification", f"/v1/amqp-subscriptions/{mine['id']}").json()
    assert owner.call("DELETE", "notification", f"/v1/amqp-subscriptions/{mine['id']}").status_code == 204
    with pytest.raises(Exception):  # the user is gone from the broker
        asyncio.run(drain(url, mine["queue"], want=1, timeout=2))
    assert outsider.get("notification", f"/v1/amqp-subscriptions/{theirs['id']}").status_code == 200
