"""Work-order rules: which department and skill a request needs, who gets it, how it is numbered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RoutingRule:
    """(category, subcategory, scope) → department, work type and the skill it needs.

    A rule without a subcategory or scope matches any; the most specific matching rule wins,
    and an estate's own rules come before the defaults.
    """

    category: str
    department: str
    kind: str
    subcategory: str | None = None
    scope: str | None = None
    skill: str | None = None

    def specificity(self, category: str, subcategory: str | None, *, scope: str | None) -> int | None:
        if self.category != category:
            return None
        score = 0
        for wanted, given in ((self.subcategory, subcategory), (self.scope, scope)):
            if wanted is not None:
                if wanted != given:
                    return None
                score += 1
        return score


DEFAULT_RULES: tuple[RoutingRule, ...] = (
    RoutingRule("repair", "engineering", "repair"),
    RoutingRule("repair", "engineering", "repair", subcategory="plumbing", skill="plumbing"),
    RoutingRule("repair", "engineering", "repair", subcategory="electrical", skill="electrical"),
    RoutingRule("repair", "engineering", "repair", subcategory="elevator", skill="elevator"),
    RoutingRule("repair", "security", "repair", subcategory="doors_access"),
    RoutingRule("repair", "greening", "repair", subcategory="greenery", scope="public_area"),
    RoutingRule("help", "security", "help"),
    RoutingRule("complaint", "customer_service", "complaint_handling"),
)


def route(
    category: str, subcategory: str | None, *, scope: str | None, estate_rules: tuple[RoutingRule, ...] = ()
) -> RoutingRule | None:
    """The rule for a request; None when it needs no work order (consultations, praise…)."""
    for rules in (estate_rules, DEFAULT_RULES):
        scored = [(rule.specificity(category, subcategory, scope=scope), index, rule) for index,
                  rule in enumerate(rules)]
        matches = [(score, -index, rule) for score, index, rule in scored if score is not None]
        if matches:
            return max(matches)[2]
    return None


@dataclass(frozen=True)
class Candidate:
    staff_id: str
    name: str
    open_orders: int
    skills: frozenset[str] = frozenset()
    on_call: bool = False


@dataclass(frozen=True)
class Assignment:
    candidate: Candidate | None
    via: str  # "on_duty", "on_duty_without_skill", "on_call" or "supervisors_queue"


def choose_assignee(on_duty: list[Candidate], skill: str | None = None) -> Candidate | None:
    """Whoever on duty has the skill and the fewest open orders (ties by id, so the choice is repeatable)."""
    able = [c for c in on_duty if skill is None or skill in c.skills]
    if not able:
        return None
    return min(able, key=lambda candidate: (candidate.open_orders, candidate.staff_id))


def assign(on_duty: list[Candidate], on_call: list[Candidate], *, skill: str | None) -> Assignment:
    """On duty with the skill; else anyone on duty in the department (the skill is a preference, a
    person on site beats nobody); only when nobody is on duty, the department's on-call person;
    else the supervisors' queue."""
    if chosen := choose_assignee(on_duty, skill):
        return Assignment(chosen, "on_duty")
    if chosen := choose_assignee(on_duty):
        return Assignment(chosen, "on_duty_without_skill")
    if chosen := choose_assignee(on_call):
        return Assignment(chosen, "on_call")
    return Assignment(None, "supervisors_queue")


SERVICE_CENTRE = "customer_service"  # takes what a department with nobody cannot, unless it names another


@dataclass(frozen=True)
class Fallback:
    department: str | None  # None: the fallback has nobody either (the supervisors' queue)
    reason: str


def fallback_for(department: str, staffed: set[str], *, named: str | None = None) -> Fallback | None:
    """Where an order goes when its department has nobody who does its work right now (no staff, or
    all on leave): the department's named fallback, else the service centre. None when it has someone."""
    if department in staffed:
        return None
    target = named or SERVICE_CENTRE
    if target != department and target in staffed:
        return Fallback(target, f"{department} has nobody to do the work (no staff, or all on leave); "
                                f"routed to its fallback {target}")
    return Fallback(None, f"{department} has nobody to do the work, nor has its fallback {target}")


def work_order_number(day: date, sequence: int) -> str:
    """`PG-20261123-0007`: 派工单, the estate's day and its gapless sequence."""
    return f"PG-{day:%Y%m%d}-{sequence:04d}"
