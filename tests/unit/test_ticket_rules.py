from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.domain import tickets as rules
from shared.errors import InvalidInput, InvalidTransition


def test_promised_reply_times_follow_priority():
    opened = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert rules.promised_reply_at("P1", opened) == opened + timedelta(minutes=30)
    assert rules.promised_reply_at("P4", opened) == opened + timedelta(hours=72)


def test_ticket_numbers_carry_the_day_and_four_digits():
    assert rules.ticket_number(date(2026, 11, 23), 42) == "DH-20261123-0042"


@pytest.mark.parametrize(("current", "command", "target"), [
    ("open", "start", "in_progress"), ("open", "resolve", "resolved"), ("in_progress", "resolve", "resolved"),
    ("resolved", "follow_up", "followed_up"), ("resolved", "reopen", "in_progress"),
    ("followed_up", "reopen", "in_progress"), ("followed_up", "close", "closed"), ("resolved", "close", "closed"),
    ("open", "cancel", "cancelled"), ("in_progress", "cancel", "cancelled"),
])
def test_allowed_commands_move_the_ticket(current, command, target):
    assert rules.next_status(current, command) == target
    rules.check_transition(current, target)


@pytest.mark.parametrize(("current", "command"), [
    ("closed", "reopen"), ("cancelled", "resolve"), ("open", "follow_up"), ("open", "close"), ("open", "reopen"),
    ("resolved", "cancel"), ("followed_up", "follow_up"), ("in_progress", "start"), ("closed", "cancel"),
])
def test_refused_commands_raise_a_conflict(current, command):
    with pytest.raises(InvalidTransition) as refused:
        rules.next_status(current, command)
    assert refused.value.status == 409
    assert refused.value.code == "invalid_transition"


@pytest.mark.parametrize(
    ("current", "target"), [("closed", "open"), ("cancelled", "in_progress"), ("open", "followed_up")]
)
def test_refused_transitions_raise_a_conflict(current, target):
    with pytest.raises(InvalidTransition):
        rules.check_transition(current, target)


def test_closed_and_cancelled_tickets_cannot_be_changed():
    rules.check_changeable("in_progress")
    for status in ("closed", "cancelled"):
        with pytest.raises(InvalidTransition):
            rules.check_changeable(status)


NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("category", "flagged", "priority", "count", "major"), [
    ("complaint", True, "P3", 1, True),
    ("complaint", False, "P2", 1, True),
    ("complaint", False, "P1", 1, True),
    ("complaint", False, "P3", 2, False),
    ("complaint", False, "P3", 3, True),
    ("repair", True, "P1", 5, False),
])
def test_a_major_complaint(category, flagged, priority, count, major):
    assert rules.is_major_complaint(category, flagged=flagged, priority=priority, complaints_in_window=count) is major


def test_complaints_older_than_thirty_days_do_not_count():
    previous = [NOW - timedelta(days=31), NOW - timedelta(days=29), NOW - timedelta(days=1)]
    assert rules.recent_complaints(previous, NOW) == [NOW - timedelta(days=29), NOW - timedelta(days=1), NOW]
    assert len(rules.recent_complaints([NOW - timedelta(days=40)], NOW)) == 1


def test_the_complainant_is_the_resident_else_the_phone():
    assert rules.complainant_key(resident_id="r-1", caller_phone="139 0000 1111") == "resident:r-1"
    assert rules.complainant_key(resident_id=None, caller_phone="+86 139-0000-1111") == "phone:13900001111"
    assert rules.complainant_key(resident_id=None, caller_phone="13900001111") == "phone:13900001111"
    assert rules.complainant_key(resident_id=None, caller_phone=None) is None


def test_the_hotline_promise_is_fifteen_seconds():
    rang = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert rules.answered_within_promise(rang, rang + timedelta(seconds=15)) is True
    assert rules.answered_within_promise(rang, rang + timedelta(seconds=16)) is False
    assert rules.answered_within_promise(rang, rang - timedelta(seconds=1)) is False
    assert rules.answered_within_promise(None, rang) is None


def test_call_times_may_not_be_in_the_future_nor_answered_before_ringing():
    now = datetime(2026, 11, 26, 15, 41, tzinfo=UTC)
    rules.check_call_times(now + timedelta(minutes=1), now + timedelta(minutes=1, seconds=5),
                           now=now)  # within the skew
    rules.check_call_times(None, None, now=now)
    for rang, answered, field in [(now + timedelta(minutes=5), None, "rang_at"),
                                  (now, now + timedelta(minutes=3), "answered_at"),
                                  (now, now - timedelta(seconds=1), "answered_at")]:
        with pytest.raises(InvalidInput) as refused:
            rules.check_call_times(rang, answered, now=now)
        assert refused.value.field == field


def test_a_new_ticket_takes_the_agents_priority_and_promise_over_the_proposed_ones():
    opened = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    facts = dict(ticket_id="t-1", estate_id="e-1", company_id="c-1", contact_id="k-1", channel="hotline",
                 caller_phone=None, unit_id=None, resident_id=None, category="repair", subcategory=None, scope=None,
                 location=None, building_id=None, description="水管漏水", fields={}, by="agent-1", now=opened)
    proposed = rules.new_ticket(**facts, priority=None, proposed_priority="P3", agent_promised_reply_at=None)
    assert proposed["priority"] == "P3" and proposed["proposed_priority"] == "P3"
    assert proposed["promised_reply_at"] == opened + timedelta(hours=24)
    assert proposed["promised_reply_by_agent"] is False
    assert proposed["status"] == "open" and proposed["history"][0]["action"] == "open"
    promised = opened + timedelta(hours=1)
    chosen = rules.new_ticket(**facts, priority="P2", proposed_priority="P3", agent_promised_reply_at=promised)
    assert chosen["priority"] == "P2" and chosen["proposed_priority"] == "P3"
    assert chosen["promised_reply_at"] == promised and chosen["promised_reply_by_agent"] is True
