"""Notification's use cases: turn events into stored messages, delivered by the local provider."""

from __future__ import annotations

from services.notification import store
from services.notification.domain import messages as rules
from shared.db import UnitOfWork
from shared.envelope import Envelope, new_id, utcnow
from shared.estates import estate_time_zone
from shared.events import MessageSent


async def store_and_send(uow: UnitOfWork, envelope: Envelope, draft: rules.Draft | None) -> None:
    """The local provider keeps the message readable through the API: storing it is sending it."""
    if draft is None:  # nobody to tell (no assignee yet, nobody on duty at that level)
        return
    now = utcnow()
    message = {
        "_id": new_id(), "dedupe_key": rules.dedupe_key(envelope.id, draft), "estate_id": envelope.estateid,
        "company_id": envelope.companyid, "recipient_id": draft.recipient_id, "recipient_kind": draft.recipient_kind,
        "channel": draft.channel, "template": draft.template, "body": draft.body, "urgent": draft.urgent,
        "provider": "local", "status": "sent", "source_event_id": envelope.id, "source_event_type": envelope.type,
        "created_at": now, "sent_at": now,
    }
    await store.insert_message(uow, message)
    uow.emit(
        MessageSent(message_id=message["_id"], recipient_id=draft.recipient_id, channel=draft.channel,
                    template=draft.template, source_event_id=envelope.id),
        subject=message["_id"], company_id=envelope.companyid, estate_id=envelope.estateid,
    )


async def notify_assignee(uow: UnitOfWork, envelope: Envelope) -> None:
    time_zone = await estate_time_zone(uow, envelope.estateid)
    await store_and_send(uow, envelope, rules.work_order_assigned(envelope.data, time_zone))


async def notify_sla_warning(uow: UnitOfWork, envelope: Envelope) -> None:
    time_zone = await estate_time_zone(uow, envelope.estateid)
    await store_and_send(uow, envelope, rules.sla_warning(envelope.data, breached=False, time_zone=time_zone))


async def notify_sla_breach(uow: UnitOfWork, envelope: Envelope) -> None:
    time_zone = await estate_time_zone(uow, envelope.estateid)
    await store_and_send(uow, envelope, rules.sla_warning(envelope.data, breached=True, time_zone=time_zone))


async def notify_escalation(uow: UnitOfWork, envelope: Envelope) -> None:
    await store_and_send(uow, envelope, rules.escalated(envelope.data))


async def notify_missing_handover(uow: UnitOfWork, envelope: Envelope) -> None:
    await store_and_send(uow, envelope, rules.handover_missing(envelope.data))
