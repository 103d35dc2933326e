"""Duty rosters (客服排班表): shift templates, the rules a roster must keep, and the CP-SAT model
that builds a month's roster.

Pure computation: no I/O. A roster is a grid of cells, (day, shift code) → the staff on it.
A shift belongs to the local day it starts on; a shift whose end is at or before its start
(夜班 22:00–06:00, or 中班 16:00–24:00 written as 24:00) ends on the next day.

The rules, each with a stable name used in every refusal:
- `minimum_staff`   each shift has at least its template's minimum of staff;
- `rest`            at least `min_rest_hours` between the end of one shift and the start of the
                    next for the same person (measured on real times, across midnight and days);
- `consecutive_nights` no more than `max_consecutive_nights` calendar days in a row with a night shift;
- `weekly_hours`    rostered hours per ISO week (Monday–Sunday) clipped to the month, within the
                    limit; the part of a week in the neighbouring month belongs to that month's roster;
- `leave`           nobody on a shift of a day of their approved leave;
- `overtime_hours`  approved overtime (加班) per person and month within the limit (劳动法: 36 h);
                    overtime does not count towards `weekly_hours`.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

RULES = ("minimum_staff", "rest", "consecutive_nights", "weekly_hours", "leave", "overtime_hours")
SOLVER_WORKERS = 2  # the service shares a small machine; more workers only contend
DEFAULT_TIME_LIMIT_S = 10.0
DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class ShiftTemplate:
    code: str
    name: str
    starts: int  # minutes after local midnight
    ends: int  # minutes after local midnight, 1..1440; at or before `starts` means the next day
    minimum: int = 1
    maximum: int | None = None  # defaults to the minimum: a roster covers, it does not overstaff
    night: bool = False

    @property
    def minutes(self) -> int:
        return self.ends - self.starts if self.ends > self.starts else self.ends + DAY_MINUTES - self.starts

    @property
    def crosses_midnight(self) -> bool:
        return self.ends <= self.starts or self.ends == DAY_MINUTES

    @property
    def most(self) -> int:
        return max(self.minimum, self.maximum if self.maximum is not None else self.minimum)


def clock_minutes(text: str) -> int:
    """"08:30" → 510; "24:00" is the end of the day (1440)."""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text!r} is not HH:MM")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > DAY_MINUTES:
        raise ValueError(f"{text!r} is not a time of day")
    return value


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# The usual shifts of a service centre (轮班制度): three eight-hour shifts round the clock, and the
# office day of 值班管理规定 (早班 8:30–17:30, here 白班), defined but not staffed (minimum 0) until
# an estate that works office days gives it a minimum.
DEFAULT_TEMPLATES = (
    ShiftTemplate("early", "早班", clock_minutes("08:00"), clock_minutes("16:00"), minimum=1),
    ShiftTemplate("middle", "中班", clock_minutes("16:00"), clock_minutes("24:00"), minimum=1),
    ShiftTemplate("night", "夜班", clock_minutes("00:00"), clock_minutes("08:00"), minimum=1, night=True),
    ShiftTemplate("day", "白班", clock_minutes("08:30"), clock_minutes("17:30"), minimum=0),
)


@dataclass(frozen=True)
class RosterRules:
    min_rest_hours: float = 12
    max_consecutive_nights: int = 3
    weekly_hours_limit: float = 40
    max_overtime_hours_per_month: float = 36


@dataclass(frozen=True)
class Cell:
    day: date
    shift: str


@dataclass(frozen=True)
class Violation:
    rule: str
    day: date
    staff_ids: tuple[str, ...] = ()
    shift: str | None = None
    detail: str = ""

    def as_dict(self) -> dict:
        return {"rule": self.rule, "day": self.day.isoformat(), "shift": self.shift,
                "staff_ids": list(self.staff_ids), "detail": self.detail}


def month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def parse_month(text: str) -> tuple[int, int]:
    """"2026-12" → (2026, 12)."""
    year, _, month = text.partition("-")
    if not (len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit() and 1 <= int(month) <= 12):
        raise ValueError(f"{text!r} is not a month like 2026-12")
    return int(year), int(month)


def shift_interval(day: date, template: ShiftTemplate, time_zone: str) -> tuple[datetime, datetime]:
    """The shift's real start and end, in UTC: wall-clock times of the estate, across midnight."""
    zone = ZoneInfo(time_zone)
    midnight = datetime.combine(day, time(0))
    start = (midnight + timedelta(minutes=template.starts)).replace(tzinfo=zone)
    end = (midnight + timedelta(minutes=template.starts + template.minutes)).replace(tzinfo=zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def local_midnight(day: date, time_zone: str) -> datetime:
    """The start of the estate's local day, in UTC."""
    return datetime.combine(day, time(0)).replace(tzinfo=ZoneInfo(time_zone)).astimezone(timezone.utc)


def week_of(day: date) -> date:
    """The Monday of the day's ISO week: the key of `weekly_hours`."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Instance:
    """One shift of one day, with its real times."""

    cell: Cell
    starts_at: datetime
    ends_at: datetime
    minutes: int
    night: bool


@dataclass(frozen=True)
class RosterProblem:
    year: int
    month: int
    staff_ids: tuple[str, ...]
    templates: tuple[ShiftTemplate, ...]
    rules: RosterRules = RosterRules()
    time_zone: str = "Asia/Shanghai"
    leave: Mapping[str, frozenset[date]] = field(default_factory=dict)  # approved leave per staff member
    rest_days: frozenset[date] = frozenset()  # weekends and public holidays of the estate's calendar
    fixed: Mapping[Cell, tuple[str, ...]] = field(default_factory=dict)  # cells the supervisor pinned
    # Shifts worked at the end of the month before (staff id, shift): the rest and night rules reach
    # back across the month's first midnight; nothing is reported on those days themselves.
    history: tuple[tuple[str, Instance], ...] = ()

    @property
    def days(self) -> list[date]:
        return month_days(self.year, self.month)

    def template(self, code: str) -> ShiftTemplate:
        return next(t for t in self.templates if t.code == code)

    def on_leave(self, staff_id: str, day: date) -> bool:
        return day in self.leave.get(staff_id, frozenset())


def instances(problem: RosterProblem) -> list[Instance]:
    result = []
    for day in problem.days:
        for template in problem.templates:
            start, end = shift_interval(day, template, problem.time_zone)
            result.append(Instance(Cell(day, template.code), start, end, template.minutes, template.night))
    return result


def too_close(first: Instance, second: Instance, min_rest: timedelta) -> bool:
    """Two shifts one person may not both work: overlapping, or with less rest between them."""
    earlier, later = sorted((first, second), key=lambda i: i.starts_at)
    return later.starts_at - earlier.ends_at < min_rest


# --- checking a roster -----------------------------------------------------------------------------

Assignments = Mapping[Cell, Iterable[str]]


def check(problem: RosterProblem, assignments: Assignments, overtime: Assignments | None = None) -> list[Violation]:
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
        violations += _leave(problem, staff_id, shifts)
        violations += _rest(problem, staff_id, shifts)
        violations += _nights(problem, staff_id, shifts)
        violations += _weekly_hours(problem, staff_id, shifts)
        violations += _overtime(problem, staff_id, shifts)
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


def _leave(problem: RosterProblem, staff_id: str, shifts) -> list[Violation]:
    return [Violation("leave", i.cell.day, (staff_id,), i.cell.shift, f"{staff_id} is on approved leave")
            for i, _ in shifts if _in_month(problem, i) and problem.on_leave(staff_id, i.cell.day)]


def _rest(problem: RosterProblem, staff_id: str, shifts) -> list[Violation]:
    min_rest = timedelta(hours=problem.rules.min_rest_hours)
    found = []
    for (before, _), (after, _) in zip(shifts, shifts[1:], strict=False):
        if _in_month(problem, after) and too_close(before, after, min_rest):
            hours = (after.starts_at - before.ends_at).total_seconds() / 3600
            found.append(Violation(
                "rest", after.cell.day, (staff_id,), after.cell.shift,
                f"{hours:g} h of rest after {before.cell.day} {before.cell.shift}, "
                f"at least {problem.rules.min_rest_hours:g} h"))
    return found


def _nights(problem: RosterProblem, staff_id: str, shifts) -> list[Violation]:
    limit = problem.rules.max_consecutive_nights
    night_days = sorted({i.cell.day for i, _ in shifts if i.night})
    found, run = [], 0
    for n, day in enumerate(night_days):
        run = run + 1 if n and night_days[n - 1] == day - timedelta(days=1) else 1
        if run > limit and day >= problem.days[0] and (run == limit + 1 or night_days[n - 1] < problem.days[0]):
            found.append(Violation("consecutive_nights", day, (staff_id,), None,
                                   f"night {run} in a row, at most {limit}"))
    return found


def _weekly_hours(problem: RosterProblem, staff_id: str, shifts) -> list[Violation]:
    minutes: dict[date, int] = defaultdict(int)
    for instance, is_overtime in shifts:
        if not is_overtime and _in_month(problem, instance):
            minutes[week_of(instance.cell.day)] += instance.minutes
    limit = problem.rules.weekly_hours_limit * 60
    first_day = problem.days[0]
    return [Violation("weekly_hours", max(monday, first_day), (staff_id,), None,
                      f"{total / 60:g} h in the week of {monday}, at most {problem.rules.weekly_hours_limit:g} h")
            for monday, total in sorted(minutes.items()) if total > limit]


def _overtime(problem: RosterProblem, staff_id: str, shifts) -> list[Violation]:
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


# --- solving ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Solution:
    assignments: dict[Cell, tuple[str, ...]]
    violations: tuple[Violation, ...]  # empty when the roster keeps every rule
    status: str  # optimal, feasible, infeasible, unknown
    solve_seconds: float

    @property
    def feasible(self) -> bool:
        return not self.violations and self.status in ("optimal", "feasible")


class _Model:
    """The decision variables x[staff, cell] and the rules written over them."""

    def __init__(self, problem: RosterProblem, *, soft: bool) -> None:
        self.problem = problem
        self.soft = soft
        self.model = cp_model.CpModel()
        self.instances = instances(problem)
        self.x = {(s, i.cell): self.model.new_bool_var(f"x_{s}_{i.cell.day:%d}_{i.cell.shift}")
                  for s in problem.staff_ids for i in self.instances}
        self.penalties: list[tuple[cp_model.LinearExprT, int]] = []  # (slack, weight)
        self.slacks: list[tuple[Violation, cp_model.IntVar]] = []  # what each slack means when used

    def slack(self, violation: Violation, upper: int) -> cp_model.IntVar | int:
        if not self.soft:
            return 0
        variable = self.model.new_int_var(0, upper, f"slack_{len(self.slacks)}")
        self.slacks.append((violation, variable))
        return variable

    def build(self) -> None:
        p = self.problem
        for cell, staff_ids in p.fixed.items():
            for staff_id in staff_ids:
                self.model.add(self.x[staff_id, cell] == 1)
        self._leave()
        self._coverage()
        self._rest()
        self._rest_after_history()
        self._nights()
        self._nights_after_history()
        self._weekly_hours()

    def _leave(self) -> None:
        for (staff_id, cell), variable in self.x.items():
            if self.problem.on_leave(staff_id, cell.day):
                if self.soft:
                    self.slacks.append((Violation("leave", cell.day, (staff_id,), cell.shift,
                                                  f"{staff_id} is on approved leave"), variable))
                    self.penalties.append((variable, WEIGHTS["leave"]))
                else:
                    self.model.add(variable == 0)

    def _coverage(self) -> None:
        for instance in self.instances:
            template = self.problem.template(instance.cell.shift)
            staffed = sum(self.x[s, instance.cell] for s in self.problem.staff_ids)
            short = self.slack(Violation("minimum_staff", instance.cell.day, (), instance.cell.shift,
                                         f"{template.name} short of its minimum {template.minimum}"),
                               template.minimum)
            self.model.add(staffed + short >= template.minimum)
            self.model.add(staffed <= max(template.most, self._pinned(instance.cell)))
            self._penalise(short, "minimum_staff")

    def _pinned(self, cell: Cell) -> int:
        return len(self.problem.fixed.get(cell, ()))

    def _rest(self) -> None:
        min_rest = timedelta(hours=self.problem.rules.min_rest_hours)
        horizon = timedelta(hours=self.problem.rules.min_rest_hours) + timedelta(days=1)
        ordered = sorted(self.instances, key=lambda i: i.starts_at)
        for n, first in enumerate(ordered):
            for second in ordered[n + 1:]:
                if second.starts_at - first.starts_at > horizon:
                    break
                if not too_close(first, second, min_rest):
                    continue
                for s in self.problem.staff_ids:
                    broken = self.slack(Violation("rest", second.cell.day, (s,), second.cell.shift,
                                                  f"less than {self.problem.rules.min_rest_hours:g} h after "
                                                  f"{first.cell.day} {first.cell.shift}"), 1)
                    self.model.add(self.x[s, first.cell] + self.x[s, second.cell] <= 1 + broken)
                    self._penalise(broken, "rest")

    def _rest_after_history(self) -> None:
        min_rest = timedelta(hours=self.problem.rules.min_rest_hours)
        for staff_id, before in self.problem.history:
            if staff_id not in self.problem.staff_ids:
                continue
            for after in self.instances:
                if after.starts_at >= before.starts_at and too_close(before, after, min_rest):
                    broken = self.slack(Violation("rest", after.cell.day, (staff_id,), after.cell.shift,
                                                  f"less than {self.problem.rules.min_rest_hours:g} h after "
                                                  f"{before.cell.day} {before.cell.shift}"), 1)
                    self.model.add(self.x[staff_id, after.cell] <= broken)
                    self._penalise(broken, "rest")

    def _nights_after_history(self) -> None:
        """Nights in a row at the end of the month before count towards the first days' limit."""
        limit = self.problem.rules.max_consecutive_nights
        nights = [t.code for t in self.problem.templates if t.night]
        first = self.problem.days[0]
        for s in self.problem.staff_ids:
            before = {i.cell.day for staff_id, i in self.problem.history if staff_id == s and i.night}
            run = 0
            while first - timedelta(days=run + 1) in before:
                run += 1
            for carried in range(1, min(run, limit) + 1):
                window = self.problem.days[:limit + 1 - carried]
                over = self.slack(Violation("consecutive_nights", window[-1], (s,), None,
                                            f"more than {limit} nights in a row with the month before"), len(window))
                self.model.add(sum(self.x[s, Cell(d, c)] for d in window for c in nights) <= limit - carried + over)
                self._penalise(over, "consecutive_nights")

    def _nights(self) -> None:
        limit = self.problem.rules.max_consecutive_nights
        nights = [t.code for t in self.problem.templates if t.night]
        days = self.problem.days
        if not nights:
            return
        for s in self.problem.staff_ids:
            for start in range(len(days) - limit):
                window = days[start:start + limit + 1]
                over = self.slack(Violation("consecutive_nights", window[-1], (s,), None,
                                            f"more than {limit} nights in a row"), len(window))
                self.model.add(sum(self.x[s, Cell(d, c)] for d in window for c in nights) <= limit + over)
                self._penalise(over, "consecutive_nights")

    def _weekly_hours(self) -> None:
        weeks: dict[date, list[Instance]] = defaultdict(list)
        for instance in self.instances:
            weeks[week_of(instance.cell.day)].append(instance)
        limit = round(self.problem.rules.weekly_hours_limit * 60)
        for s in self.problem.staff_ids:
            for monday, week in sorted(weeks.items()):
                total = sum(self.x[s, i.cell] * i.minutes for i in week)
                over = self.slack(Violation("weekly_hours", max(monday, self.problem.days[0]), (s,), None,
                                            f"over {self.problem.rules.weekly_hours_limit:g} h in the week of "
                                            f"{monday}"), sum(i.minutes for i in week))
                self.model.add(total <= limit + over)
                self._penalise(over, "weekly_hours")

    def _penalise(self, slack, rule: str) -> None:
        if self.soft and not isinstance(slack, int):
            self.penalties.append((slack, WEIGHTS[rule]))

    def fairness(self) -> cp_model.LinearExprT:
        """The spread (most − fewest) of nights, rest-day shifts and all shifts across the staff."""
        p = self.problem
        groups = {
            "nights": [i for i in self.instances if i.night],
            "rest_days": [i for i in self.instances if i.cell.day in p.rest_days],
            "shifts": self.instances,
        }
        spread = {}
        for name, members in groups.items():
            counts = [sum(self.x[s, i.cell] for i in members) for s in p.staff_ids]
            most = self.model.new_int_var(0, len(members), f"{name}_most")
            fewest = self.model.new_int_var(0, len(members), f"{name}_fewest")
            self.model.add_max_equality(most, counts)
            self.model.add_min_equality(fewest, counts)
            spread[name] = most - fewest
        return 4 * spread["nights"] + 4 * spread["rest_days"] + spread["shifts"]


# Which rule the diagnosis gives up first: coverage before the protections of people (rest, nights,
# hours), and leave last of all — so that a roster that cannot be made is reported as the shifts it
# cannot cover, unless pinned cells force a person's rule to break. Weekly hours are per minute over.
WEIGHTS = {"minimum_staff": 10, "rest": 200, "consecutive_nights": 200, "weekly_hours": 1, "leave": 10_000}


def _solver(time_limit_s: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_search_workers = SOLVER_WORKERS
    solver.parameters.random_seed = 7  # the same request gives the same roster
    return solver


STATUS = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible", cp_model.INFEASIBLE: "infeasible",
          cp_model.MODEL_INVALID: "invalid", cp_model.UNKNOWN: "unknown"}


def _read(model: _Model, solver: cp_model.CpSolver) -> dict[Cell, tuple[str, ...]]:
    grid: dict[Cell, list[str]] = defaultdict(list)
    for (staff_id, cell), variable in model.x.items():
        if solver.boolean_value(variable):
            grid[cell].append(staff_id)
    return {cell: tuple(sorted(staff)) for cell, staff in grid.items()}


def solve(problem: RosterProblem, *, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> Solution:
    """The fairest roster that keeps every rule; if there is none, the rules the best attempt broke."""
    started = clock.perf_counter()
    if obvious := pre_check(problem):
        return Solution({}, tuple(obvious), "infeasible", clock.perf_counter() - started)
    strict = _Model(problem, soft=False)
    strict.build()
    strict.model.minimize(strict.fairness())
    solver = _solver(time_limit_s)
    status = solver.solve(strict.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        assignments = _read(strict, solver)
        return Solution(assignments, tuple(check(problem, assignments)), STATUS[status],
                        clock.perf_counter() - started)
    remaining = max(1.0, time_limit_s - (clock.perf_counter() - started))
    return diagnose(problem, time_limit_s=remaining, started=started, status=STATUS[status])


def diagnose(problem: RosterProblem, *, time_limit_s: float, started: float, status: str) -> Solution:
    """Solve again with every rule softened by slack, and report the slack the best answer used."""
    soft = _Model(problem, soft=True)
    soft.build()
    soft.model.minimize(sum(weight * slack for slack, weight in soft.penalties))
    solver = _solver(time_limit_s)
    outcome = solver.solve(soft.model)
    if outcome not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        unsolved = Violation("time_limit", problem.days[0], (), None,
                             "no roster was found within the time limit; allow more time or fewer rules")
        return Solution({}, (unsolved,), status, clock.perf_counter() - started)
    used = [violation for violation, slack in soft.slacks if solver.value(slack) > 0]
    used.sort(key=lambda v: (v.day, RULES.index(v.rule), v.shift or "", v.staff_ids))
    return Solution(_read(soft, solver), tuple(used), "infeasible", clock.perf_counter() - started)


# --- what a roster says about people ------------------------------------------------------------------


def staff_totals(problem: RosterProblem, assignments: Assignments) -> dict[str, dict[str, float]]:
    """Per person: shifts, hours, nights and rest-day (weekend and holiday) shifts of the roster."""
    totals = {s: {"shifts": 0, "hours": 0.0, "nights": 0, "rest_day_shifts": 0} for s in problem.staff_ids}
    by_cell = {i.cell: i for i in instances(problem)}
    for cell, staff_ids in assignments.items():
        instance = by_cell[cell]
        for staff_id in staff_ids:
            entry = totals.setdefault(staff_id, {"shifts": 0, "hours": 0.0, "nights": 0, "rest_day_shifts": 0})
            entry["shifts"] += 1
            entry["hours"] += instance.minutes / 60
            entry["nights"] += int(instance.night)
            entry["rest_day_shifts"] += int(cell.day in problem.rest_days)
    return totals


# --- the benchmark ---------------------------------------------------------------------------------


def benchmark_problem(year: int = 2026, month: int = 10) -> RosterProblem:
    """A 12-person service centre, three eight-hour shifts round the clock, two on each, one month
    (October: the National Day holidays make the rest-day fairness matter)."""
    from services.dispatch.domain.calendar import BusinessCalendar

    templates = tuple(
        ShiftTemplate(t.code, t.name, t.starts, t.ends, minimum=2, night=t.night)
        for t in DEFAULT_TEMPLATES if t.code in ("early", "middle", "night")
    )
    calendar = BusinessCalendar()
    rest_days = frozenset(d for d in month_days(year, month) if not calendar.is_business_day(d)[0])
    return RosterProblem(year, month, tuple(f"agent-{n:02d}" for n in range(1, 13)), templates,
                         rest_days=rest_days)


def bench_roster_solve(time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> float:
    """Seconds to solve the benchmark month (`duty.roster_solve_s`); fails if no valid roster is found."""
    solution = solve(benchmark_problem(), time_limit_s=time_limit_s)
    if not solution.feasible:
        raise AssertionError(f"the benchmark roster did not solve: {solution.status} {solution.violations[:3]}")
    return solution.solve_seconds
