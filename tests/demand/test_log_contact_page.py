"""The log-a-contact page as one form: finding, choosing and changing the citizen keep everything
typed; a possible duplicate citizen is asked about; a submission token saves one contact, once."""

import re
import uuid

import pytest
from django.utils import timezone

from cases.models import Case, Citizen
from cases.selectors import possible_duplicates
from demand.models import Contact, DemandType
from tests.demand.test_views_log import LOG, autofocused, contact_data
from tests.factories import CaseFactory, CitizenFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db

TYPED = {
    "citizen_words": "There's a pothole outside number 4 and my tyre burst",
    "channel": "email",
    "citizen_name": "Gwen Lloyd",
    "citizen_phone": "07700 900 123",
    "what_matters": "Before the school run",
}


def test_find_keeps_everything_typed_and_puts_the_cursor_on_the_first_match(fo_client):
    found = CitizenFactory(name="Priya Shah", phone="07700900555")
    service = ServiceTypeFactory()
    data = contact_data(**TYPED, service_type=service.pk, action="find", q="Priya")

    response = fo_client.post(LOG, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["matches"] == [found]
    assert TYPED["citizen_words"].replace("'", "&#x27;") in html
    assert 'value="Gwen Lloyd"' in html
    assert 'value="email" checked' in html
    assert f'<option value="{service.pk}" selected>' in html
    assert "There is a problem" not in html  # a search is not an attempt to save
    assert autofocused(html) == [f"choose={found.pk}"]
    assert not Contact.objects.exists()


def test_find_with_no_match_keeps_the_cursor_in_the_search_box(fo_client):
    response = fo_client.post(LOG, contact_data(action="find", q="Zebedee"))
    html = response.content.decode()
    assert "No citizen matches “Zebedee”" in html
    assert autofocused(html) == ["q=Zebedee"]


def test_choosing_a_match_keeps_the_words_and_offers_their_open_cases(fo_client):
    citizen = CitizenFactory()
    case = CaseFactory(citizen=citizen)

    response = fo_client.post(LOG, contact_data(**TYPED, choose=citizen.pk, q="x"))

    html = response.content.decode()
    assert response.context["citizen"] == citizen
    assert response.context["open_cases"] == [case]
    assert f'name="citizen" value="{citizen.pk}"' in html
    assert "my tyre burst" in html
    assert "Change citizen" in html
    assert autofocused(html) == [f"attach_to={case.pk}"]
    assert not Contact.objects.filter(citizen_words=TYPED["citizen_words"]).exists()


def test_choosing_someone_without_open_cases_puts_the_cursor_on_the_service(fo_client):
    citizen = CitizenFactory()
    response = fo_client.post(LOG, contact_data(choose=citizen.pk))
    assert autofocused(response.content.decode()) == ["service_type="]


def test_change_citizen_keeps_the_words_and_forgets_the_citizen(fo_client):
    citizen = CitizenFactory()
    data = contact_data(**TYPED, citizen=citizen.pk, action="change-citizen")

    response = fo_client.post(LOG, data)

    html = response.content.decode()
    assert response.context["citizen"] is None
    assert "my tyre burst" in html
    assert re.search(r'<input type="hidden" name="citizen" id="id_citizen">', html)
    assert autofocused(html) == ["q="]


def test_a_link_may_name_the_citizen_or_start_a_search(fo_client):
    citizen = CitizenFactory(name="Ann Lee")
    named = fo_client.get(LOG, {"citizen": citizen.pk})
    searched = fo_client.get(LOG, {"q": "Ann"})
    assert named.context["citizen"] == citizen
    assert searched.context["matches"] == [citizen]
    assert autofocused(searched.content.decode()) == ["citizen_words="]


def test_the_page_is_never_cached(fo_client):
    """A saved form must not come back from the browser's history ready to send again."""
    response = fo_client.get(LOG)
    assert "no-store" in response["Cache-Control"]


# Same person or a new one?


@pytest.mark.parametrize(
    ("held", "typed", "same"),
    [
        ({}, {}, True),  # nothing to compare: ask
        ({"phone": "07700900123"}, {"phone": "07700 900 123"}, True),
        ({"phone": "07700900123"}, {"phone": "07700 900 999"}, False),
        ({"email": "Gwen@Example.org"}, {"email": "gwen@example.org"}, True),
        ({"postcode": "LS1 4AP"}, {"postcode": "ls14ap"}, True),
        (
            {"phone": "07700900123", "postcode": "LS1 4AP"},
            {"phone": "0", "postcode": "LS14AP"},
            True,
        ),
        ({"phone": "07700900123"}, {"email": "new@example.org"}, True),  # not comparable
    ],
)
def test_possible_duplicates_rule(held, typed, same):
    person = CitizenFactory(name="Gwen Lloyd", **{"phone": "", "email": "", "postcode": "", **held})
    found = possible_duplicates(name="  gwen   LLOYD ", **typed)
    assert (found == [person]) is same


def test_possible_duplicates_skips_other_names_and_removed_details():
    CitizenFactory(name="Gwen Lloyd-Jones")
    CitizenFactory(name="Gwen Lloyd", anonymised_at=timezone.now())
    assert possible_duplicates(name="Gwen Lloyd") == []
    assert possible_duplicates(name="   ") == []


def test_possible_duplicates_count_only_their_own_open_cases():
    busy = CitizenFactory(name="Gwen Lloyd", phone="")
    CaseFactory.create_batch(2, citizen=busy)
    CaseFactory(citizen=busy, closed=True)
    idle = CitizenFactory(name="Gwen Lloyd", phone="")
    CaseFactory(citizen=CitizenFactory(name="Someone Else"))

    found = {person: person.open_case_count for person in possible_duplicates(name="Gwen Lloyd")}

    assert found == {busy: 2, idle: 0}


def test_a_new_citizen_like_one_we_have_is_asked_about_first(fo_client):
    existing = CitizenFactory(name="Gwen Lloyd", phone="07700900123")
    service = ServiceTypeFactory()

    response = fo_client.post(LOG, contact_data(**TYPED, service_type=service.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Is this one of these people?" in html
    assert response.context["look_alikes"] == [existing]
    assert autofocused(html) == [f"use={existing.pk}"]
    assert "my tyre burst" in html and 'value="Gwen Lloyd"' in html
    assert Citizen.objects.count() == 1
    assert not Contact.objects.exists()


def test_choosing_the_look_alike_logs_the_contact_on_them(fo_client):
    existing = CitizenFactory(name="Gwen Lloyd", phone="07700900123")
    service = ServiceTypeFactory()

    response = fo_client.post(LOG, contact_data(**TYPED, service_type=service.pk, use=existing.pk))

    assert response.status_code == 302
    assert Citizen.objects.count() == 1
    assert Case.objects.get().citizen == existing


def test_choosing_a_look_alike_with_open_cases_asks_which_case(fo_client):
    existing = CitizenFactory(name="Gwen Lloyd", phone="07700900123")
    case = CaseFactory(citizen=existing)

    response = fo_client.post(LOG, contact_data(**TYPED, use=existing.pk))

    assert response.status_code == 200
    assert response.context["citizen"] == existing
    assert response.context["open_cases"] == [case]
    assert not response.context["look_alikes"]
    assert case.contacts.count() == 1


def test_no_adds_a_second_citizen_of_the_same_name(fo_client):
    CitizenFactory(name="Gwen Lloyd", phone="07700900123")
    data = contact_data(**TYPED, service_type=ServiceTypeFactory().pk, action="save-new-citizen")

    response = fo_client.post(LOG, data)

    assert response.status_code == 302
    assert Citizen.objects.filter(name="Gwen Lloyd").count() == 2


# A saved form is never saved twice, or claimed as saved when it was not.


def test_the_same_form_sent_again_says_it_was_already_logged(fo_client):
    data = contact_data(
        **TYPED, service_type=ServiceTypeFactory().pk, submission_token=str(uuid.uuid4())
    )
    first = fo_client.post(LOG, data, follow=True)
    # The citizen it added now looks like a duplicate; the form was logged, so no question.
    second = fo_client.post(LOG, data, follow=True)

    case = Case.objects.get()
    messages = [str(m) for m in second.context["messages"]]
    assert first.redirect_chain[-1][0] == case.get_absolute_url()
    assert second.redirect_chain[-1][0] == case.get_absolute_url()
    assert messages == [
        f"This contact was already logged as {case.reference}. Nothing new was saved."
    ]
    assert Contact.objects.count() == 1


def test_a_token_reused_for_a_different_contact_is_refused_and_the_text_kept(fo_client):
    service = ServiceTypeFactory()
    token = str(uuid.uuid4())
    fo_client.post(LOG, contact_data(service_type=service.pk, submission_token=token))
    changed = contact_data(
        citizen_words="Now about the street light", service_type=service.pk, submission_token=token
    )

    refused = fo_client.post(LOG, changed)

    html = refused.content.decode()
    case = Case.objects.get()
    assert refused.status_code == 200
    assert f"already used to log a contact on {case.reference}, so nothing was saved now" in html
    assert "Now about the street light" in html
    assert Contact.objects.count() == 1
    # The form comes back with a new token: pressing again logs it as a contact of its own.
    new_token = refused.context["form"].data["submission_token"]
    assert new_token != token
    again = fo_client.post(LOG, {**changed, "submission_token": new_token})
    assert again.status_code == 302
    assert Contact.objects.count() == 2


def test_a_token_reused_on_another_case_is_refused(fo_client):
    citizen = CitizenFactory()
    first_case, second_case = CaseFactory(citizen=citizen), CaseFactory(citizen=citizen)
    token = str(uuid.uuid4())
    words = {"citizen_words": "Any news?", "citizen": citizen.pk, "submission_token": token}
    fo_client.post(LOG, contact_data(**words, attach_to=first_case.pk))

    refused = fo_client.post(LOG, contact_data(**words, attach_to=second_case.pk))

    assert refused.status_code == 200
    assert "nothing was saved now" in refused.content.decode()
    assert second_case.contacts.count() == 1
    assert first_case.contacts.count() == 2


# The next call.


def test_after_saving_the_cursor_is_on_log_the_next_contact(fo_client):
    response = fo_client.post(LOG, contact_data(service_type=ServiceTypeFactory().pk), follow=True)
    html = response.content.decode()
    assert autofocused(html) == ["href=/contacts/new/"]
    assert 'data-disable-auto-focus="true"' in html
    assert "Log the next contact" in html


# What they asked for belongs to the service the contact is about.


def test_a_demand_type_of_another_service_is_refused_in_plain_words(fo_client):
    bins, potholes = ServiceTypeFactory(name="Missed bins"), ServiceTypeFactory(name="Potholes")
    pothole_type = DemandType.objects.create(service_type=potholes, name="Report a pothole")
    citizen = CitizenFactory()
    case = CaseFactory(citizen=citizen, service_type=bins)

    response = fo_client.post(
        LOG,
        contact_data(citizen=citizen.pk, attach_to=case.pk, demand_type=pothole_type.pk),
    )

    html = response.content.decode()
    assert "Choose what they asked for from the list for Missed bins." in html
    assert case.contacts.count() == 1


def test_the_help_page_is_linked_from_the_form(fo_client):
    form = fo_client.get(LOG).content.decode()
    help_page = fo_client.get("/contacts/help/").content.decode()
    assert 'href="/contacts/help/"' in form
    assert "How we log contacts" in help_page
    assert "failure demand" in help_page and "dirty" in help_page
