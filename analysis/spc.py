"""XmR (process behaviour / capability) charts: the maths of docs/method.md §4, with no Django.

Centre line, moving ranges, optional outlier screening of moving ranges, natural process limits
(floored at 0 for times and counts), the near-limit band, the mR chart's upper range limit, the
four signal rules of NHS "Making Data Count" (as NHS-R's plotthedots implements them), and the
label of each point. Phases start at system changes; rules never look across a phase boundary.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import ClassVar

LIMIT_FACTOR = 2.66  # natural process limits: CL ± 2.66 × mR̄
RANGE_FACTOR = 3.267  # mR chart upper range limit, and the screening threshold
NEAR_FACTOR = 2 / 3 * LIMIT_FACTOR  # near-limit band for rule 4: CL ± 1.7733 × mR̄
PROVISIONAL_BELOW = 13  # fewer points than this in a phase: its limits are provisional
SHIFT_LENGTH = 7
TREND_LENGTH = 7

OUTSIDE, SHIFT, TREND, TWO_OF_THREE = 1, 2, 3, 4
# A point's rules in rule order, for each bit mask of them (bit r set: rule r fired).
RULES_IN = [tuple(r for r in (1, 2, 3, 4) if mask & (1 << r)) for mask in range(32)]
COMMON, IMPROVEMENT, CONCERN = "common", "improvement", "concern"
SPECIAL = "special"  # a special cause on a chart where neither direction is better (volume)
SET_ASIDE = "set aside"  # a point drawn in its phase but left out of its lines and rules


@dataclass(frozen=True)
class Phase:
    """One phase of a chart: its points share a centre line and limits. Points set aside (e.g.
    transition cases) are drawn between start and end but are not among its values."""

    start: int  # index of its first point in the whole series
    end: int  # index after its last point
    values: tuple[float, ...]  # the points its lines and rules are made from
    centre_line: float | None  # None when every point of the phase is set aside
    moving_ranges: tuple[float | None, ...]  # None for the phase's first point
    mr_bar: float | None  # None when there are no limits (one point, or all ranges screened)
    screened_out: int  # moving ranges dropped by screening
    upper_limit: float | None
    lower_limit: float | None  # floored at the chart's floor
    lower_limit_unfloored: float | None
    upper_range_limit: float | None
    set_aside: int = 0  # points drawn in the phase but left out of its lines and rules
    # True for a phase whose lines are an earlier phase's, carried forward over its points to
    # judge a system change (analysis/verdicts.py): its own points made none of them.
    carried_forward: ClassVar[bool] = False

    @property
    def has_limits(self) -> bool:
        return self.mr_bar is not None

    @property
    def is_provisional(self) -> bool:
        return len(self.values) < PROVISIONAL_BELOW

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
    """Columns, one value per point (a chart of 100,000 cases makes no object per point until
    `points` is asked for)."""

    values: tuple[float, ...]
    phase_numbers: tuple[int, ...]  # counting from 1
    moving_ranges: tuple[float | None, ...]
    rule_masks: tuple[int, ...]  # bit r set: rule r fired (RULES_IN turns one into rules)
    labels: tuple[str, ...]
    phases: tuple[Phase, ...]
    screening: bool
    lower_is_better: bool | None = True
    floor: float | None = 0.0
    notes: tuple[str, ...] = field(default=())

    @cached_property
    def rules(self) -> tuple[tuple[int, ...], ...]:
        return tuple(RULES_IN[mask] for mask in self.rule_masks)

    @cached_property
    def points(self) -> tuple[Point, ...]:
        return tuple(
            Point(index=i, value=v, phase=n, moving_range=m, rules=r, label=label)
            for i, (v, n, m, r, label) in enumerate(
                zip(
                    self.values,
                    self.phase_numbers,
                    self.moving_ranges,
                    self.rules,
                    self.labels,
                    strict=True,
                )
            )
        )

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
    set_aside: Sequence[bool] = (),
) -> Chart:
    """Compute an XmR chart. phase_starts are the 0-based indices where a new phase begins.
    Limits are shown floored at `floor` (0: a negative time or count is impossible) and, for
    a share, capped at `ceiling` (100%). lower_is_better=None labels special causes
    "special" instead of improvement or concern: for volumes, neither direction is better.
    set_aside, one flag per point if given: True keeps the point in its place on the chart but
    out of its phase's centre line, limits, moving ranges and rules (a transition case); it is
    labelled SET_ASIDE."""
    values = [float(v) for v in values]
    if set_aside and len(set_aside) != len(values):
        raise ValueError("set_aside needs one flag per value.")
    starts = sorted({0, *(s for s in phase_starts if 0 < s < len(values))})
    bounds = list(zip(starts, [*starts[1:], len(values)], strict=True)) if values else []
    numbers: list[int] = []
    ranges: list[float | None] = []
    rule_masks: list[int] = []
    labels: list[str] = []
    phases = []
    for number, (start, end) in enumerate(bounds, start=1):
        kept = [i for i in range(start, end) if not set_aside[i]] if any(set_aside) else None
        own = values[start:end] if kept is None else [values[i] for i in kept]
        phase = _phase(start, end, own, screening, floor, ceiling)
        phases.append(phase)
        masks, own_labels = phase_signals(phase, lower_is_better)
        numbers += [number] * (end - start)
        if kept is None:
            ranges += phase.moving_ranges
            rule_masks += masks
            labels += own_labels
            continue
        # Set-aside points: no moving range, no rules; the phase's own points go back in place.
        offsets = {index: offset for offset, index in enumerate(kept)}
        for index in range(start, end):
            offset = offsets.get(index)
            ranges.append(None if offset is None else phase.moving_ranges[offset])
            rule_masks.append(0 if offset is None else masks[offset])
            labels.append(SET_ASIDE if offset is None else own_labels[offset])
    return Chart(
        values=tuple(values),
        phase_numbers=tuple(numbers),
        moving_ranges=tuple(ranges),
        rule_masks=tuple(rule_masks),
        labels=tuple(labels),
        phases=tuple(phases),
        screening=screening,
        lower_is_better=lower_is_better,
        floor=floor,
    )


def _phase(
    start: int,
    end: int,
    values: list[float],
    screening: bool,
    floor: float | None,
    ceiling: float | None,
) -> Phase:
    centre = mean(values) if values else None
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    mr_bar = mean(ranges) if ranges else None
    screened_out = 0
    if screening and mr_bar is not None:
        kept = [r for r in ranges if r < RANGE_FACTOR * mr_bar]
        screened_out = len(ranges) - len(kept)
        mr_bar = mean(kept) if kept else None
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
        end=end,
        values=tuple(values),
        centre_line=centre,
        moving_ranges=(None, *ranges) if values else (),
        mr_bar=mr_bar,
        screened_out=screened_out,
        upper_limit=upper,
        lower_limit=lower,
        lower_limit_unfloored=lower_raw,
        upper_range_limit=url,
        set_aside=end - start - len(values),
    )


def phase_signals(phase: Phase, lower_is_better: bool | None) -> tuple[list[int], list[str]]:
    """The four rules applied to a phase's values against its lines: each point's rules (a bit
    mask, bit r set when rule r fired) and its label. Runs never look beyond the phase."""
    masks = _rules(phase)
    labels = [
        _label(phase, offset, masks, lower_is_better) if mask else COMMON
        for offset, mask in enumerate(masks)
    ]
    return masks, labels


def mean(values: Sequence[float]) -> float:
    """The exact mean, rounded once to the nearest float: a phase of three 0.1s has a centre
    line of exactly 0.1, so a value equal to the mean is on the centre line.

    fsum(values) / n rounds twice (the sum, then the division), so it can land a float away.
    Instead the exact sum is written as a few floats (each fsum of the values less the parts
    so far gives the next part, until nothing is left: usually one or two passes at C speed),
    and that exact sum is divided by n as a fraction, rounded once. statistics.mean gives the
    same result but is a hundred times slower on 100,000 values."""
    n = len(values)
    parts = [math.fsum(values)]
    if not math.isfinite(parts[0]):  # an infinity or a NaN among them: nothing exact to do
        return parts[0] / n
    while remainder := math.fsum(itertools.chain(values, map(operator.neg, parts))):
        parts.append(remainder)
    if len(parts) == 1:  # the sum is exact as a float: one rounding, in the division
        return parts[0] / n
    return float(sum(map(Fraction, parts)) / n)


def _side(value: float, centre: float) -> int:
    return (value > centre) - (value < centre)


def _rules(phase: Phase) -> list[int]:
    """Each point's rules as a bit mask (bit r set: rule r fired)."""
    values, centre = phase.values, phase.centre_line
    n = len(values)
    fired = [0] * n

    if phase.has_limits:
        upper, lower = phase.upper_limit, phase.lower_limit
        near_upper, near_lower = phase.near_upper, phase.near_lower
        outside = [v > upper or v < lower for v in values]
        for i in itertools.compress(range(n), outside):
            fired[i] |= 1 << OUTSIDE

    # Rule 2: a run of 7+ on one side of the centre line; a point on the line breaks it.
    sides = [(v > centre) - (v < centre) for v in values]
    for start, length in _long_runs(sides, SHIFT_LENGTH):
        for i in range(start, start + length):
            fired[i] |= 1 << SHIFT

    # Rule 3: 6+ consecutive differences of the same sign (7+ points); an equal pair breaks it.
    steps = [(b > a) - (b < a) for a, b in itertools.pairwise(values)]
    for start, length in _long_runs(steps, TREND_LENGTH - 1):
        for i in range(start, start + length + 1):
            fired[i] |= 1 << TREND

    # Rule 4: two of three consecutive points near a limit, all three on the same side.
    if phase.has_limits:
        near = [
            not out and (v > near_upper or v < near_lower)
            for v, out in zip(values, outside, strict=True)
        ]
        for i in range(n - 2):
            if near[i] + near[i + 1] + near[i + 2] < 2:
                continue
            side = sides[i]
            if side == 0 or sides[i + 1] != side or sides[i + 2] != side:
                continue
            for j in (i, i + 1, i + 2):
                if near[j]:
                    fired[j] |= 1 << TWO_OF_THREE
    return fired


def _long_runs(signs: list[int], min_length: int) -> list[tuple[int, int]]:
    """(start, length) of each maximal run of one non-zero value at least min_length long.
    Where the value changes, and how long each run is, are found at C speed: Python only
    steps through the long runs, not every value (most runs of random data are short)."""
    n = len(signs)
    if not n:
        return []
    edges = [0, *itertools.compress(range(1, n), map(operator.ne, signs[1:], signs)), n]
    lengths = list(map(operator.sub, edges[1:], edges))
    long_ones = itertools.compress(range(len(lengths)), map(min_length.__le__, lengths))
    return [(edges[r], lengths[r]) for r in long_ones if signs[edges[r]]]


def _label(phase: Phase, offset: int, masks: list[int], lower_is_better: bool | None) -> str:
    """One label per special cause, from its highest-priority rule: outside limits > trend >
    two of three > shift. Outside, two-of-three and shift go by the point's side of the centre
    line; a trend by its direction at this point."""
    mask = masks[offset]
    if not mask:
        return COMMON
    if lower_is_better is None:
        return SPECIAL
    values = phase.values
    value = values[offset]
    trend = mask & (1 << TREND)
    if mask & (1 << OUTSIDE) or (not trend and mask & (1 << TWO_OF_THREE | 1 << SHIFT)):
        direction = _side(value, phase.centre_line)
    else:  # the trend's direction at this point
        following = offset + 1 < len(values) and values[offset + 1] != value
        if following and masks[offset + 1] & (1 << TREND):
            direction = _side(values[offset + 1], value)
        else:
            direction = _side(value, values[offset - 1]) if offset else 0
    if direction == 0:
        return COMMON
    better = direction < 0 if lower_is_better else direction > 0
    return IMPROVEMENT if better else CONCERN
