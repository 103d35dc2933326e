"""Reporting's database: the event archive and the daily figures read model."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from shared.db import Database, UnitOfWork

EVENTS = "events"
DAILY_FIGURES = "daily_figures"


async def ensure_indexes(database: Database) -> None:
    await database.db[EVENTS].create_index([("estate_id", ASCENDING), ("_id", ASCENDING)])


async def archive(uow: UnitOfWork, document: dict[str, Any]) -> None:
    await uow.db[EVENTS].insert_one(document, session=uow.session)


async def add_to_day(uow: UnitOfWork, figures_id: str, base: dict[str, Any], increments: dict[str, int]) -> None:
    await uow.db[DAILY_FIGURES].update_one(
        {"_id": figures_id}, {"$setOnInsert": base, "$inc": increments}, upsert=True, session=uow.session
    )


async def find_day(database: Database, figures_id: str, scope: dict[str, Any]) -> dict[str, Any] | None:
    return await database.db[DAILY_FIGURES].find_one({"_id": figures_id, **scope})
