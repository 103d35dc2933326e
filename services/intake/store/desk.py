"""Indexes of the service desk's collections beyond tickets: incidents, patrols, surveys, quality checks."""

from __future__ import annotations

from services.intake.store import incidents, patrols, quality, surveys
from shared.db import Database


async def ensure_indexes(database: Database) -> None:
    await incidents.ensure_indexes(database)
    await patrols.ensure_indexes(database)
    await surveys.ensure_indexes(database)
    await quality.ensure_indexes(database)
