from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.dispatch.domain import sla
from services.dispatch.domain.calendar import BusinessCalendar
from shared.errors import InvalidInput

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_default_deadlines_per_priority():
    assert sla.plan("P1", START).deadlines == {
        "accept": START + timedelta(minutes=5), "arrive": START + timedelta(minutes=15),
        "complete": START + timedelta(hours=4),
    }
    assert sla.plan("P3", START).deadlines["complete"] == START + timedelta(hours=48)


def test_a_warning_at_80_percent_and_a_breach_at_the_deadline():
    accept = [(t.kind, t.due_at) for t in sla.plan("P3", START).timers if t.milestone == "accept"]
    assert accept == [("warning", START + timedelta(minutes=24)), ("breach", START + timedelta(minutes=30))]


def test_business_hours_policies_count_on_the_calendar():
    friday_evening = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    policy = sla.EstatePolicy(sla.DEFAULT_POLICIES, calendar=BusinessCalendar())
    planned = sla.plan("P4", friday_evening, policy=policy)  # accept within 2 business hours
    shanghai = ZoneInfo("Asia/Shanghai")
    assert planned.deadlines["accept"] == datetime(2026, 11, 30, 10, 0, tzinfo=shanghai)  # 0.5 h Fri + 1.5 h Mon
    warning = next(t for t in planned.timers if t.milestone == "accept" and t.kind == "warning")
    assert warning.due_at == datetime(2026, 11, 30, 9, 36, tzinfo=shanghai)  # 80%: 96 business minutes
    assert not planned.approximate


def test_the_ladder_climbs_with_its_delays_and_stops_at_the_top():
    first = sla.escalation_step(1, START)
    second = sla.escalation_step(2, first.due_at)
    assert (first.due_at, sla.position_at(1)) == (START, "supervisor")
    assert (second.due_at, sla.position_at(2)) == (START + timedelta(minutes=30), "cs_manager")
    assert sla.position_at(4) == "duty_leader"
    assert sla.escalation_step(5, START) is None


def test_buckets_and_lateness():
    assert sla.bucket_of(START) == sla.bucket_of(START + timedelta(seconds=4))
    assert sla.bucket_of(START + timedelta(seconds=5)) == sla.bucket_of(START) + 1
    assert not sla.is_late(START, START + timedelta(milliseconds=900))
    assert sla.is_late(START, START + timedelta(seconds=2))


def test_complaint_orders_run_on_the_complaint_procedures_clock():
    planned = sla.plan("P3", START, kind="complaint_handling")
    assert planned.deadlines == {"plan": START + timedelta(hours=24), "feedback": START + timedelta(hours=48)}


def test_the_sla_state_only_gets_worse():
    assert sla.state_after("warning", "ok") == "at_risk"
    assert sla.state_after("breach", "at_risk") == "breached"
    assert sla.state_after("warning", "breached") == "breached"  # a later milestone's warning


def test_emergencies_run_on_the_full_clock_in_a_business_hours_estate():
    late_evening = datetime(2026, 11, 27, 15, 41, tzinfo=UTC)  # 23:41 in Shanghai, a Friday
    policy = sla.EstatePolicy(sla.DEFAULT_POLICIES, calendar=BusinessCalendar(), safety_subcategories=frozenset({"gas"}))
    assert sla.plan("P1", late_evening, policy=policy).deadlines["accept"] == late_evening + timedelta(minutes=5)
    assert sla.plan("P3", late_evening, policy=policy, subcategory="gas").deadlines["accept"] == \
        late_evening + timedelta(minutes=30)
    assert sla.plan("P3", late_evening, policy=policy).deadlines["accept"] > late_evening + timedelta(days=2)
    assert (policy.clock_of("P1"), policy.clock_of("P2"), policy.clock_of("P2", "gas")) == \
        ("full", "business_hours", "full")
    assert sla.clocks_by_priority("business_hours") == {
        "P1": "full", "P2": "business_hours", "P3": "business_hours", "P4": "business_hours"}


def _limits(accept_min: int, arrive_min: int, complete_min: int) -> sla.Policy:
    return sla.Policy(timedelta(minutes=accept_min), timedelta(minutes=arrive_min), timedelta(minutes=complete_min))


def test_a_policy_gives_every_priority_limits_in_order_and_hours_that_open_before_they_close():
    whole = {p: _limits(5, 15, 240) for p in ("P1", "P2", "P3", "P4")}
    sla.check_policy(priorities=whole, clock="business_hours", opens=time(8, 30), closes=time(17, 30))
    with pytest.raises(InvalidInput) as missing:
        sla.check_policy(priorities={"P1": whole["P1"]}, clock="full", opens=time(8, 30), closes=time(17, 30))
    assert missing.value.field == "priorities"
    with pytest.raises(InvalidInput) as out_of_order:
        sla.check_policy(priorities={**whole, "P3": _limits(30, 20, 240)}, clock="full",
                         opens=time(8, 30), closes=time(17, 30))
    assert out_of_order.value.field == "priorities.P3"
    # The hours matter only when the policy counts business hours.
    sla.check_policy(priorities=whole, clock="full", opens=time(18), closes=time(9))
    with pytest.raises(InvalidInput) as backwards:
        sla.check_policy(priorities=whole, clock="business_hours", opens=time(18), closes=time(9))
    assert backwards.value.field == "closes"
