"""Reporting's event consumer: every event, archived once, and the live board moved by the batch."""

from __future__ import annotations

from typing import Any

from services.reporting import commands
from services.reporting.commands import live_board
from shared.consumer import Event, batched
from shared.db import UnitOfWork


@batched
async def archive_count_and_board(uow: UnitOfWork, events: list[Event[Any]]) -> None:
    for event in events:
        await commands.archive_and_count(uow, event.envelope)
    await live_board.apply(uow, events)


HANDLERS = {
    "#": archive_count_and_board,
}
