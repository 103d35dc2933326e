"""The directory's use cases (一户一档): buildings and units, and finding what a caller may see.

Residents and callers are in `residents`, onboarding a whole estate from one file in
`directory_import`. Each change and its events commit together.
"""

from __future__ import annotations

from typing import Any

from services.intake import commands as intake
from services.intake import store
from services.intake.commands.inputs.directory import (
    BuildingCreate,
    UnitCreate,
    UnitUpdate,
)
from services.intake.domain import directory as rules
from services.intake.store import directory as directory_store
from services.intake.store.directory import BUILDINGS, RESIDENTS, UNITS
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import Presenter
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events import (
    UnitRegistered,
    UnitUpdated,
)
from shared.idempotency import create_once
from shared.lookup import found


def _is_staff(principal: Principal) -> bool:
    return bool(rules.READERS.intersection(principal.roles))


async def find_unit(database: Database, principal: Principal, *, unit_id: str) -> dict[str, Any]:
    """A unit in the caller's scope; a resident sees only the units of their token."""
    unit = await directory_store.find(database, UNITS, document_id=unit_id, scope=principal.estate_filter())
    if unit is None or not (_is_staff(principal) or unit_id in principal.unit_ids):
        raise NotFound("unit")
    return unit


async def find_resident(database: Database, principal: Principal, *, resident_id: str) -> dict[str, Any]:
    """A resident in the caller's scope; a resident (app user) sees only their own file."""
    resident = await directory_store.find(database, RESIDENTS, document_id=resident_id, scope=principal.estate_filter())
    if resident is None or not (_is_staff(principal) or resident_id == principal.user_id):
        raise NotFound("resident")
    return resident


# --- buildings and units -----------------------------------------------------------------------


async def register_building(
    database: Database, principal: Principal, *, estate_id: str, request: BuildingCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    estate = await intake.find_estate_in_scope(database, principal, estate_id=estate_id)
    document = {
        "_id": new_id(), "estate_id": estate_id, "company_id": estate["company_id"],
        **request.model_dump(), "registered_at": utcnow(),
    }

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, BUILDINGS, document=document)
        return present(document)

    return await create_once(
        database=database, principal=principal, key=idempotency_key, body=request, work=work,
        already_exists=Conflict(f"building {request.name} already exists in this estate", field="name"),
    )


def unit_event(unit: dict[str, Any], model: type[UnitRegistered] = UnitRegistered, **extra: Any) -> UnitRegistered:
    return model(
        unit_id=unit["_id"], **{k: unit[k] for k in ("building_id", "building_name", "number", "floor", "area_m2",
                                                      "kind")}, **extra,
    )


def new_unit(estate: dict[str, Any], building: dict[str, Any], *, number: str, floor, area_m2, kind, now) -> dict:
    return {
        "_id": new_id(), "estate_id": estate["_id"], "company_id": estate["company_id"],
        "building_id": building["_id"], "building_name": building["name"], "number": number, "floor": floor,
        "area_m2": area_m2, "kind": kind, "registered_at": now, "version": 1, "history": [],
    }


async def register_unit(
    database: Database, principal: Principal, *, estate_id: str, request: UnitCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    estate = await intake.find_estate_in_scope(database, principal, estate_id=estate_id)
    building = found(
        await directory_store.find(database, BUILDINGS, document_id=request.building_id,
                                   scope={"estate_id": estate_id}), "building"
    )
    unit = new_unit(estate, building, number=request.number, floor=request.floor, area_m2=request.area_m2,
                    kind=request.kind, now=utcnow())

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, UNITS, document=unit)
        uow.emit(unit_event(unit), subject=unit["_id"], company_id=unit["company_id"], estate_id=estate_id)
        return present(unit)

    return await create_once(
        database=database, principal=principal, key=idempotency_key, body=request, work=work,
        already_exists=Conflict(f"unit {request.number} already exists in {building['name']}", field="number"),
    )


async def update_unit(database: Database, principal: Principal, *, unit_id: str, request: UnitUpdate) -> dict[str, Any]:
    unit = await find_unit(database, principal, unit_id=unit_id)
    fields = request.model_dump(exclude_unset=True)
    if "kind" in fields and fields["kind"] is None:
        raise InvalidInput("a unit always has a kind", field="kind")
    changed = {key: value for key, value in fields.items() if unit.get(key) != value}
    if not changed:
        return unit
    now = utcnow()
    entry = {"change": "details_changed", "at": now, "by": principal.user_id,
             "old": {key: unit.get(key) for key in changed}, "new": changed}

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        if not await directory_store.change(uow, UNITS, document=unit, fields=changed, entry=entry):
            raise Conflict("the unit changed meanwhile; read it again")
        updated = {**unit, **changed}
        uow.emit(unit_event(updated, UnitUpdated), subject=unit_id, company_id=unit["company_id"],
                 estate_id=unit["estate_id"])
        return updated

    updated = await database.transaction(work)
    return await directory_store.find(database, UNITS, document_id=unit_id, scope={}) or updated
