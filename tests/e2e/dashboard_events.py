"""Events for the dashboards' tests, published straight to the platform's exchange as dispatch and
intake would publish them: so that a test can send them late, twice or out of order.

They name no assignee and open only consultations (咨询), so no other service acts on them (no message, no
work order): only reporting's board moves.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import aio_pika
from ulid import ULID

from devstack.stack import Stack
from shared.bus import declare_exchange
from shared.envelope import Envelope, utcnow
from shared.estates import local_day
from shared.events import envelope_for
from shared.events.dispatch import SlaBreached, SlaWarning, WorkOrderAccepted, WorkOrderCompleted, WorkOrderCreated
from shared.events.intake import ContactLogged, TicketOpened
from shared.settings import ServiceSettings

COMPANY = "demo-company"


def publish(stack: Stack, envelopes: list[Envelope]) -> None:
    async def send() -> None:
        connection = await aio_pika.connect_robust(stack.amqp)
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await declare_exchange(channel, ServiceSettings(amqp_url=stack.amqp))
            for envelope in envelopes:
                message = aio_pika.Message(envelope.model_dump_json().encode(),
                                           delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
                await exchange.publish(message, routing_key=envelope.routing_key)
        finally:
            await connection.close()

    # In a thread of its own: a test driving a browser has Playwright's event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, send()).result(timeout=60)


def _new(payload, estate_id: str, subject: str, at: datetime) -> Envelope:
    return envelope_for(payload, subject=subject, company_id=COMPANY, estate_id=estate_id, time=at)


def work_order_id() -> str:
    return f"wo-{str(ULID()).lower()[-10:]}"


def created(estate_id: str, order_id: str, at: datetime, *, priority: str = "P2") -> Envelope:
    return _new(WorkOrderCreated(work_order_id=order_id, number=f"WO-{order_id[-6:]}", department="engineering",
                                 priority=priority), estate_id, order_id, at)


def accepted(estate_id: str, order_id: str, at: datetime) -> Envelope:
    return _new(WorkOrderAccepted(work_order_id=order_id, number=f"WO-{order_id[-6:]}", status="accepted",
                                  previous_status="assigned", by="eng-1"), estate_id, order_id, at)


def completed(estate_id: str, order_id: str, at: datetime) -> Envelope:
    return _new(WorkOrderCompleted(work_order_id=order_id, number=f"WO-{order_id[-6:]}", status="completed",
                                   previous_status="arrived", by="eng-1", work_done="换阀门", labour_minutes=30,
                                   responsible_party="estate", chargeable=False), estate_id, order_id, at)


def sla(estate_id: str, order_id: str, at: datetime, *, milestone: str, breached: bool) -> Envelope:
    model = SlaBreached if breached else SlaWarning
    deadline = at + (timedelta(0) if breached else timedelta(minutes=5))
    return _new(model(work_order_id=order_id, number=f"WO-{order_id[-6:]}", milestone=milestone, due_at=deadline,
                      deadline=deadline, fired_at=at, late=False), estate_id, order_id, at)


def consultation(estate_id: str, at: datetime, *, priority: str = "P3") -> Envelope:
    ticket_id = f"tk-{str(ULID()).lower()[-10:]}"
    return _new(TicketOpened(ticket_id=ticket_id, number=f"T-{ticket_id[-6:]}", category="consultation",
                             priority=priority, scope="public", description="咨询停车", channel="hotline",
                             promised_reply_at=at + timedelta(hours=2), opened_at=at), estate_id, ticket_id, at)


def call(estate_id: str, at: datetime, *, answered_within_15s: bool | None) -> Envelope:
    contact_id = f"ct-{str(ULID()).lower()[-10:]}"
    return _new(ContactLogged(contact_id=contact_id, channel="hotline", answered_within_15s=answered_within_15s,
                              outcome="answered"), estate_id, contact_id, at)


def now() -> datetime:
    """A moment safely inside the estate's local today (a minute ago, or just after midnight)."""
    moment, current = utcnow() - timedelta(minutes=1), utcnow()
    return moment if local_day(moment) == local_day(current) else current


# Reporting's own tests: any event of the platform, typed, handed to reporting's queue alone (no other
# service sees it, so none acts on it: a crafted payment sends no receipt, an escalation pages nobody).
REPORTING_QUEUE = "reporting.all-events"


def event(payload, estate_id: str, at: datetime, *, subject: str = "crafted") -> Envelope:
    return _new(payload, estate_id, subject, at)


def deliver_to_reporting(stack: Stack, envelopes: list[Envelope]) -> None:
    async def send() -> None:
        connection = await aio_pika.connect_robust(stack.amqp)
        try:
            channel = await connection.channel(publisher_confirms=True)
            for envelope in envelopes:
                message = aio_pika.Message(envelope.model_dump_json().encode(),
                                           delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
                await channel.default_exchange.publish(message, routing_key=REPORTING_QUEUE)
        finally:
            await connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, send()).result(timeout=60)
