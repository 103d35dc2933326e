"""Contacts (来电/来访): every call, visit or message logged; with a ticket request, the ticket opened with it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.intake import store
from services.intake.commands import incidents
from services.intake.commands.estates import find_estate_in_scope
from services.intake.commands.inputs.contacts import ContactCreate, TicketRequest
from services.intake.commands.inputs.tickets import TicketCreate
from services.intake.commands.residents import caller_fields
from services.intake.commands.tickets import emit_change, is_resident, resolve_at_first_contact
from services.intake.domain import priority as priorities
from services.intake.domain import ticket_settings as catalog
from services.intake.domain import tickets as rules
from services.intake.store import tickets as ticket_store
from shared.auth import Principal
from shared.counters import next_value
from shared.db import Database, UnitOfWork
from shared.documents import Presenter, about
from shared.envelope import new_id, utcnow
from shared.errors import InvalidInput, NotFound
from shared.estates import local_day
from shared.events import ContactLogged, TicketOpened
from shared.idempotency import create_once

# Another complaint of the same complainant at the same moment (another group, another replica): each
# round at least one of them commits, so N racing complaints need at most N attempts.
HISTORY_ATTEMPTS = 10


def check_ticket_request(settings: catalog.TicketSettings, ticket: TicketRequest) -> dict[str, Any]:
    """The estate's catalogue and extra fields (422 naming the field); returns the checked extra fields."""
    catalog.check_subcategory(settings, ticket.category, subcategory=ticket.subcategory,
                              field_name="ticket.subcategory")
    if ticket.resolution is not None and ticket.category in rules.HANDED_TO_DISPATCH:
        raise InvalidInput(f"a {ticket.category} is handed to dispatch, not resolved on the call",
                           field="ticket.resolution")
    return catalog.check_extra_fields(settings, ticket.category, values=ticket.fields)


def _new_ticket(
    request: ContactCreate, *, estate: dict[str, Any], settings: catalog.TicketSettings, extra_fields: dict,
    contact_id: str, by: str, now: datetime,
) -> dict[str, Any]:
    ticket = request.ticket
    proposed = priorities.propose_priority(ticket.category, f"{request.summary} {ticket.description}",
                                           estate_rules=settings.priority_rules)
    return rules.new_ticket(
        ticket_id=new_id(), estate_id=estate["_id"], company_id=estate["company_id"], contact_id=contact_id,
        channel=request.channel, caller_phone=request.caller_phone, unit_id=request.unit_id,
        resident_id=request.resident_id, category=ticket.category, subcategory=ticket.subcategory,
        scope=ticket.scope, location=ticket.location, building_id=ticket.building_id,
        description=ticket.description, priority=ticket.priority, proposed_priority=proposed,
        agent_promised_reply_at=ticket.promised_reply_at, fields=extra_fields, by=by, now=now,
    )


def _complainant(request: ContactCreate) -> str | None:
    ticket = request.ticket
    if ticket is None or ticket.category != "complaint":
        return None
    return rules.complainant_key(resident_id=request.resident_id, caller_phone=request.caller_phone)


def _judge_complaint(uow: UnitOfWork, ticket: dict[str, Any], *, flagged: bool, now: datetime,
                     history: list[datetime]) -> None:
    """Major or not (投诉处理程序): flagged, P1/P2, or the complainant's third complaint in 30 days."""
    key = rules.complainant_key(resident_id=ticket["resident_id"], caller_phone=ticket["caller_phone"])
    in_window = 1
    if key:
        recent = rules.recent_complaints(ticket_store.complaint_times(uow, ticket["estate_id"], key=key,
                                                                      as_read=history), now)
        ticket_store.set_complaint_times(uow, ticket["estate_id"], key=key, moments=recent)
        in_window = len(recent)
    ticket["major"] = rules.is_major_complaint("complaint", flagged=flagged, priority=ticket["priority"],
                                               complaints_in_window=in_window)
    ticket["complaint"] = {"major": ticket["major"], "complaints_in_30_days": in_window, "plan": None,
                           "feedback": None}


async def open_ticket(
    uow: UnitOfWork, request: ContactCreate, *, estate: dict[str, Any], settings: catalog.TicketSettings,
    extra_fields: dict[str, Any], contact_id: str, by: str, now: datetime, day: date,
    complaint_history: list[datetime] | None = None,
) -> dict[str, Any]:
    """Number it, judge a complaint, store it and tell everyone; a first-contact answer resolves it at once.
    `complaint_history`: the complainant's recent complaints as read before the transaction."""
    ticket = _new_ticket(request, estate=estate, settings=settings, extra_fields=extra_fields,
                         contact_id=contact_id, by=by, now=now)
    ticket["number"] = rules.ticket_number(day, await next_value(uow, f"ticket:{estate['_id']}:{day:%Y%m%d}"))
    if request.ticket.incident_id:
        await incidents.join_incident_on_open(uow, ticket, incident_id=request.ticket.incident_id)
    if ticket["category"] == "complaint":
        _judge_complaint(uow, ticket, flagged=request.ticket.major, now=now, history=complaint_history or [])
    resolution = request.ticket.resolution
    if resolution is not None:
        resolve_at_first_contact(ticket, resolution, by=by, at=now)
    # Written with the other tickets of the group commit; nothing in this transaction reads it back.
    uow.add(store.TICKETS, ticket)
    _emit_ticket_opened(uow, ticket)
    if resolution is not None:
        emit_change(uow, ticket, command="resolve", previous_status="open", by=by, reason=resolution)
    return ticket


async def log_contact(
    database: Database, principal: Principal, *, request: ContactCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    """Log a call or visit; with a ticket request, open the ticket in the same transaction.
    `present` makes the answer of `{**contact, "ticket": ticket or None}` (kept for a retry)."""
    estate = await find_estate_in_scope(database, principal, estate_id=request.estate_id, cached=True)
    settings, extra_fields = catalog.DEFAULT_SETTINGS, {}
    if request.ticket is not None:
        settings = await ticket_store.ticket_settings(database, estate["_id"])
        extra_fields = check_ticket_request(settings, request.ticket)
    now = utcnow()
    rules.check_call_times(request.rang_at, request.answered_at, now=now)
    day = local_day(now, estate["time_zone"])
    # The caller recognised by phone (a point lookup, before the transaction); an unknown number is served alike.
    # The request as sent stays the Idempotency-Key's fingerprint.
    recognised = request.model_copy(update=await caller_fields(database, estate["_id"], request=request))
    complainant = _complainant(recognised)
    history: list[datetime] = []

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        contact_id = new_id()
        ticket = None
        if request.ticket is not None:
            ticket = await open_ticket(uow, recognised, estate=estate, settings=settings, extra_fields=extra_fields,
                                       contact_id=contact_id, by=principal.user_id, now=now, day=day,
                                       complaint_history=history)
        answered = ticket is None or ticket["first_contact_resolution"]
        contact = {
            "_id": contact_id, "estate_id": estate["_id"], "company_id": estate["company_id"],
            "channel": request.channel, "caller_phone": request.caller_phone, "caller_name": request.caller_name,
            "unit_id": recognised.unit_id, "resident_id": recognised.resident_id, "rang_at": request.rang_at,
            "answered_at": request.answered_at,
            "answered_within_15s": rules.answered_within_promise(request.rang_at, request.answered_at),
            "summary": request.summary, "agent_id": principal.user_id, "agent_name": principal.name or None,
            "logged_at": now, "outcome": "answered" if answered else "ticket_opened",
            "ticket_id": ticket and ticket["_id"], "ticket_number": ticket and ticket["number"],
        }
        uow.add(store.CONTACTS, contact)
        uow.emit(
            ContactLogged(
                contact_id=contact_id, channel=request.channel, rang_at=request.rang_at,
                answered_at=request.answered_at, answered_within_15s=contact["answered_within_15s"],
                outcome=contact["outcome"], ticket_id=contact["ticket_id"],
            ),
            subject=contact_id, company_id=estate["company_id"], estate_id=estate["_id"],
        )
        return present({**contact, "ticket": ticket})

    # The hotline's write path: contacts arriving together share one transaction (group commit), and
    # their complainants' histories one query before it.
    for attempt in range(1, HISTORY_ATTEMPTS + 1):
        if complainant is not None:
            history = await ticket_store.complaint_history(database, estate["_id"], key=complainant)
        try:
            return await create_once(
                database=database, principal=principal, key=idempotency_key, body=request, work=work, grouped=True
            )
        except ticket_store.ComplaintHistoryMoved:
            if attempt == HISTORY_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def ticket_reference(logged: dict[str, Any]) -> dict[str, Any]:
    """The answer kept for a contact that another use case logs (a patrol's defect, a low survey score, an
    inspection's finding): the id of its ticket, which is all they read."""
    return {"ticket": {"id": logged["ticket"]["_id"]}}


# Set by the service centre, not by a resident reporting from the app.
# Only the service centre sets these; joining an incident among them (a resident could probe ids).
STAFF_ONLY_TICKET_FIELDS = ("priority", "promised_reply_at", "major", "resolution", "incident_id")


async def create_ticket(
    database: Database, principal: Principal, *, request: TicketCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    """A request from the app or WeChat: a resident reports for their own units only (another unit: 404)."""
    if is_resident(principal):
        if request.unit_id not in principal.unit_ids:
            raise NotFound("unit")
        for name in STAFF_ONLY_TICKET_FIELDS:
            if name in request.ticket.model_fields_set:
                raise InvalidInput("set by the service centre, not in a resident's request", field=f"ticket.{name}")
    contact = ContactCreate(
        estate_id=request.estate_id, channel=request.channel, caller_phone=request.caller_phone,
        unit_id=request.unit_id, resident_id=principal.user_id if is_resident(principal) else None,
        summary=request.ticket.description, ticket=request.ticket,
    )
    logged = await log_contact(database, principal, request=contact, idempotency_key=idempotency_key, present=present)
    return logged["ticket"]


def _emit_ticket_opened(uow: UnitOfWork, ticket: dict[str, Any]) -> None:
    uow.emit(
        TicketOpened(
            ticket_id=ticket["_id"], number=ticket["number"], category=ticket["category"],
            subcategory=ticket["subcategory"], priority=ticket["priority"], scope=ticket["scope"],
            location=ticket["location"], unit_id=ticket["unit_id"], resident_id=ticket["resident_id"],
            description=ticket["description"],
            channel=ticket["channel"], promised_reply_at=ticket["promised_reply_at"], opened_at=ticket["opened_at"],
            major=ticket["major"], building_id=ticket["building_id"],
            first_contact_resolution=ticket["first_contact_resolution"], incident_id=ticket.get("incident_id"),
        ),
        **about(ticket),
    )
