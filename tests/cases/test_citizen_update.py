"""An update for the citizen: written by the owner or a team leader on any case, on the timeline,
published at once; closing publishes the resolution with its outcome."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import CitizenUpdate, TimelineEntry
from tests.factories import CaseFactory
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db


def test_the_owner_updates_the_citizen_on_the_timeline(fo_client, front_office):
    case = CaseFactory(owner=front_office)
    url = reverse("messaging:update_citizen", args=[case.reference])

    response = fo_client.post(
        url,
        {"status": "action_scheduled", "description": "A crew comes on Thursday.", "version": 1},
    )

    assert response.status_code == 302
    update = CitizenUpdate.objects.get()
    assert update.status == CitizenUpdate.Status.ACTION_SCHEDULED
    assert update.entry.kind == TimelineEntry.Kind.CITIZEN_UPDATE
    assert update.entry.description == "A crew comes on Thursday."
    assert update.entry.actor == front_office
    page = fo_client.get(case.get_absolute_url()).content.decode()
    assert "Update for the citizen" in page and "Work is booked" in page


def test_get_shows_the_open_statuses_for_an_open_case(fo_client, front_office):
    case = CaseFactory(owner=front_office)

    form = fo_client.get(reverse("messaging:update_citizen", args=[case.reference])).context["form"]

    assert [value for value, _ in form.fields["status"].choices] == list(
        CitizenUpdate.OPEN_STATUSES
    )


def test_someone_else_cannot_update_the_citizen(client, other_front_office, front_office):
    case = CaseFactory(owner=front_office)
    sign_in(client, other_front_office)

    response = client.post(
        reverse("messaging:update_citizen", args=[case.reference]),
        {"status": "investigating", "description": "Hello", "version": 1},
    )

    assert response.status_code == 403
    assert not CitizenUpdate.objects.exists()
    with pytest.raises(PermissionDenied):
        services.case_update_citizen(
            case=case, by=other_front_office, status="investigating", description="Hi"
        )


def test_a_team_leader_may_update_any_case(tl_client):
    case = CaseFactory()

    tl_client.post(
        reverse("messaging:update_citizen", args=[case.reference]),
        {"status": "investigating", "description": "Looking into it.", "version": 1},
    )

    assert CitizenUpdate.objects.count() == 1


def test_bad_input_keeps_what_was_typed_and_saves_nothing(fo_client, front_office):
    case = CaseFactory(owner=front_office)

    response = fo_client.post(
        reverse("messaging:update_citizen", args=[case.reference]),
        {"status": "fixed", "description": "Typed words.", "version": 1},
    )

    assert response.status_code == 200
    assert "Typed words." in response.content.decode()
    assert not CitizenUpdate.objects.exists()


def test_get_on_the_update_form_of_an_unknown_case_is_404(fo_client):
    assert fo_client.get(reverse("messaging:update_citizen", args=["CF-999999"])).status_code == 404


def test_a_closed_case_takes_outcome_statuses_only(front_office):
    case = CaseFactory(owner=front_office, closed=True)

    with pytest.raises(ValidationError, match="the case is closed"):
        services.case_update_citizen(
            case=case, by=front_office, status="in_progress", description="More work."
        )
    update = services.case_update_citizen(
        case=case, by=front_office, status="fixed", description="A word after closing."
    )
    assert update.is_closing


def test_an_empty_update_is_refused(front_office):
    with pytest.raises(ValidationError, match="Write the update"):
        services.case_update_citizen(
            case=CaseFactory(owner=front_office), by=front_office, status="open", description=" "
        )


def test_closing_publishes_the_resolution_with_its_outcome(fo_client, front_office):
    case = CaseFactory(owner=front_office)

    fo_client.post(
        reverse("messaging:close", args=[case.reference]),
        {
            "resolution": "Not ours: the road belongs to the highways agency.",
            "outcome": "not_councils_responsibility",
            "closed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "version": 1,
        },
    )

    update = CitizenUpdate.objects.get()
    assert update.status == CitizenUpdate.Status.NOT_COUNCILS_RESPONSIBILITY
    assert update.entry.kind == TimelineEntry.Kind.CLOSED
    assert update.entry.description == "Not ours: the road belongs to the highways agency."


def test_an_outcome_that_is_not_a_closing_one_is_refused(front_office):
    with pytest.raises(ValidationError, match="how the case ended"):
        services.case_close(
            case=CaseFactory(owner=front_office),
            by=front_office,
            resolution="Done",
            outcome="in_progress",
        )


def test_published_updates_cannot_be_changed_or_deleted(front_office):
    update = services.case_update_citizen(
        case=CaseFactory(owner=front_office), by=front_office, status="open", description="Hi"
    )

    with pytest.raises(ValidationError):
        update.save()
    with pytest.raises(ValidationError):
        update.delete()
