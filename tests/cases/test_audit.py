"""The audit trail: every change to a case, contact or citizen records who, when, which field,
old and new value, in the same transaction; entries can never be changed or deleted."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import AuditEntry
from demand import services as demand_services
from demand.services import ContactDetails
from tests.factories import CaseFactory, ServiceTypeFactory, failure_category
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("pk"))


def test_logging_a_first_contact_records_the_citizen_case_and_contact(front_office):
    contact = demand_services.contact_log_new_case(
        by=front_office,
        service_type=ServiceTypeFactory(name="Missed bin"),
        citizen=None,
        new_citizen={"name": "Ann Lee", "phone": "", "email": "", "address": "", "postcode": ""},
        details=ContactDetails(
            citizen_words="Bin missed",
            channel="phone",
            received_at=timezone.now() - timedelta(minutes=1),
            demand="value",
        ),
    )
    case = contact.case
    created = {(e.object_type, e.field) for e in entries(action=AuditEntry.Action.CREATED)}
    assert ("citizen", "name") in created
    assert ("case", "owner") in created and ("case", "service_type") in created
    assert ("contact", "citizen_words") in created
    assert ("citizen", "email") not in created  # left empty: nothing to record
    assert ("case", "resolution") not in created
    owner = next(e for e in entries(object_type="case", field="owner"))
    assert owner.new_value == f"{front_office.get_full_name()} (#{front_office.pk})"
    assert owner.actor == front_office and owner.case_id == case.pk


def test_hand_off_records_old_and_new_owner(front_office, other_front_office):
    case = CaseFactory(owner=front_office)
    services.case_hand_off(case=case, by=front_office, to=other_front_office, reason="Visit")

    (entry,) = entries(object_type="case", field="owner", action=AuditEntry.Action.CHANGED)
    assert entry.actor == front_office
    assert entry.old_value.endswith(f"(#{front_office.pk})")
    assert entry.new_value.endswith(f"(#{other_front_office.pk})")


def test_closing_records_each_changed_field(front_office):
    case = CaseFactory(owner=front_office)
    services.case_close(case=case, by=front_office, resolution="New bin delivered")

    changed = {e.field: e for e in entries(object_type="case", action=AuditEntry.Action.CHANGED)}
    assert set(changed) == {"status", "closed_at", "resolution"}
    assert (changed["status"].old_value, changed["status"].new_value) == ("Open", "Closed")
    assert changed["resolution"].new_value == "New bin delivered"


def test_reclassifying_records_the_contacts_fields(team_leader):
    case = CaseFactory()
    contact = case.contacts.get()
    demand_services.contact_reclassify(
        contact=contact,
        by=team_leader,
        demand="failure",
        failure_category=failure_category("repeat-contact"),
    )
    changed = {e.field: e for e in entries(object_type="contact", object_id=contact.pk)}
    assert changed["demand"].old_value == "Value demand"
    assert changed["demand"].new_value == "Failure demand"
    assert changed["failure_category"].new_value.startswith("Repeat contact")
    assert changed["demand"].case_id == case.pk


def test_a_refused_change_leaves_no_audit_entry(front_office, other_front_office):
    case = CaseFactory(owner=front_office)
    with pytest.raises(PermissionDenied):
        services.case_close(case=case, by=other_front_office, resolution="x")
    with pytest.raises(ValidationError):
        services.case_close(case=case, by=front_office, resolution=" ")
    assert not AuditEntry.objects.exists()


def test_audit_entries_cannot_be_changed_or_deleted(front_office):
    case = CaseFactory(owner=front_office)
    services.case_close(case=case, by=front_office, resolution="Done")
    entry = AuditEntry.objects.first()
    entry.new_value = "forged"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    assert AuditEntry.objects.filter(new_value="forged").count() == 0


def test_team_leader_reads_the_case_history(tl_client, front_office):
    case = CaseFactory(owner=front_office)
    services.case_close(case=case, by=front_office, resolution="<b>Done</b>")

    response = tl_client.get(reverse("cases:history", args=[case.reference]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Resolution" in html and "&lt;b&gt;Done&lt;/b&gt;" in html
    assert front_office.get_full_name() in html


def test_admin_searches_the_trail_but_cannot_change_it(client, administrator, front_office):
    case = CaseFactory(owner=front_office)
    services.case_close(case=case, by=front_office, resolution="Unique resolution text")
    sign_in(client, administrator)
    listing = client.get(reverse("admin:cases_auditentry_changelist"), {"q": "Unique resolution"})
    assert listing.status_code == 200
    assert "Unique resolution text" in listing.content.decode()
    entry = AuditEntry.objects.first()
    assert client.post(reverse("admin:cases_auditentry_delete", args=[entry.pk])).status_code == 403
    assert client.get(reverse("admin:cases_auditentry_add")).status_code == 403
