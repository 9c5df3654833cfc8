"""The citizen's progress page: opened by a case's reference and its code, with no sign-in; their
own words, what happens next and when, the updates published to them, whether the need is met;
nothing about staff; the same answer for anything wrong; wrong tries from one address stopped."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import AuditEntry, Citizen
from messaging.selectors import progress_path
from tests.factories import CaseFactory, ContactFactory, ProgressLinkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_tries():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def link(front_office):
    case = CaseFactory(owner=front_office, citizen__updates_by="email")
    return ProgressLinkFactory(case=case)


def test_the_page_shows_their_words_the_promise_and_the_updates(client, link, front_office):
    case = link.case
    day = timezone.localdate() + timedelta(days=2)
    services.case_record_step(
        case=case, by=front_office, step_kind="wait", description="Waiting for Dave in stores."
    )
    services.case_update_citizen(
        case=case,
        by=front_office,
        status="action_scheduled",
        description="We have booked a crew.",
        next_step="A crew will collect your bin.",
        next_step_on=day,
    )

    response = client.get(progress_path(link))

    assert response.status_code == 200
    page = response.content.decode()
    assert "My bin wasn&#x27;t collected on Tuesday" in page  # their own words
    assert "A crew will collect your bin." in page
    assert f"{day:%A} {day.day} {day:%B %Y}" in page
    assert "We have booked a crew." in page and "Work is booked" in page
    # Nothing about staff or the council's own steps.
    assert front_office.get_full_name() not in page
    assert "Dave in stores" not in page
    assert "Value demand" not in page and "Sign out" not in page
    assert page.count("<h1") == 1
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]


def test_a_closed_case_says_the_need_is_met(client, link, front_office):
    services.case_close(
        case=link.case, by=front_office, resolution="Your bin was emptied.", outcome="fixed"
    )

    page = client.get(progress_path(link)).content.decode()

    assert "Done: your request is complete" in page
    assert "Your bin was emptied." in page


def test_the_code_may_be_typed_however_it_was_heard(client, link):
    response = client.post(
        reverse("progress:find"),
        {"reference": link.case.reference.lower(), "code": link.code.lower()},
    )

    assert response.status_code == 302
    assert response.url == progress_path(link)


@pytest.mark.parametrize("wrong", ["reference", "code", "revoked", "both"])
def test_anything_wrong_gets_the_same_answer(client, link, wrong):
    reference, code = link.case.reference, link.shown_code
    if wrong in ("reference", "both"):
        reference = "CF-999999"
    if wrong in ("code", "both"):
        code = "AAAA-AAAA" if link.code != "AAAAAAAA" else "BBBB-BBBB"
    if wrong == "revoked":
        link.revoked_at = timezone.now()
        link.save()

    found = client.post(reverse("progress:find"), {"reference": reference, "code": code})
    opened = client.get(reverse("progress:page", args=[reference, code]))

    assert found.status_code == 200
    assert "We could not find a request with that reference and code" in found.content.decode()
    assert opened.status_code == 404
    assert link.case.service_type.name not in opened.content.decode()


def test_an_anonymised_case_has_no_page(client, link):
    link.case.anonymised_at = timezone.now()
    link.case.save()

    assert client.get(progress_path(link)).status_code == 404


def test_the_find_form_asks_for_both(client):
    response = client.post(reverse("progress:find"), {"reference": "", "code": ""})

    page = response.content.decode()
    assert "Enter your reference." in page and "Enter your progress code." in page


def test_guessing_is_stopped_after_a_few_wrong_tries(client, link, settings):
    settings.PROGRESS_TRIES_ALLOWED = 3
    for _ in range(3):
        assert client.get(reverse("progress:page", args=["CF-999999", "AAAA-AAAA"])).status_code
    refused = client.get(progress_path(link))  # even the right code, from this address

    assert refused.status_code == 429
    assert "Too many tries" in refused.content.decode()
    assert int(refused["Retry-After"]) == settings.PROGRESS_TRIES_WINDOW_MINUTES * 60
    other_address = client.get(progress_path(link), REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 200


def test_right_tries_are_not_counted(client, link, settings):
    settings.PROGRESS_TRIES_ALLOWED = 2
    for _ in range(5):
        assert client.get(progress_path(link)).status_code == 200


def test_the_citizen_stops_their_updates_at_once(client, link):
    response = client.post(reverse("progress:stop_updates", args=[link.case.reference, link.code]))

    assert response.status_code == 302
    citizen = Citizen.objects.get(pk=link.case.citizen_id)
    assert citizen.updates_by == Citizen.UpdatesBy.NONE
    entry = AuditEntry.objects.get(object_type="citizen", field="updates_by")
    assert entry.actor is None and "progress page" in entry.actor_label
    page = client.get(response.url).content.decode()
    assert "We will not send you any more updates" in page
    assert "You asked us not to send you updates" in page


def test_stopping_with_a_wrong_code_changes_nothing(client, link):
    response = client.post(reverse("progress:stop_updates", args=[link.case.reference, "AAAA"]))

    assert response.status_code == 404
    assert Citizen.objects.get(pk=link.case.citizen_id).updates_by == "email"


def test_every_contact_on_the_case_is_shown_in_their_words(client, link):
    ContactFactory(case=link.case, citizen_words="Where is my bin? Nobody rang me.", failure=True)

    page = client.get(progress_path(link)).content.decode()

    assert "Where is my bin? Nobody rang me." in page
    assert "Progress chasing" not in page
