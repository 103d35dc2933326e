"""缴N送M (pay N months, get M free): a unit that prepays N months of a monthly item gets the M months
after them free.

What earns it: one payment whose prepaid part (what went to the unit's balance, 预存) covers N months
of the item at the amount of the month a run bills, while the balance still holds that much when the
run comes. That run's month is the first of the N paid months (the balance pays them as they are
billed), and the M months after them are the free ones. One payment earns at most one offer (for
one item: prepaying two items takes two payments), and a unit's offers of an item never overlap: a
new one starts only after the last free month of the one before.

A free month is still a bill line: its rule is the item's usual formula with a discount of kind
`prepay` at 0%, naming the payment that earned it and the months it paid, so the line explains and
recomputes itself (= 0.00). It is free only when each of the N paid months was paid in full when the
free month is billed; otherwise it is billed as usual and its rule says which paid month was not
paid (forfeited). Integer fen throughout.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from shared.money import fen_to_text

KIND = "prepay"


@dataclass(frozen=True)
class PrepayRule:
    pay_months: int  # N
    free_months: int  # M

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> PrepayRule:
        return cls(int(document["pay_months"]), int(document["free_months"]))


@dataclass(frozen=True)
class Prepayment:
    """A payment of the unit, not reversed, that put `to_balance_fen` on its prepaid balance."""

    payment_id: str
    receipt_number: str
    to_balance_fen: int
    received_at: str  # ISO time: the earliest unused prepayment is taken first


@dataclass(frozen=True)
class Offer:
    """One prepayment's N paid months of an item and the M free months after them."""

    payment_id: str
    receipt_number: str
    prepaid_fen: int
    monthly_fen: int
    pay_months: int
    free_months: int
    paid_periods: tuple[str, ...]
    free_periods: tuple[str, ...]

    def document(self) -> dict[str, Any]:
        return {"payment_id": self.payment_id, "receipt_number": self.receipt_number,
                "prepaid_fen": self.prepaid_fen, "monthly_fen": self.monthly_fen, "pay_months": self.pay_months,
                "free_months": self.free_months, "paid_periods": list(self.paid_periods),
                "free_periods": list(self.free_periods)}

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Offer:
        return cls(document["payment_id"], document["receipt_number"], document["prepaid_fen"],
                   document["monthly_fen"], document["pay_months"], document["free_months"],
                   tuple(document["paid_periods"]), tuple(document["free_periods"]))


def months_from(first: str, count: int) -> tuple[str, ...]:
    """`count` consecutive month codes from `first` (2026-11, 2026-12, 2027-01, …)."""
    year, month = int(first[:4]), int(first[5:7])
    codes = []
    for n in range(count):
        index = year * 12 + month - 1 + n
        codes.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
    return tuple(codes)


def covering(offers: Collection[Offer], period: str) -> Offer | None:
    """The offer whose paid or free months hold `period`."""
    return next((o for o in offers if period in o.paid_periods or period in o.free_periods), None)


def new_offer(rule: PrepayRule, *, period: str, monthly_fen: int, balance_fen: int,
              prepayments: Collection[Prepayment], used: Collection[str]) -> Offer | None:
    """The offer a run's month starts, if an unused prepayment covers N months and the balance still holds them."""
    needed = rule.pay_months * monthly_fen
    if monthly_fen <= 0 or balance_fen < needed:
        return None
    candidates = [p for p in prepayments if p.payment_id not in used and p.to_balance_fen >= needed]
    if not candidates:
        return None
    earning = min(candidates, key=lambda p: (p.received_at, p.payment_id))
    months = months_from(period, rule.pay_months + rule.free_months)
    return Offer(earning.payment_id, earning.receipt_number, earning.to_balance_fen, monthly_fen, rule.pay_months,
                 rule.free_months, months[:rule.pay_months], months[rule.pay_months:])


@dataclass(frozen=True)
class Standing:
    """Where a month stands in an offer: one of its paid months, a free one, or a free one forfeited."""

    kind: Literal["paid", "free", "forfeited"]
    offer: Offer
    month: int  # 1-based, within the paid or the free months
    unpaid: tuple[str, ...] = ()


def standing(offer: Offer, period: str, *, paid_in_full: Collection[str]) -> Standing:
    """`paid_in_full`: the offer's paid months whose lines are paid in full now."""
    if period in offer.paid_periods:
        return Standing("paid", offer, offer.paid_periods.index(period) + 1)
    unpaid = tuple(p for p in offer.paid_periods if p not in paid_in_full)
    return Standing("forfeited" if unpaid else "free", offer, offer.free_periods.index(period) + 1, unpaid)


def _earned_by(offer: Offer) -> dict[str, Any]:
    return {"payment_id": offer.payment_id, "receipt_number": offer.receipt_number,
            "prepaid": fen_to_text(offer.prepaid_fen), "monthly": fen_to_text(offer.monthly_fen),
            "paid_periods": list(offer.paid_periods)}


def free_discount(at: Standing) -> dict[str, Any]:
    """The discount of a free month: 0% charged, and what earned it."""
    return {"kind": KIND, "percent": "0", "pay_months": at.offer.pay_months, "free_months": at.offer.free_months,
            "free_month": at.month, "earned_by": _earned_by(at.offer)}


def note(at: Standing) -> dict[str, Any]:
    """What a paid or forfeited month keeps about its offer (the amount is the usual one)."""
    return {"standing": at.kind, "month": at.month, "pay_months": at.offer.pay_months,
            "free_months": at.offer.free_months, "unpaid_periods": list(at.unpaid), "earned_by": _earned_by(at.offer)}


def discount_words(discount: dict[str, Any], zh: bool) -> str:
    n, m, earned = discount["pay_months"], discount["free_months"], discount["earned_by"]
    first, last = earned["paid_periods"][0], earned["paid_periods"][-1]
    if zh:
        return (f" × 0%（缴{n}送{m}：第 {discount['free_month']}/{m} 个赠送月，由收据 {earned['receipt_number']} "
                f"预存 {earned['prepaid']} 元 ≥ {n} × {earned['monthly']} 元获得，{first} 至 {last} 已缴清）")
    return (f" × 0% (pay {n} months, get {m} free: free month {discount['free_month']} of {m}, earned by receipt "
            f"{earned['receipt_number']} prepaying {earned['prepaid']} yuan ≥ {n} × {earned['monthly']} yuan, "
            f"{first} to {last} paid in full)")


def note_words(prepay: dict[str, Any], zh: bool) -> str:
    n, m, earned = prepay["pay_months"], prepay["free_months"], prepay["earned_by"]
    if prepay["standing"] == "paid":
        if zh:
            return f"（缴{n}送{m}：收据 {earned['receipt_number']} 预缴的第 {prepay['month']}/{n} 个月）"
        return (f" (pay {n} months, get {m} free: month {prepay['month']} of {n} prepaid by receipt "
                f"{earned['receipt_number']})")
    unpaid = ", ".join(prepay["unpaid_periods"])
    if zh:
        return f"（缴{n}送{m}：本月未赠送，预缴月份 {unpaid} 未缴清）"
    return f" (pay {n} months, get {m} free: not free, the prepaid months {unpaid} were not paid in full)"
