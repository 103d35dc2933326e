"""Periodic jobs of a service (the SLA clock, the handover watch, the ledger's head publisher): one
pass every interval, a failed pass logged and tried again on the next, cancelled with the service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import structlog

from shared.db import Database
from shared.settings import ServiceSettings

log = structlog.get_logger(__name__)
S = TypeVar("S", bound=ServiceSettings)


@dataclass(frozen=True)
class PeriodicJob(Generic[S]):
    """A background task of `ServiceDefinition.background`: `run_pass` every `interval_s(settings)`."""

    name: str
    run_pass: Callable[[Database, S], Awaitable[Any]]
    interval_s: Callable[[S], float]
    # Run once before the first pass (a cursor to create); its failure stops the service's start.
    prepare: Callable[[Database], Awaitable[Any]] | None = None

    async def __call__(self, database: Database, settings: S) -> None:
        if self.prepare is not None:
            await self.prepare(database)
        interval = self.interval_s(settings)
        while True:
            try:
                await self.run_pass(database, settings)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database away for a moment: the next pass catches up
                log.warning("periodic job pass failed", job=self.name, error=repr(error))
            await asyncio.sleep(interval)
