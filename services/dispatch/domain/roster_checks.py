"""The rules a duty roster must keep (see `rosters` for each rule's name), checked on a grid.

Pure computation: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from services.dispatch.domain.rosters import (
    RULES,
    Assignments,
    Cell,
    Instance,
    RosterProblem,
    Violation,
    instances,
    too_close,
    week_of,
)


def check(problem: RosterProblem, assignments: Assignments, *, overtime: Assignments | None = None) -> list[Violation]:
    """Every rule the roster breaks, named with its day, shift and staff (empty: it keeps them all).

    `overtime`: extra shifts worked as approved overtime; they count for rest, nights and leave,
    and towards `overtime_hours` instead of `weekly_hours`.
    """
    by_cell = {i.cell: i for i in instances(problem)}
    worked: dict[str, list[tuple[Instance, bool]]] = defaultdict(list)
    for source, is_overtime in ((assignments, False), (overtime or {}, True)):
        for cell, staff_ids in source.items():
            for staff_id in staff_ids:
                worked[staff_id].append((by_cell[cell], is_overtime))
    for staff_id, instance in problem.history:
        if staff_id in worked:
            worked[staff_id].append((instance, False))
    violations = _minimum_staff(problem, assignments)
    for staff_id, shifts in sorted(worked.items()):
        shifts.sort(key=lambda pair: pair[0].starts_at)
        violations += _leave(problem, staff_id, shifts=shifts)
        violations += _rest(problem, staff_id, shifts=shifts)
        violations += _nights(problem, staff_id, shifts=shifts)
        violations += _weekly_hours(problem, staff_id, shifts=shifts)
        violations += _overtime(problem, staff_id, shifts=shifts)
    return sorted(violations, key=lambda v: (v.day, RULES.index(v.rule), v.shift or "", v.staff_ids))


def _minimum_staff(problem: RosterProblem, assignments: Assignments) -> list[Violation]:
    found = []
    for day in problem.days:
        for template in problem.templates:
            staff = tuple(assignments.get(Cell(day, template.code), ()))
            if len(staff) < template.minimum:
                found.append(Violation("minimum_staff", day, staff, template.code,
                                       f"{template.name}: {len(staff)} of at least {template.minimum}"))
    return found


def _in_month(problem: RosterProblem, instance: Instance) -> bool:
    return instance.cell.day >= problem.days[0]


def _leave(problem: RosterProblem, staff_id: str, *, shifts) -> list[Violation]:
    return [Violation("leave", i.cell.day, (staff_id,), i.cell.shift, f"{staff_id} is on approved leave")
            for i, _ in shifts if _in_month(problem, i) and problem.on_leave(staff_id, i.cell.day)]


def _rest(problem: RosterProblem, staff_id: str, *, shifts) -> list[Violation]:
    min_rest = timedelta(hours=problem.rules.min_rest_hours)
    found = []
    for (before, _), (after, _) in zip(shifts, shifts[1:], strict=False):
        if _in_month(problem, after) and too_close(before, after, min_rest=min_rest):
            hours = (after.starts_at - before.ends_at).total_seconds() / 3600
            found.append(Violation(
                "rest", after.cell.day, (staff_id,), after.cell.shift,
                f"{hours:g} h of rest after {before.cell.day} {before.cell.shift}, "
                f"at least {problem.rules.min_rest_hours:g} h"))
    return found


def _nights(problem: RosterProblem, staff_id: str, *, shifts) -> list[Violation]:
    limit = problem.rules.max_consecutive_nights
    night_days = sorted({i.cell.day for i, _ in shifts if i.night})
    found, run = [], 0
    for n, day in enumerate(night_days):
        run = run + 1 if n and night_days[n - 1] == day - timedelta(days=1) else 1
        if run > limit and day >= problem.days[0] and (run == limit + 1 or night_days[n - 1] < problem.days[0]):
            found.append(Violation("consecutive_nights", day, (staff_id,), None,
                                   f"night {run} in a row, at most {limit}"))
    return found


def _weekly_hours(problem: RosterProblem, staff_id: str, *, shifts) -> list[Violation]:
    minutes: dict[date, int] = defaultdict(int)
    for instance, is_overtime in shifts:
        if not is_overtime and _in_month(problem, instance):
            minutes[week_of(instance.cell.day)] += instance.minutes
    limit = problem.rules.weekly_hours_limit * 60
    first_day = problem.days[0]
    return [Violation("weekly_hours", max(monday, first_day), (staff_id,), None,
                      f"{total / 60:g} h in the week of {monday}, at most {problem.rules.weekly_hours_limit:g} h")
            for monday, total in sorted(minutes.items()) if total > limit]


def _overtime(problem: RosterProblem, staff_id: str, *, shifts) -> list[Violation]:
    extra = [i for i, is_overtime in shifts if is_overtime and _in_month(problem, i)]
    total = sum(i.minutes for i in extra)
    if total <= problem.rules.max_overtime_hours_per_month * 60:
        return []
    return [Violation("overtime_hours", extra[-1].cell.day, (staff_id,), extra[-1].cell.shift,
                      f"{total / 60:g} h of overtime this month, at most "
                      f"{problem.rules.max_overtime_hours_per_month:g} h")]


def pre_check(problem: RosterProblem) -> list[Violation]:
    """What is plainly impossible before any search: a pinned cell on someone's leave, a shift
    with fewer staff available than its minimum."""
    found = [Violation("leave", cell.day, (staff_id,), cell.shift, f"{staff_id} is pinned on a day of leave")
             for cell, staff_ids in problem.fixed.items() for staff_id in staff_ids
             if problem.on_leave(staff_id, cell.day)]
    for day in problem.days:
        away = tuple(s for s in problem.staff_ids if problem.on_leave(s, day))
        available = len(problem.staff_ids) - len(away)
        for template in problem.templates:
            if available < template.minimum:
                found.append(Violation(
                    "minimum_staff", day, away, template.code,
                    f"{template.name} needs {template.minimum}, {available} available ({len(away)} on leave)"))
    return found
