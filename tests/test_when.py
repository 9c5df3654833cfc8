"""When something happened, as typed on the front office's forms (lib.when, lib.forms)."""

from datetime import date, datetime, time, timedelta

import pytest
from django import forms
from django.utils import timezone

from lib import when
from lib.forms import PastDateTimeField


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("14:30", time(14, 30)),
        ("1430", time(14, 30)),
        ("930", time(9, 30)),
        ("9.05", time(9, 5)),
        ("9", time(9, 0)),
        ("09:00", time(9, 0)),
        ("2:30pm", time(14, 30)),
        ("2.30 PM", time(14, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:15a.m.", time(0, 15)),
        (" 23:59 ", time(23, 59)),
    ],
)
def test_times_are_read_as_people_write_them(typed, meant):
    assert when.parse_time(typed) == meant


@pytest.mark.parametrize(
    "typed", ["", "24:00", "9:60", "13pm", "0am", "noon", "1:2", "9m", "١٢:٣٠"]
)
def test_what_is_not_a_time_says_how_to_write_one(typed):
    with pytest.raises(when.Unreadable, match="like 14:30 or 2:30pm"):
        when.parse_time(typed)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the day, month and year"),
        ("25", "", "2026", "must include a month"),
        ("", "", "2026", "must include a day and a month"),
        ("25", "11", "26", "four digits"),
        ("25112026", "", "", "must include a month and a year"),
        ("31", "2", "2026", "Enter a real date"),
        ("x", "11", "2026", "in numbers"),
        ("0", "11", "2026", "Enter a real date"),
    ],
)
def test_a_day_that_is_not_a_date_says_what_is_wrong(day, month, year, message):
    with pytest.raises(when.Unreadable, match=message):
        when.parse_day(when.Typed(when=when.OTHER, day=day, month=month, year=year))


def test_the_day_is_read_day_month_year_whatever_the_browser():
    typed = when.Typed(when=when.OTHER, day="3", month="11", year="2026")
    assert when.parse_day(typed) == date(2026, 11, 3)


NOW = timezone.make_aware(datetime(2026, 12, 4, 13, 20))


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        (when.Typed(when=when.NOW), NOW),
        (when.Typed(when=when.TODAY, time="10:15"), datetime(2026, 12, 4, 10, 15)),
        (when.Typed(when=when.YESTERDAY, time="4pm"), datetime(2026, 12, 3, 16, 0)),
        (
            when.Typed(when=when.OTHER, day="25", month="11", year="2026", time="9:30"),
            datetime(2026, 11, 25, 9, 30),
        ),
        # A letter's hour is seldom known: the start of the working day.
        (when.Typed(when=when.OTHER, day="25", month="11", year="2026"), datetime(2026, 11, 25, 9)),
    ],
)
def test_each_choice_means_a_moment_in_the_councils_time_zone(typed, meant):
    expected = meant if timezone.is_aware(meant) else timezone.make_aware(meant)
    assert when.parse(typed, NOW) == expected


@pytest.mark.parametrize(
    "typed",
    [
        when.Typed(when=when.TODAY),
        when.Typed(when=when.YESTERDAY, time=" "),
        when.Typed(when=when.OTHER, day="4", month="12", year="2026"),  # today needs a time
    ],
)
def test_a_choice_that_needs_a_time_asks_for_one(typed):
    with pytest.raises(when.Unreadable, match="Enter the time"):
        when.parse(typed, NOW)


def test_an_unknown_choice_asks_to_choose():
    with pytest.raises(when.Unreadable, match="Choose when"):
        when.parse(when.Typed(when="tomorrow"), NOW)


def test_a_date_more_than_a_year_back_needs_its_day_confirmed():
    field = PastDateTimeField(what="The time the contact was received")
    old = timezone.localdate() - timedelta(days=400)
    typed = {"when": when.OTHER, "day": str(old.day), "month": str(old.month)}
    typed["year"] = str(old.year)

    with pytest.raises(forms.ValidationError, match="is more than a year ago") as refused:
        field.clean(when.Typed(**typed))
    assert refused.value.error_list[0].code == "long_ago"
    # Confirming another day (the date was changed after ticking) is not confirming this one.
    with pytest.raises(forms.ValidationError, match="is more than a year ago"):
        field.clean(when.Typed(**typed, confirm=(old - timedelta(days=1)).isoformat()))

    taken = field.clean(when.Typed(**typed, confirm=old.isoformat()))
    assert timezone.localtime(taken).date() == old


def test_a_date_just_under_a_year_back_is_taken_without_asking():
    field = PastDateTimeField(what="When the step happened")
    recent = timezone.localdate() - timedelta(days=364)
    typed = when.Typed(
        when=when.OTHER, day=str(recent.day), month=str(recent.month), year=str(recent.year)
    )
    assert timezone.localtime(field.clean(typed)).date() == recent


def test_the_future_is_refused_whichever_way_it_is_typed():
    field = PastDateTimeField(what="When the need was met")
    tomorrow = timezone.localdate() + timedelta(days=1)
    typed = when.Typed(
        when=when.OTHER, day=str(tomorrow.day), month=str(tomorrow.month), year=str(tomorrow.year)
    )
    with pytest.raises(forms.ValidationError, match="cannot be in the future"):
        field.clean(typed)
    with pytest.raises(forms.ValidationError, match="cannot be in the future"):
        field.clean(f"{tomorrow:%Y-%m-%d}T10:00")


def test_the_single_value_form_is_still_read():
    """Scripts and the benchmark send one value in the field's own name."""
    field = PastDateTimeField(what="The time the contact was received")
    assert field.clean("2026-11-25T09:30") == timezone.make_aware(datetime(2026, 11, 25, 9, 30))
