"""Who holds a position when nobody in it is on duty: the emergency plan reaches them all the same."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from services.dispatch.store import STAFF
from shared.db import UnitOfWork


async def holding_position(uow: UnitOfWork, estate_id: str, position: str) -> list[dict[str, Any]]:
    """The estate's staff in `position` not on leave, those on call first."""
    query = {"estate_id": estate_id, "position": position, "on_leave": {"$ne": True}}
    staff = await uow.db[STAFF].find(query, session=uow.session).sort("_id", ASCENDING).to_list(None)
    return sorted(staff, key=lambda person: not person.get("on_call", False))
