"""A unit's prepaid balances, by kind: `general` (预存, what later bills draw on) and `electricity`
(预付费电表: the credit a prepaid meter keeps, topped up for it and consumed only by its readings).

Keeping them apart is the point: a top-up a resident made for the meter is not drawn by the next
property-fee run, and that run cannot raise the meter's low-balance warning. So a metered
electricity line draws only on the electricity balance and every other line (late fees included)
only on the general one. A payment's remainder after paying lines (FIFO or named) goes to the
general balance; only a top-up credits the electricity one.

Documents stored before balances had kinds (balances, their entries, payments, reversals) carry no
kind and are read as `general`: no migration. Integer fen throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

GENERAL = "general"
ELECTRICITY = "electricity"
KINDS = (GENERAL, ELECTRICITY)
BalanceKind = Literal["general", "electricity"]


class WrongBalanceKind(ValueError):
    """A payment asked for a balance it cannot credit."""


def kind_of(document: Mapping[str, Any], key: str = "kind") -> str:
    """The kind a stored document names; none (stored before kinds) is the general balance."""
    return document.get(key) or GENERAL


def balance_id(unit_id: str, kind: str) -> str:
    """The general balance keeps the unit's id as before kinds; another kind is `<unit>:<kind>`."""
    return unit_id if kind == GENERAL else f"{unit_id}:{kind}"


def line_kind(line: Mapping[str, Any]) -> str:
    """The balance a bill line may draw on: a metered electricity line the electricity one, any other the general."""
    rule = line.get("rule") or {}
    return ELECTRICITY if rule.get("formula") == "metered" and rule.get("meter") == ELECTRICITY else GENERAL


def credited_kind(top_up: bool, requested: str | None) -> str:
    """The balance a payment's prepaid part goes to. A top-up (all of it prepaid, no lines paid) is for the
    electricity meter unless it names the general balance; any other payment's remainder is general."""
    if top_up:
        return requested or ELECTRICITY
    if requested not in (None, GENERAL):
        raise WrongBalanceKind("only a top-up credits the electricity balance; what a payment leaves over after "
                               "its lines goes to the general balance")
    return GENERAL


@dataclass(frozen=True)
class Draw:
    line_id: str
    kind: str
    amount_fen: int


@dataclass(frozen=True)
class Owed:
    """One new line of a unit: what it owes and the balance it may draw on."""

    line_id: str
    kind: str
    outstanding_fen: int


def draws(balances: Mapping[str, int], lines: Iterable[Owed]) -> list[Draw]:
    """What each balance pays of the lines given (oldest first), each only on lines of its own kind."""
    left = {kind: max(0, fen) for kind, fen in balances.items()}
    out = []
    for line in lines:
        share = min(left.get(line.kind, 0), line.outstanding_fen)
        if share > 0:
            out.append(Draw(line.line_id, line.kind, share))
            left[line.kind] -= share
    return out


def crossed_low(*, before_fen: int, after_fen: int, threshold_fen: int) -> bool:
    """Warn once per crossing of the threshold on the way down: not again while it stays below."""
    return before_fen >= threshold_fen > after_fen
