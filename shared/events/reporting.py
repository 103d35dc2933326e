"""Events of reporting: the daily report announced each morning (the only event reporting publishes)."""

from __future__ import annotations

from datetime import date

from shared.events.registry import Payload, event

__all__ = ["DailyReportReady"]


@event("reporting.daily_report.ready")
class DailyReportReady(Payload):
    """An estate's service-centre daily report (服务中心日报表) of a day is ready: send it to its managers."""

    estate_id: str
    estate_name: str | None = None
    day: date
    report_url: str
    contacts: int
    answer_rate: float | None = None  # null when no answer time was recorded
    tickets_opened: int
    tickets_handled: int
    open_at_end: int
    work_orders_completed: int
    complete_on_time_rate: float | None = None
    satisfaction_average: float | None = None
    complaints: int
    incidents: int
    collected: str  # yuan, two places
