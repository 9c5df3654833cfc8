"""The statements under the demand charts, and the reading of a phase's signals in words, on
plain numbers: stable and unstable phases, provisional limits, too few points, weeks with no
contacts (gaps in a share chart) and a weekly cycle in daily volumes."""

from datetime import date, timedelta

import pytest

from analysis import charts, spc
from analysis.charts import (
    ChartPoint,
    chart_number,
    chart_spec,
    gapped_chart_spec,
    gapped_table_rows,
    phase_reading,
    share_statement,
    starts_among,
    volume_statement,
)
from analysis.demand import weekdays_and_weekends
from tests.charts import spec_points

# 16 weeks of routine variation around 31%: no rule fires.
STABLE = [30, 34, 29, 33, 31, 35, 28, 32, 30, 33, 29, 34, 31, 30, 32, 29]
FIRST_MONDAY = date(2026, 6, 15)


def weeks(count: int) -> list[str]:
    return [f"w/c {FIRST_MONDAY + timedelta(weeks=i):%-d %b %Y}" for i in range(count)]


def read(values, *, lower_is_better=True, phase_starts=(), noun="week") -> str:
    chart = spc.xmr(values, lower_is_better=lower_is_better, phase_starts=phase_starts)
    return phase_reading(chart, chart.phases[-1], weeks(len(values)), noun=noun)


def test_a_stable_phase_reads_as_nothing():
    assert weeks(17)[16] == "w/c 5 Oct 2026"
    assert read(STABLE) == ""


def test_a_shift_to_the_end_says_since_when():
    shifted = [*STABLE, 35, 36, 34, 37, 35, 36, 34, 35, 36]
    assert read(shifted) == (
        "The last 9 weeks are all above the centre line: something changed around "
        "w/c 5 Oct 2026 (a concern)."
    )
    # Where lower is not better, above is good news; where neither is (volumes), it is neither.
    assert read(shifted, lower_is_better=False).endswith("w/c 5 Oct 2026 (an improvement).")
    assert read(shifted, lower_is_better=None).endswith("w/c 5 Oct 2026.")


def test_a_shift_that_ended_says_when_it_started_and_stopped():
    low = [22, 21, 23, 22, 21, 22, 23]
    middle = read([30, 32, 29, 31, 33, 30, *low, 31, 29, 33, 30, 32, 28])
    first = read([*low, 31, 29, 33, 30, 32, 28, 34, 30, 31, 29, 33, 30])
    assert middle.startswith(
        "The 7 weeks from w/c 27 Jul 2026 to w/c 7 Sep 2026 were all below the centre line: "
        "something changed around w/c 27 Jul 2026, and again around w/c 14 Sep 2026 "
        "(an improvement)."
    )
    assert first.startswith(
        "The 7 weeks from w/c 15 Jun 2026 to w/c 27 Jul 2026 were all below the centre line: "
        "something changed around w/c 3 Aug 2026 (an improvement)."
    )


def test_a_trend_says_which_way_and_whether_it_is_good_news():
    rising = read([*STABLE[:10], 30, 31, 32, 33, 34, 35, 36], lower_is_better=None)
    falling = read([*STABLE[:8], 36, 35, 34, 33, 32, 31, 30, *STABLE[8:]])
    assert rising == (
        "The last 7 weeks are each higher than the one before: a rising trend since "
        "w/c 24 Aug 2026."
    )
    assert falling == (
        "The 7 weeks from w/c 10 Aug 2026 to w/c 21 Sep 2026 were each lower than the one "
        "before: a falling trend (an improvement)."
    )


def test_points_outside_the_limits_are_named_by_side():
    both = [*STABLE, 70, *STABLE[:4], 0, *STABLE[4:8]]
    assert read(both) == (
        "Above the upper limit: w/c 5 Oct 2026 (a concern). "
        "Below the lower limit: w/c 9 Nov 2026 (an improvement)."
    )


def test_many_points_outside_are_the_latest_three_and_a_count():
    spikes = [*STABLE, 70, *STABLE[:4], 72, *STABLE[4:8], 71, *STABLE[8:12], 73, *STABLE[12:]]
    reading = read(spikes)
    assert (
        "Above the upper limit: w/c 9 Nov 2026, w/c 14 Dec 2026, w/c 18 Jan 2027 and 1 earlier "
        "week (a concern)."
    ) in reading


def test_two_of_three_near_a_limit():
    assert read([*STABLE, 23, 30, 22.5, *STABLE[:5]]) == (
        "Two of three weeks in a row near the lower limit, around w/c 5 Oct 2026 (an improvement)."
    )


def test_a_busy_phase_names_its_latest_signals_and_counts_the_rest():
    low, high = [20, 21, 22, 20, 21, 22, 20], [40, 41, 42, 40, 41, 42, 40]
    reading = read([*low, *high, *low, *high])  # four shifts, all outside the limits
    assert reading.startswith("The last 7 weeks are all above the centre line")
    assert reading.count("(a concern)") == 2 and reading.count("(an improvement)") == 1
    assert reading.endswith("Earlier in this phase: 3 more signals (see the table).")


def test_the_reading_is_of_one_phase_only():
    chart = spc.xmr([*STABLE, 35, 36, 34, 37, 35, 36, 34, 35, 36, *STABLE], phase_starts=[25])
    labels = weeks(41)
    assert phase_reading(chart, chart.phases[1], labels, noun="week") == ""
    assert phase_reading(chart, chart.phases[0], labels, noun="week") == (
        "The last 9 weeks of the phase were all above the centre line: something changed "
        "around w/c 5 Oct 2026 (a concern)."
    )


def test_a_stable_share_predicts_with_the_charts_own_numbers():
    chart = spc.xmr(STABLE, ceiling=100)
    statement = share_statement(chart, weeks(16))
    assert statement == (
        "Since w/c 15 Jun 2026 (16 weeks with contacts), failure demand has typically been "
        "31.3% of all contacts a week, and the system predictably produces anywhere from "
        "21.9% to 40.6%. Expect that to continue unless the system changes."
    )
    (phase,) = chart_spec(chart, title="t", unit="%")["phases"]
    # The numbers the chart's labels show (charts.mjs: one decimal place at most).
    assert (phase["centre_line"], phase["lower_limit"], phase["upper_limit"]) == (
        31.25,
        21.851,
        40.649,
    )


def test_a_share_with_special_causes_predicts_nothing_and_says_why():
    chart = spc.xmr([*STABLE, 35, 36, 34, 37, 35, 36, 34, 35, 36], ceiling=100)
    statement = share_statement(chart, weeks(25))
    assert statement == (
        "Since w/c 15 Jun 2026 (25 weeks with contacts), failure demand has been 32.7% of all "
        "contacts a week on average, but the chart shows special causes, so it predicts "
        "nothing. The last 9 weeks are all above the centre line: something changed around "
        "w/c 5 Oct 2026 (a concern)."
    )
    assert "predictably" not in statement and "Expect" not in statement


def test_provisional_limits_are_said_whether_stable_or_not():
    stable = volume_statement(spc.xmr(STABLE[:6], lower_is_better=None), weeks(6), subject="x")
    unstable = volume_statement(
        spc.xmr([*STABLE[:5], 90, *STABLE[5:8]], lower_is_better=None),
        weeks(9),
        subject="all contacts",
        noun="week",
    )
    assert stable.startswith("Since w/c 15 Jun 2026 (6 days), x: typically 32 contacts a day,")
    assert stable.endswith(
        "Expect that to continue unless the system changes. "
        "(Fewer than 13 days: the limits are provisional.)"
    )
    assert "predicts nothing. Above the upper limit: w/c 20 Jul 2026." in unstable
    assert unstable.endswith("(Fewer than 13 weeks: the limits are provisional.)")


def test_too_few_points_or_no_variation_predicts_nothing():
    one = volume_statement(spc.xmr([5], lower_is_better=None), ["Mon 2 Mar 2026"], subject="x")
    none = volume_statement(
        spc.xmr([0, 0, 0, 0], lower_is_better=None),
        ["Sat 7 Mar 2026", "Sun 8 Mar 2026", "Sat 14 Mar 2026", "Sun 15 Mar 2026"],
        subject="all contacts",
        noun="weekend day",
    )
    assert one == (
        "Since Mon 2 Mar 2026 (1 day), x: 5 contacts a day on average. "
        "Too few days yet to say what to expect."
    )
    assert none == (
        "Since Sat 7 Mar 2026 (4 weekend days), all contacts: 0 contacts a weekend day on "
        "average. Every weekend day was the same: there is no variation to work out limits from."
    )


def test_a_weekly_cycle_is_two_stable_processes_not_a_trend():
    """Busy Mondays, quiet weekends: on one chart each week's fall from Monday to Sunday is a
    trend; weekdays and weekend days charted apart are each stable."""
    days = [date(2026, 3, 2) + timedelta(days=n) for n in range(28)]
    series = list(zip(days, [50, 45, 40, 35, 30, 5, 2] * 4, strict=True))
    labels = [f"{day:%a %-d %b %Y}" for day in days]
    one_chart = spc.xmr([count for _, count in series], lower_is_better=None)
    assert spc.TREND in one_chart.rules[0]
    assert "falling trend" in volume_statement(one_chart, labels, subject="all contacts")

    weekdays, weekends = weekdays_and_weekends(series)
    assert [day.weekday() for day, _ in weekdays[:6]] == [0, 1, 2, 3, 4, 0]
    assert [day.weekday() for day, _ in weekends[:3]] == [5, 6, 5]
    statements = [
        volume_statement(
            spc.xmr([count for _, count in part], lower_is_better=None),
            [f"{day:%a %-d %b %Y}" for day, _ in part],
            subject="all contacts",
            noun=noun,
        )
        for part, noun in ((weekdays, "weekday"), (weekends, "weekend day"))
    ]
    assert statements == [
        # mR̄ = (16 × 5 + 3 × 20) / 19: limits 40 ± 2.66 × 7.368
        "Since Mon 2 Mar 2026 (20 weekdays), all contacts: typically 40 contacts a weekday, "
        "and predictably anywhere from 20.4 to 59.6. Expect that to continue unless the "
        "system changes.",
        "Since Sat 7 Mar 2026 (8 weekend days), all contacts: typically 3.5 contacts a "
        "weekend day, and predictably anywhere from 0 to 11.5. Expect that to continue unless "
        "the system changes. (Fewer than 13 weekend days: the limits are provisional.)",
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(2.25, "2.3"), (3.0, "3"), (0.15, "0.2"), (33.75, "33.8"), (100, "100"), (0, "0")],
)
def test_numbers_are_worded_as_the_chart_labels_them(value, shown):
    assert chart_number(value) == shown


def test_a_number_is_rounded_as_the_spec_sends_it_first():
    # The spec sends 2.25 (three places); the chart labels that "2.3", so the statement must too.
    assert chart_number(2.24951) == "2.3"


def shares_with_a_gap():
    """Four weeks, the second with no contacts: shares 25%, –, 20%, 40%."""
    points = [ChartPoint(label=label, tooltip=f"{label}: …") for label in weeks(4)]
    present = [0, 2, 3]
    return points, present, spc.xmr([25.0, 20.0, 40.0], ceiling=100)


def test_a_gap_is_null_on_the_axis_and_the_moving_range_spans_it():
    points, present, chart = shares_with_a_gap()
    spec = gapped_chart_spec(chart, points, present, title="Share", unit="%", y_max=100)
    drawn = spec_points(spec)
    assert [p["y"] for p in drawn] == [25.0, None, 20.0, 40.0]
    assert [p["mr"] for p in drawn] == [None, None, 5.0, 20.0]  # 5: from 25, across the gap
    assert [p["signal"] for p in drawn] == ["common", None, "common", "common"]
    assert [p["x"] for p in drawn] == weeks(4)
    assert drawn[1]["tooltip"] == "w/c 22 Jun 2026: …"
    assert [(p["start"], p["end"]) for p in spec["phases"]] == [(0, 4)]
    assert spec["y_max"] == 100
    assert chart_spec(chart, points[:3], title="t", unit="")["y_max"] is None


def test_a_change_in_a_gap_starts_the_phase_there_on_the_axis():
    points, present, _ = shares_with_a_gap()
    for axis_starts, phases in [
        ([1], [(0, 1), (1, 4)]),  # a change in the empty week: its phase starts there
        ([1, 2], [(0, 2), (2, 4)]),  # two changes with no share between: the later one
        ([3], [(0, 3), (3, 4)]),
    ]:
        chart = spc.xmr([25.0, 20.0, 40.0], phase_starts=starts_among(axis_starts, present))
        spec = gapped_chart_spec(
            chart, points, present, axis_starts=axis_starts, title="t", unit="%"
        )
        assert [(p["start"], p["end"]) for p in spec["phases"]] == phases
    assert starts_among([0, 1, 2, 3], present) == [0, 1, 1, 2]


def test_a_gap_is_a_row_of_the_table():
    points, present, chart = shares_with_a_gap()
    rows = gapped_table_rows(chart, points, present, gap="No contacts: no share")
    assert [row["point"] and row["point"].value for row in rows] == [25.0, None, 20.0, 40.0]
    assert rows[1]["gap"] == "No contacts: no share"
    assert rows[1]["extra"].label == "w/c 22 Jun 2026"
    assert rows[2]["point"].moving_range == 5.0


def test_capability_statement_reads_runs_among_the_phases_own_cases_only():
    """Transition cases set aside inside a run neither break it nor lengthen it."""
    before = [10, 12, 11, 13, 10, 12, 11, 12, 10, 13, 11, 12, 10]
    own = [6, 5, 7, 6, 5, 7, 6, 5, 7, 6, 5, 7, 3, 3, 4, 3, 4, 3, 3, 4]
    values, aside = list(before), [False] * len(before)
    for k, value in enumerate(own):
        if k in (13, 15, 17):  # three old-system cases close among the last eight
            values.append(40)
            aside.append(True)
        values.append(value)
        aside.append(False)
    chart = spc.xmr(values, phase_starts=[len(before)], set_aside=aside)
    labels = [f"day {i}" for i in range(len(values))]

    statement = charts.capability_statement(chart, labels, since=date(2026, 3, 1))

    assert statement.startswith(
        "Since 1 March 2026 (20 cases, and 3 set aside that started before the change), a case "
        "takes 5.0 days end-to-end on average, but the chart shows special causes"
    )
    assert "The last 8 cases are all below the centre line" in statement
    assert f"something changed around {labels[len(before) + 12]}" in statement
    assert "(an improvement)" in statement
