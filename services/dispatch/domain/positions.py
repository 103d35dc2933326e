"""Positions (岗位): who a ladder level reaches, and who does a department's work.

Being reachable for a level of the escalation ladder is not being in a department's assignment
pool. The ladder reaches whoever holds the position — on duty, else on call, else the holder by
phone (节假日手机必须开机: a manager's phone stays on, holidays included). Automatic assignment
gives work only to the staff who do it (position `staff`); supervisors, managers and the duty
leader are never handed repairs, except a complaint's handling, which is the customer-service
supervisor's own work (投诉处理程序).
"""

from __future__ import annotations

from typing import Any

WORKERS = "staff"
# Held for the whole company, with its own roster (公司值班领导表); every estate's ladder reaches it.
COMPANY_POSITIONS = frozenset({"duty_leader"})


def is_company_position(position: str) -> bool:
    return position in COMPANY_POSITIONS


def off_duty_holder(holders: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str | None]:
    """When nobody holds the position on duty: (the holder on call, "on_call"), else (whoever holds it,
    "phone"), else (None, None). Nobody on leave; ties by id, so the choice is repeatable."""
    available = sorted((p for p in holders if not p.get("on_leave")), key=lambda person: person["_id"])
    if on_call := [person for person in available if person.get("on_call")]:
        return on_call[0], "on_call"
    return (available[0], "phone") if available else (None, None)
