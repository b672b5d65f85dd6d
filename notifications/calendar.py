"""Working time: a working day (hours, weekdays, a time zone) minus public holidays plus make-up working days (调休).

Pure: the holiday sets come from the caller (notifications.holidays reads them from the admin-edited table).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3660  # a walk never looks further than ten years ahead: bounded work whatever the input


@dataclass(frozen=True)
class WorkingCalendar:
    start: time
    end: time
    weekdays: frozenset[int]  # ISO: 1 is Monday
    zone: ZoneInfo
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)  # weekend days worked in lieu of a holiday

    def is_working_date(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.isoweekday() in self.weekdays

    def _span(self, day: date) -> tuple[datetime, datetime]:
        return datetime.combine(day, self.start, self.zone), datetime.combine(day, self.end, self.zone)

    def working_seconds(self, since: datetime, until: datetime) -> float:
        """Return the working time between two aware moments, in seconds (0 when `until` is not later)."""
        if until <= since:
            return 0.0
        total = 0.0
        day = since.astimezone(self.zone).date()
        last = until.astimezone(self.zone).date()
        for _ in range(MAX_DAYS):
            if day > last:
                break
            if self.is_working_date(day):
                opens, closes = self._span(day)
                overlap = (min(closes, until) - max(opens, since)).total_seconds()
                total += max(0.0, overlap)
            day += timedelta(days=1)
        return total

    def add_working(self, since: datetime, duration: timedelta) -> datetime:
        """Return the moment when `duration` of working time has passed after `since`."""
        left = duration.total_seconds()
        day = since.astimezone(self.zone).date()
        for _ in range(MAX_DAYS):
            if self.is_working_date(day):
                opens, closes = self._span(day)
                begin = max(opens, since)
                if begin < closes:
                    available = (closes - begin).total_seconds()
                    if left <= available:
                        return begin + timedelta(seconds=left)
                    left -= available
            day += timedelta(days=1)
        return since + duration  # no working day in ten years (a misconfiguration): fall back to wall time
