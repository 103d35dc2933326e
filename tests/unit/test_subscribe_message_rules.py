"""WeChat subscribe messages' data without I/O: each key's kind limits its value, as WeChat documents."""

from __future__ import annotations

from datetime import date

import pytest

from services.notification.domain import contexts
from services.notification.domain import subscribe_messages as rules

TODAY = date(2026, 12, 1)


def test_values_are_fitted_to_their_keys_kind():
    long = "卫生间漏水，楼下天花板也在滴水，请尽快派人查看"
    assert rules.fit("thing3", long, today=TODAY) == long[:19] + "…"
    assert len(rules.fit("thing3", "x" * 40, today=TODAY)) == 20
    assert rules.fit("time2", "12月1日 12:00", today=TODAY) == "2026年12月1日 12:00"
    # Across a new year, the year that puts the day nearest today.
    assert rules.fit("time2", "1月2日 09:30", today=TODAY) == "2027年1月2日 09:30"
    assert rules.fit("date4", "12月30日", today=date(2027, 1, 2)) == "2026年12月30日"
    assert rules.fit("character_string1", "R00000123", today=TODAY) == "R00000123"


@pytest.mark.parametrize(("key", "value"), [
    ("thing1", "x" * 21), ("thing1", ""), ("phrase2", "正在处理中的"), ("phrase2", "ok"), ("time3", "12月1日 12:00"),
    ("time3", "noon"), ("character_string4", "DH 0001"), ("character_string4", "单号"), ("amount5", "¥12345678901"),
    ("number6", "12a"), ("name7", "王" * 11), ("car_number8", "粤A8Z888挂X"), ("letter9", "abc1"),
])
def test_values_wechat_refuses_are_found(key, value):
    assert rules.refusal(key, value) is not None


@pytest.mark.parametrize(("key", "value"), [
    ("thing1", "卫生间漏水"), ("phrase2", "已受理"), ("time3", "2026年12月1日 12:00"), ("time3", "15:01"),
    ("time3", "2026年12月1日 12:00~2026年12月1日 14:00"), ("date4", "2019年10月1日"),
    ("character_string4", "DH-20261201-0001"), ("amount5", "487.50"), ("amount5", "¥487.50元"), ("number6", "3.5"),
    ("name7", "王师傅"), ("name7", "Li Lei"), ("car_number8", "粤A8Z888挂"), ("phone_number9", "+86-0766-66888866"),
])
def test_values_wechat_takes_pass(key, value):
    assert rules.refusal(key, value) is None


def test_a_template_s_field_map_is_checked_against_its_sample_values():
    sample = contexts.sample("ticket.received", "zh")
    rules.check_fields({"character_string1": "ticket_number", "thing2": "description",
                        "time3": "promised_reply_at"}, sample, today=TODAY)
    with pytest.raises(rules.FieldError) as unknown_kind:
        rules.check_fields({"keyword1": "ticket_number"}, sample, today=TODAY)
    assert unknown_kind.value.key == "keyword1"
    with pytest.raises(rules.FieldError) as approved_only:
        rules.check_fields({"const1": "ticket_number"}, sample, today=TODAY)
    assert approved_only.value.key == "const1"
    with pytest.raises(rules.FieldError, match="unknown variable") as unknown:
        rules.check_fields({"thing1": "amount"}, sample, today=TODAY)
    assert unknown.value.key == "thing1"
    with pytest.raises(rules.FieldError, match="cannot be sent as phrase4"):
        rules.check_fields({"phrase4": "ticket_number"}, sample, today=TODAY)
    with pytest.raises(rules.FieldError):
        rules.check_fields({}, sample, today=TODAY)


def test_the_data_sent_maps_each_key_to_its_variable():
    variables = {"ticket_number": "DH-20261201-0001", "promised_reply_at": "12月1日 12:00", "description": None}
    assert rules.data_of({"character_string1": "ticket_number", "time2": "promised_reply_at", "thing3": "description"},
                         variables, today=TODAY) == {
        "character_string1": {"value": "DH-20261201-0001"}, "time2": {"value": "2026年12月1日 12:00"},
        "thing3": {"value": ""}}
