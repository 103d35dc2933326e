"""An estate's ticket settings: its own subcategories, extra fields, priority rules and follow-up time."""

from __future__ import annotations

from typing import Any

from services.intake.commands.estates import find_estate_in_scope
from services.intake.commands.inputs.tickets import TicketSettingsUpdate
from services.intake.domain import ticket_settings as catalog
from services.intake.store import tickets as ticket_store
from shared.auth import Principal
from shared.db import Database


async def get_settings(database: Database, principal: Principal, *, estate_id: str) -> dict[str, Any] | None:
    await find_estate_in_scope(database, principal, estate_id=estate_id)
    return await ticket_store.settings_document(database, estate_id)


async def put_settings(
    database: Database, principal: Principal, *, estate_id: str, request: TicketSettingsUpdate
) -> dict[str, Any] | None:
    """Replace the estate's additions; the defaults stay (an estate's subcategory may not repeat one)."""
    await find_estate_in_scope(database, principal, estate_id=estate_id)
    subcategories = {
        category: [name for name in dict.fromkeys(names) if name not in catalog.DEFAULT_SUBCATEGORIES.get(category, ())]
        for category, names in request.subcategories.items()
    }
    document = {**request.model_dump(mode="json"), "subcategories": subcategories}
    return await database.transaction(lambda uow: ticket_store.replace_settings(uow, estate_id, document=document))
