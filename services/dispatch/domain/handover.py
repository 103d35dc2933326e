"""Shift handover rules (交接班): which shift a handover closes, when one is due or missing, who files it,
what is open.

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

from services.dispatch.domain.positions import WORKERS
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


def _shift_instances(
    shifts: list[WatchedShift], *, after: datetime, until: datetime, grace: timedelta, time_zone: str,
) -> Iterator[DueShift]:
    """Every instance of the shifts that may end, or fall due, in (after, until]."""
    tz = ZoneInfo(time_zone)
    # A shift due in the window started at most a day (plus grace) before its end: look back enough days.
    first_day = (after - grace).astimezone(tz).date() - timedelta(days=2)
    last_day = until.astimezone(tz).date()
    day = first_day
    while day <= last_day:
        for shift in shifts:
            _start, ends_at = shift_window(day, shift.start, end=shift.end, time_zone=time_zone)
            yield DueShift(shift, day, ends_at, ends_at + grace)
        day += timedelta(days=1)


def shifts_due(
    shifts: Iterable[WatchedShift], *, after: datetime, until: datetime, grace: timedelta, time_zone: str,
) -> Iterator[DueShift]:
    """The shifts whose handover fell due in (after, until]: each once, whatever the window's size."""
    for due in _shift_instances(list(shifts), after=after, until=until, grace=grace, time_zone=time_zone):
        if after < due.due_at <= until:
            yield due


def shifts_ending(
    shifts: Iterable[WatchedShift], *, after: datetime, until: datetime, grace: timedelta, time_zone: str,
) -> Iterator[DueShift]:
    """The shifts that ended in (after, until] and whose grace has not passed by `until`: their handover is
    due now. A shift whose grace also passed in the window is left to the missing-handover flag (too late
    for a reminder), so a grace of 0 has no reminders."""
    for due in _shift_instances(list(shifts), after=after, until=until, grace=grace, time_zone=time_zone):
        if after < due.ends_at <= until < due.due_at:
            yield due


def outgoing_staff(on_duty: Iterable[dict], *, shift_date: date, shift_code: str) -> list[dict]:
    """Who must file a shift's handover, from the post's department's staff on duty just before its end.

    Those a published roster put on this very shift (its day and code), when there are any; else the
    department's ordinary staff on duty then (another shift of the roster, or the manual on-duty flag).
    Supervisors and managers are told when a handover is missing, not asked to file one. By id."""
    workers = sorted((p for p in on_duty if p.get("position", WORKERS) == WORKERS), key=lambda p: p["_id"])
    rostered = [p for p in workers if (shift := p.get("duty_shift"))
                and shift.get("day") == shift_date.isoformat() and shift.get("shift") == shift_code]
    return rostered or workers


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
