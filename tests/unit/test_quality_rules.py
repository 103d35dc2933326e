from datetime import UTC, date, datetime

import pytest

from services.intake.domain import quality as rules
from shared.errors import InvalidInput

ALL = dict.fromkeys(rules.CHECKLIST, True)


def test_the_score_is_the_share_of_weight_passed_among_the_items_that_apply():
    assert rules.score(ALL) == 100
    assert rules.score({**ALL, "answered_within_three_rings": False}) == 80
    assert rules.score({**ALL, "reply_time_promised": None, "correct_category_and_priority": False}) == 75
    assert rules.score({"greeting_and_polite_language": False}) == 0
    with pytest.raises(InvalidInput):
        rules.score(dict.fromkeys(rules.CHECKLIST))


def test_failed_items_in_checklist_order():
    checklist = {**ALL, "correct_category_and_priority": False, "greeting_and_polite_language": False}
    assert rules.failed_items(checklist) == ["greeting_and_polite_language", "correct_category_and_priority"]


def test_the_three_rings_item_comes_from_the_log_unless_the_reviewer_gives_it():
    assert rules.with_logged_facts({}, False)["answered_within_three_rings"] is False
    assert rules.with_logged_facts({"answered_within_three_rings": True}, False)["answered_within_three_rings"]
    assert rules.with_logged_facts({"answered_within_three_rings": None}, True)["answered_within_three_rings"] is None


def test_a_seeded_draw_is_reproducible_and_never_larger_than_the_population():
    ids = [f"c{n:03d}" for n in range(50)]
    first = rules.draw(ids, 5, seed=7)
    assert first == rules.draw(list(reversed(ids)), 5, seed=7) and len(set(first)) == 5
    assert rules.draw(ids, 5, seed=8) != first
    assert rules.draw(ids[:3], 10, seed=1) == ids[:3]


@pytest.mark.parametrize(("contact", "category", "target", "expected"), [
    ({}, "complaint", "complaints", True),
    ({}, "repair", "complaints", False),
    ({"answered_within_15s": False}, None, "late_answers", True),
    ({"answered_within_15s": None}, None, "late_answers", False),
    ({"summary": "x" * 150}, None, "long_calls", True),
    ({"summary": "x" * 149}, None, "long_calls", False),
    ({}, None, "random", True),
])
def test_targeted_samples(contact, category, target, expected):
    assert rules.eligible(contact, category, target=target) is expected


def test_a_period_is_local_days_and_a_month_is_local():
    start, end = rules.period_bounds(date(2026, 11, 1), date(2026, 11, 30), time_zone="Asia/Shanghai")
    assert (start, end) == (datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC))
    with pytest.raises(InvalidInput):
        rules.period_bounds(date(2026, 11, 2), date(2026, 11, 1), time_zone="Asia/Shanghai")
    assert rules.month_of(datetime(2026, 11, 30, 17, tzinfo=UTC), "Asia/Shanghai") == "2026-12"
