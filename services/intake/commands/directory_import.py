"""Onboarding an estate from one file (CSV, UTF-8 or GB18030, or XLSX): all or nothing.

The file is read and checked whole (every bad line named) before anything is written; units that
exist already refuse the whole file; the records go out to other services in parts."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import structlog
from pydantic import BaseModel

from services.intake import commands as intake
from services.intake.commands.directory import new_unit, unit_event
from services.intake.commands.residents import apply_resident_change, new_resident, registered_event
from services.intake.domain import directory as directory_rules
from services.intake.domain import directory_import as rules
from services.intake.store import directory as directory_store
from services.intake.store.directory import BUILDINGS, RESIDENTS, UNITS
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidInput, UnsupportedMediaType
from shared.events import (
    DirectoryImported,
)
from shared.idempotency import create_once
from shared.limits import PayloadTooLarge
from shared.spreadsheets import XLSX_MEDIA_TYPE, NotAWorkbook, workbook_rows

log = structlog.get_logger(__name__)
CSV_MEDIA_TYPE = "text/csv"
MAX_IMPORT_BYTES = 16 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000
MAX_IMPORT_COLUMNS = 40
IMPORT_EVENT_PART = 500


class ImportRejected(InvalidInput):
    """A file with bad lines: every line's problem is listed, nothing is applied."""

    code, title = "import_rejected", "The file has lines with errors; nothing was imported"

    def __init__(self, detail: str, errors: list[dict[str, Any]], *, error_count: int, status: int = 422) -> None:
        # `shared.problems` answers them as the problem's `errors` and `error_count`.
        super().__init__(detail, errors=errors, error_count=error_count)
        self.status = status
        self.errors = errors
        self.error_count = error_count


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
        yield from _capped(workbook_rows(content, MAX_IMPORT_COLUMNS))
    except NotAWorkbook as error:
        raise InvalidInput(str(error), field="file") from error


FILE_READERS = {CSV_MEDIA_TYPE: rows_of_csv, XLSX_MEDIA_TYPE: rows_of_xlsx}


class ImportedFile(BaseModel):
    """What an Idempotency-Key of an import remembers: the estate and the file's digest."""

    estate_id: str
    media_type: str
    sha256: str


async def import_directory(
    database: Database, principal: Principal, *, estate_id: str, content: bytes, media_type: str,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """A whole estate's directory from one file, all or nothing: checked in memory, then one transaction.

    A unit already in the directory is a conflict (409, its lines listed): an import adds
    buildings, units and residents, it never overwrites what is there. See decision 0008.
    """
    started = time.perf_counter()
    estate = await intake.find_estate_in_scope(database, principal, estate_id=estate_id)
    rows_of_file = FILE_READERS.get(media_type)
    if rows_of_file is None:
        raise UnsupportedMediaType(f"send the file as {CSV_MEDIA_TYPE} or {XLSX_MEDIA_TYPE}", field="Content-Type")
    plan = await asyncio.to_thread(lambda: rules.plan_import(rows_of_file(content)))
    if plan.error_count:
        raise ImportRejected(f"{plan.error_count} problem(s) in the file; nothing was imported",
                             plan.errors, error_count=plan.error_count)
    fingerprint = ImportedFile(estate_id=estate_id, media_type=media_type,
                               sha256=hashlib.sha256(content).hexdigest())

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        # Checked inside the transaction, so that a unit registered meanwhile is a conflict, not a duplicate.
        buildings = await directory_store.buildings_named(uow, estate_id, names=plan.buildings)
        _refuse_existing_units(plan, buildings, existing=await directory_store.existing_units(
            uow, estate_id, building_ids=[b["_id"] for b in buildings.values()]))
        phones = list({phone for resident in plan.residents for phone in resident.phones})
        known = await directory_store.residents_with_phones(uow, estate_id, phones=phones)
        documents = await asyncio.to_thread(_import_documents, estate, plan, buildings=buildings, known=known,
                                            by=principal.user_id)
        return await _write_import(uow, estate, documents=documents)

    checked = time.perf_counter()
    result = await create_once(
        database=database, principal=principal, key=idempotency_key, body=fingerprint, work=work,
        already_exists=Conflict("part of the directory was registered meanwhile; check and import again"),
    )
    done = time.perf_counter()
    log.info("directory imported", estate_id=estate_id, units=len(plan.units), residents=len(plan.residents),
             checked_ms=round((checked - started) * 1000), written_ms=round((done - checked) * 1000))
    return {**result, "duration_ms": round((done - started) * 1000)}


def _refuse_existing_units(plan: rules.ImportPlan, buildings: dict[str, dict], *, existing: set) -> None:
    clashes = [{"line": unit.line, "field": "unit", "message": f"unit {unit.building} {unit.number} already exists"}
               for unit in plan.units
               if unit.building in buildings and (buildings[unit.building]["_id"], unit.number) in existing]
    if clashes:
        raise ImportRejected(f"{len(clashes)} unit(s) of the file are in the directory already; nothing was imported",
                             clashes[: rules.MAX_ERRORS_REPORTED], error_count=len(clashes), status=409)


def _import_documents(
    estate: dict[str, Any], plan: rules.ImportPlan, *, buildings: dict[str, dict], known: list[dict], by: str
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
    units = {(u.building, u.number): new_unit(estate, by_name[u.building], number=u.number, floor=u.floor,
                                              area_m2=u.area_m2, kind=u.kind, now=now)
             for u in plan.units}
    residents, joining = [], []
    for r in plan.residents:
        unit_ids = [units[key]["_id"] for key in r.units]
        person = directory_rules.same_person(known, r.name, phones=r.phones)
        if person is None:
            residents.append(new_resident(
                estate, name=r.name, phones=r.phones, role=r.role, unit_ids=unit_ids, move_in_date=r.move_in_date,
                preferred_channels=[], language=r.language, by=by, now=now))
        else:
            on = date.fromisoformat(r.move_in_date) if r.move_in_date else now.date()
            joining.append((person,
                            directory_rules.join_units(person, unit_ids, on=on, by=by, at=now, import_id=import_id)))
    documents = {"import_id": import_id, "buildings": new_buildings, "units": list(units.values()),
                 "residents": residents, "joining": joining}
    return {**documents, "events": _import_events(documents)}


def _import_events(documents: dict[str, Any]) -> list[DirectoryImported]:
    """The import's records in parts of IMPORT_EVENT_PART records, rather than one event per record.

    Per-record events were measured: 15,000 of them took minutes to pass through the consumers
    (the archive, and later billing, dispatch, notification); 30 parts carry the same data.
    """
    units = [unit_event(unit) for unit in documents["units"]]
    residents = [registered_event(resident) for resident in documents["residents"]]
    chunks = [{"units": units[i:i + IMPORT_EVENT_PART]} for i in range(0, len(units), IMPORT_EVENT_PART)]
    chunks += [{"residents": residents[i:i + IMPORT_EVENT_PART]} for i in range(0, len(residents), IMPORT_EVENT_PART)]
    counts = _import_counts(documents)
    return [DirectoryImported(import_id=documents["import_id"], part=n, parts=max(len(chunks), 1), **counts, **chunk)
            for n, chunk in enumerate(chunks or [{}], start=1)]


def _import_counts(documents: dict[str, Any]) -> dict[str, int]:
    return {"buildings_registered": len(documents["buildings"]), "units_registered": len(documents["units"]),
            "residents_registered": len(documents["residents"]), "residents_joined": len(documents["joining"])}


async def _write_import(uow: UnitOfWork, estate: dict[str, Any], *, documents: dict[str, Any]) -> dict:
    scope = {"company_id": estate["company_id"], "estate_id": estate["_id"]}
    await directory_store.insert_many(uow, BUILDINGS, documents=documents["buildings"])
    await directory_store.insert_many(uow, UNITS, documents=documents["units"])
    await directory_store.insert_many(uow, RESIDENTS, documents=documents["residents"])
    for part in documents["events"]:
        uow.emit(part, subject=documents["import_id"], **scope)
    for person, change in documents["joining"]:  # few, as a rule: each with its own update event
        await apply_resident_change(uow, person, change=change)
    return {"import_id": documents["import_id"], **_import_counts(documents)}
