"""A ticket's life cycle: every change checked, written with its history entry and its event, in one place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.intake import store
from services.intake.commands.inputs.tickets import TicketPatch
from services.intake.domain import ticket_settings as catalog
from services.intake.domain import tickets as rules
from services.intake.store import tickets as ticket_store
from shared import events
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import about
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidInput
from shared.lookup import found
from shared.roles import STAFF

EVENTS = {
    "start": events.TicketUpdated, "resolve": events.TicketResolved, "follow_up": events.TicketFollowedUp,
    "reopen": events.TicketReopened, "close": events.TicketClosed, "cancel": events.TicketCancelled,
}


class FollowUpPending(Conflict):
    code, title = "follow_up_pending", "The ticket's follow-up is still due"


class TicketChanged(Conflict):
    code, title = "ticket_changed", "The ticket changed at the same moment; read it again"


def _changed() -> TicketChanged:
    return TicketChanged("the ticket changed at the same moment; read it again")


def is_resident(principal: Principal) -> bool:
    """A caller who is only a resident sees the tickets of their own units, nothing else."""
    return not STAFF.intersection(principal.roles)


def ticket_scope(principal: Principal) -> dict[str, Any]:
    """A resident's tickets: of their units, or theirs by name (a hotline call of someone with two
    units is recognised as the resident but cannot name the unit)."""
    scope = principal.estate_filter()
    if is_resident(principal):
        scope["$or"] = [{"unit_id": {"$in": list(principal.unit_ids)}}, {"resident_id": principal.user_id}]
    return scope


async def find_ticket_in_scope(database: Database | UnitOfWork, principal: Principal, *, ticket_id: str) -> dict:
    ticket = found(await store.find_ticket(database, ticket_id, scope=ticket_scope(principal)), "ticket")
    return ticket


def _emit(uow: UnitOfWork, payload: Any, *, ticket: dict[str, Any]) -> None:
    uow.emit(payload, **about(ticket))


async def apply_command(
    uow: UnitOfWork, ticket: dict[str, Any], *, command: str, by: str, at: datetime | None = None,
    reason: str | None = None, fields: dict[str, Any] | None = None, event_fields: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Move the ticket by `command` (409 if its life cycle does not allow it); returns the ticket as changed."""
    target = rules.next_status(ticket["status"], command)
    at = at or utcnow()
    fields = {"status": target, **(fields or {})}
    if command == "close" and (ticket.get("follow_up") or {}).get("state") == "due":
        raise FollowUpPending("record the follow-up first (or its three failed attempts)")
    if command == "reopen":
        fields["reopen_count"] = ticket.get("reopen_count", 0) + 1
        await _withdraw_follow_up(uow, ticket, fields=fields, by=by)
    if command == "resolve":
        fields.setdefault("resolved_at", at)
        if ticket["category"] in rules.FOLLOWED_UP:
            fields["follow_up"] = await _open_follow_up(uow, ticket, at=at)
    entry = {"at": at, "action": command, "status": target, "by": by, **({"reason": reason} if reason else {})}
    changed = ticket_store.update_ticket(uow, ticket, fields=fields, entry=entry, conflict=_changed())
    emit_change(uow, changed, command=command, previous_status=ticket["status"], by=by, reason=reason,
                event_fields=event_fields)
    return changed


def emit_change(
    uow: UnitOfWork, ticket: dict[str, Any], *, command: str, previous_status: str, by: str, reason: str | None,
    event_fields: dict[str, Any] | None = None,
) -> None:
    _emit(uow, EVENTS[command](ticket_id=ticket["_id"], number=ticket["number"], status=ticket["status"],
                               previous_status=previous_status, by=by, reason=reason, **(event_fields or {})),
          ticket=ticket)


def resolve_at_first_contact(ticket: dict[str, Any], resolution: str, *, by: str, at: datetime) -> None:
    """Answered on the call: the new ticket is resolved before it is first written (no follow-up needed)."""
    target = rules.next_status(ticket["status"], "resolve")
    ticket.update(status=target, resolved_at=at, resolution=resolution, first_contact_resolution=True)
    ticket["history"].append({"at": at, "action": "resolve", "status": target, "by": by, "reason": resolution})


async def _open_follow_up(uow: UnitOfWork, ticket: dict[str, Any], *, at: datetime) -> dict[str, Any]:
    """A resolved repair, complaint or help request waits for its follow-up call (回访)."""
    settings = await ticket_store.ticket_settings_now(uow, ticket["estate_id"])
    follow_up = {
        "_id": new_id(), "estate_id": ticket["estate_id"], "company_id": ticket["company_id"],
        "ticket_id": ticket["_id"], "ticket_number": ticket["number"], "category": ticket["category"],
        "unit_id": ticket.get("unit_id"), "resident_id": ticket.get("resident_id"), "state": "due", "result": None,
        "due_by": at + settings.follow_up_within, "created_at": at, "attempts": [], "attempt_count": 0,
    }
    uow.add(ticket_store.FOLLOW_UPS, follow_up)
    _emit(uow, events.FollowUpDue(
        follow_up_id=follow_up["_id"], ticket_id=ticket["_id"], ticket_number=ticket["number"],
        category=ticket["category"], unit_id=follow_up["unit_id"], resident_id=follow_up["resident_id"],
        due_by=follow_up["due_by"],
    ), ticket=ticket)
    return {"id": follow_up["_id"], "state": "due", "due_by": follow_up["due_by"]}


async def _withdraw_follow_up(uow: UnitOfWork, ticket: dict[str, Any], *, fields: dict[str, Any], by: str) -> None:
    """Reopened before its follow-up was made: that follow-up is moot (a new one comes with the next resolution)."""
    summary = ticket.get("follow_up") or {}
    if summary.get("state") != "due":
        return
    follow_up = await ticket_store.find_follow_up(uow, summary["id"], scope={"state": "due"})
    if follow_up is None:
        return
    await ticket_store.update_follow_up(uow, follow_up, fields={"state": "withdrawn", "result": "withdrawn"},
                                        attempt=None)
    fields["follow_up"] = {**summary, "state": "withdrawn", "result": "withdrawn"}
    _emit(uow, events.FollowUpCompleted(
        follow_up_id=follow_up["_id"], ticket_id=ticket["_id"], ticket_number=ticket["number"], result="withdrawn",
        attempts=follow_up["attempt_count"], by=by,
    ), ticket=ticket)


async def change_ticket(
    database: Database, principal: Principal, *, ticket_id: str, command: str, reason: str | None = None,
    resolution: str | None = None,
) -> dict[str, Any]:
    """An agent's command through the API: resolve at the desk, reopen, close, cancel."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        ticket = await find_ticket_in_scope(uow, principal, ticket_id=ticket_id)
        fields = {"resolution": resolution} if resolution else {}
        if command == "cancel":
            fields["cancel_reason"] = reason
        changed = await apply_command(uow, ticket, command=command, by=principal.user_id, reason=reason or resolution,
                                      fields=fields)
        return changed

    return await database.transaction(work)


def _differences(ticket: dict[str, Any], wanted: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [ticket.get(name), value] for name, value in wanted.items() if ticket.get(name) != value}


def _with_default_reply_time(ticket: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """A new priority moves the promised reply time with it, unless an agent set that time."""
    if "priority" in wanted and "promised_reply_at" not in wanted and not ticket.get("promised_reply_by_agent"):
        return {**wanted, "promised_reply_at": rules.promised_reply_at(wanted["priority"], ticket["opened_at"])}
    return wanted


async def patch_ticket(database: Database, principal: Principal, *, ticket_id: str, request: TicketPatch) -> dict:
    """Correct priority, promised reply time, subcategory, location, building or extra fields, with history."""
    requested = request.model_dump(exclude_unset=True)
    for name in ("priority", "promised_reply_at"):
        if name in requested and requested[name] is None:
            raise InvalidInput(f"a ticket always has its {name.replace('_', ' ')}", field=name)
    if requested.get("promised_reply_at"):
        requested["promised_reply_at"] = requested["promised_reply_at"].astimezone(UTC)  # stored and shown in UTC

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        ticket = await find_ticket_in_scope(uow, principal, ticket_id=ticket_id)
        rules.check_changeable(ticket["status"])
        settings = await ticket_store.ticket_settings_now(uow, ticket["estate_id"])
        wanted = _with_default_reply_time(ticket, requested)
        if wanted.get("subcategory") is not None:
            catalog.check_subcategory(settings, ticket["category"], subcategory=wanted["subcategory"],
                                      field_name="subcategory")
        if "fields" in wanted:
            wanted["fields"] = catalog.check_extra_fields(settings, ticket["category"], values=wanted["fields"] or {},
                                                          prefix="fields")
        changes = _differences(ticket, wanted)
        if not changes:
            return ticket
        new_values = {name: new for name, (_, new) in changes.items()}
        fields = {**new_values, **({"promised_reply_by_agent": True} if "promised_reply_at" in requested else {})}
        entry = {"at": utcnow(), "action": "update", "status": ticket["status"], "by": principal.user_id,
                 "changes": changes}
        changed = ticket_store.update_ticket(uow, ticket, fields=fields, entry=entry, conflict=_changed())
        _emit(uow, events.TicketUpdated(ticket_id=ticket["_id"], number=ticket["number"], status=ticket["status"],
                                        previous_status=ticket["status"], by=principal.user_id,
                                        changes=sorted(changes)), ticket=ticket)
        return changed

    return await database.transaction(work)
