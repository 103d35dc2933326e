"""A monthly report for one estate or all of the caller's, with the month before for comparison."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.reporting import store
from services.reporting.commands.figures import figures_between
from services.reporting.domain import monthly, readout


async def monthly_report(database: Any, scope: dict[str, Any], kind: str, month: date, lang: str) -> dict[str, Any]:
    first, last = readout.period_of(month, "month")
    before_first, before_last = readout.previous_period(first, last)
    current = await figures_between(database, scope, first, last)
    previous = await figures_between(database, scope, before_first, before_last)
    buildings = await store.building_names(database, scope, current["estates"],
                                           sorted(current["complaints"]["by_building"])) if kind == "complaints" else {}
    shown = monthly.content(kind, current, buildings)
    unknown = {path: why for path, why in current["unknown"].items()
               if path.split(".")[0] in monthly.SECTIONS[kind] and path.split(".")[-1] in shown}
    return monthly.report(
        kind, lang, shown, monthly.content(kind, previous, buildings),
        period={"from": first.isoformat(), "to": last.isoformat()},
        previous_period={"from": before_first.isoformat(), "to": before_last.isoformat()},
        estates=sorted(set(current["estates"]) | set(previous["estates"])), unknown=unknown)
