"""XmR (process behaviour / capability) charts: the maths of DOMAIN.md §4, with no Django.

Centre line, moving ranges, optional outlier screening of moving ranges, natural process limits
(floored at 0 for times and counts), the near-limit band, the mR chart's upper range limit, the
four signal rules of NHS "Making Data Count" (as NHS-R's plotthedots implements them), and the
label of each point. Phases start at system changes; rules never look across a phase boundary.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

LIMIT_FACTOR = 2.66  # natural process limits: CL ± 2.66 × mR̄
RANGE_FACTOR = 3.267  # mR chart upper range limit, and the screening threshold
NEAR_FACTOR = 2 / 3 * LIMIT_FACTOR  # near-limit band for rule 4: CL ± 1.7733 × mR̄
PROVISIONAL_BELOW = 13  # fewer points than this in a phase: its limits are provisional
SHIFT_LENGTH = 7
TREND_LENGTH = 7

OUTSIDE, SHIFT, TREND, TWO_OF_THREE = 1, 2, 3, 4
COMMON, IMPROVEMENT, CONCERN = "common", "improvement", "concern"
SPECIAL = "special"  # a special cause on a chart where neither direction is better (volume)


@dataclass(frozen=True)
class Phase:
    """One phase of a chart: its points share a centre line and limits."""

    start: int  # index of its first point in the whole series
    values: tuple[float, ...]
    centre_line: float
    moving_ranges: tuple[float | None, ...]  # None for the phase's first point
    mr_bar: float | None  # None when there are no limits (one point, or all ranges screened)
    screened_out: int  # moving ranges dropped by screening
    upper_limit: float | None
    lower_limit: float | None  # floored at the chart's floor
    lower_limit_unfloored: float | None
    upper_range_limit: float | None

    @property
    def has_limits(self) -> bool:
        return self.mr_bar is not None

    @property
    def is_provisional(self) -> bool:
        return len(self.values) < PROVISIONAL_BELOW

    @property
    def end(self) -> int:
        return self.start + len(self.values)

    @property
    def near_upper(self) -> float | None:
        return None if self.mr_bar is None else self.centre_line + NEAR_FACTOR * self.mr_bar

    @property
    def near_lower(self) -> float | None:
        return None if self.mr_bar is None else self.centre_line - NEAR_FACTOR * self.mr_bar


@dataclass(frozen=True)
class Point:
    index: int
    value: float
    phase: int  # counting from 1
    moving_range: float | None
    rules: tuple[int, ...]
    label: str


@dataclass(frozen=True)
class Chart:
    points: tuple[Point, ...]
    phases: tuple[Phase, ...]
    screening: bool
    lower_is_better: bool | None = True
    floor: float | None = 0.0
    notes: tuple[str, ...] = field(default=())

    def phase_of(self, point: Point) -> Phase:
        return self.phases[point.phase - 1]


def xmr(
    values: Sequence[float],
    *,
    phase_starts: Sequence[int] = (),
    screening: bool = True,
    lower_is_better: bool | None = True,
    floor: float | None = 0.0,
    ceiling: float | None = None,
) -> Chart:
    """Compute an XmR chart. phase_starts are the 0-based indices where a new phase begins.
    Limits are shown floored at `floor` (0: a negative time or count is impossible) and, for
    a share, capped at `ceiling` (100%). lower_is_better=None labels special causes
    "special" instead of improvement or concern: for volumes, neither direction is better."""
    values = [float(v) for v in values]
    starts = sorted({0, *(s for s in phase_starts if 0 < s < len(values))})
    bounds = list(zip(starts, [*starts[1:], len(values)], strict=True)) if values else []
    phases = tuple(
        _phase(start, values[start:end], screening, floor, ceiling) for start, end in bounds
    )
    points: list[Point] = []
    for number, phase in enumerate(phases, start=1):
        rules = _rules(phase)
        for offset, value in enumerate(phase.values):
            points.append(
                Point(
                    index=phase.start + offset,
                    value=value,
                    phase=number,
                    moving_range=phase.moving_ranges[offset],
                    rules=tuple(sorted(rules[offset])),
                    label=_label(phase, offset, rules, lower_is_better),
                )
            )
    return Chart(
        points=tuple(points),
        phases=phases,
        screening=screening,
        lower_is_better=lower_is_better,
        floor=floor,
    )


def _phase(
    start: int, values: list[float], screening: bool, floor: float | None, ceiling: float | None
) -> Phase:
    centre = statistics.mean(values)
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    mr_bar = statistics.mean(ranges) if ranges else None
    screened_out = 0
    if screening and mr_bar is not None:
        kept = [r for r in ranges if r < RANGE_FACTOR * mr_bar]
        screened_out = len(ranges) - len(kept)
        mr_bar = statistics.mean(kept) if kept else None
    if mr_bar is None:
        upper = lower = lower_raw = url = None
    else:
        upper = centre + LIMIT_FACTOR * mr_bar
        upper = upper if ceiling is None else min(upper, ceiling)
        lower_raw = centre - LIMIT_FACTOR * mr_bar
        lower = lower_raw if floor is None else max(lower_raw, floor)
        url = RANGE_FACTOR * mr_bar
    return Phase(
        start=start,
        values=tuple(values),
        centre_line=centre,
        moving_ranges=(None, *ranges) if values else (),
        mr_bar=mr_bar,
        screened_out=screened_out,
        upper_limit=upper,
        lower_limit=lower,
        lower_limit_unfloored=lower_raw,
        upper_range_limit=url,
    )


def _side(value: float, centre: float) -> int:
    return (value > centre) - (value < centre)


def _is_outside(phase: Phase, value: float) -> bool:
    return phase.has_limits and (value > phase.upper_limit or value < phase.lower_limit)


def _is_near(phase: Phase, value: float) -> bool:
    if not phase.has_limits or _is_outside(phase, value):
        return False
    return value > phase.near_upper or value < phase.near_lower


def _rules(phase: Phase) -> list[set[int]]:
    values, centre = phase.values, phase.centre_line
    n = len(values)
    fired: list[set[int]] = [set() for _ in values]

    for i, value in enumerate(values):
        if _is_outside(phase, value):
            fired[i].add(OUTSIDE)

    # Rule 2: a run of 7+ on one side of the centre line; a point on the line breaks it.
    sides = [_side(v, centre) for v in values]
    for sign, start, length in _runs(sides):
        if sign != 0 and length >= SHIFT_LENGTH:
            for i in range(start, start + length):
                fired[i].add(SHIFT)

    # Rule 3: 6+ consecutive differences of the same sign (7+ points); an equal pair breaks it.
    steps = [_side(b, a) for a, b in itertools.pairwise(values)]
    for sign, start, length in _runs(steps):
        if sign != 0 and length >= TREND_LENGTH - 1:
            for i in range(start, start + length + 1):
                fired[i].add(TREND)

    # Rule 4: two of three consecutive points near a limit, all three on the same side.
    if phase.has_limits:
        near = [_is_near(phase, v) for v in values]
        for i in range(n - 2):
            side = sides[i]
            if side == 0 or sides[i + 1] != side or sides[i + 2] != side:
                continue
            hits = [j for j in (i, i + 1, i + 2) if near[j]]
            if len(hits) >= 2:
                for j in hits:
                    fired[j].add(TWO_OF_THREE)
    return fired


def _runs(signs: list[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal values: (value, start, length)."""
    runs: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start]:
            runs.append((signs[start], start, i - start))
            start = i
    return runs


def _label(
    phase: Phase, offset: int, phase_rules: list[set[int]], lower_is_better: bool | None
) -> str:
    """One label per special cause, from its highest-priority rule: outside limits > trend >
    two of three > shift. Outside, two-of-three and shift go by the point's side of the centre
    line; a trend by its direction at this point."""
    rules = phase_rules[offset]
    if not rules:
        return COMMON
    if lower_is_better is None:
        return SPECIAL
    values = phase.values
    value = values[offset]
    if OUTSIDE in rules or (TREND not in rules and (TWO_OF_THREE in rules or SHIFT in rules)):
        direction = _side(value, phase.centre_line)
    else:  # the trend's direction at this point
        following = offset + 1 < len(values) and values[offset + 1] != value
        if following and TREND in phase_rules[offset + 1]:
            direction = _side(values[offset + 1], value)
        else:
            direction = _side(value, values[offset - 1]) if offset else 0
    if direction == 0:
        return COMMON
    better = direction < 0 if lower_is_better else direction > 0
    return IMPROVEMENT if better else CONCERN
