"""Form helpers shared by every app: GOV.UK Frontend markup and keyboard-first behaviour."""

import uuid

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from lib import when
from lib.periods import EARLIEST, LATEST, start_of

DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
MAX_PERIOD_DAYS = 3653  # ten years: the longest period a study page draws


class WhenInput(forms.Widget):
    """When something happened (lib.when): "Just now", "Earlier today", "Yesterday" or "Another
    day" as GOV.UK radios, the time and the day, month and year revealed by the choice, in UK
    order whatever the browser. Drawn by templates/_when_field.html. A single value in the
    field's own name ("2026-11-25T09:30", as a script or an older form sends) is read too."""

    SUBFIELDS = ("when", "day", "month", "year", "confirm")

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        if f"{name}_when" not in data:
            return None
        parts = {part: data.get(f"{name}_{part}", "") for part in self.SUBFIELDS}
        # Each choice that needs a time reveals a box of its own: the chosen one's counts.
        mode = parts["when"]
        box = f"{name}_time_{mode}" if mode in (when.TODAY, when.YESTERDAY) else f"{name}_time"
        return when.Typed(**parts, time=data.get(box, ""))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_when" not in data


class PastDateTimeField(forms.DateTimeField):
    """A date and time, local to the council, that defaults to now and may not be in the
    future; one more than a year back is taken only once its day is confirmed as right."""

    widget = WhenInput

    def __init__(self, *, what: str, **kwargs):
        self.what = what
        kwargs.setdefault("input_formats", [DATETIME_INPUT_FORMAT, "%Y-%m-%d %H:%M"])
        kwargs.setdefault(
            "error_messages",
            {
                "required": f"Enter {what.lower()}.",
                "invalid": f"Enter {what.lower()} as a real date and time.",
            },
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if not isinstance(value, when.Typed):
            return super().to_python(value)
        try:
            return when.parse(value, timezone.now())
        except when.Unreadable as unreadable:
            raise forms.ValidationError(unreadable.message, code=unreadable.code) from None

    def clean(self, value):
        cleaned = super().clean(value)
        if not cleaned:
            return cleaned
        try:
            too_early = cleaned < start_of(EARLIEST)
            # A minute's grace: a time typed to the minute may be this very minute.
            in_future = cleaned > timezone.now() + timezone.timedelta(minutes=1)
        except OverflowError:  # an offset that puts it before the year 1 in UTC
            too_early, in_future = True, False
        if too_early:
            raise forms.ValidationError(
                f"{self.what} must be after {EARLIEST.year}.", code="too_early"
            )
        if in_future:
            raise forms.ValidationError(f"{self.what} cannot be in the future.", code="future")
        if isinstance(value, when.Typed) and when.is_long_ago(cleaned, timezone.now()):
            day = timezone.localtime(cleaned).date()
            if value.confirm != day.isoformat():
                raise forms.ValidationError(
                    f"{day.day} {day:%B %Y} is more than a year ago. If that is right, tick "
                    f"“Yes, {day.day} {day:%B %Y} is right” and press the button again.",
                    code="long_ago",
                )
        return cleaned


def now_for_input():
    return timezone.localtime().replace(second=0, microsecond=0)


def character_limit(field: forms.Field) -> int | None:
    """The limit of a text box with a character count: a CharField drawn as a textarea."""
    if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
        return field.max_length
    return None


TOO_LONG = (
    "This can be at most %(limit)s characters, and it has %(count)s. Nothing was saved: your "
    "text is kept below. Shorten it, then press the button again."
)


class CharacterLimit(MaxLengthValidator):
    """A text box's limit, refused in counts a person reads ("50,000"): a field's own
    error_messages["too_long"] may say it in its words, with %(limit)s and %(count)s."""

    def __call__(self, value):
        if len(value) > self.limit_value:
            raise forms.ValidationError(
                TOO_LONG,
                code="too_long",
                params={"limit": f"{self.limit_value:,}", "count": f"{len(value):,}"},
            )


class GovukFormMixin:
    """Puts the cursor in the first field, so a call can be logged without touching the mouse.
    A text box with a limit gets GOV.UK's character count instead of the browser's `maxlength`,
    which cuts a pasted letter short without saying so: the count shows as the limit nears, and
    text over it is refused with the counts and kept."""

    autofocus_field: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if limit := character_limit(field):
                field.widget.attrs.pop("maxlength", None)
                field.validators = [
                    *(v for v in field.validators if not isinstance(v, MaxLengthValidator)),
                    CharacterLimit(limit),
                ]
        first = self.autofocus_field or next(
            (name for name, field in self.fields.items() if not field.widget.is_hidden), None
        )
        if first and first in self.fields and not self.is_bound:
            self.fields[first].widget.attrs["autofocus"] = True


class SubmissionTokenMixin(forms.Form):
    """A token per rendered form: submitting the same form twice records one thing, not two."""

    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_token"].initial = uuid.uuid4()


class ShownAtMixin(forms.Form):
    """When the form was shown, so a refusal can say what changed on the case since."""

    shown_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shown_at"].initial = timezone.now

    def when_shown(self):
        """When the form that was sent had been shown (None if it did not say, or not sensibly)."""
        field = self.fields["shown_at"]
        try:
            value = field.clean(field.widget.value_from_datadict(self.data, self.files, "shown_at"))
        except forms.ValidationError:
            return None
        return value if value and value <= timezone.now() else None


class VersionMixin(ShownAtMixin):
    """The case's version when the form was opened, so a change over someone else's is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DateInput(forms.DateInput):
    """The browser's own date picker; the value is an ISO date, as in every period's URL."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PeriodDateField(forms.DateField):
    """A day that starts or ends a period a page looks at, within the calendar's safe range
    (a day after 31 December 9999 does not exist, and pages add a day to a period's end)."""

    widget = DateInput

    def __init__(self, **kwargs):
        message = f"Enter a date between {EARLIEST.year} and {LATEST.year}."
        kwargs.setdefault(
            "validators",
            [MinValueValidator(EARLIEST, message), MaxValueValidator(LATEST, message)],
        )
        kwargs.setdefault("error_messages", {"invalid": "Enter a real date, like 2026-03-31."})
        super().__init__(**kwargs)


class PeriodForm(forms.Form):
    """A period as the query parameters `from` and `to` (ISO dates), shared by the pages that
    study demand, capability and flow and by their exports. Always bound, so a page shows its
    figures at once: a missing date is the default period's."""

    from_label = "From"

    def __init__(self, data=None, *, default_period: tuple, **kwargs):
        data = data.copy() if data is not None else {}
        for name, day in zip(("from", "to"), default_period, strict=True):
            if not data.get(name):
                data[name] = day.isoformat()
        super().__init__(data, **kwargs)
        # "from" is a Python keyword, so the dates are added here rather than declared.
        self.fields = {
            "from": PeriodDateField(label=self.from_label),
            "to": PeriodDateField(label="To"),
            **self.fields,
        }
        self.default_period = default_period

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", "The end of the period must be on or after its start.")
        elif start and end and (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("to", "Choose a period of at most 10 years.")
        return cleaned


class InlineSelect(forms.Select):
    """Django's select, written in Python rather than through one template include per option:
    "Find a case" lists every member of staff as a possible owner. Kept because it is measured:
    at a million contacts (210 staff), Find a case takes ~25 ms longer without it (median
    66 -> 91 ms for a name search, 120 -> 145 ms with none; bench/RESULTS.md). Same markup as
    Django's own template (tests/test_widgets.py)."""

    @classmethod
    def like(cls, widget: forms.Select) -> "InlineSelect":
        inline = cls(attrs=widget.attrs, choices=widget.choices)
        inline.is_required = widget.is_required
        return inline

    def render(self, name, value, attrs=None, renderer=None) -> str:
        # Straight from the choices: Django's optgroups() builds a dict of attributes per
        # option first, which is most of the cost of a long list.
        selected = set(self.format_value(value))
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(self._options(self.choices, selected))),  # escaped below
        )

    def _options(self, choices, selected: set[str]):
        for value, label in choices:
            if isinstance(label, (list, tuple)):  # a group of options under a heading
                inner = mark_safe("".join(self._options(label, selected)))
                yield format_html('<optgroup label="{}">{}</optgroup>', value, inner)
            else:
                text = "" if value is None else str(value)
                chosen = mark_safe(" selected") if text in selected else ""
                yield format_html('<option value="{}"{}>{}</option>', text, chosen, label)
