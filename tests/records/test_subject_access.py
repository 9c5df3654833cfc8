"""A subject access request: a team leader downloads everything held about one citizen as a JSON
file, and the download itself is recorded in the audit trail."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.models import AuditEntry, Citizen
from demand import services as demand_services
from demand.services import ContactDetails
from tests.factories import CaseFactory, ContactFactory, ServiceTypeFactory, failure_category
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db

UNUSUAL = (
    'She said "it\'s 💩" \\ back\\slash, <script>alert(1)</script>, שלום, \u2028 and\nnew line'
)


def url(citizen: Citizen | int) -> str:
    return reverse("records:citizen_data", args=[getattr(citizen, "pk", citizen)])


@pytest.fixture
def citizen_with_cases(front_office):
    """A citizen with a closed case (recorded through the services, so audited) and an open one
    with a failure-demand contact."""
    received_at = timezone.now() - timedelta(days=2)
    contact = demand_services.contact_log_new_case(
        by=front_office,
        service_type=ServiceTypeFactory(name="Missed bin"),
        citizen=None,
        new_citizen={
            "name": "Ann Lee",
            "phone": "07700 900123",
            "email": "ann@example.org",
            "address": "1 Beech Grove",
            "postcode": "ls6 1ab",
        },
        details=ContactDetails(
            citizen_words="My bin was missed again",
            channel="phone",
            received_at=received_at,
            demand="value",
        ),
        what_matters="Carer visits on Friday",
    )
    first = contact.case
    services.case_close(case=first, by=front_office, resolution="Bin emptied")
    second = CaseFactory(
        citizen=first.citizen,
        owner=front_office,
        service_type=ServiceTypeFactory(name="Housing repair"),
        opened_at=received_at + timedelta(days=1),
    )
    ContactFactory(
        case=second,
        failure=True,
        citizen_words="Nobody came about the damp",
        received_at=second.opened_at + timedelta(hours=1),
    )
    return first.citizen, first, second


def download(client, citizen):
    response = client.get(url(citizen))
    assert response.status_code == 200
    return response, json.loads(response.content.decode("utf-8"))


def test_team_leader_downloads_a_json_file(tl_client, citizen_with_cases):
    citizen, _, _ = citizen_with_cases

    response, _ = download(tl_client, citizen)

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="citizen-{citizen.pk}-data.json"'
    )
    assert "no-store" in response["Cache-Control"]


def test_the_file_holds_the_citizens_details_cases_contacts_and_words(
    tl_client, citizen_with_cases, front_office
):
    citizen, first, second = citizen_with_cases

    _, data = download(tl_client, citizen)

    assert data["citizen"] == {
        "id": citizen.pk,
        "name": "Ann Lee",
        "phone": "07700900123",
        "email": "ann@example.org",
        "address": "1 Beech Grove",
        "postcode": "LS6 1AB",
        "updates_by": "Not asked yet",
        "first_recorded_at": timezone.localtime(citizen.created_at).isoformat(),
        "anonymised_at": None,
    }
    assert [case["reference"] for case in data["cases"]] == [first.reference, second.reference]
    closed, open_ = data["cases"]
    assert closed["service"] == "Missed bin" and closed["status"] == "Closed"
    assert closed["what_matters"] == "Carer visits on Friday"
    assert closed["resolution"] == "Bin emptied"
    assert closed["owner"] == front_office.get_full_name()
    assert closed["opened_at"] == timezone.localtime(first.opened_at).isoformat()
    assert closed["closed_at"] is not None and open_["closed_at"] is None
    (words,) = closed["contacts"]
    assert words["citizen_words"] == "My bin was missed again"
    assert words["channel"] == "Phone" and words["demand"] == "Value demand"
    assert words["logged_by"] == front_office.get_full_name()
    assert [c["citizen_words"] for c in open_["contacts"]] == [
        "My bin wasn't collected on Tuesday, can you come back for it?",
        "Nobody came about the damp",
    ]
    failure = open_["contacts"][1]
    assert failure["failure_category"] == failure_category().name
    assert failure["prevention_note"] == "Tell them the collection date at the first call."
    assert [entry["kind"] for entry in closed["timeline"]] == ["Contact logged", "Closed"]
    assert closed["timeline"][1]["description"] == "Bin emptied"


def test_the_file_holds_the_audit_trail_of_the_citizen_and_their_cases(
    tl_client, citizen_with_cases
):
    citizen, first, _ = citizen_with_cases
    held = AuditEntry.objects.count()

    _, data = download(tl_client, citizen)

    trail = data["audit_trail"]
    assert {"object_type": "citizen", "field": "name", "new_value": "Ann Lee"}.items() <= next(
        entry for entry in trail if entry["field"] == "name"
    ).items()
    resolution = next(e for e in trail if e["field"] == "resolution" and e["action"] == "Changed")
    assert resolution["case_reference"] == first.reference
    assert resolution["new_value"] == "Bin emptied"
    assert len(trail) == held  # every entry there was, all about this citizen


def test_nothing_about_other_citizens_is_in_the_file(tl_client, citizen_with_cases):
    citizen, _, _ = citizen_with_cases
    other = CaseFactory(what_matters="Someone else's need")

    _, data = download(tl_client, citizen)

    text = json.dumps(data)
    assert "Someone else" not in text and other.citizen.name not in text
    assert other.reference not in text


def test_the_download_is_audited_and_shows_in_each_cases_history(
    tl_client, team_leader, citizen_with_cases
):
    citizen, first, second = citizen_with_cases

    download(tl_client, citizen)

    entry = AuditEntry.objects.get(action=AuditEntry.Action.DOWNLOADED)
    assert (entry.actor, entry.object_type, entry.object_id) == (team_leader, "citizen", citizen.pk)
    assert entry.case_id is None
    assert entry.new_value == (
        f"Everything held about citizen #{citizen.pk} downloaded (2 cases; subject access request)"
    )
    assert "Ann Lee" not in entry.new_value  # the trail of a download holds no personal data
    for case in (first, second):
        assert entry in selectors.case_history(case)
    html = tl_client.get(reverse("cases:history", args=[second.reference])).content.decode()
    assert "Downloaded (subject access request)" in html


@pytest.mark.parametrize("text", [UNUSUAL, "😀" * 50, "'\"`", "\u00a0nbsp\ttab\r\nCRLF"])
def test_unusual_text_round_trips(tl_client, text):
    case = CaseFactory(what_matters=text, citizen__name=text, first_contact__citizen_words=text)

    response, data = download(tl_client, case.citizen)

    assert data["citizen"]["name"] == text
    assert data["cases"][0]["what_matters"] == text
    assert data["cases"][0]["contacts"][0]["citizen_words"] == text
    # Readable UTF-8 in the file, not \\u escapes.
    if "😀" in text:
        assert "😀".encode() in response.content


def test_front_office_is_refused_and_nothing_is_audited(fo_client, citizen_with_cases):
    citizen, _, _ = citizen_with_cases

    assert fo_client.get(url(citizen)).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOADED).exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, citizen_with_cases):
    citizen, _, _ = citizen_with_cases

    response = client.get(url(citizen))

    assert response.status_code == 302 and "/sign-in/" in response.url
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOADED).exists()


def test_unknown_citizen_is_404_and_not_audited(tl_client):
    assert tl_client.get(url(999999)).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOADED).exists()


def test_post_is_refused(tl_client, citizen_with_cases):
    citizen, _, _ = citizen_with_cases
    assert tl_client.post(url(citizen)).status_code == 405


def test_a_fixed_number_of_queries_however_many_cases(tl_client):
    case = CaseFactory()
    with CaptureQueriesContext(connection) as one:
        download(tl_client, case.citizen)
    for _ in range(5):
        CaseFactory(citizen=case.citizen, closed=True)
    with CaptureQueriesContext(connection) as six:
        _, data = download(tl_client, case.citizen)
    assert len(data["cases"]) == 6
    assert len(six) == len(one)


@pytest.mark.parametrize(("role", "shown"), [("team_leader", True), ("front_office", False)])
def test_the_case_page_links_to_the_download_for_team_leaders_only(
    client, request, citizen_with_cases, role, shown
):
    _, first, _ = citizen_with_cases
    sign_in(client, request.getfixturevalue(role))

    html = client.get(first.get_absolute_url()).content.decode()

    assert (url(first.citizen) in html) is shown


def test_an_anonymous_case_has_nothing_to_download(tl_client):
    case = CaseFactory(citizen=None)

    html = tl_client.get(case.get_absolute_url()).content.decode()

    assert "Download everything held" not in html
