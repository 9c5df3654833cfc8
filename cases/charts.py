"""Turn an XmR chart (cases.spc) into what pages show: the JSON a chart script draws, the rows
of the table beside it, and the capability statement in words. No target lines, ever."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cases import spc

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
        index = next((i for i, moment in enumerate(moments) if moment >= threshold), None)
        if index:  # None: after the last point; 0: before the first, so no new phase
            if index not in starts:
                starts.append(index)
            marks.append((index, f"{change.description} ({change.changed_on:%-d %B %Y})"))
    return starts, marks


def _round(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(value, places)


def chart_spec(
    chart: spc.Chart,
    points: Sequence[ChartPoint],
    *,
    title: str,
    unit: str,
    changes: Sequence[tuple[int, str]] = (),
) -> dict:
    """The JSON contract static/js/charts.mjs draws (kind "xmr")."""
    return {
        "kind": "xmr",
        "title": title,
        "unit": unit,
        "lower_is_better": chart.lower_is_better,
        "points": [
            {
                "x": extra.label,
                "y": _round(point.value),
                "signal": point.label,
                "rules": list(point.rules),
                "phase": point.phase,
                "mr": _round(point.moving_range),
                "href": extra.href,
                "tooltip": extra.tooltip or f"{extra.label}: {point.value:g} {unit}",
            }
            for point, extra in zip(chart.points, points, strict=True)
        ],
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


def rules_in_words(rules: Sequence[int]) -> str:
    return "; ".join(RULE_NAMES[rule] for rule in rules)


def predictable_range(phase: spc.Phase, *, places: int = 1) -> tuple[float, float] | None:
    """The range the phase predictably delivers: its natural process limits (lower floored)."""
    if not phase.has_limits:
        return None
    return round(phase.lower_limit, places), round(phase.upper_limit, places)


def capability_statement(phase: spc.Phase, *, since: date, unit: str = "days") -> str:
    """DOMAIN.md §4's statement under every capability chart. The numbers are the phase's: its
    centre line and natural process limits (the lower one floored at 0)."""
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
