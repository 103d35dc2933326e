"""Billing's prepaid balances by kind: a metered electricity line draws only on the electricity balance,
every other line only on the general one; only a top-up credits the electricity balance; documents
stored before kinds are general; the low-balance warning once per crossing; the warning names the
balance it is about."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.billing.domain import fees
from services.billing.domain.balances import (
    ELECTRICITY,
    GENERAL,
    Owed,
    WrongBalanceKind,
    balance_id,
    credited_kind,
    crossed_low,
    draws,
    kind_of,
    line_kind,
)
from services.billing.domain.receipts import receipt_html
from services.notification.domain import templates
from services.notification.domain.contexts import context_for
from shared.events import BalanceLow

TIERS = [{"up_to": None, "price": "0.62"}]


def _metered(meter: str) -> dict:
    rule = fees.metered_rule("1000.00", "1100.00", tiers=TIERS, price_from="2025-01-01")
    return {"rule": {**rule, "meter": meter}}


def test_a_metered_electricity_line_is_of_the_electricity_balance_and_every_other_line_general():
    assert line_kind(_metered("electricity")) == ELECTRICITY
    assert line_kind(_metered("water")) == GENERAL
    assert line_kind({"rule": {"formula": "area", "meter": "electricity"}}) == GENERAL  # not metered
    assert line_kind({"rule": {"formula": "late_fee"}}) == GENERAL  # a late fee, even on an electricity line
    assert line_kind({}) == GENERAL


def test_documents_stored_before_kinds_are_general_and_the_general_balance_keeps_the_units_id():
    assert kind_of({"balance_fen": 100}) == GENERAL
    assert kind_of({"kind": ELECTRICITY}) == ELECTRICITY
    assert kind_of({"to_balance_fen": 5}, "balance_kind") == GENERAL
    assert kind_of({"balance_kind": ELECTRICITY}, "balance_kind") == ELECTRICITY
    assert balance_id("u1", GENERAL) == "u1"
    assert balance_id("u1", ELECTRICITY) == "u1:electricity"


def test_only_a_top_up_credits_the_electricity_balance():
    assert credited_kind(True, None) == ELECTRICITY
    assert credited_kind(True, ELECTRICITY) == ELECTRICITY
    assert credited_kind(True, GENERAL) == GENERAL
    assert credited_kind(False, None) == GENERAL  # a FIFO payment's remainder
    assert credited_kind(False, GENERAL) == GENERAL
    with pytest.raises(WrongBalanceKind):
        credited_kind(False, ELECTRICITY)


def test_a_property_fee_line_does_not_draw_on_the_electricity_balance():
    lines = [Owed("fee", GENERAL, 30_000), Owed("power", ELECTRICITY, 6_200)]
    [power] = draws({ELECTRICITY: 10_000}, lines)
    assert (power.line_id, power.kind, power.amount_fen) == ("power", ELECTRICITY, 6_200)
    [fee] = draws({GENERAL: 50_000}, lines)  # and the general balance pays no electricity
    assert (fee.line_id, fee.kind, fee.amount_fen) == ("fee", GENERAL, 30_000)


def test_each_balance_pays_its_own_lines_oldest_first_up_to_what_it_holds():
    lines = [Owed("a", ELECTRICITY, 3_000), Owed("b", GENERAL, 2_000), Owed("c", ELECTRICITY, 3_000),
             Owed("d", GENERAL, 500)]
    got = [(d.line_id, d.kind, d.amount_fen) for d in draws({GENERAL: 2_200, ELECTRICITY: 4_000}, lines)]
    assert got == [("a", ELECTRICITY, 3_000), ("b", GENERAL, 2_000), ("c", ELECTRICITY, 1_000), ("d", GENERAL, 200)]
    assert draws({GENERAL: 0, ELECTRICITY: -5}, lines) == []


@given(st.dictionaries(st.sampled_from([GENERAL, ELECTRICITY]), st.integers(0, 10**7)),
       st.lists(st.tuples(st.sampled_from([GENERAL, ELECTRICITY]), st.integers(0, 10**6)), max_size=12))
def test_no_balance_pays_more_than_it_holds_nor_a_line_more_than_it_owes_nor_a_line_of_another_kind(balances, owed):
    lines = [Owed(f"l{n}", kind, fen) for n, (kind, fen) in enumerate(owed)]
    by_id = {line.line_id: line for line in lines}
    result = draws(balances, lines)
    for kind in (GENERAL, ELECTRICITY):
        used = sum(d.amount_fen for d in result if d.kind == kind)
        holds, owes = balances.get(kind, 0), sum(line.outstanding_fen for line in lines if line.kind == kind)
        assert used == min(holds, owes)  # as much as it can, never more than it holds
    for d in result:
        assert 0 < d.amount_fen <= by_id[d.line_id].outstanding_fen and d.kind == by_id[d.line_id].kind


def test_the_warning_comes_once_per_crossing_on_the_way_down():
    assert crossed_low(before_fen=10_000, after_fen=3_800, threshold_fen=5_000)
    assert crossed_low(before_fen=5_000, after_fen=4_999, threshold_fen=5_000)
    assert not crossed_low(before_fen=3_800, after_fen=700, threshold_fen=5_000)  # below already: no second
    assert not crossed_low(before_fen=10_000, after_fen=5_000, threshold_fen=5_000)  # not below
    assert not crossed_low(before_fen=700, after_fen=10_700, threshold_fen=5_000)  # a top-up


def test_the_event_names_its_balance_and_an_old_one_without_is_general():
    assert BalanceLow(unit_id="u1", balance="1.00", threshold="20.00").balance_kind == GENERAL
    assert BalanceLow(unit_id="u1", balance="1.00", threshold="20.00",
                      balance_kind=ELECTRICITY).balance_kind == ELECTRICITY


@pytest.mark.parametrize(("kind", "zh", "en"), [
    (ELECTRICITY, "3-502 预交电费余额 12.50 元", "The prepaid electricity balance of 3-502"),
    (GENERAL, "3-502 预存余额 12.50 元", "The prepaid balance of 3-502"),
    (None, "3-502 预存余额 12.50 元", "The prepaid balance of 3-502")])
def test_the_residents_are_told_which_balance_runs_low(kind, zh, en):
    data = {"unit_number": "3-502", "balance": "12.50", "threshold": "50.00",
            **({"balance_kind": kind} if kind else {})}
    for language, words in (("zh", zh), ("en", en)):
        text = templates.DEFAULTS[("balance.low", "*", language)]
        assert templates.render(text.body, context_for("balance.low", data, time_zone="Asia/Shanghai", language=language)) \
            .startswith(words)
        templates.check("balance.low", language, field="body", source=text.body)


def test_an_estates_own_template_may_name_the_balance_kind():
    templates.check("balance.low", "zh", field="body", source="{% if balance_kind == 'electricity' %}电费{% endif %}{{ balance }}")


def test_the_receipt_of_an_electricity_top_up_says_so():
    payment = {"receipt_number": "SJ00000001", "received_at": datetime(2027, 1, 1, tzinfo=UTC), "method": "cash",
               "clerk_id": "c1", "amount_fen": 10_000, "to_balance_fen": 10_000}
    kwargs = {"estate_name": "阳光花园", "time_zone": "Asia/Shanghai", "unit": {"_id": "u1", "number": "1-101"},
              "lines": [], "reversed_": False}
    assert "预交电费" in receipt_html(payment={**payment, "balance_kind": ELECTRICITY}, **kwargs)
    general = receipt_html(payment=payment, **kwargs)
    assert "预存" in general and "预交电费" not in general
