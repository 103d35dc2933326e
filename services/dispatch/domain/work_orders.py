"""Work-order rules: which department takes a ticket, who gets it, how it is numbered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The default routing of ticket categories to departments; estates will edit theirs.
DEPARTMENT_FOR_CATEGORY: dict[str, str] = {
    "repair": "engineering",
    "help": "security",
    "complaint": "customer_service",
}


KIND_FOR_CATEGORY: dict[str, str] = {"repair": "repair", "help": "help", "complaint": "complaint_handling"}


@dataclass(frozen=True)
class Candidate:
    staff_id: str
    name: str
    open_orders: int


def department_for(category: str) -> str | None:
    """The department that takes tickets of this category; None when no work order is needed."""
    return DEPARTMENT_FOR_CATEGORY.get(category)


def kind_for(category: str) -> str:
    return KIND_FOR_CATEGORY.get(category, "repair")


def choose_assignee(on_duty: list[Candidate]) -> Candidate | None:
    """Whoever on duty has the fewest open orders (ties by id, so the choice is repeatable)."""
    if not on_duty:
        return None
    return min(on_duty, key=lambda candidate: (candidate.open_orders, candidate.staff_id))


def work_order_number(day: date, sequence: int) -> str:
    """`PG-20261123-0007`: 派工单, the estate's day and its gapless sequence."""
    return f"PG-{day:%Y%m%d}-{sequence:04d}"
