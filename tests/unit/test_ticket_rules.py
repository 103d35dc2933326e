from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.domain import tickets as rules
from shared.errors import InvalidTransition


@pytest.mark.parametrize(
    ("category", "text", "expected"),
    [
        ("repair", "5栋电梯困梯，有人被困", "P1"),
        ("repair", "闻到燃气味", "P1"),
        ("help", "Someone is trapped in the lift", "P1"),
        ("repair", "There is a GAS LEAK in the kitchen", "P1"),
        ("repair", "卫生间天花板漏水", "P2"),
        ("repair", "门铃不响", "P3"),
        ("complaint", "楼上装修噪音", "P3"),
        ("consultation", "物业费怎么交", "P4"),
    ],
)
def test_priority_is_proposed_from_the_text(category, text, expected):
    assert rules.propose_priority(category, text) == expected


def test_the_most_urgent_keyword_wins():
    assert rules.propose_priority("repair", "漏水之后又停电了") == "P1"


def test_promised_reply_times_follow_priority():
    opened = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert rules.promised_reply_at("P1", opened) == opened + timedelta(minutes=30)
    assert rules.promised_reply_at("P4", opened) == opened + timedelta(hours=72)


def test_ticket_numbers_carry_the_day_and_four_digits():
    assert rules.ticket_number(date(2026, 11, 23), 42) == "DH-20261123-0042"


@pytest.mark.parametrize(("current", "target"), [("open", "in_progress"), ("resolved", "reopened"), ("reopened", "in_progress")])
def test_allowed_transitions_pass(current, target):
    rules.check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [("closed", "open"), ("cancelled", "in_progress"), ("open", "followed_up")])
def test_refused_transitions_raise_a_conflict(current, target):
    with pytest.raises(InvalidTransition) as refused:
        rules.check_transition(current, target)
    assert refused.value.status == 409
    assert refused.value.code == "invalid_transition"


def test_the_hotline_promise_is_fifteen_seconds():
    rang = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert rules.answered_within_promise(rang, rang + timedelta(seconds=15)) is True
    assert rules.answered_within_promise(rang, rang + timedelta(seconds=16)) is False
    assert rules.answered_within_promise(rang, rang - timedelta(seconds=1)) is False
    assert rules.answered_within_promise(None, rang) is None
