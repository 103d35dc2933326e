"""Staff, their duty, and department settings."""

from __future__ import annotations

from typing import Any

from services.dispatch import store
from services.dispatch.api.schemas import StaffCreate, StaffPublic
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import to_public
from shared.envelope import new_id, utcnow
from shared.errors import Conflict
from shared.idempotency import create_once


def staff_public(document: dict[str, Any]) -> StaffPublic:
    return to_public(StaffPublic, document)


async def register_staff(
    database: Database, principal: Principal, request: StaffCreate, *, idempotency_key: str | None
) -> dict[str, Any]:
    await principal.require_estate(request.estate_id)
    document = {
        **request.model_dump(exclude={"staff_id"}), "_id": request.staff_id or new_id(),
        "company_id": principal.company_id, "on_leave": False, "open_orders": 0, "registered_at": utcnow(),
    }

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, store.STAFF, document)
        return staff_public(document).model_dump(mode="json")

    return await create_once(
        database=database, principal=principal, key=idempotency_key, body=request, work=work,
        already_exists=Conflict(f"staff {document['_id']} already exists", field="staff_id"),
    )
