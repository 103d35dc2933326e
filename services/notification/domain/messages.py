"""Which event tells whom, and what it says. The full rule table comes with the notification issue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.local_time import human_day, local_time

PRIORITY_NAMES = {"P1": "紧急", "P2": "急", "P3": "一般", "P4": "低"}


@dataclass(frozen=True)
class Draft:
    recipient_id: str
    recipient_kind: str
    channel: str
    template: str
    body: str
    urgent: bool


def _when(value: str | datetime, time_zone: str) -> str:
    """An event's RFC 3339 time as the estate's people read it: `12月1日 23:27`."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return local_time(moment, time_zone)


def work_order_assigned(data: dict[str, Any], time_zone: str) -> Draft:
    """The assignee hears of a new work order at once, on the staff app."""
    where = f"（{data['location']}）" if data.get("location") else ""
    accept = f"请于 {_when(data['accept_by'], time_zone)} 前接单。" if data.get("accept_by") else "请尽快接单。"
    body = (
        f"新派工单 {data['number']}：{data['description']}{where}，"
        f"优先级 {data['priority']} {PRIORITY_NAMES.get(data['priority'], '')}。{accept}"
    )
    return Draft(
        recipient_id=data["assignee_id"], recipient_kind="staff", channel="app_push",
        template="workorder.assigned", body=body, urgent=data["priority"] in ("P1", "P2"),
    )


MILESTONE_NAMES = {"accept": "接单", "arrive": "到场", "complete": "完工"}
POSITION_NAMES = {"supervisor": "客服主管", "cs_manager": "客服经理", "estate_manager": "项目经理", "duty_leader": "公司值班领导"}


def sla_warning(data: dict[str, Any], *, breached: bool, time_zone: str) -> Draft | None:
    """The assignee is warned at 80% of a deadline and told when it is missed."""
    if not data.get("assignee_id"):
        return None
    milestone = MILESTONE_NAMES.get(data["milestone"], data["milestone"])
    state = "已超时" if breached else "即将超时"
    return Draft(
        recipient_id=data["assignee_id"], recipient_kind="staff", channel="app_push",
        template="sla.breached" if breached else "sla.warning",
        body=f"工单 {data['number']} {milestone}{state}，时限 {_when(data['deadline'], time_zone)}。", urgent=breached,
    )


ESCALATION_CAUSES = {"P1": "P1紧急事件", "incident": "突发事件（启动应急预案）", "unassigned": "无人接单", "major_complaint": "重大投诉", "sla_breached": "超时未处理"}


def escalated(data: dict[str, Any]) -> Draft | None:
    """Each step of the ladder tells the person on duty at that level, at any hour."""
    if not data.get("recipient_id"):
        return None
    position = POSITION_NAMES.get(data["position"], data["position"])
    cause = ESCALATION_CAUSES.get(data["reason"], "超时未处理")
    body = (f"【逐级上报·第{data['level']}级·{position}】工单 {data['number']}（{data['priority']}）{cause}："
            f"{data['description']}")
    if data.get("emergency_contacts"):  # P1: the estate's police, fire, hospital and utilities, at hand
        body += f"。应急联系：{'；'.join(data['emergency_contacts'])}"
    # Off duty and not on call, the position's holder is phoned (节假日手机必须开机).
    channel = "phone" if data.get("reached_via") == "phone" else "app_push"
    return Draft(recipient_id=data["recipient_id"], recipient_kind="staff", channel=channel,
                 template="workorder.escalated", body=body, urgent=True)


def handover_missing(data: dict[str, Any]) -> Draft | None:
    """A shift ended with no handover (交接班): the supervisor on duty hears of it."""
    if not data.get("supervisor_id"):
        return None
    body = (f"【未交班】{data['post']} 岗 {human_day(data['shift_date'])} {data['shift_code']} 班次已结束，"
            "未提交交接班记录，请跟进。")
    return Draft(recipient_id=data["supervisor_id"], recipient_kind="staff", channel="app_push",
                 template="shift.handover_missing", body=body, urgent=False)


def dedupe_key(event_id: str, draft: Draft) -> str:
    """One message per (event, recipient, channel), however often the event is delivered."""
    return f"{event_id}:{draft.recipient_id}:{draft.channel}"
