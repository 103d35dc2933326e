import pytest

from services.intake.domain import surveys as rules
from shared.errors import InvalidInput, InvalidTransition

AREA_OF = {"cs": "customer_service", "cs2": "customer_service", "clean": "cleaning"}


def test_answers_are_tallied_per_area_and_score():
    assert rules.tally_increments(AREA_OF, {"cs": 4, "cs2": 4, "clean": 1}) == {
        "tally.customer_service.4": 2, "tally.cleaning.1": 1}


def test_an_area_result_has_count_average_and_distribution():
    result = rules.area_result({"5": 2, "4": 1, "1": 1})
    assert (result.count, result.average) == (4, 3.75)
    assert result.distribution == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 2}
    empty = rules.area_result(None)
    assert (empty.count, empty.average, sum(empty.distribution.values())) == (0, None, 0)


def test_averages_are_compared_with_the_previous_survey():
    current = rules.results({"customer_service": {"5": 1}, "cleaning": {"2": 1}}, ["customer_service", "cleaning",
                                                                                  "greening"])
    previous = rules.results({"customer_service": {"3": 2}, "greening": {"4": 1}}, ["customer_service", "cleaning",
                                                                                   "greening"])
    assert rules.changes(current, previous) == {"customer_service": 2.0, "cleaning": None, "greening": None}
    assert rules.changes(current, None) == {"customer_service": None, "cleaning": None, "greening": None}


def test_a_low_score_with_a_comment_suggests_a_ticket():
    assert rules.low_scores({"cs": 2, "clean": 1, "cs2": 3}) == ["clean", "cs"]
    assert rules.follow_up_suggested({"cs": 2}, "态度差")
    assert not rules.follow_up_suggested({"cs": 2}, None)
    assert not rules.follow_up_suggested({"cs": 3}, "一般")
    assert rules.lowest_area(AREA_OF, {"cs": 2, "clean": 1}) == "cleaning"


def test_one_answers_averages_by_area():
    assert rules.averages_by_area(AREA_OF, {"cs": 5, "cs2": 2, "clean": 4}) == {"customer_service": 3.5,
                                                                                 "cleaning": 4.0}


def test_unknown_questions_duplicate_codes_and_samples_without_size_are_refused():
    with pytest.raises(InvalidInput) as unknown:
        rules.check_scores(AREA_OF, {"cs": 3, "parking": 2})
    assert unknown.value.field == "scores.parking"
    with pytest.raises(InvalidInput):
        rules.check_question_codes(["a", "a"])
    with pytest.raises(InvalidInput):
        rules.check_audience("sample", None)
    with pytest.raises(InvalidInput):
        rules.check_audience("all", 10)
    rules.check_audience("sample", 10)


@pytest.mark.parametrize(("current", "target"), [("draft", "closed"), ("published", "published"),
                                                 ("closed", "published")])
def test_refused_survey_transitions(current, target):
    with pytest.raises(InvalidTransition):
        rules.check_transition(current, target)
