"""The clock (时效管理): deadlines per priority, warning and breach timers, the escalation ladder.

Pure: the scheduler and the commands use these rules; nothing here reads a clock or a database.
A policy counts the full clock, or business hours on the estate's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from services.dispatch.domain.calendar import BusinessCalendar, add_business_time
from shared.errors import InvalidInput

MILESTONES = ("accept", "arrive", "complete")
# A complaint-handling order runs on the complaint procedure's clock instead: plan, then feedback.
COMPLAINT_MILESTONES = ("plan", "feedback")
WARNING_SHARE = 0.8  # dispatch.sla.warning at 80% of the time, dispatch.sla.breached at 100%
BUCKET_SECONDS = 5  # timers are filed in 5-second buckets, read back by equality, never by range
LATE_AFTER = timedelta(seconds=1)  # a timer fired later than this after its due time is marked late


@dataclass(frozen=True)
class Policy:
    accept: timedelta
    arrive: timedelta
    complete: timedelta


@dataclass(frozen=True)
class ComplaintPolicy:
    plan: timedelta = timedelta(hours=24)
    feedback: timedelta = timedelta(hours=48)


DEFAULT_POLICIES: dict[str, Policy] = {
    "P1": Policy(timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=4)),
    "P2": Policy(timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=24)),
    "P3": Policy(timedelta(minutes=30), timedelta(hours=2), timedelta(hours=48)),
    "P4": Policy(timedelta(hours=2), timedelta(hours=24), timedelta(hours=72)),
}

DEFAULT_LADDER_DELAYS_S: tuple[int, ...] = (0, 30 * 60, 30 * 60, 60 * 60)
EMERGENCY_PRIORITIES = frozenset({"P1"})


@dataclass(frozen=True)
class EstatePolicy:
    """An estate's clock: its deadlines per priority and the delays between ladder steps."""

    priorities: dict[str, Policy]
    ladder_delays_s: tuple[int, ...] = DEFAULT_LADDER_DELAYS_S
    calendar: BusinessCalendar | None = None  # None: the full clock
    complaint: ComplaintPolicy = ComplaintPolicy()
    # Ticket subcategories the estate treats as safety (gas, lifts…): emergencies, like a P1.
    safety_subcategories: frozenset[str] = frozenset()

    def is_emergency(self, priority: str, subcategory: str | None = None) -> bool:
        return priority in EMERGENCY_PRIORITIES or subcategory in self.safety_subcategories

    def clock_of(self, priority: str, subcategory: str | None = None) -> str:
        """`full` or `business_hours`: an emergency (P1, or a safety subcategory) runs on the full
        clock whatever the estate's policy — a burst main at 23:41 is not due at 08:31."""
        if self.calendar is None or self.is_emergency(priority, subcategory):
            return "full"
        return "business_hours"


DEFAULT_ESTATE_POLICY = EstatePolicy(DEFAULT_POLICIES)


def check_policy(*, priorities: dict[str, Policy], clock: str, opens: time, closes: time) -> None:
    """An estate's clock gives every priority its limits, in order, and business hours that open before
    they close (422 naming the field)."""
    if set(priorities) != set(DEFAULT_POLICIES):
        raise InvalidInput("give limits for each of P1, P2, P3 and P4", field="priorities")
    for priority, limits in priorities.items():
        if not limits.accept <= limits.arrive <= limits.complete:
            raise InvalidInput("accept ≤ arrive ≤ complete", field=f"priorities.{priority}")
    if clock == "business_hours" and opens >= closes:
        raise InvalidInput("business hours must open before they close", field="closes")


def clocks_by_priority(policy_clock: str) -> dict[str, str]:
    """What a policy's response says: the clock each priority counts (emergencies always the full one)."""
    return {priority: "full" if policy_clock == "full" or priority in EMERGENCY_PRIORITIES else policy_clock
            for priority in DEFAULT_POLICIES}

# Which life-cycle command meets which milestone (its timers are then withdrawn).
MILESTONE_MET_BY: dict[str, str] = {
    "accept": "accept", "grab": "accept", "arrive": "arrive", "complete": "complete", "plan": "plan",
}

# The escalation ladder (逐级上报), lowest first; each step comes its delay after the previous one.
LADDER: tuple[str, ...] = ("supervisor", "cs_manager", "estate_manager", "duty_leader")


@dataclass(frozen=True)
class Timer:
    milestone: str  # accept / arrive / complete, or "escalation"
    kind: str  # warning / breach / escalation
    due_at: datetime
    deadline: datetime
    level: int = 0


@dataclass(frozen=True)
class Plan:
    """When each milestone warns and breaches; `approximate` when a calendar day had to be guessed."""

    timers: list[Timer]
    deadlines: dict[str, datetime]
    approximate: bool


def plan(
    priority: str, start: datetime, *, policy: EstatePolicy = DEFAULT_ESTATE_POLICY, kind: str = "repair",
    subcategory: str | None = None,
) -> Plan:
    """A warning at 80% and a breach at 100% of each milestone's time, on the clock the policy gives
    the order's priority (and subcategory)."""
    complaint = kind == "complaint_handling"
    limits = policy.complaint if complaint else policy.priorities[priority]
    full_clock = policy.clock_of(priority, subcategory) == "full"
    timers, deadlines, approximate = [], {}, False
    for milestone in COMPLAINT_MILESTONES if complaint else MILESTONES:
        duration = getattr(limits, milestone)
        if full_clock:
            warning_at, deadline = start + duration * WARNING_SHARE, start + duration
        else:
            warning = add_business_time(start, duration * WARNING_SHARE, calendar=policy.calendar)
            breach = add_business_time(start, duration, calendar=policy.calendar)
            warning_at, deadline = warning.at, breach.at
            approximate = approximate or warning.approximate or breach.approximate
        deadlines[milestone] = deadline
        timers += [Timer(milestone, "warning", warning_at, deadline), Timer(milestone, "breach", deadline, deadline)]
    return Plan(timers, deadlines, approximate)


def escalation_step(
    level: int, after: datetime, *, delays_s: tuple[int, ...] | list[int] = DEFAULT_LADDER_DELAYS_S
) -> Timer | None:
    """The timer of ladder step `level` (1-based), due its delay after `after`; None past the top."""
    if level > len(LADDER):
        return None
    due_at = after + timedelta(seconds=delays_s[level - 1])
    return Timer("escalation", "escalation", due_at, due_at, level)


def position_at(level: int) -> str:
    return LADDER[level - 1]


def bucket_of(moment: datetime) -> int:
    return int(moment.timestamp()) // BUCKET_SECONDS


def is_late(due_at: datetime, fired_at: datetime) -> bool:
    return fired_at - due_at > LATE_AFTER


def state_after(fired_kind: str, current: str) -> str:
    """An order's `sla_state` after a warning or a breach: ok → at_risk → breached, never back."""
    return "breached" if fired_kind == "breach" or current == "breached" else "at_risk"
