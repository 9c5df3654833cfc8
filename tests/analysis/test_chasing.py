"""Seeing the effect of telling citizens: progress-chasing failure demand on cases whose citizen
was sent updates, beside cases whose citizen was sent none; and every demand page's filter."""

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.demand import DemandFilters, chasing_and_updates
from cases import services
from cases.models import Citizen
from messaging import sending
from messaging.models import Message
from tests.factories import CaseFactory, CitizenFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _sent_an_update(case):
    update = services.case_update_citizen(
        case=case, by=case.owner, status="open", description="We have it."
    )
    message = sending.message_queue(update=update, by=case.owner)
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT)


@pytest.fixture
def cases():
    told = CaseFactory(citizen=CitizenFactory(updates_by=Citizen.UpdatesBy.EMAIL))
    _sent_an_update(told)
    quiet = CaseFactory()
    also_quiet = CaseFactory()
    ContactFactory(case=quiet, failure=True, citizen_words="Where is my bin?")
    ContactFactory(case=quiet, failure=True, citizen_words="Still no bin.")
    ContactFactory(case=told, failure=True, citizen_words="When is the crew coming?")
    return told, quiet, also_quiet


def test_chasing_is_counted_for_cases_with_and_without_updates_sent(cases):
    today = timezone.localdate()
    filters = DemandFilters(start=today - timezone.timedelta(days=10), end=today)

    sent, none = chasing_and_updates(filters)

    assert (sent.updates, sent.cases, sent.contacts, sent.chasing) == ("sent", 1, 2, 1)
    assert (none.updates, none.cases, none.contacts, none.chasing) == ("none", 2, 4, 2)
    assert none.chasing_per_case == 1.0 and sent.chasing_per_case == 1.0


def test_a_message_not_sent_does_not_count_as_an_update_sent(cases):
    Message.objects.update(status=Message.Status.FAILED)
    today = timezone.localdate()

    sent, none = chasing_and_updates(
        DemandFilters(start=today - timezone.timedelta(days=10), end=today)
    )

    assert (sent.cases, none.cases) == (0, 3)


def test_the_page_shows_both_and_links_to_the_contacts(tl_client, cases):
    response = tl_client.get(reverse("analysis:chasing"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Citizen sent updates" in page and "Citizen sent none" in page
    assert "updates=sent&amp;category=progress-chasing" in page


def test_every_demand_page_can_choose_cases_by_updates_sent(tl_client, cases):
    words = tl_client.get(reverse("analysis:contacts"), {"updates": "sent"}).content.decode()

    assert "When is the crew coming?" in words
    assert "Where is my bin?" not in words
    none = tl_client.get(reverse("analysis:contacts"), {"updates": "none"}).content.decode()
    assert "Where is my bin?" in none and "When is the crew coming?" not in none
