"""Residents of the directory (一户一档) and the callers they are: register, change with history, move in
and out, transfer ownership; recognise a caller by phone and link a contact to its resident.

Every change to a resident is an update that leaves a history entry; nothing is deleted."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.intake import commands as intake
from services.intake import store
from services.intake.commands.directory import (
    find_resident,
    find_unit,
    unit_event,
)
from services.intake.commands.inputs.directory import (
    MoveIn,
    MoveOut,
    OwnershipTransfer,
    PhonesChange,
    ResidentCreate,
    ResidentLink,
    ResidentUpdate,
)
from services.intake.domain import directory as rules
from services.intake.store import directory as directory_store
from services.intake.store import tickets as ticket_store
from services.intake.store.directory import RESIDENTS, UNITS
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import Presenter, about
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events import (
    ResidentMovedOut,
    ResidentRegistered,
    ResidentUpdated,
    UnitUpdated,
)
from shared.idempotency import create_once
from shared.lookup import found


def _resident_event(resident: dict[str, Any], change: str) -> ResidentUpdated:
    return ResidentUpdated(
        resident_id=resident["_id"], change=change,
        **{k: resident[k] for k in ("name", "phones", "role", "unit_ids", "status", "preferred_channels", "language")},
    )


def registered_event(resident: dict[str, Any]) -> ResidentRegistered:
    return ResidentRegistered(
        resident_id=resident["_id"],
        **{k: resident[k] for k in ("name", "phones", "role", "unit_ids", "move_in_date", "preferred_channels",
                                    "language")},
    )


def new_resident(estate: dict[str, Any], *, name: str, phones: list[str], role: str, unit_ids: list[str],
                  move_in_date: str | None, preferred_channels: list[str], language: str, by: str, now) -> dict:
    return {
        "_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"], "name": name,
        "phones": list(dict.fromkeys(phones)), "role": role, "unit_ids": list(dict.fromkeys(unit_ids)),
        "status": "active", "move_in_date": move_in_date, "moved_out_on": None,
        "preferred_channels": preferred_channels, "language": language, "registered_at": now, "version": 1,
        "history": [{"change": "registered", "on": move_in_date, "by": by, "at": now, "unit_ids": unit_ids}],
    }


async def _units_of_estate(database: Database, estate_id: str, *, unit_ids: list[str], field: str) -> list[dict]:
    units = await directory_store.find_many(database, UNITS, ids=unit_ids, scope={"estate_id": estate_id})
    missing = set(unit_ids) - {unit["_id"] for unit in units}
    if missing:
        raise NotFound("unit", field=field, unit_ids=sorted(missing))
    return units


async def register_resident(
    database: Database, principal: Principal, *, estate_id: str, request: ResidentCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    estate = await intake.find_estate_in_scope(database, principal, estate_id=estate_id)
    await _units_of_estate(database, estate_id, unit_ids=request.unit_ids, field="unit_ids")
    resident = new_resident(
        estate, name=request.name, phones=request.phones, role=request.role, unit_ids=request.unit_ids,
        move_in_date=request.move_in_date and request.move_in_date.isoformat(),
        preferred_channels=request.preferred_channels, language=request.language, by=principal.user_id, now=utcnow(),
    )

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, RESIDENTS, document=resident)
        uow.emit(registered_event(resident), subject=resident["_id"], company_id=resident["company_id"],
                 estate_id=estate_id)
        return present(resident)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


async def apply_resident_change(
    uow: UnitOfWork, resident: dict[str, Any], *, change: rules.ResidentChange, reason: str | None = None
) -> dict[str, Any]:
    """Write one resident change and its event: moved_out when they left their last unit."""
    if not await directory_store.change(uow, RESIDENTS, document=resident, fields=change.fields, entry=change.entry):
        raise Conflict("the resident's file changed meanwhile; read it again")
    updated = {**resident, **change.fields, "history": [*resident["history"], change.entry],
               "version": resident["version"] + 1}
    scope = about(resident)
    if change.moved_out:
        uow.emit(ResidentMovedOut(resident_id=resident["_id"], unit_ids=change.entry["unit_ids"],
                                  moved_out_on=date.fromisoformat(change.fields["moved_out_on"]),
                                  reason=reason or change.entry["change"]), **scope)
    else:
        uow.emit(_resident_event(updated, change.entry["change"]), **scope)
    return updated


async def _change_resident(database: Database, principal: Principal, *, resident_id: str, decide) -> dict[str, Any]:
    """Read the file, let the rule decide the change, write it with its event."""
    resident = await find_resident(database, principal, resident_id=resident_id)
    change = decide(resident)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return await apply_resident_change(uow, resident, change=change)

    return await database.transaction(work)


async def update_resident(
    database: Database, principal: Principal, *, resident_id: str, request: ResidentUpdate
) -> dict[str, Any]:
    def decide(resident: dict[str, Any]) -> rules.ResidentChange:
        fields = {k: v for k, v in request.model_dump(exclude_unset=True).items() if v is not None}
        changed = {key: value for key, value in fields.items() if resident.get(key) != value}
        if not changed:
            raise InvalidInput("nothing to change", field=next(iter(fields), None))
        now = utcnow()
        return rules.ResidentChange(changed, {"change": "details_changed", "on": now.date().isoformat(),
                                              "by": principal.user_id, "at": now,
                                              "old": {k: resident.get(k) for k in changed}, "new": changed})

    return await _change_resident(database, principal, resident_id=resident_id, decide=decide)


async def change_phones(
    database: Database, principal: Principal, *, resident_id: str, request: PhonesChange
) -> dict[str, Any]:
    return await _change_resident(
        database, principal, resident_id=resident_id,
        decide=lambda resident: rules.change_phones(resident, request.phones, by=principal.user_id, at=utcnow()),
    )


async def move_in(database: Database, principal: Principal, *, resident_id: str, request: MoveIn) -> dict[str, Any]:
    resident = await find_resident(database, principal, resident_id=resident_id)
    await _units_of_estate(database, resident["estate_id"], unit_ids=[request.unit_id], field="unit_id")
    return await _change_resident(
        database, principal, resident_id=resident_id,
        decide=lambda r: rules.move_in(r, request.unit_id, on=request.moved_in_on, by=principal.user_id, at=utcnow()),
    )


async def move_out(database: Database, principal: Principal, *, resident_id: str, request: MoveOut) -> dict[str, Any]:
    return await _change_resident(
        database, principal, resident_id=resident_id,
        decide=lambda r: rules.move_out(r, request.unit_ids, on=request.moved_out_on, by=principal.user_id,
                                        at=utcnow()),
    )


async def transfer_ownership(
    database: Database, principal: Principal, *, unit_id: str, request: OwnershipTransfer
) -> dict[str, Any]:
    """过户: the unit's owners leave it, the new owner (existing or registered now) joins it."""
    if (request.new_owner_id is None) == (request.new_owner is None):
        raise InvalidInput("give either new_owner_id or new_owner", field="new_owner_id")
    unit = await find_unit(database, principal, unit_id=unit_id)
    people = await directory_store.residents_of_unit(database, unit["estate_id"], unit_id=unit_id)
    owners = [person for person in people if person["role"] == "owner" and person["status"] == "active"]
    now = utcnow()
    if request.new_owner is not None:
        estate = await intake.find_estate_in_scope(database, principal, estate_id=unit["estate_id"])
        new_owner = new_resident(
            estate, name=request.new_owner.name, phones=request.new_owner.phones, role="owner", unit_ids=[],
            move_in_date=request.transferred_on.isoformat(), preferred_channels=request.new_owner.preferred_channels,
            language=request.new_owner.language, by=principal.user_id, now=now,
        )
    else:
        new_owner = await directory_store.find(database, RESIDENTS, document_id=request.new_owner_id,
                                               scope={"estate_id": unit["estate_id"]})
        if new_owner is None:
            raise NotFound("resident", field="new_owner_id")
    leaving, joining = rules.transfer_ownership(owners, new_owner, unit_id=unit_id, on=request.transferred_on,
                                                by=principal.user_id, at=now)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        previous = [await apply_resident_change(uow, owner, change=change) for owner, change in leaving]
        if request.new_owner is not None:  # registered as the unit's owner, with the transfer in their history
            owner = {**new_owner, **joining.fields, "history": [*new_owner["history"], joining.entry]}
            await store.insert(uow, RESIDENTS, document=owner)
            uow.emit(registered_event(owner), **about(owner))
        else:
            owner = await apply_resident_change(uow, new_owner, change=joining)
        entry = {"change": "ownership_transferred", "on": request.transferred_on.isoformat(),
                 "by": principal.user_id, "at": now, "previous_owner_ids": [p["_id"] for p in previous],
                 "new_owner_id": owner["_id"]}
        if not await directory_store.change(uow, UNITS, document=unit, fields={}, entry=entry):
            raise Conflict("the unit changed meanwhile; read it again")
        uow.emit(unit_event(unit, UnitUpdated, change="ownership_transferred", owner_resident_ids=[owner["_id"]]),
                 subject=unit_id, company_id=unit["company_id"], estate_id=unit["estate_id"])
        return {"unit": {**unit, "history": [*unit["history"], entry]}, "new_owner": owner, "previous": previous}

    return await database.transaction(work)


# --- callers ----------------------------------------------------------------------------------


async def recognise_caller(database: Database | UnitOfWork, estate_id: str, *, phone: str) -> dict[str, Any] | None:
    """The resident a number belongs to in this estate (an indexed lookup), or None if unknown."""
    try:
        normalised = rules.normalise_phone(phone)
    except ValueError:
        return None
    return rules.pick_caller(await directory_store.residents_with_phone(database, estate_id, phone=normalised))


async def caller_fields(database: Database, estate_id: str, *, request: Any) -> dict[str, Any]:
    """What a contact learns from its caller's number (unless it names its resident): the resident,
    and their unit if they have only one and the contact names none."""
    if request.resident_id is not None or request.caller_phone is None:
        return {}
    resident = await recognise_caller(database, estate_id, phone=request.caller_phone)
    if resident is None:
        return {}
    only_unit = resident["unit_ids"][0] if len(resident["unit_ids"]) == 1 else None
    return {"resident_id": resident["_id"], "unit_id": request.unit_id or only_unit}


async def find_caller(database: Database, principal: Principal, *, estate_id: str, phone: str) -> dict[str, Any]:
    """The number as normalised, the resident it belongs to in the estate (404 if none) and their units."""
    await intake.find_estate_in_scope(database, principal, estate_id=estate_id)
    try:
        normalised = rules.normalise_phone(phone)
    except ValueError as error:
        raise InvalidInput(str(error), field="phone") from error
    resident = found(await recognise_caller(database, estate_id, phone=normalised), "resident")
    units = await directory_store.find_many(database, UNITS, ids=resident["unit_ids"], scope={"estate_id": estate_id})
    return {"phone": normalised, "resident": resident, "units": units}


async def link_contact(database: Database, principal: Principal, *, contact_id: str, request: ResidentLink
                       ) -> dict[str, Any]:
    """An unknown caller turned out to be a resident: the contact (and its ticket) now say who; returns the
    contact, its ticket under `ticket`."""
    contact = found(await store.find_contact(database, contact_id, scope=principal.estate_filter()), "contact")
    resident = await directory_store.find(database, RESIDENTS, document_id=request.resident_id,
                                          scope={"estate_id": contact["estate_id"]})
    if resident is None:
        raise NotFound("resident", field="resident_id")
    if contact.get("resident_id") not in (None, resident["_id"]):
        raise Conflict("the contact is linked to another resident already", field="resident_id")
    if request.unit_id is not None and request.unit_id not in resident["unit_ids"]:
        raise InvalidInput("the resident does not belong to this unit", field="unit_id")
    only_unit = resident["unit_ids"][0] if len(resident["unit_ids"]) == 1 else None
    fields = {"resident_id": resident["_id"], "unit_id": contact.get("unit_id") or request.unit_id or only_unit}

    async def work(uow: UnitOfWork) -> tuple[dict, dict | None]:
        await directory_store.link_contact(uow, store.CONTACTS, document_id=contact_id, fields=fields)
        ticket = contact["ticket_id"] and await store.find_ticket(uow, contact["ticket_id"], scope={})
        if ticket:  # through the ticket's own versioned write, with an entry in its history
            ticket_fields = {"resident_id": resident["_id"], "unit_id": ticket.get("unit_id") or fields["unit_id"]}
            entry = {"at": utcnow(), "action": "link_resident", "status": ticket["status"], "by": principal.user_id,
                     **ticket_fields}
            ticket = ticket_store.update_ticket(uow, ticket, fields=ticket_fields, entry=entry,
                                                conflict=Conflict("the ticket changed meanwhile; try again"))
        return {**contact, **fields}, ticket or None

    linked, ticket = await database.transaction(work)
    return {**linked, "ticket": ticket}
