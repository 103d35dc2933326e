"""Handover due (交班提醒): when a shift's handover falls due, who must file it, and what they are told. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.dispatch.domain.handover import WatchedShift, outgoing_staff, shifts_due, shifts_ending
from services.notification.domain import contexts, rules, templates
from services.notification.domain.recipients import staff_fields
from shared.events import REGISTRY, HandoverDue, OutgoingStaff, envelope_for

TZ = "Asia/Shanghai"
SHIFTS = [WatchedShift("cs-desk", "customer_service", "middle", "16:00", "24:00"),
          WatchedShift("cs-desk", "customer_service", "night", "00:00", "08:00")]
GRACE = timedelta(minutes=15)
# Local midnight of 26→27 Nov is 16:00 UTC on the 26th: the 中班 of the 26th ends then.
MIDNIGHT = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


def ending(after: datetime, until: datetime, grace: timedelta = GRACE) -> list:
    return list(shifts_ending(SHIFTS, after=after, until=until, grace=grace, time_zone=TZ))


def test_a_handover_falls_due_once_at_the_shifts_end_across_passes_and_midnight():
    passes = [MIDNIGHT - timedelta(hours=1) + timedelta(seconds=7 * n) for n in range(1200)]
    due = [d for after, until in zip(passes, passes[1:], strict=False) for d in ending(after, until)]
    assert [(d.shift.code, d.shift_date) for d in due] == [("middle", date(2026, 11, 26))]
    assert due[0].ends_at == MIDNIGHT and due[0].due_at == MIDNIGHT + GRACE


def test_the_pass_that_sees_the_end_announces_it_and_the_missing_flag_comes_a_grace_later():
    assert ending(MIDNIGHT - timedelta(seconds=2), MIDNIGHT)[0].shift.code == "middle"  # the end itself is in
    assert ending(MIDNIGHT, MIDNIGHT + timedelta(seconds=2)) == []  # (after, until]: not twice
    missing = shifts_due(SHIFTS, after=MIDNIGHT, until=MIDNIGHT + GRACE, grace=GRACE, time_zone=TZ)
    assert [d.shift.code for d in missing] == ["middle"]


def test_no_reminder_once_the_grace_has_passed_the_missing_flag_says_it():
    # A watch that was down over the end and the whole grace: too late to remind, the supervisor is told.
    assert ending(MIDNIGHT - timedelta(minutes=1), MIDNIGHT + GRACE) == []
    assert ending(MIDNIGHT - timedelta(minutes=1), MIDNIGHT + GRACE - timedelta(seconds=1))[0].shift.code == "middle"
    assert ending(MIDNIGHT - timedelta(minutes=1), MIDNIGHT + timedelta(minutes=1), grace=timedelta(0)) == []


def person(staff_id: str, *, position: str = "staff", day: str | None = None, shift: str | None = None) -> dict:
    return {"_id": staff_id, "name": staff_id.upper(), "position": position,
            "duty_shift": {"day": day, "shift": shift} if day else None}


def test_the_staff_rostered_on_the_shift_file_its_handover():
    on_duty = [person("b", day="2026-11-26", shift="middle"), person("a", day="2026-11-26", shift="long"),
               person("c", day="2026-11-25", shift="middle"), person("sup", position="supervisor"),
               person("d", day="2026-11-26", shift="middle")]
    picked = outgoing_staff(on_duty, shift_date=date(2026, 11, 26), shift_code="middle")
    assert [p["_id"] for p in picked] == ["b", "d"]


def test_without_a_roster_for_the_shift_the_departments_staff_on_duty_file_it_and_nobody_is_nobody():
    on_duty = [person("z"), person("sup", position="supervisor"), person("a", day="2026-11-26", shift="long"),
               {"_id": "old", "name": "老员工"}]  # registered before positions: ordinary staff
    picked = outgoing_staff(on_duty, shift_date=date(2026, 11, 26), shift_code="middle")
    assert [p["_id"] for p in picked] == ["a", "old", "z"]
    assert outgoing_staff([person("sup", position="supervisor")], shift_date=date(2026, 11, 26),
                          shift_code="middle") == []


def test_the_event_is_registered_and_may_name_nobody():
    event = HandoverDue(post="cs-desk", department="customer_service", shift_date=date(2026, 11, 26),
                        shift_code="middle", ends_at=MIDNIGHT, due_at=MIDNIGHT + GRACE)
    envelope = envelope_for(event, subject="k", company_id="c", estate_id="e")
    assert envelope.type == "estatedesk.dispatch.shift.handover_due.v1" and envelope.type in REGISTRY
    assert event.outgoing == []


def test_the_outgoing_staff_hear_that_their_handover_is_due_and_by_when():
    data = HandoverDue(
        post="cs-desk", department="customer_service", shift_date=date(2026, 11, 26), shift_code="middle",
        ends_at=MIDNIGHT, due_at=MIDNIGHT + GRACE,
        outgoing=[OutgoingStaff(staff_id="cs-1", name="李客服"), OutgoingStaff(staff_id="cs-2")],
    ).model_dump(mode="json")
    [rule] = rules.rules_for("dispatch.shift.handover_due", {})
    assert (rule.id, rule.audience, rule.urgency, rule.channels) == (
        "shift.handover_due", ("named_outgoing",), "normal", ("app_push",))
    assert "named_outgoing" in rules.STAFF_AUDIENCES
    assert staff_fields("dispatch.shift.handover_due", data) == [("cs-1", {"name": "李客服"}, []),
                                                                 ("cs-2", {"name": None}, [])]
    variables = contexts.context_for("shift.handover_due", data, time_zone=TZ)
    zh = templates.lookup({}, "shift.handover_due", channel="app_push", language="zh")
    assert templates.render(zh.body, variables) == (
        "【交班提醒】cs-desk 岗 11月26日 middle 班次已结束，请于 11月27日 00:15 前提交交接班记录。")
    en = templates.lookup({}, "shift.handover_due", channel="app_push", language="en")
    english = contexts.context_for("shift.handover_due", data, time_zone=TZ, language="en")
    assert templates.render(en.body, english).startswith("[Handover due] Post cs-desk,")
    templates.check("shift.handover_due", "zh", field="body", source="{{ post }} {{ due_at }}")  # known variables
