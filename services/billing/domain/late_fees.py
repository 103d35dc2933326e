"""Late fees (违约金): a daily rate on the overdue principal, after a grace period, capped.

Simple interest on the principal only: a late fee is never charged on a late fee or on an
earlier day's fee (no compounding). Rates are decimal strings ("0.0005" is 0.05% a day), kept
as integers in millionths; the fee is rounded once, half up, to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from shared.errors import InvalidInput
from shared.money import divide_half_up, fen_to_text

MILLION = 1_000_000


def millionths(text: str, *, field: str) -> int:
    """`"0.0005"` → 500; at most six decimals, not negative."""
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise InvalidInput(f"{text!r} is not a decimal number", field=field) from error
    scaled = value * MILLION
    if not value.is_finite() or value < 0 or scaled != scaled.to_integral_value():
        raise InvalidInput("a rate is a non-negative decimal with at most six places", field=field)
    return int(scaled)


@dataclass(frozen=True)
class LateFeeRule:
    enabled: bool
    daily_rate_millionths: int  # 500 = 0.05% a day
    grace_days: int
    cap_millionths: int  # of the principal: 1_000_000 = at most the principal itself

    @classmethod
    def from_document(cls, document: dict) -> LateFeeRule:
        return cls(document["enabled"], millionths(document["daily_rate"], field="late_fee.daily_rate"),
                   int(document["grace_days"]), millionths(document["cap_ratio"], field="late_fee.cap_ratio"))


def chargeable_days(days_late: int, grace_days: int) -> int:
    return max(0, days_late - grace_days)


def late_fee(principal_fen: int, days_late: int, rule: LateFeeRule) -> int:
    """The late fee in fen on `principal_fen` overdue for `days_late` days."""
    if not rule.enabled or principal_fen <= 0:
        return 0
    days = chargeable_days(days_late, rule.grace_days)
    fee = divide_half_up(principal_fen * rule.daily_rate_millionths * days, MILLION)
    cap = divide_half_up(principal_fen * rule.cap_millionths, MILLION)
    return min(fee, cap)


def days_late(due_date: date, on: date) -> int:
    return max(0, (on - due_date).days)


def explain_late_fee(principal_fen: int, due_date: date, on: date, rule: LateFeeRule, rate_text: str) -> dict:
    """The late fee of a line on a day, with its inputs and words (zh, en)."""
    late = days_late(due_date, on)
    fee = late_fee(principal_fen, late, rule)
    cap = divide_half_up(principal_fen * rule.cap_millionths, MILLION)
    inputs = {"principal": fen_to_text(principal_fen), "due_date": due_date.isoformat(), "as_of": on.isoformat(),
              "days_late": late, "grace_days": rule.grace_days, "chargeable_days": chargeable_days(late, rule.grace_days),
              "daily_rate": rate_text, "cap": fen_to_text(cap), "enabled": rule.enabled, "amount": fen_to_text(fee)}
    if not rule.enabled:
        words = {"zh": "本项目未启用违约金。", "en": "Late fees are turned off for this estate."}
    else:
        words = {
            "zh": (f"违约金：截至 {on} 逾期 {late} 天，宽限 {rule.grace_days} 天，计 {inputs['chargeable_days']} 天 × "
                   f"日费率 {rate_text} × 欠费本金 {inputs['principal']} 元 = {inputs['amount']} 元"
                   f"（上限 {inputs['cap']} 元，只按本金计算，不计复利）"),
            "en": (f"Late fee: on {on}, {late} days late, {rule.grace_days} days' grace, {inputs['chargeable_days']} "
                   f"days × daily rate {rate_text} × overdue principal {inputs['principal']} yuan = "
                   f"{inputs['amount']} yuan (capped at {inputs['cap']} yuan; on the principal only, never compounded)"),
        }
    return {**inputs, **words}
