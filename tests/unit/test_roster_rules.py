"""Duty roster rules and the CP-SAT roster: each rule broken on purpose is named with its day and staff."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from services.dispatch.domain import rosters as r
from services.dispatch.domain.attendance import (
    SHEET_HEADINGS,
    Punch,
    RosteredShift,
    Tolerances,
    attend,
    sheet,
    sheet_cells,
)
from services.dispatch.domain.roster_changes import apply_change
from services.dispatch.domain.roster_checks import check
from services.dispatch.domain.roster_solver import benchmark_problem, solve
from shared.spreadsheets import table_csv, table_xlsx

EARLY, MIDDLE, NIGHT = (t for t in r.DEFAULT_TEMPLATES if t.code in ("early", "middle", "night"))
THREE = (EARLY, MIDDLE, NIGHT)
STAFF = tuple(f"s{n}" for n in range(1, 7))


def problem(**changes) -> r.RosterProblem:
    return r.RosterProblem(**{"year": 2026, "month": 2, "staff_ids": STAFF, "templates": THREE, **changes})


def names(violations, rule):
    return [(v.day, v.staff_ids) for v in violations if v.rule == rule]


def test_a_twelve_person_three_shift_month_solves_and_keeps_every_rule():
    benchmark = benchmark_problem()
    solution = solve(benchmark)
    print(f"\n12 staff × 3 shifts × {len(benchmark.days)} days: {solution.status} in {solution.solve_seconds:.2f} s")
    assert solution.feasible and solution.status in ("optimal", "feasible")
    assert check(benchmark, solution.assignments) == []
    for cell in r.instances(benchmark):
        assert len(solution.assignments[cell.cell]) == 2
    totals = r.staff_totals(benchmark, solution.assignments).values()
    nights = [t["nights"] for t in totals]
    assert max(nights) - min(nights) <= 1  # fair spread of nights


def test_too_few_staff_because_of_leave_is_named_with_the_day_and_who_is_away():
    away = frozenset({date(2026, 2, 10)})
    solution = solve(problem(staff_ids=("s1", "s2", "s3"), templates=(EARLY,),
                               leave={"s1": away, "s2": away, "s3": away}))
    assert not solution.feasible
    assert (date(2026, 2, 10), ("s1", "s2", "s3")) in names(solution.violations, "minimum_staff")


def test_minimum_staff_that_the_rules_cannot_reach_is_named_per_day():
    # Three people cannot cover three eight-hour shifts with two each: the shortfall is named.
    solution = solve(problem(staff_ids=("s1", "s2", "s3"), templates=tuple(
        r.ShiftTemplate(t.code, t.name, t.starts, t.ends, minimum=2, night=t.night) for t in THREE)),
        time_limit_s=2)
    assert not solution.feasible
    assert {v.rule for v in solution.violations} == {"minimum_staff"}
    assert date(2026, 2, 1) in {v.day for v in solution.violations}


def test_pinned_shifts_that_leave_no_rest_are_named():
    pinned = {r.Cell(date(2026, 2, 3), "middle"): ("s1",), r.Cell(date(2026, 2, 4), "early"): ("s1",)}
    solution = solve(problem(fixed=pinned), time_limit_s=2)
    assert names(solution.violations, "rest") == [(date(2026, 2, 4), ("s1",))]


def test_pinned_nights_beyond_the_limit_are_named():
    pinned = {r.Cell(date(2026, 2, d), "night"): ("s2",) for d in range(1, 5)}
    solution = solve(problem(fixed=pinned), time_limit_s=2)
    assert names(solution.violations, "consecutive_nights") == [(date(2026, 2, 4), ("s2",))]


def test_pinned_hours_beyond_the_weekly_limit_are_named():
    # 2026-02-09 is a Monday: six early shifts that week are 48 h.
    pinned = {r.Cell(date(2026, 2, d), "early"): ("s3",) for d in range(9, 15)}
    solution = solve(problem(fixed=pinned), time_limit_s=2)
    assert names(solution.violations, "weekly_hours") == [(date(2026, 2, 9), ("s3",))]


def test_a_pinned_shift_on_leave_is_named():
    solution = solve(problem(fixed={r.Cell(date(2026, 2, 5), "early"): ("s4",)},
                               leave={"s4": frozenset({date(2026, 2, 5)})}))
    assert names(solution.violations, "leave") == [(date(2026, 2, 5), ("s4",))]


def test_rest_is_measured_on_real_times_across_midnight():
    p = problem(staff_ids=("s1",), templates=(EARLY, MIDDLE, NIGHT))
    middle_then_night = {r.Cell(date(2026, 2, 1), "middle"): ("s1",), r.Cell(date(2026, 2, 2), "night"): ("s1",)}
    [broken] = [v for v in check(p, middle_then_night) if v.rule == "rest"]
    assert broken.day == date(2026, 2, 2) and "0 h of rest" in broken.detail
    middle_then_early = {r.Cell(date(2026, 2, 1), "middle"): ("s1",), r.Cell(date(2026, 2, 2), "early"): ("s1",)}
    assert "8 h of rest" in [v for v in check(p, middle_then_early) if v.rule == "rest"][0].detail
    night_then_next_early = {r.Cell(date(2026, 2, 1), "night"): ("s1",), r.Cell(date(2026, 2, 2), "early"): ("s1",)}
    assert not [v for v in check(p, night_then_next_early) if v.rule == "rest"]  # 24 h


def test_a_shift_crossing_midnight_ends_the_next_local_day():
    late = r.ShiftTemplate("late", "夜班", r.clock_minutes("22:00"), r.clock_minutes("06:00"), night=True)
    start, end = r.shift_interval(date(2026, 2, 28), late, time_zone="Asia/Shanghai")
    assert start == datetime(2026, 2, 28, 14, tzinfo=timezone.utc)
    assert end == datetime(2026, 2, 28, 22, tzinfo=timezone.utc) and late.minutes == 480 and late.crosses_midnight
    start, end = r.shift_interval(date(2026, 2, 28), MIDDLE, time_zone="Asia/Shanghai")
    assert end == datetime(2026, 2, 28, 16, tzinfo=timezone.utc)  # 24:00 local is 16:00 UTC


def test_consecutive_nights_and_weekly_hours_in_a_checked_roster():
    p = problem(staff_ids=("s1",), templates=THREE)
    nights = {r.Cell(date(2026, 2, d), "night"): ("s1",) for d in range(1, 6)}
    assert names(check(p, nights), "consecutive_nights") == [(date(2026, 2, 4), ("s1",))]
    # The ISO week of 2026-02-01 (a Sunday) is clipped to the month: 8 h, within the limit.
    assert names(check(p, nights), "weekly_hours") == []
    # Overtime does not count towards the weekly hours; it has its monthly limit (36 h) instead.
    overtime = {r.Cell(date(2026, 2, d), "early"): ("s1",) for d in range(9, 15)}
    assert names(check(p, {}, overtime=overtime), "weekly_hours") == []
    assert names(check(p, {}, overtime=overtime), "overtime_hours") == [(date(2026, 2, 14), ("s1",))]
    assert names(check(p, overtime), "weekly_hours") == [(date(2026, 2, 9), ("s1",))]  # as rostered hours


def test_a_swap_that_leaves_too_little_rest_is_found_by_the_re_check():
    p = problem(staff_ids=("a", "b"), templates=(EARLY, MIDDLE), rules=r.RosterRules(weekly_hours_limit=168))
    grid = {}
    for day in p.days:
        grid[r.Cell(day, "early")] = ("a",)
        grid[r.Cell(day, "middle")] = ("b",)
    assert check(p, grid) == []
    swap = {"kind": "swap", "staff_id": "a", "day": "2026-02-10", "shift": "early", "with_staff_id": "b",
            "with_day": "2026-02-10", "with_shift": "middle"}
    new_grid, _ = apply_change(swap, grid=grid, overtime={})
    broken = check(p, new_grid)
    # a now works middle on the 10th and early on the 11th; b early on the 10th after middle on the 9th.
    assert {(v.rule, v.day, v.staff_ids) for v in broken} == {
        ("rest", date(2026, 2, 10), ("b",)), ("rest", date(2026, 2, 11), ("a",))}


# --- attendance ---------------------------------------------------------------------------------------

CST = timezone(timedelta(hours=8))


def shift(day: date, template: r.ShiftTemplate, **flags) -> RosteredShift:
    start, end = r.shift_interval(day, template, time_zone="Asia/Shanghai")
    return RosteredShift("s1", day, template.code, start, end, night=template.night, **flags)


def test_a_middle_shift_on_the_last_day_of_the_month_takes_its_clock_out_after_midnight():
    last = shift(date(2026, 1, 31), MIDDLE)
    punches = [Punch("s1", "in", datetime(2026, 1, 31, 16, 7, tzinfo=CST)),
               Punch("s1", "out", datetime(2026, 2, 1, 0, 2, tzinfo=CST))]
    record = attend(last, punches, now=datetime(2026, 2, 2, tzinfo=CST), tolerances=Tolerances())
    assert record.status == "worked" and record.late_minutes == 7 and record.early_leave_minutes == 0
    assert record.hours == pytest.approx(7.88, abs=0.01)


def test_the_monthly_sheet_counts_late_early_absent_nights_rest_days_and_overtime():
    shifts = [
        shift(date(2026, 1, 30), NIGHT),  # worked, on time (00:00–08:00 of the 30th)
        shift(date(2026, 1, 31), MIDDLE, rest_day=True),  # Saturday: late 7 min, left 30 min early
        shift(date(2026, 1, 29), EARLY),  # absent (脱岗)
        shift(date(2026, 1, 28), EARLY, overtime=True),  # approved overtime, worked
    ]
    punches = [
        Punch("s1", "in", datetime(2026, 1, 29, 23, 58, tzinfo=CST)), Punch("s1", "out", datetime(2026, 1, 30, 8, 1, tzinfo=CST)),
        Punch("s1", "in", datetime(2026, 1, 31, 16, 7, tzinfo=CST)), Punch("s1", "out", datetime(2026, 1, 31, 23, 30, tzinfo=CST)),
        Punch("s1", "in", datetime(2026, 1, 28, 8, 0, tzinfo=CST)), Punch("s1", "out", datetime(2026, 1, 28, 16, 0, tzinfo=CST)),
    ]
    [row] = sheet(shifts, punches, now=datetime(2026, 2, 3, tzinfo=CST), tolerances=Tolerances(), names={"s1": "小王"})
    assert (row.shifts_rostered, row.shifts_worked, row.absent, row.late, row.early_leave) == (4, 3, 1, 1, 1)
    assert (row.night_shifts, row.rest_day_shifts, row.overtime_shifts, row.overtime_hours) == (1, 1, 1, 8.0)
    assert row.hours == pytest.approx(8 + 7.38 + 8, abs=0.01)
    assert table_csv(SHEET_HEADINGS, sheet_cells([row])).decode("utf-8-sig").splitlines()[1].startswith("s1,小王,4,3")
    assert table_xlsx(SHEET_HEADINGS, sheet_cells([row]), title="2026-01")[:2] == b"PK"


def test_a_shift_not_yet_over_is_not_an_absence():
    current = shift(date(2026, 2, 1), EARLY)
    assert attend(current, [], now=datetime(2026, 2, 1, 9, tzinfo=CST),
                  tolerances=Tolerances()).status == "not_clocked_in"
    assert attend(current, [], now=datetime(2026, 2, 1, 7, tzinfo=CST), tolerances=Tolerances()).status == "upcoming"
    assert attend(current, [], now=datetime(2026, 2, 1, 16, tzinfo=CST), tolerances=Tolerances()).status == "absent"


def history(staff_id: str, *cells: tuple[date, r.ShiftTemplate]) -> tuple:
    return tuple((staff_id,
                  r.Instance(r.Cell(day, t.code), *r.shift_interval(day, t, time_zone="Asia/Shanghai"), t.minutes,
                             t.night)) for day, t in cells)


def test_the_rules_reach_back_into_the_month_before():
    late_on_the_31st = history("s1", (date(2026, 1, 31), MIDDLE))
    p = problem(history=late_on_the_31st)
    assert names(check(p, {r.Cell(date(2026, 2, 1), "early"): ("s1",)}), "rest") == [(date(2026, 2, 1), ("s1",))]
    solution = solve(p, time_limit_s=2)
    assert solution.feasible
    assert "s1" not in solution.assignments[r.Cell(date(2026, 2, 1), "early")]
    assert "s1" not in solution.assignments[r.Cell(date(2026, 2, 1), "night")]
    pinned = solve(problem(history=late_on_the_31st, fixed={r.Cell(date(2026, 2, 1), "night"): ("s1",)}),
                     time_limit_s=2)
    assert names(pinned.violations, "rest") == [(date(2026, 2, 1), ("s1",))]

    three_nights = history("s2", *((date(2026, 1, d), NIGHT) for d in (29, 30, 31)))
    pinned = solve(problem(history=three_nights, fixed={r.Cell(date(2026, 2, 1), "night"): ("s2",)}),
                     time_limit_s=2)
    assert names(pinned.violations, "consecutive_nights") == [(date(2026, 2, 1), ("s2",))]
    solution = solve(problem(history=three_nights), time_limit_s=2)
    assert solution.feasible and "s2" not in solution.assignments[r.Cell(date(2026, 2, 1), "night")]
