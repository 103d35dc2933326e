"""Arrears (欠费): current (当期) and older (陈欠), aged in buckets; the collection rate (收缴率)."""

from __future__ import annotations

from datetime import date

from shared.money import divide_half_up

BUCKETS = (("1-30", 1, 30), ("31-90", 31, 90), ("91-180", 91, 180), ("181-365", 181, 365), (">365", 366, None))
NOT_DUE = "not_due"


def bucket_of(due_date: date, on: date) -> str:
    """The aging bucket of an amount due on `due_date`, seen on `on` (not yet overdue: `not_due`)."""
    overdue = (on - due_date).days
    for name, low, high in BUCKETS:
        if overdue >= low and (high is None or overdue <= high):
            return name
    return NOT_DUE


def empty_buckets() -> dict[str, int]:
    return {NOT_DUE: 0, **{name: 0 for name, _low, _high in BUCKETS}}


def collection_rate_percent(collected_fen: int, billed_fen: int) -> str | None:
    """Collected ÷ billed as a percentage with two places ("87.50"); None when nothing was billed."""
    if billed_fen <= 0:
        return None
    basis_points = divide_half_up(collected_fen * 10_000, billed_fen)
    return f"{basis_points // 100}.{basis_points % 100:02d}"
