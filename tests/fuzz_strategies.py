"""Hypothesis strategies for hostile form input, used by tests/test_fuzz_forms.py: arbitrary
unicode (control characters and NUL included), empty and huge values, markup and script,
SQL-looking text, impossible and far-off dates, out-of-range numbers and unknown choices."""

import os
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

# The tests run with database=None; hypothesis still caches unicode tables and the code's
# constants, so that cache goes to the temporary directory instead of a .hypothesis folder in
# the project (HYPOTHESIS_STORAGE_DIRECTORY still wins when set).
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "councilflow-hypothesis")

SCRIPT = '<script>alert("x")</script>'
# Markup that must never reach a page unescaped (checked on every fuzzed response).
RAW_MARKERS = ("<script>alert(", "<img src=x onerror", "<svg onload")

HOSTILE_TEXT = [
    SCRIPT,
    '"><script>alert(1)</script>',
    "</textarea><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "'; DROP TABLE cases_case;--",
    "Robert'); DROP TABLE demand_contact;--",
    "1' OR '1'='1",
    "%' OR 1=1 --",
    "1; SELECT pg_sleep(10)--",
    "{{ request.user }}",
    "{% debug %}",
    "${7*7}",
    '=HYPERLINK("http://example.com","click")',
    "+cmd|' /C calc'!A0",
    "\x00",
    "a\x00b",
    "%00",
    "\u202eevil\u202c",  # right-to-left override
    "\ufeff\u200b\u200d",  # byte-order mark, zero-width space and joiner
    "ﬃ" * 10,  # one character that upper-cases to three
    "ß" * 10,
    "𝕌𝕟𝕚𝕔𝕠𝕕𝕖 🧹🗑️👩🏽‍🦯",
    "Z̵̡̢a̴l̷g̸o̵",
    "\r\n\r\n",
    " \t\n\x0b\x0c\r",
    "\x1b[31mred\x1b[0m",
    "",
    "null",
    "None",
    "undefined",
    "NaN",
    "../../etc/passwd",
]

HUGE_CHARS = ["x", "é", "€", "🧹", "<", "'", " ", "\x00", "\n"]


def huge_text(min_size: int = 20_000, max_size: int = 200_000) -> st.SearchStrategy[str]:
    return st.builds(
        lambda char, size, tail: char * size + tail,
        st.sampled_from(HUGE_CHARS),
        st.integers(min_size, max_size),
        st.sampled_from(["", SCRIPT, "a\x00"]),
    )


def any_text() -> st.SearchStrategy[str]:
    """Anything a person (or a script) might put in a text box."""
    return st.one_of(
        st.text(),  # any unicode but lone surrogates, control characters and NUL included
        st.sampled_from(HOSTILE_TEXT),
        st.builds(
            lambda a, b, c: a + b + c,
            st.text(max_size=5),
            st.sampled_from(HOSTILE_TEXT),
            st.text(max_size=5),
        ),
        huge_text(),
    )


def valid_text(max_size: int) -> st.SearchStrategy[str]:
    """Text a form must accept and store exactly: any unicode but NUL (and lone surrogates),
    with something other than whitespace in it, within max_length once stripped."""
    return st.one_of(
        st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1),
        st.sampled_from([t for t in HOSTILE_TEXT if t.strip() and "\x00" not in t]),
    ).filter(lambda s: s.strip() and len(s.strip()) <= max_size)


NUMBERS = [
    "0",
    "-1",
    "1",
    "99999999999999999999",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "1e9",
    "1.5",
    "0x10",
    " 1 ",
    "１２",  # full-width digits
    "١٢٣",  # Arabic-Indic digits
    "²",  # a digit to str.isdigit(), not to int()
    "1" * 5000,  # longer than int() converts by default
    "NaN",
    "inf",
    "",
    "abc",
    "1 OR 1=1",
]


def numbers() -> st.SearchStrategy[str]:
    """Ids, versions and page numbers: out of range, negative, not numbers at all."""
    return st.one_of(
        st.sampled_from(NUMBERS), st.integers().map(str), st.text(max_size=20), any_text()
    )


def _iso(moment: datetime) -> str:
    # strftime("%Y") drops the leading zeros of years before 1000.
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}"
    )


BAD_DATETIMES = [
    "2026-02-30T10:00",  # no such day
    "2025-02-29T10:00",  # not a leap year
    "2026-13-01T10:00",
    "2026-00-10T10:00",
    "2026-01-01T25:00",
    "2026-01-01T24:00",
    "2026-01-01T10:60",
    "0000-01-01T00:00",
    "10000-01-01T00:00",
    "9999-12-31T23:59",  # far future
    "2999-01-01T00:00",
    "2026-03-29T01:30",  # does not exist in London: the clocks go forward
    "2025-10-26T01:30",  # happens twice in London: the clocks go back
    "31/12/2025 10:00",
    "yesterday",
    "now",
    "1e9",
    "-1",
    "",
    " ",
]
EDGE_DATETIMES = ["0001-01-01T00:00", "0001-01-01 00:00", "1900-01-01T00:00", "1970-01-01T00:00"]
OFFSETS = ["", "", "Z", "+14:00", "-12:00", "+01:00", "+00:00"]


def datetimes() -> st.SearchStrategy[str]:
    """What a datetime-local field may receive: real, impossible, far past and future."""
    return st.one_of(
        st.sampled_from(BAD_DATETIMES + EDGE_DATETIMES),
        st.builds(
            lambda moment, offset: _iso(moment) + offset,
            st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
            st.sampled_from(OFFSETS),
        ),
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(_iso),
        any_text(),
    )


LONDON = ZoneInfo("Europe/London")


def _real_in_london(moment: datetime) -> bool:
    """Not in the hour the clocks skip, nor the hour they repeat."""
    return LONDON.utcoffset(moment.replace(fold=0)) == LONDON.utcoffset(moment.replace(fold=1))


def past_datetimes(now: datetime, *, after: datetime = datetime(1900, 1, 1)):
    """A local date and time a form must accept: a real moment in London, before `now`
    (naive local), at or after `after`."""
    latest = (now - timedelta(minutes=2)).replace(second=0, microsecond=0)
    return (
        st.one_of(
            st.datetimes(min_value=after, max_value=latest),
            st.datetimes(min_value=max(after, latest - timedelta(days=60)), max_value=latest),
        )
        .map(lambda moment: moment.replace(second=0, microsecond=0))
        .filter(_real_in_london)
        .map(_iso)
    )


BAD_DATES = [
    "2026-02-30",
    "2025-02-29",
    "2026-13-01",
    "2026-00-01",
    "0000-01-01",
    "10000-01-01",
    "9999-12-32",
    "2026-1-1",
    "31/12/2025",
    "12/31/2025",
    "yesterday",
    "-1",
    "1e9",
    "",
]
EDGE_DATES = ["0001-01-01", "1900-01-01", "9999-12-30", "9999-12-31"]


def dates() -> st.SearchStrategy[str]:
    """What a date field may receive; real dates are mostly recent, so periods stay short."""
    return st.one_of(
        st.sampled_from(BAD_DATES + EDGE_DATES),
        st.dates().map(date.isoformat),
        st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)).map(date.isoformat),
        st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)).map(
            lambda day: f"{day:%d/%m/%Y}"
        ),
        any_text(),
    )


def uuids_or_not() -> st.SearchStrategy[str]:
    """A form's submission token: missing, valid, or tampered with."""
    return st.one_of(
        st.just(""),
        st.uuids().map(str),
        st.sampled_from(
            [
                "not-a-uuid",
                "00000000-0000-0000-0000-00000000000",
                "00000000-0000-0000-0000-0000000000000",
                "gggggggg-gggg-gggg-gggg-gggggggggggg",
                "{12345678-1234-5678-1234-567812345678}",
                "12345678123456781234567812345678",
                "'; DROP TABLE demand_contact;--",
            ]
        ),
        any_text(),
    )


def choice_or_not(choices: list[str]) -> st.SearchStrategy[str]:
    """One of a field's real choices, or an unknown value."""
    return st.one_of(st.sampled_from(choices), numbers(), any_text())
