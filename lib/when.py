"""When something happened, as a person on the phone says it: "just now", "earlier today at
10:15", "yesterday at 4pm", or a day written the UK way (day, month, year) with a time. The
browser's own date-time picker follows the browser's locale (month first in a default browser)
and costs six Tab stops; this needs one for "just now" and types the same in every browser."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

NOW, TODAY, YESTERDAY, OTHER = "now", "today", "yesterday", "other"
CHOICES = [
    (NOW, "Just now"),
    (TODAY, "Earlier today"),
    (YESTERDAY, "Yesterday"),
    (OTHER, "Another day"),
]
TIME_UNKNOWN = time(9, 0)  # a letter's day is known, its hour seldom: the start of the day
LONG_AGO = timedelta(days=365)

_TIME = re.compile(
    r"(?P<hour>\d{1,2})(?:[:.]?(?P<minute>\d{2}))?(?:\s*(?P<half>[ap])\.?(?:m\.?)?)?",
    re.IGNORECASE | re.ASCII,
)


class Unreadable(ValueError):
    """What was typed is not a date or time; the message says how to write one."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Typed:
    """The parts as typed (strings, as they came from the form)."""

    when: str = NOW
    day: str = ""
    month: str = ""
    year: str = ""
    time: str = ""
    confirm: str = ""  # the ISO date a person confirmed as right although long ago

    @classmethod
    def of(cls, moment: datetime) -> "Typed":
        """How a moment is first shown: "just now", with today's date in the boxes."""
        local = timezone.localtime(moment)
        return cls(when=NOW, day=str(local.day), month=str(local.month), year=str(local.year))


def parse_time(text: str) -> time:
    """ "14:30", "1430", "9.05", "9", "2:30pm", "12am"."""
    match = _TIME.fullmatch(text.strip())
    if not match:
        raise Unreadable("Enter the time like 14:30 or 2:30pm.", "time")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            raise Unreadable("Enter the time like 14:30 or 2:30pm.", "time")
        hour = hour % 12 + (12 if match["half"].lower() == "p" else 0)
    if hour > 23 or minute > 59:
        raise Unreadable("Enter a real time, like 14:30 or 2:30pm.", "time")
    return time(hour, minute)


def parse_day(typed: Typed) -> date:
    parts = {"day": typed.day.strip(), "month": typed.month.strip(), "year": typed.year.strip()}
    missing = [name for name, value in parts.items() if not value]
    if len(missing) == 3:
        raise Unreadable("Enter the day, month and year, like 27 11 2026.", "date")
    if missing:
        raise Unreadable(f"The date must include a {' and a '.join(missing)}.", "date")
    if not all(value.isascii() and value.isdigit() for value in parts.values()):
        raise Unreadable("Enter the date in numbers, like 27 11 2026.", "date")
    if len(parts["year"]) != 4:
        raise Unreadable("Enter the year with four digits, like 2026.", "date")
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise Unreadable("Enter a real date, like 27 11 2026.", "date") from None


def parse(typed: Typed, now: datetime) -> datetime:
    """The moment meant, in the council's time zone. "Just now" is `now`."""
    today = timezone.localtime(now).date()
    if typed.when == NOW:
        return now
    if typed.when in (TODAY, YESTERDAY):
        if not typed.time.strip():
            raise Unreadable("Enter the time, like 14:30 or 2:30pm.", "time")
        day = today if typed.when == TODAY else today - timedelta(days=1)
        return timezone.make_aware(datetime.combine(day, parse_time(typed.time)))
    if typed.when == OTHER:
        day = parse_day(typed)
        at = parse_time(typed.time) if typed.time.strip() else TIME_UNKNOWN
        if day == today and not typed.time.strip():
            raise Unreadable("Enter the time, like 14:30 or 2:30pm.", "time")
        return timezone.make_aware(datetime.combine(day, at))
    raise Unreadable("Choose when: just now, earlier today, yesterday or another day.", "when")


def is_long_ago(moment: datetime, now: datetime) -> bool:
    return now - moment > LONG_AGO
