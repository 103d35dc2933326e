"""Patrol rules (巡楼/巡检): a route of checkpoints, a round that records them, what was missed.

Checkpoints may be recorded in any order (a guard takes the stairs as they come); each once.
A round completed with checkpoints not recorded lists them as missed.
"""

from __future__ import annotations

from typing import Literal

from shared.errors import Conflict, InvalidInput, InvalidTransition

RoundStatus = Literal["in_progress", "completed"]
CheckpointResult = Literal["ok", "defect"]


def check_unique_codes(codes: list[str]) -> None:
    seen: set[str] = set()
    for index, code in enumerate(codes):
        if code in seen:
            raise InvalidInput(f"checkpoint code {code!r} appears twice", field=f"checkpoints.{index}.code")
        seen.add(code)


def check_recordable(route_codes: list[str], results: dict[str, dict], *, status: str, code: str) -> None:
    """A checkpoint of this route, not recorded yet, in a round still under way."""
    if status != "in_progress":
        raise InvalidTransition(f"the round is {status}; nothing more can be recorded")
    if code not in route_codes:
        raise InvalidInput(f"the route has no checkpoint {code!r}", field="code")
    if code in results:
        raise Conflict(f"checkpoint {code} is recorded already", field="code")


def check_defect_details(result: str, has_details: bool) -> None:
    """A defect needs its details (they become the ticket); a passed checkpoint has none."""
    if (result == "defect") != has_details:
        raise InvalidInput("a defect needs its `defect` details, and only a defect has them", field="defect")


def check_completable(status: str) -> None:
    if status != "in_progress":
        raise InvalidTransition(f"the round is {status} already")


def missed(route_codes: list[str], results: dict[str, dict]) -> list[str]:
    """The route's checkpoints with no record, in route order."""
    return [code for code in route_codes if code not in results]


def passed(route_codes: list[str], results: dict[str, dict]) -> list[str]:
    return [code for code in route_codes if code in results]


def defects(results: dict[str, dict]) -> int:
    return sum(1 for result in results.values() if result["result"] == "defect")


def checkpoint_state(code: str, results: dict[str, dict], *, round_status: str) -> str:
    """`ok` / `defect` when recorded; else `pending` while the round runs, `missed` after."""
    if code in results:
        return results[code]["result"]
    return "pending" if round_status == "in_progress" else "missed"
