"""The Open311 API's rules, edges and bad input: keys, the spec's error shape, validation like
staff input, dates and windows, what is shown to whom, rate limits."""

import json
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from cases import services as case_services
from demand import arrivals
from demand.models import ArrivedContact, Contact
from open311 import services
from open311.models import ServiceRequest
from tests.open311 import fixmystreet
from tests.open311.conftest import API

pytestmark = pytest.mark.django_db


def _report(fms, **extra):
    params = {
        "api_key": fms.key,
        "service_code": "bins",
        "description": "The bin outside number 4 was missed.",
        "lat": "51.5014",
        "long": "-0.1419",
    }
    params.update(extra)
    return {key: value for key, value in params.items() if value is not None}


def _error(response) -> tuple[int, str]:
    (error,) = fixmystreet.parse(response.content)["error"]
    return int(error["code"]), error["description"]


def test_json_is_the_spark_form_of_the_xml(client, bins):
    services_json = client.get(f"{API}services.json")
    definition = client.get(f"{API}services/bins.json")

    assert services_json["Content-Type"] == "application/json; charset=utf-8"
    assert [s["service_code"] for s in services_json.json()] == ["bins"]
    assert definition.json()["service_code"] == "bins"
    assert definition.json()["attributes"][0]["code"] == "asked_for"


@pytest.mark.parametrize(
    ("key", "why"),
    [(None, "required"), ("cf311_not-a-key", "wrong"), ("", "required")],
)
def test_posting_without_a_right_key_is_403_in_the_spec_shape(client, fms, bins, key, why):
    response = client.post(f"{API}requests.xml", _report(fms, api_key=key))

    assert response.status_code == 403
    code, description = _error(response)
    assert code == 403 and why in description
    assert not ArrivedContact.objects.exists()


def test_a_revoked_key_is_refused(client, fms, bins):
    services.client_revoke(client=fms)

    response = client.post(f"{API}requests.xml", _report(fms))

    assert response.status_code == 403
    assert not ArrivedContact.objects.exists()


def test_a_new_key_replaces_the_old_one(client, fms, bins):
    new_key = services.client_new_key(client=fms)

    assert client.post(f"{API}requests.xml", _report(fms)).status_code == 403
    assert client.post(f"{API}requests.xml", _report(fms, api_key=new_key)).status_code == 201


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"service_code": None}, "service_code is required"),
        ({"description": "  "}, "description is required"),
        ({"lat": None, "long": None}, "Say where the problem is"),
        ({"long": None}, "lat and long must be sent together"),
        ({"lat": "0", "long": "0"}, "outside the United Kingdom"),
        ({"lat": "48.85", "long": "2.35"}, "outside the United Kingdom"),  # Paris
        ({"lat": "NaN"}, "outside the United Kingdom"),
        ({"lat": "north"}, "must be a number"),
        ({"attribute[easting]": "-5"}, "off the national grid"),
        ({"email": "not an address"}, "is not an email address"),
        ({"media_url": "javascript:alert(1)"}, "media_url must be an http or https link"),
        ({"requested_datetime": "2026-06-04 09:30"}, "W3C date and time with a time zone"),
        ({"requested_datetime": "2026-06-04T09:30:00"}, "W3C date and time with a time zone"),
        ({"requested_datetime": "2026-02-30T09:30:00Z"}, "not a real date"),
        ({"requested_datetime": "2099-06-04T09:30:00Z"}, "in the future"),
        ({"attribute[asked_for]": "999999"}, "is not one of Bins and recycling's values"),
        ({"description": "nul \x00 here"}, "NUL"),
        ({"first_name": "x" * 201}, "first_name is 201 characters long"),
    ],
)
def test_bad_reports_get_a_clear_400_and_nothing_is_saved(client, fms, bins, change, message):
    response = client.post(f"{API}requests.xml", _report(fms, **change))

    assert response.status_code == 400
    code, description = _error(response)
    assert code == 400
    assert message in description
    assert not ArrivedContact.objects.exists()


def test_an_address_alone_is_a_location(client, fms, bins):
    params = _report(fms, lat=None, long=None, address_string="4 Church Lane, Leeds")

    response = client.post(f"{API}requests.xml", params)

    assert response.status_code == 201
    assert ArrivedContact.objects.get().address == "4 Church Lane, Leeds"


def test_when_the_citizen_sent_it_starts_their_clock(client, fms, bins):
    sent = "2026-01-10T08:15:00+00:00"

    client.post(f"{API}requests.xml", _report(fms, **{"attribute[requested_datetime]": sent}))

    arrival = ArrivedContact.objects.get()
    assert arrival.received_at.isoformat() == sent
    assert arrival.arrived_at > arrival.received_at


def test_a_repeat_without_the_clients_id_is_a_retry_within_a_day_only(client, fms, bins):
    first = client.post(f"{API}requests.xml", _report(fms))
    again = client.post(f"{API}requests.xml", _report(fms))
    assert (first.status_code, again.status_code) == (201, 200)
    assert ServiceRequest.objects.count() == 1

    ServiceRequest.objects.update(created_at=timezone.now() - timedelta(days=2))
    later = client.post(f"{API}requests.xml", _report(fms))

    assert later.status_code == 201  # the same words two days later are a new report
    assert ServiceRequest.objects.count() == 2


def test_the_same_fixmystreet_id_from_another_client_is_another_report(client, fms, bins):
    _web_form, web_key = services.client_add(name="Council web form")
    params = _report(fms, **{"attribute[fixmystreet_id]": "12"})

    client.post(f"{API}requests.xml", params)
    client.post(f"{API}requests.xml", {**params, "api_key": web_key})

    assert ServiceRequest.objects.filter(external_id="12").count() == 2


def test_uploaded_files_are_refused_rather_than_dropped(client, fms, bins):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    response = client.post(f"{API}requests.xml", {**_report(fms), "photo1": photo})

    assert response.status_code == 400
    assert "media_url" in _error(response)[1]
    assert not ArrivedContact.objects.exists()


def test_a_post_needs_no_csrf_token_and_is_never_redirected(fms, bins):
    strict = HttpClient(enforce_csrf_checks=True)

    response = strict.post(f"{API}requests.xml", _report(fms))

    assert response.status_code == 201
    assert "Location" not in response


@pytest.mark.parametrize(
    "path",
    ["services", "services.html", "services/nothing.xml", "requests/abc.xml", "x/y/z"],
)
def test_anything_else_is_a_404_in_the_spec_shape_never_html(client, bins, path):
    response = client.get(f"{API}{path}")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/xml")
    assert _error(response)[0] == 404


@pytest.mark.parametrize("method", ["delete", "put", "options"])
def test_a_wrong_method_is_refused_in_the_spec_shape(client, bins, method):
    response = getattr(client, method)(f"{API}services.xml")

    assert response.status_code == 405
    assert _error(response)[0] == 405
    assert response["Allow"] == "GET, HEAD"


def test_requests_show_progress_to_anyone_and_the_words_only_to_their_client(
    client, fms, bins, front_office
):
    response = client.post(f"{API}requests.xml", _report(fms))
    request_id = fixmystreet.parse(response.content)["request"][0]["service_request_id"]
    arrival = ArrivedContact.objects.get()
    contact = arrivals.arrival_take(
        arrival=arrival,
        by=front_office,
        demand=Contact.Demand.VALUE,
        demand_type=bins.demand_types.first(),
    )
    case_services.case_update_citizen(
        case=contact.case, by=front_office, status="in_progress", description="On its way."
    )

    public = fixmystreet.parse(client.get(f"{API}requests/{request_id}.xml").content)
    own = fixmystreet.parse(
        client.get(f"{API}requests/{request_id}.xml", {"api_key": fms.key}).content
    )

    (shown,) = public["request"]
    assert shown["status"] == "open"
    assert shown["status_notes"] == "On its way."
    assert shown["service_code"] == "bins"
    assert "description" not in shown and "lat" not in shown
    (mine,) = own["request"]
    assert mine["description"] == "The bin outside number 4 was missed."
    assert (mine["lat"], mine["long"]) == ("51.5014", "-0.1419")


def test_get_requests_filters_by_status_service_and_dates(client, fms, bins, front_office):
    client.post(f"{API}requests.xml", _report(fms, description="first"))
    client.post(f"{API}requests.xml", _report(fms, description="second"))
    first = ArrivedContact.objects.get(citizen_words="first")
    case = arrivals.arrival_take(
        arrival=first,
        by=front_office,
        demand=Contact.Demand.VALUE,
        demand_type=bins.demand_types.first(),
    ).case
    case_services.case_close(case=case, by=front_office, resolution="Done.")

    def ids(**query):
        body = client.get(f"{API}requests.json", {"api_key": fms.key, **query}).json()
        return [r["description"] for r in body]

    assert ids() == ["second", "first"]
    assert ids(status="closed") == ["first"]
    assert ids(status="open") == ["second"]
    assert ids(service_code="other") == []
    assert ids(end_date="2020-01-01T00:00:00Z", start_date="2019-12-01T00:00:00Z") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "after"),
        ({"start_date": "yesterday"}, "W3C"),
        ({"status": "pending"}, "open or closed"),
        ({"service_request_id": "1,x"}, "numbers"),
    ],
)
def test_get_requests_refuses_bad_queries(client, bins, query, message):
    response = client.get(f"{API}requests.xml", query)

    assert response.status_code == 400
    assert message in _error(response)[1]


def test_updates_need_a_key_and_show_only_the_clients_own(client, fms, bins, front_office):
    _other, other_key = services.client_add(name="Council web form")
    client.post(f"{API}requests.xml", _report(fms))
    contact = arrivals.arrival_take(
        arrival=ArrivedContact.objects.get(),
        by=front_office,
        demand=Contact.Demand.VALUE,
        demand_type=bins.demand_types.first(),
    )
    case_services.case_update_citizen(
        case=contact.case, by=front_office, status="investigating", description="Checking."
    )

    assert client.get(f"{API}servicerequestupdates.xml").status_code == 403
    mine = client.get(f"{API}servicerequestupdates.json", {"api_key": fms.key}).json()
    theirs = client.get(f"{API}servicerequestupdates.json", {"api_key": other_key}).json()

    assert [u["description"] for u in mine] == ["Checking."]
    assert theirs == []


def test_an_update_on_someone_elses_request_is_404(client, fms, bins):
    _other, other_key = services.client_add(name="Council web form")
    client.post(f"{API}requests.xml", _report(fms))
    request_id = str(ServiceRequest.objects.get().pk)

    response = client.post(
        f"{API}servicerequestupdates.xml",
        fixmystreet.update_params(
            api_key=other_key,
            service_request_id=request_id,
            update_id=1,
            text="Hi",
            when=timezone.now(),
        ),
    )

    assert response.status_code == 404
    assert ArrivedContact.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "SHOUTING"}, "is not one of"),
        ({"updated_datetime": "today"}, "W3C"),
        ({"update_id": ""}, "update_id is required"),
        ({"description": ""}, "no words and no photo"),
    ],
)
def test_bad_updates_get_a_clear_400(client, fms, bins, change, message):
    client.post(f"{API}requests.xml", _report(fms))
    params = fixmystreet.update_params(
        api_key=fms.key,
        service_request_id=str(ServiceRequest.objects.get().pk),
        update_id=7,
        text="Any news?",
        when=timezone.now(),
    )

    response = client.post(f"{API}servicerequestupdates.xml", {**params, **change})

    assert response.status_code == 400
    assert message in _error(response)[1]
    assert ArrivedContact.objects.count() == 1


def test_a_photo_only_update_is_kept_with_a_note_that_it_had_no_words(client, fms, bins):
    client.post(f"{API}requests.xml", _report(fms))
    params = fixmystreet.update_params(
        api_key=fms.key,
        service_request_id=str(ServiceRequest.objects.get().pk),
        update_id=8,
        text="",
        when=timezone.now(),
    )

    response = client.post(
        f"{API}servicerequestupdates.xml", {**params, "media_url": "https://example.org/p.jpg"}
    )

    assert response.status_code == 201
    update = ArrivedContact.objects.get(kind=ArrivedContact.Kind.UPDATE)
    assert update.citizen_words == "(The citizen sent a photo and no words.)"
    assert update.photo_list == ["https://example.org/p.jpg"]


def test_tokens_name_their_request(client, fms, bins):
    client.post(f"{API}requests.xml", _report(fms))
    request = ServiceRequest.objects.get()

    found = fixmystreet.parse(client.get(f"{API}tokens/{request.token}.xml").content)

    assert found["request"][0] == {
        "service_request_id": str(request.pk),
        "token": str(request.token),
    }
    assert client.get(f"{API}tokens/not-a-token.xml").status_code == 404


def test_a_key_past_its_rate_gets_a_clear_429(client, fms, bins, settings):
    settings.OPEN311_RATE_LIMIT = "2/min"
    from django.core.cache import cache

    cache.clear()
    statuses = [
        client.get(f"{API}services.xml", {"api_key": fms.key}).status_code for _ in range(3)
    ]

    assert statuses == [200, 200, 429]
    response = client.get(f"{API}services.xml", {"api_key": fms.key})
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in _error(response)[1]
    cache.clear()


def test_a_client_is_noted_as_used(client, fms, bins):
    client.get(f"{API}services.xml", {"api_key": fms.key})

    fms.refresh_from_db()
    assert fms.last_used_at is not None


def test_the_openapi_description_is_served(client):
    response = client.get(f"{API}openapi.yaml")

    assert response.status_code == 200
    assert b"openapi: 3." in response.content


def test_details_keep_multi_value_attributes(client, fms, bins):
    client.post(
        f"{API}requests.xml",
        {**_report(fms), "attribute[colour][]": ["grey", "green"], "account_id": "a-1"},
    )

    details = json.loads(ArrivedContact.objects.get().details)
    assert details["attribute[colour][]"] == ["grey", "green"]
    assert details["account_id"] == "a-1"


def test_two_sendings_at_the_same_moment_make_one_report(client, fms, bins, monkeypatch):
    """The same report from two of the client's workers at once: both find nothing received
    yet, the second insert meets the unique constraint and answers with the first's id."""
    params = _report(fms, **{"attribute[fixmystreet_id]": "77"})
    first = client.post(f"{API}requests.xml", params)
    real = services._earlier_request
    calls = []

    def not_yet_then_real(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(services, "_earlier_request", not_yet_then_real)
    second = client.post(f"{API}requests.xml", params)

    assert second.status_code == 200
    assert len(calls) == 2
    assert fixmystreet.parse(second.content) == fixmystreet.parse(first.content)
    assert ServiceRequest.objects.count() == ArrivedContact.objects.count() == 1


def test_keyless_reads_are_counted_by_address(client, bins, settings):
    from django.core.cache import cache

    settings.OPEN311_RATE_LIMIT = "2/min"
    cache.clear()
    here = [client.get(f"{API}services.xml").status_code for _ in range(3)]
    elsewhere = client.get(f"{API}services.xml", REMOTE_ADDR="192.0.2.9").status_code

    assert here == [200, 200, 429]
    assert elsewhere == 200
    cache.clear()
