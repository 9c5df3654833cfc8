"""How the citizen wants to be sent updates: their choice and consent, recorded on them and
audited; a way with no address is refused."""

import pytest
from django.core.exceptions import ValidationError

from cases.models import AuditEntry, Citizen
from cases.services import citizen_set_updates_by
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def test_consent_is_recorded_on_the_citizen_and_audited(front_office):
    citizen = CitizenFactory(email="jo@example.org")

    citizen_set_updates_by(citizen=citizen, updates_by=Citizen.UpdatesBy.EMAIL, by=front_office)

    citizen.refresh_from_db()
    assert citizen.updates_by == "email"
    assert citizen.updates_address() == "jo@example.org"
    entry = AuditEntry.objects.get(object_type="citizen", field="updates_by")
    assert (entry.actor, entry.old_value, entry.new_value) == (
        front_office,
        "",  # an empty value is audited as nothing: "not asked yet"
        "By email",
    )


def test_the_address_can_be_given_with_the_choice(front_office):
    citizen = CitizenFactory(email="", phone="")

    citizen_set_updates_by(
        citizen=citizen, updates_by="text", phone="07700 900 123", by=front_office
    )

    citizen.refresh_from_db()
    assert (citizen.updates_by, citizen.phone) == ("text", "07700900123")


@pytest.mark.parametrize(("way", "message"), [("email", "no email"), ("text", "no phone")])
def test_a_way_with_no_address_is_refused(front_office, way, message):
    citizen = CitizenFactory(email="", phone="")

    with pytest.raises(ValidationError, match=message):
        citizen_set_updates_by(citizen=citizen, updates_by=way, by=front_office)

    assert Citizen.objects.get(pk=citizen.pk).updates_by == ""


def test_a_bad_email_address_is_refused(front_office):
    citizen = CitizenFactory()

    with pytest.raises(ValidationError):
        citizen_set_updates_by(
            citizen=citizen, updates_by="email", email="not an address", by=front_office
        )


def test_no_updates_is_an_opt_out_with_no_address(front_office):
    citizen = CitizenFactory(updates_by="email")

    citizen_set_updates_by(citizen=citizen, updates_by="none", by=None, actor_label="the citizen")

    citizen.refresh_from_db()
    assert citizen.updates_by == "none"
    assert citizen.updates_address() == ""
    assert AuditEntry.objects.get(field="updates_by").actor_label == "the citizen"
