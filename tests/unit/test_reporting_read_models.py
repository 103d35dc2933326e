"""The read models' rules: a case's figures do not depend on the order its events came in."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from services.reporting.domain import cases, daily_report, monthly, monthly_lines, readout
from services.reporting.domain.figures import aging_bucket, attribution_day, increments_for

ZONE = "Asia/Shanghai"
T0 = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 23:00 on the 25th in Shanghai


def _event(n: int, event_kind: str, hours: float, **data) -> dict:
    return cases.summary(f"e{n}", event_kind, time=T0 + timedelta(hours=hours), data=data)


TICKET = [
    _event(1, "intake.ticket.opened", 0, category="complaint", subcategory="noise", building_id="b1",
           resident_id="r1", priority="P2"),
    _event(2, "intake.ticket.resolved", 2),
    _event(3, "intake.followup.due", 2, follow_up_id="f1"),
    _event(4, "dispatch.workorder.completed", 1.5, assignee_id="eng-1"),
    _event(5, "intake.followup.completed", 20, follow_up_id="f1", result="satisfied", score=5),
]


def _sum(events: list[dict]) -> dict:
    return cases.ticket_contributions(events, ZONE)


def test_a_ticket_counts_the_same_in_any_order_and_when_an_event_comes_twice():
    expected = _sum(TICKET)
    assert expected["2026-11-25", "tickets_opened"] == 1
    assert expected["2026-11-25", "complaints_by_building.b1"] == 1
    assert expected["2026-11-25", "tickets_open_delta"] == 1 and expected["2026-11-26", "tickets_open_delta"] == -1
    assert expected["2026-11-26", "tickets_handled"] == 1
    assert expected["2026-11-26", "followups_done_within_24h"] == 1
    assert expected["2026-11-26", "staff.eng-1.satisfaction_sum"] == 5
    for order in itertools.permutations(TICKET):
        assert _sum(list(order)) == expected
    twice = cases.merge_events(TICKET, TICKET[2:4])
    assert _sum(twice) == expected


def test_moving_by_differences_gives_the_full_figures_whatever_the_batches():
    days: dict = {}
    known: list[dict] = []
    for batch in ([TICKET[4]], [TICKET[1], TICKET[3]], [TICKET[0]], [TICKET[2], TICKET[4]]):
        merged = cases.merge_events(known, batch)
        for key, amount in cases.difference(_sum(merged), _sum(known)).items():
            days[key] = days.get(key, 0) + amount
        known = merged
    assert {k: v for k, v in days.items() if v} == {k: v for k, v in _sum(TICKET).items() if v}


def test_a_ticket_seen_before_it_is_opened_counts_nothing_yet():
    assert _sum(TICKET[1:]) == {}


def test_a_late_follow_up_and_a_reopen_keep_the_backlog_right():
    events = [*TICKET[:3], _event(6, "intake.ticket.reopened", 30), _event(7, "intake.ticket.resolved", 50),
              cases.summary("e8", "intake.followup.completed", time=T0 + timedelta(hours=60),
                            data={"follow_up_id": "f1", "result": "satisfied", "score": 3})]
    figures = _sum(events)
    assert sum(v for (_d, name), v in figures.items() if name == "tickets_open_delta") == 0
    assert figures["2026-11-27", "tickets_reopened"] == 1
    assert figures.get(("2026-11-28", "followups_done_within_24h"), 0) == 0
    assert figures["2026-11-28", "satisfaction_satisfied"] == 0  # 3 of 5 is not satisfied


def test_a_work_order_late_to_arrive_is_not_on_time():
    events = [
        _event(1, "dispatch.workorder.created", 0, department="engineering", kind="repair"),
        _event(2, "dispatch.workorder.accepted", 0.1),
        _event(3, "dispatch.sla.breached", 1, milestone="arrive"),
        _event(4, "dispatch.workorder.arrived", 1.5),
        _event(5, "dispatch.workorder.completed", 2.5, assignee_id="eng-1"),
    ]
    figures = cases.work_order_contributions(events, ZONE)
    assert figures["2026-11-25", "work_orders_accepted_on_time"] == 1
    assert figures["2026-11-26", "work_orders_arrived_on_time"] == 0
    assert figures["2026-11-26", "work_orders_completed_on_time"] == 1
    assert figures["2026-11-26", "handling_minutes.150"] == 1
    for order in itertools.permutations(events):
        assert cases.work_order_contributions(list(order), ZONE) == figures


def test_rates_without_inputs_are_unknown_not_zero():
    figures = readout.figures_of({"contacts_logged": 3, "contacts_by_channel": {"hotline": 3}}, units=None,
                                 open_before=0)
    assert figures["contacts"]["answer_rate"] is None and "contacts.answer_rate" in figures["unknown"]
    assert figures["work_orders"]["handling_minutes_median"] is None
    assert figures["complaints"]["per_100_units"] is None
    assert figures["billing"]["collection_rate"] is None and figures["billing"]["older_arrears_recovered_fen"] is None


def test_roll_up_adds_days_and_medians_come_from_the_histogram():
    total = readout.roll_up([
        {"_id": "a", "day": "2026-11-01", "tickets_opened": 2, "handling_minutes": {"10": 1, "30": 1},
         "complaints_by_resident": {"r1": 1}},
        {"_id": "b", "day": "2026-11-02", "tickets_opened": 1, "handling_minutes": {"30": 1, "90": 2},
         "complaints_by_resident": {"r1": 1, "r2": 1}},
    ])
    assert total["tickets_opened"] == 3 and total["handling_minutes"] == {"10": 1, "30": 2, "90": 2}
    assert readout.percentile_of(total["handling_minutes"], 0.5) == 30
    assert readout.percentile_of(total["handling_minutes"], 0.9) == 90
    figures = readout.figures_of(total, units=200, open_before=4)
    assert figures["complaints"]["repeat_complainants"] == 1
    assert figures["tickets"]["to_handle"] == 7


def test_periods_and_the_period_before():
    assert readout.period_of(date(2026, 11, 26), "week") == (date(2026, 11, 23), date(2026, 11, 29))
    assert readout.period_of(date(2026, 2, 10), "month") == (date(2026, 2, 1), date(2026, 2, 28))
    assert readout.previous_period(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert readout.previous_period(date(2026, 11, 23), date(2026, 11, 29)) == (date(2026, 11, 16), date(2026, 11, 22))


def test_arrears_age_by_the_oldest_period_owed():
    assert aging_bucket("2026-11", date(2026, 11, 30)) == "0_1m"
    assert aging_bucket("2026-07", date(2026, 11, 30)) == "3_6m"
    assert aging_bucket("2025-01", date(2026, 11, 30)) == "12m_plus"
    assert aging_bucket(None, date(2026, 11, 30)) == "unknown"


def test_the_report_of_yesterday_is_due_once_the_estates_morning_has_come():
    from datetime import time

    from services.reporting.commands.daily_report import due_day

    at = time(7, 0)
    assert due_day(datetime(2026, 11, 25, 22, 59, tzinfo=UTC), ZONE, at=at) is None  # 06:59 in Shanghai
    assert due_day(datetime(2026, 11, 25, 23, 0, tzinfo=UTC), ZONE, at=at) == date(2026, 11, 25)
    assert due_day(datetime(2026, 11, 25, 23, 0, tzinfo=UTC), "Europe/London", at=at) == date(2026, 11, 24)


def test_the_backlog_before_a_day_is_read_as_its_years_months_and_days():
    from services.reporting.store import _backlog_ids

    ids = _backlog_ids("e1", date(2026, 3, 3))
    assert ids == ["e1:2026-01", "e1:2026-02", "e1:2026-03-01", "e1:2026-03-02"]  # the years before: a query
    assert _backlog_ids("e1", date(2999, 1, 1)) == []


def test_billed_is_every_bill_issued_not_a_runs_total():
    run = increments_for("billing.run.completed", {"amount_created": "1000.00"}, happened_at=T0, time_zone=ZONE)
    one_off = increments_for("billing.bill.issued", {"amount_fen": 5000, "amount": "50.00"}, happened_at=T0,
                             time_zone=ZONE)
    assert run.increments == {"billing_runs": 1}  # its bills come one by one as billing.bill.issued
    assert one_off.increments == {"bills_issued": 1, "billed_fen": 5000}


def test_a_reversal_takes_back_on_its_own_day_only_what_its_payment_put_on_bills():
    """A payment of 250.00 on the 1st, 200.00 to bills and 50.00 prepaid, reversed on the 3rd."""
    paid_at, reversed_at = datetime(2026, 11, 1, 2, tzinfo=UTC), datetime(2026, 11, 3, 15, 30, tzinfo=UTC)
    payment = increments_for("billing.payment.received", {
        "amount": "250.00", "applied": "200.00", "to_balance": "50.00"}, happened_at=paid_at, time_zone=ZONE)
    reversal = increments_for("billing.payment.reversed", {
        "amount": "250.00", "applied": "200.00", "to_balance": "50.00", "reversed_at": reversed_at.isoformat()},
        happened_at=reversed_at, time_zone=ZONE)
    assert payment.increments == {"payments": 1, "collected_fen": 20000, "prepaid_fen": 5000}
    assert reversal.increments == {"payments_reversed": 1, "reversed_fen": 20000, "prepaid_reversed_fen": 5000}
    # 23:30 in Shanghai: the reversal counts on the 3rd, the day it was made, not the payment's day
    assert attribution_day(reversed_at, ZONE) == date(2026, 11, 3) != attribution_day(paid_at, ZONE)
    bills = {"billed_fen": 40000}
    day_of_payment = readout.figures_of({**bills, **payment.increments}, units=None, open_before=0)["billing"]
    day_of_reversal = readout.figures_of(reversal.increments, units=None, open_before=0)["billing"]
    month = readout.figures_of(readout.roll_up([{"_id": "1", **bills, **payment.increments},
                                                {"_id": "3", **reversal.increments}]), units=None, open_before=0)
    assert day_of_payment["collection_rate"] == 0.5 and day_of_payment["reversed_fen"] == 0
    assert (day_of_reversal["reversed_fen"], day_of_reversal["prepaid_reversed_fen"]) == (20000, 5000)
    assert month["billing"]["collection_rate"] == 0.0  # not −0.125: the prepaid 50.00 was never collected
    # A reversal announced before billing said how its payment was spread: all of it, as before.
    older = increments_for("billing.payment.reversed", {"amount": "100.00"}, happened_at=reversed_at, time_zone=ZONE)
    assert older.increments == {"payments_reversed": 1, "reversed_fen": 10000}


def test_a_breakdowns_key_of_one_month_only_changes_by_all_of_it_and_a_missing_rate_not_at_all():
    now = {"arrears_by_aging_fen": {"0_1m": 48750}, "staff": {"eng-b": {"name": "乙", "completed": 1, "on_time_rate": 0.0}}}
    before = {"arrears_by_aging_fen": {"1_3m": 30000}, "staff": {}}
    assert readout.change(now, before) == {"arrears_by_aging_fen": {"0_1m": 48750, "1_3m": -30000},
                                           "staff": {"eng-b": {"completed": 1, "on_time_rate": None}}}


def test_a_monthly_reports_lines_name_and_write_every_number():
    current = {"collection_rate": 0.3333, "billed_fen": 105000, "arrears_by_aging_fen": {"0_1m": 48750},
               "escalations_by_level": {"2": 1}, "staff": {"eng-a": {"name": "工程师甲", "completed": 2}}}
    previous = {"collection_rate": 0.4, "billed_fen": 50000, "arrears_by_aging_fen": {"1_3m": 30000},
                "escalations_by_level": {}, "staff": {}}
    report = monthly.report("collection", "zh", current=current, previous=previous, period={}, previous_period={},
                            estates=[],
                            unknown={})
    written = {line["label"]: (line["current_text"], line["previous_text"], line["change_text"])
               for line in monthly_lines.lines(report, "zh")}
    assert written == {
        "收缴率": ("33.3%", "40.0%", "−6.7个百分点"), "应收（元）": ("1050.00", "500.00", "+550.00"),
        "欠费账龄（元）·1个月内": ("487.50", "0.00", "+487.50"), "欠费账龄（元）·1–3个月": ("0.00", "300.00", "-300.00"),
        "升级（按级别）·第2级": ("1", "0", "+1"), "员工·工程师甲·完工": ("2", "0", "+2")}
    english = {line["path"]: line["label"] for line in monthly_lines.lines(report, "en")}
    assert english["staff.eng-a.completed"] == "Staff·工程师甲·Completed"


def test_escalation_levels_read_in_number_order_not_text_order():
    """Level 10 after level 2, in the figures, the daily report and a monthly report's lines."""
    total = readout.roll_up([{"_id": "a", "day": "2026-11-01", "escalations": 6,
                              "escalations_by_level": {"10": 1, "2": 2, "1": 1, "none": 1, "3": 1}}])
    figures = readout.figures_of(total, units=None, open_before=0)
    assert list(figures["work_orders"]["escalations_by_level"]) == ["1", "2", "3", "10", "none"]
    report = daily_report.build(figures, estate_id="e-1", estate_name=None, day="2026-11-01", lang="en")
    (orders,) = [s["rows"] for s in report["sections"] if s["key"] == "work_orders"]
    assert [r["key"] for r in orders if r["key"].startswith("escalations.")] == [
        "escalations.1", "escalations.2", "escalations.3", "escalations.10", "escalations.none"]
    current, previous = {"escalations_by_level": {"10": 1, "2": 1}}, {"escalations_by_level": {"9": 2, "1": 1}}
    monthly_report = monthly.report("repairs", "en", current=current, previous=previous, period={}, previous_period={}, estates=[],
                                    unknown={})
    assert [line["label"] for line in monthly_lines.lines(monthly_report, "en")] == [
        f"Escalations by level·level {n}" for n in (1, 2, 9, 10)]
