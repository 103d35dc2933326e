"""Days of an estate told as events with known figures, for reporting's tests: every section of the
daily report has inputs, and each figure below is what those inputs must give.

The events are typed (the platform's payload models) and go to reporting's queue alone
(`dashboard_events.deliver_to_reporting`): no other service acts on them. Times are local times of a
day the test chooses (never today's date written down), in the estates' default zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.envelope import Envelope
from shared.estates import DEFAULT_TIME_ZONE
from shared.events import (
    BillingRunCompleted,
    BillIssued,
    ContactLogged,
    DunningNoticeDue,
    FollowUpCompleted,
    FollowUpDue,
    HandoverAcknowledged,
    HandoverFiled,
    HandoverMissing,
    IncidentDeclared,
    IncidentResolved,
    PaymentReceived,
    PaymentReversed,
    SlaBreached,
    SlaWarning,
    TicketOpened,
    TicketResolved,
    WorkOrderAccepted,
    WorkOrderArrived,
    WorkOrderAssigned,
    WorkOrderCompleted,
    WorkOrderCreated,
    WorkOrderEscalated,
)
from tests.e2e.dashboard_events import event


class Day:
    """The events of one estate's local day, each made at a local clock time ("09:40")."""

    def __init__(self, estate_id: str, day: date, tag: str) -> None:
        self.estate_id, self.day, self.tag = estate_id, day, tag  # tag: ids unique to this day of this test
        self.envelopes: list[Envelope] = []

    def at(self, clock: str, *, days: int = 0) -> datetime:
        return datetime.combine(self.day + timedelta(days=days), time.fromisoformat(clock),
                                tzinfo=ZoneInfo(DEFAULT_TIME_ZONE))

    def add(self, payload, clock: str, *, days: int = 0) -> None:
        self.envelopes.append(event(payload, self.estate_id, self.at(clock, days=days)))

    def id(self, name: str) -> str:
        return f"{self.tag}-{name}"

    # Calls and visits
    def contact(self, n: int, clock: str, channel: str, answered: bool | None) -> None:
        self.add(ContactLogged(contact_id=self.id(f"c{n}"), channel=channel, answered_within_15s=answered,
                               outcome="answered"), clock)

    # Tickets and their follow-ups
    def ticket(self, name: str, clock: str, category: str, *, days: int = 0, priority: str = "P3",
               subcategory: str | None = None, building_id: str | None = None,
               resident_id: str | None = None) -> None:
        at = self.at(clock, days=days)
        self.add(TicketOpened(ticket_id=self.id(name), number=self.id(name).upper(), category=category,
                              subcategory=subcategory, priority=priority, scope="public_area", description="测试事项",
                              channel="hotline", promised_reply_at=at + timedelta(hours=2), opened_at=at,
                              building_id=building_id, resident_id=resident_id), clock, days=days)

    def resolved(self, name: str, clock: str, *, days: int = 0) -> None:
        self.add(TicketResolved(ticket_id=self.id(name), number=self.id(name).upper(), status="resolved",
                                previous_status="in_progress"), clock, days=days)

    def follow_up_due(self, name: str, clock: str, *, days: int = 0) -> None:
        self.add(FollowUpDue(follow_up_id=self.id(f"fu-{name}"), ticket_id=self.id(name), ticket_number=name,
                             category="repair", due_by=self.at(clock, days=days) + timedelta(hours=24)), clock, days=days)

    def follow_up(self, name: str, clock: str, result: str, score: int | None) -> None:
        self.add(FollowUpCompleted(follow_up_id=self.id(f"fu-{name}"), ticket_id=self.id(name), ticket_number=name,
                                   result=result, score=score, attempts=1, by="agent-1"), clock)

    # Work orders
    def order(self, name: str, clock: str, *, kind: str = "repair") -> None:
        self.add(WorkOrderCreated(work_order_id=self.id(name), number=name.upper(), department="engineering",
                                  priority="P2", kind=kind), clock)

    def moved(self, name: str, clock: str, model, status: str, *, assignee: str | None = None,
              ticket: str | None = None) -> None:
        self.add(model(work_order_id=self.id(name), number=name.upper(), status=status, previous_status="assigned",
                       ticket_id=ticket and self.id(ticket),
                       by=assignee or "eng-a", assignee_id=assignee, assignee_name=assignee and f"工程师{assignee}",
                       **({"work_done": "换阀门", "labour_minutes": 30, "responsible_party": "estate",
                           "chargeable": False} if model is WorkOrderCompleted else {})), clock)

    def assigned(self, name: str, clock: str, assignee: str) -> None:
        self.add(WorkOrderAssigned(work_order_id=self.id(name), number=name.upper(), assignee_id=assignee,
                                   assignee_name=f"工程师{assignee}", department="engineering", priority="P2",
                                   description="测试"), clock)

    def sla(self, name: str, clock: str, milestone: str, *, breached: bool = True) -> None:
        at = self.at(clock)
        model = SlaBreached if breached else SlaWarning
        self.add(model(work_order_id=self.id(name), number=name.upper(), milestone=milestone, due_at=at, deadline=at,
                       fired_at=at, late=False), clock)

    def escalated(self, name: str, clock: str, level: int) -> None:
        self.add(WorkOrderEscalated(work_order_id=self.id(name), number=name.upper(), level=level,
                                    position="supervisor", reason="超时", priority="P2", description="测试"), clock)

    # Billing, as billing announces it
    def bill(self, name: str, clock: str, amount_fen: int, *, period: str = "2025-01") -> None:
        self.add(BillIssued(bill_id=self.id(name), unit_id=self.id("unit"), item="property_fee",
                            item_name_zh="物业费", item_name_en="Property fee", period=period, amount_fen=amount_fen,
                            amount=f"{amount_fen / 100:.2f}", due_date=self.day), clock)

    def run(self, clock: str, amount: str, *, lines: int) -> None:
        self.add(BillingRunCompleted(billing_run_id=self.id("run"), period="2025-01", items=["property_fee"],
                                     lines_created=lines, lines_existing=0, amount_created=amount,
                                     completed_at=self.at(clock)), clock)

    def payment(self, name: str, clock: str, amount: str, applied: str, to_balance: str = "0.00") -> None:
        self.add(PaymentReceived(payment_id=self.id(name), unit_id=self.id("unit"), receipt_number=name.upper(),
                                 amount=amount, method="cash", applied=applied, to_balance=to_balance, line_ids=[],
                                 received_at=self.at(clock)), clock)

    def reversal(self, name: str, clock: str, amount: str) -> None:
        self.add(PaymentReversed(payment_id=self.id(name), unit_id=self.id("unit"), receipt_number=name.upper(),
                                 amount=amount, reason="录错", reversed_at=self.at(clock)), clock)

    def dunning(self, n: int, clock: str, amount: str, due_since: str) -> None:
        self.add(DunningNoticeDue(dunning_run_id=self.id("dunning"), unit_id=self.id(f"unit-{n}"), amount=amount,
                                  periods=[due_since], items=["property_fee"], due_since=due_since), clock)

    # Incidents and duty
    def incident(self, clock: str, resolved_at: str) -> None:
        self.add(IncidentDeclared(incident_id=self.id("inc"), number="INC-0001", category="facility", priority="P2",
                                  location="3栋大堂", description="大堂漏水", declared_at=self.at(clock)), clock)
        self.add(IncidentResolved(incident_id=self.id("inc"), number="INC-0001", previous_status="open",
                                  resolved_at=self.at(resolved_at)), resolved_at)

    def handover(self, name: str, clock: str) -> None:
        self.add(HandoverFiled(handover_id=self.id(name), post="客服前台", department="customer_service",
                               shift_date=self.day, shift_code="D", outgoing_id="agent-1", open_work_orders=1), clock)

    def acknowledged(self, name: str, clock: str, discrepancies: list[str]) -> None:
        self.add(HandoverAcknowledged(handover_id=self.id(name), post="客服前台", shift_date=self.day, shift_code="D",
                                      outgoing_id="agent-1", incoming_id="agent-2", discrepancies=discrepancies), clock)

    def missing(self, clock: str) -> None:
        self.add(HandoverMissing(post="监控室", department="security", shift_date=self.day, shift_code="N",
                                 ended_at=self.at(clock)), clock)


def service_centre_day(estate_id: str, day: date, tag: str) -> Day:
    """A full day (see `SERVICE_CENTRE_DAY` for what it must read as)."""
    d = Day(estate_id, day, tag)
    for n, (clock, channel, answered) in enumerate([("09:00", "hotline", True), ("09:01", "hotline", True),
                                                    ("09:02", "hotline", False), ("09:03", "walk_in", None)]):
        d.contact(n, clock, channel, answered)
    # t1 and t3 done today; t2 opened and done the day before, its follow-up today (26 h after it was due)
    d.ticket("t1", "09:00", "repair")
    d.resolved("t1", "09:40")
    d.follow_up_due("t1", "09:40")
    d.follow_up("t1", "10:00", "satisfied", 5)
    d.ticket("t2", "07:00", "repair", days=-1)
    d.resolved("t2", "08:00", days=-1)
    d.follow_up_due("t2", "08:00", days=-1)
    d.follow_up("t2", "10:05", "satisfied", 3)
    d.ticket("t3", "09:10", "complaint", priority="P2", subcategory="noise", building_id="b-1", resident_id="r-1")
    d.resolved("t3", "09:20")
    d.follow_up_due("t3", "09:20")
    d.follow_up("t3", "10:10", "unreachable", None)
    d.ticket("t4", "11:00", "consultation")  # still open at the day's end
    # w1 on time throughout (30 min); w2 late to arrive and to complete (150 min); w3 open, warned
    d.order("w1", "09:05")
    d.assigned("w1", "09:06", "eng-a")
    d.moved("w1", "09:07", WorkOrderAccepted, "accepted")
    d.moved("w1", "09:20", WorkOrderArrived, "arrived")
    d.moved("w1", "09:35", WorkOrderCompleted, "completed", assignee="eng-a", ticket="t1")  # t1's repair
    d.order("w2", "09:10")
    d.assigned("w2", "09:11", "eng-b")
    d.moved("w2", "09:12", WorkOrderAccepted, "accepted")
    d.sla("w2", "09:40", "arrive")
    d.escalated("w2", "09:45", 1)
    d.moved("w2", "09:50", WorkOrderArrived, "arrived")
    d.escalated("w2", "10:30", 2)
    d.sla("w2", "11:10", "complete")
    d.moved("w2", "11:40", WorkOrderCompleted, "completed", assignee="eng-b")
    d.order("w3", "10:00")
    d.sla("w3", "10:20", "accept", breached=False)
    d.escalated("w3", "10:40", 1)
    d.incident("12:00", "13:00")
    d.handover("h1", "08:00")
    d.acknowledged("h1", "08:10", ["钥匙少一把"])
    d.handover("h2", "20:00")
    d.missing("16:30")
    # Billing: a run of two bills (1000.00) and a one-off bill (50.00), two payments (450.00 to bills, 50.00 prepaid), one reversed
    d.bill("b1", "01:00", 60000)
    d.bill("b2", "01:00", 40000)
    d.run("01:01", "1000.00", lines=2)
    d.bill("b3", "11:30", 5000)  # a one-off charge (a paid service): billed outside any run
    d.payment("p1", "14:00", "400.00", "350.00", "50.00")
    d.payment("p2", "15:00", "100.00", "100.00")
    d.reversal("p2", "16:00", "100.00")
    return d


# What `service_centre_day` reads as in the daily report: section → row key → value (as JSON gives it).
SERVICE_CENTRE_DAY = {
    "contacts": {"calls": 3, "visits": 1, "answered": 2, "answer_rate": 0.6667, "channel.hotline": 3,
                 "channel.walk_in": 1},
    "requests": {"complaint": 1, "repair": 1, "consultation": 1, "help": 0, "suggestion": 0, "praise": 0},
    "backlog": {"carried_over": 0, "opened": 3, "reopened": 0, "to_handle": 3, "handled": 2, "handling_rate": 0.6667,
                "open_at_end": 1},
    "work_orders": {"created": 3, "completed": 2, "accept_on_time_rate": 1.0, "arrive_on_time_rate": 0.5,
                    "complete_on_time_rate": 0.5, "handling_minutes_median": 30, "handling_minutes_p90": 150,
                    "escalations.1": 2, "escalations.2": 1, "sla_breaches": 2},
    "follow_ups": {"done": 2, "done_within_24h_rate": 0.5, "unreachable": 1, "satisfaction_average": 4.0,
                   "satisfied_share": 0.5},
    "duty": {"handovers_filed": 2, "handovers_acknowledged": 1, "handovers_with_discrepancies": 1,
             "handovers_missing": 1},
    "billing": {"collected": 45000, "payments": 2, "reversed": 10000, "billed": 105000, "collection_rate": 0.3333},
}


def month_before_day(estate_id: str, day: date, tag: str) -> Day:
    """A quieter day of the month before (see `monthly_figures` for both months)."""
    d = Day(estate_id, day, tag)
    d.ticket("t1", "09:00", "complaint", subcategory="noise", building_id="b-1", resident_id="r-1")
    d.ticket("t2", "10:00", "complaint", subcategory="parking", building_id="b-2", resident_id="r-1")
    d.order("w1", "09:05")
    d.assigned("w1", "09:06", "eng-a")
    d.sla("w1", "09:20", "accept")
    d.escalated("w1", "09:25", 1)
    d.moved("w1", "09:30", WorkOrderAccepted, "accepted")
    d.moved("w1", "09:40", WorkOrderArrived, "arrived")
    d.moved("w1", "10:05", WorkOrderCompleted, "completed", assignee="eng-a")
    d.bill("b1", "01:00", 50000)
    d.payment("p1", "14:00", "200.00", "200.00")
    return d


def month_of(day: date, months_back: int) -> str:
    year, month = divmod(day.year * 12 + day.month - 1 - months_back, 12)
    return f"{year:04d}-{month + 1:02d}"
