"""Reads for studying flow: work in progress (open cases by age) and the flow of closed cases
(contacts, steps by kind, hand-offs, one-stop, clean and dirty, end-to-end times).

Every count, total and duration is computed in the database (GROUP BY, never a loop over
cases), and each page runs a fixed number of queries whatever the number of cases; Python only
adds up the few per-service rows for "all services" and divides totals into means. Medians come
from a window query per grouping: the rows of each group are numbered in order and only the
middle one or two come back (SQLite has no percentile function; this works the same on
PostgreSQL)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.paginator import Page
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts import roles
from cases.models import WASTE_STEP_KINDS, Case, ServiceType, TimelineEntry
from cases.selectors import page_with_contact_summary
from demand.models import Contact
from lib.periods import start_of

STEP = TimelineEntry.Kind.STEP
HANDOFF = TimelineEntry.Kind.HANDOFF
StepKind = TimelineEntry.StepKind


def _middle_values(
    queryset: QuerySet, *, partition: Sequence[str], value: str
) -> dict[tuple, list]:
    """For each group of `partition`, the middle value (odd count) or two middle values (even
    count) of `value`, in one query: ROW_NUMBER and COUNT over the group, filtered to the
    middle. Positions are integers, so (n + 1) / 2 and n / 2 + 1 divide as integers on SQLite
    and PostgreSQL alike: n = 5 keeps row 3, n = 4 keeps rows 2 and 3."""
    window = {"partition_by": [F(name) for name in partition] or None}
    rows = (
        queryset.order_by()
        .annotate(
            middle_position=Window(RowNumber(), order_by=[F(value).asc(), F("pk").asc()], **window),
            group_size=Window(Count("pk"), **window),
        )
        .filter(
            middle_position__gte=(F("group_size") + 1) / 2,
            middle_position__lte=F("group_size") / 2 + 1,
        )
        .values_list(*partition, value, "middle_position")
    )
    middles: dict[tuple, list] = defaultdict(list)
    for *key, middle, _position in sorted(rows, key=lambda row: row[-1]):
        middles[tuple(key)].append(middle)
    return dict(middles)


def _median_duration(values: list[timedelta] | None) -> timedelta | None:
    return sum(values, timedelta()) / len(values) if values else None


def _median_moment(values: list[datetime] | None) -> datetime | None:
    return values[0] + (values[-1] - values[0]) / 2 if values else None


# --- Work in progress -------------------------------------------------------------------------


def open_cases(*, service: ServiceType | None = None, owner=None) -> QuerySet[Case]:
    """Open cases, filtered by service and owner. Not yet ordered or summarised."""
    cases = Case.objects.filter(status=Case.Status.OPEN)
    if service is not None:
        cases = cases.filter(service_type=service)
    if owner is not None:
        cases = cases.filter(owner=owner)
    return cases


def open_cases_oldest_first(cases: QuerySet[Case], number, per_page: int) -> Page:
    """A page of the list: oldest first, with contacts, the last contact and clean or dirty
    (summarised for the page's cases only)."""
    ordered = cases.select_related("service_type", "citizen", "owner").order_by("opened_at", "pk")
    return page_with_contact_summary(ordered, number, per_page)


@dataclass(frozen=True)
class OpenSummary:
    """Open cases of a group (a service, an owner, or all): how many, and how old."""

    name: str
    count: int
    oldest_opened_at: datetime | None
    median_opened_at: datetime | None = None
    key: str = ""
    now: datetime = field(default_factory=timezone.now)

    @property
    def oldest_age(self) -> timedelta | None:
        return self.now - self.oldest_opened_at if self.oldest_opened_at else None

    @property
    def median_age(self) -> timedelta | None:
        return self.now - self.median_opened_at if self.median_opened_at else None


def open_by_service(
    cases: QuerySet[Case], *, now: datetime, with_total: bool = True
) -> tuple[list[OpenSummary], OpenSummary | None]:
    """Per service type (by name): open cases, the oldest, the median age; and the same for all
    of them. Two queries, and two more for the totals."""
    grouped = (
        cases.order_by()
        .values("service_type_id", "service_type__name", "service_type__slug")
        .annotate(count=Count("pk"), oldest=Min("opened_at"))
        .order_by("service_type__name")
    )
    rows = list(grouped)
    medians = _middle_values(cases, partition=["service_type_id"], value="opened_at")
    services = [
        OpenSummary(
            name=row["service_type__name"],
            key=row["service_type__slug"],
            count=row["count"],
            oldest_opened_at=row["oldest"],
            median_opened_at=_median_moment(medians.get((row["service_type_id"],))),
            now=now,
        )
        for row in rows
    ]
    total = None
    if with_total and rows:
        totals = cases.order_by().aggregate(count=Count("pk"), oldest=Min("opened_at"))
        overall = _middle_values(cases, partition=[], value="opened_at")
        total = OpenSummary(
            name="All services",
            count=totals["count"],
            oldest_opened_at=totals["oldest"],
            median_opened_at=_median_moment(overall.get(())),
            now=now,
        )
    return services, total


def open_by_owner(cases: QuerySet[Case], *, now: datetime) -> list[OpenSummary]:
    """Per owner, sorted by name (for sharing out work, never a ranking): open cases and the
    oldest. One query."""
    rows = (
        cases.order_by()
        .values("owner_id", "owner__first_name", "owner__last_name", "owner__username")
        .annotate(count=Count("pk"), oldest=Min("opened_at"))
        .order_by("owner__first_name", "owner__last_name", "owner__username")
    )
    return [
        OpenSummary(
            name=f"{row['owner__first_name']} {row['owner__last_name']}".strip()
            or row["owner__username"],
            key=str(row["owner_id"]),
            count=row["count"],
            oldest_opened_at=row["oldest"],
            now=now,
        )
        for row in rows
    ]


def possible_owners():
    """Everyone who can own a case, and anyone who still owns an open case (someone who has
    left may still hold work that needs sharing out)."""
    holds_open_work = Case.objects.filter(owner=OuterRef("pk"), status=Case.Status.OPEN)
    can_own = Q(is_active=True) & (
        Q(groups__name__in=roles.CASE_OWNING_ROLES) | Q(is_superuser=True)
    )
    return (
        get_user_model()
        .objects.filter(can_own | Q(Exists(holds_open_work)))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# --- Flow of closed cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class FlowPeriod:
    """Cases closed (the need met) from `start` to `end`, inclusive local dates; one service or
    all."""

    start: date
    end: date
    service: ServiceType | None = None

    def cases_q(self, prefix: str = "") -> Q:
        """The closed cases of the period, as a condition on Case (or, with `prefix`, on a
        model that refers to one, e.g. "case__")."""
        q = Q(
            **{
                f"{prefix}status": Case.Status.CLOSED,
                f"{prefix}closed_at__gte": start_of(self.start),
            }
        )
        if self.end < date.max:  # 31 December 9999 has no next day: nothing closes after it
            q &= Q(**{f"{prefix}closed_at__lt": start_of(self.end + timedelta(days=1))})
        if self.service is not None:
            q &= Q(**{f"{prefix}service_type": self.service})
        return q

    def closed_cases(self) -> QuerySet[Case]:
        return Case.objects.filter(self.cases_q())


@dataclass(frozen=True)
class Times:
    """End-to-end times of a set of closed cases."""

    count: int
    mean: timedelta | None
    median: timedelta | None


@dataclass
class FlowMeasures:
    """Totals for a group of closed cases; the per-case figures are these over `cases`."""

    name: str
    key: str
    cases: int = 0
    contacts: int = 0
    failure_contacts: int = 0
    one_stop: int = 0
    dirty: int = 0
    steps: dict[str, int] = field(default_factory=lambda: dict.fromkeys(StepKind, 0))
    clean_total_time: timedelta = timedelta()
    dirty_total_time: timedelta = timedelta()
    clean_median: timedelta | None = None
    dirty_median: timedelta | None = None

    def _per_case(self, total: int) -> float | None:
        return total / self.cases if self.cases else None

    @property
    def clean_times(self) -> Times:
        count = self.cases - self.dirty
        mean = self.clean_total_time / count if count else None
        return Times(count=count, mean=mean, median=self.clean_median)

    @property
    def dirty_times(self) -> Times:
        mean = self.dirty_total_time / self.dirty if self.dirty else None
        return Times(count=self.dirty, mean=mean, median=self.dirty_median)

    @property
    def times_side_by_side(self) -> tuple[Times, Times]:
        return self.clean_times, self.dirty_times

    @property
    def contacts_per_case(self) -> float | None:
        return self._per_case(self.contacts)

    @property
    def failure_contacts_per_case(self) -> float | None:
        return self._per_case(self.failure_contacts)

    @property
    def steps_per_case(self) -> dict[str, float | None]:
        return {kind: self._per_case(count) for kind, count in self.steps.items()}

    @property
    def value_steps_per_case(self) -> float | None:
        return self._per_case(self.steps[StepKind.VALUE])

    @property
    def waste_steps_per_case(self) -> float | None:
        return self._per_case(sum(self.steps[kind] for kind in WASTE_STEP_KINDS))

    @property
    def handoffs_per_case(self) -> float | None:
        return self._per_case(self.steps[StepKind.HANDOFF])

    @property
    def waste_steps_by_kind(self) -> list[tuple[str, float | None]]:
        per_case = self.steps_per_case
        return [(kind, per_case[kind]) for kind in WASTE_STEP_KINDS]

    @property
    def one_stop_share(self) -> float | None:
        return self._per_case(self.one_stop)

    @property
    def clean_share(self) -> float | None:
        return self._per_case(self.cases - self.dirty)

    @property
    def dirty_share(self) -> float | None:
        return self._per_case(self.dirty)

    def add(self, other: "FlowMeasures") -> None:
        """Add another group's totals to these (for all services: sums of a few group rows)."""
        self.cases += other.cases
        self.contacts += other.contacts
        self.failure_contacts += other.failure_contacts
        self.one_stop += other.one_stop
        self.dirty += other.dirty
        for kind, count in other.steps.items():
            self.steps[kind] += count
        self.clean_total_time += other.clean_total_time
        self.dirty_total_time += other.dirty_total_time


def _with_end_to_end(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with its end-to-end time (whether it is dirty is its own is_dirty)."""
    return cases.annotate(
        end_to_end=ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField()),
    )


def _step_filter(kind: str) -> Q:
    # A hand-off of ownership is recorded as its own kind of entry; count it as a hand-off step.
    step = Q(kind=STEP, step_kind=kind)
    return step | Q(kind=HANDOFF) if kind == StepKind.HANDOFF else step


def flow_measures(period: FlowPeriod) -> tuple[list[FlowMeasures], FlowMeasures | None]:
    """Per service type (by name) with cases closed in the period, and for all of them when no
    single service was chosen. Each table is counted by its own GROUP BY, joined to the cases
    of the period, so no row is ever counted twice: cases by service and clean or dirty (number,
    one-stop, total end-to-end time), contacts by service, timeline entries by service; then
    the medians. Four queries, and one more for the medians of all services."""
    first_is_one_stop = Subquery(
        Contact.objects.filter(case=OuterRef("pk"))
        .order_by("received_at", "pk")
        .values("is_one_stop")[:1]
    )
    case_rows = (
        _with_end_to_end(period.closed_cases())
        .annotate(first_is_one_stop=first_is_one_stop)
        .order_by()
        .values("service_type_id", "service_type__name", "service_type__slug", "is_dirty")
        .annotate(
            cases=Count("pk"),
            one_stop=Count("pk", filter=Q(first_is_one_stop=True)),
            total_time=Sum("end_to_end"),
        )
    )
    services: dict[int, FlowMeasures] = {}
    for row in case_rows:
        group = services.setdefault(
            row["service_type_id"],
            FlowMeasures(name=row["service_type__name"], key=row["service_type__slug"]),
        )
        group.cases += row["cases"]
        group.one_stop += row["one_stop"]
        if row["is_dirty"]:
            group.dirty += row["cases"]
            group.dirty_total_time += row["total_time"]
        else:
            group.clean_total_time += row["total_time"]
    contact_rows = (
        Contact.objects.filter(period.cases_q("case__"))
        .order_by()
        .values("case__service_type_id")
        .annotate(
            contacts=Count("pk"),
            failures=Count("pk", filter=Q(demand=Contact.Demand.FAILURE)),
        )
    )
    # A case closing between these queries could bring a service that the first did not see:
    # its contacts and steps wait for the next look.
    for row in contact_rows:
        if group := services.get(row["case__service_type_id"]):
            group.contacts, group.failure_contacts = row["contacts"], row["failures"]
    step_rows = (
        TimelineEntry.objects.filter(period.cases_q("case__"))
        .order_by()
        .values("case__service_type_id")
        .annotate(**{kind.value: Count("pk", filter=_step_filter(kind)) for kind in StepKind})
    )
    for row in step_rows:
        if group := services.get(row["case__service_type_id"]):
            group.steps = {kind: row[kind.value] for kind in StepKind}
    timed = _with_end_to_end(period.closed_cases())
    medians = _middle_values(timed, partition=["service_type_id", "is_dirty"], value="end_to_end")
    for service_id, group in services.items():
        group.clean_median = _median_duration(medians.get((service_id, False)))
        group.dirty_median = _median_duration(medians.get((service_id, True)))
    by_name = sorted(services.values(), key=lambda group: group.name)
    if not by_name or period.service is not None:
        return by_name, None
    total = FlowMeasures(name="All services", key="")
    for group in by_name:
        total.add(group)
    overall = _middle_values(timed, partition=["is_dirty"], value="end_to_end")
    total.clean_median = _median_duration(overall.get((False,)))
    total.dirty_median = _median_duration(overall.get((True,)))
    return by_name, total
