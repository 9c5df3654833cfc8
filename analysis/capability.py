"""Reads for capability charts: each closed case's end-to-end time, computed in the database
and streamed into compact arrays, so memory stays flat whatever the number of cases."""

import hashlib
import itertools
import operator
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from django.core.cache import caches
from django.db import connections
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from analysis import spc
from analysis.charts import capability_statement, phases_at_changes
from cases.models import Case, ServiceType
from demand.models import Contact, DemandType
from lib.periods import start_of

SECONDS_A_DAY = 86400
DEFAULT_MONTHS = 6
DAILY_VIEW_ABOVE = 1000  # points: over this, the page offers the daily-mean view

END_TO_END = ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())


def channel_choices() -> list[tuple[str, str]]:
    return list(Contact.Channel.choices)


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=round(DEFAULT_MONTHS * 365.25 / 12)), today


@dataclass(frozen=True)
class CapabilityFilters:
    """Closed cases whose need was met between start and end (inclusive dates)."""

    start: date
    end: date
    channel: str = ""  # of the case's first contact
    cleanliness: str = ""  # "clean", "dirty" or "" for both
    screening: bool = True
    # Cases that started before a system change and closed after it (transition cases) are
    # drawn but left out of their phase's lines and rules, unless this is True.
    include_transitions: bool = False
    asked_for: DemandType | None = None  # the demand type of the case's first value contact

    def cases(self, service: ServiceType | None) -> QuerySet[Case]:
        cases = Case.objects.filter(
            status=Case.Status.CLOSED,
            closed_at__gte=start_of(self.start),
            closed_at__lt=start_of(self.end + timedelta(days=1)),
        )
        if service is not None:
            cases = cases.filter(service_type=service)
        contacts = Contact.objects.filter(case=OuterRef("pk"))
        if self.channel:
            first_channel = contacts.order_by("received_at", "pk").values("channel")[:1]
            cases = cases.annotate(first_channel=Subquery(first_channel)).filter(
                first_channel=self.channel
            )
        if self.cleanliness:
            cases = cases.filter(is_dirty=self.cleanliness == "dirty")
        if self.asked_for is not None:
            cases = cases.annotate(asked_for=Subquery(first_asked_for)).filter(
                asked_for=self.asked_for.pk
            )
        return cases


# What a case is for: the demand type of its first value-demand contact (failure demand has none).
first_asked_for = (
    Contact.objects.filter(case=OuterRef("pk"), demand=Contact.Demand.VALUE)
    .order_by("received_at", "pk")
    .values("demand_type")[:1]
)


@dataclass
class EndToEndSeries:
    """One point per closed case in closed_at order, held in typed arrays (8 bytes a value)."""

    case_ids: array
    service_ids: array
    opened_at: array  # POSIX seconds
    closed_at: array  # POSIX seconds
    # More integers per case, by name, when asked for (end_to_end_series' `extra`).
    extra: dict[str, array] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.case_ids)

    @cached_property
    def days(self) -> array:
        """End-to-end days, worked out at C speed when first asked for (a kept chart of the same
        cases does not need them)."""
        elapsed = map(operator.sub, self.closed_at, self.opened_at)
        return array("d", map(operator.truediv, elapsed, itertools.repeat(SECONDS_A_DAY)))

    @cached_property
    def digest(self) -> bytes:
        """What identifies the points: each case and its two moments."""
        digest = hashlib.blake2b(digest_size=20)
        for column in (self.case_ids, self.opened_at, self.closed_at):
            digest.update(column.tobytes())
        for name, column in sorted(self.extra.items()):
            digest.update(name.encode())
            digest.update(column.tobytes())
        return digest.digest()


class Epoch(Func):
    """A moment as seconds since 1970 (a float), computed by the database: cheaper to fetch
    than a datetime, and what the chart and the CSV work from."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Whole seconds, then the microseconds of the stored text ('YYYY-MM-DD HH:MM:SS.ffffff',
        # UTC): julianday() arithmetic would be out by up to ~20 microseconds. '%%%%s' is '%s'
        # once this template and then the placeholders are filled in.
        template = (
            "(CAST(strftime('%%%%s', %(expressions)s) AS REAL)"
            " + COALESCE(CAST(NULLIF(substr(%(expressions)s, 21, 6), '') AS INTEGER), 0) / 1e6)"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


SERIES_CHUNK = 10000  # rows fetched at a time: memory stays flat whatever the number of cases


def end_to_end_series(cases: QuerySet[Case], **extra) -> EndToEndSeries:
    """One query, read in chunks straight from the cursor into typed arrays: no model
    instances, no datetimes, no row-by-row Python. `extra`: expressions giving an integer per
    case (e.g. its hand-offs, counted by the database), read into series.extra by name."""
    series = EndToEndSeries(array("q"), array("q"), array("d"), array("d"))
    series.extra = {name: array("q") for name in extra}
    query = (
        cases.annotate(opened=Epoch("opened_at"), closed=Epoch("closed_at"), **extra)
        .order_by("closed_at", "pk")
        .values_list("pk", "service_type_id", "opened", "closed", *extra)
    )
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(SERIES_CHUNK):
            ids, services, opened, closed, *more = zip(*rows, strict=True)
            series.case_ids.extend(ids)
            series.service_ids.extend(services)
            series.opened_at.extend(opened)
            series.closed_at.extend(closed)
            for column, values in zip(series.extra.values(), more, strict=True):
                column.extend(values)
    return series


def daily_means(cases: QuerySet[Case]) -> list[tuple[date, float, int]]:
    """(day, mean end-to-end days, cases closed) per day with closures, in the database."""
    rows = (
        cases.annotate(day=TruncDate("closed_at"), end_to_end=END_TO_END)
        .values("day")
        .annotate(mean=Avg("end_to_end"), count=Count("pk"))
        .order_by("day")
    )
    return [(row["day"], row["mean"].total_seconds() / SECONDS_A_DAY, row["count"]) for row in rows]


def _local_date(seconds: float) -> date:
    return timezone.localtime(datetime.fromtimestamp(seconds, tz=UTC)).date()


def transition_flags(
    opened_at: Sequence[float], closed_at: Sequence[float], change_moments: Sequence[float]
) -> list[bool]:
    """Per case (POSIX seconds): True for a transition case, one that started before a system
    change (the start of its day, in `change_moments`) and closed on or after it. It was done
    partly the old way, so it says little about the new system. At C speed, a pass a change."""
    flags = [False] * len(closed_at)
    for moment in change_moments:
        started_before = map(operator.lt, opened_at, itertools.repeat(moment))
        closed_after = map(operator.ge, closed_at, itertools.repeat(moment))
        flags = list(map(operator.or_, flags, map(operator.and_, started_before, closed_after)))
    return flags


def transition_cases(changes) -> Q:
    """The same rule as transition_flags, for the database."""
    spans = Q(pk__in=[])
    for change in changes:
        moment = start_of(change.changed_on)
        spans |= Q(opened_at__lt=moment, closed_at__gte=moment)
    return spans


@dataclass
class CapabilityChart:
    chart: spc.Chart
    change_marks: list[tuple[int, str]]
    phase_since: list[date]  # per phase: the change date, or its first point's date
    transition: list[bool] | None = None  # per point, when the points are cases
    statement: str = ""  # the latest phase in words (analysis.charts.capability_statement)


class DayLabels(Sequence):
    """Each point's local date as the chart's axis shows it ("3 Mar 2026"), worked out only for
    the few a statement names: a chart of 100,000 cases needs no 100,000 dates."""

    def __init__(self, moments: Sequence):
        self.moments = moments

    def __len__(self) -> int:
        return len(self.moments)

    def __getitem__(self, index: int) -> str:
        moment = self.moments[index]
        day = _local_date(moment) if isinstance(moment, float) else moment
        return f"{day:%-d %b %Y}"


def capability_chart(
    moments: Sequence,
    values,
    service: ServiceType | None,
    *,
    screening: bool,
    changes: Sequence,
    opened: Sequence[float] | None = None,
    include_transitions: bool = False,
) -> CapabilityChart:
    """XmR of end-to-end days (lower is better), a phase at each of `changes` (the system
    changes of this service, or of all services). `moments` are the points' dates, or their
    POSIX seconds: compared with the start of each change's day, so 100,000 points need no date
    conversions. With `opened` (each case's start, in POSIX seconds), transition cases are
    set aside from their phase's lines and rules unless include_transitions."""
    as_seconds = bool(moments) and isinstance(moments[0], float)
    thresholds = [
        start_of(change.changed_on).timestamp() if as_seconds else change.changed_on
        for change in changes
    ]
    starts, marks = phases_at_changes(moments, changes, thresholds)
    transition = None if opened is None else transition_flags(opened, moments, thresholds)
    set_aside = transition if transition and not include_transitions else ()
    chart = spc.xmr(values, phase_starts=starts, screening=screening, set_aside=set_aside)
    since = []
    for phase in chart.phases:
        first = moments[phase.start]
        started_by = [c.changed_on for c, t in zip(changes, thresholds, strict=True) if t <= first]
        if phase.start and started_by:
            since.append(started_by[-1])
        else:
            since.append(_local_date(first) if as_seconds else first)
    statement = (
        capability_statement(
            chart, DayLabels(moments), since=since[-1], noun="case" if as_seconds else "day"
        )
        if chart.phases
        else ""
    )
    return CapabilityChart(
        chart=chart,
        change_marks=marks,
        phase_since=since,
        transition=transition,
        statement=statement,
    )


# Per-case charts are kept once drawn (a team leader looks at a chart again and again) in the
# "charts" cache (settings.CACHES), keyed by a digest of everything each was drawn from: the same
# cases with the same times, the same system changes and the same settings give the same chart,
# and any change gives a new key, so a kept chart is never stale. The cases are still read every
# time; only the drawing is kept.
CHART_CACHE = "charts"


def kept(series: EndToEndSeries, changes: Sequence, settings: tuple, draw: Callable):
    """draw(), or what it returned before for the same series, changes and settings."""
    described = [(c.pk, c.changed_on, c.service_type_id, c.description) for c in changes]
    digest = hashlib.blake2b(series.digest, digest_size=20)
    digest.update(repr((described, settings)).encode())
    key = f"capability:{digest.hexdigest()}"
    cache = caches[CHART_CACHE]
    drawn = cache.get(key)
    if drawn is None:
        drawn = draw()
        cache.set(key, drawn)
    return drawn


def series_chart(
    series: EndToEndSeries,
    service: ServiceType | None,
    *,
    screening: bool,
    changes: Sequence,
    include_transitions: bool = False,
) -> CapabilityChart:
    """The capability chart of each case's end-to-end time, kept once drawn: the page and its
    CSV share it."""
    return kept(
        series,
        changes,
        ("xmr", screening, include_transitions),
        lambda: capability_chart(
            series.closed_at,
            series.days,
            service,
            screening=screening,
            changes=changes,
            opened=series.opened_at,
            include_transitions=include_transitions,
        ),
    )


def services_with_closures(filters: CapabilityFilters) -> list[dict]:
    return list(
        filters.cases(None)
        .values(name=F("service_type__name"), slug=F("service_type__slug"))
        .annotate(count=Count("pk"))
        .order_by("name")
    )
