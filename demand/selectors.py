"""Reads of contacts for the front office: a case's timeline with its contacts."""

from cases.models import Case, TimelineEntry
from demand.models import Contact


def case_timeline(case: Case) -> list[TimelineEntry]:
    """The case's timeline, newest first, each contact entry carrying its contact."""
    entries = list(
        case.timeline.select_related("actor", "from_owner", "to_owner", "citizen_update")
    )
    contacts = {
        contact.pk: contact
        for contact in Contact.objects.filter(case=case).select_related(
            "failure_category", "demand_type", "recorded_by", "arrival"
        )
    }
    for entry in entries:
        entry.contact = contacts.get(entry.contact_id)
    return entries


def failure_contact_ids(timeline: list[TimelineEntry]) -> set[int]:
    """Of a timeline from case_timeline, the contacts that were failure demand."""
    return {
        entry.contact.pk
        for entry in timeline
        if getattr(entry, "contact", None) is not None and entry.contact.is_failure
    }
