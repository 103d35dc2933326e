"""A monthly report for one estate or all of the caller's, with the month before for comparison."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.reporting import store
from services.reporting.commands.figures import figures_between
from services.reporting.domain import monthly, monthly_lines, readout
from services.reporting.domain.readout import change


async def monthly_report(database: Any, scope: dict[str, Any], *, kind: str, month: date, lang: str) -> dict[str, Any]:
    first, last = readout.period_of(month, "month")
    before_first, before_last = readout.previous_period(first, last)
    company = not isinstance(scope.get("estate_id"), str)
    current = await figures_between(database, scope, first=first, last=last, by_estate=company)
    previous = await figures_between(database, scope, first=before_first, last=before_last, by_estate=company)
    buildings = (await store.building_names(database, scope, estate_ids=current["estates"],
                                            building_ids=sorted(current["complaints"]["by_building"]))
                 if kind == "complaints" else {})
    shown = monthly.content(kind, current, buildings=buildings)
    unknown = {path: why for path, why in current["unknown"].items()
               if path.split(".")[0] in monthly.SECTIONS[kind] and path.split(".")[-1] in shown}
    report = monthly.report(
        kind, lang, current=shown, previous=monthly.content(kind, previous, buildings=buildings),
        period={"from": first.isoformat(), "to": last.isoformat()},
        previous_period={"from": before_first.isoformat(), "to": before_last.isoformat()},
        estates=sorted(set(current["estates"]) | set(previous["estates"])), unknown=unknown)
    report["lines"] = monthly_lines.lines(report, lang)
    if company:  # a company's report: each estate beside the month before, too
        report["by_estate"] = {}
        for estate_id in report["estates"]:
            now = current["by_estate"].get(estate_id)
            before = previous["by_estate"].get(estate_id)
            now_shown = monthly.content(kind, now, buildings=buildings) if now else {}
            before_shown = monthly.content(kind, before, buildings=buildings) if before else {}
            report["by_estate"][estate_id] = {"current": now_shown, "previous": before_shown,
                                              "change": change(now_shown, before_shown)}
    return report
