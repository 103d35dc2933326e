"""Shift handover rules (交接班): which shift a handover closes, when a missing one is due, what is open.

Pure functions. A shift is identified by (estate, post, local date it starts on, shift code) and
its local start and end times; an end at or before the start is on the next day (中班 16:00–24:00,
a night shift 22:00–06:00). The times of a shift code come from the department's shift templates
(rosters), unless a request gives them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.local_time import local_time_or_blank, to_local

DAY_S = 24 * 3600
OPEN_STATUSES = ("pending", "assigned", "accepted", "arrived", "on_hold")
# What a handover carries of each open work order (besides its id).
CARRIED_FIELDS = ("number", "status", "department", "priority", "description", "assignee_name", "ticket_id",
                  "ticket_number", "incident_id")
INSPECTION_AREAS = ("security", "water", "power", "equipment", "environment")  # 安防、水电、设施设备、环境


def seconds_of_day(clock: str) -> int:
    """"08:30" → 30600; "24:00" → 86400. ValueError for anything else."""
    parts = clock.split(":")
    if len(parts) not in (2, 3) or not all(p.isascii() and p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(f"not a clock time: {clock!r}")
    hours, minutes, seconds = (int(p) for p in [*parts, "00"][:3])
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and (minutes or seconds)):
        raise ValueError(f"not a clock time: {clock!r}")
    return hours * 3600 + minutes * 60 + seconds


def shift_window(shift_date: date, start: str, *, end: str, time_zone: str) -> tuple[datetime, datetime]:
    """The UTC start and end of a shift that starts on `shift_date` (local); past midnight ends next day."""
    start_s, end_s = seconds_of_day(start), seconds_of_day(end)
    if start_s >= DAY_S:
        raise ValueError("a shift cannot start at 24:00")
    if end_s <= start_s:
        end_s += DAY_S
    midnight = datetime.combine(shift_date, time(0), tzinfo=ZoneInfo(time_zone))
    return (midnight + timedelta(seconds=start_s)).astimezone(UTC), (midnight + timedelta(seconds=end_s)).astimezone(UTC)


def shift_key(estate_id: str, post: str, *, shift_date: date, shift_code: str) -> str:
    """One handover per shift of a post: the natural key of a handover and of a missing-handover flag."""
    return f"{estate_id}:{post}:{shift_date.isoformat()}:{shift_code}"


@dataclass(frozen=True)
class WatchedShift:
    post: str
    department: str
    code: str
    start: str
    end: str


@dataclass(frozen=True)
class DueShift:
    shift: WatchedShift
    shift_date: date
    ends_at: datetime
    due_at: datetime  # the end plus the grace period: no handover by then is a missing handover


def shifts_due(
    shifts: Iterable[WatchedShift], *, after: datetime, until: datetime, grace: timedelta, time_zone: str,
) -> Iterator[DueShift]:
    """The shifts whose handover fell due in (after, until]: each once, whatever the window's size."""
    tz = ZoneInfo(time_zone)
    # A shift due in the window started at most a day (plus grace) before its end: look back enough days.
    first_day = (after - grace).astimezone(tz).date() - timedelta(days=2)
    last_day = until.astimezone(tz).date()
    shifts = list(shifts)
    day = first_day
    while day <= last_day:
        for shift in shifts:
            _start, ends_at = shift_window(day, shift.start, end=shift.end, time_zone=time_zone)
            due_at = ends_at + grace
            if after < due_at <= until:
                yield DueShift(shift, day, ends_at, due_at)
        day += timedelta(days=1)


def watched_shifts(posts: Iterable[dict]) -> list[WatchedShift]:
    """The shifts an estate's duty-post configuration watches (stored form: posts with their shifts)."""
    return [WatchedShift(post["post"], post["department"], shift["code"], shift["start"], shift["end"])
            for post in posts for shift in post["shifts"]]


def checklist_findings(checklist: Iterable[dict]) -> list[str]:
    """What the next shift must hear about: items short, missing or damaged at the post."""
    findings = []
    for item in checklist:
        problems = []
        if item.get("missing"):
            problems.append(f"缺{item['missing']}")
        if item.get("damaged"):
            problems.append(f"损坏{item['damaged']}")
        if item.get("expected") is not None and item.get("counted") is not None and item["counted"] < item["expected"]:
            problems.append(f"清点{item['counted']}/{item['expected']}")
        if problems:
            findings.append(f"{item['item']}：{'，'.join(problems)}")
    return findings


def inspection_issues(inspection: dict[str, dict]) -> list[str]:
    return [area for area in INSPECTION_AREAS if inspection[area]["status"] == "issue"]


CONTACT_NAMES = {"police": "派出所", "fire": "消防", "hospital": "医院", "water": "供水", "gas": "供气",
                 "power": "供电", "other": "其他"}


def contact_line(contact: dict) -> str:
    """One emergency contact as a P1 escalation message shows it: "派出所 城东派出所 110（备注）"."""
    notes = f"（{contact['notes']}）" if contact.get("notes") else ""
    return f"{CONTACT_NAMES.get(contact['kind'], contact['kind'])} {contact['name']} {contact['phone']}{notes}"


def _moment(value: datetime | str | None) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def handover_text(handover: dict, time_zone: str) -> str:
    """The handover as the incoming shift reads it on the duty screen: the estate's local times, numbers."""
    def when(value: datetime | str | None) -> str:
        return local_time_or_blank(_moment(value), time_zone)

    end = _moment(handover["shift_end"])
    lines = [(f"【交班】{handover['post']} {handover['shift_code']}班 {when(handover['shift_start'])}–"
              f"{to_local(end, time_zone):%H:%M}，交班人 {handover['outgoing_name']}，{when(handover['filed_at'])} 提交")]
    for title, orders in (("未完工单", handover["open_work_orders"]), ("事件", handover["incidents"])):
        if orders:
            lines.append(f"{title} {len(orders)}：" + "；".join(
                f"{o['number']}（{o['priority']}）{o['description']}" for o in orders))
    keys = handover.get("unreturned_keys") or []
    if keys:
        lines.append(f"未还钥匙 {len(keys)}：" + "；".join(
            f"{k.get('label') or k.get('key_id')}（{k.get('borrower') or ''}，借出 {when(k.get('lent_at'))}"
            + (f"，应还 {when(k['due_back_at'])}" if k.get("due_back_at") else "") + "）" for k in keys))
    if handover["checklist_findings"]:
        lines.append("物品异常：" + "；".join(handover["checklist_findings"]))
    if handover["inspection_issues"]:
        lines.append("巡检异常：" + "、".join(handover["inspection_issues"]))
    if handover.get("notes"):
        lines.append(f"备注：{handover['notes']}")
    if handover.get("acknowledged_at"):
        differences = handover.get("discrepancies") or []
        lines.append(f"【接班】{handover['incoming_name']} {when(handover['acknowledged_at'])} 确认，"
                     + (f"差异：{'；'.join(differences)}" if differences else "无差异"))
    return "\n".join(lines)
