"""Key loans and lost property: the rules, without I/O."""

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain import keys as rules
from shared.errors import Conflict, InvalidTransition

LENT_AT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_a_key_in_the_register_may_be_lent_and_not_returned():
    key = {"label": "3-1-502", "status": "in", "lent_at": None}
    rules.check_lendable(key, "Asia/Shanghai")
    with pytest.raises(rules.KeyNotOut):
        rules.check_returnable(key)


def test_a_key_out_may_be_returned_and_not_lent_again():
    key = {"label": "水泵房", "status": "out", "lent_at": LENT_AT}
    rules.check_returnable(key)
    with pytest.raises(rules.KeyAlreadyOut) as refused:
        rules.check_lendable(key, "Asia/Shanghai")
    assert refused.value.status == 409 and "since 2026年11月26日 16:00" in refused.value.detail  # Shanghai time


def test_lost_items_are_kept_for_the_estates_time():
    assert rules.keep_until(LENT_AT, 90) == LENT_AT + timedelta(days=90)
    assert rules.DEFAULT_KEEP_DAYS == 90


def test_an_item_is_disposed_of_only_when_held_and_due():
    item = {"status": "held", "keep_until": LENT_AT}
    rules.check_disposable(item, LENT_AT, time_zone="Asia/Shanghai")
    with pytest.raises(Conflict) as early:
        rules.check_disposable(item, LENT_AT - timedelta(seconds=1), time_zone="Asia/Shanghai")
    assert early.value.field == "keep_until"
    assert "2026年11月26日 16:00" in early.value.detail
    with pytest.raises(InvalidTransition):
        rules.check_disposable({**item, "status": "claimed"}, LENT_AT + timedelta(days=1), time_zone="Asia/Shanghai")


def test_an_item_is_claimed_once():
    rules.check_claimable({"status": "held"})
    for status in ("claimed", "disposed"):
        with pytest.raises(InvalidTransition):
            rules.check_claimable({"status": status})


@pytest.mark.parametrize(("number", "masked"), [
    ("110101199003071234", "110***********1234"),
    ("E12345678", "E12**5678"),
    ("AB12", "**12"),
])
def test_document_numbers_are_masked(number, masked):
    assert rules.mask_document_number(number) == masked
