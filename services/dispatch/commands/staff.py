"""Staff, their duty, and department settings; the company's positions and their roster."""

from __future__ import annotations

from typing import Any

from services.dispatch import store
from services.dispatch.commands.inputs.staff import StaffCreate
from services.dispatch.domain.positions import is_company_position
from shared.auth import ALL_ESTATES, Principal
from shared.db import Database, UnitOfWork
from shared.documents import Presenter
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.idempotency import create_once


async def registered_name(database: Database | UnitOfWork, principal: Principal) -> str:
    """How a person is shown to people: their name in the staff register, else the token's name, else
    their id (a token need not carry a name)."""
    session = getattr(database, "session", None)
    staff = await database.db[store.STAFF].find_one({"_id": principal.user_id, "company_id": principal.company_id},
                                                    {"name": 1}, session=session)
    return (staff and staff.get("name")) or principal.name or principal.user_id


def require_company_wide(principal: Principal) -> None:
    """A company position is the company's business: only a caller whose scope is every estate."""
    if principal.estates != ALL_ESTATES:
        raise Forbidden("company positions are managed by callers whose scope is the whole company")


async def _check_estate(principal: Principal, request: StaffCreate) -> None:
    if is_company_position(request.position):
        if request.estate_id is not None:
            raise InvalidInput(f"{request.position} is a company position (公司值班领导): register it without "
                               "estate_id; every estate's ladder reaches it", field="estate_id")
        require_company_wide(principal)
        return
    if request.estate_id is None:
        raise InvalidInput("staff in this position belong to an estate", field="estate_id")
    await principal.require_estate(request.estate_id)


async def register_staff(
    database: Database, principal: Principal, *, request: StaffCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    await _check_estate(principal, request)
    document = {
        **request.model_dump(exclude={"staff_id"}), "_id": request.staff_id or new_id(),
        "company_id": principal.company_id, "on_leave": False, "open_orders": 0, "registered_at": utcnow(),
    }

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, store.STAFF, document=document)
        return present(document)

    return await create_once(
        database=database, principal=principal, key=idempotency_key, body=request, work=work,
        already_exists=Conflict(f"staff {document['_id']} already exists", field="staff_id"),
    )
