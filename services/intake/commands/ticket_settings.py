"""An estate's ticket settings: its own subcategories, extra fields, priority rules and follow-up time."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from services.intake.api.ticket_schemas import TicketSettingsPublic, TicketSettingsUpdate
from services.intake.commands.estates import find_estate_in_scope
from services.intake.domain import ticket_settings as catalog
from services.intake.domain.priority import DEFAULT_PRIORITY_RULES
from services.intake.store import tickets as ticket_store
from shared.auth import Principal
from shared.db import Database


def settings_public(estate_id: str, document: dict[str, Any] | None) -> TicketSettingsPublic:
    settings = catalog.settings_from_document(document)
    document = document or {}
    categories = sorted({*catalog.DEFAULT_SUBCATEGORIES, *settings.subcategories})
    return TicketSettingsPublic(
        estate_id=estate_id, subcategories=document.get("subcategories", {}), fields=document.get("fields", []),
        priority_rules=document.get("priority_rules", []),
        follow_up_within_hours=document.get("follow_up_within_hours", 24),
        effective_subcategories={category: list(settings.subcategories_of(category)) for category in categories},
        default_priority_rules=[asdict(rule) for rule in DEFAULT_PRIORITY_RULES],
    )


async def get_settings(database: Database, principal: Principal, estate_id: str) -> TicketSettingsPublic:
    await find_estate_in_scope(database, principal, estate_id)
    return settings_public(estate_id, await ticket_store.settings_document(database, estate_id))


async def put_settings(
    database: Database, principal: Principal, estate_id: str, request: TicketSettingsUpdate
) -> TicketSettingsPublic:
    """Replace the estate's additions; the defaults stay (an estate's subcategory may not repeat one)."""
    await find_estate_in_scope(database, principal, estate_id)
    subcategories = {
        category: [name for name in dict.fromkeys(names) if name not in catalog.DEFAULT_SUBCATEGORIES.get(category, ())]
        for category, names in request.subcategories.items()
    }
    document = {**request.model_dump(mode="json"), "subcategories": subcategories}
    return settings_public(estate_id, await ticket_store.replace_settings(database, estate_id, document))
