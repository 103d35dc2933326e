"""The monthly reports: which figures each one shows, and each figure's change against the month before."""

from __future__ import annotations

from typing import Any

from services.reporting.domain.readout import change

TITLES = {
    "complaints": {"zh": "投诉分析", "en": "Complaint analysis"},
    "repairs": {"zh": "维修月报表", "en": "Monthly repair report"},
    "collection": {"zh": "收缴率报表", "en": "Collection report"},
    "dunning": {"zh": "催缴汇总", "en": "Dunning summary"},
    "sla-breaches": {"zh": "超时报告", "en": "SLA breach report"},
    "staff": {"zh": "员工绩效", "en": "Staff performance"},
}
KINDS = tuple(TITLES)
# The parts of the figures each report reads (for the reasons of its unknown figures).
SECTIONS = {"complaints": ("complaints",), "repairs": ("work_orders", "follow_ups"), "collection": ("billing",),
            "dunning": ("billing",), "sla-breaches": ("work_orders",), "staff": ()}


def _pick(source: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: source.get(name) for name in names}


def _people(people: list[dict[str, Any]]) -> dict[str, Any]:
    return {p["id"]: {k: v for k, v in p.items() if k != "id"} for p in people}


def content(kind: str, figures: dict[str, Any], *, buildings: dict[str, str]) -> dict[str, Any]:
    """The part of a period's figures one report is about."""
    complaints, orders, billing = figures["complaints"], figures["work_orders"], figures["billing"]
    if kind == "complaints":
        shown = _pick(complaints, "count", "per_100_units", "by_subcategory", "repeat_complainants",
                      "plans", "plans_on_time_rate", "feedback", "feedback_on_time_rate")
        shown["by_building"] = {buildings.get(b, b): n for b, n in complaints["by_building"].items()}
        return shown
    if kind == "repairs":
        return {**_pick(orders, "created", "completed", "accept_on_time_rate", "arrive_on_time_rate",
                        "complete_on_time_rate", "handling_minutes_median", "handling_minutes_p90", "by_department",
                        "escalations_by_level"),
                "repair_tickets": figures["tickets"]["by_category"].get("repair", 0),
                "satisfaction_average": figures["follow_ups"]["satisfaction_average"],
                "satisfied_share": figures["follow_ups"]["satisfied_share"]}
    if kind == "collection":
        return _pick(billing, "billed_fen", "collected_fen", "reversed_fen", "prepaid_fen",
                     "prepaid_reversed_fen", "payments",
                     "collection_rate", "older_arrears_recovered_fen")
    if kind == "dunning":
        return _pick(billing, "dunning_notices", "dunning_fen", "arrears_by_aging_fen")
    if kind == "sla-breaches":
        return _pick(orders, "sla_breaches", "sla_breaches_by_milestone", "sla_warnings", "escalations",
                     "escalations_by_level", "accept_on_time_rate", "arrive_on_time_rate", "complete_on_time_rate")
    return {"staff": _people(figures["staff"]), "departments": _people(figures["departments"])}


def report(kind: str, lang: str, *, current: dict[str, Any], previous: dict[str, Any], period: dict[str, str],
           previous_period: dict[str, str], estates: list[str],
           unknown: dict[str, str]) -> dict[str, Any]:
    return {"kind": kind, "title": TITLES[kind][lang], "lang": lang, "period": period,
            "previous_period": previous_period, "estates": estates, "current": current, "previous": previous,
            "change": change(current, previous), "unknown": unknown}
