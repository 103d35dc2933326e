"""A monthly report as lines people read: each number with its name in Chinese or English, this
month, the month before and the change, written as the daily report writes them (rates in per cent,
money in yuan, — for what is unknown). Pure: the JSON carries the lines, the page, CSV and XLSX show them.
"""

from __future__ import annotations

from typing import Any

from services.reporting.domain.keys import numbers_first
from shared.money import fen_to_text

HEADINGS = {"zh": ("项目", "本期", "上期", "变化"), "en": ("Figure", "This month", "Month before", "Change")}
LABELS: dict[str, tuple[str, str]] = {
    "count": ("投诉数", "Complaints"), "per_100_units": ("每百户投诉", "Complaints per 100 units"),
    "by_subcategory": ("按类别", "By subcategory"), "by_building": ("按楼栋", "By building"),
    "repeat_complainants": ("重复投诉人", "Repeat complainants"), "plans": ("处理方案", "Plans"),
    "plans_on_time_rate": ("方案及时率", "Plans on time"), "feedback": ("反馈", "Feedback"),
    "feedback_on_time_rate": ("反馈及时率", "Feedback on time"),
    "created": ("派工单", "Work orders created"), "completed": ("完工", "Completed"),
    "completed_on_time": ("按时完工", "Completed on time"), "on_time_rate": ("及时率", "On-time rate"),
    "accept_on_time_rate": ("接单及时率", "Accepted on time"), "arrive_on_time_rate": ("到场及时率", "Arrived on time"),
    "complete_on_time_rate": ("维修及时率", "Completed on time (rate)"),
    "handling_minutes_median": ("处理时长中位数（分钟）", "Handling time, median (min)"),
    "handling_minutes_p90": ("处理时长90分位（分钟）", "Handling time, 90th percentile (min)"),
    "by_department": ("按部门", "By department"), "escalations": ("升级", "Escalations"),
    "escalations_by_level": ("升级（按级别）", "Escalations by level"), "repair_tickets": ("报修受理", "Repair tickets"),
    "satisfaction_average": ("满意度平均分", "Satisfaction (average of 5)"), "satisfied_share": ("满意率", "Satisfied (4–5)"),
    "billed_fen": ("应收（元）", "Billed (yuan)"), "collected_fen": ("实收（元）", "Collected (yuan)"),
    "reversed_fen": ("冲正（元）", "Reversed (yuan)"), "prepaid_fen": ("预存（元）", "Prepaid (yuan)"),
    "prepaid_reversed_fen": ("预存冲正（元）", "Prepaid reversed (yuan)"),
    "payments": ("缴费笔数", "Payments"), "collection_rate": ("收缴率", "Collection rate"),
    "older_arrears_recovered_fen": ("清收往年欠费（元）", "Older arrears recovered (yuan)"),
    "dunning_notices": ("催缴通知", "Dunning notices"), "dunning_fen": ("催缴金额（元）", "Amount dunned (yuan)"),
    "arrears_by_aging_fen": ("欠费账龄（元）", "Arrears by age (yuan)"),
    "sla_breaches": ("超时", "SLA breaches"), "sla_breaches_by_milestone": ("超时（按环节）", "Breaches by milestone"),
    "sla_warnings": ("超时预警", "SLA warnings"), "staff": ("员工", "Staff"), "departments": ("部门", "Departments"),
}
WORDS = {  # the names inside breakdowns: milestones, aging buckets
    "accept": ("接单", "accept"), "arrive": ("到场", "arrival"), "complete": ("完工", "completion"),
    "plan": ("方案", "plan"), "feedback": ("反馈", "feedback"),
    "0_1m": ("1个月内", "up to 1 month"), "1_3m": ("1–3个月", "1–3 months"), "3_6m": ("3–6个月", "3–6 months"),
    "6_12m": ("6–12个月", "6–12 months"), "12m_plus": ("1年以上", "over a year"), "unknown": ("未知", "unknown"),
    "engineering": ("工程", "Engineering"), "security": ("秩序", "Security"), "cleaning": ("保洁", "Cleaning"),
    "greening": ("绿化", "Greening"), "customer_service": ("客服", "Customer service"),
}
POINTS = {"zh": "个百分点", "en": " pts"}
PEOPLE = frozenset({"staff", "departments"})  # keys are people or departments, each with its own figures


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _or_zero(side: dict[str, Any], name: str, *, other: dict[str, Any]) -> Any:
    """A breakdown's count missing on one side was zero there (a rate or average missing is unknown)."""
    if name in side:
        return side[name]
    return 0 if _is_count(other.get(name)) else None


def _text(leaf: str, value: Any, *, lang: str, signed: bool = False) -> str:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    sign = "+" if signed and value > 0 else ""
    if leaf.endswith(("_rate", "_share")):
        # a fall in points with the minus sign (U+2212): "-6.7个百分点" would be quoted as a formula in CSV
        return (f"{sign}{value * 100:.1f}".replace("-", "\u2212") + POINTS[lang]) if signed else f"{value * 100:.1f}%"
    if leaf.endswith("_fen"):
        return sign + fen_to_text(int(value))
    return f"{sign}{value}"


def _key_label(parent: str, name: str, *, entry: Any, at: int) -> str:
    """The name of a breakdown's key: a person's name, a department, a bucket, a level."""
    if parent == "escalations_by_level":
        return f"第{name}级" if at == 0 else f"level {name}"
    if parent == "staff" and isinstance(entry, dict) and entry.get("name"):
        return str(entry["name"])
    return WORDS.get(name, (name, name))[at]


def lines(report: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Every number of the report: its path, label, the three values and how they are written."""
    out: list[dict[str, Any]] = []
    at = 0 if lang == "zh" else 1

    def walk(path: list[str], labels: list[str], *, current: Any, previous: Any, changed: Any, leaf: str,
             breakdown: str | None) -> None:
        if not (isinstance(current, dict) or isinstance(previous, dict)):
            out.append({"path": ".".join(path), "label": "·".join(labels), "current": current, "previous": previous,
                        "change": changed, "current_text": _text(leaf, current, lang=lang),
                        "previous_text": _text(leaf, previous, lang=lang),
                        "change_text": _text(leaf, changed, lang=lang, signed=True)})
            return
        now = current if isinstance(current, dict) else {}
        before = previous if isinstance(previous, dict) else {}
        names = [*now, *(n for n in before if n not in now)]  # a key of the month before only, too
        if breakdown == "escalations_by_level":
            names.sort(key=numbers_first)  # level 2 before level 10
        for name in names:
            if name == "name" and breakdown is None:
                continue  # a person's name is the label of their figures
            if breakdown is not None:  # a key: written like its breakdown (money, counts), or a person's figures
                label = _key_label(breakdown, name, entry=now.get(name) or before.get(name), at=at)
                child = {"leaf": leaf, "breakdown": None} if breakdown in PEOPLE else {"leaf": leaf, "breakdown": ""}
            else:
                label = LABELS.get(name, (name, name))[at]
                child = {"leaf": name, "breakdown": name if name in PEOPLE or name.startswith(("by_", "sla_breaches_by",
                         "escalations_by", "arrears_by")) else None}
            walk([*path, name], [*labels, label], current=_or_zero(now, name, other=before),
                 previous=_or_zero(before, name, other=now),
                 changed=changed.get(name) if isinstance(changed, dict) else None, **child)

    walk([], [], current=report["current"], previous=report["previous"], changed=report["change"], leaf="",
         breakdown=None)
    return out


def rows_of(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The report as one table (CSV, XLSX): figure, this month, the month before, the change."""
    return [(line["label"], line["current_text"], line["previous_text"], line["change_text"])
            for line in report["lines"]]


def sections_of(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report as one section of rows, for the printable page."""
    words = HEADINGS[report["lang"]]
    rows = [{"key": line["path"], "label": line["label"],
             "text": f"{line['current_text']} / {line['previous_text']} / {line['change_text']}", "note": ""}
            for line in report["lines"]]
    return [{"key": report["kind"], "title": f"{report['title']}（{words[1]} / {words[2]} / {words[3]}）"
             if report["lang"] == "zh" else f"{report['title']} ({words[1]} / {words[2]} / {words[3]})", "rows": rows}]
