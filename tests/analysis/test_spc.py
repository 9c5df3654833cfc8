"""The XmR maths against docs/method.md §4: its worked example, each rule's edges, and the 40
reference series computed by NHS-R's plotthedots (tests/analysis/data/spc_reference_cases.json)."""

import json
import random
import statistics
from pathlib import Path

import pytest
import statprocon

from analysis import spc

REFERENCE = json.loads((Path(__file__).parent / "data" / "spc_reference_cases.json").read_text())
WORKED_EXAMPLE = [5, 7, 3, 9, 4, 6, 8, 5, 30, 6, 4, 7]


@pytest.mark.parametrize(
    "case",
    REFERENCE,
    ids=[f"{c['name']}-{'screened' if c['screening'] else 'raw'}" for c in REFERENCE],
)
def test_agrees_with_plotthedots_on_every_point(case):
    chart = spc.xmr(
        case["values"], phase_starts=case["rebase_indices"], screening=case["screening"]
    )
    expected = case["expected"]

    for point in chart.points:
        phase = chart.phase_of(point)
        i = point.index
        assert phase.centre_line == pytest.approx(expected["centre_line"][i], rel=1e-9), i
        if expected["upper_limit"][i] is None:
            assert not phase.has_limits, i
        else:
            assert phase.upper_limit == pytest.approx(expected["upper_limit"][i], rel=1e-9), i
            assert phase.lower_limit == pytest.approx(expected["lower_limit"][i], abs=1e-9), i
        assert list(point.rules) == sorted(expected["rules"][i]), i
        assert point.label == expected["label"][i], i


def test_worked_example_with_screening():
    chart = spc.xmr(WORKED_EXAMPLE)
    (phase,) = chart.phases

    assert phase.centre_line == pytest.approx(7.8333, abs=1e-4)
    assert phase.screened_out == 2
    assert phase.mr_bar == pytest.approx(29 / 9)
    assert phase.upper_limit == pytest.approx(16.404, abs=1e-3)
    assert phase.lower_limit == 0
    assert phase.lower_limit_unfloored == pytest.approx(-0.738, abs=1e-3)
    assert phase.near_upper == pytest.approx(13.547, abs=1e-3)
    assert phase.upper_range_limit == pytest.approx(3.267 * 29 / 9)
    assert phase.is_provisional
    assert [p.index for p in chart.points if p.rules] == [8]
    assert chart.points[8].rules == (spc.OUTSIDE,)
    assert chart.points[8].label == spc.CONCERN


def test_worked_example_without_screening():
    (phase,) = spc.xmr(WORKED_EXAMPLE, screening=False).phases
    assert phase.mr_bar == pytest.approx(7.0909, abs=1e-4)
    assert phase.upper_range_limit == pytest.approx(23.166, abs=1e-3)
    assert phase.upper_limit == pytest.approx(26.695, abs=1e-3)
    assert phase.lower_limit == 0


def test_a_point_on_the_centre_line_breaks_a_shift():
    # Mean is exactly 10: seven points above would be a shift, but the 10 splits them.
    values = [12, 12, 12, 10, 12, 12, 12, 12, 8, 8, 8, 8, 8, 8, 8]
    chart = spc.xmr(values, screening=False)
    assert chart.phases[0].centre_line == 10
    assert not any(spc.SHIFT in p.rules for p in chart.points[:8])


def test_seven_on_one_side_is_a_shift_and_six_is_not():
    base = [10, 11, 9, 10, 11, 9]
    six_high = [*base, 13, 14, 13, 14, 13, 14, 2, 3, 2, 3]
    seven_high = [*base, 13, 14, 13, 14, 13, 14, 13, 2, 3, 2, 3]
    assert not any(spc.SHIFT in p.rules for p in spc.xmr(six_high, screening=False).points)
    flagged = [p.index for p in spc.xmr(seven_high, screening=False).points if spc.SHIFT in p.rules]
    assert flagged[:7] == list(range(6, 13))


def test_equal_neighbours_break_a_trend():
    rising = [1, 2, 3, 4, 5, 6, 7]
    with_tie = [1, 2, 3, 3, 4, 5, 6]
    assert all(spc.TREND in p.rules for p in spc.xmr([*rising, 4, 4, 4]).points[:7])
    assert not any(spc.TREND in p.rules for p in spc.xmr([*with_tie, 4, 4, 4]).points)


def test_falling_trend_is_an_improvement_for_times():
    chart = spc.xmr([5, 7, 5, 7, 5, 7, 9, 8, 7, 6, 5, 4, 3, 5, 7, 5, 7])
    trend = chart.points[6:13]
    assert all(p.rules == (spc.TREND,) for p in trend)
    assert [p.label for p in trend] == [spc.IMPROVEMENT] * 7
    assert chart.points[5].label == chart.points[13].label == spc.COMMON


def test_rules_never_look_across_a_phase_boundary():
    # Four high points either side of a system change: no run of seven within a phase.
    values = [5, 6, 5, 6, 9, 9, 9, 9, 1, 1, 1, 9, 9, 9, 9, 2]
    chart = spc.xmr(values, phase_starts=[8], screening=False)
    assert len(chart.phases) == 2
    assert [p.phase for p in chart.points] == [1] * 8 + [2] * 8
    assert chart.points[8].moving_range is None
    assert not any(spc.SHIFT in p.rules for p in chart.points)


def test_single_point_phase_has_no_limits():
    chart = spc.xmr([4, 5, 6, 40], phase_starts=[3])
    last = chart.phases[1]
    assert last.centre_line == 40
    assert not last.has_limits
    assert chart.points[3].rules == ()


def test_constant_phase_is_not_outside_its_own_limits():
    chart = spc.xmr([5] * 10, screening=False)
    assert chart.phases[0].upper_limit == chart.phases[0].lower_limit == 5
    assert all(p.label == spc.COMMON for p in chart.points)


@pytest.mark.parametrize(
    "values",
    [
        [0.1] * 3,  # fsum(...) / 3 gives 0.10000000000000002
        [0.7] * 7,
        [1 / 3] * 11,
        [2.675] * 13,
        [0.1, 0.2, 0.3, 0.2, 0.1, 0.2, 0.3],
        [1e-9, 1e9, 1e-9, 1e9],
        [5e-324, 5e-324, 5e-324],  # the smallest float
        [1e300, 1e300, -1e300],
        [4.35] * 100_000,
    ],
)
def test_means_are_exact(values):
    """The centre line is the exact mean rounded once, as statistics.mean (slow but exact)."""
    (phase,) = spc.xmr(values, floor=None).phases
    assert phase.centre_line == statistics.mean(values)


@pytest.mark.parametrize("value", [0.1, 0.7, 1 / 3, 2.675, 31.8])
def test_a_constant_phase_of_awkward_floats_is_all_on_its_centre_line(value):
    chart = spc.xmr([value] * 9, screening=False)
    (phase,) = chart.phases
    assert phase.centre_line == value
    assert phase.upper_limit == phase.lower_limit == value
    assert chart.rule_masks == (0,) * 9  # not "outside" its own zero-width limits, no shift


def test_means_agree_with_statistics_on_random_awkward_floats():
    rng = random.Random(20261204)
    for _ in range(500):
        values = [
            rng.choice([rng.random() * 50, rng.randint(0, 300) / 10, rng.random() * 1e-6])
            for _ in range(rng.randint(1, 60))
        ]
        assert spc.xmr(values, floor=None).phases[0].centre_line == statistics.mean(values)


def test_empty_series():
    chart = spc.xmr([])
    assert chart.points == () and chart.phases == ()


def test_limits_agree_with_statprocon_on_random_data():
    # statprocon rounds its centre line, mR̄ and limits to 3 decimals, so agree to 0.005.

    rng = random.Random(20261122)
    for _ in range(25):
        values = [round(rng.lognormvariate(2, 0.6), 2) for _ in range(rng.randint(2, 80))]
        (phase,) = spc.xmr(values, screening=False, floor=None).phases
        theirs = statprocon.XmR(values)
        upper, lower = theirs.upper_natural_process_limit(), theirs.lower_natural_process_limit()
        assert phase.upper_limit == pytest.approx(float(upper[0]), abs=5e-3)
        assert phase.lower_limit == pytest.approx(float(lower[0]), abs=5e-3)
        # statprocon uses 3.268 for the range limit, docs/method.md 3.267: agree to 0.05%.
        assert phase.upper_range_limit == pytest.approx(
            float(theirs.upper_range_limit()[0]), rel=5e-4
        )


def test_a_share_is_capped_at_100_percent():
    (phase,) = spc.xmr([50, 90, 20, 95, 30], ceiling=100).phases
    assert phase.upper_limit == 100
    assert spc.xmr([50, 90, 20, 95, 30]).phases[0].upper_limit > 100


def test_neutral_charts_label_special_causes_without_a_direction():
    chart = spc.xmr([5, 6, 5, 6, 5, 40, 6, 5], lower_is_better=None)
    assert chart.points[5].rules == (spc.OUTSIDE,)
    assert chart.points[5].label == spc.SPECIAL
    assert chart.points[0].label == spc.COMMON
