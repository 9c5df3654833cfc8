"""Reads for a system condition's page (docs/method.md §8): the failure demand linked to it,
in the citizens' words, and the waste steps it causes, each counted or ranked in the database."""

from datetime import date, timedelta

from django.db.models import Count, QuerySet

from cases.models import TimelineEntry
from demand.models import Contact
from demand.notes import NoteGroup, group_notes
from improvement.models import SystemCondition
from lib.periods import start_of

WORDS_SHOWN = 10


def received_between(contacts: QuerySet[Contact], start: date, end: date) -> QuerySet[Contact]:
    return contacts.filter(
        received_at__gte=start_of(start), received_at__lt=start_of(end + timedelta(days=1))
    )


def latest_words(contacts: QuerySet[Contact], count: int = WORDS_SHOWN) -> list[Contact]:
    """The latest contacts, for their words, with their cases and kinds."""
    return list(
        contacts.select_related("case", "failure_category").order_by("-received_at", "-pk")[:count]
    )


def waste_steps(condition: SystemCondition, start: date, end: date) -> tuple[int, list[NoteGroup]]:
    """The steps of the kinds of waste the condition causes, recorded in the period on cases of
    its service (of every service, for a council-wide condition): how many, and what they say,
    grouped like the prevention notes. One GROUP BY."""
    if not condition.waste_step_kinds:
        return 0, []
    steps = TimelineEntry.objects.filter(
        kind=TimelineEntry.Kind.STEP,
        step_kind__in=condition.waste_step_kinds,
        occurred_at__gte=start_of(start),
        occurred_at__lt=start_of(end + timedelta(days=1)),
    )
    if condition.service_type_id:
        steps = steps.filter(case__service_type_id=condition.service_type_id)
    rows = list(steps.values_list("description").annotate(count=Count("*")).order_by())
    return sum(count for _, count in rows), group_notes(rows)
