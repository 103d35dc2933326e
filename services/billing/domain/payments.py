"""How a payment is spread over a unit's bills: the oldest unpaid first (FIFO), the rest prepaid."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OpenLine:
    line_id: str
    outstanding_fen: int


@dataclass(frozen=True)
class Allocation:
    line_id: str
    amount_fen: int


def allocate(amount_fen: int, lines: list[OpenLine]) -> tuple[list[Allocation], int]:
    """Pay `lines` in the order given (oldest first); what is left over goes to the prepaid balance."""
    if amount_fen <= 0:
        raise ValueError("a payment is positive")
    allocations, left = [], amount_fen
    for line in lines:
        if left == 0:
            break
        share = min(left, line.outstanding_fen)
        if share > 0:
            allocations.append(Allocation(line.line_id, share))
            left -= share
    return allocations, left


def line_status(amount_fen: int, paid_fen: int, *, waived_fen: int = 0) -> str:
    """issued → partially_paid → paid; waived (减免) when a waiver settles what was left."""
    if paid_fen + waived_fen >= amount_fen:
        return "waived" if waived_fen > 0 else "paid"
    return "partially_paid" if paid_fen > 0 else "issued"
