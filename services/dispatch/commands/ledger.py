"""The duty ledger (客服工作台帐): appending notes and corrections, verifying the chain, publishing its head,
and the entries that events of the duty (calls, dispatches, incidents) add by themselves."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import structlog
from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from services.dispatch.commands.inputs.ledger import LedgerNoteCreate
from services.dispatch.commands.staff import registered_name
from services.dispatch.domain.ledger import GENESIS_HASH, entry_id, verify_chain
from services.dispatch.settings import DispatchSettings
from services.dispatch.store import ledger as store
from shared.auth import Principal
from shared.consumer import Event, batched
from shared.db import Database, UnitOfWork
from shared.documents import about
from shared.envelope import Envelope, utcnow
from shared.errors import InvalidInput
from shared.estates import estate_time_zone, local_day
from shared.events import (
    ContactLogged,
    IncidentDeclared,
    LedgerHeadPublished,
    SlaBreached,
    WorkOrderAssigned,
    WorkOrderCompleted,
    WorkOrderCreated,
)
from shared.idempotency import create_once
from shared.periodic import PeriodicJob

log = structlog.get_logger(__name__)
APPEND_ATTEMPTS = 5


@functools.cache
def ledger_key() -> bytes:
    """The HMAC key, from the service's settings (read once, at first use, like the app factory's)."""
    return DispatchSettings().ledger_hmac_key.encode("utf-8")


async def record(uow: UnitOfWork, *, estate_id: str, company_id: str, kind: str, summary: str, **fields: Any) -> dict:
    """Append an entry in the caller's transaction (handovers, spot checks, flags use this)."""
    return await store.append(uow, ledger_key(), estate_id=estate_id, company_id=company_id, kind=kind,
                              summary=summary, **fields)


def entry_public(entry: dict[str, Any]) -> dict[str, Any]:
    return {"id": entry["_id"], **{k: entry[k] for k in ("estate_id", "sequence", "kind", "content",
                                                         "previous_hash", "hash", "recorded_at")}}


async def append_note(
    database: Database, principal: Principal, *, request: LedgerNoteCreate, idempotency_key: str | None = None
) -> dict[str, Any]:
    """A free-text note of the shift, or a correction of an earlier entry (which stays as it was)."""
    await principal.require_estate(request.estate_id)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        kind = "note"
        if request.corrects is not None:
            if await store.find_entry(uow, request.estate_id, entry=request.corrects) is None:
                raise InvalidInput("no such entry in this estate's ledger", field="corrects")
            kind = "correction"
        entry = await record(uow, estate_id=request.estate_id, company_id=principal.company_id, kind=kind,
                             summary=request.text, by=principal.user_id, corrects=request.corrects,
                             details={"by_name": await registered_name(uow, principal)})
        return entry_public(entry)

    return await append_with_retry(database, work, principal=principal, idempotency_key=idempotency_key,
                                   body=request)


async def append_with_retry(
    database: Database, work, *, principal: Principal | None = None, idempotency_key: str | None = None,
    body: BaseModel | None = None,
) -> Any:
    """Appends of one process share a transaction (group commit), so they do not conflict on the chain
    head; another replica's append conflicts, and the loser runs again. With an Idempotency-Key, a
    retried request gets the first answer and appends nothing."""
    for attempt in range(1, APPEND_ATTEMPTS + 1):
        try:
            if idempotency_key is None:
                return await database.grouped_transaction(work)
            return await create_once(database=database, principal=principal, key=idempotency_key, body=body,
                                     work=work, grouped=True)
        except (store.ChainMoved, DuplicateKeyError):
            # DuplicateKeyError: two first appends of an estate both created its head.
            if attempt == APPEND_ATTEMPTS:
                raise store.ChainMoved() from None
            await asyncio.sleep(0.01 * attempt)


async def verify(database: Database, estate_id: str, *, from_seq: int, to_seq: int | None) -> dict[str, Any]:
    """Check a range of the chain (the head by default) and name its first broken link."""
    current = await store.head(database, estate_id)
    # Beyond the head there is nothing to check; missing entries up to the head are found.
    last = current["sequence"] if to_seq is None else min(to_seq, current["sequence"])
    last = min(last, from_seq + store.VERIFY_LIMIT - 1)
    if from_seq > 1:
        before = await store.find_entry(database, estate_id, entry=entry_id(estate_id, from_seq - 1))
        first = await store.find_entry(database, estate_id, entry=entry_id(estate_id, from_seq))
        # Anchored on the entry before the range; if that one is gone, on what the range's first names.
        anchor = before["hash"] if before else (first["previous_hash"] if first else GENESIS_HASH)
    else:
        anchor = GENESIS_HASH
    entries = await store.entries_between(database, estate_id, first=from_seq, last=last) if last >= from_seq else []
    verdict = verify_chain(ledger_key(), estate_id, entries=entries, from_sequence=from_seq, to_sequence=last,
                           previous_hash=anchor)
    broken = verdict.broken
    return {
        "estate_id": estate_id, "from_seq": from_seq, "to_seq": last, "checked": verdict.checked,
        "valid": verdict.valid, "last_hash": verdict.last_hash,
        "first_broken": broken and {"sequence": broken.sequence, "entry_id": broken.entry_id,
                                    "reason": broken.reason, "detail": broken.detail},
        "head": {"estate_id": estate_id, "sequence": current["sequence"], "hash": current["hash"]},
    }


# --- the published head ----------------------------------------------------------------


async def publish_heads(database: Database) -> int:
    """Publish each chain head that moved since it was last published; one replica wins each."""
    published = 0
    for head_document in await store.heads_to_publish(database):
        async def work(uow: UnitOfWork, head_document=head_document) -> bool:
            now = utcnow()
            if not await store.claim_head_publication(uow, head_document, now=now):
                return False
            uow.emit(LedgerHeadPublished(sequence=head_document["sequence"], hash=head_document["hash"],
                                         published_at=now),
                     **about(head_document))
            return True

        try:
            published += await database.transaction(work)
        except Exception as error:  # an append at the same moment: the next pass publishes the newer head
            log.info("ledger head not published this pass", estate_id=head_document["_id"], error=repr(error))
    return published


run_head_publisher = PeriodicJob[DispatchSettings](
    name="ledger head publisher", run_pass=lambda database, settings: publish_heads(database),
    interval_s=lambda settings: settings.ledger_head_publish_interval_s,
)


# --- entries from events of the duty -----------------------------------------------------

DutyEvent = ContactLogged | IncidentDeclared | WorkOrderCreated | WorkOrderAssigned | WorkOrderCompleted | SlaBreached


@batched
async def record_duty_events(uow: UnitOfWork, events: list[Event[DutyEvent]]) -> None:
    """Calls, incidents and dispatches go into the ledger, in the order they arrived (one handler, so the
    chain's order is the arrival order); created, completed and breached orders count in the day's figures.
    The batch's chain heads are read in one query, its entries inserted together, each head written once."""
    await store.hold_heads(uow, {event.envelope.estateid: event.envelope.companyid for event in events
                                 if event.envelope.routing_key in RECORDED})
    for event in events:
        key = event.envelope.routing_key
        if key in RECORDED:
            await RECORDED[key](uow, event)
        if key in COUNTED:
            day = local_day(event.envelope.time, await estate_time_zone(uow, event.envelope.estateid))
            await store.count_daily_figure(uow, event.envelope.estateid, day=day, figure=COUNTED[key])


def _scope(envelope: Envelope) -> dict[str, Any]:
    return {"estate_id": envelope.estateid, "company_id": envelope.companyid, "at": envelope.time,
            "source": envelope.id}


def _details(payload: BaseModel, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(payload, name, None) for name in names}


async def _record_contact(uow: UnitOfWork, event: Event[ContactLogged]) -> None:
    """Every call (and visit, message, patrol finding) handled goes into the ledger."""
    contact = event.payload
    answered = "" if contact.answered_within_15s is None else (
        "，15秒内接听" if contact.answered_within_15s else "，超过15秒接听")
    await record(uow, kind="call", summary=f"{contact.channel}：{contact.outcome}{answered}",
                 details=_details(contact, ("contact_id", "channel", "outcome", "ticket_id", "answered_within_15s")),
                 **_scope(event.envelope))


async def _record_incident(uow: UnitOfWork, event: Event[IncidentDeclared]) -> None:
    incident = event.payload
    await record(uow, kind="incident", summary=f"事件（{incident.priority}）：{incident.description}",
                 details=_details(incident, ("incident_id", "category", "priority", "location")),
                 **_scope(event.envelope))


async def _record_dispatch(uow: UnitOfWork, event: Event[WorkOrderCreated | WorkOrderAssigned]) -> None:
    """Work orders created and assigned."""
    order = event.payload
    if isinstance(order, WorkOrderAssigned):
        summary = f"工单 {order.number} 派给 {order.assignee_name}"
    else:
        summary = f"工单 {order.number} 已建（{order.department}，{order.priority}）"
    details = _details(order, ("work_order_id", "number", "ticket_id", "incident_id", "department", "priority",
                               "assignee_id"))
    await record(uow, kind="dispatch", summary=summary, details=details, **_scope(event.envelope))


RECORDED = {
    "intake.contact.logged": _record_contact,
    "intake.incident.declared": _record_incident,
    "dispatch.workorder.created": _record_dispatch,
    "dispatch.workorder.assigned": _record_dispatch,
}
COUNTED = {
    "dispatch.workorder.created": "created",
    "dispatch.workorder.completed": "completed",
    "dispatch.sla.breached": "breached",
}
