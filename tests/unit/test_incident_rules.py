from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.domain import incidents as rules
from shared.errors import InvalidTransition

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def incident(**overrides) -> dict:
    return {"status": "open", "category": "repair", "subcategory": "plumbing", "building_id": "b3",
            "location": "3栋", "declared_at": NOW - timedelta(minutes=30), **overrides}


def report(**overrides) -> rules.Report:
    fields = {"category": "repair", "subcategory": "plumbing", "building_id": None, "location": None, **overrides}
    return rules.Report(**fields)


@pytest.mark.parametrize(("case", "expected"), [
    (report(building_id="b3"), True),
    (report(location="3栋2单元502"), True),  # the incident's place contains the caller's
    (report(location=" 3 栋 "), True),  # spaces do not make another place
    (report(building_id="b7", location="7栋"), False),
    (report(building_id="b3", subcategory="electrical"), False),
    (report(building_id="b3", category="complaint"), False),
    (report(building_id="b3", category=None), True),  # a call not yet classified: any category
    (report(), False),  # no place at all: nothing to match on
    (report(location="3"), False),  # too short to mean a place
])
def test_a_report_matches_by_kind_and_building_or_place(case, expected):
    assert rules.matches(case, incident(), now=NOW) is expected


def test_the_window_is_two_hours_since_the_declaration():
    assert rules.matches(report(building_id="b3"), incident(declared_at=NOW - timedelta(hours=2)), now=NOW)
    assert not rules.matches(report(building_id="b3"), incident(declared_at=NOW - timedelta(hours=2, seconds=1)),
                             now=NOW)
    assert not rules.matches(report(building_id="b3"), incident(declared_at=NOW + timedelta(minutes=1)), now=NOW)


def test_only_open_incidents_match_and_the_newest_comes_first():
    older = incident(declared_at=NOW - timedelta(minutes=90), number="older")
    newer = incident(status="investigating", declared_at=NOW - timedelta(minutes=5), number="newer")
    resolved = incident(status="resolved", number="resolved")
    found = rules.matching(report(building_id="b3"), [older, resolved, newer], now=NOW)
    assert [i["number"] for i in found] == ["newer", "older"]


@pytest.mark.parametrize(("current", "target"), [("open", "investigating"), ("open", "resolved"),
                                                 ("investigating", "resolved")])
def test_allowed_status_changes(current, target):
    rules.check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [("resolved", "investigating"), ("investigating", "open"),
                                                 ("resolved", "resolved")])
def test_refused_status_changes(current, target):
    with pytest.raises(InvalidTransition):
        rules.check_transition(current, target)


def test_finished_tickets_cannot_join():
    rules.check_linkable("in_progress")
    for status in ("resolved", "closed", "cancelled", "followed_up"):
        with pytest.raises(InvalidTransition):
            rules.check_linkable(status)


def test_numbers_and_the_broadcast():
    assert rules.incident_number(date(2026, 11, 26), 3) == "SJ-20261126-03"
    assert rules.broadcast_audience("b3") == "building" and rules.broadcast_audience(None) == "estate"
    assert rules.broadcast_text("停水", "3栋").startswith("【突发事件通知】3栋：停水")
