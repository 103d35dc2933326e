"""The call log (来电记录): which contacts a filter picks, a day's window, and the rows people download."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

HEADINGS = ("时间", "渠道", "来电号码", "来电人", "坐席", "振铃时间", "接听时间", "15秒内接听", "结果", "工单/工单号", "摘要")
CHANNEL_NAMES = {"hotline": "热线", "walk_in": "来访", "app": "App", "wechat": "微信", "email": "邮件",
                 "patrol": "巡查"}
OUTCOME_NAMES = {"answered": "已答复", "ticket_opened": "已立单"}


def local_time_text(moment: datetime | None, time_zone: str) -> str:
    """How a time reads in the call log: the estate's local time, 2026-11-26 09:00:21. The one place
    the log formats times (to be switched to the shared local-time formatter)."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M:%S")


def day_window(day: date, time_zone: str) -> tuple[datetime, datetime]:
    """The estate's local day as a [start, end) of instants."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def filters(*, channel: str | None, agent_id: str | None, outcome: str | None,
            answered_in_time: bool | None) -> dict[str, Any]:
    """The query of the log's filters (None: any)."""
    chosen = {"channel": channel, "agent_id": agent_id, "outcome": outcome, "answered_within_15s": answered_in_time}
    return {field: value for field, value in chosen.items() if value is not None}


def row(contact: dict[str, Any], time_zone: str) -> list[Any]:
    within = contact.get("answered_within_15s")
    return [
        local_time_text(contact["logged_at"], time_zone), CHANNEL_NAMES.get(contact["channel"], contact["channel"]),
        contact.get("caller_phone") or "", contact.get("caller_name") or "",
        contact.get("agent_name") or contact.get("agent_id") or "",
        local_time_text(contact.get("rang_at"), time_zone), local_time_text(contact.get("answered_at"), time_zone),
        "" if within is None else ("是" if within else "否"), OUTCOME_NAMES.get(contact["outcome"], contact["outcome"]),
        contact.get("ticket_number") or "", contact["summary"],
    ]
