"""The live board's rules: a work order's and a ticket's state whatever order their events come in."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from services.reporting.domain import dashboard_board as rules

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
ORDER = {"work_order_id": "wo-1", "number": "WO-1", "department": "engineering", "priority": "P1"}


def changed(status: str, previous: str) -> dict:
    return {**ORDER, "status": status, "previous_status": previous, "by": "eng-1"}


ORDER_EVENTS = [
    ("dispatch.workorder.created", T0, ORDER),
    ("dispatch.workorder.assigned", T0 + timedelta(seconds=1),
     {**ORDER, "accept_by": (T0 + timedelta(minutes=15)).isoformat()}),
    ("dispatch.sla.warning", T0 + timedelta(minutes=12),
     {**ORDER, "milestone": "accept", "deadline": (T0 + timedelta(minutes=15)).isoformat()}),
    ("dispatch.workorder.accepted", T0 + timedelta(minutes=13), changed("accepted", "assigned")),
]


def replay(events) -> dict:
    order = rules.new_work_order("wo-1", "estate-1", company_id="company-1")
    for key, time, data in events:
        order = rules.apply_to_work_order(order, key, time=time, data=data)
    return order


def test_a_work_order_ends_in_the_same_state_in_any_order_of_its_events():
    states = {
        (o["status"], o["open"], o["priority"], o["created_at"], tuple(o["met"]), rules.sla_state(o))
        for o in (replay(p) for p in itertools.permutations(ORDER_EVENTS))
    }
    assert states == {("accepted", True, "P1", T0, ("accept",), "ok")}


def test_milestones_are_listed_in_their_order_whatever_order_their_events_came_in():
    warnings = [("dispatch.sla.warning", T0 + timedelta(minutes=n), {
        **ORDER, "milestone": milestone, "deadline": (T0 + timedelta(hours=1)).isoformat()})
        for n, milestone in enumerate(("complete", "arrive", "accept"))]
    breaches = [("dispatch.sla.breached", T0 + timedelta(hours=1, minutes=n), {
        **ORDER, "milestone": milestone, "deadline": (T0 + timedelta(hours=1)).isoformat()})
        for n, milestone in enumerate(("arrive", "accept"))]
    orders = [replay(p) for p in itertools.permutations([*warnings, *breaches])]
    assert {(tuple(o["warned"]), tuple(o["breached"])) for o in orders} == {
        (("accept", "arrive", "complete"), ("accept", "arrive"))}


def test_a_warned_order_is_at_risk_until_its_milestone_is_met_and_its_deadline_is_the_earliest_unmet():
    order = replay(ORDER_EVENTS[:3])
    assert rules.sla_state(order) == "at_risk"
    assert rules.next_deadline(order) == ("accept", T0 + timedelta(minutes=15))
    assert rules.next_deadline(replay(ORDER_EVENTS)) == (None, None)


def test_a_breach_stays_a_breach_and_a_completed_order_is_not_open():
    breach = ("dispatch.sla.breached", T0 + timedelta(minutes=16),
              {**ORDER, "milestone": "accept", "deadline": (T0 + timedelta(minutes=15)).isoformat()})
    order = replay([*ORDER_EVENTS[:3], breach])
    assert rules.sla_state(order) == "breached" and order["open"]
    done = replay([*ORDER_EVENTS, breach, ("dispatch.workorder.completed", T0 + timedelta(hours=1),
                                           changed("completed", "arrived"))])
    assert not done["open"] and done["status"] == "completed"


def test_an_earlier_status_arriving_late_does_not_reopen_a_completed_order():
    order = replay([("dispatch.workorder.completed", T0 + timedelta(hours=1), changed("completed", "arrived")),
                    *ORDER_EVENTS])
    assert order["status"] == "completed" and not order["open"] and order["created_at"] == T0


def test_a_ticket_moves_the_open_counts_by_the_difference_its_change_makes():
    opened = {"ticket_id": "t-1", "number": "T-1", "category": "repair", "priority": "P1"}
    resolved = {"ticket_id": "t-1", "number": "T-1", "status": "resolved", "previous_status": "open"}
    new = rules.new_ticket("t-1", "estate-1", company_id="company-1")
    open_ticket = rules.apply_to_ticket(new, "intake.ticket.opened", time=T0, data=opened)
    assert rules.count_change(None, open_ticket) == {"open_tickets": 1, "open_p1": 1}
    closed = rules.apply_to_ticket(open_ticket, "intake.ticket.resolved", time=T0 + timedelta(hours=1), data=resolved)
    assert rules.count_change(open_ticket, closed) == {"open_tickets": -1, "open_p1": -1}
    # The resolution first, the opening late: never counted open.
    early = rules.apply_to_ticket(new, "intake.ticket.resolved", time=T0 + timedelta(hours=1), data=resolved)
    late = rules.apply_to_ticket(early, "intake.ticket.opened", time=T0, data=opened)
    assert rules.count_change(None, early) == {} and rules.count_change(early, late) == {}
    assert late["priority"] == "P1" and late["status"] == "resolved"


def test_calls_count_their_answer_only_when_it_was_timed():
    assert rules.day_increments("intake.contact.logged", {"answered_within_15s": None}) == {
        "calls": 1, "calls_timed": 0, "answered_15s": 0}
    assert rules.day_increments("intake.contact.logged", {"answered_within_15s": True}) == {
        "calls": 1, "calls_timed": 1, "answered_15s": 1}
    assert rules.answer_rate(0, 0) is None and rules.answer_rate(9, 10) == 0.9


def test_tile_levels_by_threshold_and_unknown_stays_unknown():
    assert rules.level(0.95, amber=0.9, red=0.8, higher_is_worse=False) == "ok"
    assert rules.level(0.85, amber=0.9, red=0.8, higher_is_worse=False) == "amber"
    assert rules.level(0.5, amber=0.9, red=0.8, higher_is_worse=False) == "red"
    assert rules.level(3, amber=1, red=3, higher_is_worse=True) == "red"
    assert rules.level(None, amber=1, red=3, higher_is_worse=True) == "unknown"
    assert rules.collection_rate(None, 100) is None and rules.collection_rate(200, 100) == 0.5
