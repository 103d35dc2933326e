"""The duty ledger's hash chain and the shift rules of handovers: pure, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.dispatch.domain.handover import (
    WatchedShift,
    checklist_findings,
    contact_line,
    seconds_of_day,
    shift_window,
    shifts_due,
)
from services.dispatch.domain.ledger import GENESIS_HASH, canonical_json, entry_id, link_hash, verify_chain
from services.dispatch.settings import DispatchSettings

KEY = b"k" * 32
ESTATE = "estate-one"


def chain(n: int, key: bytes = KEY) -> list[dict]:
    entries, previous = [], GENESIS_HASH
    for sequence in range(1, n + 1):
        content = {"estate_id": ESTATE, "sequence": sequence, "kind": "note", "summary": f"第{sequence}条", "details": {}}
        digest = link_hash(key, content, previous_hash=previous)
        entries.append({"sequence": sequence, "content": content, "previous_hash": previous, "hash": digest})
        previous = digest
    return entries


def check(entries: list[dict], to: int = 5, key: bytes = KEY):
    return verify_chain(key, ESTATE, entries=entries, from_sequence=1, to_sequence=to, previous_hash=GENESIS_HASH)


def test_canonical_json_does_not_depend_on_key_order_and_keeps_chinese_text():
    assert canonical_json({"b": 1, "a": "值班"}) == canonical_json({"a": "值班", "b": 1}) == '{"a":"值班","b":1}'.encode()


def test_an_intact_chain_verifies_to_its_last_hash():
    entries = chain(5)
    verdict = check(entries)
    assert verdict.valid and verdict.checked == 5 and verdict.last_hash == entries[-1]["hash"]


def test_each_hash_depends_on_the_key_and_on_the_previous_hash():
    content = chain(1)[0]["content"]
    assert link_hash(KEY, content, previous_hash="") != link_hash(b"other-key", content, previous_hash="")
    assert link_hash(KEY, content, previous_hash="") != link_hash(KEY, content, previous_hash="00")


def test_altered_content_is_named():
    entries = chain(5)
    entries[2]["content"]["summary"] = "改过的内容"
    broken = check(entries).broken
    assert (broken.sequence, broken.entry_id, broken.reason) == (3, entry_id(ESTATE, 3), "content_altered")


def test_an_altered_hash_is_named_as_altered_too():
    entries = chain(5)
    entries[1]["hash"] = "0" * 64
    assert (check(entries).broken.sequence, check(entries).broken.reason) == (2, "content_altered")


def test_a_deleted_entry_is_named_missing():
    entries = chain(5)
    del entries[3]
    verdict = check(entries)
    assert (verdict.broken.sequence, verdict.broken.entry_id, verdict.broken.reason) == (
        4, entry_id(ESTATE, 4), "entry_missing")
    assert verdict.checked == 3


def test_a_deleted_last_entry_is_missing_against_the_head():
    verdict = check(chain(5)[:4], to=5)
    assert (verdict.broken.sequence, verdict.broken.reason) == (5, "entry_missing")


def test_reordered_entries_break_the_link():
    entries = chain(5)
    # Two documents swap places (their stored sequences swapped, contents intact).
    entries[1], entries[2] = ({**entries[2], "sequence": 2}, {**entries[1], "sequence": 3})
    broken = check(entries).broken
    assert (broken.sequence, broken.reason) == (2, "link_broken")


def test_an_entry_rehashed_without_its_predecessor_breaks_the_link():
    entries = chain(5)
    entries[3]["previous_hash"] = "f" * 64
    entries[3]["hash"] = link_hash(KEY, entries[3]["content"],
                                   previous_hash=entries[3]["previous_hash"])  # with the key
    broken = check(entries).broken
    assert (broken.sequence, broken.reason) == (4, "link_broken")


def test_the_first_broken_link_is_the_one_named():
    entries = chain(5)
    entries[1]["content"]["summary"] = "x"
    del entries[3]
    assert check(entries).broken.sequence == 2


def test_a_range_is_anchored_on_the_entry_before_it():
    entries = chain(5)
    verdict = verify_chain(KEY, ESTATE, entries=entries[2:4], from_sequence=3, to_sequence=4,
                           previous_hash=entries[1]["hash"])
    assert verdict.valid and verdict.checked == 2


def test_shifts_past_midnight_end_on_the_next_day():
    start, end = shift_window(date(2026, 11, 26), "16:00", end="24:00", time_zone="Asia/Shanghai")  # 中班
    assert start == datetime(2026, 11, 26, 8, 0, tzinfo=UTC) and end == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    start, end = shift_window(date(2026, 11, 26), "22:00", end="06:00", time_zone="Asia/Shanghai")
    assert (end - start) == timedelta(hours=8) and end.astimezone().date() >= date(2026, 11, 26)
    _, end = shift_window(date(2026, 11, 27), "00:00", end="08:00", time_zone="Asia/Shanghai")  # 夜班
    assert end == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # 08:00 local


def test_clock_times_are_checked():
    assert seconds_of_day("24:00") == 86400 and seconds_of_day("08:30:15") == 30615
    for wrong in ("24:01", "8:00", "12:60", "ab:cd", "12"):
        with pytest.raises(ValueError):
            seconds_of_day(wrong)


def test_a_missing_handover_falls_due_once_across_passes_and_midnight():
    shifts = [WatchedShift("cs-desk", "customer_service", "middle", "16:00", "24:00"),
              WatchedShift("cs-desk", "customer_service", "night", "00:00", "08:00")]
    grace = timedelta(minutes=15)
    # Local midnight of 26→27 Nov is 16:00 UTC on the 26th: the 中班 of the 26th ends then, due 16:15 UTC.
    passes = [datetime(2026, 11, 26, 15, 0, tzinfo=UTC) + timedelta(minutes=7 * n) for n in range(30)]
    due = [d for after, until in zip(passes, passes[1:], strict=False)
           for d in shifts_due(shifts, after=after, until=until, grace=grace, time_zone="Asia/Shanghai")]
    keys = [(d.shift.code, d.shift_date) for d in due]
    assert keys == [("middle", date(2026, 11, 26))]
    assert due[0].ends_at == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    assert due[0].due_at == datetime(2026, 11, 26, 16, 15, tzinfo=UTC)
    # One long window (a watch that was down for a day) finds each shift once; the 夜班 of the 26th
    # (00:00–08:00 local) ended at 00:00 UTC and fell due at 00:15 UTC.
    day = list(shifts_due(shifts, after=datetime(2026, 11, 26, 0, 0, tzinfo=UTC),
                          until=datetime(2026, 11, 27, 0, 0, tzinfo=UTC), grace=grace, time_zone="Asia/Shanghai"))
    assert sorted((d.shift.code, d.shift_date) for d in day) == [("middle", date(2026, 11, 26)),
                                                                 ("night", date(2026, 11, 26))]


def test_checklist_findings_name_what_is_short():
    findings = checklist_findings([
        {"item": "对讲机", "expected": 4, "counted": 3, "missing": 1, "damaged": 0},
        {"item": "灭火器", "expected": 2, "counted": 2, "missing": 0, "damaged": 1},
        {"item": "钥匙", "expected": 10, "counted": 10, "missing": 0, "damaged": 0},
    ])
    assert findings == ["对讲机：缺1，清点3/4", "灭火器：损坏1"]


def test_contact_lines_read_like_the_notice_on_the_wall():
    assert contact_line({"kind": "police", "name": "城东派出所", "phone": "110", "notes": "24小时"}) == \
        "派出所 城东派出所 110（24小时）"


def test_production_refuses_the_development_ledger_key():
    production = {"environment": "production", "jwt_secret": "x" * 40, "amqp_url": "amqp://app:s3cret@mq/"}
    with pytest.raises(ValueError, match="LEDGER_HMAC_KEY"):
        DispatchSettings(**production)
    with pytest.raises(ValueError, match="LEDGER_HMAC_KEY"):
        DispatchSettings(**production, ledger_hmac_key="short")
    assert DispatchSettings(**production, ledger_hmac_key="y" * 40).ledger_hmac_key == "y" * 40


def test_a_p1_escalation_message_carries_the_emergency_contacts():
    from services.notification.domain.messages import escalated

    step = {"recipient_id": "sup-1", "position": "supervisor", "reason": "P1", "level": 1, "number": "WO-1",
            "priority": "P1", "description": "电缆冒烟"}
    lines = ["派出所 城东派出所 110", "消防 消防救援站 119"]
    assert "应急联系：派出所 城东派出所 110；消防 消防救援站 119" in escalated({**step, "emergency_contacts": lines}).body
    assert "应急联系" not in escalated(step).body


def test_a_missing_handover_message_goes_to_the_supervisor_it_names():
    from services.notification.domain.messages import handover_missing

    data = {"post": "gate-1", "shift_date": "2026-11-26", "shift_code": "night", "supervisor_id": "sup-1"}
    draft = handover_missing(data)
    assert draft.recipient_id == "sup-1" and "gate-1" in draft.body and "night" in draft.body
    assert handover_missing({**data, "supervisor_id": None}) is None


def test_the_handover_text_shows_local_times_and_numbers():
    from datetime import UTC, datetime

    from services.dispatch.domain.handover import handover_text

    handover = {
        "post": "前台", "shift_code": "night", "shift_start": datetime(2026, 12, 31, 14, 0, tzinfo=UTC),
        "shift_end": "2027-01-01T00:00:00+00:00", "outgoing_name": "张三",
        "filed_at": datetime(2026, 12, 31, 23, 55, tzinfo=UTC),
        "open_work_orders": [{"number": "PG-20261231-0007", "priority": "P1", "description": "电梯困人"}],
        "incidents": [], "unreturned_keys": [{"label": "5栋天台", "borrower": "李四",
                                             "lent_at": datetime(2026, 12, 31, 10, 0, tzinfo=UTC)}],
        "checklist_findings": ["对讲机：缺1"], "inspection_issues": [], "notes": "",
        "acknowledged_at": datetime(2027, 1, 1, 0, 5, tzinfo=UTC), "incoming_name": "王五", "discrepancies": [],
    }
    assert handover_text(handover, "Asia/Shanghai").splitlines() == [
        "【交班】前台 night班 12月31日 22:00–08:00，交班人 张三，1月1日 07:55 提交",
        "未完工单 1：PG-20261231-0007（P1）电梯困人",
        "未还钥匙 1：5栋天台（李四，借出 12月31日 18:00）",
        "物品异常：对讲机：缺1",
        "【接班】王五 1月1日 08:05 确认，无差异",
    ]
