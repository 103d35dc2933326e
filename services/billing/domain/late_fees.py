"""Late fees (违约金): a daily rate on the overdue principal, after a grace period, capped.

Simple interest on the principal only: a late fee is never charged on a late fee or on an
earlier day's fee (no compounding). Rates are decimal strings ("0.0005" is 0.05% a day), kept
as integers in millionths; each charge is rounded once, half up, to the fen.

A late fee is charged as lines of its own (item `late_fee`), one per original line and accrual
period, each for the days of lateness not charged before: `accrue` works out such a line from
the original line's amount, due date and the entries that reduced it (payments and balance
draws from their day, waivers from theirs, reversals adding back from theirs); `accrual_rule`
keeps those inputs with the line, and `recompute` and `explain_accrual` need nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.errors import InvalidInput
from shared.money import divide_half_up, fen_to_text, text_to_fen

MILLION = 1_000_000
ITEM = {"code": "late_fee", "name_zh": "违约金", "name_en": "Late fee"}
# Lines that accrue no late fee: late fees themselves (no compounding) and one-off charges.
NOT_ACCRUING = ("late_fee", "one_off")
# An estate's policy until its manager sets one: the spec's rate and cap, off until turned on (charging
# residents money is the estate's decision, not a deployment's).
DEFAULT_POLICY = {"enabled": False, "daily_rate": "0.0005", "grace_days": 15, "cap_ratio": "1"}


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
    def from_document(cls, document: dict, *, prefix: str = "") -> LateFeeRule:
        return cls(document["enabled"], millionths(document["daily_rate"], field=f"{prefix}daily_rate"),
                   int(document["grace_days"]), millionths(document["cap_ratio"], field=f"{prefix}cap_ratio"))


def chargeable_days(days_late: int, grace_days: int) -> int:
    return max(0, days_late - grace_days)


def cap_of(principal_fen: int, rule: LateFeeRule) -> int:
    """The most a line's late fees may come to over its whole life."""
    return divide_half_up(max(0, principal_fen) * rule.cap_millionths, MILLION)


def late_fee(principal_fen: int, days_late: int, *, rule: LateFeeRule) -> int:
    """The late fee in fen on `principal_fen` overdue for `days_late` days (the principal unchanged)."""
    if not rule.enabled or principal_fen <= 0:
        return 0
    days = chargeable_days(days_late, rule.grace_days)
    fee = divide_half_up(principal_fen * rule.daily_rate_millionths * days, MILLION)
    return min(fee, cap_of(principal_fen, rule))


def days_late(due_date: date, on: date) -> int:
    return max(0, (on - due_date).days)


def first_chargeable_day(due_date: date, rule: LateFeeRule) -> date:
    """The first day a late fee accrues: the day after the due date is one day late, grace days are free."""
    return due_date + timedelta(days=rule.grace_days + 1)


@dataclass(frozen=True)
class PrincipalRange:
    """Days `first`..`last` (inclusive) on which `principal_fen` was overdue."""

    first: date
    last: date
    principal_fen: int

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def principal_by_day(amount_fen: int, reductions: Iterable[tuple[date, int]], *, first: date,
                     last: date) -> list[PrincipalRange]:
    """The principal overdue on each day from `first` to `last`: the amount less every reduction made on or
    before that day (a reversal is a negative one), kept within 0..amount; days alike form one range."""
    if last < first:
        return []
    by_day: dict[date, int] = defaultdict(int)
    before = 0
    for day, fen in reductions:
        if day < first:
            before += fen
        elif day <= last:
            by_day[day] += fen

    def clamp(reduced: int) -> int:
        return min(amount_fen, max(0, amount_fen - reduced))

    ranges: list[PrincipalRange] = []
    start, reduced = first, before
    for day in sorted(by_day):
        if day > start:
            ranges.append(PrincipalRange(start, day - timedelta(days=1), clamp(reduced)))
        reduced += by_day[day]
        start = day
    ranges.append(PrincipalRange(start, last, clamp(reduced)))
    merged: list[PrincipalRange] = []
    for span in ranges:
        if merged and merged[-1].principal_fen == span.principal_fen:
            merged[-1] = PrincipalRange(merged[-1].first, span.last, span.principal_fen)
        else:
            merged.append(span)
    return merged


def fee_on(ranges: Iterable[PrincipalRange], daily_rate_millionths: int) -> int:
    """Σ principal × days × daily rate, rounded once."""
    return divide_half_up(sum(r.principal_fen * r.days for r in ranges) * daily_rate_millionths, MILLION)


@dataclass(frozen=True)
class Accrual:
    first: date
    last: date
    ranges: tuple[PrincipalRange, ...]
    fee_fen: int  # before the cap
    cap_fen: int
    charged_before_fen: int
    amount_fen: int  # what this accrual charges


def accrue(amount_fen: int, due_date: date, *, reductions: Iterable[tuple[date, int]], rule: LateFeeRule,
           charged_through: date | None, charged_before_fen: int, through: date) -> Accrual | None:
    """The late fee of the days up to `through` not charged yet (after `charged_through`); None when there
    are no such days (late fees off, nothing past grace, everything charged)."""
    if not rule.enabled:
        return None
    first = first_chargeable_day(due_date, rule)
    if charged_through is not None:
        first = max(first, charged_through + timedelta(days=1))
    if first > through:
        return None
    ranges = tuple(principal_by_day(amount_fen, reductions, first=first, last=through))
    fee, cap = fee_on(ranges, rule.daily_rate_millionths), cap_of(amount_fen, rule)
    amount = max(0, min(fee, cap - charged_before_fen))
    return Accrual(first, through, ranges, fee, cap, charged_before_fen, amount)


def accrual_rule(accrual: Accrual, *, line: dict[str, Any], policy: dict[str, Any], accrual_period: str
                 ) -> dict[str, Any]:
    """A late-fee line's rule: every input its amount is recomputed and explained from."""
    return {
        "formula": "late_fee", "line_id": line["_id"], "item_code": line["item_code"],
        "item_name_zh": line["item_name_zh"], "item_name_en": line["item_name_en"], "line_period": line["period"],
        "due_date": line["due_date"], "principal": fen_to_text(line["amount_fen"]),
        "daily_rate": policy["daily_rate"], "grace_days": int(policy["grace_days"]), "cap_ratio": policy["cap_ratio"],
        "cap": fen_to_text(accrual.cap_fen), "charged_before": fen_to_text(accrual.charged_before_fen),
        "from": accrual.first.isoformat(), "through": accrual.last.isoformat(),
        "days": (accrual.last - accrual.first).days + 1, "accrual_period": accrual_period,
        "ranges": [{"from": r.first.isoformat(), "to": r.last.isoformat(), "days": r.days,
                    "principal": fen_to_text(r.principal_fen)} for r in accrual.ranges],
    }


def _ranges_of(rule: dict[str, Any]) -> list[PrincipalRange]:
    return [PrincipalRange(date.fromisoformat(r["from"]), date.fromisoformat(r["to"]), text_to_fen(r["principal"]))
            for r in rule["ranges"]]


def recompute(rule: dict[str, Any]) -> int:
    """A late-fee line's amount from its rule alone."""
    fee = fee_on(_ranges_of(rule), millionths(rule["daily_rate"], field="daily_rate"))
    return max(0, min(fee, text_to_fen(rule["cap"]) - text_to_fen(rule["charged_before"])))


def explain_accrual(rule: dict[str, Any]) -> dict[str, str]:
    """How a late-fee line's amount came about, in Chinese and English."""
    fee = fen_to_text(fee_on(_ranges_of(rule), millionths(rule["daily_rate"], field="daily_rate")))
    amount = fen_to_text(recompute(rule))
    spans_zh = " + ".join(f"{r['principal']} 元 × {r['days']} 天（{r['from']} 至 {r['to']}）" for r in rule["ranges"])
    spans_en = " + ".join(f"{r['principal']} yuan × {r['days']} days ({r['from']} to {r['to']})"
                          for r in rule["ranges"])
    zh = (f"违约金：{rule['item_name_zh']}（{rule['line_period']}，应缴日 {rule['due_date']}，宽限 {rule['grace_days']} 天）"
          f"自 {rule['from']} 至 {rule['through']} 共 {rule['days']} 天，按每日欠费本金计：({spans_zh}) × 日费率 "
          f"{rule['daily_rate']} = {fee} 元；上限为本金 {rule['principal']} 元 × {rule['cap_ratio']} = {rule['cap']} 元，"
          f"此前已计 {rule['charged_before']} 元，本期计 {amount} 元（只按本金计算，不计复利）")
    en = (f"Late fee on {rule['item_name_en']} {rule['line_period']} (due {rule['due_date']}, {rule['grace_days']} "
          f"days' grace), {rule['from']} to {rule['through']}, {rule['days']} days on each day's overdue principal: "
          f"({spans_en}) × daily rate {rule['daily_rate']} = {fee} yuan; capped at principal {rule['principal']} × "
          f"{rule['cap_ratio']} = {rule['cap']} yuan over the line's life, {rule['charged_before']} yuan charged "
          f"before: {amount} yuan (on the principal only, never compounded)")
    return {"zh": zh, "en": en}
