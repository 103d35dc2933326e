"""The work-order life cycle: which command may move an order from which state, and where to.

pending → assigned → accepted → arrived → completed, with on_hold (clock paused) from the
working states, cancelled from any open state, reassign (转单) and decline (退单).
"""

from __future__ import annotations

from typing import Literal

from shared.errors import InvalidTransition

Status = Literal["pending", "assigned", "accepted", "arrived", "on_hold", "completed", "cancelled"]
Command = Literal[
    "assign", "accept", "grab", "arrive", "hold", "resume", "complete", "cancel", "reassign", "decline", "plan",
]

OPEN_STATES: frozenset[str] = frozenset({"pending", "assigned", "accepted", "arrived", "on_hold"})
FINAL_STATES: frozenset[str] = frozenset({"completed", "cancelled"})

# command → {from state: to state}; `resume` returns to the state the order was held in.
TRANSITIONS: dict[str, dict[str, str]] = {
    "assign": {"pending": "assigned"},
    "accept": {"assigned": "accepted"},
    "grab": {"pending": "accepted"},
    "arrive": {"accepted": "arrived"},
    "hold": {"assigned": "on_hold", "accepted": "on_hold", "arrived": "on_hold"},
    "complete": {"arrived": "completed"},
    "cancel": {state: "cancelled" for state in OPEN_STATES},
    "reassign": {"assigned": "assigned", "accepted": "assigned"},
    "decline": {"assigned": "pending"},
    # A complaint's handling plan is recorded while the order is worked on; its state stays.
    "plan": {"assigned": "assigned", "accepted": "accepted", "arrived": "arrived"},
}


def next_status(current: str, command: str, *, held_from: str | None = None) -> str:
    """The state after `command`, or InvalidTransition (409) when the life cycle does not allow it."""
    if command == "resume":
        if current != "on_hold" or held_from is None:
            raise InvalidTransition(f"only an order on hold can be resumed; this one is {current}")
        return held_from
    target = TRANSITIONS[command].get(current)
    if target is None:
        raise InvalidTransition(f"a work order that is {current} does not allow '{command}'")
    return target
