"""Template filters for people: dates as '4 June 2026 at 9:30am', durations as '3.5 days'."""

from datetime import datetime, timedelta

from django import forms, template
from django.utils import timezone

from lib import when
from lib.forms import InlineSelect
from lib.forms import character_limit as field_character_limit
from lib.periods import day_in_words

register = template.Library()


@register.filter
def human_datetime(value: datetime | None) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {clock(local)}"


def clock(value: datetime) -> str:
    """'9:30am', '1pm': a time as people say it."""
    local = timezone.localtime(value)
    hour = local.hour % 12 or 12
    minutes = "" if local.minute == 0 else f":{local.minute:02d}"
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


@register.filter
def human_date(value: datetime | None) -> str:
    if not value:
        return ""
    local = timezone.localtime(value) if isinstance(value, datetime) else value
    return f"{local.day} {local:%B %Y}"


@register.filter
def long_date(value) -> str:
    """A day as people say it, with its weekday: 'Tuesday 8 December 2026'."""
    if not value:
        return ""
    local = timezone.localtime(value).date() if isinstance(value, datetime) else value
    return day_in_words(local)


@register.filter
def days(value: timedelta | None) -> str:
    """A duration in days to one decimal place, as end-to-end times are shown."""
    if value is None:
        return ""
    number = value.total_seconds() / 86400
    if number < 1 / 24:
        minutes = max(round(value.total_seconds() / 60), 0)
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    if number < 1:
        hours = round(value.total_seconds() / 3600, 1)
        return "1 hour" if hours == 1 else f"{hours:g} hours"
    rounded = round(number, 1)
    return "1 day" if rounded == 1 else f"{rounded:g} days"


@register.filter
def citizen_name(citizen) -> str:
    """How a case's citizen is named in lists: a filter, not an include, as lists show many."""
    if citizen is None:
        return "Anonymous"
    return citizen.name or "Name not given"


_WIDGET_CLASSES = {"textarea": "govuk-textarea", "select": "govuk-select"}


@register.filter
def govuk_widget(bound_field) -> str:
    """Render a text, textarea or select widget with GOV.UK classes and the ids of its hint and
    error message, so screen readers announce them."""
    base = _WIDGET_CLASSES.get(bound_field.widget_type, "govuk-input")
    classes = [base, bound_field.field.widget.attrs.get("class", "")]
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        classes.append(f"{base}--error")
        described_by.append(f"{bound_field.auto_id}-error")
    if field_character_limit(bound_field.field):
        classes.append("govuk-js-character-count")
        described_by.append(f"{bound_field.auto_id}-info")
    attrs = {"class": " ".join(c for c in classes if c)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    widget = bound_field.field.widget
    if type(widget) is forms.Select:
        widget = InlineSelect.like(widget)
    return bound_field.as_widget(widget=widget, attrs=attrs)


@register.filter
def character_limit(bound_field) -> int | None:
    """{% with limit=field|character_limit %}: a text box's limit, for its character count."""
    return field_character_limit(bound_field.field)


@register.filter
def when_parts(bound_field) -> dict:
    """What a when-field's boxes show (templates/_when_field.html): as typed, or "just now"
    with today's date in the day, month and year; and the day to confirm if it is long ago."""
    value, now = bound_field.value(), timezone.now()
    typed = when.Typed.of(now)
    if isinstance(value, when.Typed):
        typed = value
    elif isinstance(value, datetime):  # the initial value: now
        typed = when.Typed.of(timezone.make_aware(value) if timezone.is_naive(value) else value)
    elif isinstance(value, str):  # the single-value form: shown as "another day"
        try:
            local = timezone.localtime(bound_field.field.to_python(value))
        except (forms.ValidationError, ValueError, OverflowError):
            pass
        else:
            typed = when.Typed(
                when=when.OTHER,
                day=str(local.day),
                month=str(local.month),
                year=str(local.year),
                time=f"{local:%H:%M}",
            )
    long_ago = None
    if typed.when == when.OTHER:
        try:
            moment = when.parse(typed, now)
        except when.Unreadable:
            moment = None
        if moment is not None and when.is_long_ago(moment, now):
            long_ago = timezone.localtime(moment).date()
    return {
        "typed": typed,
        "choices": when.CHOICES,
        "now": timezone.localtime(now),
        "now_label": clock(now),
        "long_ago": long_ago,
    }


@register.filter
def thousands(number: int) -> str:
    """50000 -> '50,000'."""
    return f"{number:,}"


@register.filter
def error_anchor(bound_field) -> str:
    """The id the error summary links to: the first option of a set of radios."""
    if bound_field.widget_type in ("radioselect", "checkboxselectmultiple"):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.filter
def timeuntil_days(end: datetime | None, start: datetime | None) -> str:
    """{{ end|timeuntil_days:start }}: the time between two moments, as shown for a case."""
    if not end or not start:
        return ""
    return days(end - start)


@register.filter
def percent(value: float | None, places: int = 0) -> str:
    """0.5734 -> '57%'."""
    if value is None:
        return "–"
    return f"{100 * value:.{int(places)}f}%"


@register.filter
def phone(number: str) -> str:
    """'01134960123' -> '0113 496 0123', '07700900123' -> '07700 900123': numbers are stored
    without spaces, so they are found however they were typed, and shown the way people say
    them. Anything that is not an 11-digit UK number is shown as stored."""
    if not number or len(number) != 11 or not number.isdigit() or number[0] != "0":
        return number or ""
    if number.startswith("02"):  # London and other 02 areas: 020 7946 0000
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    big_city = number.startswith("011") or (number.startswith("01") and number[3] == "1")
    if big_city or number.startswith(("03", "08", "09")):  # 0113 496 0123, 0300 123 4567
        return f"{number[:4]} {number[4:7]} {number[7:]}"
    return f"{number[:5]} {number[5:]}"  # mobiles and most areas: 07700 900123
