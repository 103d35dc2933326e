"""Incidents: declared from tickets, joined by new ones, resolved with their one work order.

Dispatch makes one work order per incident (from `intake.incident.declared`). A ticket opened
as part of an incident carries `incident_id` in `intake.ticket.opened`, so dispatch makes it no
order; a ticket that joins later is announced by `intake.ticket.updated` with `incident_id`, on
which dispatch cancels the ticket's own order. When the incident's order is completed, the
incident and every ticket in it are resolved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.intake import store
from services.intake.commands.desk import estate_in_scope
from services.intake.commands.inputs.incidents import IncidentCreate, IncidentStatusChange
from services.intake.commands.tickets import apply_command
from services.intake.domain import incidents as rules
from services.intake.domain import ticket_settings as catalog
from services.intake.domain import tickets as ticket_rules
from services.intake.store import incidents as incident_store
from services.intake.store import tickets as ticket_store
from shared.auth import Principal
from shared.counters import next_value
from shared.db import Database, UnitOfWork
from shared.documents import Presenter, about
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, NotFound
from shared.estates import local_day
from shared.events import IncidentDeclared, IncidentResolved, IncidentUpdated, TicketUpdated
from shared.idempotency import create_once
from shared.lookup import found


async def find_incident_in_scope(database: Database | UnitOfWork, principal: Principal, *, incident_id: str) -> dict:
    incident = found(await incident_store.find_incident(database, incident_id, scope=principal.estate_filter()),
                     "incident")
    return incident


def report_of(ticket: dict[str, Any]) -> rules.Report:
    return rules.Report(ticket["category"], ticket.get("subcategory"), ticket.get("building_id"),
                        ticket.get("location"))


async def matches_for(database: Database, estate_id: str, *, report: rules.Report, now: datetime) -> list[dict]:
    return rules.matching(report, await incident_store.open_incidents_since(database, estate_id, now=now), now=now)


async def matches_for_ticket(database: Database, principal: Principal, *, ticket_id: str) -> dict[str, Any]:
    """The open incidents a ticket may join (none once it is in one)."""
    ticket = found(await store.find_ticket(database, ticket_id, scope=principal.estate_filter()), "ticket")
    matches = [] if ticket.get("incident_id") else await matches_for(
        database, ticket["estate_id"], report=report_of(ticket), now=utcnow())
    return {"ticket_id": ticket_id, "items": matches}


async def declare_incident(
    database: Database, principal: Principal, *, request: IncidentCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    """Declare an incident (the emergency plan starts), grouping the tickets named."""
    estate = await estate_in_scope(database, principal, estate_id=request.estate_id)
    settings = await ticket_store.ticket_settings(database, estate["_id"])
    catalog.check_subcategory(settings, request.category, subcategory=request.subcategory, field_name="subcategory")
    now = utcnow()
    day = local_day(now, estate["time_zone"])

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        incident = _new_incident(request, estate=estate, by=principal.user_id, now=now)
        incident["number"] = rules.incident_number(day, await next_value(uow, f"incident:{estate['_id']}:{day:%Y%m%d}"))
        tickets = await _tickets_to_group(uow, request.ticket_ids, estate_id=estate["_id"])
        await incident_store.insert_incident(uow, incident)
        for ticket in tickets:
            await _link(uow, incident, ticket=ticket, by=principal.user_id, now=now, field="ticket_ids")
        incident = await incident_store.find_incident(uow, incident["_id"], scope={})
        broadcast = incident["broadcast"]
        uow.emit(IncidentDeclared(
            incident_id=incident["_id"], number=incident["number"], category=incident["category"],
            subcategory=incident["subcategory"], priority=incident["priority"], location=incident["location"],
            building_id=incident["building_id"], description=incident["description"], declared_at=now,
            ticket_ids=incident["ticket_ids"], broadcast_audience=broadcast["audience"],
            broadcast_message=broadcast["message"],
        ), **about(incident))
        return present(incident)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


def _new_incident(request: IncidentCreate, *, estate: dict[str, Any], by: str, now: datetime) -> dict[str, Any]:
    return {
        "_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"],
        "category": request.category, "subcategory": request.subcategory, "priority": request.priority,
        "location": request.location, "building_id": request.building_id, "description": request.description,
        "status": "open", "declared_at": now, "declared_by": by, "ticket_ids": [], "work_order_id": None,
        "work_order_number": None, "resolved_at": None, "resolution": None,
        # One broadcast to the affected residents: recorded here and carried by the declared event;
        # sending it to each resident is the notification service's (it keeps residents' contacts).
        "broadcast": {
            "audience": rules.broadcast_audience(request.building_id), "building_id": request.building_id,
            "message": request.broadcast_message or rules.broadcast_text(request.description, request.location),
            "status": "requested", "requested_at": now,
        },
        "history": [{"at": now, "status": "open", "by": by}],
    }


async def _tickets_to_group(uow: UnitOfWork, ticket_ids: list[str], *, estate_id: str) -> list[dict[str, Any]]:
    unique_ids = list(dict.fromkeys(ticket_ids))
    tickets = {t["_id"]: t for t in await incident_store.tickets_by_id(uow, unique_ids, estate_id=estate_id)}
    if missing := [ticket_id for ticket_id in unique_ids if ticket_id not in tickets]:
        raise NotFound("ticket", field="ticket_ids", ticket_ids=missing)
    return [tickets[ticket_id] for ticket_id in unique_ids]


async def _link(
    uow: UnitOfWork, incident: dict[str, Any], *, ticket: dict[str, Any], by: str, now: datetime,
    field: str = "ticket_id",
) -> bool:
    """Put a ticket in an incident; False when it is in this one already. The ticket is being handled."""
    if ticket.get("incident_id") == incident["_id"]:
        return False
    if ticket.get("incident_id"):
        raise Conflict(f"ticket {ticket['number']} is already part of another incident", field=field)
    rules.check_linkable(ticket["status"], field=field)
    link = {"incident_id": incident["_id"]}
    reason = f"并入突发事件 {incident['number']}"
    if ticket["status"] == "open":  # the incident's work order handles it now
        await apply_command(uow, ticket, command="start", by=by, at=now, reason=reason, fields=link, event_fields=link)
    else:
        entry = {"at": now, "action": "join_incident", "status": ticket["status"], "by": by, "reason": reason}
        moved = Conflict("the ticket changed at the same moment; read it again", field=field)
        ticket_store.update_ticket(uow, ticket, fields=link, entry=entry, conflict=moved)
        uow.emit(TicketUpdated(ticket_id=ticket["_id"], number=ticket["number"], status=ticket["status"],
                               previous_status=ticket["status"], by=by, reason=reason, changes=["incident_id"],
                               incident_id=incident["_id"]), **about(ticket))
    await incident_store.add_ticket(uow, incident, ticket_id=ticket["_id"],
                                    entry={"at": now, "linked_ticket_id": ticket["_id"], "by": by})
    return True


async def link_ticket(database: Database, principal: Principal, *, incident_id: str, ticket_id: str) -> dict[str, Any]:
    """An agent links a ticket to an open incident (its own work order is then cancelled by dispatch)."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        incident = await find_incident_in_scope(uow, principal, incident_id=incident_id)
        ticket = found(await store.find_ticket(uow, ticket_id, scope={"estate_id": incident["estate_id"]}), "ticket")
        if ticket.get("incident_id") != incident_id and incident["status"] not in rules.OPEN_STATUSES:
            raise Conflict(f"incident {incident['number']} is {incident['status']}; nothing can join it")
        if await _link(uow, incident, ticket=ticket, by=principal.user_id, now=utcnow()):
            incident = {**incident, "ticket_ids": [*incident["ticket_ids"], ticket_id]}
            uow.emit(IncidentUpdated(incident_id=incident_id, number=incident["number"], status=incident["status"],
                                     previous_status=incident["status"], ticket_ids=incident["ticket_ids"],
                                     linked_ticket_id=ticket_id), **about(incident))
        return await find_incident_in_scope(uow, principal, incident_id=incident_id)

    return await database.transaction(work)


async def join_incident_on_open(uow: UnitOfWork, ticket: dict[str, Any], *, incident_id: str) -> None:
    """A ticket opened as part of an incident (called by `log_contact` before the ticket is stored)."""
    incident = await incident_store.find_incident(uow, incident_id, scope={"estate_id": ticket["estate_id"]})
    if incident is None:
        raise NotFound("incident", field="ticket.incident_id")
    if incident["status"] not in rules.OPEN_STATUSES:
        raise Conflict(f"incident {incident['number']} is {incident['status']}", field="ticket.incident_id")
    # Handled from the start: the incident's work order is its work order.
    ticket.update(incident_id=incident_id, status=ticket_rules.next_status(ticket["status"], "start"))
    ticket["history"].append({"at": ticket["opened_at"], "action": "start", "status": ticket["status"],
                              "by": "intake", "reason": f"并入突发事件 {incident['number']}"})
    await incident_store.add_ticket(uow, incident, ticket_id=ticket["_id"],
                                    entry={"at": ticket["opened_at"], "linked_ticket_id": ticket["_id"],
                                           "by": "intake"})


async def change_status(
    database: Database, principal: Principal, *, incident_id: str, request: IncidentStatusChange
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        incident = await find_incident_in_scope(uow, principal, incident_id=incident_id)
        rules.check_transition(incident["status"], request.status)
        if request.status == "resolved":
            await _resolve(uow, incident, by=principal.user_id, resolution=request.note, at=utcnow())
        else:
            await _change(uow, incident, status=request.status, by=principal.user_id, note=request.note)
        return await find_incident_in_scope(uow, principal, incident_id=incident_id)

    return await database.transaction(work)


async def _change(uow: UnitOfWork, incident: dict[str, Any], *, status: str, by: str, note: str | None) -> None:
    entry = {"at": utcnow(), "status": status, "by": by, "note": note}
    if not await incident_store.change_incident(uow, incident, fields={"status": status}, entry=entry):
        raise Conflict("the incident changed at the same moment; read it again")
    uow.emit(IncidentUpdated(incident_id=incident["_id"], number=incident["number"], status=status,
                             previous_status=incident["status"], ticket_ids=incident["ticket_ids"], note=note),
             **about(incident))


async def _resolve(
    uow: UnitOfWork, incident: dict[str, Any], *, by: str, resolution: str | None, at: datetime,
    work_order_id: str | None = None,
) -> bool:
    """Resolve the incident and every ticket in it that is still being handled; one status for all."""
    fields, entry = resolution_of(incident, by=by, resolution=resolution, at=at, work_order_id=work_order_id)
    if not await incident_store.change_incident(uow, incident, fields=fields, entry=entry):
        return False
    tickets = await incident_store.tickets_by_id(uow, incident["ticket_ids"], estate_id=incident["estate_id"])
    await resolve_tickets_of(uow, incident, tickets=tickets, by=by, resolution=resolution, at=at,
                             work_order_id=work_order_id)
    return True


def resolution_of(
    incident: dict[str, Any], *, by: str, resolution: str | None, at: datetime, work_order_id: str | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The incident's fields and history entry when it is resolved."""
    fields = {"status": "resolved", "resolved_at": at, "resolution": resolution}
    if work_order_id:
        fields["work_order_id"] = work_order_id
    return fields, {"at": at, "status": "resolved", "by": by, "note": resolution}


async def resolve_tickets_of(
    uow: UnitOfWork, incident: dict[str, Any], *, tickets: list[dict[str, Any]], by: str, resolution: str | None,
    at: datetime, work_order_id: str | None,
) -> list[dict[str, Any]]:
    """The resolved incident's tickets resolved with it (as changed), and the incident's event."""
    work_order_id = work_order_id or incident.get("work_order_id")
    changed = [await _resolve_ticket(uow, ticket, incident=incident, by=by, at=at, resolution=resolution,
                                     work_order_id=work_order_id) for ticket in tickets]
    uow.emit(IncidentResolved(incident_id=incident["_id"], number=incident["number"],
                              previous_status=incident["status"], resolved_at=at, resolution=resolution,
                              work_order_id=work_order_id, ticket_ids=incident["ticket_ids"]), **about(incident))
    return changed


async def _resolve_ticket(
    uow: UnitOfWork, ticket: dict, *, incident: dict, by: str, at: datetime, resolution: str | None,
    work_order_id: str | None,
) -> dict[str, Any]:
    """Resolved with its incident (and so followed up like any repair); one cancelled or resolved meanwhile stays.

    Its work order is the incident's from now on (an order of its own was cancelled when it joined)."""
    if ticket["status"] not in ticket_rules.COMMANDS["resolve"]:
        return ticket
    fields = {"resolution": resolution, **({"work_order_id": work_order_id} if work_order_id else {})}
    return await apply_command(uow, ticket, command="resolve", by=by, at=at, fields=fields,
                        event_fields={"incident_id": incident["_id"]},
                        reason=resolution or f"突发事件 {incident['number']} 已解除")
