"""Did it work? The verdict on the points after a system change against the baseline's lines
carried forward (analysis/verdicts.py), on plain numbers: no signal, an improvement shift, a
concern outside the limits, both, a trend, two of three near a limit, a measure where higher is
better, a baseline without limits, nothing yet after the change, and the verdict's words."""

from datetime import date

import pytest

from analysis import spc, verdicts
from analysis.charts import chart_spec
from analysis.verdicts import (
    BOTH,
    CONCERN,
    IMPROVEMENT,
    NO_BASELINE,
    NO_POINTS_YET,
    NO_SIGNAL,
    Measure,
    Signal,
    judge,
    new_voice_statement,
    verdict_words,
)

# 16 cases of routine variation: CL 15.75, mR̄ 2.4667, limits 9.19 to 22.31, near-limit band
# beyond 11.38 and 20.12. Its last case (14) is below the centre line.
BASELINE = [15, 17, 13, 19, 14, 16, 18, 15, 16, 16, 14, 17, 15, 16, 17, 14]


def labels(count: int) -> list[str]:
    return [f"CF-{n:06d}" for n in range(101, 101 + count)]


def words(verdict: verdicts.Verdict, noun: str = "case") -> str:
    return verdict_words(verdict, labels(verdict.after_points), noun=noun)


def test_the_baseline_lines_are_worked_out_as_every_chart_does():
    verdict = judge(BASELINE, [16], lower_is_better=True)
    baseline = verdict.baseline
    assert baseline.centre_line == 15.75
    assert baseline.mr_bar == pytest.approx(2.46667, abs=1e-5)
    assert baseline.upper_limit == pytest.approx(22.3113, abs=1e-4)
    assert baseline.lower_limit == pytest.approx(9.1887, abs=1e-4)
    assert baseline == spc.xmr(BASELINE).phases[0]


def test_the_lines_are_carried_forward_unchanged_over_the_after_points():
    after = [14, 13, 15, 12.5, 14, 13, 15, 14]
    verdict = judge(BASELINE, after, lower_is_better=True)
    chart, baseline, carried = verdict.chart, verdict.baseline, verdict.after
    assert chart.phases == (baseline, carried)
    assert (carried.start, carried.end, carried.values) == (16, 24, tuple(after))
    for line in ("centre_line", "upper_limit", "lower_limit", "mr_bar", "upper_range_limit"):
        assert getattr(carried, line) == getattr(baseline, line)
    assert carried.near_lower == baseline.near_lower
    # The after-points' own moving ranges, the first of them with none.
    assert chart.moving_ranges[16:19] == (None, 1.0, 2.0)
    # The lines are the baseline's 16 points', so they are not provisional, though the after
    # phase has 8 points.
    assert not carried.is_provisional
    assert (baseline.carried_forward, carried.carried_forward) == (False, True)
    spec = chart_spec(chart, title="End-to-end time", unit="days")
    assert [phase["carried_forward"] for phase in spec["phases"]] == [False, True]
    assert spec["phases"][1]["centre_line"] == 15.75
    assert [phase["provisional"] for phase in spec["phases"]] == [False, False]


def test_routine_variation_after_the_change_is_no_signal():
    verdict = judge(BASELINE, [16, 14, 17, 15, 18, 13], lower_is_better=True)
    assert verdict.outcome == NO_SIGNAL
    assert verdict.signals == ()
    assert verdict.new_voice is None  # nothing has shown: the baseline still speaks
    assert set(verdict.chart.labels[16:]) == {spc.COMMON}
    assert words(verdict) == (
        "No signal yet after 6 cases: the change has not shown in this measure."
    )


def test_seven_below_the_baseline_centre_line_is_an_improvement_shift():
    verdict = judge(BASELINE, [14, 13, 15, 12.5, 14, 13, 15, 14], lower_is_better=True)
    assert verdict.outcome == IMPROVEMENT
    assert verdict.signals == (Signal(kind=IMPROVEMENT, rule=spc.SHIFT, first=0, count=8),)
    assert verdict.chart.labels[16:] == (IMPROVEMENT,) * 8
    assert words(verdict) == (
        "A signal of improvement: a shift (7 or more cases in a row below the baseline's "
        "centre line), from CF-000101 (the 1st case after the change)."
    )


def test_runs_are_counted_among_the_after_points_only():
    # The baseline's last case is below its centre line too: 7 in a row across the change, but
    # only 6 after it.
    verdict = judge(BASELINE, [14, 13, 15, 12.5, 14, 13], lower_is_better=True)
    assert BASELINE[-1] < verdict.baseline.centre_line
    assert verdict.outcome == NO_SIGNAL


def test_a_point_above_the_baseline_upper_limit_is_a_concern():
    verdict = judge(BASELINE, [16, 25, 15, 14, 16], lower_is_better=True)
    assert verdict.outcome == CONCERN
    assert verdict.signals == (Signal(kind=CONCERN, rule=spc.OUTSIDE, first=1, count=1),)
    assert words(verdict) == (
        "A signal of concern: 1 case above the baseline's upper limit, from CF-000102 (the 2nd "
        "case after the change)."
    )


def test_improvement_and_concern_together_are_both():
    verdict = judge(BASELINE, [8, 16, 24, 15, 7.5], lower_is_better=True)
    assert verdict.outcome == BOTH
    assert verdict.signals == (
        Signal(kind=IMPROVEMENT, rule=spc.OUTSIDE, first=0, count=2),
        Signal(kind=CONCERN, rule=spc.OUTSIDE, first=2, count=1),
    )
    assert words(verdict) == (
        "Signals of both improvement and concern. Improvement: 2 cases below the baseline's "
        "lower limit, from CF-000101 (the 1st case after the change). Concern: 1 case above "
        "the baseline's upper limit, from CF-000103 (the 3rd case after the change)."
    )


def test_seven_falling_is_an_improvement_trend_whichever_side_of_the_centre_line():
    # The first six are above the baseline's centre line: no shift, but a falling trend.
    verdict = judge(BASELINE, [21, 20, 19, 18, 17, 16, 15], lower_is_better=True)
    assert verdict.outcome == IMPROVEMENT
    assert verdict.signals == (Signal(kind=IMPROVEMENT, rule=spc.TREND, first=0, count=7),)
    assert words(verdict) == (
        "A signal of improvement: a falling trend (7 or more cases in a row, each lower than "
        "the one before), from CF-000101 (the 1st case after the change)."
    )


def test_two_of_three_near_the_baseline_upper_limit_is_a_concern():
    # 21 and 21 are beyond the near-limit band (20.12) and inside the limits; 17 is above the
    # centre line too.
    verdict = judge(BASELINE, [16, 21, 17, 21, 15], lower_is_better=True)
    assert verdict.outcome == CONCERN
    assert verdict.signals == (Signal(kind=CONCERN, rule=spc.TWO_OF_THREE, first=1, count=2),)
    assert words(verdict) == (
        "A signal of concern: two of three cases in a row near the baseline's upper limit, "
        "from CF-000102 (the 2nd case after the change)."
    )


def test_where_higher_is_better_a_rise_is_the_improvement():
    one_stop = [30, 28, 32, 29, 31, 30, 27, 33, 30, 29, 31, 28, 30]
    risen = [33, 34, 32, 35, 33, 34, 36, 33]
    better = judge(one_stop, risen, lower_is_better=False, ceiling=100)
    assert better.outcome == IMPROVEMENT
    assert verdict_words(better, ["w/c 2 Mar 2026"] * 8, noun="week").startswith(
        "A signal of improvement: a shift (7 or more weeks in a row above the baseline's "
        "centre line), from w/c 2 Mar 2026"
    )
    # The same numbers where lower is better: a concern.
    assert judge(one_stop, risen, lower_is_better=True).outcome == CONCERN
    # A rising trend, where higher is better, is an improvement.
    rising = judge(one_stop, [20, 22, 24, 26, 28, 31, 32], lower_is_better=False, ceiling=100)
    assert [(s.kind, s.rule) for s in rising.signals][-1] == (IMPROVEMENT, spc.TREND)


def test_a_baseline_of_one_point_has_no_limits_so_only_runs_and_trends_show():
    verdict = judge([20], [8, 7, 9, 8, 7, 8, 6], lower_is_better=True)
    assert not verdict.baseline.has_limits
    assert not verdict.after.has_limits
    # 6 is far below anything before, but with no limits rule 1 cannot fire: it is the shift.
    assert verdict.signals == (Signal(kind=IMPROVEMENT, rule=spc.SHIFT, first=0, count=7),)
    assert words(verdict).endswith(
        "(the 1st case after the change). The baseline has no limits (it has only one case), "
        "so only a shift or a trend can show."
    )


def test_a_constant_baseline_has_no_limits_and_says_why():
    verdict = judge([10, 10, 10, 10], [30, 12, 9], lower_is_better=True)
    assert verdict.outcome == NO_SIGNAL
    assert words(verdict) == (
        "No signal yet after 3 cases: the change has not shown in this measure. The baseline "
        "has no limits (every case in it was the same), so only a shift or a trend can show."
    )


def test_nothing_after_the_change_yet_is_too_soon_to_say():
    verdict = judge(BASELINE, [], lower_is_better=True)
    assert verdict.outcome == NO_POINTS_YET
    assert verdict.after is None and verdict.new_voice is None
    assert len(verdict.chart.phases) == 1
    assert words(verdict, "week") == "No weeks yet after the change: too soon to say."


def test_nothing_before_the_change_leaves_nothing_to_judge_against():
    verdict = judge([], [5, 6, 4], lower_is_better=True)
    assert verdict.outcome == NO_BASELINE
    assert verdict.baseline is None and verdict.after is None
    # The after-points speak for themselves: their own phase.
    assert verdict.new_voice.phases[0].centre_line == 5
    assert verdict.chart is verdict.new_voice
    assert words(verdict) == (
        "There are no cases before the change to compare with, so there is nothing to judge "
        "it against."
    )
    assert judge([], [], lower_is_better=True).new_voice is None


def test_a_provisional_or_unsteady_baseline_is_said():
    # docs/method.md's worked example: 12 points (provisional limits), the 30 a concern.
    worked = [5, 7, 3, 9, 4, 6, 8, 5, 30, 6, 4, 7]
    verdict = judge(worked, [6, 5, 7], lower_is_better=True)
    assert verdict.baseline.upper_limit == pytest.approx(16.404, abs=1e-3)
    assert verdict.after.is_provisional
    assert words(verdict) == (
        "No signal yet after 3 cases: the change has not shown in this measure. The baseline "
        "has fewer than 13 cases: its limits are provisional. The baseline itself shows "
        "special causes, so its lines are a rough guide."
    )


def test_once_the_change_shows_the_after_points_own_phase_is_the_new_voice():
    after = [14, 13, 15, 12.5, 14, 13, 15, 14]
    verdict = judge(BASELINE, after, lower_is_better=True)
    voice = verdict.new_voice.phases[0]
    # Its own lines: CL 13.8125, mR̄ 11/7, limits 13.8125 ± 2.66 × 11/7 = 9.63 to 17.99.
    assert voice.centre_line == 13.8125
    assert voice.mr_bar == pytest.approx(11 / 7)
    assert (voice.lower_limit, voice.upper_limit) == pytest.approx((9.6325, 17.9925), abs=1e-4)
    time = Measure(title="End-to-end time", noun="case", unit="days", lower_is_better=True)
    days = [f"{n} Mar 2026" for n in range(2, 10)]
    assert new_voice_statement(verdict, time, days, since=date(2026, 3, 2)) == (
        "Since 2 March 2026 (8 cases), a case typically takes 13.8 days end-to-end, and the "
        "system predictably delivers anywhere from 9.6 to 18.0 days. Expect that to continue "
        "unless the system changes. (Fewer than 13 cases: the limits are provisional.)"
    )


def test_the_new_voice_of_a_rate_and_of_a_count():
    verdict = judge(BASELINE, [14, 13, 15, 12.5, 14, 13, 15, 14], lower_is_better=True)
    mondays = [f"w/c {n} Mar 2026" for n in (2, 9, 16, 23, 30)] + [
        f"w/c {n} Apr 2026" for n in (6, 13, 20)
    ]
    rate = Measure(
        title="One-stop",
        noun="week",
        unit="%",
        lower_is_better=False,
        subject="the one-stop rate has",
        ceiling=100,
    )
    assert new_voice_statement(verdict, rate, mondays, since=date(2026, 3, 2)) == (
        "Since w/c 2 Mar 2026 (8 weeks), the one-stop rate has typically been 13.8%, and "
        "predictably anywhere from 9.6% to 18%. Expect that to continue unless the system "
        "changes. (Fewer than 13 weeks: the limits are provisional.)"
    )
    count = Measure(
        title="Failure demand",
        noun="week",
        unit="contacts",
        lower_is_better=True,
        subject="linked failure demand",
    )
    assert new_voice_statement(verdict, count, mondays, since=date(2026, 3, 2)).startswith(
        "Since w/c 2 Mar 2026 (8 weeks), linked failure demand: typically 13.8 contacts a week"
    )
    quiet = judge(BASELINE, [16, 14, 17], lower_is_better=True)
    assert new_voice_statement(quiet, count, mondays, since=date(2026, 3, 2)) == ""


@pytest.mark.parametrize(
    ("number", "expected"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (102, "102nd"), (111, "111th")],
)  # fmt: skip
def test_ordinals(number, expected):
    assert verdicts.ordinal(number) == expected


def test_nothing_is_screened_after_the_change_its_lines_are_the_baselines():
    # The jump to 40 and back would be screened out of a phase of its own (both ranges of 26
    # are above 3.267 × their average, 5.6): here the lines are the baseline's, so none of the
    # after-points' ranges is marked as screened.
    after = [14, 40, 14, 13, 14, 15, 13, 14, 15, 14, 13, 14]
    assert spc.xmr(after).phases[0].screened_out == 2
    verdict = judge(BASELINE, after, lower_is_better=True)
    spec = chart_spec(verdict.chart, title="End-to-end time", unit="days")
    assert spec["columns"]["mr"][16:19] == [None, 26, 26]
    assert spec["columns"]["screened"][16:] == [0] * 12
