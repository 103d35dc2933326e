"""Procedures (手续办理): each kind's life cycle, checklist and approvers, as data; and their rules.

Every case moves only along its kind's table (action → {from status: to status}); anything else
is an InvalidTransition (409). Recording actions (checklist, documents, passes, …) leave the
status as it is but are allowed only in the statuses listed for the kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

from shared.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from shared.roles import FRONT_DESK, SUPERVISORS

Kind = Literal["move_in", "decoration", "move_out", "ownership_transfer", "tenant_registration", "utility_transfer"]
Status = Literal[
    "draft", "under_review", "approved", "rejected", "in_progress", "accepted", "completed", "cancelled",
]
FINAL_STATES: frozenset[str] = frozenset({"rejected", "completed", "cancelled"})

# Engineering has no role of its own: its dispatchers review plans; its technicians inspect.
ENGINEERING_REVIEW = frozenset({"dispatcher", "estate_manager", "company_admin"})
ENGINEERING = frozenset({"dispatcher", "technician", "estate_manager", "company_admin"})
READERS = FRONT_DESK | ENGINEERING | {"ops_viewer"}

# The common life cycles: with an approval step, or run at the desk from start to end.
_WITH_APPROVAL: dict[str, dict[str, str]] = {
    "submit": {"draft": "under_review"},
    "approve": {"under_review": "approved"},
    "reject": {"under_review": "rejected"},
    "start": {"approved": "in_progress"},
    "complete": {"in_progress": "completed"},
    "cancel": {s: "cancelled" for s in ("draft", "under_review", "approved", "in_progress")},
}
_AT_THE_DESK: dict[str, dict[str, str]] = {
    "submit": {"draft": "in_progress"},
    "complete": {"in_progress": "completed"},
    "cancel": {s: "cancelled" for s in ("draft", "in_progress")},
}
# Decoration: review by engineering, the works, final acceptance (验收), then the deposit settled.
# A failed acceptance keeps the works in progress until they are put right.
_DECORATION: dict[str, dict[str, str]] = {
    "submit": {"draft": "under_review"},
    "approve": {"under_review": "approved"},
    "reject": {"under_review": "rejected"},
    "start": {"approved": "in_progress"},
    "acceptance": {"in_progress": "accepted"},
    "deposit-settlement": {"accepted": "completed"},
    "cancel": {s: "cancelled" for s in ("draft", "under_review", "approved")},
}
_OPEN = frozenset({"draft", "under_review", "approved", "in_progress"})
_PAPERWORK = {"checklist": _OPEN, "documents": _OPEN}


class ChecklistIncomplete(Conflict):
    code, title = "checklist_incomplete", "The checklist is not complete"


@dataclass(frozen=True)
class KindRules:
    transitions: dict[str, dict[str, str]]
    checklist: tuple[str, ...]
    # The checklist must be complete before this action: the papers before a case goes to review,
    # the hand-over before a case at the desk completes.
    checklist_before: str
    approvers: frozenset[str] = frozenset()
    # Recording actions: where they are allowed. Items ticked by one of them are not ticked by hand.
    records: dict[str, frozenset[str]] = field(default_factory=lambda: dict(_PAPERWORK))
    ticked_by: dict[str, str] = field(default_factory=dict)
    needs_resident: bool = True


KINDS: dict[str, KindRules] = {
    "move_in": KindRules(
        transitions=_AT_THE_DESK,
        checklist=("identity_checked", "documents_signed", "keys_handed_over", "meter_readings_taken", "cards_issued"),
        checklist_before="complete",
        records={**_PAPERWORK,
                 **dict.fromkeys(("keys", "meter-readings", "cards"), frozenset({"draft", "in_progress"}))},
        ticked_by={"keys_handed_over": "keys", "meter_readings_taken": "meter-readings", "cards_issued": "cards"},
    ),
    "decoration": KindRules(
        transitions=_DECORATION,
        checklist=("application_form", "contractor_licence", "plan_drawings", "owner_commitment",
                   "fire_safety_commitment"),
        checklist_before="submit",
        approvers=ENGINEERING_REVIEW,
        records={**_PAPERWORK, "passes": frozenset({"approved", "in_progress"}),
                 "inspections": frozenset({"in_progress"}),
                 "works": frozenset({"approved", "in_progress", "accepted"})},
    ),
    "move_out": KindRules(
        transitions=_WITH_APPROVAL,
        checklist=("fees_cleared", "keys_returned", "meter_readings_taken", "cards_returned", "release_pass_issued"),
        checklist_before="complete",
        approvers=SUPERVISORS,
        records={**_PAPERWORK, **dict.fromkeys(("keys", "meter-readings"), _OPEN)},
        ticked_by={"keys_returned": "keys", "meter_readings_taken": "meter-readings"},
    ),
    "ownership_transfer": KindRules(
        transitions=_WITH_APPROVAL,
        checklist=("seller_identity_checked", "buyer_identity_checked", "property_certificate_seen", "fees_settled",
                   "documents_signed"),
        checklist_before="submit",
        approvers=SUPERVISORS,
    ),
    "tenant_registration": KindRules(
        transitions=_WITH_APPROVAL,
        checklist=("owner_consent", "tenant_identity_checked", "lease_contract_copied", "tenant_commitment_signed"),
        checklist_before="submit",
        approvers=SUPERVISORS,
    ),
    "utility_transfer": KindRules(
        transitions=_AT_THE_DESK,
        checklist=("identity_checked", "meter_readings_taken", "fees_settled", "utility_form_signed"),
        checklist_before="complete",
        records={**_PAPERWORK, "meter-readings": frozenset({"draft", "in_progress"})},
        ticked_by={"meter_readings_taken": "meter-readings"},
    ),
}

# Who may take each action (beyond the route's own check); approve/reject: the kind's approvers.
ACTION_ROLES: dict[str, frozenset[str]] = {
    **dict.fromkeys(("open", "submit", "start", "complete", "cancel", "checklist", "documents", "keys",
                     "meter-readings", "cards", "passes"), FRONT_DESK),
    "inspections": FRONT_DESK | ENGINEERING,
    "works": FRONT_DESK | ENGINEERING,
    "acceptance": ENGINEERING,
    "deposit-settlement": SUPERVISORS,
}
STATUS_ACTIONS: frozenset[str] = frozenset(
    action for rules in KINDS.values() for action in rules.transitions
)


def roles_for(action: str) -> frozenset[str]:
    """Who may take `action` on some kind of case: the route admits these; `check_role` decides per kind."""
    if action in ("approve", "reject"):
        return frozenset().union(*(rules.approvers for rules in KINDS.values()))
    return ACTION_ROLES[action]


def check_role(kind: str, action: str, *, roles: list[str]) -> None:
    allowed = KINDS[kind].approvers if action in ("approve", "reject") else ACTION_ROLES[action]
    if not allowed.intersection(roles):
        raise Forbidden(f"'{action}' on a {kind} case needs one of the roles: {', '.join(sorted(allowed))}")


def next_status(kind: str, current: str, *, action: str, passed: bool = True) -> str:
    """The status after `action`; a recording action keeps it. InvalidTransition (409) otherwise."""
    rules = KINDS[kind]
    if action == "acceptance" and not passed and current in rules.transitions.get(action, {}):
        return current  # failed: the works go on until put right
    if action in rules.transitions:
        target = rules.transitions[action].get(current)
        if target is None:
            raise InvalidTransition(f"a {kind} case that is {current} does not allow '{action}'")
        return target
    if action in rules.records:
        if current not in rules.records[action]:
            raise InvalidTransition(f"a {kind} case that is {current} does not allow '{action}'")
        return current
    raise InvalidTransition(f"a {kind} case has no '{action}'")


def new_checklist(kind: str) -> list[dict]:
    return [{"item": item, "done": False, "by": None, "at": None, "note": None} for item in KINDS[kind].checklist]


def check_item_ticked_by_hand(kind: str, item: str) -> None:
    rules = KINDS[kind]
    if item not in rules.checklist:
        raise InvalidInput(f"a {kind} checklist has no item {item!r}; it has {', '.join(rules.checklist)}",
                           field="item")
    if item in rules.ticked_by:
        raise InvalidInput(f"{item!r} is ticked by recording '{rules.ticked_by[item]}'", field="item")


def tick(checklist: list[dict], item: str, *, done: bool, by: str, at: datetime, note: str | None = None) -> list[dict]:
    return [{**entry, "done": done, "by": by, "at": at, "note": note} if entry["item"] == item else entry
            for entry in checklist]


def require_checklist_complete(kind: str, action: str, *, checklist: list[dict]) -> None:
    if KINDS[kind].checklist_before != action:
        return
    missing = [entry["item"] for entry in checklist if not entry["done"]]
    if missing:
        raise ChecklistIncomplete(f"the checklist is not complete: {', '.join(missing)}", missing=missing)


# --- decoration ----------------------------------------------------------------------------

DEFAULT_WORK_HOURS: tuple[tuple[time, time], ...] = ((time(8, 0), time(12, 0)), (time(14, 0), time(18, 0)))


def outside_approved_works(
    local_moment: datetime, *, start: date, end: date, hours: list[tuple[time, time]]
) -> str | None:
    """Why works at this local moment break the approval (`before_start_date`, `after_end_date`,
    `outside_allowed_hours`), or None when they are within the approved dates and hours."""
    day, clock = local_moment.date(), local_moment.time().replace(tzinfo=None)
    if day < start:
        return "before_start_date"
    if day > end:
        return "after_end_date"
    if not any(opens <= clock < closes for opens, closes in hours):
        return "outside_allowed_hours"
    return None


def check_pass_validity(valid_from: date, valid_until: date, *, start: date, end: date) -> None:
    """A worker's pass lies within the approved works dates."""
    if valid_from > valid_until:
        raise InvalidInput("a pass cannot end before it starts", field="valid_until")
    if valid_from < start:
        raise InvalidInput(f"the works are approved from {start}", field="valid_from")
    if valid_until > end:
        raise InvalidInput(f"the works are approved until {end}", field="valid_until")


@dataclass(frozen=True)
class DepositSettlement:
    deposit_fen: int
    withheld_fen: int
    refund_fen: int


def settle_deposit(deposit_fen: int, withheld_fen: list[int]) -> DepositSettlement:
    """What is refunded: the deposit less every amount withheld, exact to the fen, never below zero."""
    if any(amount <= 0 for amount in withheld_fen):
        raise InvalidInput("each amount withheld is more than zero", field="withheld")
    total = sum(withheld_fen)
    if total > deposit_fen:
        raise InvalidInput(f"more withheld ({total} fen) than the deposit ({deposit_fen} fen)", field="withheld")
    return DepositSettlement(deposit_fen=deposit_fen, withheld_fen=total, refund_fen=deposit_fen - total)


def procedure_number(day: date, sequence: int) -> str:
    """`SX-20261126-0007`: 手续, the estate's day and its gapless sequence."""
    return f"SX-{day:%Y%m%d}-{sequence:04d}"
