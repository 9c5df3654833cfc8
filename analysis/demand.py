"""Reads for studying demand (docs/method.md §7). All counting happens in the database (GROUP
BY), and each page runs a fixed number of queries whatever the number of contacts."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate, TruncWeek

from cases.models import ServiceType
from demand.models import Contact, DemandType, FailureCategory
from lib.periods import start_of
from messaging.models import Message

FAILURE = Contact.Demand.FAILURE
VALUE = Contact.Demand.VALUE
SAMPLES_PER_CATEGORY = 5


@dataclass(frozen=True)
class DemandFilters:
    """The period (inclusive dates), services and channels a team leader is looking at."""

    start: date
    end: date
    services: tuple[ServiceType, ...] = ()
    channels: tuple[str, ...] = ()
    # Only contacts on cases whose citizen was sent an update ("sent"), or was sent none ("none").
    updates: str = ""

    def contacts(self) -> QuerySet[Contact]:
        contacts = Contact.objects.filter(
            received_at__gte=start_of(self.start),
            received_at__lt=start_of(self.end + timedelta(days=1)),
        )
        if self.services:
            contacts = contacts.filter(service_type__in=[s.pk for s in self.services])
        if self.channels:
            contacts = contacts.filter(channel__in=self.channels)
        if self.updates:
            sent = Exists(updates_sent_to(OuterRef("case_id")))
            contacts = contacts.filter(sent if self.updates == UPDATES_SENT else ~sent)
        return contacts

    def whole_weeks(self) -> list[date]:
        """The Mondays of the whole weeks (Monday to Sunday) inside the period, in order.
        Weekly charts count these only: a part-week's count is not comparable with a week's."""
        monday = self.start + timedelta(days=-self.start.weekday() % 7)  # on or after start
        mondays = []
        while monday + timedelta(days=6) <= self.end:
            mondays.append(monday)
            monday += timedelta(weeks=1)
        return mondays

    def part_weeks(self) -> list[tuple[date, date]]:
        """The first and last days of the period left out of weekly charts: part-weeks at its
        start and end (the whole period, when it holds no whole week)."""
        mondays = self.whole_weeks()
        if not mondays:
            return [(self.start, self.end)]
        first, last = mondays[0], mondays[-1] + timedelta(days=6)
        before = [(self.start, first - timedelta(days=1))] if self.start < first else []
        after = [(last + timedelta(days=1), self.end)] if self.end > last else []
        return before + after

    @property
    def chosen_count(self) -> int:
        return len(self.services) + len(self.channels) + bool(self.updates)

    @property
    def service_ids(self) -> list[int]:
        return [service.pk for service in self.services]

    def params(self) -> list[tuple[str, str]]:
        """As query parameters, for links to the contacts behind a number and to the export."""
        pairs = [("from", self.start.isoformat()), ("to", self.end.isoformat())]
        pairs += [("service", service.slug) for service in self.services]
        pairs += [("channel", channel) for channel in self.channels]
        pairs += [("updates", self.updates)] if self.updates else []
        return pairs


UPDATES_SENT, UPDATES_NONE = "sent", "none"
PROGRESS_CHASING = "progress-chasing"


def updates_sent_to(case) -> QuerySet[Message]:
    """The messages sent to a case's citizen (by email or text message)."""
    return Message.objects.filter(case=case, status=Message.Status.SENT)


@dataclass
class ChasingRow:
    """Cases with a contact in the period, by whether their citizen was sent updates."""

    updates: str
    cases: int
    contacts: int
    chasing: int
    contacts_href: str = ""
    chasing_href: str = ""

    @property
    def chasing_per_case(self) -> float | None:
        return self.chasing / self.cases if self.cases else None

    @property
    def chasing_share(self) -> float | None:
        return self.chasing / self.contacts if self.contacts else None


def chasing_and_updates(filters: DemandFilters) -> list[ChasingRow]:
    """Progress-chasing contacts on cases whose citizen was sent at least one update by email
    or text message, and on cases whose citizen was sent none: one GROUP BY over the period's
    contacts (those the filters choose, whatever their `updates`)."""
    contacts = DemandFilters(
        start=filters.start, end=filters.end, services=filters.services, channels=filters.channels
    ).contacts()
    rows = {
        row["sent"]: row
        for row in contacts.annotate(sent=Exists(updates_sent_to(OuterRef("case_id"))))
        .values("sent")
        .annotate(
            cases=Count("case_id", distinct=True),
            contacts=Count("*"),
            chasing=Count(
                "pk",
                filter=Q(demand=FAILURE, failure_category__slug=PROGRESS_CHASING),
            ),
        )
        .order_by()
    }
    return [
        ChasingRow(
            updates=key,
            cases=rows.get(sent, {}).get("cases", 0),
            contacts=rows.get(sent, {}).get("contacts", 0),
            chasing=rows.get(sent, {}).get("chasing", 0),
        )
        for key, sent in ((UPDATES_SENT, True), (UPDATES_NONE, False))
    ]


@dataclass
class Overview:
    total: int
    failure: int
    by_service: list[dict] = field(default_factory=list)
    by_demand_type: list[dict] = field(default_factory=list)
    by_failure_category: list[dict] = field(default_factory=list)
    by_channel: list[dict] = field(default_factory=list)

    @property
    def value(self) -> int:
        return self.total - self.failure

    @property
    def failure_share(self) -> float | None:
        return self.failure / self.total if self.total else None


def _with_share(rows: list[dict], total: int) -> list[dict]:
    for row in rows:
        row["share"] = row["count"] / total if total else None
    return rows


def _totals(rows: list[dict], key, make) -> list[dict]:
    """Sum the counts of `rows` by `key(row)`; `make(key)` is the summed row's other fields."""
    sums: dict = {}
    for row in rows:
        k = key(row)
        summed = sums.get(k)
        if summed is None:
            summed = sums[k] = {**make(k), "count": 0, "failure": 0}
        summed["count"] += row["count"]
        if row["demand"] == FAILURE:
            summed["failure"] += row["count"]
    return list(sums.values())


def demand_overview(filters: DemandFilters) -> Overview:
    """One GROUP BY over the period's contacts (by service, demand, demand type, failure
    category and channel), whatever the volume; every table on the page is a sum of its rows.
    COUNT(*), not of the id: the period's index holds every column counted, so PostgreSQL
    never visits the table."""
    rows = list(
        filters.contacts()
        .values(
            "demand",
            "channel",
            "demand_type_id",
            "failure_category_id",
            service_id=F("service_type_id"),
        )
        .annotate(count=Count("*"))
        .order_by()
    )
    services = {s.pk: s for s in ServiceType.objects.only("name", "slug")}
    types = dict(DemandType.objects.values_list("pk", "name"))
    categories = {c.pk: c for c in FailureCategory.objects.only("name", "slug")}
    channels = dict(Contact.Channel.choices)
    total = sum(row["count"] for row in rows)
    failure = sum(row["count"] for row in rows if row["demand"] == FAILURE)

    by_service = _totals(
        rows,
        lambda row: row["service_id"],
        lambda pk: {"name": services[pk].name, "slug": services[pk].slug},
    )
    by_demand_type = _totals(
        [row for row in rows if row["demand"] == VALUE],
        lambda row: (row["demand_type_id"], row["service_id"]),
        lambda key: {
            "demand_type_id": key[0],
            "name": types.get(key[0]),
            "service": services[key[1]].name,
        },
    )
    by_category = _totals(
        [row for row in rows if row["demand"] == FAILURE],
        lambda row: row["failure_category_id"],
        lambda pk: {"id": pk, "name": categories[pk].name, "slug": categories[pk].slug},
    )
    by_channel = _totals(
        rows, lambda row: row["channel"], lambda c: {"channel": c, "name": channels.get(c, c)}
    )
    for summed in (*by_demand_type, *by_category, *by_channel):
        del summed["failure"]  # only the services' table shows failure demand beside volume
    return Overview(
        total=total,
        failure=failure,
        by_service=_with_share(sorted(by_service, key=lambda r: (-r["count"], r["name"])), total),
        by_demand_type=_with_share(
            sorted(
                by_demand_type,
                # As the database sorted them: a value contact with no demand type comes last.
                key=lambda r: (-r["count"], r["service"], r["name"] is None, r["name"] or ""),
            ),
            total,
        ),
        by_failure_category=_with_share(
            sorted(by_category, key=lambda r: (-r["count"], r["name"])), total
        ),
        by_channel=_with_share(sorted(by_channel, key=lambda r: (-r["count"], r["name"])), total),
    )


@dataclass(frozen=True)
class Drilldown:
    """Which contacts behind a number: all, value or failure demand, one failure category,
    one demand type (or value demand with none), one channel."""

    demand: str = ""
    category: FailureCategory | None = None
    demand_type: DemandType | None = None
    untyped: bool = False
    channel: str = ""

    def apply(self, contacts: QuerySet[Contact]) -> QuerySet[Contact]:
        if self.demand:
            contacts = contacts.filter(demand=self.demand)
        if self.category:
            contacts = contacts.filter(demand=FAILURE, failure_category=self.category)
        if self.demand_type:
            contacts = contacts.filter(demand=VALUE, demand_type=self.demand_type)
        if self.untyped:
            contacts = contacts.filter(demand=VALUE, demand_type__isnull=True)
        if self.channel:
            contacts = contacts.filter(channel=self.channel)
        return contacts


def contacts_for_reading(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    return contacts.select_related(
        "case__service_type", "failure_category", "demand_type", "recorded_by"
    ).order_by("-received_at", "-pk")


def _in_weeks(contacts: QuerySet[Contact], mondays: list[date]) -> QuerySet[Contact]:
    """The contacts received in the weeks from the first Monday to the last one's Sunday."""
    return contacts.filter(
        received_at__gte=start_of(mondays[0]),
        received_at__lt=start_of(mondays[-1] + timedelta(weeks=1)),
    )


def weekly_failure_counts(filters: DemandFilters) -> list[tuple[date, int, int]]:
    """(Monday, contacts, failure-demand contacts) for every whole week of the period, in
    order; a week with no contacts is (Monday, 0, 0). Part-weeks at either end are left out."""
    mondays = filters.whole_weeks()
    if not mondays:
        return []
    rows = (
        _in_weeks(filters.contacts(), mondays)
        .annotate(week=TruncWeek("received_at"))
        .values("week")
        .annotate(total=Count("*"), failure=Count("demand", filter=Q(demand=FAILURE)))
        .order_by("week")
    )
    counts = {_as_date(row["week"]): (row["total"], row["failure"]) for row in rows}
    return [(monday, *counts.get(monday, (0, 0))) for monday in mondays]


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class VolumeSubject:
    """Whose volume to chart: every contact, value or failure demand, a service, a demand type."""

    demand: str = ""
    service: ServiceType | None = None
    demand_type: DemandType | None = None

    def apply(self, contacts: QuerySet[Contact]) -> QuerySet[Contact]:
        if self.demand:
            contacts = contacts.filter(demand=self.demand)
        if self.service:
            contacts = contacts.filter(service_type=self.service)
        if self.demand_type:
            contacts = contacts.filter(demand=VALUE, demand_type=self.demand_type)
        return contacts

    def __str__(self) -> str:
        if self.demand_type:
            return f"“{self.demand_type}” ({self.demand_type.service_type})"
        if self.service:
            return str(self.service)
        if self.demand:
            return Contact.Demand(self.demand).label.lower()
        return "all contacts"


def volume_series(
    filters: DemandFilters, subject: VolumeSubject, *, weekly: bool
) -> list[tuple[date, int]]:
    """Contacts per day of the period, or per whole week of it (by Monday; part-weeks at either
    end left out), zeros included: a day or week with no contacts is a count of 0."""
    contacts = subject.apply(filters.contacts())
    if weekly:
        return weekly_volume(contacts, filters.whole_weeks())
    days = (filters.end - filters.start).days + 1
    return _counts_by(
        contacts, [filters.start + timedelta(days=n) for n in range(days)], weekly=False
    )


def weekly_volume(contacts: QuerySet[Contact], mondays: Sequence[date]) -> list[tuple[date, int]]:
    """How many of these contacts were received in each week (Monday to Sunday) starting on
    `mondays`, in order; a week with none is 0. One GROUP BY."""
    if not mondays:
        return []
    return _counts_by(_in_weeks(contacts, list(mondays)), mondays, weekly=True)


def _counts_by(
    contacts: QuerySet[Contact], buckets: Sequence[date], *, weekly: bool
) -> list[tuple[date, int]]:
    """Contacts per day (or week, by its Monday) of `buckets`, zeros included."""
    counts = {
        _as_date(row["bucket"]): row["count"]
        for row in contacts.annotate(
            bucket=TruncWeek("received_at") if weekly else TruncDate("received_at")
        )
        .values("bucket")
        .annotate(count=Count("*"))
        .order_by("bucket")
    }
    return [(bucket, counts.get(bucket, 0)) for bucket in buckets]


def weekdays_and_weekends(
    series: Sequence[tuple[date, int]],
) -> tuple[list[tuple[date, int]], list[tuple[date, int]]]:
    """A daily series split into its weekdays (Monday to Friday) and its weekend days, each in
    date order: two processes, not one with a weekly cycle."""
    weekdays = [(day, count) for day, count in series if day.weekday() < 5]
    weekends = [(day, count) for day, count in series if day.weekday() >= 5]
    return weekdays, weekends


def by_day_of_week(series: Sequence[tuple[date, int]]) -> dict[int, list[tuple[date, int]]]:
    """A daily series split by weekday (0 = Monday), each in date order."""
    days: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for day, count in series:
        days[day.weekday()].append((day, count))
    return dict(sorted(days.items()))


def failure_words(filters: DemandFilters) -> dict[str, list[Contact]]:
    """For each failure category (by slug), the latest few contacts in the citizens' words:
    one query, ranking rows within a category in the database."""
    newest_first = Window(
        RowNumber(), partition_by=[F("failure_category_id")], order_by=F("received_at").desc()
    )
    ranked = (
        filters.contacts()
        .filter(demand=FAILURE)
        .select_related("case", "failure_category")
        .annotate(rank=newest_first)
        .filter(rank__lte=SAMPLES_PER_CATEGORY)
        .order_by("failure_category__name", "rank")
    )
    words: dict[str, list[Contact]] = defaultdict(list)
    for contact in ranked:
        words[contact.failure_category.slug].append(contact)
    return dict(words)
