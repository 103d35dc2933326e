"""The directory's HTTP API (一户一档): buildings, units, residents, callers, bulk import."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.intake.api import views
from services.intake.api.contacts_schemas import ContactPublic
from services.intake.api.deps import DirectoryReaders, DirectoryReadersAndResidents, FrontDesk, Supervisors
from services.intake.api.directory_schemas import (
    BuildingPublic,
    CallerPublic,
    ImportResult,
    OwnershipTransferred,
    ResidentPublic,
    UnitPublic,
)
from services.intake.commands import directory as commands
from services.intake.commands import directory_import, residents
from services.intake.commands.inputs.directory import (
    BuildingCreate,
    MoveIn,
    MoveOut,
    OwnershipTransfer,
    PhonesChange,
    ResidentCreate,
    ResidentLink,
    ResidentUpdate,
    UnitCreate,
    UnitUpdate,
)
from services.intake.domain.directory import ResidentRole, ResidentStatus, UnitKind, normalise_phone
from services.intake.store.directory import BUILDINGS, RESIDENTS, UNITS
from shared.auth import estate_query
from shared.documents import presenter, to_public
from shared.errors import InvalidInput
from shared.idempotency import IdempotencyKey
from shared.limits import PayloadTooLarge
from shared.pagination import Page, PageQuery, page_of
from shared.service import DatabaseDep

router = APIRouter(prefix="/v1", tags=["directory"])


# --- buildings -------------------------------------------------------------------------------


@router.post("/estates/{estate_id}/buildings", status_code=201, response_model=BuildingPublic)
async def register_building(
    estate_id: str, body: BuildingCreate, *, principal: FrontDesk, database: DatabaseDep,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    return await commands.register_building(database, principal, estate_id=estate_id, request=body,
                                            idempotency_key=idempotency_key,
                                            present=presenter(BuildingPublic))


@router.get("/estates/{estate_id}/buildings", response_model=Page[BuildingPublic])
async def list_buildings(estate_id: str, principal: DirectoryReaders, *, database: DatabaseDep,
                         page: PageQuery) -> Page:
    query = await estate_query(principal, estate_id)
    return await page_of(database.db[BUILDINGS], query, page=page, view=BuildingPublic, newest_first=False)


# --- units -----------------------------------------------------------------------------------


@router.post("/estates/{estate_id}/units", status_code=201, response_model=UnitPublic)
async def register_unit(
    estate_id: str, body: UnitCreate, *, principal: FrontDesk, database: DatabaseDep,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    return await commands.register_unit(database, principal, estate_id=estate_id, request=body,
                                        idempotency_key=idempotency_key,
                                        present=presenter(UnitPublic))


@router.get("/estates/{estate_id}/units", response_model=Page[UnitPublic])
async def list_units(
    estate_id: str, principal: DirectoryReaders, *, database: DatabaseDep, page: PageQuery,
    building_id: str | None = None, kind: UnitKind | None = None,
) -> Page:
    query = await estate_query(principal, estate_id, building_id=building_id, kind=kind)
    return await page_of(database.db[UNITS], query, page=page, view=UnitPublic, newest_first=False)


@router.get("/units/{unit_id}", response_model=UnitPublic)
async def get_unit(unit_id: str, principal: DirectoryReadersAndResidents, *, database: DatabaseDep) -> UnitPublic:
    return to_public(UnitPublic, await commands.find_unit(database, principal, unit_id=unit_id))


@router.patch("/units/{unit_id}", response_model=UnitPublic)
async def update_unit(unit_id: str, body: UnitUpdate, *, principal: FrontDesk, database: DatabaseDep) -> dict:
    return to_public(UnitPublic, await commands.update_unit(database, principal, unit_id=unit_id, request=body))


@router.post("/units/{unit_id}/ownership-transfer", response_model=OwnershipTransferred)
async def transfer_ownership(
    unit_id: str, body: OwnershipTransfer, *, principal: FrontDesk, database: DatabaseDep
) -> dict:
    """过户: the unit's owners leave it (kept in their history); the new owner joins it."""
    return views.transfer_public(await residents.transfer_ownership(database, principal, unit_id=unit_id, request=body))


# --- residents ---------------------------------------------------------------------------------


@router.post("/estates/{estate_id}/residents", status_code=201, response_model=ResidentPublic)
async def register_resident(
    estate_id: str, body: ResidentCreate, *, principal: FrontDesk, database: DatabaseDep,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    return await residents.register_resident(database, principal, estate_id=estate_id, request=body,
                                             idempotency_key=idempotency_key,
                                            present=presenter(ResidentPublic))


def _phone_filter(phone: str | None) -> str | None:
    if phone is None:
        return None
    try:
        return normalise_phone(phone)
    except ValueError as error:
        raise InvalidInput(str(error), field="phone") from error


@router.get("/estates/{estate_id}/residents", response_model=Page[ResidentPublic])
async def list_residents(
    estate_id: str, principal: DirectoryReaders, *, database: DatabaseDep, page: PageQuery,
    unit_id: str | None = None, phone: str | None = None, role: ResidentRole | None = None,
    status: ResidentStatus | None = None,
) -> Page:
    query = await estate_query(principal, estate_id, unit_ids=unit_id, phones=_phone_filter(phone), role=role,
                               status=status)
    return await page_of(database.db[RESIDENTS], query, page=page, view=ResidentPublic, newest_first=False)


@router.get("/residents/{resident_id}", response_model=ResidentPublic)
async def get_resident(resident_id: str, principal: DirectoryReadersAndResidents, *,
                       database: DatabaseDep) -> ResidentPublic:
    return to_public(ResidentPublic, await commands.find_resident(database, principal, resident_id=resident_id))


@router.patch("/residents/{resident_id}", response_model=ResidentPublic)
async def update_resident(resident_id: str, body: ResidentUpdate, *, principal: FrontDesk,
                          database: DatabaseDep) -> dict:
    return to_public(ResidentPublic,
                     await residents.update_resident(database, principal, resident_id=resident_id, request=body))


@router.put("/residents/{resident_id}/phones", response_model=ResidentPublic)
async def change_phones(resident_id: str, body: PhonesChange, *, principal: FrontDesk, database: DatabaseDep) -> dict:
    """The old numbers stay in the history; the caller is recognised by the new ones from now on."""
    return to_public(ResidentPublic,
                     await residents.change_phones(database, principal, resident_id=resident_id, request=body))


@router.post("/residents/{resident_id}/move-in", response_model=ResidentPublic)
async def move_in(resident_id: str, body: MoveIn, *, principal: FrontDesk, database: DatabaseDep) -> dict:
    return to_public(ResidentPublic,
                     await residents.move_in(database, principal, resident_id=resident_id, request=body))


@router.post("/residents/{resident_id}/move-out", response_model=ResidentPublic)
async def move_out(resident_id: str, body: MoveOut, *, principal: FrontDesk, database: DatabaseDep) -> dict:
    """Out of some units, or all: out of the last one, the file is kept and marked moved out."""
    return to_public(ResidentPublic,
                     await residents.move_out(database, principal, resident_id=resident_id, request=body))


# --- callers and contacts ----------------------------------------------------------------------


@router.get("/estates/{estate_id}/callers/{phone}", response_model=CallerPublic)
async def recognise_caller(estate_id: str, phone: str, *, principal: DirectoryReaders,
                           database: DatabaseDep) -> CallerPublic:
    """Who is calling: the resident a number belongs to in this estate, and their units (404 if unknown)."""
    return views.caller_public(await residents.find_caller(database, principal, estate_id=estate_id, phone=phone))


@router.post("/contacts/{contact_id}/link-resident", response_model=ContactPublic)
async def link_resident(contact_id: str, body: ResidentLink, *, principal: FrontDesk, database: DatabaseDep) -> Any:
    """An unknown caller turned out to be a resident: the contact and its ticket say who from now on."""
    linked = await residents.link_contact(database, principal, contact_id=contact_id, request=body)
    return views.contact_public(linked, linked["ticket"])


# --- bulk import -------------------------------------------------------------------------------

IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "description": "The whole file as the body (no multipart); lines as described in the README.",
        "content": {
            directory_import.CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
            directory_import.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


async def _read_file(request: Request) -> bytes:
    """The body up to the limit; beyond it 413 (what is sent anyway is read and dropped, up to a point)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= directory_import.MAX_IMPORT_BYTES:
            chunks.append(chunk)
        elif size > 4 * directory_import.MAX_IMPORT_BYTES:
            break
    if size > directory_import.MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"an import file is at most {directory_import.MAX_IMPORT_BYTES // 2**20} MiB")
    return b"".join(chunks)


@router.post("/estates/{estate_id}/directory/import", status_code=201, response_model=ImportResult,
             openapi_extra=IMPORT_BODY, responses={409: {}, 413: {}, 415: {}, 422: {}})
async def import_directory(
    estate_id: str, request: Request, *, principal: Supervisors, database: DatabaseDep,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Buildings, units and residents of an estate from one CSV or XLSX file, all or nothing.

    A file with bad lines answers 422 with every line's problem in `errors`; units that exist
    already answer 409 with their lines; either way nothing is imported.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    content = await _read_file(request)
    return await directory_import.import_directory(
        database, principal, estate_id=estate_id, content=content, media_type=media_type,
        idempotency_key=idempotency_key
    )
