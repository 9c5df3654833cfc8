"""Did it work? The measures either side of one system change, read from the database and judged
by analysis.verdicts (docs/method.md, "Did it work?"):

- end-to-end time of each case that started on or after the change's day and closed before the
  next change on the same chart, in closure order, against the cases closed in the phase before
  it (transition cases, started before and closed after, set aside and counted);
- the weekly volume of the failure demand linked to the system conditions the change addresses;
- hand-offs per case, a week at a time, over the same cases as end-to-end time;
- the one-stop rate: the share of each week's new cases met at the first contact.

The baseline is bounded to BASELINE_WEEKS before the change (about the capability charts' usual
six months), and to the previous change on the same chart. Weeks run Monday to Sunday and only
whole weeks count (analysis.demand). Counting happens in the database, in a fixed number of
queries whatever the number of cases: the changes either side (two), the cases either side
with each one's hand-offs (one, shared by end-to-end time and hand-offs per case), when the
service's records begin and the linked failure demand a week (two, when the change addresses a
condition), new cases and one-stop contacts a week (two).

`measures_of(change)` gives what a page needs to show the four measures (templates/analysis/
_did_it_work_measures.html): the "did it work?" page, and the change's case study.
"""

import bisect
import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.html import json_script

from analysis import capability, verdicts
from analysis.charts import (
    ChartPoint,
    chart_number,
    chart_spec,
    gapped_chart_spec,
    gapped_table_rows,
    table_rows,
)
from analysis.demand import DemandFilters, weekly_volume
from cases.models import Case, ServiceType, TimelineEntry, case_urls, format_reference
from demand.models import Contact
from improvement.models import SystemChange
from improvement.selectors import (
    linked_failure_demand,
    next_change_after,
    previous_change_before,
    system_conditions,
)
from lib.periods import start_of

BASELINE_WEEKS = 26  # the capability charts show about the last six months by default
TABLE_ROWS_SHOWN = capability.DAILY_VIEW_ABOVE  # more cases than this: the table is the CSV

END_TO_END = verdicts.Measure(
    title="End-to-end time", noun="case", unit="days", lower_is_better=True
)
FAILURE_DEMAND = verdicts.Measure(
    title="Failure demand linked to the conditions it addresses",
    noun="week",
    unit="contacts",
    lower_is_better=True,
    subject="failure demand linked to the conditions",
)
HANDOFFS = verdicts.Measure(
    title="Hand-offs per case",
    noun="week",
    unit="hand-offs per case",
    lower_is_better=True,
    subject="hand-offs per case closed in a week have",
)
ONE_STOP = verdicts.Measure(
    title="One-stop rate",
    noun="week",
    unit="%",
    lower_is_better=False,
    subject="the one-stop rate has",
    ceiling=100,
)


def _week_label(monday: date) -> str:
    return f"w/c {monday:%-d %b %Y}"


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Window:
    """The days either side of a change that its measures read: the baseline from `baseline_from`
    to the day before the change; after it, to the day before the next change on the same chart
    (or to yesterday: today is not over)."""

    change: SystemChange
    previous: SystemChange | None
    next: SystemChange | None
    today: date

    @classmethod
    def of(cls, change: SystemChange, today: date | None = None) -> "Window":
        return cls(
            change=change,
            previous=previous_change_before(change),
            next=next_change_after(change),
            today=today or timezone.localdate(),
        )

    @property
    def changed_on(self) -> date:
        return self.change.changed_on

    @property
    def baseline_from(self) -> date:
        earliest = self.changed_on - timedelta(weeks=BASELINE_WEEKS)
        return max(earliest, self.previous.changed_on) if self.previous else earliest

    @property
    def after_last_day(self) -> date:
        last = self.today - timedelta(days=1)
        return min(last, self.next.changed_on - timedelta(days=1)) if self.next else last

    @property
    def bounded_by_previous(self) -> bool:
        return self.previous is not None and self.baseline_from == self.previous.changed_on

    def baseline_mondays(self) -> list[date]:
        """The whole weeks (Monday to Sunday) of the baseline."""
        end = self.changed_on - timedelta(days=1)
        return DemandFilters(start=self.baseline_from, end=end).whole_weeks()

    def after_mondays(self) -> list[date]:
        """The whole weeks from the change's day on, over by yesterday and before the next
        change."""
        if self.after_last_day < self.changed_on:
            return []
        return DemandFilters(start=self.changed_on, end=self.after_last_day).whole_weeks()

    def baseline_cases(self) -> Q:
        """Cases of the baseline, by when they started: after the previous change, so not its
        transition cases (when they closed is each measure's own condition)."""
        if self.previous is None:
            return Q()
        return Q(opened_at__gte=start_of(self.previous.changed_on))


def _scope(service: ServiceType | None) -> Q:
    return Q() if service is None else Q(service_type=service)


@dataclass
class MeasureResult:
    """One measure either side of the change: its verdict, in words, its chart and table."""

    measure: verdicts.Measure
    key: str  # the chart's id on the page
    outcome: str = ""  # the verdict's (verdicts.IMPROVEMENT, ...), "" when not judged
    words: str = ""  # the verdict
    new_voice: str = ""  # the after-points' own phase in words, once something has shown
    spec_script: str = ""  # the chart's JSON, written out (json_script) as "<key>-data"
    chart_title: str = ""
    provisional: bool = False  # the baseline's limits, and so the lines carried forward
    rows: list = field(default_factory=list)
    x_heading: str = "Week"
    value_heading: str = ""
    notes: list[str] = field(default_factory=list)  # what was read, and what was set aside
    # Not charted (say why instead): e.g. the change addresses no condition.
    missing: str = ""
    # What to keep in mind while reading the verdict (end-to-end time soon after a change).
    caveat: str = ""
    # Too many points for a table here: what to say, and where they are instead.
    table_elsewhere: str = ""
    table_link: str = ""
    # The verdict and the chart's spec themselves (not kept with a large chart's drawing).
    verdict: verdicts.Verdict | None = None
    spec: dict | None = None

    @property
    def outcome_tag(self) -> str:
        """A short tag for the verdict (never a rating: just which way it has shown)."""
        return {
            verdicts.IMPROVEMENT: "Improvement",
            verdicts.CONCERN: "Concern",
            verdicts.BOTH: "Improvement and concern",
            verdicts.NO_SIGNAL: "No signal yet",
            verdicts.NO_POINTS_YET: "Too soon to say",
            verdicts.NO_BASELINE: "Nothing to compare with",
        }.get(self.outcome, "")

    def judged(self, verdict: verdicts.Verdict) -> None:
        self.verdict, self.outcome = verdict, verdict.outcome
        after = verdict.after
        self.provisional = bool(after and after.has_limits and after.is_provisional)

    def without_objects(self) -> "MeasureResult":
        """Itself without the verdict's chart and the spec (a chart of 30,000 cases is a few MB
        of objects): what a page shows is in the words and the spec's JSON, kept in a cache."""
        self.verdict = self.spec = None
        return self

    def charted(self, spec: dict) -> None:
        self.spec, self.chart_title = spec, spec["title"]
        self.spec_script = json_script(spec, f"{self.key}-data")


class _Lazy(Sequence):
    """Labels made only for the few points the words name (a chart of 30,000 cases needs no
    30,000 labels)."""

    def __init__(self, size: int, make):
        self.size, self.make = size, make

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < self.size:
            raise IndexError(index)
        return self.make(index)


def _change_mark(window: Window) -> str:
    return f"{window.change.description} ({_day(window.changed_on)})"


# --- a. End-to-end time -----------------------------------------------------------------------


# Each case's hand-offs: recorded hand-offs of ownership, and steps recorded as a hand-off, as
# the flow page counts them (analysis.flow), counted by the database (timeline_handoff_idx).
HANDOFF = Q(kind=TimelineEntry.Kind.HANDOFF) | Q(
    kind=TimelineEntry.Kind.STEP, step_kind=TimelineEntry.StepKind.HANDOFF
)
HANDOFFS_OF_CASE = Coalesce(
    Subquery(
        TimelineEntry.objects.filter(HANDOFF, case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(count=Count("*"))
        .values("count")
    ),
    0,
)


@dataclass(frozen=True)
class Cases:
    """The closed cases either side of the change, in closure order, each with its end-to-end
    time and hand-offs: the baseline's first (`split` of them), then the cases closed after
    the change, of which `after` (their positions) started on or after its day."""

    series: capability.EndToEndSeries
    split: int
    after: list[int]

    @property
    def transition(self) -> int:
        return len(self.series) - self.split - len(self.after)


def cases_either_side(window: Window, service: ServiceType | None) -> Cases:
    """The baseline's cases (closed from its first day to the change, not the previous
    change's transition cases) and the cases after the change (closed before the next one), in
    closure order, with each case's hand-offs. One query (analysis.capability.
    end_to_end_series); the split is made at C speed."""
    cases = Case.objects.filter(
        _scope(service),
        window.baseline_cases(),
        status=Case.Status.CLOSED,
        closed_at__gte=start_of(window.baseline_from),
    )
    if window.next is not None:
        cases = cases.filter(closed_at__lt=start_of(window.next.changed_on))
    series = capability.end_to_end_series(cases, handoffs=HANDOFFS_OF_CASE)
    moment = start_of(window.changed_on).timestamp()
    split = bisect.bisect_left(series.closed_at, moment)  # the series is in closure order
    started_after = map(operator.ge, series.opened_at[split:], itertools.repeat(moment))
    return Cases(series, split, list(itertools.compress(range(split, len(series)), started_after)))


def end_to_end(
    window: Window, service: ServiceType | None, cases: Cases, *, screening: bool = True
) -> MeasureResult:
    """Each case's end-to-end days, the baseline's then the after-points (the cases that
    started on or after the change's day), judged. A chart of more than TABLE_ROWS_SHOWN cases
    is kept once drawn, as the capability charts are (analysis.capability.kept): the same
    cases, changes and days give the same drawing."""
    if len(cases.series) <= TABLE_ROWS_SHOWN:
        return _end_to_end(window, service, cases, screening)
    changes = [c for c in (window.previous, window.change, window.next) if c is not None]
    days = (window.baseline_from, window.changed_on, window.after_last_day)
    settings = ("did it work?", service.pk if service else None, days, screening)
    return capability.kept(
        cases.series,
        changes,
        settings,
        lambda: _end_to_end(window, service, cases, screening).without_objects(),
    )


def _end_to_end(
    window: Window, service: ServiceType | None, cases: Cases, screening: bool
) -> MeasureResult:
    series, split, after, transition = cases.series, cases.split, cases.after, cases.transition
    days = series.days
    verdict = verdicts.judge(
        days[:split], [days[i] for i in after], lower_is_better=True, screening=screening
    )
    result = MeasureResult(
        measure=END_TO_END, key="end-to-end", x_heading="Case", value_heading="Days"
    )
    result.judged(verdict)
    zone = timezone.get_current_timezone()

    def closed_on(index: int) -> date:
        return datetime.fromtimestamp(series.closed_at[index], tz=zone).date()

    def case_label(k: int) -> str:
        i = after[k]
        return f"{format_reference(series.case_ids[i])}, closed {closed_on(i):%-d %b %Y}"

    result.words = verdicts.verdict_words(verdict, _Lazy(len(after), case_label), noun="case")
    result.new_voice = verdicts.new_voice_statement(
        verdict,
        END_TO_END,
        _Lazy(len(after), lambda k: f"{closed_on(after[k]):%-d %b %Y}"),
        since=window.changed_on,
    )
    shown = [*range(split), *after]  # the chart's points: the baseline's, then the after-points
    ids = [series.case_ids[i] for i in shown]
    points = [
        ChartPoint(label=format_reference(pk), href=url, day=closed_on(i))
        for pk, url, i in zip(ids, case_urls(ids), shown, strict=True)
    ]
    marks = [(split, _change_mark(window))] if verdict.baseline and verdict.after else []
    if points:
        result.charted(
            chart_spec(
                verdict.chart,
                points,
                title=f"{END_TO_END.title}, {_scope_name(service)}",
                unit="days",
                changes=marks,
            )
        )
    if len(points) <= TABLE_ROWS_SHOWN:
        result.rows = table_rows(verdict.chart, points)
    else:
        result.table_elsewhere = (
            f"With {len(points):,} cases the table would be too long to read here: every case, "
            "with its end-to-end time, is in the capability chart's download (CSV)."
        )
        slug = service.slug if service else "all"
        period = {"from": window.baseline_from, "to": window.after_last_day}
        result.table_link = (
            f"{reverse('analysis:capability_csv', kwargs={'service': slug})}?{urlencode(period)}"
        )
    result.caveat = _too_soon_for_slow_cases(window, verdict)
    result.notes.append(
        f"Baseline: {_count(split, 'case')} closed from {_day(window.baseline_from)} to the day "
        f"before the change{_bounded(window)}. After: {_count(len(after), 'case')} that started "
        f"on or after {_day(window.changed_on)} and have closed"
        + (f" before the next change, on {_day(window.next.changed_on)}." if window.next else ".")
    )
    if transition:
        result.notes.append(
            f"{_count(transition, 'case')} started before the change and closed after it: set "
            "aside (not drawn, and not judged), because done partly the old way (transition "
            f"case{'' if transition == 1 else 's'})."
        )
    return result


def _too_soon_for_slow_cases(window: Window, verdict: verdicts.Verdict) -> str:
    """Only cases quick enough to have closed can be after-points yet: until the change is
    older than the old system's slow cases took (the baseline's upper limit), the first points
    after it are the quicker cases, whatever the change did. Say so while it is."""
    baseline, after = verdict.baseline, verdict.after
    if baseline is None or after is None:
        return ""
    until = window.next.changed_on if window.next else window.today
    elapsed = (until - window.changed_on).days
    slow = baseline.upper_limit if baseline.has_limits else max(baseline.values)
    if elapsed >= slow:
        return ""
    return (
        f"The change was only {_count(elapsed, 'day')} "
        f"{'before the next one' if window.next else 'ago'}, less than the baseline's slow cases "
        f"took ({chart_number(slow)} days, its upper limit): a case that started after it and "
        "takes that long cannot have closed yet, so the points after the change are the "
        "quicker ones so far. Read a signal of improvement here with care until more time "
        "has passed."
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun if number == 1 else noun + 's'}"


def _bounded(window: Window) -> str:
    if window.bounded_by_previous:
        return f" (from the previous change on this chart, {_day(window.previous.changed_on)})"
    return (
        f" (the {BASELINE_WEEKS} weeks before the change, about the capability charts' six months)"
    )


def _scope_name(service: ServiceType | None) -> str:
    return service.name if service else "all services"


# --- b, c, d. A value a week ------------------------------------------------------------------


def _weekly(
    window: Window,
    measure: verdicts.Measure,
    key: str,
    values: dict[date, float | None],
    shown: dict[date, str],
    *,
    gap: str,
    value_heading: str,
    gaps_why: str | None = None,
) -> MeasureResult:
    """A measure with a value for each whole week either side of the change (None: a gap, a
    week with nothing to make a rate of), judged and charted: the baseline's weeks, then the
    weeks after the change against the baseline's lines."""
    before, after = window.baseline_mondays(), window.after_mondays()
    mondays = before + after
    present = [i for i, monday in enumerate(mondays) if values.get(monday) is not None]
    baseline_values = [values[mondays[i]] for i in present if i < len(before)]
    after_present = [i for i in present if i >= len(before)]
    verdict = verdicts.judge(
        baseline_values,
        [values[mondays[i]] for i in after_present],
        lower_is_better=measure.lower_is_better,
        ceiling=measure.ceiling,
    )
    after_labels = [_week_label(mondays[i]) for i in after_present]
    result = MeasureResult(measure=measure, key=key, value_heading=value_heading)
    result.judged(verdict)
    result.words = verdicts.verdict_words(verdict, after_labels, noun="week")
    result.new_voice = verdicts.new_voice_statement(
        verdict, measure, after_labels, since=window.changed_on
    )
    if not present:
        return result
    points = []
    for monday in mondays:
        label = _week_label(monday)
        points.append(ChartPoint(label=label, tooltip=f"{label}: {shown.get(monday) or gap}"))
    judged = verdict.baseline is not None and verdict.after is not None
    result.charted(
        gapped_chart_spec(
            verdict.chart,
            points,
            present,
            axis_starts=[len(before)] if judged else [],
            title=measure.title,
            unit=measure.unit,
            changes=[(len(before), _change_mark(window))] if before and after else [],
            y_max=measure.ceiling,
        )
    )
    result.rows = gapped_table_rows(verdict.chart, points, present, gap=gap)
    for row, monday in zip(result.rows, mondays, strict=True):
        row["shown"] = shown.get(monday, "")
    result.notes.append(_weeks_read(window, before, after))
    gaps = len(mondays) - len(present)
    if gaps:
        why = f"had none, so no {measure.title.lower()}" if gaps_why is None else gaps_why
        result.notes.append(
            f"{_count(gaps, 'week')} {why}: {'a gap' if gaps == 1 else 'gaps'} in the chart, and "
            f"“{gap.lower()}” in the table. The lines and signals are worked out on the weeks "
            "that have one."
        )
    return result


def _weeks_read(window: Window, before: list[date], after: list[date]) -> str:
    """Which weeks a weekly measure read, in words."""
    if before:
        words = (
            f"Baseline: {_count(len(before), 'whole week')} (Monday to Sunday) from "
            f"{_week_label(before[0])}{_bounded(window)}."
        )
    else:
        words = "Baseline: no whole week (Monday to Sunday) before the change to read."
    if after:
        words += f" After: {_count(len(after), 'whole week')} from {_week_label(after[0])}."
    else:
        words += " After: no whole week yet."
    if window.changed_on.weekday():
        words += (
            f" The week of the change ({_week_label(_monday_of(window.changed_on))}) is left "
            "out: it was partly before the change and partly after."
        )
    return words


def records_begin(service: ServiceType | None) -> date | None:
    """The day of the first contact on record for the service (or any service): before it, a
    week with no contacts is not a week of none, only one before CouncilFlow was used. One
    query, from the index on received_at alone."""
    first = Contact.objects.filter(_scope(service)).aggregate(first=Min("received_at"))["first"]
    return None if first is None else timezone.localtime(first).date()


def failure_demand(
    window: Window, conditions: Sequence, *, records_from: date | None = None
) -> MeasureResult:
    """The weekly volume of the failure demand linked to the conditions (their kinds of failure
    demand and demand types, and the contacts marked as their evidence): one GROUP BY. A week
    with none is a 0 once records have begun (`records_from`: records_begin; None, from the
    start), a gap before. The conditions' links should be prefetched."""
    if not conditions:
        return MeasureResult(
            measure=FAILURE_DEMAND,
            key="failure-demand",
            missing=(
                "This change addresses no system condition yet, so there is no linked failure "
                "demand to chart. Link the conditions it addresses to see whether the failure "
                "demand they cause has fallen."
            ),
        )
    mondays = window.baseline_mondays() + window.after_mondays()
    counts = dict(weekly_volume(linked_failure_demand(conditions), mondays))
    # A week is on record once it ends after records began (its last day is on or after it).
    recorded = {
        monday: count
        for monday, count in counts.items()
        if records_from is None or monday + timedelta(days=6) >= records_from
    }
    result = _weekly(
        window,
        FAILURE_DEMAND,
        "failure-demand",
        {monday: float(count) for monday, count in recorded.items()},
        {monday: f"{count:,}" for monday, count in recorded.items()},
        gap="Before the first contact on record",
        value_heading="Contacts",
        gaps_why=(
            "came before the first contact on record (weeks before CouncilFlow was used, not "
            "weeks of none)"
        ),
    )
    named = ", ".join(f"“{condition.title}”" for condition in conditions)
    result.notes.insert(0, f"Failure-demand contacts linked to {named}, counted each week.")
    return result


def _weeks_range(mondays: list[date], moment: str) -> Q:
    return Q(
        **{
            f"{moment}__gte": start_of(mondays[0]),
            f"{moment}__lt": start_of(mondays[-1] + timedelta(weeks=1)),
        }
    )


def handoffs_per_case(window: Window, cases: Cases) -> MeasureResult:
    """Each whole week's closed cases and their hand-offs, on average: the same cases as
    end-to-end time (the baseline's, not the previous change's transition cases; after the
    change, those that started on or after its day), each case's hand-offs counted by the
    database as it read them. A week's cases are found by where its Monday and the next fall
    in the cases' closure order (a bisection a week, not a pass over the cases). A week with
    no cases closed is a gap: there is no rate to make."""
    series, split = cases.series, cases.split
    handoffs = series.extra["handoffs"]
    sides = [
        (window.baseline_mondays(), series.closed_at[:split], handoffs[:split]),
        (
            window.after_mondays(),
            [series.closed_at[i] for i in cases.after],
            [handoffs[i] for i in cases.after],
        ),
    ]
    values, shown = {}, {}
    for mondays, closed_at, counts in sides:
        for monday in mondays:
            first = bisect.bisect_left(closed_at, start_of(monday).timestamp())
            end = bisect.bisect_left(closed_at, start_of(monday + timedelta(weeks=1)).timestamp())
            if end > first:
                number, total = end - first, sum(counts[first:end])
                values[monday] = total / number
                shown[monday] = (
                    f"{chart_number(total / number)} "
                    f"({_count(total, 'hand-off')} in {_count(number, 'case')})"
                )
    result = _weekly(
        window,
        HANDOFFS,
        "handoffs",
        values,
        shown,
        gap="No cases closed",
        value_heading="Hand-offs per case",
    )
    result.notes.insert(
        0,
        "Each week's closed cases, and how many times each was handed to someone else, on "
        "average. The same cases as end-to-end time: after the change, only those that started "
        "on or after its day.",
    )
    return result


def one_stop_rate(window: Window, service: ServiceType | None) -> MeasureResult:
    """The share of each whole week's new cases met in their first contact: one-stop, as the
    flow page counts it. The services mark a contact one-stop only when it opened and closed its
    case (demand.services.contact_open_case), so each week's one-stop contacts are its one-stop
    cases. Two GROUP BYs, each read from an index alone: new cases, and one-stop contacts. A
    week with no new cases is a gap."""
    mondays = window.baseline_mondays() + window.after_mondays()
    values, shown = {}, {}
    if mondays:
        new_cases = _weekly_counts(
            Case.objects.filter(_weeks_range(mondays, "opened_at"), _scope(service)), "opened_at"
        )
        one_stop = _weekly_counts(
            Contact.objects.filter(
                _weeks_range(mondays, "received_at"), _scope(service), is_one_stop=True
            ),
            "received_at",
        )
        for monday, cases in new_cases.items():
            met = one_stop.get(monday, 0)
            values[monday] = 100 * met / cases
            shown[monday] = f"{chart_number(100 * met / cases)}% ({met:,} of {cases:,})"
    result = _weekly(
        window,
        ONE_STOP,
        "one-stop",
        values,
        shown,
        gap="No new cases",
        value_heading="One-stop (share of new cases)",
    )
    result.notes.insert(
        0,
        "Each week's new cases, and the share of them whose need was met in the first contact "
        "(one-stop). Higher is better here.",
    )
    return result


def _weekly_counts(rows: QuerySet, moment: str) -> dict[date, int]:
    weeks = rows.annotate(week=TruncWeek(moment)).values("week").annotate(count=Count("*"))
    return {_as_date(row["week"]): row["count"] for row in weeks.order_by("week")}


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- All four ---------------------------------------------------------------------------------


def change_with_conditions() -> QuerySet[SystemChange]:
    """System changes with what a "did it work?" page shows of them: the conditions each
    addresses, with the links its failure demand is read through."""
    return SystemChange.objects.select_related(
        "service_type", "recorded_by", "withdrawn_by"
    ).prefetch_related(Prefetch("conditions", queryset=system_conditions().order_by("title")))


@dataclass
class DidItWork:
    window: Window
    measures: list[MeasureResult]

    @property
    def with_charts(self) -> list[MeasureResult]:
        return [measure for measure in self.measures if measure.spec_script]


def measures_of(change: SystemChange, *, today: date | None = None) -> DidItWork:
    """The four measures either side of a change, each judged against its baseline. The
    change's conditions, with their links, should be prefetched (improvement.selectors
    .system_conditions())."""
    window = Window.of(change, today)
    service = change.service_type
    cases = cases_either_side(window, service)
    conditions = list(change.conditions.all())
    records_from = records_begin(service) if conditions else None
    return DidItWork(
        window=window,
        measures=[
            end_to_end(window, service, cases),
            failure_demand(window, conditions, records_from=records_from),
            handoffs_per_case(window, cases),
            one_stop_rate(window, service),
        ],
    )
