"""Building a month's duty roster with OR-Tools CP-SAT: every rule of `rosters` as a constraint,
nights and rest-day shifts spread fairly; a month that cannot be made is solved again with each
rule softened, to name the rules it cannot keep.

Pure computation: no I/O (the solver runs in the caller's thread).
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from ortools.sat.python import cp_model

from services.dispatch.domain.roster_checks import check, pre_check
from services.dispatch.domain.rosters import (
    DEFAULT_TEMPLATES,
    RULES,
    Cell,
    Instance,
    RosterProblem,
    ShiftTemplate,
    Violation,
    instances,
    month_days,
    rest_days,
    too_close,
    week_of,
)

SOLVER_WORKERS = 2  # the service shares a small machine; more workers only contend
DEFAULT_TIME_LIMIT_S = 10.0


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
                if not too_close(first, second, min_rest=min_rest):
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
                if after.starts_at >= before.starts_at and too_close(before, after, min_rest=min_rest):
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


# --- the benchmark ---------------------------------------------------------------------------------


def benchmark_problem(year: int = 2026, month: int = 10) -> RosterProblem:
    """A 12-person service centre, three eight-hour shifts round the clock, two on each, one month
    (October: the National Day holidays make the rest-day fairness matter)."""
    templates = tuple(
        ShiftTemplate(t.code, t.name, t.starts, t.ends, minimum=2, night=t.night)
        for t in DEFAULT_TEMPLATES if t.code in ("early", "middle", "night")
    )
    return RosterProblem(year, month, tuple(f"agent-{n:02d}" for n in range(1, 13)), templates,
                         rest_days=rest_days(month_days(year, month)))


def bench_roster_solve(time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> float:
    """Seconds to solve the benchmark month (`duty.roster_solve_s`); fails if no valid roster is found."""
    solution = solve(benchmark_problem(), time_limit_s=time_limit_s)
    if not solution.feasible:
        raise AssertionError(f"the benchmark roster did not solve: {solution.status} {solution.violations[:3]}")
    return solution.solve_seconds
