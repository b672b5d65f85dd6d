"""Working time across weekends, Chinese public holidays and make-up working days (调休), from the real table."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.calendar import WorkingCalendar
from notifications.holidays import seed_holidays, working_calendar, years_without_data
from notifications.models import Holiday

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=SHANGHAI)


def plain(**kwargs: object) -> WorkingCalendar:
    return WorkingCalendar(start=time(9), end=time(18), weekdays=frozenset({1, 2, 3, 4, 5}), zone=SHANGHAI, **kwargs)  # type: ignore[arg-type]


def test_friday_evening_to_monday_morning_counts_only_working_hours():
    calendar = plain()
    # Friday 17:00 -> Monday 10:00: one hour on Friday, one on Monday; the weekend counts nothing.
    assert calendar.working_seconds(at("2026-11-27", "17:00"), at("2026-11-30", "10:00")) == 2 * 3600


def test_adding_working_time_skips_the_weekend_and_the_night():
    calendar = plain()
    assert calendar.add_working(at("2026-11-27", "17:30"), timedelta(hours=1)) == at("2026-11-30", "09:30")


def test_a_holiday_on_a_weekday_is_skipped_and_a_make_up_saturday_counts():
    # National Day 2026: Oct 1-7 off; Saturday Oct 10 is a working day in lieu (调休), as chinese-calendar says.
    calendar = plain(
        holidays=frozenset(date(2026, 10, d) for d in range(1, 8)), workdays=frozenset({date(2026, 10, 10)})
    )
    assert calendar.working_seconds(at("2026-09-30", "17:00"), at("2026-10-08", "10:00")) == 2 * 3600
    assert calendar.is_working_date(date(2026, 10, 10))
    assert calendar.add_working(at("2026-10-09", "17:00"), timedelta(hours=2)) == at("2026-10-10", "10:00")


def test_wall_clock_time_outside_the_working_day_counts_nothing():
    calendar = plain()
    assert calendar.working_seconds(at("2026-11-30", "19:00"), at("2026-12-01", "08:59")) == 0


def test_moments_in_another_zone_are_read_in_the_working_zone():
    calendar = plain()
    utc_start = at("2026-11-30", "09:00").astimezone(ZoneInfo("UTC"))
    assert calendar.working_seconds(utc_start, utc_start + timedelta(hours=3)) == 3 * 3600


@pytest.mark.django_db
def test_the_table_is_seeded_from_chinese_calendar_and_keeps_admin_rows():
    Holiday.objects.all().delete()
    Holiday.objects.create(date=date(2026, 10, 1), kind=Holiday.Kind.HOLIDAY, name="edited by an admin")

    added = seed_holidays(2026)

    assert added > 20
    assert Holiday.objects.get(date=date(2026, 10, 1)).name == "edited by an admin"
    assert Holiday.objects.get(date=date(2026, 10, 5)).kind == Holiday.Kind.HOLIDAY
    assert Holiday.objects.filter(kind=Holiday.Kind.WORKDAY, date__year=2026).exists()
    assert seed_holidays(2026) == 0  # idempotent


@pytest.mark.django_db
def test_working_calendar_reads_the_table(settings):
    seed_holidays(2026)
    calendar = working_calendar(at("2026-10-01"))
    assert not calendar.is_working_date(date(2026, 10, 1))
    assert calendar.is_working_date(date(2026, 9, 28))


@pytest.mark.django_db
def test_a_year_without_data_falls_back_to_weekdays_with_a_warning(caplog):
    Holiday.objects.filter(date__year=2031).delete()
    assert years_without_data({2031}) == {2031}

    calendar = working_calendar(at("2031-10-01"))

    assert calendar.is_working_date(date(2031, 10, 1))  # a Wednesday: a plain weekday without data
    assert not calendar.is_working_date(date(2031, 10, 4))  # Saturday
    assert "No holidays are known for 2031" in caplog.text
