"""Did it work? Whether a measure moved after a system change, judged by the chart (docs/method.md,
"Did it work?"), with no Django.

The baseline is the phase before the change: its centre line, natural process limits and
near-limit band, worked out as every chart works them out (analysis.spc, screening included).
They are carried forward, unchanged, over the points after the change, and the four rules are
applied to those points against them (runs counted among the after-points only). Each special
cause is an improvement or a concern by the measure's better direction. The verdict says which:
a signal of improvement (which rule, from which point), of concern, both, or none yet. Only when
something has shown does the after-points' own phase speak as the system's new voice. Never a
target, never "x% better".
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from analysis import charts, spc

IMPROVEMENT, CONCERN = spc.IMPROVEMENT, spc.CONCERN
NO_BASELINE = "no baseline"
NO_POINTS_YET = "no points yet"
NO_SIGNAL = "no signal"
BOTH = "both"
# The rule that decides a special cause's label, highest priority first (as analysis.spc labels).
PRIORITY = (spc.OUTSIDE, spc.TREND, spc.TWO_OF_THREE, spc.SHIFT)


@dataclass(frozen=True)
class CarriedPhase(spc.Phase):
    """The points after a change, against the baseline's lines: its centre line, limits and
    average moving range are the baseline's, not its own. Its moving ranges are its own (the
    first after-point has none), so the mR chart compares them with the baseline's too."""

    carried_forward: ClassVar[bool] = True
    baseline_points: int = 0

    @property
    def is_provisional(self) -> bool:
        """The lines are the baseline's: provisional when it had fewer than 13 points."""
        return self.baseline_points < spc.PROVISIONAL_BELOW


@dataclass(frozen=True)
class Signal:
    """The after-points one rule labelled the same way: an improvement or a concern."""

    kind: str  # IMPROVEMENT or CONCERN
    rule: int  # the rule that gave the label (PRIORITY)
    first: int  # the first such point, counting the after-points from 0
    count: int  # how many after-points it labelled


@dataclass(frozen=True)
class Verdict:
    """A measure either side of a change. `chart` holds the baseline's phase and then the
    after-points' phase carried forward (either may be missing: see `outcome`)."""

    chart: spc.Chart
    baseline: spc.Phase | None
    after: CarriedPhase | None
    signals: tuple[Signal, ...]
    # The after-points' own XmR (their own centre line and limits): the system's new voice,
    # given once the change has shown (any signal), or when there is no baseline to judge by.
    new_voice: spc.Chart | None

    @property
    def outcome(self) -> str:
        if self.baseline is None:
            return NO_BASELINE
        if self.after is None:
            return NO_POINTS_YET
        kinds = {signal.kind for signal in self.signals}
        if kinds == {IMPROVEMENT, CONCERN}:
            return BOTH
        return kinds.pop() if kinds else NO_SIGNAL

    @property
    def after_points(self) -> int:
        return 0 if self.after is None else len(self.after.values)

    def of_kind(self, kind: str) -> list[Signal]:
        return [signal for signal in self.signals if signal.kind == kind]


def judge(
    baseline: Sequence[float],
    after: Sequence[float],
    *,
    lower_is_better: bool,
    screening: bool = True,
    floor: float | None = 0.0,
    ceiling: float | None = None,
) -> Verdict:
    """The verdict on the points after a change (`after`, in time order) against the phase
    before it (`baseline`): see the module's docstring. Limits are floored and capped as every
    chart's are (0 for times and counts; 100 for a share)."""
    settings = {
        "screening": screening,
        "lower_is_better": lower_is_better,
        "floor": floor,
        "ceiling": ceiling,
    }
    after = [float(value) for value in after]
    if not baseline:
        own = spc.xmr(after, **settings)
        return Verdict(own, None, None, (), own if after else None)
    base = spc.xmr(baseline, **settings)
    if not after:
        return Verdict(base, base.phases[0], None, (), None)
    lines = base.phases[0]
    start = len(lines.values)
    ranges = [abs(b - a) for a, b in itertools.pairwise(after)]
    carried = CarriedPhase(
        start=start,
        end=start + len(after),
        values=tuple(after),
        centre_line=lines.centre_line,
        moving_ranges=(None, *ranges),
        mr_bar=lines.mr_bar,
        screened_out=0,
        upper_limit=lines.upper_limit,
        lower_limit=lines.lower_limit,
        lower_limit_unfloored=lines.lower_limit_unfloored,
        upper_range_limit=lines.upper_range_limit,
        baseline_points=len(lines.values),
    )
    masks, labels = spc.phase_signals(carried, lower_is_better)
    chart = spc.Chart(
        values=(*base.values, *after),
        phase_numbers=(*base.phase_numbers, *[2] * len(after)),
        moving_ranges=(*base.moving_ranges, *carried.moving_ranges),
        rule_masks=(*base.rule_masks, *masks),
        labels=(*base.labels, *labels),
        phases=(lines, carried),
        screening=screening,
        lower_is_better=lower_is_better,
        floor=floor,
    )
    signals = _signals(masks, labels)
    new_voice = spc.xmr(after, **settings) if signals else None
    return Verdict(chart, lines, carried, signals, new_voice)


def _deciding_rule(mask: int) -> int:
    return next(rule for rule in PRIORITY if mask & (1 << rule))


def _signals(masks: Sequence[int], labels: Sequence[str]) -> tuple[Signal, ...]:
    """The after-points' special causes, grouped by their label and the rule that gave it, in
    the order each first shows."""
    found: dict[tuple[str, int], list[int]] = {}
    for offset, (mask, label) in enumerate(zip(masks, labels, strict=True)):
        if label in (IMPROVEMENT, CONCERN):
            found.setdefault((label, _deciding_rule(mask)), []).append(offset)
    signals = [
        Signal(kind=kind, rule=rule, first=offsets[0], count=len(offsets))
        for (kind, rule), offsets in found.items()
    ]
    return tuple(sorted(signals, key=lambda signal: (signal.first, PRIORITY.index(signal.rule))))


# --- The verdict in words ---------------------------------------------------------------------


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st…"""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{({1: 'st', 2: 'nd', 3: 'rd'}).get(number % 10, 'th')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun if number == 1 else noun + 's'}"


def _signal_words(signal: Signal, lower_is_better: bool, noun: str, labels: Sequence[str]) -> str:
    """One signal: which rule, in plain words against the baseline's lines, and from which
    point (its label, and how far after the change it came)."""
    # Which way the points went: down for an improvement where lower is better, and so on.
    down = (signal.kind == IMPROVEMENT) == lower_is_better
    side, limit = ("below", "lower") if down else ("above", "upper")
    nouns = f"{noun}s"
    if signal.rule == spc.OUTSIDE:
        what = f"{_count(signal.count, noun)} {side} the baseline's {limit} limit"
    elif signal.rule == spc.TREND:
        each = "lower" if down else "higher"
        what = (
            f"a {'falling' if down else 'rising'} trend (7 or more {nouns} in a row, each "
            f"{each} than the one before)"
        )
    elif signal.rule == spc.TWO_OF_THREE:
        what = f"two of three {nouns} in a row near the baseline's {limit} limit"
    else:
        what = f"a shift (7 or more {nouns} in a row {side} the baseline's centre line)"
    where = f"the {ordinal(signal.first + 1)} {noun} after the change"
    return f"{what}, from {labels[signal.first]} ({where})"


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{'; '.join(parts[:-1])}; and {parts[-1]}"


def verdict_words(verdict: Verdict, labels: Sequence[str], *, noun: str) -> str:
    """The verdict in plain English. `labels` name the after-points in order (e.g. "w/c 4 May
    2026", or a case's reference and day), `noun` is what a point is ("case", "week")."""
    nouns = f"{noun}s"
    outcome = verdict.outcome
    if outcome == NO_BASELINE:
        return (
            f"There are no {nouns} before the change to compare with, so there is nothing to "
            "judge it against."
        )
    if outcome == NO_POINTS_YET:
        return f"No {nouns} yet after the change: too soon to say."
    lower_is_better = verdict.chart.lower_is_better

    def told(kind: str) -> str:
        return _listed(
            [
                _signal_words(signal, lower_is_better, noun, labels)
                for signal in verdict.of_kind(kind)
            ]
        )

    if outcome == NO_SIGNAL:
        words = (
            f"No signal yet after {_count(verdict.after_points, noun)}: the change has not shown "
            "in this measure."
        )
    elif outcome == BOTH:
        words = (
            f"Signals of both improvement and concern. Improvement: {told(IMPROVEMENT)}. "
            f"Concern: {told(CONCERN)}."
        )
    else:
        words = f"A signal of {outcome}: {told(outcome)}."
    return words + _baseline_caveat(verdict.baseline, verdict.chart, noun)


def _baseline_caveat(baseline: spc.Phase, chart: spc.Chart, noun: str) -> str:
    """What to keep in mind about the baseline: no limits (only a run or a trend can show),
    provisional limits, or special causes of its own."""
    nouns = f"{noun}s"
    if not baseline.has_limits:
        why = (
            f"it has only one {noun}"
            if len(baseline.values) == 1
            else f"every {noun} in it was the same"
        )
        return f" The baseline has no limits ({why}), so only a shift or a trend can show."
    caveat = ""
    if baseline.is_provisional:
        caveat += (
            f" The baseline has fewer than {spc.PROVISIONAL_BELOW} {nouns}: its limits are "
            "provisional."
        )
    if any(chart.rule_masks[baseline.start : baseline.end]):
        caveat += " The baseline itself shows special causes, so its lines are a rough guide."
    return caveat


# --- The system's new voice -------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """What one of "did it work?"'s measures is, for its chart and its words."""

    title: str  # "End-to-end time"
    noun: str  # what a point is: "case" or "week"
    unit: str  # the chart's unit: "days", "contacts", "%", or "" for a plain number
    lower_is_better: bool
    # How the new voice's statement speaks of the measure, e.g. "hand-offs per case closed in a
    # week have" ... "typically been 0.3"; "case" and "contacts" measures use charts' own
    # statements.
    subject: str = ""
    ceiling: float | None = None  # 100 for a share

    @property
    def kind(self) -> str:
        if self.noun == "case":
            return "time"
        return "count" if self.unit == "contacts" else "rate"


def new_voice_statement(
    verdict: Verdict, measure: Measure, labels: Sequence[str], *, since: date
) -> str:
    """The after-points' own phase in words, as the statement under a chart says it (analysis.
    charts): "Since 3 March 2026 (48 cases), a case typically takes 6.2 days end-to-end, and
    the system predictably delivers anywhere from …" with a prediction only when that phase
    is stable. `labels` name the after-points. "" when there is no new voice to give."""
    chart = verdict.new_voice
    if chart is None:
        return ""
    if measure.kind == "time":
        return charts.capability_statement(chart, labels, since=since, noun="case")
    if measure.kind == "count":
        return charts.volume_statement(chart, labels, subject=measure.subject, noun="week")
    phase = chart.phases[-1]
    centre, lower, upper = charts.limits_in_words(phase)
    suffix = "%" if measure.unit == "%" else ""
    weeks = _count(len(phase.values), measure.noun)
    return charts.latest_phase_statement(
        chart,
        labels,
        noun=measure.noun,
        opening=f"Since {labels[0]} ({weeks}), {measure.subject}",
        typical=(
            f"typically been {centre}{suffix}, and predictably anywhere from {lower}{suffix} to "
            f"{upper}{suffix}"
        ),
        average=f"been {centre}{suffix} on average",
    )
