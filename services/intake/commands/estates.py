"""Estates: registered by a company admin; every other command finds its estate here (404 outside scope)."""

from __future__ import annotations

from typing import Any

from services.intake import store
from services.intake.commands.inputs.contacts import EstateCreate
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import Presenter
from shared.envelope import utcnow
from shared.errors import Conflict, NotFound
from shared.events import EstateRegistered
from shared.idempotency import create_once
from shared.lookup import found

ESTATE_DETAILS = ("address", "hotline_number", "business_hours")


async def register_estate(
    database: Database, principal: Principal, *, request: EstateCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    if not principal.may_act_in(request.estate_id):  # not registered yet: only the token's scope applies
        raise NotFound("estate")
    document = {
        "_id": request.estate_id, "estate_id": request.estate_id, "company_id": principal.company_id,
        "name": request.name, "time_zone": request.time_zone, "registered_at": utcnow(),
        **request.model_dump(mode="json", include=set(ESTATE_DETAILS)),
    }

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, store.ESTATES, document=document)
        uow.emit(
            EstateRegistered(estate_id=request.estate_id, name=request.name, time_zone=request.time_zone,
                             **{k: document[k] for k in ESTATE_DETAILS}),
            subject=request.estate_id, company_id=principal.company_id, estate_id=request.estate_id,
        )
        return present(document)

    return await create_once(
        database=database, principal=principal, key=idempotency_key, body=request, work=work,
        already_exists=Conflict(f"estate {request.estate_id} is already registered", field="estate_id"),
    )


async def find_estate_in_scope(
    database: Database, principal: Principal, *, estate_id: str, cached: bool = False
) -> dict[str, Any]:
    """The estate, or 404 outside the caller's scope. `cached`: for the hot path, which needs only
    what never changes (company, time zone)."""
    await principal.require_estate(estate_id)  # in scope, and of the caller's company
    estate = found(await (store.find_estate_cached if cached else store.find_estate)(database, estate_id), "estate")
    return estate
