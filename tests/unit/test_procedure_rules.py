"""Procedures: every kind's life cycle, checklist, approvers, and the decoration rules."""

from datetime import date, datetime, time

import pytest

from services.intake.domain import procedures as rules
from shared.errors import Conflict, Forbidden, InvalidInput, InvalidTransition

ALL_STATES = ["draft", "under_review", "approved", "rejected", "in_progress", "accepted", "completed", "cancelled"]
HOURS = [(time(8), time(12)), (time(14), time(18))]


def run(kind: str, *actions: str) -> str:
    status = "draft"
    for action in actions:
        status = rules.next_status(kind, status, action=action)
    return status


@pytest.mark.parametrize(("kind", "path"), [
    ("move_in", ["submit", "complete"]),
    ("utility_transfer", ["submit", "complete"]),
    ("move_out", ["submit", "approve", "start", "complete"]),
    ("ownership_transfer", ["submit", "approve", "start", "complete"]),
    ("tenant_registration", ["submit", "approve", "start", "complete"]),
    ("decoration", ["submit", "approve", "start", "acceptance", "deposit-settlement"]),
])
def test_each_kind_runs_to_completion(kind, path):
    assert run(kind, *path) == "completed"


def test_decoration_stages_in_order():
    assert run("decoration", "submit") == "under_review"
    assert run("decoration", "submit", "approve") == "approved"
    assert run("decoration", "submit", "approve", "start") == "in_progress"
    assert run("decoration", "submit", "approve", "start", "acceptance") == "accepted"


def test_a_failed_acceptance_keeps_the_works_in_progress():
    assert rules.next_status("decoration", "in_progress", action="acceptance", passed=False) == "in_progress"
    with pytest.raises(InvalidTransition):  # not before the works started, passed or not
        rules.next_status("decoration", "approved", action="acceptance", passed=False)


def test_rejection_is_final():
    assert run("decoration", "submit", "reject") == "rejected"
    for action in ("approve", "submit", "start", "cancel", "checklist", "passes"):
        with pytest.raises(InvalidTransition):
            rules.next_status("decoration", "rejected", action=action)


@pytest.mark.parametrize("kind", sorted(rules.KINDS))
def test_every_refused_transition_is_a_409(kind):
    for action, moves in rules.KINDS[kind].transitions.items():
        for state in ALL_STATES:
            if state in moves:
                continue
            with pytest.raises(InvalidTransition):
                rules.next_status(kind, state, action=action)


@pytest.mark.parametrize("kind", sorted(rules.KINDS))
def test_final_states_allow_nothing(kind):
    actions = [*rules.KINDS[kind].transitions, *rules.KINDS[kind].records]
    for state in rules.FINAL_STATES:
        for action in actions:
            with pytest.raises(InvalidTransition):
                rules.next_status(kind, state, action=action)


def test_actions_a_kind_does_not_have_are_refused():
    for kind, action in [("move_in", "approve"), ("move_in", "passes"), ("decoration", "complete"),
                         ("decoration", "cards"), ("ownership_transfer", "meter-readings")]:
        with pytest.raises(InvalidTransition):
            rules.next_status(kind, "in_progress", action=action)


def test_recording_actions_keep_the_status_where_allowed():
    assert rules.next_status("decoration", "in_progress", action="inspections") == "in_progress"
    assert rules.next_status("decoration", "approved", action="passes") == "approved"
    assert rules.next_status("move_in", "draft", action="keys") == "draft"
    with pytest.raises(InvalidTransition):  # inspections are of works under way
        rules.next_status("decoration", "approved", action="inspections")


def test_approvers_by_kind():
    rules.check_role("decoration", "approve", roles=["dispatcher"])
    rules.check_role("move_out", "approve", roles=["supervisor"])
    for kind, roles in [("decoration", ["agent"]), ("decoration", ["supervisor"]), ("move_out", ["agent"]),
                        ("ownership_transfer", ["dispatcher"]), ("tenant_registration", ["technician"])]:
        with pytest.raises(Forbidden):
            rules.check_role(kind, "approve", roles=roles)
    with pytest.raises(Forbidden):
        rules.check_role("decoration", "deposit-settlement", roles=["agent"])
    with pytest.raises(Forbidden):
        rules.check_role("decoration", "acceptance", roles=["agent"])
    rules.check_role("decoration", "acceptance", roles=["technician"])


def test_checklist_must_be_complete_at_its_step():
    checklist = rules.new_checklist("move_in")
    with pytest.raises(Conflict) as refused:
        rules.require_checklist_complete("move_in", "complete", checklist=checklist)
    assert refused.value.extra["missing"] == list(rules.KINDS["move_in"].checklist)
    rules.require_checklist_complete("move_in", "submit", checklist=checklist)  # not needed yet
    for item in rules.KINDS["move_in"].checklist:
        checklist = rules.tick(checklist, item, done=True, by="agent-1", at=datetime(2026, 11, 26))
    rules.require_checklist_complete("move_in", "complete", checklist=checklist)


def test_items_with_data_are_not_ticked_by_hand():
    rules.check_item_ticked_by_hand("move_in", "identity_checked")
    with pytest.raises(InvalidInput) as refused:
        rules.check_item_ticked_by_hand("move_in", "keys_handed_over")
    assert refused.value.field == "item"
    with pytest.raises(InvalidInput):
        rules.check_item_ticked_by_hand("move_in", "no_such_item")


@pytest.mark.parametrize(("moment", "expected"), [
    (datetime(2026, 12, 1, 9, 0), None),
    (datetime(2026, 12, 1, 8, 0), None),  # opening time is inside
    (datetime(2026, 12, 1, 12, 0), "outside_allowed_hours"),  # closing time is not
    (datetime(2026, 12, 1, 13, 0), "outside_allowed_hours"),  # the lunch break
    (datetime(2026, 12, 10, 17, 59), None),
    (datetime(2026, 12, 10, 22, 30), "outside_allowed_hours"),
    (datetime(2026, 11, 30, 9, 0), "before_start_date"),
    (datetime(2026, 12, 11, 9, 0), "after_end_date"),
])
def test_works_outside_the_approved_dates_or_hours_are_flagged(moment, expected):
    assert rules.outside_approved_works(moment, start=date(2026, 12, 1), end=date(2026, 12, 10), hours=HOURS) == expected


def test_passes_lie_within_the_works_dates():
    window = {"start": date(2026, 12, 1), "end": date(2026, 12, 10)}
    rules.check_pass_validity(date(2026, 12, 1), date(2026, 12, 10), **window)
    for valid_from, valid_until, field in [(date(2026, 11, 30), date(2026, 12, 5), "valid_from"),
                                           (date(2026, 12, 2), date(2026, 12, 11), "valid_until"),
                                           (date(2026, 12, 5), date(2026, 12, 4), "valid_until")]:
        with pytest.raises(InvalidInput) as refused:
            rules.check_pass_validity(valid_from, valid_until, **window)
        assert refused.value.field == field


def test_deposit_settlement_is_exact_to_the_fen():
    settled = rules.settle_deposit(200000, [30001, 1999])  # 2000.00 less 300.01 and 19.99
    assert (settled.deposit_fen, settled.withheld_fen, settled.refund_fen) == (200000, 32000, 168000)
    assert rules.settle_deposit(200000, []).refund_fen == 200000
    assert rules.settle_deposit(200000, [200000]).refund_fen == 0


def test_deposit_settlement_refuses_too_much_or_nothing_withheld():
    with pytest.raises(InvalidInput):
        rules.settle_deposit(200000, [150000, 50001])
    with pytest.raises(InvalidInput):
        rules.settle_deposit(200000, [0])


def test_procedure_numbers():
    assert rules.procedure_number(date(2026, 11, 26), 7) == "SX-20261126-0007"


def test_papers_come_before_review_and_the_hand_over_before_completion():
    for kind in ("decoration", "ownership_transfer", "tenant_registration"):
        with pytest.raises(Conflict):
            rules.require_checklist_complete(kind, "submit", checklist=rules.new_checklist(kind))
    for kind in ("move_in", "move_out", "utility_transfer"):
        rules.require_checklist_complete(kind, "submit", checklist=rules.new_checklist(kind))
        with pytest.raises(Conflict):
            rules.require_checklist_complete(kind, "complete", checklist=rules.new_checklist(kind))


def test_stored_fen_are_shown_as_yuan():
    from services.intake.commands.procedures import money_view

    stored = {"deposit_fen": 200000, "withholdings": [{"amount_fen": 1999, "reason": "垃圾清运"}], "by": "sup-1"}
    assert money_view(stored) == {"deposit": "2000.00", "withholdings": [{"amount": "19.99", "reason": "垃圾清运"}],
                                  "by": "sup-1"}
    assert money_view(None) is None
