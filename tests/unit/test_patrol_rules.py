import pytest

from services.intake.domain import patrols as rules
from shared.errors import Conflict, InvalidInput, InvalidTransition

CODES = ["A", "B", "C", "D"]


def test_missed_checkpoints_are_those_not_recorded_in_route_order():
    results = {"C": {"result": "ok"}, "A": {"result": "defect"}}
    assert rules.missed(CODES, results) == ["B", "D"]
    assert rules.passed(CODES, results) == ["A", "C"]
    assert rules.defects(results) == 1


def test_a_full_round_misses_nothing():
    assert rules.missed(CODES, {code: {"result": "ok"} for code in reversed(CODES)}) == []


def test_checkpoint_states_before_and_after_completion():
    results = {"A": {"result": "ok"}}
    assert rules.checkpoint_state("A", results, round_status="in_progress") == "ok"
    assert rules.checkpoint_state("B", results, round_status="in_progress") == "pending"
    assert rules.checkpoint_state("B", results, round_status="completed") == "missed"


@pytest.mark.parametrize(("status", "code", "results", "error"), [
    ("completed", "A", {}, InvalidTransition),
    ("in_progress", "Z", {}, InvalidInput),
    ("in_progress", "A", {"A": {"result": "ok"}}, Conflict),
])
def test_what_cannot_be_recorded(status, code, results, error):
    with pytest.raises(error):
        rules.check_recordable(CODES, results, status=status, code=code)


def test_defect_details_go_with_defects_only():
    rules.check_defect_details("defect", True)
    rules.check_defect_details("ok", False)
    for result, has in (("defect", False), ("ok", True)):
        with pytest.raises(InvalidInput):
            rules.check_defect_details(result, has)


def test_route_codes_are_unique_and_a_round_completes_once():
    with pytest.raises(InvalidInput) as refused:
        rules.check_unique_codes(["A", "B", "A"])
    assert refused.value.field == "checkpoints.2.code"
    with pytest.raises(InvalidTransition):
        rules.check_completable("completed")
