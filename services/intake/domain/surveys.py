"""Satisfaction-survey rules (满意度调查): questions per service area, tallies, results, comparison.

Answers are tallied as they come (a count per area and score), so results are read from one
document; averages and distributions are computed here from the tally.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.errors import InvalidInput, InvalidTransition

Area = Literal["customer_service", "engineering", "security", "cleaning", "greening"]
AREAS: tuple[str, ...] = ("customer_service", "engineering", "security", "cleaning", "greening")
SCORES: tuple[int, ...] = (1, 2, 3, 4, 5)
LOW_SCORE = 2  # a score of 1–2 with a comment deserves a ticket
Status = Literal["draft", "published", "closed"]
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"published"}), "published": frozenset({"closed"}), "closed": frozenset(),
}
# The complaint subcategory (one every estate has) a low score of each area becomes.
COMPLAINT_SUBCATEGORY: dict[str, str] = {
    "customer_service": "service_attitude", "engineering": "other", "security": "security",
    "cleaning": "cleanliness", "greening": "greenery",
}


@dataclass(frozen=True)
class AreaResult:
    count: int
    average: float | None
    distribution: dict[str, int]


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"a survey that is {current} cannot become {target}")


def check_question_codes(codes: list[str]) -> None:
    seen: set[str] = set()
    for index, code in enumerate(codes):
        if code in seen:
            raise InvalidInput(f"question code {code!r} appears twice", field=f"questions.{index}.code")
        seen.add(code)


def check_scores(area_of: dict[str, str], scores: dict[str, int]) -> None:
    """Every score answers a question of this survey (1–5 is checked by the request model)."""
    for code in scores:
        if code not in area_of:
            raise InvalidInput(f"the survey has no question {code!r}", field=f"scores.{code}")


def check_audience(audience: str, sample_size: int | None) -> None:
    if (audience == "sample") != (sample_size is not None):
        raise InvalidInput("a sample needs its size, and only a sample has one", field="sample_size")


def tally_increments(area_of: dict[str, str], scores: dict[str, int]) -> dict[str, int]:
    """`$inc` paths for one answer: `tally.<area>.<score>` once per question answered."""
    increments: dict[str, int] = {}
    for code, score in scores.items():
        path = f"tally.{area_of[code]}.{score}"
        increments[path] = increments.get(path, 0) + 1
    return increments


def area_result(counts: dict[str, int] | None) -> AreaResult:
    distribution = {str(score): int((counts or {}).get(str(score), 0)) for score in SCORES}
    count = sum(distribution.values())
    total = sum(int(score) * n for score, n in distribution.items())
    return AreaResult(count, round(total / count, 2) if count else None, distribution)


def results(tally: dict[str, dict[str, int]], areas: list[str]) -> dict[str, AreaResult]:
    return {area: area_result(tally.get(area)) for area in areas}


def changes(current: dict[str, AreaResult], previous: dict[str, AreaResult] | None) -> dict[str, float | None]:
    """Each area's average minus the previous survey's (None where either has no scores)."""
    if previous is None:
        return {area: None for area in current}
    return {
        area: round(result.average - previous[area].average, 2)
        if area in previous and result.average is not None and previous[area].average is not None else None
        for area, result in current.items()
    }


def averages_by_area(area_of: dict[str, str], scores: dict[str, int]) -> dict[str, float]:
    """One answer's average per area (what `intake.survey.answered` carries)."""
    by_area: dict[str, list[int]] = {}
    for code, score in scores.items():
        by_area.setdefault(area_of[code], []).append(score)
    return {area: round(sum(values) / len(values), 2) for area, values in by_area.items()}


def low_scores(scores: dict[str, int]) -> list[str]:
    return sorted(code for code, score in scores.items() if score <= LOW_SCORE)


def follow_up_suggested(scores: dict[str, int], comment: str | None) -> bool:
    """A low score with a comment: the resident said what is wrong, so it can become a ticket."""
    return bool(low_scores(scores) and comment)


def lowest_area(area_of: dict[str, str], scores: dict[str, int]) -> str:
    code = min(scores, key=lambda c: (scores[c], c))
    return area_of[code]
