"""The holiday table: seeded from the `chinese-calendar` package for the years it knows, edited in the admin.

`chinese-calendar` covers only years it has data for (1.11.0 ends with 2026). A year with no row in the table
falls back to plain weekdays, with a warning to staff (a log line here, a banner in the admin), never an error.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.functions import ExtractYear

from notifications.calendar import WorkingCalendar
from notifications.models import Holiday

logger = logging.getLogger(__name__)
_warned_years: set[int] = set()


def seed_holidays(first_year: int | None = None) -> int:
    """Add the package's holidays and make-up working days from `first_year` on (default: last year), keeping
    every row an admin added or changed. Return how many rows were added."""
    try:
        from chinese_calendar.constants import holidays, workdays  # type: ignore[import-untyped]
    except ImportError:  # the package is pinned; a broken install must not stop migrate
        logger.warning("chinese-calendar is not installed; the holiday table is not seeded")
        return 0
    first = first_year if first_year is not None else date.today().year - 1
    existing = set(Holiday.objects.values_list("date", flat=True))
    rows = [
        Holiday(date=day, kind=kind, name=str(name), seeded=True)
        for table, kind in ((holidays, Holiday.Kind.HOLIDAY), (workdays, Holiday.Kind.WORKDAY))
        for day, name in table.items()
        if day.year >= first and day not in existing
    ]
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def years_without_data(years: set[int]) -> set[int]:
    """Return which of `years` have no row in the holiday table (reminders fall back to plain weekdays there)."""
    known = set(Holiday.objects.annotate(year=ExtractYear("date")).values_list("year", flat=True).distinct())
    return {year for year in years if year not in known}


def working_calendar(around: datetime) -> WorkingCalendar:
    """Return the configured working calendar with the holidays of the years around `around` (and the next)."""
    years = {around.year - 1, around.year, around.year + 1}
    rows = Holiday.objects.filter(date__year__in=years).values_list("date", "kind")
    missing = years_without_data({around.year}) - _warned_years
    for year in missing:
        _warned_years.add(year)
        logger.warning(
            "No holidays are known for %s: reminders count plain weekdays that year. Add the year's public holidays "
            "and make-up working days under Notifications > Holidays.",
            year,
        )
    return WorkingCalendar(
        start=settings.REVIEW_GATE_WORKDAY_START,
        end=settings.REVIEW_GATE_WORKDAY_END,
        weekdays=settings.REVIEW_GATE_WORKDAYS,
        zone=ZoneInfo(settings.REVIEW_GATE_WORKDAY_TIME_ZONE),
        holidays=frozenset(day for day, kind in rows if kind == Holiday.Kind.HOLIDAY),
        workdays=frozenset(day for day, kind in rows if kind == Holiday.Kind.WORKDAY),
    )
