"""Fee items (收费项目) and how a bill line's amount comes about: the formulas, their inputs, the words.

A line keeps its `rule`: the formula and every input (area, price and its start date, days,
readings and tier steps). `compute(rule)` is the only arithmetic; it runs when the line is made
and again when the line is explained, so a disputed amount is recomputed, not recalled.
Money is integer fen, quantities (m², readings) integer hundredths; each amount is rounded once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from services.billing.domain import late_fees, prepay
from services.billing.domain.periods import parse_period
from shared.errors import InvalidInput
from shared.money import divide_half_up, fen_to_text, text_to_fen, text_to_hundredths

Formula = Literal["area", "per_unit", "metered", "one_off"]
Cycle = Literal["monthly", "yearly", "one_off"]
UNIT_KINDS = ("residential", "commercial", "parking_space", "storage")
DEFAULT_PRICES_FROM = "2020-01-01"

# The usual items an estate starts with (物业费、水电费、车位服务费、装修服务费、垃圾清运费、供暖费), adjusted after.
DEFAULT_ITEMS: list[dict[str, Any]] = [
    {"code": "property_fee", "name_zh": "物业管理费", "name_en": "Property management fee", "formula": "area",
     "cycle": "monthly", "unit_kinds": ["residential", "commercial"], "due_day": 15,
     "prices": [{"price": "2.50", "valid_from": DEFAULT_PRICES_FROM}]},
    {"code": "parking_fee", "name_zh": "车位服务费", "name_en": "Parking space fee", "formula": "per_unit",
     "cycle": "monthly", "unit_kinds": ["parking_space"], "due_day": 15,
     "prices": [{"price": "150.00", "valid_from": DEFAULT_PRICES_FROM}]},
    {"code": "garbage_fee", "name_zh": "垃圾清运费", "name_en": "Garbage removal fee", "formula": "per_unit",
     "cycle": "monthly", "unit_kinds": ["residential", "commercial"], "due_day": 15,
     "prices": [{"price": "20.00", "valid_from": DEFAULT_PRICES_FROM}]},
    # 供暖费: per m² for the heating season (the north's usual 15 November to 15 March), billed once a year:
    # the period 2026 is the season that begins in 2026, due when it starts.
    {"code": "heating_fee", "name_zh": "供暖费", "name_en": "Heating fee", "formula": "area", "cycle": "yearly",
     "season": {"starts": "11-15", "ends": "03-15"}, "unit_kinds": ["residential", "commercial"], "due_day": 15,
     "prices": [{"price": "25.00", "valid_from": DEFAULT_PRICES_FROM}]},
    {"code": "water", "name_zh": "水费", "name_en": "Water", "formula": "metered", "cycle": "monthly",
     "unit_kinds": ["residential", "commercial"], "due_day": 20,
     "prices": [{"price": "3.50", "valid_from": DEFAULT_PRICES_FROM,
                 "tiers": [{"up_to": "18", "price": "3.50"}, {"up_to": "25", "price": "4.55"},
                           {"up_to": None, "price": "6.30"}]}]},
    {"code": "electricity", "name_zh": "电费", "name_en": "Electricity", "formula": "metered", "cycle": "monthly",
     "unit_kinds": ["residential", "commercial"], "due_day": 20,
     "prices": [{"price": "0.62", "valid_from": DEFAULT_PRICES_FROM,
                 "tiers": [{"up_to": "260", "price": "0.62"}, {"up_to": "600", "price": "0.67"},
                           {"up_to": None, "price": "0.92"}]}]},
    {"code": "decoration_service_fee", "name_zh": "装修服务费", "name_en": "Decoration service fee",
     "formula": "one_off", "cycle": "one_off", "unit_kinds": ["residential", "commercial"], "due_day": 1,
     "prices": []},
    {"code": "paid_service", "name_zh": "有偿服务", "name_en": "Paid service", "formula": "one_off",
     "cycle": "one_off", "unit_kinds": list(UNIT_KINDS), "due_day": 1, "prices": []},
    {"code": "decoration_deposit", "name_zh": "装修押金", "name_en": "Decoration deposit", "formula": "one_off",
     "cycle": "one_off", "unit_kinds": ["residential", "commercial"], "due_day": 1, "refundable": True,
     "prices": []},
]
DEFAULT_LATE_FEE = {"enabled": True, "daily_rate": "0.0005", "grace_days": 15, "cap_ratio": "1"}


@dataclass(frozen=True)
class PriceInForce:
    price: str
    valid_from: str
    tiers: list[dict[str, Any]] | None


def price_in_force(prices: list[dict[str, Any]], on: date) -> PriceInForce | None:
    """The price whose start date is the latest on or before `on` (the start of the period billed)."""
    started = [p for p in prices if date.fromisoformat(p["valid_from"]) <= on]
    if not started:
        return None
    latest = max(started, key=lambda p: p["valid_from"])
    return PriceInForce(latest["price"], latest["valid_from"], latest.get("tiers"))


def amount_in_fen(text: str, *, field: str) -> int:
    """A price or amount from a client: a non-negative decimal string with at most two places."""
    try:
        fen = text_to_fen(text)
    except (ValueError, TypeError) as error:
        raise InvalidInput("an amount is a decimal string with at most two places, e.g. \"2.50\"",
                           field=field) from error
    if fen < 0:
        raise InvalidInput("an amount is not negative", field=field)
    return fen


def check_tiers(tiers: list[dict[str, Any]], *, field: str = "tiers") -> None:
    """Ascending limits, the last one open (`up_to: null`)."""
    if not tiers or tiers[-1].get("up_to") is not None:
        raise InvalidInput("tiers end with an open tier (up_to null)", field=field)
    limits = [amount_in_fen(str(t.get("up_to")), field=f"{field}.{n}.up_to") for n, t in enumerate(tiers[:-1])]
    if any(b <= a for a, b in zip([0, *limits], limits, strict=False)):
        raise InvalidInput("tier limits rise strictly from 0", field=field)


def tier_steps(consumption: int, tiers: list[dict[str, Any]]) -> list[dict[str, str]]:
    """How much of a consumption (hundredths) falls into each tier: the steps of a metered line."""
    steps, lower = [], 0
    for tier in tiers:
        upper = None if tier.get("up_to") is None else text_to_hundredths(tier["up_to"])
        quantity = max(0, min(consumption, upper if upper is not None else consumption) - lower)
        if quantity:
            steps.append({"quantity": fen_to_text(quantity), "price": tier["price"]})
        if upper is None or consumption <= upper:
            break
        lower = upper
    return steps


def line_rule(item: dict[str, Any], unit: dict[str, Any], *, period_code: str, period_days: int,
              billed_from: date, billed_days: int, price: PriceInForce) -> dict[str, Any]:
    """The rule and inputs of one recurring line (area or per unit) of a billing run."""
    rule = {"formula": item["formula"], "price": price.price, "price_from": price.valid_from,
            "period": period_code, "period_days": period_days, "billed_from": billed_from.isoformat(),
            "billed_days": billed_days}
    if item["formula"] == "area":
        rule["area_m2"] = unit.get("area_m2") or "0.00"
    if item.get("season"):  # the days billed are the season's (供暖季): which days, kept with the line
        span = parse_period(period_code).within(item["season"])
        rule["season"] = {"starts": span.start.isoformat(), "ends": span.end.isoformat()}
    if discount := best_discount(item.get("discounts") or [], unit):
        rule["discount"] = discount
    return rule


DISCOUNT_NAMES = {"percentage": ("打折", "discount"), "vacant": ("空置房", "vacant unit"),
                  "no_arrears": ("无欠费打折", "no older arrears"), prepay.KIND: ("缴N送M", "pay N months, get M free")}


def best_discount(discounts: list[dict[str, Any]], unit: dict[str, Any]) -> dict[str, Any] | None:
    """The estate's percent rules that apply to the unit; the one best for the resident (lowest percent).
    缴N送M (`prepay`) is not among them: the run decides its free months (`domain/prepay.py`)."""
    overdue = unit.get("overdue_days", 0)  # the unit's oldest unpaid line, days past due at the period's start
    applicable = [d for d in discounts if d["kind"] == "percentage"
                  or (d["kind"] == "vacant" and not unit.get("occupied"))
                  or (d["kind"] == "no_arrears" and overdue <= d.get("older_than_days", 0))]
    best = min(applicable, key=lambda d: text_to_hundredths(d["percent"]), default=None)
    if best is not None and best["kind"] == "no_arrears":
        best = {**best, "overdue_days": overdue}  # the input it was decided on, kept with the line
    return best


def _percent_hundredths(rule: dict[str, Any]) -> int:
    """What share is charged, in hundredths of a percent: 10000 without a discount, 9500 at 95%."""
    return text_to_hundredths(rule["discount"]["percent"]) if rule.get("discount") else 10_000


def _discount_words(rule: dict[str, Any], zh: bool) -> str:
    if not rule.get("discount"):
        return ""
    if rule["discount"]["kind"] == prepay.KIND:
        return prepay.discount_words(rule["discount"], zh)
    name_zh, name_en = DISCOUNT_NAMES[rule["discount"]["kind"]]
    if rule["discount"]["kind"] == "no_arrears":
        days = rule["discount"]["older_than_days"]
        name_zh, name_en = f"{name_zh}：无逾期超过 {days} 天的欠费", f"{name_en}: nothing overdue over {days} days"
    percent = fen_to_text(text_to_hundredths(rule["discount"]["percent"]))
    return f" × {percent}%（{name_zh}）" if zh else f" × {percent}% ({name_en})"


def compute(rule: dict[str, Any]) -> int:
    """The amount in fen of a line's rule (the one place where it is computed)."""
    formula = rule["formula"]
    if formula == "one_off":
        return text_to_fen(rule["amount"])
    if formula == "late_fee":
        return late_fees.recompute(rule)
    if formula == "metered":
        consumption_fen_hundredths = sum(text_to_hundredths(s["quantity"]) * text_to_fen(s["price"])
                                         for s in rule["steps"])
        return divide_half_up(consumption_fen_hundredths, 100)
    days, of, share = rule["billed_days"], rule["period_days"], _percent_hundredths(rule)
    price = text_to_fen(rule["price"])
    if formula == "area":
        return divide_half_up(text_to_hundredths(rule["area_m2"]) * price * days * share, 100 * of * 10_000)
    if formula == "per_unit":
        return divide_half_up(price * days * share, of * 10_000)
    raise ValueError(f"unknown formula {formula!r}")


def metered_rule(previous: str, current: str, *, tiers: list[dict[str, Any]], price_from: str) -> dict[str, Any]:
    consumption = text_to_hundredths(current) - text_to_hundredths(previous)
    return {"formula": "metered", "previous": previous, "current": current, "consumption": fen_to_text(consumption),
            "price_from": price_from, "steps": tier_steps(consumption, tiers)}


def _season_words(rule: dict[str, Any], zh: bool) -> str:
    if not (season := rule.get("season")):
        return ""
    return (f"（计费季 {season['starts']} 至 {season['ends']}，共 {rule['period_days']} 天）" if zh
            else f" (the season billed, {season['starts']} to {season['ends']}: {rule['period_days']} days)")


def _days(rule: dict[str, Any], zh: bool) -> str:
    if rule["billed_days"] == rule["period_days"]:
        return _season_words(rule, zh) + _discount_words(rule, zh)
    if zh:
        return (_season_words(rule, zh) + f" × {rule['billed_days']}/{rule['period_days']} 天"
                f"（自 {rule['billed_from']} 起计费）" + _discount_words(rule, zh))
    return (_season_words(rule, zh) + f" × {rule['billed_days']}/{rule['period_days']} days "
            f"(billed from {rule['billed_from']})" + _discount_words(rule, zh))


def explain(rule: dict[str, Any], name_zh: str, *, name_en: str) -> dict[str, str]:
    """How the amount came about, in Chinese and English, from the rule alone."""
    if rule["formula"] == "late_fee":
        return late_fees.explain_accrual(rule)
    amount = fen_to_text(compute(rule))
    formula = rule["formula"]
    if formula == "area":
        zh = (f"{name_zh}（{rule['period']}）：建筑面积 {rule['area_m2']} m² × 单价 {rule['price']} 元/m²"
              f"（{rule['price_from']} 起执行）{_days(rule, True)} = {amount} 元")
        en = (f"{name_en} ({rule['period']}): area {rule['area_m2']} m² × {rule['price']} yuan/m² "
              f"(price in force from {rule['price_from']}){_days(rule, False)} = {amount} yuan")
    elif formula == "per_unit":
        zh = (f"{name_zh}（{rule['period']}）：每户/每车位 {rule['price']} 元（{rule['price_from']} 起执行）"
              f"{_days(rule, True)} = {amount} 元")
        en = (f"{name_en} ({rule['period']}): {rule['price']} yuan per unit (price in force from "
              f"{rule['price_from']}){_days(rule, False)} = {amount} yuan")
    elif formula == "metered":
        steps_zh = " + ".join(f"{s['quantity']} × {s['price']} 元" for s in rule["steps"]) or "0"
        steps_en = " + ".join(f"{s['quantity']} × {s['price']} yuan" for s in rule["steps"]) or "0"
        zh = (f"{name_zh}：本次读数 {rule['current']} − 上次读数 {rule['previous']} = 用量 {rule['consumption']}，"
              f"阶梯计价 {steps_zh} = {amount} 元")
        en = (f"{name_en}: reading {rule['current']} − previous {rule['previous']} = {rule['consumption']} used, "
              f"tiered {steps_en} = {amount} yuan")
    else:
        zh = f"{name_zh}：一次性收费 {amount} 元（{rule.get('source', '')}）"
        en = f"{name_en}: one-off charge of {amount} yuan ({rule.get('source', '')})"
    if rule.get("prepay"):  # a paid or forfeited month of 缴N送M: the usual amount, and why
        zh, en = zh + prepay.note_words(rule["prepay"], True), en + prepay.note_words(rule["prepay"], False)
    return {"zh": zh, "en": en}
