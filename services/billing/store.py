"""Billing's database: for now, the estates it bills (a projection of intake's events)."""

from __future__ import annotations

from shared.db import Database
from shared.estates import ESTATES


async def ensure_indexes(database: Database) -> None:
    await database.db[ESTATES].create_index("company_id")


async def estates_in_scope(database: Database, scope: dict) -> list[dict]:
    return await database.db[ESTATES].find(scope).sort("_id", 1).to_list(1000)
