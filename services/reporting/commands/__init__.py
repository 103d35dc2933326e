"""Reporting's use cases: archive every event, move the read models."""

from __future__ import annotations

from services.reporting import store
from services.reporting.domain import figures as rules
from shared.db import UnitOfWork
from shared.envelope import Envelope, utcnow
from shared.estates import estate_time_zone, project_estate


async def archive_and_count(uow: UnitOfWork, envelope: Envelope) -> None:
    await store.archive(uow, {
        "_id": envelope.id, "type": envelope.type, "routing_key": envelope.routing_key,
        "company_id": envelope.companyid, "estate_id": envelope.estateid, "subject": envelope.subject,
        "time": envelope.time, "received_at": utcnow(), "envelope": envelope.model_dump(mode="json"),
    })
    if envelope.routing_key == "intake.estate.registered":
        await project_estate(uow, envelope)
    increments = rules.increments_for(envelope.routing_key, envelope.data)
    if increments:
        day = rules.attribution_day(envelope.time, await estate_time_zone(uow, envelope.estateid))
        base = {"estate_id": envelope.estateid, "company_id": envelope.companyid, "day": day.isoformat()}
        await store.add_to_day(uow, rules.daily_figures_id(envelope.estateid, day), base, increments)
