"""What a template may say: the variables of each template, from its event's data.

Every template gets the same keys whatever the event carried (missing ones are None), so that a
template checked against `SAMPLES` at save time renders at send time. Times are the estate's local
time in the recipient's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from shared.local_time import human_day, local_time

PRIORITY_NAMES = {"zh": {"P1": "紧急", "P2": "急", "P3": "一般", "P4": "低"},
                  "en": {"P1": "emergency", "P2": "urgent", "P3": "normal", "P4": "low"}}
MILESTONE_NAMES = {"zh": {"accept": "接单", "arrive": "到场", "complete": "完工", "plan": "处理方案", "feedback": "反馈"},
                   "en": {"accept": "acceptance", "arrive": "arrival", "complete": "completion", "plan": "plan",
                          "feedback": "feedback"}}
POSITION_NAMES = {"supervisor": "客服主管", "cs_manager": "客服经理", "estate_manager": "项目经理",
                  "duty_leader": "公司值班领导"}
ESCALATION_CAUSES = {"P1": "P1紧急事件", "incident": "突发事件（启动应急预案）", "unassigned": "无人接单",
                     "major_complaint": "重大投诉", "sla_breached": "超时未处理"}
INCIDENT_STATUS = {"zh": {"investigating": "正在排查", "in_progress": "正在处理", "monitoring": "观察中",
                          "resolved": "已解决", "declared": "已上报"},
                   "en": {"investigating": "being investigated", "in_progress": "being handled",
                          "monitoring": "being watched", "resolved": "resolved", "declared": "reported"}}


def when(value: str | datetime | None, time_zone: str, *, language: str = "zh") -> str | None:
    """An RFC 3339 time as the estate's people read it: `12月1日 23:27`."""
    if not value:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return local_time(moment, time_zone, language="en" if language == "en" else "zh")


def _yuan(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):  # fen
        return f"{value // 100}.{value % 100:02d}"
    return str(value)


def _get(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: data.get(key) for key in keys}


class Builder(Protocol):
    def __call__(self, data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]: ...


def _ticket(data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]:
    return {"ticket_number": data.get("ticket_number") or data.get("number"),
            "promised_reply_at": when(data.get("promised_reply_at"), tz, language=lang),
            "description": data.get("description"), "assignee_name": data.get("assignee_name"),
            "work_done": data.get("work_done"), "due_by": when(data.get("due_by"), tz, language=lang)}


def _work_order(data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]:
    return {**_get(data, "number", "description", "location", "priority", "assignee_name"),
            "priority_name": PRIORITY_NAMES.get(lang, PRIORITY_NAMES["zh"]).get(data.get("priority") or "", ""),
            "accept_by": when(data.get("accept_by"), tz, language=lang)}


def _sla(data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]:
    names = MILESTONE_NAMES.get(lang, MILESTONE_NAMES["zh"])
    return {"number": data.get("number"), "milestone": names.get(data.get("milestone"), data.get("milestone")),
            "deadline": when(data.get("deadline"), tz, language=lang)}


def _escalated(data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]:
    contacts = data.get("emergency_contacts") or []
    return {**_get(data, "number", "level", "priority", "description", "recipient_name"),
            "position": POSITION_NAMES.get(data.get("position"), data.get("position")),
            "cause": ESCALATION_CAUSES.get(data.get("reason"), "超时未处理"),
            "emergency_contacts": "；".join(contacts) if contacts else None}


def _handover(data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]:
    day = data.get("shift_date")
    return {"post": data.get("post"), "shift_code": data.get("shift_code"),
            "shift_day": human_day(day, language="en" if lang == "en" else "zh") if day else None}


def _handover_due(data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]:
    return {**_handover(data, tz, lang=lang), "due_at": when(data.get("due_at"), tz, language=lang)}


def _incident(data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]:
    status = data.get("status") or ("resolved" if data.get("resolved_at") else "declared")
    return {**_get(data, "number", "description", "location", "priority", "note", "resolution"),
            "message": data.get("broadcast_message") or data.get("description"),
            "status": INCIDENT_STATUS.get(lang, {}).get(status, status),
            "declared_at": when(data.get("declared_at"), tz, language=lang)}


def _bill(data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]:
    amount = data.get("amount_fen") if data.get("amount_fen") is not None else data.get("amount")
    return {"unit_number": data.get("unit_number"), "period": data.get("period"),
            "amount": _yuan(amount), "due_date": data.get("due_date"),
            "periods": "、".join(data.get("periods") or []) or None,
            "receipt_number": data.get("receipt_number"), "balance": _yuan(data.get("balance")),
            "threshold": _yuan(data.get("threshold")),
            "balance_kind": data.get("balance_kind") or "general"}  # billing.balance.low: which balance


# The headline figures of reporting's `reporting.daily_report.ready`, in the order a manager reads them.
REPORT_HEADLINE = (("contacts", "来电", "calls"), ("tickets_opened", "受理", "opened"),
                   ("tickets_handled", "办结", "handled"), ("complaints", "投诉", "complaints"),
                   ("collected", "收缴", "collected"))


def _report(data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]:
    day, english = data.get("day"), lang == "en"
    figures = [f"{en if english else zh} {data[name]}" for name, zh, en in REPORT_HEADLINE if data.get(name) is not None]
    return {"day": human_day(day, language="en" if english else "zh") if day else None,
            "report_url": data.get("report_url"),
            "figures": (", " if english else "，").join(figures) or None}


def _webhook(data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]:
    return {**_get(data, "subscription_id", "url", "reason"),
            "failing_since": when(data.get("failing_since"), tz, language=lang)}


def _announcement(data: dict[str, Any], tz: str, *, lang: str) -> dict[str, Any]:
    return _get(data, "title", "text")


BUILDERS: dict[str, Builder] = {
    "ticket.received": _ticket, "ticket.technician_assigned": _ticket, "ticket.technician_on_the_way": _ticket,
    "ticket.work_done": _ticket, "ticket.follow_up": _ticket,
    "workorder.assigned": _work_order, "workorder.offered": _work_order,
    "sla.warning": _sla, "sla.breached": _sla, "workorder.escalated": _escalated,
    "shift.handover_due": _handover_due, "shift.handover_missing": _handover,
    "incident.declared": _incident, "incident.notice": _incident, "incident.updated": _incident,
    "incident.resolved": _incident,
    "bill.issued": _bill, "bill.overdue": _bill, "payment.received": _bill, "dunning.notice": _bill,
    "balance.low": _bill, "report.daily_ready": _report, "webhook.disabled": _webhook,
    "announcement": _announcement,
}


def context_for(template: str, data: dict[str, Any], *, time_zone: str, language: str = "zh") -> dict[str, Any]:
    return {**BUILDERS[template](data, time_zone, lang=language), "estate_name": data.get("estate_name")}


SAMPLE_DATA: dict[str, Any] = {
    "number": "PG-20261201-0003", "ticket_number": "DH-20261201-0001", "description": "卫生间漏水",
    "location": "3栋502", "priority": "P2", "assignee_name": "王师傅", "accept_by": "2026-12-01T02:30:00Z",
    "promised_reply_at": "2026-12-01T04:00:00Z", "work_done": "更换阀芯", "due_by": "2026-12-02T04:00:00Z",
    "milestone": "accept", "deadline": "2026-12-01T03:00:00Z", "level": 2, "position": "supervisor",
    "reason": "sla_breached", "recipient_name": "陈主管", "emergency_contacts": ["派出所 110"],
    "post": "前台", "shift_code": "night", "shift_date": "2026-12-01", "status": "investigating",
    "note": "已关闭总阀", "resolution": "管道已修复", "broadcast_message": "3栋今日停水，预计18点恢复",
    "declared_at": "2026-12-01T01:00:00Z", "due_at": "2026-12-01T00:15:00Z", "unit_number": "3-502",
    "period": "2026-12",
    "amount_fen": 48750, "due_date": "2026-12-31", "periods": ["2026-11", "2026-12"], "receipt_number": "R00000123",
    "balance": "12.50", "threshold": "50.00", "day": "2026-12-01", "report_url": "http://localhost/report",
    "contacts": 35, "tickets_opened": 12, "tickets_handled": 10, "complaints": 1, "collected": "1280.00", "title": "停水通知", "text": "因管道检修，3栋12月2日9:00–12:00停水。",
    "estate_name": "阳光花园",
}


# Where one template's sample differs from another's under the same key.
SAMPLE_OVERRIDES: dict[str, dict[str, Any]] = {
    "webhook.disabled": {"subscription_id": "01JWEBHOOKSUBSCRIPTION0001", "url": "https://erp.example.com/hooks",
                         "reason": "the endpoint answered 410 Gone", "failing_since": "2026-11-26T02:00:00Z"},
}


def sample(template: str, language: str = "zh") -> dict[str, Any]:
    """The variables a template of this name may use, with sample values (the preview)."""
    return context_for(template, {**SAMPLE_DATA, **SAMPLE_OVERRIDES.get(template, {})}, time_zone="Asia/Shanghai",
                       language=language)
