"""A subject access request: everything CouncilFlow holds about one citizen, as plain JSON-ready
data. Every field a model declares personal (lib.personal.PersonalData) is in it, by its name;
the rest of each record says what the data are (dates, service, classification, who)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone

from cases.models import AuditEntry, Case, Citizen, CitizenUpdate, TimelineEntry
from demand.models import ArrivedContact, Contact
from messaging.models import Message, ProgressLink


def _moment(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _person(user: AbstractBaseUser | None) -> str | None:
    return (user.get_full_name() or user.username) if user else None


def _held(obj: models.Model) -> dict[str, str]:
    """The object's own personal data, field by field, as its model declares them."""
    return {name: getattr(obj, name) for name in type(obj).personal_data.held}


def citizen_record(citizen: Citizen, *, generated_by: AbstractBaseUser) -> dict:
    """Their details; each case with its contacts, in their words, and its timeline; and the
    audit trail of all of these. A fixed handful of queries, however many cases."""
    contacts = Contact.objects.select_related("demand_type", "failure_category", "recorded_by")
    cases = list(
        citizen.cases.select_related("service_type", "owner")
        .prefetch_related(
            Prefetch("contacts", queryset=contacts.order_by("received_at", "pk")),
            Prefetch(
                "timeline",
                queryset=TimelineEntry.objects.select_related(
                    "actor", "from_owner", "to_owner"
                ).order_by("occurred_at", "pk"),
            ),
            Prefetch("arrivals", queryset=ArrivedContact.objects.order_by("received_at", "pk")),
            Prefetch("progress_links", queryset=ProgressLink.objects.order_by("created_at", "pk")),
            Prefetch("messages", queryset=Message.objects.order_by("queued_at", "pk")),
            Prefetch(
                "citizen_updates",
                queryset=CitizenUpdate.objects.select_related("entry").order_by(
                    "published_at", "pk"
                ),
            ),
        )
        .order_by("opened_at", "pk")
    )
    references = {case.pk: case.reference for case in cases}
    trail = (
        AuditEntry.objects.filter(
            Q(case_id__in=list(references)) | Q(object_type="citizen", object_id=citizen.pk)
        )
        .select_related("actor")
        .order_by("occurred_at", "pk")
    )
    return {
        "about": "Everything CouncilFlow holds about one citizen (a subject access request).",
        "generated_at": _moment(timezone.now()),
        "generated_by": _person(generated_by),
        "citizen": {
            "id": citizen.pk,
            **_held(citizen),
            # Their choice and consent, in words (who recorded it, when: the audit trail).
            "updates_by": citizen.get_updates_by_display(),
            "first_recorded_at": _moment(citizen.created_at),
            "anonymised_at": _moment(citizen.anonymised_at),
        },
        "cases": [_case_record(case) for case in cases],
        "audit_trail": [
            {
                "occurred_at": _moment(entry.occurred_at),
                "by": _person(entry.actor) or entry.actor_label or "The system",
                "action": entry.get_action_display(),
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "case_reference": references.get(entry.case_id),
                "field": entry.field,
                "old_value": entry.old_value,
                "new_value": entry.new_value,
            }
            for entry in trail
        ],
    }


def _case_record(case: Case) -> dict:
    return {
        "reference": case.reference,
        "service": case.service_type.name,
        "status": case.get_status_display(),
        "opened_at": _moment(case.opened_at),
        "closed_at": _moment(case.closed_at),
        "owner": _person(case.owner),
        **_held(case),
        "anonymised_at": _moment(case.anonymised_at),
        "contacts": [
            {
                "received_at": _moment(contact.received_at),
                "channel": contact.get_channel_display(),
                **_held(contact),
                "demand": contact.get_demand_display(),
                "demand_type": contact.demand_type.name if contact.demand_type else None,
                "failure_category": (
                    contact.failure_category.name if contact.failure_category else None
                ),
                "is_one_stop": contact.is_one_stop,
                "logged_by": _person(contact.recorded_by),
            }
            for contact in case.contacts.all()
        ],
        "timeline": [
            {
                "occurred_at": _moment(entry.occurred_at),
                "kind": entry.get_kind_display(),
                "step_kind": entry.get_step_kind_display() if entry.step_kind else None,
                **_held(entry),
                "by": _person(entry.actor),
                "from_owner": _person(entry.from_owner),
                "to_owner": _person(entry.to_owner),
            }
            for entry in case.timeline.all()
        ],
        # What they sent online (FixMyStreet, the council's web form), as it arrived.
        "sent_online": [
            {
                "kind": arrival.get_kind_display(),
                "sent_through": arrival.source,
                "received_at": _moment(arrival.received_at),
                "arrived_at": _moment(arrival.arrived_at),
                **_held(arrival),
            }
            for arrival in case.arrivals.all()
        ],
        "updates_for_the_citizen": [
            {
                "published_at": _moment(update.published_at),
                "status": update.get_status_display(),
                "words": update.entry.description,
                **_held(update),
            }
            for update in case.citizen_updates.all()
        ],
        # The updates sent to them by email or text message, as sent, and what became of each.
        "messages": [
            {
                "queued_at": _moment(message.queued_at),
                "by": message.get_channel_display(),
                "status": message.get_status_display(),
                "tries": message.tries,
                "sent_at": _moment(message.sent_at),
                **_held(message),
            }
            for message in case.messages.all()
        ],
        # The codes that opened (or open) their progress page.
        "progress_codes": [
            {
                "made_at": _moment(link.created_at),
                "stopped_at": _moment(link.revoked_at),
                **_held(link),
            }
            for link in case.progress_links.all()
        ],
    }
