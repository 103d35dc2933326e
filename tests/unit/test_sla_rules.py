from datetime import UTC, datetime, timedelta

from services.dispatch.domain import sla

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_default_deadlines_per_priority():
    assert sla.deadlines("P1", START) == {
        "accept": START + timedelta(minutes=5), "arrive": START + timedelta(minutes=15),
        "complete": START + timedelta(hours=4),
    }
    assert sla.deadlines("P3", START)["complete"] == START + timedelta(hours=48)


def test_a_warning_at_80_percent_and_a_breach_at_the_deadline():
    timers = sla.timers_for({"accept": START + timedelta(minutes=10)}, START)
    assert [(t.kind, t.due_at) for t in timers] == [
        ("warning", START + timedelta(minutes=8)), ("breach", START + timedelta(minutes=10)),
    ]


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
