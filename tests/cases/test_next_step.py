"""What happens next: the owner tells the citizen the next thing that will happen and when. A
promise to the citizen, published with an update, shown on the case and in work in progress as
such, and cleared when the need is met."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import AuditEntry, Case, CitizenUpdate
from tests.factories import CaseFactory
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db


def _tomorrow():
    return timezone.localdate() + timedelta(days=1)


def test_the_owner_records_what_happens_next_and_when(fo_client, front_office):
    case = CaseFactory(owner=front_office)
    day = _tomorrow()

    response = fo_client.post(
        reverse("messaging:update_citizen", args=[case.reference]),
        {
            "next_step": "A joiner will come to fix the window, in the morning.",
            "next_step_on": day.isoformat(),
            "status": "action_scheduled",
            "description": "",
            "version": 1,
        },
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.next_step == "A joiner will come to fix the window, in the morning."
    assert case.next_step_on == day
    update = CitizenUpdate.objects.get()
    assert (update.next_step, update.next_step_on) == (case.next_step, day)
    # What the citizen reads (on FixMyStreet too) says what and when, in words.
    assert update.entry.description == (
        "What happens next: A joiner will come to fix the window, in the morning.\n"
        f"When: {day:%A} {day.day} {day:%B %Y}"
    )
    changed = set(
        AuditEntry.objects.filter(object_type="case", object_id=case.pk).values_list(
            "field", flat=True
        )
    )
    assert {"next_step", "next_step_on"} <= changed


def test_an_update_with_words_and_a_promise_carries_both(front_office):
    case = CaseFactory(owner=front_office)

    update = services.case_update_citizen(
        case=case,
        by=front_office,
        status="investigating",
        description="We found the leak.",
        next_step="A plumber will fix it.",
        next_step_on=_tomorrow(),
    )

    assert update.entry.description.startswith("We found the leak.\n\nWhat happens next: ")


@pytest.mark.parametrize(
    ("next_step", "day", "message"),
    [
        ("A joiner will come.", None, "Say when it will happen"),
        ("", "tomorrow", "Say what will happen on that day"),
        ("A joiner will come.", "yesterday", "cannot be in the past"),
        ("", None, "Write the update for the citizen"),
    ],
)
def test_a_promise_needs_words_and_a_day_not_past(front_office, next_step, day, message):
    case = CaseFactory(owner=front_office)
    days = {"tomorrow": _tomorrow(), "yesterday": timezone.localdate() - timedelta(days=1)}

    with pytest.raises(ValidationError, match=message):
        services.case_update_citizen(
            case=case,
            by=front_office,
            status="open",
            next_step=next_step,
            next_step_on=days.get(day),
        )
    assert not CitizenUpdate.objects.exists()
    assert Case.objects.get(pk=case.pk).next_step == ""


def test_today_is_a_day_a_promise_can_name(front_office):
    case = CaseFactory(owner=front_office)

    services.case_update_citizen(
        case=case,
        by=front_office,
        status="open",
        next_step="We will ring you back.",
        next_step_on=timezone.localdate(),
    )

    assert Case.objects.get(pk=case.pk).next_step_on == timezone.localdate()


def test_a_closed_case_has_nothing_next(front_office):
    case = CaseFactory(owner=front_office, closed=True)

    with pytest.raises(ValidationError, match="nothing next"):
        services.case_update_citizen(
            case=case,
            by=front_office,
            status="fixed",
            next_step="A joiner will come.",
            next_step_on=_tomorrow(),
        )


def test_closing_clears_the_promise(front_office):
    case = CaseFactory(owner=front_office)
    services.case_update_citizen(
        case=case,
        by=front_office,
        status="open",
        next_step="A crew will come.",
        next_step_on=_tomorrow(),
    )

    services.case_close(case=case, by=front_office, resolution="Fixed.", outcome="fixed")

    case.refresh_from_db()
    assert (case.next_step, case.next_step_on) == ("", None)


def test_bad_input_comes_back_with_what_was_typed(fo_client, front_office):
    case = CaseFactory(owner=front_office)

    response = fo_client.post(
        reverse("messaging:update_citizen", args=[case.reference]),
        {
            "next_step": "A joiner will come on Tuesday.",
            "next_step_on": "",
            "status": "open",
            "version": 1,
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Say when it will happen." in page
    assert "A joiner will come on Tuesday." in page
    assert not CitizenUpdate.objects.exists()


def test_the_case_page_shows_the_promise_as_a_promise(fo_client, front_office):
    case = CaseFactory(owner=front_office)
    day = _tomorrow()
    services.case_update_citizen(
        case=case, by=front_office, status="open", next_step="A crew will come.", next_step_on=day
    )

    page = fo_client.get(case.get_absolute_url()).content.decode()

    assert "A crew will come." in page
    assert f"{day:%A} {day.day} {day:%B %Y}" in page
    assert "A promise to the citizen" in page
    assert "overdue" not in page.lower()


def test_work_in_progress_shows_what_each_citizen_was_promised(client, team_leader):
    case = CaseFactory()
    services.case_update_citizen(
        case=case,
        by=team_leader,
        status="open",
        next_step="A crew will come.",
        next_step_on=_tomorrow(),
    )
    sign_in(client, team_leader)

    page = client.get(reverse("analysis:wip")).content.decode()

    assert "Promised to the citizen" in page
    assert "A crew will come." in page


def test_a_closed_case_update_form_asks_for_words_only(fo_client, front_office):
    case = CaseFactory(owner=front_office, closed=True)

    form = fo_client.get(reverse("messaging:update_citizen", args=[case.reference])).context["form"]

    assert "next_step" not in form.fields
    assert form.fields["description"].required
