"""`webhook.deliveries_per_s`: events fanned out to a webhook subscription and delivered, signed, to a local
receiver (in this process), 100 subjects in parallel lanes, each subject's events in order.

The events are published straight to the events exchange (a type only reporting consumes besides the
fan-out), so the figure is notification's: consume, store the deliveries, claim, sign, POST, log.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import aio_pika
import httpx
from standardwebhooks import Webhook

from bench.results import Figure
from devstack.stack import Stack
from devstack.webhook_receiver import WebhookReceiver
from shared.events import MessageSent, envelope_for
from shared.settings import ServiceSettings

SUBJECTS = 100


async def _publish(url: str, estate_id: str, count: int) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(ServiceSettings().events_exchange)
        for start in range(0, count, 200):
            sends = []
            for n in range(start, min(start + 200, count)):
                payload = MessageSent(message_id=f"bench-{n}", recipient_id="bench", channel="app_push",
                                      template="bench", source_event_id=f"bench-{n}")
                envelope = envelope_for(payload, subject=f"bench-subject-{n % SUBJECTS}", company_id="demo-company",
                                        estate_id=estate_id)
                message = aio_pika.Message(envelope.model_dump_json().encode(), content_type="application/cloudevents+json",
                                           delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=envelope.id)
                sends.append(exchange.publish(message, routing_key=envelope.routing_key))
            await asyncio.gather(*sends)


def deliveries_per_s(stack: Stack, estate_id: str, *, count: int = 1000, timeout: float = 300) -> Figure:
    with WebhookReceiver() as receiver:
        token = stack.token(user_id="bench-erp", roles=["integrator"], estates=[estate_id])
        created = httpx.post(f"{stack.url('notification')}/v1/webhooks", timeout=15,
                             headers={"Authorization": f"Bearer {token}"},
                             json={"url": receiver.url("/bench"), "event_types": ["notification.message.sent"],
                                   "estate_ids": [estate_id]})
        created.raise_for_status()
        verifier, unsigned = Webhook(created.json()["secret"]), []

        def verify_on_arrival(request):  # at once: a signature's timestamp is good for 5 minutes
            if not _verifies(verifier, request):
                unsigned.append(request)
            return 200, {}, "ok"

        receiver.respond = verify_on_arrival
        time.sleep(6)  # the fan-out's cached copy of the subscriptions (5 s) must include the new one
        started = time.monotonic()
        asyncio.run(_publish(stack.amqp, estate_id, count))
        published = time.monotonic() - started
        deadline = started + timeout
        while len(receiver.requests()) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        got = receiver.requests()
    in_order = all(_ordered([r.event for r in got if r.event["subject"] == f"bench-subject-{s}"])
                   for s in range(SUBJECTS))
    return Figure("webhook.deliveries_per_s", len(got) / elapsed if got else None, "deliveries/s", detail={
        "events": count, "delivered": len(got), "seconds": round(elapsed, 2), "publish_s": round(published, 2),
        "subjects": SUBJECTS, "signature_failures": len(unsigned), "in_order_per_subject": in_order})


def _verifies(verifier: Webhook, request) -> bool:
    try:
        verifier.verify(request.body, request.headers)
    except Exception:  # any verification failure counts as unsigned
        return False
    return True


def _ordered(events: list[dict]) -> bool:
    return events == sorted(events, key=lambda e: (datetime.fromisoformat(e["time"]), e["id"]))
