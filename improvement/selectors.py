"""Reads of the improvement register."""

from collections.abc import Sequence

from django.db.models import Q, QuerySet

from improvement.models import SystemChange


def system_changes_for(service_type_ids: Sequence[int] = ()) -> list[SystemChange]:
    """System changes that start a new phase on a chart of these services: those of the
    services, and those that apply to every service. A chart of all services splits only at
    changes to all services: one service's redesign is not a change to the whole system."""
    changes = SystemChange.objects.select_related("service_type").order_by("changed_on", "pk")
    return list(
        changes.filter(Q(service_type__isnull=True) | Q(service_type_id__in=service_type_ids))
    )


def system_changes_newest_first() -> QuerySet[SystemChange]:
    return SystemChange.objects.select_related("service_type", "recorded_by").order_by(
        "-changed_on", "-pk"
    )
