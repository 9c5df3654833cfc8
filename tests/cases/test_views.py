"""The view ladder for the case pages: anonymous and wrong-role access are in
tests/test_permissions.py; here, methods, happy paths and bad input."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.models import Case, TimelineEntry
from tests.factories import CaseFactory, CitizenFactory, ContactFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db


def action_url(case, name):
    app = "messaging" if name in ("close", "update_citizen") else "cases"
    return reverse(f"{app}:{name}", kwargs={"reference": case.reference})


@pytest.mark.parametrize("name", ["list", "mine"])
def test_list_pages_refuse_post(fo_client, name):
    assert fo_client.post(reverse(f"cases:{name}")).status_code == 405


@pytest.mark.parametrize("name", ["record_step", "hand_off", "close"])
def test_action_pages_refuse_other_methods(fo_client, front_office, name):
    case = CaseFactory(owner=front_office)
    assert fo_client.delete(action_url(case, name)).status_code == 405
    assert fo_client.put(action_url(case, name)).status_code == 405


def test_my_cases_lists_my_open_cases_oldest_first(fo_client, front_office, other_front_office):
    now = timezone.now()
    newer = CaseFactory(owner=front_office, opened_at=now - timedelta(days=1))
    older = CaseFactory(owner=front_office, opened_at=now - timedelta(days=9))
    ContactFactory(case=older, received_at=now - timedelta(hours=2), failure=True)
    closed = CaseFactory(owner=front_office, closed=True)
    not_mine = CaseFactory(owner=other_front_office)

    response = fo_client.get(reverse("cases:mine"))

    open_cases = list(response.context["open_cases"])
    assert open_cases == [older, newer]
    assert open_cases[0].contact_count == 2
    assert open_cases[0].is_dirty and not open_cases[1].is_dirty
    assert list(response.context["closed_cases"]) == [closed]
    assert not_mine.reference not in response.content.decode()
    assert "9 days" in response.content.decode()


def test_my_cases_empty_state(fo_client):
    response = fo_client.get(reverse("cases:mine"))
    assert "You have no open cases." in response.content.decode()


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("{pk}", True),  # digits alone: searched, as they may be part of a phone number
        ("Hopkins", True),
        ("hop", True),
        ("07700 900123", True),
        ("(07700) 900-123", True),  # a whole number, however it is typed
        ("900123", True),  # part of a number
        ("07700 900124", False),  # a whole number is matched exactly
        ("ls6 2ab", True),
        ("LS6", True),
        ("Nobody", False),
    ],
)
def test_find_a_case_by_reference_name_phone_or_postcode(fo_client, query, matches):
    citizen = CitizenFactory(name="Mary Hopkins", phone="07700900123", postcode="LS6 2AB")
    case = CaseFactory(citizen=citizen)
    CaseFactory(citizen=CitizenFactory(name="Someone Else", postcode="M1 1AA"))

    response = fo_client.get(reverse("cases:list"), {"q": query.format(pk=case.pk)})

    found = list(response.context["page"].object_list)
    assert (case in found) is matches
    assert len(found) == (1 if matches else 0)


def test_find_a_case_filters_by_status_service_and_owner(fo_client, front_office, team_leader):
    bins = ServiceTypeFactory(slug="missed-bin")
    wanted = CaseFactory(service_type=bins, owner=front_office, closed=True)
    CaseFactory(service_type=bins, owner=front_office)  # open
    CaseFactory(owner=front_office, closed=True)  # other service
    CaseFactory(service_type=bins, owner=team_leader, closed=True)  # other owner

    response = fo_client.get(
        reverse("cases:list"),
        {"status": "closed", "service": "missed-bin", "owner": front_office.pk},
    )

    assert list(response.context["page"].object_list) == [wanted]


def test_find_a_case_paginates_and_keeps_the_filters(fo_client):
    service = ServiceTypeFactory(slug="pothole")
    for _ in range(27):
        CaseFactory(service_type=service)

    first = fo_client.get(reverse("cases:list"), {"service": "pothole"})
    second = fo_client.get(reverse("cases:list"), {"service": "pothole", "page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 2
    assert "service=pothole&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("typed", ["CF-{pk:06d}", " cf-{pk:06d} ", "CF{pk}", "cf {pk}"])
def test_a_reference_opens_that_case(fo_client, typed):
    case = CaseFactory()
    CaseFactory(citizen=CitizenFactory(name=f"CF-{case.pk:06d}"))  # a name that looks like one

    response = fo_client.get(reverse("cases:list"), {"q": typed.format(pk=case.pk)})

    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()


def test_a_reference_to_no_case_says_nothing_matches(fo_client):
    CaseFactory()
    response = fo_client.get(reverse("cases:list"), {"q": "CF-999999"})
    assert response.status_code == 200
    assert "No cases match" in response.content.decode()


def test_find_a_case_puts_the_cursor_in_the_search_box(fo_client):
    html = fo_client.get(reverse("cases:list")).content.decode()
    assert re.search(r'<input type="text" name="q"[^>]*autofocus', html)


def test_a_search_that_fits_on_one_page_is_not_counted_separately(fo_client):
    citizen = CitizenFactory(name="Mary Hopkins")
    cases = [CaseFactory(citizen=citizen) for _ in range(3)]

    with CaptureQueriesContext(connection) as captured:
        response = fo_client.get(reverse("cases:list"), {"q": "Hopkins"})

    assert response.context["page"].paginator.count == 3
    assert set(response.context["page"].object_list) == set(cases)
    assert not [q for q in captured if "COUNT(*)" in q["sql"] and "__count" in q["sql"]]
    assert "3 cases" in response.content.decode()


@pytest.mark.parametrize("fetched_at_once", [1000, 30, 10])
def test_every_page_of_a_long_list_holds_the_right_cases(fo_client, monkeypatch, fetched_at_once):
    # Lists up to IDS_FETCHED_AT_ONCE are paged in memory, longer ones by the database (with
    # the pages among the ids already fetched taken from them): the same pages either way.
    monkeypatch.setattr(selectors, "IDS_FETCHED_AT_ONCE", fetched_at_once)
    service = ServiceTypeFactory(slug="pothole")
    start = timezone.now() - timedelta(days=60)
    cases = [
        CaseFactory(service_type=service, opened_at=start + timedelta(days=i)) for i in range(57)
    ]
    newest_first = [case.pk for case in reversed(cases)]

    pages = [
        fo_client.get(reverse("cases:list"), {"service": "pothole", "page": number}).context["page"]
        for number in (1, 2, 3)
    ]

    assert [[case.pk for case in page.object_list] for page in pages] == [
        newest_first[:25],
        newest_first[25:50],
        newest_first[50:],
    ]
    assert {page.paginator.count for page in pages} == {57}


def test_find_a_case_bad_filter_says_so(fo_client):
    response = fo_client.get(reverse("cases:list"), {"service": "no-such-service"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select a valid choice" in html


def test_case_page_shows_the_story_newest_first(fo_client, front_office):
    case = CaseFactory(owner=front_office, what_matters="Away from Friday")
    ContactFactory(
        case=case,
        received_at=case.opened_at + timedelta(hours=3),
        citizen_words="Where is my new bin?",
        failure=True,
    )

    response = fo_client.get(case.get_absolute_url())

    html = response.content.decode()
    assert case.reference in html and "Away from Friday" in html
    assert html.index("Where is my new bin?") < html.index("My bin wasn")
    assert "Progress chasing" in html
    assert "Dirty" in html
    assert response.context["contact_count"] == 2


def test_case_page_escapes_the_citizens_words(fo_client):
    case = CaseFactory()
    ContactFactory(case=case, citizen_words="<script>alert('x')</script>")
    html = fo_client.get(case.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_unknown_case_is_404(fo_client):
    assert fo_client.get("/cases/CF-999999/").status_code == 404
    assert fo_client.get("/cases/not-a-reference/").status_code == 404


def test_record_step_happy_path(fo_client, front_office):
    case = CaseFactory(owner=front_office)
    response = fo_client.post(
        action_url(case, "record_step"),
        {
            "step_kind": "wait",
            "description": "Waiting for the crew",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "version": case.version,
        },
    )
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()
    step = case.timeline.get(kind=TimelineEntry.Kind.STEP)
    assert (step.step_kind, step.description) == ("wait", "Waiting for the crew")


def test_record_step_bad_input_keeps_what_was_typed(fo_client, front_office):
    case = CaseFactory(owner=front_office)
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = fo_client.post(
        action_url(case, "record_step"),
        {"step_kind": "", "description": "Rang the depot", "occurred_at": future, "version": 1},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Choose what kind of step it was." in html
    assert "cannot be in the future" in html
    assert "Rang the depot" in html
    assert not case.timeline.filter(kind=TimelineEntry.Kind.STEP).exists()


def test_stale_form_is_refused_and_keeps_the_text(fo_client, front_office, team_leader):
    case = CaseFactory(owner=front_office)
    opened_version = case.version
    from cases import services

    services.case_record_step(case=case, by=team_leader, step_kind="check", description="TL check")

    response = fo_client.post(
        action_url(case, "close"),
        {
            "resolution": "New bin delivered",
            "closed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "version": opened_version,
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this case while you had this form open." in html
    assert "New bin delivered" in html
    case.refresh_from_db()
    assert case.is_open


def test_hand_off_happy_path(fo_client, front_office, other_front_office):
    case = CaseFactory(owner=front_office)
    response = fo_client.get(action_url(case, "hand_off"))
    assert other_front_office in response.context["form"].fields["to"].queryset
    assert front_office not in response.context["form"].fields["to"].queryset

    response = fo_client.post(
        action_url(case, "hand_off"),
        {"to": other_front_office.pk, "reason": "Needs a surveyor", "version": case.version},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == other_front_office


def test_hand_off_bad_input(fo_client, front_office, administrator):
    case = CaseFactory(owner=front_office)
    response = fo_client.post(
        action_url(case, "hand_off"),
        {"to": administrator.pk, "reason": "", "version": case.version},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a person from the list." in html
    assert "Give the reason for the hand-off." in html
    case.refresh_from_db()
    assert case.owner == front_office


def test_close_happy_path(fo_client, front_office):
    case = CaseFactory(owner=front_office)
    response = fo_client.post(
        action_url(case, "close"),
        {
            "resolution": "Replacement bin delivered",
            "closed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED


def test_close_before_first_contact_shows_a_clear_message(fo_client, front_office):
    case = CaseFactory(owner=front_office)
    too_early = timezone.localtime(case.opened_at - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = fo_client.post(
        action_url(case, "close"),
        {"resolution": "Done", "closed_at": too_early, "version": case.version},
    )
    assert response.status_code == 200
    assert "cannot be closed before its first contact" in response.content.decode()
    case.refresh_from_db()
    assert case.is_open


def test_close_without_resolution(fo_client, front_office):
    case = CaseFactory(owner=front_office)
    response = fo_client.post(
        action_url(case, "close"),
        {"resolution": "", "closed_at": "not a date", "version": case.version},
    )
    html = response.content.decode()
    assert "Say how the citizen&#x27;s need was met." in html
    assert "as a real date and time" in html


def test_my_cases_shows_the_oldest_fifty_open_and_links_to_the_rest(fo_client, front_office):
    now = timezone.now()
    for i in range(52):
        CaseFactory(owner=front_office, opened_at=now - timedelta(days=60 - i))

    response = fo_client.get(reverse("cases:mine"))

    assert len(response.context["open_cases"]) == 50
    assert response.context["open_count"] == 52
    html = response.content.decode()
    assert f"?status=open&amp;owner={front_office.pk}" in html
    assert "60 days" in html  # the oldest is there


def test_lists_name_the_citizen_or_say_why_not(fo_client):
    CaseFactory(citizen=None)
    CaseFactory(citizen=CitizenFactory(name=""))
    CaseFactory(citizen=CitizenFactory(name="Ann <b>Lee</b>"))

    html = fo_client.get(reverse("cases:list")).content.decode()

    assert "Anonymous" in html and "Name not given" in html
    assert "Ann &lt;b&gt;Lee&lt;/b&gt;" in html


def test_the_case_page_explains_dirty_and_waste_where_it_shows_them(fo_client, front_office):
    from cases import services

    case = CaseFactory(owner=front_office)
    html = fo_client.get(case.get_absolute_url()).content.decode()
    assert "no contact the citizen should not have needed to make" in html
    assert "“Waste” marks" not in html  # nothing wasted yet

    services.case_record_step(case=case, by=front_office, step_kind="wait", description="Parts")
    ContactFactory(case=case, failure=True)
    Case.objects.filter(pk=case.pk).update(is_dirty=True)
    html = fo_client.get(case.get_absolute_url()).content.decode()
    assert "at least one contact was failure demand" in html
    assert "not the person handling it" in html
    assert "“Waste” marks what did not itself help the citizen" in html
