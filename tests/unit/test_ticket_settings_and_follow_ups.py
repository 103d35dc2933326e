"""An estate's ticket catalogue and extra fields; what a follow-up attempt means."""

from datetime import timedelta

import pytest

from services.intake.domain import follow_ups
from services.intake.domain import ticket_settings as catalog
from shared.errors import InvalidInput, InvalidTransition

SETTINGS = catalog.settings_from_document({
    "subcategories": {"repair": ["septic_tank"]},
    "fields": [
        {"name": "visit_date", "kind": "date", "required": True, "categories": ["repair"]},
        {"name": "meter_number", "kind": "text"},
        {"name": "people_trapped", "kind": "number"},
        {"name": "floor_kind", "kind": "choice", "options": ["tile", "wood"]},
    ],
    "priority_rules": [{"priority": "P1", "keywords": ["化粪池"]}],
    "follow_up_within_hours": 8,
})


def test_defaults_when_the_estate_has_no_settings():
    settings = catalog.settings_from_document(None)
    assert "plumbing" in settings.subcategories_of("repair") and "noise" in settings.subcategories_of("complaint")
    assert settings.follow_up_within == timedelta(hours=24) and settings.fields == ()


def test_an_estate_adds_subcategories_to_the_defaults():
    catalog.check_subcategory(SETTINGS, "repair", subcategory="septic_tank", field_name="ticket.subcategory")
    catalog.check_subcategory(SETTINGS, "repair", subcategory="elevator", field_name="ticket.subcategory")
    catalog.check_subcategory(SETTINGS, "repair", subcategory=None, field_name="ticket.subcategory")
    with pytest.raises(InvalidInput) as refused:
        catalog.check_subcategory(SETTINGS, "complaint", subcategory="septic_tank", field_name="ticket.subcategory")
    assert refused.value.field == "ticket.subcategory"
    assert SETTINGS.follow_up_within == timedelta(hours=8)
    assert SETTINGS.priority_rules[0].keywords == ("化粪池",)


def test_extra_fields_are_checked_and_kept():
    values = {"visit_date": "2026-11-30", "meter_number": " M-42 ", "people_trapped": 2, "floor_kind": "wood"}
    assert catalog.check_extra_fields(SETTINGS, "repair", values=values) == {**values, "meter_number": "M-42"}
    # the date field is only for repairs: a complaint neither needs nor takes it
    assert catalog.check_extra_fields(SETTINGS, "complaint", values={}) == {}


@pytest.mark.parametrize(("category", "values", "field"), [
    ("repair", {}, "ticket.fields.visit_date"),  # required
    ("repair", {"visit_date": "30/11/2026"}, "ticket.fields.visit_date"),
    ("repair", {"visit_date": "2026-11-30", "colour": "red"}, "ticket.fields.colour"),  # not defined
    ("repair", {"visit_date": "2026-11-30", "people_trapped": "two"}, "ticket.fields.people_trapped"),
    ("repair", {"visit_date": "2026-11-30", "floor_kind": "carpet"}, "ticket.fields.floor_kind"),
    ("repair", {"visit_date": "2026-11-30", "meter_number": "x" * 501}, "ticket.fields.meter_number"),
    ("complaint", {"visit_date": "2026-11-30"}, "ticket.fields.visit_date"),  # not for complaints
])
def test_bad_extra_fields_name_the_field(category, values, field):
    with pytest.raises(InvalidInput) as refused:
        catalog.check_extra_fields(SETTINGS, category, values=values)
    assert refused.value.field == field and refused.value.status == 422


@pytest.mark.parametrize(("reached", "score", "failed_before", "expected"), [
    (True, 5, 0, ("completed", "satisfied", "follow_up")),
    (True, 3, 2, ("completed", "satisfied", "follow_up")),
    (True, 2, 0, ("completed", "dissatisfied", "reopen")),
    (True, 1, 1, ("completed", "dissatisfied", "reopen")),
    (False, None, 0, ("due", None, None)),
    (False, None, 1, ("due", None, None)),
    (False, None, 2, ("unreachable", "unreachable", "close")),
])
def test_what_an_attempt_means(reached, score, failed_before, expected):
    outcome = follow_ups.outcome_of_attempt(state="due", failed_before=failed_before, reached=reached, score=score)
    assert (outcome.follow_up_state, outcome.result, outcome.ticket_command) == expected


def test_a_reached_resident_gives_a_score_and_only_they_do():
    with pytest.raises(InvalidInput) as refused:
        follow_ups.outcome_of_attempt(state="due", failed_before=0, reached=True, score=None)
    assert refused.value.field == "score"
    with pytest.raises(InvalidInput):
        follow_ups.outcome_of_attempt(state="due", failed_before=0, reached=False, score=4)


@pytest.mark.parametrize("state", ["completed", "unreachable", "withdrawn"])
def test_a_finished_follow_up_takes_no_more_attempts(state):
    with pytest.raises(InvalidTransition):
        follow_ups.outcome_of_attempt(state=state, failed_before=0, reached=True, score=4)
