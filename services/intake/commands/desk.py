"""What the service desk's use cases share: the estate in the caller's scope, an event's scope."""

from __future__ import annotations

from typing import Any

from services.intake import store
from shared.auth import Principal
from shared.db import Database
from shared.errors import NotFound


async def estate_in_scope(database: Database, principal: Principal, estate_id: str) -> dict[str, Any]:
    """The estate, or 404 when it does not exist or lies outside the caller's scope."""
    principal.require_estate(estate_id)
    estate = await store.find_estate(database, estate_id)
    if estate is None or estate["company_id"] != principal.company_id:
        raise NotFound("estate")
    return estate


def event_scope(document: dict[str, Any]) -> dict[str, str]:
    """`uow.emit` keywords for an event about a stored document."""
    return {"subject": document["_id"], "company_id": document["company_id"], "estate_id": document["estate_id"]}
