"""The consumer of every event: archived once, the read models moved, the live board told.

While a rebuild runs, each batch also moves the rebuild's collections (the live board's too) and its
archived events say so, so that the rebuild neither misses nor repeats them.
"""

from __future__ import annotations

from typing import Any

from services.reporting import store
from services.reporting.commands import live_board
from services.reporting.commands.apply import apply
from services.reporting.store import rebuilds
from shared.consumer import Event, batched
from shared.db import UnitOfWork
from shared.envelope import Envelope, utcnow
from shared.estates import project_estates


def archived(envelope: Envelope, rebuild_id: str | None) -> dict[str, Any]:
    document = {
        "_id": envelope.id, "type": envelope.type, "routing_key": envelope.routing_key,
        "company_id": envelope.companyid, "estate_id": envelope.estateid, "subject": envelope.subject,
        "time": envelope.time, "received_at": utcnow(), "envelope": envelope.model_dump(mode="json"),
    }
    if rebuild_id is not None:
        document[rebuilds.APPLIED_TO] = rebuild_id
    return document


@batched
async def archive_and_count(uow: UnitOfWork, events: list[Event[Any]]) -> None:
    envelopes = [event.envelope for event in events]
    slots = await rebuilds.slots(uow)
    # Archived as it came: a carrier (a billing run's chunk of bills) is one document, not a thousand.
    came = {came.id: came for came in (event.carrier or event.envelope for event in events)}
    store.archive(uow, [archived(envelope, slots.rebuild_id) for envelope in came.values()])
    await project_estates(uow, [event for event in events if event.envelope.routing_key == "intake.estate.registered"])
    zones = await store.time_zones(uow, {envelope.estateid for envelope in envelopes})
    # The read models and the dashboards' live board, in the live set and in the one a rebuild is filling.
    for target in (slots.live, *([] if slots.rebuilding is None else [slots.rebuilding])):
        await apply(uow, envelopes, zones=zones, target=target)
        await live_board.apply(uow, envelopes, target=target)
