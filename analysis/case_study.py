"""Reads for a system change's case study (docs/method.md §8): what the team found before the
change, over the same baseline that "did it work?" judges the change against. Counted in the
database, a fixed number of queries whatever the data."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count

from analysis.conditions import latest_words, received_between
from analysis.demand import DemandFilters, Overview, demand_overview
from analysis.did_it_work import Window, records_begin
from demand.models import Contact
from demand.notes import NoteGroup, note_groups
from improvement.models import ConditionEvidence, SystemCondition
from improvement.selectors import linked_failure_demand, linked_to

WORDS_SHOWN = 6
NOTES_SHOWN = 10


@dataclass(frozen=True)
class ConditionFound:
    condition: SystemCondition
    failure_demand: int  # linked to it in the baseline
    marked: int  # contacts marked as its evidence, at any time


@dataclass(frozen=True)
class Found:
    """What the team found in the baseline: its failure demand by kind (a Pareto), the system
    conditions the change addresses with their evidence, the citizens' words and the notes."""

    overview: Overview
    pareto: list[dict]
    conditions: list[ConditionFound]
    start: date  # the baseline's first day on record
    words: list[Contact]
    notes: list[NoteGroup]
    linked: int


def found_before(window: Window, conditions: Sequence[SystemCondition]) -> Found:
    """`conditions` with their links prefetched (improvement.selectors.system_conditions())."""
    change = window.change
    end = change.changed_on - timedelta(days=1)
    begun = records_begin(change.service_type)
    start = max(window.baseline_from, begun) if begun else window.baseline_from
    services = (change.service_type,) if change.service_type else ()
    overview = demand_overview(DemandFilters(start=start, end=end, services=services))
    pareto, running = [], 0
    for row in overview.by_failure_category:
        running += row["count"]
        share = 100 * running / overview.failure if overview.failure else 0
        pareto.append({**row, "running": running, "cumulative": share})
    failure = received_between(Contact.objects.filter(demand=Contact.Demand.FAILURE), start, end)
    counts = (
        failure.aggregate(**{f"c{c.pk}": Count("pk", filter=linked_to(c)) for c in conditions})
        if conditions
        else {}
    )
    marked = dict(
        ConditionEvidence.objects.filter(condition__in=conditions, removed_at__isnull=True)
        .values_list("condition_id")
        .annotate(count=Count("*"))
        .order_by()
    )
    linked = received_between(linked_failure_demand(conditions), start, end)
    return Found(
        overview=overview,
        pareto=pareto,
        start=start,
        conditions=[
            ConditionFound(c, failure_demand=counts[f"c{c.pk}"], marked=marked.get(c.pk, 0))
            for c in conditions
        ],
        words=latest_words(linked, WORDS_SHOWN) if conditions else [],
        notes=note_groups(linked)[:NOTES_SHOWN] if conditions else [],
        linked=sum(found for found in counts.values()),
    )
