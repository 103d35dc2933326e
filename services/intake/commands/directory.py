"""The directory's use cases (一户一档): buildings, units, residents, callers, bulk import.

Every change to a resident is an update that leaves a history entry; nothing is deleted. Each
change and its events commit together.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import time
import zipfile
from collections.abc import Iterator
from datetime import date
from typing import Any

import openpyxl
import structlog
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel

from services.intake import commands as intake
from services.intake import store
from services.intake.api.directory_schemas import (
    BuildingCreate,
    BuildingPublic,
    CallerPublic,
    MoveIn,
    MoveOut,
    OwnershipTransfer,
    PhonesChange,
    ResidentCreate,
    ResidentLink,
    ResidentPublic,
    ResidentUpdate,
    UnitCreate,
    UnitPublic,
    UnitUpdate,
)
from services.intake.domain import directory as rules
from services.intake.store import directory as directory_store
from services.intake.store import tickets as ticket_store
from services.intake.store.directory import BUILDINGS, RESIDENTS, UNITS
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import about, to_public
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidInput, NotFound, UnsupportedMediaType
from shared.events import (
    DirectoryImported,
    ResidentMovedOut,
    ResidentRegistered,
    ResidentUpdated,
    UnitRegistered,
    UnitUpdated,
)
from shared.idempotency import create_once
from shared.limits import PayloadTooLarge
from shared.lookup import found

log = structlog.get_logger(__name__)
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 16 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000
MAX_IMPORT_COLUMNS = 40
IMPORT_EVENT_PART = 500
STAFF_ROLES = frozenset({"agent", "supervisor", "dispatcher", "billing_clerk", "estate_manager", "company_admin"})


class ImportRejected(InvalidInput):
    """A file with bad lines: every line's problem is listed, nothing is applied."""

    code, title = "import_rejected", "The file has lines with errors; nothing was imported"

    def __init__(self, detail: str, errors: list[dict[str, Any]], error_count: int, status: int = 422) -> None:
        # `shared.problems` answers them as the problem's `errors` and `error_count`.
        super().__init__(detail, errors=errors, error_count=error_count)
        self.status = status
        self.errors = errors
        self.error_count = error_count


# --- public views ------------------------------------------------------------------------


def building_public(document: dict[str, Any]) -> BuildingPublic:
    return to_public(BuildingPublic, document)


def unit_public(document: dict[str, Any]) -> UnitPublic:
    return to_public(UnitPublic, document)


def resident_public(document: dict[str, Any]) -> ResidentPublic:
    return to_public(ResidentPublic, document)


def _is_staff(principal: Principal) -> bool:
    return bool(STAFF_ROLES.intersection(principal.roles))


async def find_unit(database: Database, principal: Principal, unit_id: str) -> dict[str, Any]:
    """A unit in the caller's scope; a resident sees only the units of their token."""
    unit = await directory_store.find(database, UNITS, unit_id, principal.estate_filter())
    if unit is None or not (_is_staff(principal) or unit_id in principal.unit_ids):
        raise NotFound("unit")
    return unit


async def find_resident(database: Database, principal: Principal, resident_id: str) -> dict[str, Any]:
    """A resident in the caller's scope; a resident (app user) sees only their own file."""
    resident = await directory_store.find(database, RESIDENTS, resident_id, principal.estate_filter())
    if resident is None or not (_is_staff(principal) or resident_id == principal.user_id):
        raise NotFound("resident")
    return resident


# --- buildings and units -----------------------------------------------------------------------


async def register_building(
    database: Database, principal: Principal, estate_id: str, request: BuildingCreate, *, idempotency_key: str | None
) -> dict[str, Any]:
    estate = await intake.find_estate_in_scope(database, principal, estate_id)
    document = {
        "_id": new_id(), "estate_id": estate_id, "company_id": estate["company_id"],
        **request.model_dump(), "registered_at": utcnow(),
    }

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, BUILDINGS, document)
        return building_public(document).model_dump(mode="json")

    return await create_once(
        database=database, principal=principal, key=idempotency_key, body=request, work=work,
        already_exists=Conflict(f"building {request.name} already exists in this estate", field="name"),
    )


def _unit_event(unit: dict[str, Any], model: type[UnitRegistered] = UnitRegistered, **extra: Any) -> UnitRegistered:
    return model(
        unit_id=unit["_id"], **{k: unit[k] for k in ("building_id", "building_name", "number", "floor", "area_m2",
                                                      "kind")}, **extra,
    )


def _new_unit(estate: dict[str, Any], building: dict[str, Any], number: str, floor, area_m2, kind, now) -> dict:
    return {
        "_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"],
        "building_id": building["_id"], "building_name": building["name"], "number": number, "floor": floor,
        "area_m2": area_m2, "kind": kind, "registered_at": now, "version": 1, "history": [],
    }


async def register_unit(
    database: Database, principal: Principal, estate_id: str, request: UnitCreate, *, idempotency_key: str | None
) -> dict[str, Any]:
    estate = await intake.find_estate_in_scope(database, principal, estate_id)
    building = found(
        await directory_store.find(database, BUILDINGS, request.building_id, {"estate_id": estate_id}), "building"
    )
    unit = _new_unit(estate, building, request.number, request.floor, request.area_m2, request.kind, utcnow())

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, UNITS, unit)
        uow.emit(_unit_event(unit), subject=unit["_id"], company_id=unit["company_id"], estate_id=estate_id)
        return unit_public(unit).model_dump(mode="json")

    return await create_once(
        database=database, principal=principal, key=idempotency_key, body=request, work=work,
        already_exists=Conflict(f"unit {request.number} already exists in {building['name']}", field="number"),
    )


async def update_unit(database: Database, principal: Principal, unit_id: str, request: UnitUpdate) -> dict[str, Any]:
    unit = await find_unit(database, principal, unit_id)
    fields = request.model_dump(exclude_unset=True)
    if "kind" in fields and fields["kind"] is None:
        raise InvalidInput("a unit always has a kind", field="kind")
    changed = {key: value for key, value in fields.items() if unit.get(key) != value}
    if not changed:
        return unit_public(unit).model_dump(mode="json")
    now = utcnow()
    entry = {"change": "details_changed", "at": now, "by": principal.user_id,
             "old": {key: unit.get(key) for key in changed}, "new": changed}

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        if not await directory_store.change(uow, UNITS, unit, changed, entry):
            raise Conflict("the unit changed meanwhile; read it again")
        updated = {**unit, **changed}
        uow.emit(_unit_event(updated, UnitUpdated), subject=unit_id, company_id=unit["company_id"],
                 estate_id=unit["estate_id"])
        return updated

    updated = await database.transaction(work)
    return unit_public(await directory_store.find(database, UNITS, unit_id, {}) or updated).model_dump(mode="json")


# --- residents -------------------------------------------------------------------------------


def _resident_event(resident: dict[str, Any], change: str) -> ResidentUpdated:
    return ResidentUpdated(
        resident_id=resident["_id"], change=change,
        **{k: resident[k] for k in ("name", "phones", "role", "unit_ids", "status", "preferred_channels", "language")},
    )


def _registered_event(resident: dict[str, Any]) -> ResidentRegistered:
    return ResidentRegistered(
        resident_id=resident["_id"],
        **{k: resident[k] for k in ("name", "phones", "role", "unit_ids", "move_in_date", "preferred_channels",
                                    "language")},
    )


def _new_resident(estate: dict[str, Any], *, name: str, phones: list[str], role: str, unit_ids: list[str],
                  move_in_date: str | None, preferred_channels: list[str], language: str, by: str, now) -> dict:
    return {
        "_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"], "name": name,
        "phones": list(dict.fromkeys(phones)), "role": role, "unit_ids": list(dict.fromkeys(unit_ids)),
        "status": "active", "move_in_date": move_in_date, "moved_out_on": None,
        "preferred_channels": preferred_channels, "language": language, "registered_at": now, "version": 1,
        "history": [{"change": "registered", "on": move_in_date, "by": by, "at": now, "unit_ids": unit_ids}],
    }


async def _units_of_estate(database: Database, estate_id: str, unit_ids: list[str], field: str) -> list[dict]:
    units = await directory_store.find_many(database, UNITS, unit_ids, {"estate_id": estate_id})
    missing = set(unit_ids) - {unit["_id"] for unit in units}
    if missing:
        raise NotFound("unit", field=field, unit_ids=sorted(missing))
    return units


async def register_resident(
    database: Database, principal: Principal, estate_id: str, request: ResidentCreate, *, idempotency_key: str | None
) -> dict[str, Any]:
    estate = await intake.find_estate_in_scope(database, principal, estate_id)
    await _units_of_estate(database, estate_id, request.unit_ids, "unit_ids")
    resident = _new_resident(
        estate, name=request.name, phones=request.phones, role=request.role, unit_ids=request.unit_ids,
        move_in_date=request.move_in_date and request.move_in_date.isoformat(),
        preferred_channels=request.preferred_channels, language=request.language, by=principal.user_id, now=utcnow(),
    )

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, RESIDENTS, resident)
        uow.emit(_registered_event(resident), subject=resident["_id"], company_id=resident["company_id"],
                 estate_id=estate_id)
        return resident_public(resident).model_dump(mode="json")

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


async def _apply(
    uow: UnitOfWork, resident: dict[str, Any], change: rules.ResidentChange, *, reason: str | None = None
) -> dict[str, Any]:
    """Write one resident change and its event: moved_out when they left their last unit."""
    if not await directory_store.change(uow, RESIDENTS, resident, change.fields, change.entry):
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


async def _change_resident(database: Database, principal: Principal, resident_id: str, decide) -> dict[str, Any]:
    """Read the file, let the rule decide the change, write it with its event."""
    resident = await find_resident(database, principal, resident_id)
    change = decide(resident)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return await _apply(uow, resident, change)

    return resident_public(await database.transaction(work)).model_dump(mode="json")


async def update_resident(
    database: Database, principal: Principal, resident_id: str, request: ResidentUpdate
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

    return await _change_resident(database, principal, resident_id, decide)


async def change_phones(
    database: Database, principal: Principal, resident_id: str, request: PhonesChange
) -> dict[str, Any]:
    return await _change_resident(
        database, principal, resident_id,
        lambda resident: rules.change_phones(resident, request.phones, by=principal.user_id, at=utcnow()),
    )


async def move_in(database: Database, principal: Principal, resident_id: str, request: MoveIn) -> dict[str, Any]:
    resident = await find_resident(database, principal, resident_id)
    await _units_of_estate(database, resident["estate_id"], [request.unit_id], "unit_id")
    return await _change_resident(
        database, principal, resident_id,
        lambda r: rules.move_in(r, request.unit_id, request.moved_in_on, by=principal.user_id, at=utcnow()),
    )


async def move_out(database: Database, principal: Principal, resident_id: str, request: MoveOut) -> dict[str, Any]:
    return await _change_resident(
        database, principal, resident_id,
        lambda r: rules.move_out(r, request.unit_ids, request.moved_out_on, by=principal.user_id, at=utcnow()),
    )


async def transfer_ownership(
    database: Database, principal: Principal, unit_id: str, request: OwnershipTransfer
) -> dict[str, Any]:
    """过户: the unit's owners leave it, the new owner (existing or registered now) joins it."""
    if (request.new_owner_id is None) == (request.new_owner is None):
        raise InvalidInput("give either new_owner_id or new_owner", field="new_owner_id")
    unit = await find_unit(database, principal, unit_id)
    people = await directory_store.residents_of_unit(database, unit["estate_id"], unit_id)
    owners = [person for person in people if person["role"] == "owner" and person["status"] == "active"]
    now = utcnow()
    if request.new_owner is not None:
        estate = await intake.find_estate_in_scope(database, principal, unit["estate_id"])
        new_owner = _new_resident(
            estate, name=request.new_owner.name, phones=request.new_owner.phones, role="owner", unit_ids=[],
            move_in_date=request.transferred_on.isoformat(), preferred_channels=request.new_owner.preferred_channels,
            language=request.new_owner.language, by=principal.user_id, now=now,
        )
    else:
        new_owner = await directory_store.find(database, RESIDENTS, request.new_owner_id,
                                               {"estate_id": unit["estate_id"]})
        if new_owner is None:
            raise NotFound("resident", field="new_owner_id")
    leaving, joining = rules.transfer_ownership(owners, new_owner, unit_id, request.transferred_on,
                                                by=principal.user_id, at=now)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        previous = [await _apply(uow, owner, change) for owner, change in leaving]
        if request.new_owner is not None:  # registered as the unit's owner, with the transfer in their history
            owner = {**new_owner, **joining.fields, "history": [*new_owner["history"], joining.entry]}
            await store.insert(uow, RESIDENTS, owner)
            uow.emit(_registered_event(owner), **about(owner))
        else:
            owner = await _apply(uow, new_owner, joining)
        entry = {"change": "ownership_transferred", "on": request.transferred_on.isoformat(),
                 "by": principal.user_id, "at": now, "previous_owner_ids": [p["_id"] for p in previous],
                 "new_owner_id": owner["_id"]}
        if not await directory_store.change(uow, UNITS, unit, {}, entry):
            raise Conflict("the unit changed meanwhile; read it again")
        uow.emit(_unit_event(unit, UnitUpdated, change="ownership_transferred", owner_resident_ids=[owner["_id"]]),
                 subject=unit_id, company_id=unit["company_id"], estate_id=unit["estate_id"])
        return {"unit": {**unit, "history": [*unit["history"], entry]}, "new_owner": owner, "previous": previous}

    result = await database.transaction(work)
    return {
        "unit": unit_public(result["unit"]).model_dump(mode="json"),
        "new_owner": resident_public(result["new_owner"]).model_dump(mode="json"),
        "previous_owners": [resident_public(p).model_dump(mode="json") for p in result["previous"]],
    }


# --- callers ----------------------------------------------------------------------------------


async def recognise_caller(database: Database | UnitOfWork, estate_id: str, phone: str) -> dict[str, Any] | None:
    """The resident a number belongs to in this estate (an indexed lookup), or None if unknown."""
    try:
        normalised = rules.normalise_phone(phone)
    except ValueError:
        return None
    return rules.pick_caller(await directory_store.residents_with_phone(database, estate_id, normalised))


async def caller_fields(database: Database, estate_id: str, request: Any) -> dict[str, Any]:
    """What a contact learns from its caller's number (unless it names its resident): the resident,
    and their unit if they have only one and the contact names none."""
    if request.resident_id is not None or request.caller_phone is None:
        return {}
    resident = await recognise_caller(database, estate_id, request.caller_phone)
    if resident is None:
        return {}
    only_unit = resident["unit_ids"][0] if len(resident["unit_ids"]) == 1 else None
    return {"resident_id": resident["_id"], "unit_id": request.unit_id or only_unit}


async def find_caller(database: Database, principal: Principal, estate_id: str, phone: str) -> CallerPublic:
    await intake.find_estate_in_scope(database, principal, estate_id)
    try:
        normalised = rules.normalise_phone(phone)
    except ValueError as error:
        raise InvalidInput(str(error), field="phone") from error
    resident = found(await recognise_caller(database, estate_id, normalised), "resident")
    units = await directory_store.find_many(database, UNITS, resident["unit_ids"], {"estate_id": estate_id})
    return CallerPublic(phone=normalised, resident=resident_public(resident), units=[unit_public(u) for u in units])


async def link_contact(database: Database, principal: Principal, contact_id: str, request: ResidentLink) -> Any:
    """An unknown caller turned out to be a resident: the contact (and its ticket) now say who."""
    contact = found(await store.find_contact(database, contact_id, principal.estate_filter()), "contact")
    resident = await directory_store.find(database, RESIDENTS, request.resident_id, {"estate_id": contact["estate_id"]})
    if resident is None:
        raise NotFound("resident", field="resident_id")
    if contact.get("resident_id") not in (None, resident["_id"]):
        raise Conflict("the contact is linked to another resident already", field="resident_id")
    if request.unit_id is not None and request.unit_id not in resident["unit_ids"]:
        raise InvalidInput("the resident does not belong to this unit", field="unit_id")
    only_unit = resident["unit_ids"][0] if len(resident["unit_ids"]) == 1 else None
    fields = {"resident_id": resident["_id"], "unit_id": contact.get("unit_id") or request.unit_id or only_unit}

    async def work(uow: UnitOfWork) -> tuple[dict, dict | None]:
        await directory_store.link_contact(uow, store.CONTACTS, contact_id, fields)
        ticket = contact["ticket_id"] and await store.find_ticket(uow, contact["ticket_id"], {})
        if ticket:  # through the ticket's own versioned write, with an entry in its history
            ticket_fields = {"resident_id": resident["_id"], "unit_id": ticket.get("unit_id") or fields["unit_id"]}
            entry = {"at": utcnow(), "action": "link_resident", "status": ticket["status"], "by": principal.user_id,
                     **ticket_fields}
            if not await ticket_store.update_ticket(uow, ticket, ticket_fields, entry):
                raise Conflict("the ticket changed meanwhile; try again")
            ticket = {**ticket, **ticket_fields, "version": ticket.get("version", 1) + 1,
                      "history": [*ticket.get("history", []), entry]}
        return {**contact, **fields}, ticket or None

    linked, ticket = await database.transaction(work)
    return intake.contact_public(linked, ticket)


# --- bulk import ------------------------------------------------------------------------------


def _capped(rows) -> Iterator:
    for count, row in enumerate(rows):
        if count > MAX_IMPORT_ROWS:
            raise PayloadTooLarge(f"a file holds at most {MAX_IMPORT_ROWS} lines; split it by building")
        yield row


def rows_of_csv(content: bytes) -> Iterator[list[str]]:
    """UTF-8 (with or without the BOM Excel writes), or GB18030 as Chinese Excel saves CSV."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("the CSV file is neither UTF-8 nor GB18030 text", field="file")
    try:
        yield from _capped(row[:MAX_IMPORT_COLUMNS] for row in csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise InvalidInput(f"the CSV file cannot be read: {error}", field="file") from error


def rows_of_xlsx(content: bytes) -> Iterator[tuple]:
    """The first sheet of a workbook, values only (formulas as last computed)."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise InvalidInput("the file is not an XLSX workbook", field="file") from error
    try:
        sheet = workbook.worksheets[0]
        yield from _capped(sheet.iter_rows(max_col=MAX_IMPORT_COLUMNS, values_only=True))
    finally:
        workbook.close()


FILE_READERS = {CSV_MEDIA_TYPE: rows_of_csv, XLSX_MEDIA_TYPE: rows_of_xlsx}


class ImportedFile(BaseModel):
    """What an Idempotency-Key of an import remembers: the estate and the file's digest."""

    estate_id: str
    media_type: str
    sha256: str


async def import_directory(
    database: Database, principal: Principal, estate_id: str, content: bytes, media_type: str,
    *, idempotency_key: str | None,
) -> dict[str, Any]:
    """A whole estate's directory from one file, all or nothing: checked in memory, then one transaction.

    A unit already in the directory is a conflict (409, its lines listed): an import adds
    buildings, units and residents, it never overwrites what is there. See decision 0008.
    """
    started = time.perf_counter()
    estate = await intake.find_estate_in_scope(database, principal, estate_id)
    rows_of_file = FILE_READERS.get(media_type)
    if rows_of_file is None:
        raise UnsupportedMediaType(f"send the file as {CSV_MEDIA_TYPE} or {XLSX_MEDIA_TYPE}", field="Content-Type")
    plan = await asyncio.to_thread(lambda: rules.plan_import(rows_of_file(content)))
    if plan.error_count:
        raise ImportRejected(f"{plan.error_count} problem(s) in the file; nothing was imported",
                             plan.errors, plan.error_count)
    fingerprint = ImportedFile(estate_id=estate_id, media_type=media_type,
                               sha256=hashlib.sha256(content).hexdigest())

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        # Checked inside the transaction, so that a unit registered meanwhile is a conflict, not a duplicate.
        buildings = await directory_store.buildings_named(uow, estate_id, plan.buildings)
        _refuse_existing_units(plan, buildings, await directory_store.existing_units(
            uow, estate_id, [b["_id"] for b in buildings.values()]))
        phones = list({phone for resident in plan.residents for phone in resident.phones})
        known = await directory_store.residents_with_phones(uow, estate_id, phones)
        documents = await asyncio.to_thread(_import_documents, estate, plan, buildings, known, by=principal.user_id)
        return await _write_import(uow, estate, documents)

    checked = time.perf_counter()
    result = await create_once(
        database=database, principal=principal, key=idempotency_key, body=fingerprint, work=work,
        already_exists=Conflict("part of the directory was registered meanwhile; check and import again"),
    )
    done = time.perf_counter()
    log.info("directory imported", estate_id=estate_id, units=len(plan.units), residents=len(plan.residents),
             checked_ms=round((checked - started) * 1000), written_ms=round((done - checked) * 1000))
    return {**result, "duration_ms": round((done - started) * 1000)}


def _refuse_existing_units(plan: rules.ImportPlan, buildings: dict[str, dict], existing: set) -> None:
    clashes = [{"line": unit.line, "field": "unit", "message": f"unit {unit.building} {unit.number} already exists"}
               for unit in plan.units
               if unit.building in buildings and (buildings[unit.building]["_id"], unit.number) in existing]
    if clashes:
        raise ImportRejected(f"{len(clashes)} unit(s) of the file are in the directory already; nothing was imported",
                             clashes[: rules.MAX_ERRORS_REPORTED], len(clashes), status=409)


def _import_documents(
    estate: dict[str, Any], plan: rules.ImportPlan, buildings: dict[str, dict], known: list[dict], *, by: str
) -> dict[str, Any]:
    """New buildings, units and residents; a person already in the directory (same name and a
    shared phone, e.g. an owner whose parking space comes in a later file) joins the new units."""
    now, import_id = utcnow(), new_id()
    new_buildings = [
        {"_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"], "name": name,
         "floors": None, "registered_at": now, "import_id": import_id}
        for name in plan.buildings if name not in buildings
    ]
    by_name = {**buildings, **{b["name"]: b for b in new_buildings}}
    units = {(u.building, u.number): _new_unit(estate, by_name[u.building], u.number, u.floor, u.area_m2, u.kind, now)
             for u in plan.units}
    residents, joining = [], []
    for r in plan.residents:
        unit_ids = [units[key]["_id"] for key in r.units]
        person = rules.same_person(known, r.name, r.phones)
        if person is None:
            residents.append(_new_resident(
                estate, name=r.name, phones=r.phones, role=r.role, unit_ids=unit_ids, move_in_date=r.move_in_date,
                preferred_channels=[], language=r.language, by=by, now=now))
        else:
            on = date.fromisoformat(r.move_in_date) if r.move_in_date else now.date()
            joining.append((person, rules.join_units(person, unit_ids, on, by=by, at=now, import_id=import_id)))
    documents = {"import_id": import_id, "buildings": new_buildings, "units": list(units.values()),
                 "residents": residents, "joining": joining}
    return {**documents, "events": _import_events(documents)}


def _import_events(documents: dict[str, Any]) -> list[DirectoryImported]:
    """The import's records in parts of IMPORT_EVENT_PART records, rather than one event per record.

    Per-record events were measured: 15,000 of them took minutes to pass through the consumers
    (the archive, and later billing, dispatch, notification); 30 parts carry the same data.
    """
    units = [_unit_event(unit) for unit in documents["units"]]
    residents = [_registered_event(resident) for resident in documents["residents"]]
    chunks = [{"units": units[i:i + IMPORT_EVENT_PART]} for i in range(0, len(units), IMPORT_EVENT_PART)]
    chunks += [{"residents": residents[i:i + IMPORT_EVENT_PART]} for i in range(0, len(residents), IMPORT_EVENT_PART)]
    counts = _import_counts(documents)
    return [DirectoryImported(import_id=documents["import_id"], part=n, parts=max(len(chunks), 1), **counts, **chunk)
            for n, chunk in enumerate(chunks or [{}], start=1)]


def _import_counts(documents: dict[str, Any]) -> dict[str, int]:
    return {"buildings_registered": len(documents["buildings"]), "units_registered": len(documents["units"]),
            "residents_registered": len(documents["residents"]), "residents_joined": len(documents["joining"])}


async def _write_import(uow: UnitOfWork, estate: dict[str, Any], documents: dict[str, Any]) -> dict:
    scope = {"company_id": estate["company_id"], "estate_id": estate["_id"]}
    await directory_store.insert_many(uow, BUILDINGS, documents["buildings"])
    await directory_store.insert_many(uow, UNITS, documents["units"])
    await directory_store.insert_many(uow, RESIDENTS, documents["residents"])
    for part in documents["events"]:
        uow.emit(part, subject=documents["import_id"], **scope)
    for person, change in documents["joining"]:  # few, as a rule: each with its own update event
        await _apply(uow, person, change)
    return {"import_id": documents["import_id"], **_import_counts(documents)}
