"""The chart JSON's extra columns (analysis.charts.chart_spec): which moving ranges screening
left out of the limits, and each point's day."""

import json
from datetime import date
from pathlib import Path

import pytest

from analysis import spc
from analysis.charts import ChartPoint, chart_spec, screened_out

REFERENCE = json.loads((Path(__file__).parent / "data" / "spc_reference_cases.json").read_text())
WORKED_EXAMPLE = [5, 7, 3, 9, 4, 6, 8, 5, 30, 6, 4, 7]  # docs/method.md §4


def spec_of(chart: spc.Chart, points=()) -> dict:
    return chart_spec(chart, points, title="Test", unit="days")


def test_worked_example_marks_the_two_ranges_screening_dropped():
    chart = spc.xmr(WORKED_EXAMPLE)

    # The ranges into the 30 (25) and out of it (24) are not below 3.267 × 7.0909 = 23.166.
    assert spec_of(chart)["columns"]["screened"] == [0] * 8 + [1, 1] + [0, 0]
    assert chart.phases[0].screened_out == 2


def test_no_screened_column_when_screening_is_off():
    assert "screened" not in spec_of(spc.xmr(WORKED_EXAMPLE, screening=False))["columns"]


def test_each_phase_screens_its_own_ranges():
    # Phase 2 (from index 12) is calm apart from one jump; the jump from phase 1's last point
    # to phase 2's first is no moving range at all.
    values = [*WORKED_EXAMPLE, 100, 101, 100, 101, 100, 101, 140, 101, 100, 101]
    chart = spc.xmr(values, phase_starts=[12])

    flags = spec_of(chart)["columns"]["screened"]
    assert len(flags) == len(values)
    assert flags[:12] == [0] * 8 + [1, 1] + [0, 0]
    assert flags[12] == 0  # a phase's first point has no moving range
    assert [i for i, flag in enumerate(flags) if flag] == [8, 9, 18, 19]
    assert [phase.screened_out for phase in chart.phases] == [2, 2]


def test_a_phase_whose_ranges_are_all_zero_has_them_all_screened():
    # Every range is 0, and 0 is not strictly below 3.267 × 0: all dropped, so no limits.
    chart = spc.xmr([4, 4, 4, 4])

    assert screened_out(chart) == [0, 1, 1, 1]
    assert not chart.phases[0].has_limits


@pytest.mark.parametrize(
    "case", [c for c in REFERENCE if c["screening"]], ids=lambda case: case["name"]
)
def test_the_ranges_left_unmarked_give_each_phases_average(case):
    """The marked ranges are exactly those spc's screening dropped: the average of the rest
    is each phase's mR̄, and the marks count its screened_out."""
    chart = spc.xmr(case["values"], phase_starts=case["rebase_indices"])
    flags = screened_out(chart)

    for phase in chart.phases:
        ranges = phase.moving_ranges[1:]
        marks = flags[phase.start + 1 : phase.end]
        assert sum(marks) == phase.screened_out
        kept = [r for r, mark in zip(ranges, marks, strict=True) if not mark]
        if phase.mr_bar is None:
            assert not kept
        else:
            assert spc.mean(kept) == phase.mr_bar


def test_date_column_in_iso_form_only_when_points_have_days():
    chart = spc.xmr([3, 5, 4])
    dated = [
        ChartPoint(label=f"CF-00000{i}", day=date(2026, 3, day))
        for i, day in enumerate([2, 2, 3], start=1)
    ]

    assert spec_of(chart, dated)["columns"]["date"] == ["2026-03-02", "2026-03-02", "2026-03-03"]
    assert spec_of(chart, dated)["columns"]["x"] == ["CF-000001", "CF-000002", "CF-000003"]
    undated = [ChartPoint(label=f"w/c {day} Mar 2026") for day in (2, 9, 16)]
    assert "date" not in spec_of(chart, undated)["columns"]
