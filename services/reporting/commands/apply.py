"""Moving one set of read models by a batch of events: the one path of the live consumer and the rebuild.

Per batch: one `$in` read per case collection, one bulk write per collection, each day document
written once. Counters come from single events (`domain.figures`); figures that need a case's whole
history move by the difference of its contributions (`domain.cases`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from services.reporting import store
from services.reporting.domain import cases as case_rules
from services.reporting.domain import figures as rules
from services.reporting.domain.figures import Counted
from shared.db import UnitOfWork
from shared.envelope import Envelope

UNIT_EVENTS = frozenset({"intake.unit.registered", "intake.unit.updated"})


class DayWrites:
    """The batch's changes to day documents, kept until they are written once each."""

    def __init__(self) -> None:
        self.days: dict[str, dict[str, Any]] = {}

    def day(self, estate_id: str, company_id: str, *, day: str) -> dict[str, Any]:
        figures_id = f"{estate_id}:{day}"
        if figures_id not in self.days:
            self.days[figures_id] = {"base": {"estate_id": estate_id, "company_id": company_id, "day": day},
                                     "increments": {}, "entries": {}}
        return self.days[figures_id]

    def count(self, envelope: Envelope, day: str, *, counted: Counted) -> None:
        held = self.day(envelope.estateid, envelope.companyid, day=day)
        for name, amount in counted.increments.items():
            held["increments"][name] = held["increments"].get(name, 0) + amount
        held["entries"].update(counted.entries)

    def move(self, estate_id: str, company_id: str, *, contributions: case_rules.Contributions) -> None:
        for (day, name), amount in contributions.items():
            increments = self.day(estate_id, company_id, day=day)["increments"]
            increments[name] = increments.get(name, 0) + amount


async def apply(uow: UnitOfWork, envelopes: list[Envelope], *, zones: dict[str, str], target: store.Target) -> None:
    days = DayWrites()
    tickets: dict[str, list[Envelope]] = defaultdict(list)
    work_orders: dict[str, list[Envelope]] = defaultdict(list)
    units: dict[str, dict[str, Any]] = {}
    for envelope in envelopes:
        kind, data = envelope.routing_key, envelope.data
        zone = zones[envelope.estateid]
        counted = rules.increments_for(kind, data, happened_at=envelope.time, time_zone=zone)
        if counted:
            days.count(envelope, rules.attribution_day(envelope.time, zone).isoformat(), counted=counted)
        if data.get("ticket_id") and (kind in case_rules.TICKET_KINDS or kind in case_rules.TICKET_ALSO):
            tickets[data["ticket_id"]].append(envelope)
        if data.get("work_order_id") and kind in case_rules.WORK_ORDER_KINDS:
            work_orders[data["work_order_id"]].append(envelope)
        for unit in _units_of(kind, data):
            units[unit["unit_id"]] = {"estate_id": envelope.estateid, "company_id": envelope.companyid, **unit}
    await _move_cases(uow, target(store.TICKET_CASES), new=tickets, zones=zones, days=days,
                      contributions_of=case_rules.ticket_contributions)
    await _move_cases(uow, target(store.WORK_ORDER_CASES), new=work_orders, zones=zones, days=days,
                      contributions_of=case_rules.work_order_contributions)
    await store.write_units(uow, target, units=units)
    await store.write_days(uow, target, days=days.days)


def _units_of(kind: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    if kind in UNIT_EVENTS:
        listed = [data]
    elif kind == "intake.directory.imported":
        listed = data.get("units") or []
    else:
        return []
    return [{"unit_id": u["unit_id"], "building_id": u.get("building_id"), "building_name": u.get("building_name"),
             "kind": u.get("kind")} for u in listed]


async def _move_cases(
    uow: UnitOfWork, collection: str, *, new: dict[str, list[Envelope]], zones: dict[str, str], days: DayWrites,
    contributions_of: Callable[[list[dict[str, Any]], str], case_rules.Contributions],
) -> None:
    if not new:
        return
    known = await store.cases(uow, collection, ids=sorted(new))
    written = []
    for case_id, envelopes in new.items():
        first = envelopes[0]
        case = known.get(case_id) or {"_id": case_id, "estate_id": first.estateid, "company_id": first.companyid,
                                      "events": []}
        zone = zones[case["estate_id"]]
        summaries = [case_rules.summary(e.id, e.routing_key, time=e.time, data=e.data) for e in envelopes]
        merged = case_rules.merge_events(case["events"], summaries)
        if len(merged) == len(case["events"]):
            continue  # nothing new for this case (every event seen before)
        moved = case_rules.difference(contributions_of(merged, zone), contributions_of(case["events"], zone))
        days.move(case["estate_id"], case["company_id"], contributions=moved)
        written.append({**case, "events": merged})
    await store.write_cases(uow, collection, documents=written)
