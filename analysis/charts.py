"""Turn an XmR chart (analysis.spc) into what pages show: the JSON a chart script draws, the rows
of the table beside it, and the capability statement in words. No target lines, ever."""

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from analysis import spc

RULE_NAMES = {
    spc.OUTSIDE: "outside the limits",
    spc.SHIFT: "shift: 7 or more on one side",
    spc.TREND: "trend: 7 or more rising or falling",
    spc.TWO_OF_THREE: "2 of 3 near a limit",
}


@dataclass(frozen=True)
class ChartPoint:
    """What the page knows about a point besides its value."""

    label: str  # x-axis label: a case reference, "w/c 4 May 2026", a date
    href: str | None = None
    tooltip: str | None = None
    day: date | None = None  # the point's day, when its label is not one (a case's closure)


def phases_at_changes(
    moments: Sequence, changes: Sequence, thresholds: Sequence | None = None
) -> tuple[list[int], list[tuple[int, str]]]:
    """Where system changes start new phases: the first point on or after each change, and the
    labelled line drawn there. `changes` are in date order; `moments` are the points' dates, or
    (with `thresholds` given, one per change) any values comparable with those thresholds."""
    if thresholds is None:
        thresholds = [change.changed_on for change in changes]
    starts, marks = [], []
    for change, threshold in zip(changes, thresholds, strict=True):
        index = bisect.bisect_left(moments, threshold)  # moments are in time order
        if 0 < index < len(moments):  # 0: before the first point, so no new phase
            if index not in starts:
                starts.append(index)
            marks.append((index, f"{change.description} ({change.changed_on:%-d %B %Y})"))
    return starts, marks


def _round(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(value, places)


def chart_spec(
    chart: spc.Chart,
    points: Sequence[ChartPoint] = (),
    *,
    title: str,
    unit: str,
    changes: Sequence[tuple[int, str]] = (),
) -> dict:
    """The JSON contract static/js/charts.mjs draws (kind "xmr"), in columns: a list per
    property with a value per point (its rules as a bit mask), so a chart of 100,000 cases is a
    few lists, not 100,000 objects. `points` label and link each point."""
    columns: dict = {
        # To 3 decimal places, the quick way (round(x, 3) costs 10 times more at 100,000).
        "y": [round(value * 1000) / 1000 for value in chart.values],
        "mr": [None if v is None else round(v * 1000) / 1000 for v in chart.moving_ranges],
        "signal": list(chart.labels),
        "rules": list(chart.rule_masks),  # per point, bit r set when rule r fired
        "x": [point.label for point in points],
        "href": [point.href for point in points],
    }
    if any(point.tooltip for point in points):
        columns["tooltip"] = [point.tooltip for point in points]
    if any(point.day for point in points):
        # ISO dates: the chart's x axis reads as dates while the tooltip keeps the label.
        columns["date"] = [point.day and point.day.isoformat() for point in points]
    if chart.screening:
        columns["screened"] = screened_out(chart)  # 1 where a moving range was screened out
    return {
        "kind": "xmr",
        "title": title,
        "unit": unit,
        "lower_is_better": chart.lower_is_better,
        "columns": columns,
        "phases": [
            {
                "start": phase.start,
                "end": phase.end,
                "centre_line": _round(phase.centre_line),
                "upper_limit": _round(phase.upper_limit),
                "lower_limit": _round(phase.lower_limit),
                "upper_range_limit": _round(phase.upper_range_limit),
                "mr_bar": _round(phase.mr_bar),
                "provisional": phase.is_provisional,
            }
            for phase in chart.phases
        ],
        "changes": [{"index": index, "label": label} for index, label in changes],
    }


def screened_out(chart: spc.Chart) -> list[int]:
    """Per point, 1 if screening dropped its moving range before the limits were worked out,
    else 0 (a phase's first point has no moving range). Screening (docs/method.md §4) drops every
    range of a phase not strictly below 3.267 × the average of all that phase's ranges; this
    works that average out again the way analysis/spc.py does, so the two agree exactly."""
    flags: list[int] = []
    for phase in chart.phases:
        ranges = phase.moving_ranges[1:]
        flags.append(0)
        if ranges:
            threshold = spc.RANGE_FACTOR * (math.fsum(ranges) / len(ranges))
            flags += [0 if r < threshold else 1 for r in ranges]
    return flags


def rules_in_words(rules: Sequence[int]) -> str:
    return "; ".join(RULE_NAMES[rule] for rule in rules)


def table_rows(chart: spc.Chart, points: Sequence[ChartPoint]) -> list[dict]:
    """The rows of a chart's table (templates/analysis/_xmr_table.html): each point with what
    the page knows of it (its label and link), its phase and its rules in words."""
    return [
        {
            "point": point,
            "extra": extra,
            "phase": chart.phase_of(point),
            "rules_text": rules_in_words(point.rules),
        }
        for point, extra in zip(chart.points, points, strict=True)
    ]


def predictable_range(phase: spc.Phase, *, places: int = 1) -> tuple[float, float] | None:
    """The range the phase predictably delivers: its natural process limits (lower floored)."""
    if not phase.has_limits:
        return None
    return round(phase.lower_limit, places), round(phase.upper_limit, places)


def capability_statement(phase: spc.Phase, *, since: date, unit: str = "days") -> str:
    """The statement under every capability chart (docs/method.md §6). The numbers are the
    phase's: its centre line and natural process limits (the lower one floored at 0)."""
    count = len(phase.values)
    cases = f"{count} case{'s' if count != 1 else ''}"
    opening = f"Since {since.day} {since:%B %Y} ({cases}), a case typically takes "
    typical = f"{phase.centre_line:.1f} {unit} end-to-end"
    if not phase.has_limits:
        return f"{opening}{typical}. Too few cases yet to say what the system predictably delivers."
    statement = (
        f"{opening}{typical}, and the system predictably delivers anywhere from "
        f"{phase.lower_limit:.1f} to {phase.upper_limit:.1f} {unit}. "
        "Expect that to continue unless the system changes."
    )
    if phase.is_provisional:
        statement += " (Fewer than 13 cases: the limits are provisional.)"
    return statement
