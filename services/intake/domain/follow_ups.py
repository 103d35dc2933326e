"""Follow-up (回访) rules: what an attempt means for the follow-up and for its ticket. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import InvalidInput, InvalidTransition

MAX_FAILED_ATTEMPTS = 3
SATISFIED_FROM = 3  # a score of 3–5 is satisfied; 1–2 reopens the ticket


@dataclass(frozen=True)
class AttemptOutcome:
    follow_up_state: str  # due (try again) / completed / unreachable
    result: str | None  # satisfied / dissatisfied / unreachable, once the follow-up is over
    ticket_command: str | None  # follow_up / reopen / close, or None while it stays due


def check_attempt(*, reached: bool, score: int | None) -> None:
    if reached and score is None:
        raise InvalidInput("a reached resident gives a score from 1 to 5", field="score")
    if not reached and score is not None:
        raise InvalidInput("only a reached resident can give a score", field="score")


def outcome_of_attempt(*, state: str, failed_before: int, reached: bool, score: int | None) -> AttemptOutcome:
    """Reached with 3–5: followed up; 1–2: the ticket is reopened; the third failure: unreachable, closed."""
    if state != "due":
        raise InvalidTransition(f"this follow-up is {state}; it takes no more attempts")
    check_attempt(reached=reached, score=score)
    if reached:
        if score >= SATISFIED_FROM:
            return AttemptOutcome("completed", "satisfied", "follow_up")
        return AttemptOutcome("completed", "dissatisfied", "reopen")
    if failed_before + 1 >= MAX_FAILED_ATTEMPTS:
        return AttemptOutcome("unreachable", "unreachable", "close")
    return AttemptOutcome("due", None, None)
