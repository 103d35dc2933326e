"""Billing's pure rules: money in fen, periods and pro rata, formulas and their explanations,
FIFO allocation, aging buckets, and late fees (with property-based tests of their invariants)."""

from __future__ import annotations

import ast
import itertools
import pathlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.billing.domain import fees, late_fees, prepay
from services.billing.domain.arrears import bucket_of, collection_rate_percent
from services.billing.domain.deposits import refund_amount
from services.billing.domain.late_fees import LateFeeRule, late_fee, millionths
from services.billing.domain.payments import OpenLine, allocate, line_status
from services.billing.domain.periods import check_season, parse_period, refuse_future
from shared.errors import Conflict, InvalidInput
from shared.money import divide_half_up, fen_to_text, text_to_fen

BILLING = pathlib.Path(__file__).resolve().parents[2] / "services" / "billing"


def test_no_float_anywhere_in_billing_code():
    for path in [*BILLING.rglob("*.py"), BILLING.parents[1] / "shared" / "money.py"]:
        tree = ast.parse(path.read_text())
        floats = [node.lineno for node in ast.walk(tree)
                  if (isinstance(node, ast.Constant) and isinstance(node.value, float))
                  or (isinstance(node, ast.Name) and node.id == "float")]
        allowed = path.name == "settings.py"  # seconds of leases and polling, not money
        assert allowed or not floats, f"{path}: float at lines {floats}"


@pytest.mark.parametrize(("numerator", "denominator", "expected"), [
    (5, 2, 3), (4, 2, 2), (7, 3, 2), (-5, 2, -3), (0, 7, 0), (149, 100, 1), (150, 100, 2)])
def test_division_rounds_half_up_in_integers(numerator, denominator, expected):
    assert divide_half_up(numerator, denominator) == expected


def test_periods_have_their_days_due_dates_and_pro_rata_days():
    february = parse_period("2028-02")
    assert (february.days, february.due_date(31)) == (29, date(2028, 2, 29))
    assert february.billed_days(date(2028, 2, 20)) == (date(2028, 2, 20), 10)
    assert february.billed_days(date(2020, 1, 1)) == (date(2028, 2, 1), 29)
    assert february.billed_days(date(2028, 3, 1)) is None
    assert parse_period("2027").days == 365
    for bad in ("2026-13", "26-01", "2026-1", "x"):
        with pytest.raises(InvalidInput):
            parse_period(bad)
    with pytest.raises(InvalidInput):
        refuse_future(parse_period("2026-04"), date(2026, 3, 31))
    refuse_future(parse_period("2026-03"), date(2026, 3, 1))


def test_a_yearly_item_of_a_season_bills_the_season_beginning_in_its_year():
    heating = {"starts": "11-15", "ends": "03-15"}
    season = parse_period("2027").within(heating)
    assert (season.code, season.start, season.end, season.days) == ("2027", date(2027, 11, 15), date(2028, 3, 15), 122)
    assert season.due_date(15) == date(2027, 11, 15)
    assert season.billed_days(date(2027, 7, 1)) == (date(2027, 11, 15), 122)  # moved in before: the whole season
    assert season.billed_days(date(2028, 2, 1)) == (date(2028, 2, 1), 44)  # during it: the days left
    assert season.billed_days(date(2028, 3, 16)) is None
    assert parse_period("2027").within({"starts": "03-01", "ends": "09-30"}).end == date(2027, 9, 30)
    assert parse_period("2027-03").within(heating) == parse_period("2027-03")  # a month has no season
    assert parse_period("2027").within(None) == parse_period("2027")
    assert check_season(heating) == heating
    for bad, field in (({"starts": "02-29", "ends": "03-15"}, "season.starts"),
                       ({"starts": "11-15", "ends": "13-01"}, "season.ends"),
                       ({"starts": "11-15", "ends": "11-15"}, "season.ends"), ({"ends": "03-15"}, "season.starts")):
        with pytest.raises(InvalidInput) as refused:
            check_season(bad)
        assert refused.value.field == field


def test_the_heating_fee_is_a_default_by_area_for_the_season_and_explains_its_days():
    heating = next(item for item in fees.DEFAULT_ITEMS if item["code"] == "heating_fee")
    assert (heating["name_zh"], heating["formula"], heating["cycle"]) == ("供暖费", "area", "yearly")
    price = fees.price_in_force(heating["prices"], date(2026, 11, 15))
    unit = {"area_m2": "100.00"}
    whole = fees.line_rule(heating, unit, period_code="2026", period_days=121, billed_from=date(2026, 11, 15),
                           billed_days=121, price=price)
    assert whole["season"] == {"starts": "2026-11-15", "ends": "2027-03-15"}
    assert fees.compute(whole) == 250000  # 100 m² × 25.00
    part = {**whole, "billed_from": "2027-01-01", "billed_days": 74}
    assert fees.compute(part) == 152893  # 2500 × 74/121 = 1528.925…
    words = fees.explain(part, "供暖费", name_en="Heating fee")
    assert "2026-11-15 至 2027-03-15" in words["zh"] and "74/121" in words["zh"] and "1528.93 元" in words["zh"]
    assert "2026-11-15 to 2027-03-15" in words["en"] and "1528.93 yuan" in words["en"]


def test_the_price_in_force_is_the_latest_started_on_the_first_day_of_the_period():
    prices = [{"price": "2.00", "valid_from": "2020-01-01"}, {"price": "2.50", "valid_from": "2026-03-01"}]
    assert fees.price_in_force(prices, date(2026, 2, 1)).price == "2.00"
    assert fees.price_in_force(prices, date(2026, 3, 1)).price == "2.50"
    assert fees.price_in_force(prices, date(2019, 12, 1)) is None


def _rule(**fields):
    base = {"formula": "area", "area_m2": "89.50", "price": "2.50", "price_from": "2020-01-01", "period": "2026-03",
            "period_days": 31, "billed_from": "2026-03-01", "billed_days": 31}
    return {**base, **fields}


def test_area_and_per_unit_formulas_round_once_and_prorate_by_days():
    assert fees.compute(_rule()) == 22375  # 89.50 × 2.50 = 223.75
    assert fees.compute(_rule(billed_days=16, billed_from="2026-03-16")) == 11548  # 223.75 × 16/31 = 115.483…
    assert fees.compute(_rule(formula="per_unit", price="150.00", billed_days=10)) == 4839  # 150 × 10/31
    explained = fees.explain(_rule(billed_days=16, billed_from="2026-03-16"), "物业管理费", name_en="Property fee")
    assert "89.50 m²" in explained["zh"] and "16/31" in explained["zh"] and "115.48 元" in explained["zh"]
    assert "2020-01-01" in explained["en"] and "115.48 yuan" in explained["en"]


def test_metered_lines_go_through_their_tiers():
    tiers = [{"up_to": "18", "price": "3.50"}, {"up_to": "25", "price": "4.55"}, {"up_to": None, "price": "6.30"}]
    rule = fees.metered_rule("100.00", "130.50", tiers=tiers, price_from="2020-01-01")
    assert rule["steps"] == [{"quantity": "18.00", "price": "3.50"}, {"quantity": "7.00", "price": "4.55"},
                             {"quantity": "5.50", "price": "6.30"}]
    assert fees.compute(rule) == 6300 + 3185 + 3465
    assert fees.tier_steps(1000, tiers) == [{"quantity": "10.00", "price": "3.50"}]
    assert "130.50" in fees.explain(rule, "水费", name_en="Water")["zh"]
    with pytest.raises(InvalidInput):
        fees.check_tiers([{"up_to": "10", "price": "1"}])
    with pytest.raises(InvalidInput):
        fees.check_tiers([{"up_to": "10", "price": "1"}, {"up_to": "5", "price": "1"}, {"up_to": None, "price": "1"}])


def test_a_payment_pays_the_oldest_lines_first_and_the_rest_is_prepaid():
    lines = [OpenLine("a", 1000), OpenLine("b", 500), OpenLine("c", 700)]
    shares, rest = allocate(1200, lines)
    assert [(s.line_id, s.amount_fen) for s in shares] == [("a", 1000), ("b", 200)] and rest == 0
    shares, rest = allocate(3000, lines)
    assert sum(s.amount_fen for s in shares) == 2200 and rest == 800
    assert (line_status(1000, 0), line_status(1000, 1), line_status(1000, 1000)) == (
        "issued", "partially_paid", "paid")
    with pytest.raises(ValueError):
        allocate(0, lines)


@given(st.integers(1, 10**9), st.lists(st.integers(0, 10**7), max_size=20))
def test_allocation_never_loses_or_makes_a_fen(amount, outstanding):
    shares, rest = allocate(amount, [OpenLine(str(n), o) for n, o in enumerate(outstanding)])
    assert sum(s.amount_fen for s in shares) + rest == amount and rest >= 0
    assert all(0 < s.amount_fen <= outstanding[int(s.line_id)] for s in shares)


def test_aging_buckets_and_collection_rate():
    due = date(2026, 1, 15)
    seen = {days: bucket_of(due, due + timedelta(days=days)) for days in (0, 1, 30, 31, 90, 91, 180, 181, 365, 366)}
    assert seen == {0: "not_due", 1: "1-30", 30: "1-30", 31: "31-90", 90: "31-90", 91: "91-180", 180: "91-180",
                    181: "181-365", 365: "181-365", 366: ">365"}
    assert collection_rate_percent(7, 8) == "87.50"
    assert collection_rate_percent(0, 0) is None


def test_money_text_round_trips_and_refuses_a_third_decimal():
    assert fen_to_text(text_to_fen("1234.5")) == "1234.50"
    assert fen_to_text(-5) == "-0.05"
    with pytest.raises(ValueError):
        text_to_fen("1.005")


# --- late fees ------------------------------------------------------------------------------

RULE = LateFeeRule(enabled=True, daily_rate_millionths=500, grace_days=15, cap_millionths=1_000_000)
rules = st.builds(LateFeeRule, enabled=st.booleans(), daily_rate_millionths=st.integers(0, 100_000),
                  grace_days=st.integers(0, 90), cap_millionths=st.integers(0, 2_000_000))
principals = st.integers(0, 10**10)
days = st.integers(0, 5000)


def test_late_fee_examples():
    assert late_fee(100_000, 15, rule=RULE) == 0  # within grace
    assert late_fee(100_000, 25, rule=RULE) == 500  # 1000.00 × 0.05% × 10 days = 5.00
    assert late_fee(100_000, 10**6, rule=RULE) == 100_000  # capped at the principal
    assert late_fee(100_000, 400, rule=LateFeeRule(False, 500, 15, 1_000_000)) == 0
    assert millionths("0.0005", field="x") == 500
    with pytest.raises(InvalidInput):
        millionths("0.00000001", field="x")


@given(principals, days, rules)
def test_a_late_fee_is_never_negative_nor_above_its_cap(principal, late, rule):
    fee = late_fee(principal, late, rule=rule)
    assert 0 <= fee <= divide_half_up(principal * rule.cap_millionths, 1_000_000)


@given(principals, days, days, rules)
def test_a_late_fee_grows_with_the_days_late(principal, first, second, rule):
    early, late = sorted((first, second))
    assert late_fee(principal, early, rule=rule) <= late_fee(principal, late, rule=rule)


@given(principals, rules, st.data())
def test_no_late_fee_within_grace(principal, rule, data):
    assert late_fee(principal, data.draw(st.integers(0, rule.grace_days)), rule=rule) == 0


@given(principals, days, rules)
def test_a_late_fee_is_simple_interest_on_the_principal(principal, late, rule):
    """Never compounding: a day late adds at most one day's rate on the principal (plus a rounding fen)."""
    one_day = divide_half_up(principal * rule.daily_rate_millionths, 1_000_000)
    assert late_fee(principal, late + 1, rule=rule) - late_fee(principal, late, rule=rule) <= one_day + 1


# --- late fees charged as lines: accruals on the principal overdue each day ---------------------

DUE = date(2025, 3, 15)
amounts = st.integers(0, 10**9)
reductions = st.lists(st.tuples(st.integers(-30, 400).map(lambda n: DUE + timedelta(days=n)),
                                st.integers(-10**8, 10**9)), max_size=8)  # payments, reversals (negative)
offsets = st.integers(-10, 500)
on_rules = rules.map(lambda rule: LateFeeRule(True, rule.daily_rate_millionths, rule.grace_days,
                                              rule.cap_millionths))


def _charged(amount, entries, rule, throughs):
    """Successive accruals up to each day of `throughs` (a billing run each), as the runs charge them."""
    charged, through, total = [], None, 0
    for day in sorted(throughs):
        accrual = late_fees.accrue(amount, DUE, reductions=entries, rule=rule, charged_through=through,
                                   charged_before_fen=total,
                                   through=day)
        if accrual is not None and accrual.amount_fen:
            charged.append(accrual)
            total += accrual.amount_fen
            through = day
    return charged, total


def test_an_accrual_example_on_a_principal_paid_down_and_its_words():
    # 250.00 due 03-15, 15 days' grace: 03-31 onwards; 100.00 paid on 04-10 (it counts from that day).
    accrual = late_fees.accrue(25_000, DUE, reductions=[(date(2025, 4, 10), 10_000)], rule=RULE, charged_through=None,
                               charged_before_fen=0, through=date(2025, 4, 30))
    assert [(r.first, r.last, r.principal_fen) for r in accrual.ranges] == [
        (date(2025, 3, 31), date(2025, 4, 9), 25_000), (date(2025, 4, 10), date(2025, 4, 30), 15_000)]
    assert accrual.amount_fen == 283  # (250.00 × 10 + 150.00 × 21) × 0.0005 = 2.825
    line = {"_id": "u:property_fee:2025-03", "item_code": "property_fee", "item_name_zh": "物业管理费",
            "item_name_en": "Property management fee", "period": "2025-03", "due_date": "2025-03-15",
            "amount_fen": 25_000}
    rule = late_fees.accrual_rule(accrual, line=line, policy={"daily_rate": "0.0005", "grace_days": 15,
                                                              "cap_ratio": "1"}, accrual_period="2025-05")
    assert fees.compute(rule) == late_fees.recompute(rule) == 283
    words = fees.explain(rule, "违约金", name_en="Late fee")
    assert "250.00 元 × 10 天" in words["zh"] and "宽限 15 天" in words["zh"] and "上限" in words["zh"]
    assert "150.00 yuan × 21 days (2025-04-10 to 2025-04-30)" in words["en"] and "never compounded" in words["en"]
    again = late_fees.accrue(25_000, DUE, reductions=[], rule=RULE, charged_through=date(2025, 4, 30),
                             charged_before_fen=283,
                             through=date(2025, 4, 30))
    assert again is None  # nothing left to charge: a rerun charges nothing


@given(amounts, reductions, on_rules, st.lists(offsets, max_size=6))
def test_late_fees_are_never_negative_nor_above_the_cap_over_the_line_s_life(amount, entries, rule, throughs):
    charged, total = _charged(amount, entries, rule, [DUE + timedelta(days=n) for n in throughs])
    assert all(accrual.amount_fen > 0 for accrual in charged)
    assert 0 <= total <= late_fees.cap_of(amount, rule)


@given(amounts, reductions, on_rules, offsets, offsets)
def test_a_late_fee_accrual_grows_with_the_days(amount, entries, rule, first, second):
    early, late = sorted((first, second))

    def fee(offset):
        accrual = late_fees.accrue(amount, DUE, reductions=entries, rule=rule, charged_through=None,
                                   charged_before_fen=0,
                                   through=DUE + timedelta(days=offset))
        return 0 if accrual is None else accrual.amount_fen

    assert fee(early) <= fee(late)


@given(amounts, reductions, rules, st.data())
def test_nothing_accrues_within_grace_or_when_late_fees_are_off(amount, entries, rule, data):
    within = DUE + timedelta(days=data.draw(st.integers(-30, rule.grace_days)))
    assert late_fees.accrue(amount, DUE, reductions=entries, rule=rule, charged_through=None, charged_before_fen=0,
                            through=within) is None
    off = LateFeeRule(False, rule.daily_rate_millionths, rule.grace_days, rule.cap_millionths)
    assert late_fees.accrue(amount, DUE, reductions=entries, rule=off, charged_through=None, charged_before_fen=0,
                            through=DUE + timedelta(days=400)) is None


@given(amounts, reductions, offsets, st.integers(0, 400))
def test_the_principal_by_day_covers_every_day_once_within_the_original_amount(amount, entries, start, length):
    first = DUE + timedelta(days=start)
    last = first + timedelta(days=length)
    ranges = late_fees.principal_by_day(amount, entries, first=first, last=last)
    assert ranges[0].first == first and ranges[-1].last == last
    assert all(b.first == a.last + timedelta(days=1) for a, b in itertools.pairwise(ranges))
    assert all(0 <= r.principal_fen <= amount for r in ranges)
    for r in ranges:  # each day's principal is the amount less what was paid by then
        reduced = sum(fen for day, fen in entries if day <= r.first)
        assert r.principal_fen == min(amount, max(0, amount - reduced))


@given(amounts, reductions, on_rules, st.lists(offsets, min_size=1, max_size=6))
def test_a_late_fee_line_recomputes_its_amount_from_its_rule(amount, entries, rule, throughs):
    charged, _total = _charged(amount, entries, rule, [DUE + timedelta(days=n) for n in throughs])
    line = {"_id": "l", "item_code": "x", "item_name_zh": "x", "item_name_en": "x", "period": "2025-03",
            "due_date": DUE.isoformat(), "amount_fen": amount}
    policy = {"daily_rate": format(Decimal(rule.daily_rate_millionths).scaleb(-6), "f"),
              "grace_days": rule.grace_days, "cap_ratio": format(Decimal(rule.cap_millionths).scaleb(-6), "f")}
    for accrual in charged:
        document = late_fees.accrual_rule(accrual, line=line, policy=policy, accrual_period="2026-01")
        assert late_fees.recompute(document) == accrual.amount_fen


@pytest.mark.parametrize(("fen", "words"), [
    (100_000, "壹仟元整"), (123_450, "壹仟贰佰叁拾肆元伍角整"), (1_000_005, "壹万元零伍分"),
    (10_010_000, "壹拾万零壹佰元整"), (5, "伍分"), (0, "零元整"), (20_000_000_000, "贰亿元整"),
    (100_200, "壹仟零贰元整"), (1_000_100_000, "壹仟万壹仟元整"), (37, "叁角柒分")])
def test_amounts_in_chinese_capital_numerals(fen, words):
    from services.billing.domain.receipts import amount_in_words
    assert amount_in_words(fen) == words


def test_a_discount_is_applied_within_the_one_rounding_and_explained():
    vacant = _rule(area_m2="100.00", billed_days=16, discount={"kind": "vacant", "percent": "50"})
    assert fees.compute(vacant) == 6452  # 100 × 2.50 × 16/31 × 50% = 64.516…
    assert "50.00%（空置房）" in fees.explain(vacant, "物业管理费", name_en="Property fee")["zh"]
    rules = [{"kind": "percentage", "percent": "95"}, {"kind": "vacant", "percent": "50"}]
    assert fees.best_discount(rules, {"occupied": True}) == rules[0]
    assert fees.best_discount(rules, {}) == rules[1]
    assert fees.best_discount([], {}) is None


# --- 缴N送M (pay N months, get M free) ---------------------------------------------------------

def _prepayment(n: int, fen: int) -> prepay.Prepayment:
    return prepay.Prepayment(f"pay-{n}", f"SJ{n:08d}", fen, f"2026-10-{n + 1:02d}T00:00:00")


def test_months_run_on_across_the_year():
    assert prepay.months_from("2026-11", 4) == ("2026-11", "2026-12", "2027-01", "2027-02")
    assert prepay.months_from("2026-01", 0) == ()


def test_a_prepayment_of_n_months_earns_the_m_months_after_them_and_a_free_month_explains_itself():
    rule = prepay.PrepayRule(pay_months=12, free_months=1)
    too_little = [_prepayment(1, 12 * 25_000 - 1)]
    assert prepay.new_offer(rule, period="2026-11", monthly_fen=25_000, balance_fen=10**7, prepayments=too_little,
                            used=()) is None  # one payment covers the N months, not several small ones
    enough = [_prepayment(2, 300_000), _prepayment(1, 310_000)]
    assert prepay.new_offer(rule, period="2026-11", monthly_fen=25_000, balance_fen=299_999, prepayments=enough,
                            used=()) is None  # the balance no longer holds them
    offer = prepay.new_offer(rule, period="2026-11", monthly_fen=25_000, balance_fen=610_000, prepayments=enough,
                             used=())
    assert offer.payment_id == "pay-1"  # the earliest unused prepayment
    assert (offer.paid_periods[0], offer.paid_periods[-1], offer.free_periods) == ("2026-11", "2027-10", ("2027-11",))
    assert prepay.new_offer(rule, period="2026-11", monthly_fen=25_000, balance_fen=610_000, prepayments=enough,
                            used={"pay-1", "pay-2"}) is None  # each payment earns one offer
    assert prepay.covering([offer], "2027-05") is offer and prepay.covering([offer], "2027-12") is None
    assert prepay.standing(offer, "2027-01", paid_in_full=()).kind == "paid"
    assert prepay.standing(offer, "2027-11", paid_in_full=offer.paid_periods).kind == "free"
    forfeited = prepay.standing(offer, "2027-11", paid_in_full=offer.paid_periods[1:])
    assert (forfeited.kind, forfeited.unpaid) == ("forfeited", ("2026-11",))

    free = _rule(period="2027-11", period_days=30, billed_from="2027-11-01", billed_days=30, area_m2="100.00",
                 discount=prepay.free_discount(prepay.standing(offer, "2027-11", paid_in_full=offer.paid_periods)))
    assert fees.compute(free) == 0
    explained = fees.explain(free, "物业管理费", name_en="Property fee")
    assert "缴12送1" in explained["zh"] and "SJ00000001" in explained["zh"] and "0.00 元" in explained["zh"]
    assert "free month 1 of 1" in explained["en"] and "2026-11 to 2027-10 paid in full" in explained["en"]
    lost = _rule(prepay=prepay.note(forfeited))
    assert fees.compute(lost) == fees.compute(_rule())  # billed as usual, and says why
    assert "2026-11 未缴清" in fees.explain(lost, "物业管理费", name_en="Property fee")["zh"]


@given(st.integers(1, 12), st.integers(1, 6), st.integers(1, 100_000),
       st.lists(st.integers(0, 3_000_000), min_size=1, max_size=48))
def test_never_more_than_m_free_months_per_n_paid_and_never_a_negative_amount(n, m, monthly, deposits):
    """A unit month by month: payments to its balance, each month's line drawn from it, the offers decided."""
    rule, offers, prepayments, paid_in_full = prepay.PrepayRule(n, m), [], [], set()
    balance = free = 0
    for k, (period, deposit) in enumerate(zip(prepay.months_from("2026-11", len(deposits)), deposits, strict=True)):
        if deposit:
            balance += deposit
            prepayments.append(prepay.Prepayment(f"p{k}", f"SJ{k}", deposit, f"{k:04d}"))
        offer = prepay.covering(offers, period)
        if offer is None:
            offer = prepay.new_offer(rule, period=period, monthly_fen=monthly, balance_fen=balance,
                                     prepayments=prepayments, used={o.payment_id for o in offers})
            offers += [offer] if offer else []
        amount = monthly
        if offer is not None and prepay.standing(offer, period, paid_in_full=paid_in_full).kind == "free":
            amount, free = 0, free + 1
        assert amount >= 0
        drawn = min(balance, amount)
        balance -= drawn
        if amount and drawn == amount:
            paid_in_full.add(period)
    months = [p for o in offers for p in (*o.paid_periods, *o.free_periods)]
    assert len(months) == len(set(months))  # offers never overlap
    assert len({o.payment_id for o in offers}) == len(offers)
    assert all(len(o.paid_periods) == n and len(o.free_periods) == m for o in offers)
    assert free <= m * (len(paid_in_full) // n)


@given(st.integers(0, 10**6), st.integers(1, 10**6), st.integers(1, 31))
def test_a_free_month_is_zero_whatever_the_area_price_and_days(area, price, billed):
    offer = prepay.Offer("p", "SJ1", 10**9, 1, 12, 1, prepay.months_from("2026-01", 12), ("2027-01",))
    discount = prepay.free_discount(prepay.standing(offer, "2027-01", paid_in_full=offer.paid_periods))
    rule = _rule(area_m2=fen_to_text(area), price=fen_to_text(price), billed_days=billed, discount=discount)
    assert fees.compute(rule) == 0


# --- 退押金 (deposit refunds) --------------------------------------------------------------------

def test_a_refund_is_the_settlements_by_default_and_never_more_than_paid_or_settled():
    assert refund_amount(paid_fen=200_000, settled_refund_fen=None) == 200_000
    assert refund_amount(paid_fen=200_000, settled_refund_fen=168_000, withheld_fen=32_000) == 168_000
    assert refund_amount(paid_fen=200_000, settled_refund_fen=168_000, asked_fen=100_000) == 100_000
    for paid, settled, asked in [(200_000, None, 200_001), (200_000, 168_000, 168_001), (200_000, None, 0)]:
        with pytest.raises(InvalidInput) as refused:
            refund_amount(paid_fen=paid, settled_refund_fen=settled, asked_fen=asked)
        assert refused.value.field == "amount"
    with pytest.raises(Conflict):
        refund_amount(paid_fen=200_000, settled_refund_fen=0, withheld_fen=200_000)


@given(st.integers(0, 10**9), st.none() | st.integers(0, 10**9), st.none() | st.integers(-10, 10**9))
def test_a_refund_is_positive_and_within_what_was_paid_and_settled(paid, settled, asked):
    try:
        refund = refund_amount(paid_fen=paid, settled_refund_fen=settled, asked_fen=asked)
    except (InvalidInput, Conflict):
        return
    assert 0 < refund <= paid and (settled is None or refund <= settled)
    assert asked is None or refund == asked
