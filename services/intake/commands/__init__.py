"""Intake's use cases, called by the HTTP routes and the event handlers alike."""

from __future__ import annotations

from typing import Any

from services.intake import store
from services.intake.api.schemas import ContactCreate, ContactPublic, EstateCreate, EstatePublic, TicketPublic
from services.intake.commands.directory import caller_fields
from services.intake.domain import tickets as rules
from shared.auth import Principal
from shared.counters import next_value
from shared.db import Database, UnitOfWork
from shared.documents import to_public
from shared.envelope import Envelope, new_id, utcnow
from shared.errors import Conflict, NotFound
from shared.estates import local_day
from shared.events import ContactLogged, EstateRegistered, TicketOpened, TicketResolved, TicketUpdated
from shared.idempotency import create_once

ESTATE_DETAILS = ("address", "hotline_number", "business_hours")


def estate_public(document: dict[str, Any]) -> EstatePublic:
    return EstatePublic(**{k: document[k] for k in ("estate_id", "name", "time_zone", "registered_at")},
                        **{k: document.get(k) for k in ESTATE_DETAILS})


def ticket_public(document: dict[str, Any]) -> TicketPublic:
    return to_public(TicketPublic, document)


async def register_estate(
    database: Database, principal: Principal, request: EstateCreate, *, idempotency_key: str | None
) -> dict[str, Any]:
    principal.require_estate(request.estate_id)
    document = {
        "_id": request.estate_id, "estate_id": request.estate_id, "company_id": principal.company_id,
        "name": request.name, "time_zone": request.time_zone, "registered_at": utcnow(),
        **request.model_dump(mode="json", include=set(ESTATE_DETAILS)),
    }

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, store.ESTATES, document)
        uow.emit(
            EstateRegistered(estate_id=request.estate_id, name=request.name, time_zone=request.time_zone,
                             **{k: document[k] for k in ESTATE_DETAILS}),
            subject=request.estate_id, company_id=principal.company_id, estate_id=request.estate_id,
        )
        return estate_public(document).model_dump(mode="json")

    return await create_once(
        database=database, principal=principal, key=idempotency_key, body=request, work=work,
        already_exists=Conflict(f"estate {request.estate_id} is already registered", field="estate_id"),
    )


async def find_estate_in_scope(database: Database, principal: Principal, estate_id: str) -> dict[str, Any]:
    principal.require_estate(estate_id)
    estate = await store.find_estate(database, estate_id)
    if estate is None or estate["company_id"] != principal.company_id:
        raise NotFound("estate")
    return estate


def _new_ticket(request: ContactCreate, *, estate: dict[str, Any], contact_id: str, now) -> dict[str, Any]:
    ticket = request.ticket
    proposed = rules.propose_priority(ticket.category, f"{request.summary} {ticket.description}")
    priority = ticket.priority or proposed
    return {
        "_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"],
        "category": ticket.category, "subcategory": ticket.subcategory, "priority": priority,
        "proposed_priority": proposed, "scope": ticket.scope, "location": ticket.location,
        "unit_id": request.unit_id, "description": ticket.description, "channel": request.channel,
        "contact_id": contact_id, "status": "open", "opened_at": now,
        "promised_reply_at": ticket.promised_reply_at or rules.promised_reply_at(priority, now),
        "work_order_id": None, "history": [{"at": now, "status": "open", "by": "intake"}],
    }


async def log_contact(
    database: Database, principal: Principal, request: ContactCreate, *, idempotency_key: str | None
) -> dict[str, Any]:
    """Log a call or visit; with a ticket request, open the ticket in the same transaction."""
    estate = await find_estate_in_scope(database, principal, request.estate_id)
    now = utcnow()
    day = local_day(now, estate["time_zone"])
    counter_id = f"ticket:{estate['_id']}:{day:%Y%m%d}"
    # The caller recognised by phone (a point lookup, before the transaction); an unknown number is served alike.
    caller = await caller_fields(database, estate["_id"], request.caller_phone, request.unit_id)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        contact_id = new_id()
        ticket = None
        if request.ticket is not None:
            ticket = {**_new_ticket(request, estate=estate, contact_id=contact_id, now=now), **caller}
            ticket["number"] = rules.ticket_number(day, await next_value(uow, counter_id))
            await store.insert(uow, store.TICKETS, ticket)
            _emit_ticket_opened(uow, ticket)
        contact = {
            "_id": contact_id, "estate_id": estate["_id"], "company_id": estate["company_id"],
            "channel": request.channel, "caller_phone": request.caller_phone, "caller_name": request.caller_name,
            "unit_id": request.unit_id, "rang_at": request.rang_at, "answered_at": request.answered_at,
            "answered_within_15s": rules.answered_within_promise(request.rang_at, request.answered_at),
            "summary": request.summary, "agent_id": principal.user_id, "logged_at": now,
            "outcome": "ticket_opened" if ticket else "answered", "ticket_id": ticket and ticket["_id"], **caller,
        }
        await store.insert(uow, store.CONTACTS, contact)
        uow.emit(
            ContactLogged(
                contact_id=contact_id, channel=request.channel, rang_at=request.rang_at,
                answered_at=request.answered_at, answered_within_15s=contact["answered_within_15s"],
                outcome=contact["outcome"], ticket_id=contact["ticket_id"],
            ),
            subject=contact_id, company_id=estate["company_id"], estate_id=estate["_id"],
        )
        return contact_public(contact, ticket).model_dump(mode="json")

    # The hotline's write path: contacts arriving together share one transaction (group commit).
    return await create_once(
        database=database, principal=principal, key=idempotency_key, body=request, work=work, grouped=True
    )


def contact_public(contact: dict[str, Any], ticket: dict[str, Any] | None) -> ContactPublic:
    return ContactPublic(
        id=contact["_id"], ticket=ticket_public(ticket) if ticket else None,
        **{k: contact[k] for k in ("estate_id", "channel", "summary", "outcome", "answered_within_15s", "logged_at")},
        resident_id=contact.get("resident_id"), unit_id=contact.get("unit_id"),
    )


def _emit_ticket_opened(uow: UnitOfWork, ticket: dict[str, Any]) -> None:
    uow.emit(
        TicketOpened(
            ticket_id=ticket["_id"], number=ticket["number"], category=ticket["category"],
            subcategory=ticket["subcategory"], priority=ticket["priority"], scope=ticket["scope"],
            location=ticket["location"], unit_id=ticket["unit_id"], resident_id=ticket.get("resident_id"),
            description=ticket["description"],
            channel=ticket["channel"], promised_reply_at=ticket["promised_reply_at"], opened_at=ticket["opened_at"],
        ),
        subject=ticket["_id"], company_id=ticket["company_id"], estate_id=ticket["estate_id"],
    )


async def follow_work_order(uow: UnitOfWork, envelope: Envelope) -> None:
    """The ticket follows its work order, whatever order the events arrive in.

    Assigned moves an open ticket to in_progress; completed resolves it from wherever it is
    open. A late `assigned` after the completion, or a repeated event, changes nothing.
    """
    data = envelope.data
    if not data.get("ticket_id"):
        return
    target = "resolved" if envelope.routing_key == "dispatch.workorder.completed" else "in_progress"
    ticket = await store.find_ticket(uow, data["ticket_id"], {"estate_id": envelope.estateid})
    if ticket is None or target not in rules.ALLOWED_TRANSITIONS[ticket["status"]]:
        return
    fields = {"work_order_id": data["work_order_id"]}
    if target == "resolved":
        fields.update(resolved_at=envelope.time, resolution=data.get("work_done"))
    change = {
        "status": target, "fields": fields,
        "entry": {"at": envelope.time, "status": target, "by": "dispatch", "event_id": envelope.id},
    }
    await store.update_ticket_status(uow, ticket, change)
    event = TicketResolved if target == "resolved" else TicketUpdated
    uow.emit(
        event(ticket_id=ticket["_id"], number=ticket["number"], status=target, previous_status=ticket["status"]),
        subject=ticket["_id"], company_id=ticket["company_id"], estate_id=ticket["estate_id"],
    )
