"""AMQP subscriptions of integrators: a queue of their own, fed with the events of their estates only, and
broker credentials that can read that queue and nothing else.

The routing key of an event does not name its estate, so no binding on the events exchange could keep
another estate's events out: notification forwards each wanted event to the integrator's queue instead,
through the webhook machinery (a delivery with `transport: "amqp"`: same lanes, order per subject,
schedule and log). The queue and the user are made through RabbitMQ's management HTTP API: the user may
configure nothing, write nothing (no exchange, no queue, no topic) and read only its own queue.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import aio_pika
import httpx

from services.notification.commands.webhook_delivery import Transport
from services.notification.commands.webhooks import check_estates
from services.notification.domain import webhooks as rules
from services.notification.store import amqp_subscriptions as store
from shared.auth import Principal
from shared.db import Database
from shared.envelope import new_id, utcnow
from shared.errors import ServiceUnavailable
from shared.lookup import found


def queue_name(subscription_id: str) -> str:
    return f"integrator.{subscription_id.lower()}"


def user_name(subscription_id: str) -> str:
    return f"integrator-{subscription_id.lower()}"


class Management:
    """RabbitMQ's management API, as the broker's administrator (the credentials of AMQP_URL)."""

    def __init__(self, settings: Any) -> None:
        if not settings.rabbitmq_management_url:
            raise ServiceUnavailable("AMQP subscriptions need RABBITMQ_MANAGEMENT_URL (the broker's management API)")
        broker = urlsplit(settings.amqp_url)
        self.vhost = quote(unquote(broker.path[1:]) or "/", safe="")
        self.exchange = settings.events_exchange
        self.client = httpx.AsyncClient(base_url=settings.rabbitmq_management_url.rstrip("/"), timeout=10,
                                        auth=(unquote(broker.username or "guest"), unquote(broker.password or "guest")))

    async def put(self, path: str, body: dict[str, Any]) -> None:
        for attempt in range(20):  # the plugin may still be starting with the broker
            try:
                response = await self.client.put(path, json=body)
            except httpx.TransportError as error:
                if attempt == 19:
                    raise ServiceUnavailable(f"the broker's management API is not reachable: {error}") from error
                await asyncio.sleep(0.25)
                continue
            if response.status_code >= 300:
                raise ServiceUnavailable(f"the broker refused {path}: {response.status_code} {response.text[:200]}")
            return

    async def create_reader(self, subscription_id: str, password: str, *, max_length: int) -> None:
        queue, user = queue_name(subscription_id), user_name(subscription_id)
        await self.put(f"/api/queues/{self.vhost}/{quote(queue, safe='')}", {
            "durable": True, "auto_delete": False,
            "arguments": {"x-queue-type": "quorum", "x-max-length": max_length, "x-overflow": "reject-publish"}})
        await self.put(f"/api/users/{quote(user, safe='')}", {"password": password, "tags": ""})
        await self.put(f"/api/permissions/{self.vhost}/{quote(user, safe='')}",
                       {"configure": "^$", "write": "^$", "read": f"^{queue.replace('.', '[.]')}$"})
        await self.put(f"/api/topic-permissions/{self.vhost}/{quote(user, safe='')}",
                       {"exchange": self.exchange, "write": "^$", "read": "^$"})

    async def remove_reader(self, subscription_id: str) -> None:
        for path in (f"/api/users/{quote(user_name(subscription_id), safe='')}",
                     f"/api/queues/{self.vhost}/{quote(queue_name(subscription_id), safe='')}"):
            try:
                await self.client.delete(path)
            except httpx.TransportError as error:
                raise ServiceUnavailable(f"the broker's management API is not reachable: {error}") from error

    async def close(self) -> None:
        await self.client.aclose()


def broker_address(settings: Any) -> str:
    if settings.integrator_amqp_address:
        return settings.integrator_amqp_address
    broker = urlsplit(settings.amqp_url)
    return f"amqp://{broker.hostname}:{broker.port or 5672}{broker.path or '/'}"


async def create(database: Database, principal: Principal, *, request: dict[str, Any], settings: Any,
                 ) -> tuple[dict[str, Any], str]:
    await check_estates(principal, request["estate_ids"])
    rules.check_patterns(request["event_types"])
    subscription_id = new_id()
    password = secrets.token_urlsafe(24)
    management = Management(settings)
    try:
        await management.create_reader(subscription_id, password, max_length=settings.integrator_queue_max_length)
    finally:
        await management.close()
    now = utcnow()
    subscription = {
        "_id": subscription_id, "company_id": principal.company_id, "owner_id": principal.user_id,
        "event_types": request["event_types"], "estate_ids": sorted(set(request["estate_ids"])),
        "queue": queue_name(subscription_id), "username": user_name(subscription_id),
        "broker": broker_address(settings), "status": "active", "failing_since": None,
        "version": 1, "created_at": now, "updated_at": now,
    }
    await store.insert(database, subscription)
    return subscription, password


async def find(database: Database, principal: Principal, *, subscription_id: str) -> dict[str, Any]:
    return found(await store.find(database, principal, subscription_id=subscription_id), "AMQP subscription")


async def delete(database: Database, principal: Principal, *, subscription_id: str, settings: Any) -> None:
    await find(database, principal, subscription_id=subscription_id)
    management = Management(settings)
    try:
        await management.remove_reader(subscription_id)
    finally:
        await management.close()
    await store.delete(database, subscription_id)


class AmqpTransport(Transport):
    """Publishes a delivery to its subscription's queue (default exchange), confirmed by the broker."""

    collection = store.AMQP_SUBSCRIPTIONS

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.connection: aio_pika.abc.AbstractRobustConnection | None = None
        self.channel: aio_pika.abc.AbstractChannel | None = None

    async def send(self, subscription: dict[str, Any], delivery: dict[str, Any]) -> tuple[int | None, str, str | None]:
        try:
            if self.channel is None or self.channel.is_closed:
                if self.connection is None:
                    self.connection = await aio_pika.connect_robust(self.settings.amqp_url, timeout=10)
                self.channel = await self.connection.channel(publisher_confirms=True, on_return_raises=True)
            message = aio_pika.Message(
                body=delivery["body"].encode(), content_type="application/cloudevents+json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=delivery["_id"],
                type=delivery["event_type"], headers={"estateid": delivery["estate_id"]})
            await self.channel.default_exchange.publish(message, routing_key=subscription["queue"], mandatory=True,
                                                        timeout=10)
        except Exception as error:  # refused (queue full or gone), or the broker away: the schedule retries
            return None, f"{type(error).__name__}: {error}"[: rules.EXCERPT_CHARS], None
        return 200, "confirmed by the broker", None

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
