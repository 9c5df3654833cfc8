"""The view ladder for logging contacts (access per role is in tests/test_permissions.py)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Citizen
from demand.models import Contact
from tests.factories import CaseFactory, CitizenFactory, ServiceTypeFactory, failure_category

pytestmark = pytest.mark.django_db

LOG = "/contacts/new/"


def autofocused(html: str) -> list[str]:
    """Each element the page puts the cursor in, as "name=value" ("href=" for a link)."""
    tags = re.findall(r"<(?:input|textarea|select|button|a)\b[^>]*\bautofocus\b[^>]*>", html)
    found = []
    for tag in tags:
        attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))
        if "href" in attrs:
            found.append(f"href={attrs['href']}")
        else:
            found.append(f"{attrs.get('name', '')}={attrs.get('value', '')}")
    return found


def now_input(delta=timedelta()):
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def contact_data(**overrides):
    data = {
        "citizen_words": "The bin men missed our street again",
        "channel": "phone",
        "received_at": now_input(),
        "demand": "value",
    }
    return {**data, **overrides}


def test_text_boxes_count_characters_instead_of_cutting_a_paste_short(fo_client):
    """The browser's maxlength drops the end of a pasted letter without a word: the limit is
    shown by GOV.UK's character count and checked on the server instead."""
    html = fo_client.get(LOG).content.decode()
    textareas = re.findall(r"<textarea\b[^>]*>", html)
    assert len(textareas) >= 4
    assert not [tag for tag in textareas if "maxlength" in tag]
    assert 'data-module="govuk-character-count" data-maxlength="50000"' in html
    assert 'aria-describedby="id_citizen_words-hint id_citizen_words-info"' in html
    assert "You can enter up to 50,000 characters" in html


def test_log_contact_page_puts_the_cursor_in_the_words_box(fo_client):
    """The citizen often starts talking before giving a name."""
    html = fo_client.get(LOG).content.decode()
    assert autofocused(html) == ["citizen_words="]


def test_log_contact_refuses_other_methods(fo_client):
    assert fo_client.delete(LOG).status_code == 405


def test_search_finds_citizens_by_phone_and_reference(fo_client):
    citizen = CitizenFactory(name="Priya Shah", phone="07700900555")
    case = CaseFactory(citizen=citizen)

    by_phone = fo_client.post(LOG, {"action": "find", "q": "07700 900 555"})
    by_reference = fo_client.post(LOG, {"action": "find", "q": case.reference})

    assert by_phone.context["matches"] == [citizen]
    assert by_phone.context["matches"][0].open_case_count == 1
    assert by_reference.context["referenced_case"] == case


def test_search_with_no_match_says_so(fo_client):
    html = fo_client.post(LOG, {"action": "find", "q": "Zebedee"}).content.decode()
    assert "No citizen matches" in html


def test_one_stop_contact_opens_and_closes_a_case(fo_client, front_office):
    service = ServiceTypeFactory()
    response = fo_client.post(
        LOG,
        contact_data(
            citizen_name="Ann Lee",
            citizen_postcode="ls1 4ap",
            service_type=service.pk,
            resolved_now="on",
            resolution="Booked a collection for Thursday",
            what_matters="Before the weekend",
        ),
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()
    assert case.status == Case.Status.CLOSED
    assert case.owner == front_office
    assert case.citizen.postcode == "LS1 4AP"
    assert case.what_matters == "Before the weekend"
    assert case.contacts.get().is_one_stop


def test_contact_for_a_known_citizen_offers_their_open_cases_same_service_first(fo_client):
    citizen = CitizenFactory()
    bins, potholes = ServiceTypeFactory(), ServiceTypeFactory()
    pothole_case = CaseFactory(citizen=citizen, service_type=potholes)
    bin_case = CaseFactory(
        citizen=citizen, service_type=bins, opened_at=timezone.now() - timedelta(days=1)
    )
    CaseFactory(citizen=citizen, closed=True)

    response = fo_client.post(LOG, {"citizen": citizen.pk, "service_type": bins.pk})

    assert response.context["open_cases"] == [bin_case, pothole_case]
    assert "Is this about one of their open cases?" in response.content.decode()


def test_repeat_contact_attaches_to_the_case_it_is_about(fo_client):
    citizen = CitizenFactory()
    case = CaseFactory(citizen=citizen)

    response = fo_client.post(
        LOG,
        contact_data(
            citizen=citizen.pk,
            attach_to=case.pk,
            demand="failure",
            failure_category=failure_category("progress-chasing").pk,
        ),
    )

    assert response.status_code == 302
    assert Case.objects.count() == 1
    assert case.contacts.count() == 2
    assert case.contacts.filter(demand="failure").exists()


def test_known_citizen_with_open_cases_must_choose(fo_client):
    citizen = CitizenFactory()
    CaseFactory(citizen=citizen)
    response = fo_client.post(
        LOG, contact_data(citizen=citizen.pk, service_type=ServiceTypeFactory().pk)
    )
    assert "Choose the case this contact is about, or a new case." in response.content.decode()
    assert Contact.objects.count() == 1


def test_new_need_for_a_known_citizen_opens_a_second_case(fo_client):
    citizen = CitizenFactory()
    CaseFactory(citizen=citizen)
    service = ServiceTypeFactory()
    fo_client.post(LOG, contact_data(citizen=citizen.pk, attach_to="new", service_type=service.pk))
    assert citizen.cases.count() == 2


def test_double_submitted_log_form_records_one_contact(fo_client):
    data = contact_data(
        service_type=ServiceTypeFactory().pk,
        submission_token="8c7b35a4-7c0f-4bd5-9a0f-2d3f0c7e1a11",
    )
    first = fo_client.post(LOG, data)
    second = fo_client.post(LOG, data)

    assert first.url == second.url
    assert Contact.objects.count() == 1
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"citizen_words": ""}, "Enter what the citizen said, in their words."),
        ({"service_type": ""}, "Choose the service the contact is about."),
        ({"demand": "failure"}, "Choose what went wrong for them."),
        ({"demand": ""}, "Say whether this contact is because something wasn"),
        ({"received_at": now_input(timedelta(days=1))}, "cannot be in the future"),
        ({"received_at": "31/02/2026"}, "as a real date and time"),
        ({"resolved_now": "on"}, "Say how the need was met"),
        ({"resolution": "Sorted"}, "to close it now"),
        ({"citizen_email": "not-an-email"}, "Enter an email address like name@example.com."),
        ({"citizen_words": "x" * 50001}, "at most 50,000 characters, and this has 50,001"),
    ],
)
def test_bad_input_shows_the_error_and_keeps_the_text(fo_client, overrides, message):
    service = ServiceTypeFactory()
    data = contact_data(**{"service_type": service.pk, "citizen_name": "Keep Me", **overrides})

    response = fo_client.post(LOG, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert 'value="Keep Me"' in html
    assert not Contact.objects.exists()
    assert not Citizen.objects.exists()


def test_log_on_case_happy_path_and_bad_input(fo_client):
    case = CaseFactory()
    url = reverse("demand:log_on_case", kwargs={"reference": case.reference})

    bad = fo_client.post(url, contact_data(citizen_words="Still waiting", demand="failure"))
    good = fo_client.post(url, contact_data(citizen_words="Still waiting"))

    assert bad.status_code == 200
    assert "Still waiting" in bad.content.decode()
    assert good.status_code == 302
    assert case.contacts.count() == 2


def test_log_on_a_closed_case_says_reopen(fo_client):
    case = CaseFactory(closed=True)
    url = reverse("demand:log_on_case", kwargs={"reference": case.reference})
    response = fo_client.post(url, contact_data())
    html = response.content.decode()
    assert f"{case.reference} is closed" in html and "can reopen it" in html
    assert case.contacts.count() == 1


def test_reopen_happy_path(fo_client, front_office):
    case = CaseFactory(owner=front_office, closed=True)
    url = reverse("demand:reopen", kwargs={"reference": case.reference})
    response = fo_client.post(
        url,
        contact_data(
            citizen_words="The new bin has a cracked lid",
            demand="failure",
            failure_category=failure_category("not-done-right").pk,
            version=case.version,
        ),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_open
    assert case.contacts.count() == 2


def test_reopen_bad_input(fo_client, front_office):
    case = CaseFactory(owner=front_office, closed=True)
    url = reverse("demand:reopen", kwargs={"reference": case.reference})
    response = fo_client.post(url, contact_data(citizen_words="", version=case.version))
    assert "Enter what the citizen said" in response.content.decode()
    case.refresh_from_db()
    assert not case.is_open
