"""The "Arrived online" list and taking what arrived: the view ladder, the rules (one taker, the
citizen's words never edited, the clock starting when they sent it) and the edges."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Citizen
from demand import arrivals
from demand.models import ArrivedContact, Contact, DemandType
from tests.factories import (
    ArrivedContactFactory,
    CaseFactory,
    CitizenFactory,
    ServiceTypeFactory,
    failure_category,
)
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    service = ServiceTypeFactory(name="Bins", slug="bins")
    missed = DemandType.objects.create(service_type=service, name="Report a missed collection")
    return ArrivedContactFactory(service_type=service, asked_for=missed)


def _value(arrival, **extra):
    return {"demand": "value", "demand_type": str(arrival.asked_for_id), **extra}


def test_the_list_shows_what_waits_oldest_first(fo_client, report):
    newer = ArrivedContactFactory(citizen_words="A newer report.")
    ArrivedContact.objects.filter(pk=newer.pk).update(arrived_at=timezone.now() + timedelta(1))

    response = fo_client.get(reverse("demand:arrived"))

    assert response.status_code == 200
    assert [a.pk for a in response.context["arrivals"]] == [report.pk, newer.pk]
    assert b"2</strong> waiting" in response.content
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_list_says_when_nothing_waits(fo_client):
    response = fo_client.get(reverse("demand:arrived"))

    assert b"Nothing is waiting" in response.content


def test_anonymous_is_sent_to_sign_in_and_administrators_are_refused(client, administrator):
    url = reverse("demand:arrived")
    assert client.get(url).status_code == 302
    sign_in(client, administrator)
    assert client.get(url).status_code == 403


def test_the_take_page_shows_the_words_where_and_photos(fo_client, report):
    response = fo_client.get(reverse("demand:take", args=[report.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "The grey bin at number 22 was missed." in page
    assert "22 Acacia Avenue, Leeds" in page
    assert "53.800755, -1.549077 on a map" in page
    assert "https://www.fixmystreet.com/photo/1.jpeg" in page
    assert "Report a missed collection" in page  # what they said they asked for


def test_taking_a_report_opens_a_case_owned_by_the_taker_from_when_it_was_sent(
    fo_client, front_office, report
):
    response = fo_client.post(reverse("demand:take", args=[report.pk]), _value(report))

    contact = Contact.objects.get()
    case = contact.case
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()
    assert case.owner == front_office
    assert case.opened_at == report.received_at  # the citizen's clock
    assert contact.channel == Contact.Channel.ONLINE
    assert contact.citizen_words == report.citizen_words
    assert contact.demand_type == report.asked_for
    assert case.citizen.name == "Sam Smith"
    assert case.citizen.email == report.email
    report.refresh_from_db()
    assert (report.contact, report.case, report.taken_by) == (contact, case, front_office)


def test_the_case_page_shows_the_report_where_and_from_what(fo_client, report):
    fo_client.post(reverse("demand:take", args=[report.pk]), _value(report))

    page = fo_client.get(Contact.objects.get().case.get_absolute_url()).content.decode()

    assert "Contact by online report from FixMyStreet" in page
    assert "22 Acacia Avenue, Leeds" in page
    assert "Photo 1" in page


def test_the_words_cannot_be_changed_by_the_form(fo_client, report):
    fo_client.post(
        reverse("demand:take", args=[report.pk]), _value(report, citizen_words="Edited!")
    )

    assert Contact.objects.get().citizen_words == report.citizen_words


def test_a_report_can_go_on_the_citizens_open_case(fo_client, report):
    citizen = CitizenFactory(name="Sam Smith", email=report.email)
    open_case = CaseFactory(citizen=citizen, service_type=report.service_type)

    page = fo_client.get(reverse("demand:take", args=[report.pk])).content.decode()
    assert open_case.reference in page
    fo_client.post(
        reverse("demand:take", args=[report.pk]),
        _value(report, citizen=str(citizen.pk), attach_to=str(open_case.pk)),
    )

    assert Contact.objects.filter(case=open_case, channel="online").count() == 1
    assert Case.objects.count() == 1


def test_a_known_citizen_gets_a_new_case_without_a_second_record(fo_client, report):
    citizen = CitizenFactory(name="Sam Smith", email=report.email)

    fo_client.post(
        reverse("demand:take", args=[report.pk]), _value(report, citizen=str(citizen.pk))
    )

    assert Contact.objects.get().case.citizen == citizen
    assert Citizen.objects.count() == 1


def test_failure_demand_needs_its_kind_and_nothing_is_saved_without(fo_client, report):
    response = fo_client.post(reverse("demand:take", args=[report.pk]), {"demand": "failure"})

    assert response.status_code == 200
    assert "Choose what went wrong for them." in response.content.decode()
    assert not Contact.objects.exists()
    report.refresh_from_db()
    assert report.is_waiting


def test_only_one_person_takes_it(fo_client, other_front_office, report):
    arrivals.arrival_take(
        arrival=report, by=other_front_office, demand="value", demand_type=report.asked_for
    )

    response = fo_client.post(reverse("demand:take", args=[report.pk]), _value(report), follow=True)

    assert Contact.objects.count() == 1
    assert "This was taken already." in response.content.decode()


def test_the_service_refuses_a_second_taker_with_who_took_it(
    front_office, other_front_office, report
):
    arrivals.arrival_take(
        arrival=report, by=other_front_office, demand="value", demand_type=report.asked_for
    )

    with pytest.raises(Exception, match="Omar Other took this"):
        arrivals.arrival_take(
            arrival=report, by=front_office, demand="value", demand_type=report.asked_for
        )


def test_an_update_waits_for_its_report_then_goes_on_its_case(fo_client, front_office, report):
    update = ArrivedContactFactory(
        kind=ArrivedContact.Kind.UPDATE,
        report=report,
        service_type=report.service_type,
        citizen_words="Any news?",
        received_at=timezone.now(),
    )

    page = fo_client.get(reverse("demand:take", args=[update.pk])).content.decode()
    assert "Take the report first" in page

    fo_client.post(reverse("demand:take", args=[report.pk]), _value(report))
    case = Contact.objects.get().case
    update.refresh_from_db()
    assert update.case == case  # it follows its report onto the case

    fo_client.post(
        reverse("demand:take", args=[update.pk]),
        {"demand": "failure", "failure_category": str(failure_category().pk)},
    )
    chase = Contact.objects.get(citizen_words="Any news?")
    assert chase.case == case
    assert chase.is_failure
    case.refresh_from_db()
    assert case.is_dirty


def test_an_update_on_a_closed_case_reopens_it_only_for_its_owner(
    client, other_front_office, front_office, report
):
    arrivals.arrival_take(
        arrival=report, by=front_office, demand="value", demand_type=report.asked_for
    )
    case = Contact.objects.get().case
    from cases import services as case_services

    case_services.case_close(case=case, by=front_office, resolution="Emptied.")
    update = ArrivedContactFactory(
        kind=ArrivedContact.Kind.UPDATE,
        report=report,
        case=case,
        service_type=report.service_type,
        citizen_words="It was not emptied after all.",
        received_at=timezone.now(),
    )
    sign_in(client, other_front_office)
    page = client.get(reverse("demand:take", args=[update.pk])).content.decode()
    assert "only its owner" in page

    sign_in(client, front_office)
    response = client.post(
        reverse("demand:take", args=[update.pk]),
        {"demand": "failure", "failure_category": str(failure_category("not-done-right").pk)},
    )

    assert response.status_code == 302, response.context["form"].errors
    case.refresh_from_db()
    assert case.is_open
    assert Contact.objects.filter(case=case).count() == 2


def test_get_on_a_taken_arrival_goes_to_its_case(fo_client, front_office, report):
    arrivals.arrival_take(
        arrival=report, by=front_office, demand="value", demand_type=report.asked_for
    )

    response = fo_client.get(reverse("demand:take", args=[report.pk]))

    assert response.status_code == 302
    assert response.url == Contact.objects.get().case.get_absolute_url()


def test_an_unknown_arrival_is_404(fo_client):
    assert fo_client.get(reverse("demand:take", args=[999999])).status_code == 404
