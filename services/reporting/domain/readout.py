"""From day documents to figures people read: roll-ups by week, month and company, rates, medians.

A figure whose inputs were not recorded (nothing timed, nothing to divide by) is None, and `unknown`
says why; it is never shown as a zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from services.reporting.domain.keys import numbers_first

IDENTITY = ("_id", "estate_id", "company_id", "day")
CALL_CHANNELS = ("hotline",)
VISIT_CHANNELS = ("walk_in",)


def roll_up(documents: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The sum of day documents: numbers added, nested figures merged, list entries united."""
    total: dict[str, Any] = {}
    for document in documents:
        _add_into(total, {k: v for k, v in document.items() if k not in IDENTITY})
    return total


def _add_into(total: dict[str, Any], more: dict[str, Any]) -> None:
    for name, value in more.items():
        if isinstance(value, dict):
            _add_into(total.setdefault(name, {}), value)
        elif isinstance(value, bool) or not isinstance(value, int):
            total[name] = value  # a list entry (a complaint, an incident, a name): the same whichever day
        else:
            total[name] = total.get(name, 0) + value


def period_of(day: date, period: str) -> tuple[date, date]:
    """The first and last day of the day's week (Monday to Sunday), month, or the day itself."""
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period == "month":
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following - timedelta(days=1)
    return day, day


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before (a month is compared with the month before)."""
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        last = start - timedelta(days=1)
        return last.replace(day=1), last
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


class Readout:
    """Builds one figures document and the reasons of its unknown figures."""

    def __init__(self, total: dict[str, Any]) -> None:
        self.total = total
        self.unknown: dict[str, str] = {}

    def count(self, name: str) -> int:
        value: Any = self.total
        for part in name.split("."):
            value = value.get(part, 0) if isinstance(value, dict) else 0
        return value if isinstance(value, int) else 0

    def nested(self, name: str) -> dict[str, Any]:
        value = self.total.get(name)
        return value if isinstance(value, dict) else {}

    def rate(self, path: str, numerator: int, *, denominator: int, reason: str) -> float | None:
        if denominator <= 0:
            self.unknown[path] = reason
            return None
        return round(numerator / denominator, 4)

    def counts(self, name: str, *, order: Callable[[str], Any] | None = None) -> dict[str, int]:
        """The non-zero counts of a breakdown, by key (text order unless `order` says otherwise)."""
        found = self.nested(name)
        return {key: found[key] for key in sorted(found, key=order) if isinstance(found[key], int) and found[key]}


def percentile_of(histogram: dict[str, int], share: float) -> int | None:
    """The value below which `share` of the counted items fall, from {value: count} (None when empty)."""
    items = sorted((int(value), count) for value, count in histogram.items() if count > 0)
    total = sum(count for _value, count in items)
    if total == 0:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0  # the nearest-rank percentile
    for value, count in items:
        seen += count
        if seen >= rank:
            return value
    return items[-1][0]


def figures_of(total: dict[str, Any], *, units: int | None, open_before: int) -> dict[str, Any]:
    """Every figure of the spec from the rolled-up day documents of a period (one day or more).

    `units`: the estates' units (for complaints per 100 units); `open_before`: tickets open at the end
    of the day before the period (the backlog carried over).
    """
    r = Readout(total)
    no_contacts = "no answer times were recorded for these contacts"
    channels = {}
    for channel, received in r.counts("contacts_by_channel").items():
        timed = r.count(f"contacts_timed_by_channel.{channel}")
        answered = r.count(f"contacts_answered_within_15s_by_channel.{channel}")
        channels[channel] = {"received": received, "timed": timed,
                             "answered_within_15s": answered if timed else None,
                             "answer_rate": r.rate(f"contacts.by_channel.{channel}.answer_rate", answered,
                                                   denominator=timed,
                                                   reason=no_contacts)}
        if not timed:
            r.unknown[f"contacts.by_channel.{channel}.answered_within_15s"] = no_contacts
    timed = r.count("contacts_timed")
    answered = r.count("contacts_answered_within_15s")
    if not timed:
        r.unknown["contacts.answered_within_15s"] = no_contacts

    def received(names: tuple[str, ...]) -> int:
        return sum(r.count(f"contacts_by_channel.{name}") for name in names)

    opened, handled, reopened = r.count("tickets_opened"), r.count("tickets_handled"), r.count("tickets_reopened")
    to_handle = open_before + opened + reopened
    complaints = r.count("complaints")
    repeat = sum(1 for count in r.counts("complaints_by_resident").values() if count >= 2)
    durations = r.counts("handling_minutes")
    satisfaction_count = r.count("satisfaction_count")
    billed, collected, reversed_ = r.count("billed_fen"), r.count("collected_fen"), r.count("reversed_fen")
    figures = {
        "contacts": {
            "logged": r.count("contacts_logged"), "calls": received(CALL_CHANNELS), "visits": received(VISIT_CHANNELS),
            "timed": timed, "answered_within_15s": answered if timed else None,
            "answer_rate": r.rate("contacts.answer_rate", answered, denominator=timed, reason=no_contacts),
            "by_channel": channels,
        },
        "tickets": {
            "opened": opened, "by_category": r.counts("tickets_by_category"),
            "by_subcategory": r.counts("tickets_by_subcategory"), "by_priority": r.counts("tickets_by_priority"),
            "resolved_first_contact": r.count("tickets_resolved_first_contact"),
            "first_contact_resolution_rate": r.rate("tickets.first_contact_resolution_rate",
                                                    r.count("tickets_resolved_first_contact"), denominator=opened,
                                                    reason="no tickets were opened"),
            "carried_over": open_before, "reopened": reopened, "to_handle": to_handle, "handled": handled,
            "handling_rate": r.rate("tickets.handling_rate", handled, denominator=to_handle,
                                    reason="no tickets to handle"),
            "open_at_end": to_handle - handled,
        },
        "complaints": {
            "count": complaints,
            "per_100_units": round(complaints * 100 / units, 2) if units else None,
            "by_subcategory": r.counts("complaints_by_subcategory"), "by_building": r.counts("complaints_by_building"),
            "repeat_complainants": repeat, "notable": sorted(r.nested("notable_complaints").values(),
                                                             key=lambda c: str(c.get("opened_at"))),
            "plans": r.count("complaint_plans"),
            "plans_on_time_rate": r.rate("complaints.plans_on_time_rate", r.count("complaint_plans_on_time"),
                                         denominator=r.count("complaint_plans"),
                                         reason="no complaint plans were recorded"),
            "feedback": r.count("complaint_feedback"),
            "feedback_on_time_rate": r.rate("complaints.feedback_on_time_rate", r.count("complaint_feedback_on_time"),
                                            denominator=r.count("complaint_feedback"),
                                            reason="no complaint was answered"),
        },
        "work_orders": _work_orders(r, durations),
        "follow_ups": {
            "due": r.count("followups_due"), "done": r.count("followups_done"),
            "unreachable": r.count("followups_unreachable"),
            "done_within_24h": r.count("followups_done_within_24h"),
            "done_within_24h_rate": r.rate("follow_ups.done_within_24h_rate", r.count("followups_done_within_24h"),
                                           denominator=r.count("followups_timed"),
                                           reason="no follow-up with a known due time was done"),
            "satisfaction_average": round(r.count("satisfaction_sum") / satisfaction_count, 2)
            if satisfaction_count else None,
            "satisfied_share": r.rate("follow_ups.satisfied_share", r.count("satisfaction_satisfied"),
                                      denominator=satisfaction_count, reason="no follow-up recorded a score"),
        },
        "billing": {
            "billed_fen": billed, "collected_fen": collected, "prepaid_fen": r.count("prepaid_fen"),
            "prepaid_reversed_fen": r.count("prepaid_reversed_fen"),
            "reversed_fen": reversed_, "payments": r.count("payments"),
            "collection_rate": r.rate("billing.collection_rate", collected - reversed_, denominator=billed,
                                      reason="nothing was billed in the period"),
            "older_arrears_recovered_fen": None,
            "arrears_by_aging_fen": r.counts("arrears_by_aging"),
            "dunning_notices": r.count("dunning_notices"), "dunning_fen": r.count("dunning_fen"),
        },
        "staff": _people(r, "staff", names=r.nested("staff_names")),
        "departments": _people(r, "departments", names={}),
        "duty": {
            "handovers_filed": r.count("handovers_filed"), "handovers_acknowledged": r.count("handovers_acknowledged"),
            "handovers_with_discrepancies": r.count("handovers_with_discrepancies"),
            "handovers_missing": r.count("handovers_missing"),
        },
        "incidents": {
            "declared": r.count("incidents_declared"), "resolved": r.count("incidents_resolved"),
            "list": sorted(r.nested("incidents").values(), key=lambda i: str(i.get("declared_at"))),
        },
    }
    if units is None or units == 0:
        r.unknown["complaints.per_100_units"] = "the estate's units are not known to reporting"
    if satisfaction_count == 0:
        r.unknown["follow_ups.satisfaction_average"] = "no follow-up recorded a score"
    r.unknown["billing.older_arrears_recovered_fen"] = "payments do not say which periods they paid"
    figures["unknown"] = dict(sorted(r.unknown.items()))
    return figures


def _work_orders(r: Readout, durations: dict[str, int]) -> dict[str, Any]:
    nothing_done = "no work order was completed"
    median, p90 = percentile_of(durations, 0.5), percentile_of(durations, 0.9)
    if median is None:
        r.unknown["work_orders.handling_minutes_median"] = nothing_done
        r.unknown["work_orders.handling_minutes_p90"] = nothing_done
    rates = {
        f"{milestone}_on_time_rate": r.rate(f"work_orders.{milestone}_on_time_rate",
                                            r.count(f"work_orders_{reached}_on_time"),
                                            denominator=r.count(f"work_orders_{reached}"),
                                            reason=f"no work order was {reached}")
        for milestone, reached in (("accept", "accepted"), ("arrive", "arrived"), ("complete", "completed"))
    }
    return {
        "created": r.count("work_orders_created"), "accepted": r.count("work_orders_accepted"),
        "arrived": r.count("work_orders_arrived"), "completed": r.count("work_orders_completed"),
        "completed_on_time": r.count("work_orders_completed_on_time"), **rates,
        "by_department": r.counts("work_orders_by_department"),
        "handling_minutes_median": median, "handling_minutes_p90": p90,
        "escalations": r.count("escalations"), "escalations_by_level": r.counts("escalations_by_level", order=numbers_first),
        "sla_warnings": r.count("sla_warnings"), "sla_breaches": r.count("sla_breaches"),
        "sla_breaches_by_milestone": r.counts("sla_breaches_by_milestone"),
    }


def _people(r: Readout, name: str, *, names: dict[str, Any]) -> list[dict[str, Any]]:
    people = []
    for key, counts in sorted(r.nested(name).items()):
        if not isinstance(counts, dict):
            continue
        completed, on_time = counts.get("completed", 0), counts.get("completed_on_time", 0)
        scored = counts.get("satisfaction_count", 0)
        if not (completed or scored):
            continue
        people.append({
            "id": key, "name": names.get(key), "completed": completed, "completed_on_time": on_time,
            "on_time_rate": round(on_time / completed, 4) if completed else None,
            "satisfaction_average": round(counts.get("satisfaction_sum", 0) / scored, 2) if scored else None,
        })
    return people


_ABSENT = object()


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def change(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """Each number's change against the previous period (nested like the figures).

    A count missing from one side of a breakdown (a subcategory, an aging bucket, a person) was zero
    there, so it changed by all of it; a rate or average missing or unknown on either side has no
    change (None). Breakdowns keep the names of both periods."""
    previous = previous if isinstance(previous, dict) else {}
    out: dict[str, Any] = {}
    for name in [*current, *(n for n in previous if n not in current)]:
        value, before = current.get(name, _ABSENT), previous.get(name, _ABSENT)
        if isinstance(value, dict) or isinstance(before, dict):
            out[name] = change(value if isinstance(value, dict) else {}, before if isinstance(before, dict) else {})
        elif _is_count(value) and before is _ABSENT:
            out[name] = value
        elif value is _ABSENT and _is_count(before):
            out[name] = -before
        elif _is_number(value) and _is_number(before):
            out[name] = round(value - before, 4)
        elif value is None or _is_number(value) or _is_number(before):
            out[name] = None
    return out
