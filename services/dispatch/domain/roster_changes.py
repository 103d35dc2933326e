"""The changes a published roster accepts (调班, 请假, 代班, 加班): what each does to the grid.

Pure computation: no I/O. A change is the stored request (`kind`, `staff_id`, `day`, `shift`, and
per kind `with_staff_id`/`with_day`/`with_shift`, `substitute_id`, `to_day`), days as ISO text.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from services.dispatch.domain.rosters import Assignments, Cell
from shared.errors import InvalidInput

Grid = dict[Cell, list[str]]


def change_days(change: dict[str, Any]) -> list[str]:
    """The days a change touches: each day of a leave, else its day (and a swap's other day)."""
    if change["kind"] == "leave":
        first, last = date.fromisoformat(change["day"]), date.fromisoformat(change["to_day"])
        return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return sorted({change["day"], *([change["with_day"]] if change.get("with_day") else [])})


def leave_days(changes: list[dict[str, Any]]) -> dict[str, frozenset[date]]:
    """Each person's days of leave, from approved leave changes."""
    days: dict[str, set[date]] = defaultdict(set)
    for change in changes:
        first, last = date.fromisoformat(change["day"]), date.fromisoformat(change["to_day"])
        days[change["staff_id"]].update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return {staff_id: frozenset(d) for staff_id, d in days.items()}


def apply_change(change: dict[str, Any], *, grid: Assignments, overtime: Assignments) -> tuple[Grid, Grid]:
    """The roster's grid and overtime after the change (new dicts); 422 if the change does not fit the
    roster (a person not on the shift they give away, or on the one they take already)."""
    grid = {cell: list(staff) for cell, staff in grid.items()}
    overtime = {cell: list(staff) for cell, staff in overtime.items()}
    kind, person = change["kind"], change["staff_id"]

    def cell(day_key: str, shift_key: str) -> Cell:
        return Cell(date.fromisoformat(change[day_key]), change[shift_key])

    def take(at: Cell, staff_id: str, *, field: str) -> None:
        if staff_id not in grid.get(at, []):
            raise InvalidInput(f"{staff_id} is not rostered on {at.day} {at.shift}", field=field)
        grid[at].remove(staff_id)

    def give(at: Cell, staff_id: str, *, field: str) -> None:
        if staff_id in grid.setdefault(at, []):
            raise InvalidInput(f"{staff_id} is rostered on {at.day} {at.shift} already", field=field)
        grid[at].append(staff_id)

    if kind == "swap":
        mine, theirs = cell("day", "shift"), cell("with_day", "with_shift")
        take(mine, person, field="shift")
        take(theirs, change["with_staff_id"], field="with_shift")
        give(theirs, person, field="with_shift")
        give(mine, change["with_staff_id"], field="shift")
    elif kind == "cover":
        take(cell("day", "shift"), person, field="shift")
        give(cell("day", "shift"), change["substitute_id"], field="substitute_id")
    elif kind == "overtime":
        at = cell("day", "shift")
        if person in grid.get(at, []) or person in overtime.get(at, []):
            raise InvalidInput(f"{person} works {at.day} {at.shift} already", field="shift")
        overtime.setdefault(at, []).append(person)
    elif kind == "leave":
        days = set(change_days(change))
        for at in [c for c in grid if c.day.isoformat() in days and person in grid[c]]:
            grid[at].remove(person)
            if change.get("substitute_id"):
                give(at, change["substitute_id"], field="substitute_id")
        for at in [c for c in overtime if c.day.isoformat() in days and person in overtime[c]]:
            overtime[at].remove(person)
    return grid, overtime
