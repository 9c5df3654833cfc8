"""Turn an XmR chart (analysis.spc) into what pages show: the JSON a chart script draws, the rows
of the table beside it, and the capability statement in words. No target lines, ever."""

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

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
    y_max: float | None = None,
) -> dict:
    """The JSON contract static/js/charts.mjs draws (kind "xmr"), in columns: a list per
    property with a value per point (its rules as a bit mask), so a chart of 100,000 cases is a
    few lists, not 100,000 objects. `points` label and link each point. `y_max` is where the
    value axis stops whatever the headroom wanted for labels: 100 for a share."""
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
                # Lines carried forward from the phase before, to judge a change against.
                "carried_forward": phase.carried_forward,
            }
            for phase in chart.phases
        ],
        "changes": [{"index": index, "label": label} for index, label in changes],
        "y_max": y_max,
    }


def screened_out(chart: spc.Chart) -> list[int]:
    """Per point, 1 if screening dropped its moving range before the limits were worked out,
    else 0 (a phase's first point, and a point set aside, have no moving range; a phase judged
    against lines carried forward screens nothing, its lines being another's). Screening
    (docs/method.md §4) drops every range of a phase not strictly below 3.267 × the exact
    average of all that phase's ranges, worked out here as analysis/spc.py does it."""
    flags = [0] * len(chart.values)
    for phase in chart.phases:
        ranges = phase.moving_ranges[1:]
        if not ranges or phase.carried_forward:  # its lines are not made from its ranges
            continue
        threshold = spc.RANGE_FACTOR * spc.mean(ranges)
        own = range(phase.start, phase.end)
        if phase.set_aside:
            own = [i for i in own if chart.labels[i] != spc.SET_ASIDE]
        for index, moving_range in zip(own[1:], ranges, strict=True):
            if moving_range >= threshold:
                flags[index] = 1
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


def capability_statement(
    chart: spc.Chart,
    labels: Sequence[str],
    *,
    since: date,
    noun: str = "case",
    unit: str = "days",
) -> str:
    """The statement under every capability chart, for its latest phase (docs/method.md §6):
    what a case typically takes and, only when the phase is stable, what the system predictably
    delivers and "expect that to continue". With special causes it says so, names them in words
    (phase_reading) and predicts nothing. Provisional limits are said whichever it is.
    `labels` name each point (its date), for the reading; `noun` is what a point is ("case",
    or "day" on the chart of each day's mean)."""
    phase = chart.phases[-1]
    when = f"Since {since.day} {since:%B %Y}"
    if phase.centre_line is None:
        return (
            f"{when}, every case closed started before the change (a transition case): none "
            "yet shows what the new way of working delivers."
        )
    counted = _count(len(phase.values), noun)
    if phase.set_aside:
        counted += f", and {phase.set_aside} set aside that started before the change"
    subject, verb = ("a day's cases", "take") if noun == "day" else ("a case", "takes")
    opening = f"{when} ({counted}), {subject}"
    typical = f"{phase.centre_line:.1f} {unit} end-to-end"
    if not phase.has_limits:
        return f"{opening} {verb} {typical}. {_no_limits(phase, noun)}"
    reading = phase_reading(*_own_points(chart, phase, labels), noun=noun)
    if reading:
        statement = (
            f"{opening} {verb} {typical} on average, but the chart shows special causes, so it "
            f"predicts nothing. {reading}"
        )
    else:
        statement = (
            f"{opening} typically {verb} {typical}, and the system predictably delivers "
            f"anywhere from {phase.lower_limit:.1f} to {phase.upper_limit:.1f} {unit}. "
            "Expect that to continue unless the system changes."
        )
    return statement + _provisional(phase, noun)


def _own_points(
    chart: spc.Chart, phase: spc.Phase, labels: Sequence[str]
) -> tuple[spc.Chart, spc.Phase, Sequence[str]]:
    """A phase's own points as a chart of their own, for reading its runs: without the points
    set aside in it (transition cases), which would break or lengthen a run. The same values
    with the same settings give the same lines and rules."""
    if not phase.set_aside:
        return chart, phase, labels
    kept = [i for i in range(phase.start, phase.end) if chart.labels[i] != spc.SET_ASIDE]
    own = spc.xmr(
        phase.values,
        screening=chart.screening,
        lower_is_better=chart.lower_is_better,
        floor=chart.floor,
    )
    return own, own.phases[0], Picked(labels, kept)


class Picked(Sequence):
    """Some items of a sequence, by position, looked up only when asked for (the labels of a
    chart of 100,000 cases are made for the few a reading names)."""

    def __init__(self, items: Sequence, positions: Sequence[int]):
        self.items, self.positions = items, positions

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, index):
        return self.items[self.positions[index]]


# --- Reading a phase's signals, and the demand statements (docs/method.md §6) ---------------

MOST_SIGNALS_READ = 3  # a reading names the latest few signals and counts the rest


def chart_number(value: float) -> str:
    """A number as the chart's labels show it (static/js/charts.mjs): the spec's value to one
    decimal place, halves rounded up, without a trailing ".0"."""
    tenths = Decimal(repr(_round(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{tenths:f}".removesuffix(".0")


def _plural(noun: str) -> str:
    return f"{noun}s"  # the nouns charts count: point, case, day, week, weekday, weekend day


def _count(number: int, noun: str) -> str:
    return f"{number} {noun if number == 1 else _plural(noun)}"


def _sign(number: float) -> int:
    return (number > 0) - (number < 0)


def _quality(chart: spc.Chart, direction: int) -> str:
    """Whether a signal going `direction` (+1 up, -1 down) is good news, on a chart where one
    direction is better; nothing on a chart where neither is (volumes)."""
    if chart.lower_is_better is None or direction == 0:
        return ""
    better = direction < 0 if chart.lower_is_better else direction > 0
    return " (an improvement)" if better else " (a concern)"


def _flagged(chart: spc.Chart, phase: spc.Phase, rule: int) -> list[int]:
    return [i for i in range(phase.start, phase.end) if chart.rule_masks[i] & (1 << rule)]


def _groups(indices: list[int], key, gap: int = 1) -> list[list[int]]:
    """Indices split where the next is more than `gap` further on or has another key."""
    groups: list[list[int]] = []
    for i in indices:
        if groups and i - groups[-1][-1] <= gap and key(i) == key(groups[-1][-1]):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _listed(labels: Sequence[str], noun: str) -> str:
    """'a, b and c'; more than MOST_SIGNALS_READ: the latest ones and how many before them."""
    shown = list(labels[-MOST_SIGNALS_READ:])
    earlier = len(labels) - len(shown)
    if earlier:
        shown.append(f"{_count(earlier, 'earlier ' + noun)}")
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _span(first: int, last: int, phase: spc.Phase, labels: Sequence[str], noun: str) -> str:
    """'The last 9 weeks are', or 'The 8 weeks from a to b were': a run in words."""
    count = _count(last - first + 1, noun)
    if last < phase.end - 1:
        return f"The {count} from {labels[first]} to {labels[last]} were"
    if phase.end < len(labels):  # an earlier phase's last points
        return f"The last {count} of the phase were"
    return f"The last {count} are"


def _when_changed(first: int, last: int, phase: spc.Phase, labels: Sequence[str]) -> str:
    """When a run off the centre line says the process changed: at its start if it lasts to
    the phase's end; at its end if it starts the phase; else at both."""
    if last == phase.end - 1:
        return f"something changed around {labels[first]}"
    if first == phase.start:
        return f"something changed around {labels[last + 1]}"
    return f"something changed around {labels[first]}, and again around {labels[last + 1]}"


def _shift_findings(chart, phase, labels, noun) -> list[tuple[int, int, str]]:
    """Rule 2: each run of 7 or more on one side of the centre line."""
    centre, values = phase.centre_line, chart.values
    side = {i: _sign(values[i] - centre) for i in _flagged(chart, phase, spc.SHIFT)}
    findings = []
    for run in _groups(list(side), side.get):
        first, last, direction = run[0], run[-1], side[run[0]]
        where = "above" if direction > 0 else "below"
        findings.append(
            (
                first,
                last,
                f"{_span(first, last, phase, labels, noun)} all {where} the centre line: "
                f"{_when_changed(first, last, phase, labels)}{_quality(chart, direction)}.",
            )
        )
    return findings


def _monotone_runs(values: Sequence[float], first: int, last: int) -> list[tuple[int, int, int]]:
    """(first, last, direction) of each run of TREND_LENGTH or more points from first to last
    (inclusive), each higher (direction 1) or each lower (-1) than the one before. Neighbouring
    runs share their turning point, as the rule does."""
    runs, k = [], first
    while k < last:
        direction, j = _sign(values[k + 1] - values[k]), k + 1
        while j < last and _sign(values[j + 1] - values[j]) == direction:
            j += 1
        if direction and j - k + 1 >= spc.TREND_LENGTH:
            runs.append((k, j, direction))
        k = j
    return runs


def _trend_findings(chart, phase, labels, noun) -> list[tuple[int, int, str]]:
    """Rule 3: each run of 7 or more, each higher (or each lower) than the one before."""
    findings = []
    for block in _groups(_flagged(chart, phase, spc.TREND), key=lambda i: 0):
        for first, last, direction in _monotone_runs(chart.values, block[0], block[-1]):
            higher, rising = ("higher", "rising") if direction > 0 else ("lower", "falling")
            since = f" since {labels[first]}" if last == phase.end - 1 else ""
            findings.append(
                (
                    first,
                    last,
                    f"{_span(first, last, phase, labels, noun)} each {higher} than the one "
                    f"before: a {rising} trend{since}{_quality(chart, direction)}.",
                )
            )
    return findings


def _limit_findings(chart, phase, labels, noun, rule: int) -> list[tuple[int, int, str]]:
    """Rule 1 (outside the limits) or rule 4 (two of three near a limit), for each side."""
    centre, values = phase.centre_line, chart.values
    flagged = _flagged(chart, phase, rule)
    findings = []
    for direction in (1, -1):
        points = [i for i in flagged if _sign(values[i] - centre) == direction]
        if not points:
            continue
        limit = "the upper limit" if direction > 0 else "the lower limit"
        if rule == spc.OUTSIDE:
            what = f"{'Above' if direction > 0 else 'Below'} {limit}: "
            named = [labels[i] for i in points]
        else:  # the first near point of each window of three, or of overlapping windows
            what = f"Two of three {_plural(noun)} in a row near {limit}, around "
            named = [labels[group[0]] for group in _groups(points, key=lambda i: 0, gap=2)]
        findings.append(
            (
                points[0],
                points[-1],
                f"{what}{_listed(named, noun)}{_quality(chart, direction)}.",
            )
        )
    return findings


def phase_reading(
    chart: spc.Chart, phase: spc.Phase, labels: Sequence[str], *, noun: str = "point"
) -> str:
    """A phase's special causes in words, the latest few: which rule (in plain words), since
    or around which point (`labels`: each point's label, as on the x axis), and, where the
    chart has a better direction, whether each is an improvement or a concern. `noun` is what
    a point is ("week", "case"). "" when the phase has none: it is stable, and only then may a
    statement predict."""
    findings = [
        *_shift_findings(chart, phase, labels, noun),
        *_trend_findings(chart, phase, labels, noun),
        *_limit_findings(chart, phase, labels, noun, spc.OUTSIDE),
        *_limit_findings(chart, phase, labels, noun, spc.TWO_OF_THREE),
    ]
    # The latest few (by their last point), told in rule order, each rule's in time order.
    latest = sorted(range(len(findings)), key=lambda k: findings[k][1])[-MOST_SIGNALS_READ:]
    reading = " ".join(findings[k][2] for k in sorted(latest))
    earlier = len(findings) - len(latest)
    if earlier:
        reading += f" Earlier in this phase: {_count(earlier, 'more signal')} (see the table)."
    return reading


def _provisional(phase: spc.Phase, noun: str) -> str:
    if not (phase.has_limits and phase.is_provisional):
        return ""
    return f" (Fewer than {spc.PROVISIONAL_BELOW} {_plural(noun)}: the limits are provisional.)"


def _no_limits(phase: spc.Phase, noun: str) -> str:
    """Why a phase without limits predicts nothing: one point, or no variation at all."""
    if len(phase.values) == 1:
        return f"Too few {_plural(noun)} yet to say what to expect."
    return f"Every {noun} was the same: there is no variation to work out limits from."


def limits_in_words(phase: spc.Phase) -> tuple[str, str, str]:
    """The phase's centre line and limits as the chart labels them ("" where it has none)."""
    lower, upper = phase.lower_limit, phase.upper_limit
    return (
        chart_number(phase.centre_line),
        "" if lower is None else chart_number(lower),
        "" if upper is None else chart_number(upper),
    )


def latest_phase_statement(
    chart: spc.Chart, labels: Sequence[str], *, noun: str, opening: str, typical: str, average: str
) -> str:
    """The statement under a chart of demand (or of any measure a week), for its latest phase:
    `opening` ("Since …"), then, only when the phase is stable, `typical` (its centre line and
    predictable range) and "expect that to continue"; with special causes, `average` (the
    centre line as an average), the causes in words, and no prediction. Fewer than 13 points:
    the limits are provisional, whichever it is."""
    phase = chart.phases[-1]
    if not phase.has_limits:
        return f"{opening} {average}. {_no_limits(phase, noun)}"
    reading = phase_reading(chart, phase, labels, noun=noun)
    if reading:
        statement = (
            f"{opening} {average}, but the chart shows special causes, so it predicts nothing. "
            f"{reading}"
        )
    else:
        statement = f"{opening} {typical}. Expect that to continue unless the system changes."
    return statement + _provisional(phase, noun)


def volume_statement(
    chart: spc.Chart, labels: Sequence[str], *, subject: str, noun: str = "day"
) -> str:
    """The statement under a volume chart (a point a `noun`: day, week, weekday…), e.g.
    "Since Mon 2 Mar 2026 (65 weekdays), all contacts: typically 42 contacts a weekday, and
    predictably anywhere from 20.1 to 63.9. Expect that to continue unless the system
    changes." The numbers are the chart's latest phase's centre line and limits."""
    phase = chart.phases[-1]
    centre, lower, upper = limits_in_words(phase)
    return latest_phase_statement(
        chart,
        labels,
        noun=noun,
        opening=f"Since {labels[phase.start]} ({_count(len(phase.values), noun)}), {subject}:",
        typical=(
            f"typically {centre} contacts a {noun}, "
            f"and predictably anywhere from {lower} to {upper}"
        ),
        average=f"{centre} contacts a {noun} on average",
    )


def share_statement(chart: spc.Chart, labels: Sequence[str]) -> str:
    """The statement under the weekly failure-demand share chart (a point for each week with
    contacts), e.g. "Since w/c 2 Mar 2026 (13 weeks with contacts), failure demand has
    typically been 62% of all contacts a week, and the system predictably produces anywhere
    from 48% to 76%. Expect that to continue unless the system changes." """
    phase = chart.phases[-1]
    centre, lower, upper = limits_in_words(phase)
    weeks = _count(len(phase.values), "week")
    return latest_phase_statement(
        chart,
        labels,
        noun="week",
        opening=f"Since {labels[phase.start]} ({weeks} with contacts), failure demand has",
        typical=(
            f"typically been {centre}% of all contacts a week, and the system predictably "
            f"produces anywhere from {lower}% to {upper}%"
        ),
        average=f"been {centre}% of all contacts a week on average",
    )


# --- Charts with gaps: a week with no contacts has no share ---------------------------------


def starts_among(axis_starts: Sequence[int], present: Sequence[int]) -> list[int]:
    """Phase starts on the whole axis (phases_at_changes over every point) as phase starts
    among the points that have a value (`present`: their positions on the axis, in order)."""
    return [bisect.bisect_left(present, start) for start in axis_starts]


def gapped_chart_spec(
    chart: spc.Chart,
    points: Sequence[ChartPoint],
    present: Sequence[int],
    *,
    axis_starts: Sequence[int] = (),
    **spec_args,
) -> dict:
    """chart_spec for a chart worked out on some points of its axis only: `points` are every
    point of the axis, `present` the positions of those the chart has a value for, and
    `axis_starts` where its phases start on the axis. Every other point is a gap (y, its
    moving range and signal null), which the chart script leaves undrawn; `changes` are
    positions on the axis. The moving range after a gap is from the last value before it."""
    spec = chart_spec(chart, [points[i] for i in present], **spec_args)
    size = len(points)
    columns = {key: [0 if key == "rules" else None] * size for key in spec["columns"]}
    for key, values in spec["columns"].items():
        for position, value in zip(present, values, strict=True):
            columns[key][position] = value
    columns["x"] = [point.label for point in points]
    columns["href"] = [point.href for point in points]
    if any(point.tooltip for point in points):
        columns["tooltip"] = [point.tooltip for point in points]
    spec["columns"] = columns
    # Each phase from where its change falls on the axis (the later of two with no value
    # between them) to where the next one starts.
    on_axis = {bisect.bisect_left(present, start): start for start in sorted(axis_starts)}
    bounds = [on_axis[phase.start] if k else 0 for k, phase in enumerate(chart.phases)]
    for phase, start, end in zip(spec["phases"], bounds, [*bounds[1:], size], strict=True):
        phase.update(start=start, end=end)
    return spec


def gapped_table_rows(
    chart: spc.Chart, points: Sequence[ChartPoint], present: Sequence[int], *, gap: str
) -> list[dict]:
    """table_rows for every point of the axis: those without a value (see gapped_chart_spec)
    as a row that says `gap` ("no contacts") in place of a value, phase and signal."""
    rows = dict(zip(present, table_rows(chart, [points[i] for i in present]), strict=True))
    return [
        rows.get(i) or {"point": None, "extra": point, "phase": None, "rules_text": "", "gap": gap}
        for i, point in enumerate(points)
    ]
