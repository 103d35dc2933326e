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
    """With the batch's other events, in one insert at the commit (the inbox has made each one new)."""
    uow.add(EVENTS, document)


async def add_to_day(uow: UnitOfWork, figures_id: str, base: dict[str, Any], increments: dict[str, int]) -> None:
    """Counted in the unit of work; each day's document written once per batch."""
    held: dict[str, tuple[dict[str, Any], dict[str, int]]] = uow.held.setdefault(DAILY_FIGURES, {})
    _base, counted = held.setdefault(figures_id, (base, {}))
    for name, value in increments.items():
        counted[name] = counted.get(name, 0) + value
    uow.before_commit(DAILY_FIGURES, lambda: _write_days(uow, held))


async def _write_days(uow: UnitOfWork, held: dict[str, tuple[dict[str, Any], dict[str, int]]]) -> None:
    for figures_id, (base, counted) in held.items():
        await uow.db[DAILY_FIGURES].update_one(
            {"_id": figures_id}, {"$setOnInsert": base, "$inc": counted}, upsert=True, session=uow.session
        )


async def find_day(database: Database, figures_id: str, scope: dict[str, Any]) -> dict[str, Any] | None:
    return await database.db[DAILY_FIGURES].find_one({"_id": figures_id, **scope})
