from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.dispatch.domain.calendar import BusinessCalendar, add_business_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = BusinessCalendar()  # 08:30–17:30, Asia/Shanghai


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def test_within_one_working_day():
    deadline = add_business_time(at(date(2026, 11, 25), 9), timedelta(hours=2), calendar=CALENDAR)
    assert deadline.at == at(date(2026, 11, 25), 11) and not deadline.approximate


def test_a_friday_evening_request_runs_over_the_weekend_to_monday():
    friday = date(2026, 11, 27)
    deadline = add_business_time(at(friday, 16, 30), timedelta(hours=2), calendar=CALENDAR)
    assert deadline.at == at(date(2026, 11, 30), 9, 30)  # 1 h on Friday, 1 h on Monday


def test_national_day_holidays_are_skipped():
    # 2026-09-30 (Wed) is a working day; 1–7 October are the National Day holiday.
    deadline = add_business_time(at(date(2026, 9, 30), 17), timedelta(hours=1), calendar=CALENDAR)
    assert deadline.at == at(date(2026, 10, 8), 9)


def test_an_adjusted_working_saturday_counts():
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday (调休).
    deadline = add_business_time(at(date(2026, 10, 9), 17), timedelta(hours=1), calendar=CALENDAR)
    assert deadline.at == at(date(2026, 10, 10), 9)


def test_before_opening_time_counts_from_opening():
    deadline = add_business_time(at(date(2026, 11, 25), 6), timedelta(minutes=30), calendar=CALENDAR)
    assert deadline.at == at(date(2026, 11, 25), 9)


def test_years_the_package_does_not_know_fall_back_to_the_plain_week_with_a_flag():
    # 2027-01-01 is a Friday: the package cannot say; the estate has not said; guessed as working.
    deadline = add_business_time(at(date(2026, 12, 31), 17), timedelta(hours=1), calendar=CALENDAR)
    assert deadline.at == at(date(2027, 1, 1), 9) and deadline.approximate


def test_the_estates_own_overrides_win():
    calendar = BusinessCalendar(holidays=frozenset({date(2027, 1, 1)}), working_days=frozenset({date(2027, 1, 2)}))
    deadline = add_business_time(at(date(2026, 12, 31), 17), timedelta(hours=1), calendar=calendar)
    assert deadline.at == at(date(2027, 1, 2), 9)
    assert not deadline.approximate
