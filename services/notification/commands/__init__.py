"""Notification's use cases: keep its copies of people, turn events into messages, deliver them."""

from __future__ import annotations

from services.notification.commands.drafting import draft_messages
from services.notification.commands.projection import project
from shared.consumer import Event, batched
from shared.db import UnitOfWork


@batched
async def on_events(uow: UnitOfWork, events: list[Event]) -> None:
    """Every event notification consumes: its copies first, then the messages the rules ask for."""
    await project(uow, events)
    await draft_messages(uow, events)
