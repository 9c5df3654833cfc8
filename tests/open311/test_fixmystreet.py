"""FixMyStreet's own calls, replayed: the service list and definitions it populates its
categories from, a UK report with its attributes, the same report retried, a citizen's update,
and its polling of updates over a two-hour window. Every field FixMyStreet reads is checked, as
its client (perllib/Open311.pm and Open311/*.pm) reads it."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import services as case_services
from cases.models import CitizenUpdate
from demand import arrivals
from demand.models import ArrivedContact, Contact
from open311.models import ServiceRequest
from tests.factories import failure_category
from tests.open311 import fixmystreet
from tests.open311.conftest import API

pytestmark = pytest.mark.django_db


def test_service_list_gives_fixmystreet_a_category_per_active_service(client, bins):
    response = client.get(f"{API}services.xml")  # no api_key: FixMyStreet sends none on GETs

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    services = fixmystreet.parse(response.content)["service"]
    (bins_service,) = [s for s in services if s["service_code"] == "bins"]
    # PopulateServiceList reads service_code, service_name (the category), metadata, keywords
    # and group.
    assert bins_service["service_name"] == "Bins and recycling"
    assert bins_service["metadata"] == "true"
    assert bins_service["type"] == "realtime"
    assert bins_service["description"] == "Missed bins, new bins, recycling."


def test_service_definition_offers_what_the_citizen_asked_for_and_the_automated_fields(
    client, bins
):
    response = client.get(f"{API}services/bins.xml")

    assert response.status_code == 200
    definition = fixmystreet.parse(response.content)
    assert definition["service_code"] == "bins"
    by_code = {attribute["code"]: attribute for attribute in definition["attributes"]}
    asked_for = by_code["asked_for"]
    assert asked_for["variable"] == "true"
    assert asked_for["required"] == "false"
    assert asked_for["datatype"] == "singlevaluelist"
    assert asked_for["order"] == "1"
    assert [v["name"] for v in asked_for["values"]] == [
        "Ask for a new bin",
        "Report a missed collection",
    ]
    assert all(v["key"].isdigit() for v in asked_for["values"])
    # FixMyStreet fills these itself when the service asks for them (SendReport/Open311.pm),
    # and never shows a server_set attribute to the citizen.
    for code in ("fixmystreet_id", "easting", "northing", "closest_address"):
        assert by_code[code]["automated"] == "server_set"
        assert by_code[code]["variable"] == "false"
    assert sorted(int(a["order"]) for a in definition["attributes"]) == list(
        range(1, len(definition["attributes"]) + 1)
    )


def _post_report(client, fms, bins, **kwargs):
    asked = str(bins.demand_types.get(name="Report a missed collection").pk)
    params = fixmystreet.report_params(
        api_key=fms.key, service_code="bins", asked_for=asked, **kwargs
    )
    return client.post(f"{API}requests.xml", params), params


def test_a_uk_report_arrives_whole_as_a_waiting_contact(client, fms, bins):
    with time_machine.travel("2026-06-04 09:30:00 +01:00", tick=False):
        response, params = _post_report(client, fms, bins, fixmystreet_id=4567)

    assert response.status_code == 201
    # Open311::send_service_request returns $obj->{request}->[0]->{service_request_id}.
    request_id = fixmystreet.parse(response.content)["request"][0]["service_request_id"]
    assert request_id.isdigit()
    request = ServiceRequest.objects.get(pk=request_id)
    assert request.client == fms
    assert request.external_id == "4567"
    arrival = request.arrival
    assert arrival.is_waiting
    assert arrival.source == "FixMyStreet"
    assert arrival.service_type == bins
    assert arrival.citizen_words == params["description"]  # FixMyStreet's words, whole
    assert arrival.received_at == timezone.now().replace(
        year=2026, month=6, day=4, hour=8, minute=30, second=0, microsecond=0
    )
    assert arrival.asked_for.name == "Report a missed collection"
    assert (arrival.first_name, arrival.last_name, arrival.email) == (
        "Sam",
        "Smith",
        "sam@example.org",
    )
    assert (arrival.latitude, arrival.longitude) == ("53.800755", "-1.549077")
    assert (arrival.easting, arrival.northing) == ("429800", "433800")
    assert arrival.address == "22 Acacia Avenue, Leeds LS6 2AB"
    assert arrival.photo_list == ["https://www.fixmystreet.com/photo/4567.0.full.jpeg"]
    # Everything else it sent is kept, never its key.
    assert '"attribute[report_url]": "https://www.fixmystreet.com/report/4567"' in arrival.details
    assert "jurisdiction_id" in arrival.details
    assert fms.key not in arrival.details
    assert not Contact.objects.exists()  # nothing is classified until someone takes it


def test_a_retried_report_gets_the_first_id_and_never_a_second_case(client, fms, bins):
    first, _ = _post_report(client, fms, bins, fixmystreet_id=4567)
    # FixMyStreet timed out and sends again; the text may even have been re-composed.
    again, _ = _post_report(client, fms, bins, fixmystreet_id=4567, detail="Edited")

    assert first.status_code == 201
    assert again.status_code == 200
    first_id = fixmystreet.parse(first.content)["request"][0]["service_request_id"]
    assert fixmystreet.parse(again.content)["request"][0]["service_request_id"] == first_id
    assert ServiceRequest.objects.count() == 1
    assert ArrivedContact.objects.count() == 1


def test_a_description_longer_than_the_spec_allows_is_kept_whole(client, fms, bins):
    detail = "The bins on this street have been missed for weeks. " * 400  # ~21,000 characters

    response, params = _post_report(client, fms, bins, fixmystreet_id=99, detail=detail)

    assert response.status_code == 201
    assert ArrivedContact.objects.get().citizen_words == params["description"]
    assert len(params["description"]) > 20_000


def _take(arrival, by, **kwargs):
    kwargs.setdefault("demand_type", arrival.asked_for)
    return arrivals.arrival_take(arrival=arrival, by=by, demand=Contact.Demand.VALUE, **kwargs)


def test_a_citizens_update_arrives_on_the_reports_case_to_be_classified(
    client, fms, bins, front_office
):
    response, _ = _post_report(client, fms, bins, fixmystreet_id=4567)
    request_id = fixmystreet.parse(response.content)["request"][0]["service_request_id"]
    report = ServiceRequest.objects.get(pk=request_id).arrival
    asked = report.asked_for
    contact = _take(report, front_office, demand_type=asked)

    sent = timezone.now()
    update = fixmystreet.update_params(
        api_key=fms.key,
        service_request_id=request_id,
        update_id=38362,
        text="Still not collected. When will someone come?",
        when=sent,
    )
    response = client.post(f"{API}servicerequestupdates.xml", update)

    assert response.status_code == 201
    # Open311::post_service_request_update returns $obj->{request_update}->[0]->{update_id}.
    update_id = fixmystreet.parse(response.content)["request_update"][0]["update_id"]
    assert update_id.startswith("citizen-")
    arrival = ArrivedContact.objects.get(kind=ArrivedContact.Kind.UPDATE)
    assert arrival.case == contact.case
    assert arrival.citizen_words == "Still not collected. When will someone come?"
    assert arrival.status_given == "open"
    assert abs(arrival.received_at - sent) < timedelta(seconds=1)

    # Sent again (FixMyStreet retrying): the same id, no second update.
    again = client.post(f"{API}servicerequestupdates.xml", update)
    assert again.status_code == 200
    assert fixmystreet.parse(again.content)["request_update"][0]["update_id"] == update_id
    assert ArrivedContact.objects.filter(kind=ArrivedContact.Kind.UPDATE).count() == 1

    # Taken, it is a contact on the case in the citizen's words: often a chase.
    chase = arrivals.arrival_take(
        arrival=arrival,
        by=front_office,
        demand=Contact.Demand.FAILURE,
        failure_category=failure_category("progress-chasing"),
    )
    assert chase.case == contact.case
    assert chase.channel == Contact.Channel.ONLINE
    assert chase.citizen_words == "Still not collected. When will someone come?"


def test_polling_a_two_hour_window_reads_every_update_as_fixmystreet_does(
    client, fms, bins, front_office
):
    response, _ = _post_report(client, fms, bins, fixmystreet_id=4567)
    request_id = fixmystreet.parse(response.content)["request"][0]["service_request_id"]
    contact = _take(ServiceRequest.objects.get(pk=request_id).arrival, front_office)
    case = contact.case
    three_hours_ago = timezone.now() - timedelta(hours=3)
    with time_machine.travel(three_hours_ago, tick=False):
        too_old = case_services.case_update_citizen(
            case=case, by=front_office, status="investigating", description="Looking into it."
        )
    booked = case_services.case_update_citizen(
        case=case,
        by=front_office,
        status=CitizenUpdate.Status.ACTION_SCHEDULED,
        description="A crew will empty it on Thursday.",
    )
    case_services.case_close(
        case=case,
        by=front_office,
        resolution="Emptied on Thursday morning.",
        outcome=CitizenUpdate.Status.FIXED,
    )

    # Open311::GetServiceRequestUpdates: the last two hours, api_key in the query.
    now = timezone.now() + timedelta(seconds=1)
    start, end = fixmystreet.w3cdtf(now - timedelta(hours=2)), fixmystreet.w3cdtf(now)
    response = client.get(
        f"{API}servicerequestupdates.xml",
        {"api_key": fms.key, "start_date": start, "end_date": end},
    )

    assert response.status_code == 200
    updates = fixmystreet.parse(response.content)["request_update"]
    assert [u["description"] for u in updates] == [
        "A crew will empty it on Thursday.",
        "Emptied on Thursday morning.",
    ]
    assert f"council-{too_old.pk}" not in {u["update_id"] for u in updates}
    for update in updates:
        # process_requests skips an update without update_id; find_problem needs the request
        # id (or fixmystreet_id) and a W3C updated_datetime inside the window it asked for.
        assert update["update_id"]
        assert update["service_request_id"] == request_id
        assert update["fixmystreet_id"] == "4567"
        assert start <= update["updated_datetime"] <= end
        assert fixmystreet.map_state(update["status"]) in fixmystreet.VISIBLE_STATES
        assert update["customer_reference"] == case.reference
    assert [fixmystreet.map_state(u["status"]) for u in updates] == [
        "action scheduled",
        "fixed - council",
    ]
    assert updates[0]["update_id"] == f"council-{booked.pk}"
    # Comment ids FixMyStreet got for its citizens' updates never meet ours.
    assert not any(u["update_id"].startswith("citizen-") for u in updates)


def test_a_closure_recorded_late_is_still_in_the_next_poll(client, fms, bins, front_office):
    response, _ = _post_report(client, fms, bins, fixmystreet_id=5)
    request_id = fixmystreet.parse(response.content)["request"][0]["service_request_id"]
    case = _take(ServiceRequest.objects.get(pk=request_id).arrival, front_office).case

    # Closed now, saying the need was met five hours ago: published now, so polled now.
    case_services.case_close(
        case=case,
        by=front_office,
        resolution="Emptied this morning.",
        closed_at=max(case.opened_at, timezone.now() - timedelta(hours=5)),
    )
    now = timezone.now() + timedelta(seconds=1)
    response = client.get(
        f"{API}servicerequestupdates.xml",
        {
            "api_key": fms.key,
            "start_date": fixmystreet.w3cdtf(now - timedelta(hours=2)),
            "end_date": fixmystreet.w3cdtf(now),
        },
    )

    updates = fixmystreet.parse(response.content)["request_update"]
    assert [u["description"] for u in updates] == ["Emptied this morning."]


def test_an_error_reads_as_fixmystreet_reports_it(client, fms):
    response = client.post(
        f"{API}requests.xml", {"api_key": fms.key, "service_code": "no-such-service"}
    )

    assert response.status_code == 404
    errors = fixmystreet.parse(response.content)["error"]
    # Open311::_process_error: "code: description".
    assert errors[0]["code"] == "404"
    assert "no-such-service" in errors[0]["description"]
