import pytest

from services.dispatch.domain.life_cycle import TRANSITIONS, next_status
from shared.errors import InvalidTransition

ALL_STATES = ["pending", "assigned", "accepted", "arrived", "on_hold", "completed", "cancelled"]


def test_the_happy_path():
    status = "pending"
    for command, expected in [("assign", "assigned"), ("accept", "accepted"), ("arrive", "arrived"),
                              ("complete", "completed")]:
        status = next_status(status, command)
        assert status == expected


def test_hold_and_resume_return_to_where_the_order_was():
    assert next_status("arrived", "hold") == "on_hold"
    assert next_status("on_hold", "resume", held_from="arrived") == "arrived"


def test_decline_puts_it_back_and_reassign_keeps_it_assigned():
    assert next_status("assigned", "decline") == "pending"
    assert next_status("accepted", "reassign") == "assigned"
    assert next_status("pending", "grab") == "accepted"


@pytest.mark.parametrize("command", sorted(TRANSITIONS))
def test_every_refused_transition_is_a_409(command):
    refused = [state for state in ALL_STATES if state not in TRANSITIONS[command]]
    assert refused, command
    for state in refused:
        with pytest.raises(InvalidTransition) as error:
            next_status(state, command)
        assert error.value.status == 409


def test_resume_is_refused_unless_on_hold():
    for state in ALL_STATES:
        if state != "on_hold":
            with pytest.raises(InvalidTransition):
                next_status(state, "resume", held_from="accepted")


def test_final_states_accept_nothing():
    for command in TRANSITIONS:
        for state in ("completed", "cancelled"):
            with pytest.raises(InvalidTransition):
                next_status(state, command)
