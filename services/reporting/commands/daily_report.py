"""The service-centre daily report of an estate and day, and its delivery each morning.

Each morning (the estate's local time) the report of the day before is announced once with
`reporting.daily_report.ready` through the outbox; notification sends it to the estate's managers.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from pymongo.errors import DuplicateKeyError

from services.reporting import store
from services.reporting.commands.figures import figures_between
from services.reporting.domain import daily_report
from services.reporting.settings import ReportingSettings
from shared.cache import TtlCache
from shared.db import Database, UnitOfWork
from shared.envelope import utcnow
from shared.estates import DEFAULT_TIME_ZONE, ESTATES
from shared.events.reporting import DailyReportReady
from shared.money import fen_to_text
from shared.periodic import PeriodicJob

log = structlog.get_logger(__name__)
DELIVERIES = "daily_report_deliveries"
_estate_names: TtlCache[dict] = TtlCache()  # an estate's name, for the report's heading
_building_names: TtlCache[dict[str, str]] = TtlCache()  # an estate's buildings' names, for its notable complaints


async def report_of(database: Database, scope: dict[str, Any], *, estate_id: str, day: date,
                    lang: str) -> dict[str, Any]:
    figures, estate, known = await asyncio.gather(
        figures_between(database, {**scope, "estate_id": estate_id}, first=day, last=day),
        _estate_names.get(f"{database.db.name}/{estate_id}", lambda: database.db[ESTATES].find_one(
            {"_id": estate_id}, {"name": 1})),
        _building_names.get(f"{database.db.name}/{estate_id}", lambda: store.estate_building_names(
            database, {**scope, "estate_id": estate_id})))
    estate = estate or {}
    wanted = sorted({c["building_id"] for c in figures["complaints"]["notable"] if c.get("building_id")})
    # Read with the figures, not after them (one round trip less); a building newer than the copy is read by id.
    buildings = known if known is not None and set(wanted) <= known.keys() else await store.building_names(
        database, scope, estate_ids=[estate_id], building_ids=wanted)
    report = daily_report.build(figures, estate_id=estate_id, estate_name=estate.get("name"), day=day.isoformat(),
                                lang=lang, buildings=buildings)
    return {**report, "figures": figures}


def report_path(estate_id: str, day: date) -> str:
    return f"/v1/reports/service-centre-daily?estate_id={estate_id}&day={day.isoformat()}&format=html"


def due_day(now: datetime, time_zone: str, *, at: time) -> date | None:
    """The day whose report is due now: yesterday's, once the estate's morning hour has come."""
    local = now.astimezone(ZoneInfo(time_zone))
    return local.date() - timedelta(days=1) if local.time() >= at else None


async def deliver_due_reports(database: Database, settings: ReportingSettings) -> int:
    """One pass: announce each estate's report of yesterday once (a second replica's try is a no-op)."""
    now = utcnow()
    at = time.fromisoformat(settings.daily_report_at)
    delivered = 0
    for estate in await database.db[ESTATES].find({}, {"time_zone": 1, "company_id": 1}).to_list(None):
        day = due_day(now, estate.get("time_zone") or DEFAULT_TIME_ZONE, at=at)
        delivery_id = f"{estate['_id']}:{day}"
        if day is None or await database.db[DELIVERIES].find_one({"_id": delivery_id}, {"_id": 1}):
            continue
        report = await report_of(database, {"company_id": estate["company_id"]}, estate_id=estate["_id"], day=day,
                                 lang="zh")
        try:
            await database.transaction(
                lambda uow, e=estate, d=day, r=report: _announce(uow, e, day=d, report=r, settings=settings))
        except DuplicateKeyError:
            continue  # another replica announced it first
        delivered += 1
    return delivered


async def _announce(uow: UnitOfWork, estate: dict[str, Any], *, day: date, report: dict[str, Any],
                    settings: ReportingSettings) -> None:
    estate_id = estate["_id"]
    await uow.db[DELIVERIES].insert_one({"_id": f"{estate_id}:{day}", "estate_id": estate_id,
                                         "company_id": estate["company_id"], "day": day.isoformat(),
                                         "announced_at": utcnow()}, session=uow.session)
    figures = report["figures"]
    uow.emit(DailyReportReady(
        estate_id=estate_id, estate_name=report.get("estate_name"), day=day,
        report_url=settings.report_base_url + report_path(estate_id, day),
        contacts=figures["contacts"]["logged"], answer_rate=figures["contacts"]["answer_rate"],
        tickets_opened=figures["tickets"]["opened"], tickets_handled=figures["tickets"]["handled"],
        open_at_end=figures["tickets"]["open_at_end"],
        work_orders_completed=figures["work_orders"]["completed"],
        complete_on_time_rate=figures["work_orders"]["complete_on_time_rate"],
        satisfaction_average=figures["follow_ups"]["satisfaction_average"],
        complaints=figures["complaints"]["count"], incidents=figures["incidents"]["declared"],
        collected=fen_to_text(figures["billing"]["collected_fen"]),
    ), subject=f"{estate_id}:{day}", company_id=estate["company_id"], estate_id=estate_id)


DAILY_REPORTS = PeriodicJob(name="daily reports", run_pass=deliver_due_reports,
                            interval_s=lambda settings: settings.daily_report_check_s)
