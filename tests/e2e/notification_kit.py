"""Short-hands of notification's end-to-end tests: an estate with residents, events published as
another service would (billing's and reporting's new events before their services send them), and
the messages a person has."""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika

from devstack.stack import Stack
from shared.envelope import Envelope
from shared.events import REGISTRY
from tests.directory_kit import Directory
from tests.helpers import Api, admin, all_pages, eventually, setup_estate

COMPANY = "demo-company"


def publish(stack: Stack, envelope: Envelope, *, times: int = 1) -> None:
    """Publish an event on the platform's exchange, `times` times (a redelivery, a republish)."""

    async def send() -> None:
        connection = await aio_pika.connect_robust(stack.amqp)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.declare_exchange("estatedesk.events", aio_pika.ExchangeType.TOPIC, durable=True)
            for _ in range(times):
                await exchange.publish(aio_pika.Message(envelope.model_dump_json().encode(),
                                                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                                       routing_key=envelope.routing_key)

    asyncio.run(send())


def event(estate_id: str, name: str, data: dict[str, Any], *, subject: str = "subject-1") -> Envelope:
    """An event as its producer would publish it: a payload the registry refuses fails here, not in a queue."""
    service = name.split(".", 1)[0]
    if (spec := REGISTRY.get(f"estatedesk.{name}.v1")) is not None:
        spec.model.model_validate(data)
    return Envelope(source=f"/estatedesk/{service}", type=f"estatedesk.{name}.v1", subject=subject,
                    companyid=COMPANY, estateid=estate_id, data=data)


class Residents:
    """An estate with a building, units and residents in intake's directory, as notification copies them."""

    def __init__(self, stack: Stack, *, engineers: int = 1) -> None:
        self.stack = stack
        self.estate_id = setup_estate(stack, engineers=engineers)
        self.directory = Directory(stack, self.estate_id)
        self.admin = admin(stack)
        self.manager = Api(stack, user_id="pm-1", roles=["estate_manager"], estates=[self.estate_id])
        self.building = self.directory.building("3栋")

    def resident(self, name: str, number: str, phone: str, *, building: dict | None = None,
                 **fields: Any) -> tuple[dict, dict]:
        unit = self.directory.unit(building or self.building, number)
        person = self.directory.resident(name, [unit], [phone], **fields)
        self.known(person["id"])
        return unit, person

    def known(self, person_id: str) -> dict:
        return eventually(lambda: (r := self.manager.get(
            "notification", f"/v1/estates/{self.estate_id}/recipients/{person_id}")).status_code == 200 and r.json(),
            what=f"notification's copy of {person_id}")

    def as_person(self, person_id: str, role: str = "resident") -> Api:
        return Api(self.stack, user_id=person_id, roles=[role], estates=[self.estate_id])

    def prefer(self, person_id: str, role: str = "resident", **preferences: Any) -> dict:
        response = self.as_person(person_id, role).call(
            "PUT", "notification", f"/v1/estates/{self.estate_id}/my/preferences", json=preferences)
        assert response.status_code == 200, response.text
        return response.json()

    def messages(self, recipient_id: str | None = None, **params: Any) -> list[dict]:
        query = {"estate_id": self.estate_id, **({"recipient_id": recipient_id} if recipient_id else {}), **params}
        return all_pages(self.manager, "notification", "/v1/messages", query)

    def told(self, recipient_id: str, template: str, *, count: int = 1, timeout: float = 20) -> list[dict]:
        return eventually(lambda: len(found := [m for m in self.messages(recipient_id) if m["template"] == template])
                          >= count and found, timeout=timeout, what=f"{recipient_id} told {template}")

    def inbox(self, person_id: str, role: str = "resident") -> list[dict]:
        """What the person reads in their own inbox, newest first."""
        return all_pages(self.as_person(person_id, role), "notification", f"/v1/estates/{self.estate_id}/inbox", {})

    def in_inbox(self, person_id: str, template: str, *, role: str = "resident", timeout: float = 20) -> dict:
        """The one message of this template in the person's inbox, once it is there."""
        found = eventually(lambda: [m for m in self.inbox(person_id, role) if m["template"] == template],
                           timeout=timeout, what=f"{template} in {person_id}'s inbox")
        assert len(found) == 1, found
        return found[0]
