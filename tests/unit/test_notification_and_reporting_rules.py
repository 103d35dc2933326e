from datetime import UTC, date, datetime

from services.notification.domain.messages import dedupe_key, work_order_assigned
from services.reporting.domain.figures import attribution_day, increments_for


def test_the_assignee_gets_the_order_in_chinese():
    draft = work_order_assigned({
        "assignee_id": "eng-1", "number": "PG-20261126-0001", "description": "水管漏水", "location": "3栋502",
        "priority": "P1",
    }, "Asia/Shanghai")
    assert draft.recipient_id == "eng-1"
    assert "PG-20261126-0001" in draft.body and "3栋502" in draft.body and "紧急" in draft.body
    assert draft.urgent
    assert dedupe_key("event-1", draft) == "event-1:eng-1:app_push"


def test_figures_count_on_the_estates_local_day():
    late_evening_utc = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)  # 01:30 on the 26th in Shanghai
    assert attribution_day(late_evening_utc, "Asia/Shanghai") == date(2026, 11, 26)


def test_which_events_move_which_figures():
    at = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    assert increments_for("intake.contact.logged", {"channel": "hotline", "answered_within_15s": True}, happened_at=at,
                          time_zone="Asia/Shanghai").increments == {
        "contacts_logged": 1, "contacts_by_channel.hotline": 1, "contacts_timed": 1, "contacts_answered_within_15s": 1,
        "contacts_timed_by_channel.hotline": 1, "contacts_answered_within_15s_by_channel.hotline": 1,
    }
    assert increments_for("intake.contact.logged", {"channel": "walk_in", "answered_within_15s": None}, happened_at=at,
                          time_zone="Asia/Shanghai").increments == {
        "contacts_logged": 1, "contacts_by_channel.walk_in": 1, "contacts_timed": 0, "contacts_answered_within_15s": 0,
    }
    assert not increments_for("notification.message.sent", {}, happened_at=at, time_zone="Asia/Shanghai")


def test_a_message_shows_the_estates_local_time_not_utc():
    draft = work_order_assigned({
        "assignee_id": "eng-1", "number": "PG-20261201-0003", "description": "电梯困人", "priority": "P1",
        "accept_by": "2026-12-01T15:27:02.912000Z",
    }, "Asia/Shanghai")
    assert "请于 12月1日 23:27 前接单" in draft.body
    assert "2026-12-01T15:27" not in draft.body


def test_an_sla_warning_names_its_deadline_in_local_time():
    from services.notification.domain.messages import sla_warning

    draft = sla_warning({"assignee_id": "eng-1", "number": "PG-20261201-0003", "milestone": "accept",
                         "deadline": "2026-12-31T16:05:00+00:00"}, breached=True, time_zone="Asia/Shanghai")
    assert draft.body == "工单 PG-20261201-0003 接单已超时，时限 1月1日 00:05。"


def test_answered_in_time_is_unknown_when_no_answer_time_was_recorded():
    from services.reporting.domain.figures import NO_ANSWER_TIMES, answered_in_time

    assert answered_in_time({"contacts_logged": 4, "contacts_timed": 0, "contacts_answered_within_15s": 0}) == (
        None, NO_ANSWER_TIMES)
    assert answered_in_time({}) == (None, NO_ANSWER_TIMES)
    assert answered_in_time({"contacts_timed": 3, "contacts_answered_within_15s": 0}) == (0, None)  # none in time
    assert answered_in_time({"contacts_timed": 3, "contacts_answered_within_15s": 2}) == (2, None)
    assert answered_in_time({"contacts_answered_within_15s": 2}) == (2, None)  # counted before contacts_timed
