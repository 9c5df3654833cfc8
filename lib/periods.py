"""Periods that pages look at, in the council's time zone (Europe/London)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

WEEKS_SHOWN_BY_DEFAULT = 13
# The dates a period may start or end on: far enough for any council's history, and short of
# the calendar's edges, where a day more or less no longer exists.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def start_of(day: date) -> datetime:
    """The first moment of a local day, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def last_full_weeks(weeks: int = WEEKS_SHOWN_BY_DEFAULT, today: date | None = None):
    """The last `weeks` complete Monday-to-Sunday weeks before today, as inclusive dates."""
    today = today or timezone.localdate()
    end = today - timedelta(days=today.weekday() + 1)  # the Sunday before this week
    return end - timedelta(weeks=weeks) + timedelta(days=1), end


def day_in_words(day: date) -> str:
    """A day as people say it, with its weekday: 'Tuesday 8 December 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"
