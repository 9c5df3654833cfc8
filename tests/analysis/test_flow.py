"""Work in progress and flow: exact measures on known cases, filters, empty states, fixed query
counts. (The flow strip on a case page: tests/cases/test_flow_strip.py.)"""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analysis import flow
from cases.models import TimelineEntry
from lib.periods import last_full_weeks
from tests.factories import (
    CaseFactory,
    CitizenFactory,
    ContactFactory,
    FrontOfficeFactory,
    ServiceTypeFactory,
)

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)  # a Monday
END = date(2026, 3, 29)  # the Sunday four weeks later
STEP, HANDOFF = TimelineEntry.Kind.STEP, TimelineEntry.Kind.HANDOFF
Kind = TimelineEntry.StepKind


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def step(case, kind: str, when: datetime, description: str = "Did something.") -> TimelineEntry:
    return TimelineEntry.objects.create(
        case=case, kind=STEP, step_kind=kind, description=description, actor=case.owner,
        occurred_at=when,
    )  # fmt: skip


def hand_off(case, when: datetime) -> TimelineEntry:
    return TimelineEntry.objects.create(
        case=case, kind=HANDOFF, step_kind=Kind.HANDOFF, description="Needs a surveyor.",
        from_owner=case.owner, to_owner=FrontOfficeFactory(), actor=case.owner, occurred_at=when,
    )  # fmt: skip


def closed_case(service, opened: datetime, closed: datetime, *, first_failure=False, **contact):
    """A closed case whose first contact was received when it opened."""
    case = CaseFactory(
        service_type=service, opened_at=opened, closed=True, closed_at=closed, first_contact=False
    )
    ContactFactory(case=case, failure=first_failure, **contact)
    return case


@pytest.fixture
def known_flow():
    """Five missed-bin cases and one pothole case closed in the period, and others that are not.

    case  opened      closed          contacts (failure)  steps                         one-stop
    A     3 Mar 10:00 4 Mar 10:00     1 (0)               value×2, wait                 no
    B     5 Mar 10:00 5 Mar 10:00     1 (0)               -                             yes
    C     9 Mar 10:00 13 Mar 10:00    3 (2)               value, hand-off step, hand-off,
                                                          rework, check, chase          no
    D     10 Mar      20 Mar          2 (1)               wait, hand-off                no
    I     23 Mar      24 Mar          1 (1, the first)    -                             no
    E     16 Mar 10:00 18 Mar 22:00   1 (0)  (pothole)    value                         no
    """
    bins = ServiceTypeFactory(name="Missed bin", slug="missed-bin")
    pothole = ServiceTypeFactory(name="Pothole", slug="pothole")
    a = closed_case(bins, at(date(2026, 3, 3)), at(date(2026, 3, 4)))
    step(a, Kind.VALUE, at(date(2026, 3, 3), 11))
    step(a, Kind.VALUE, at(date(2026, 3, 3), 12))
    step(a, Kind.WAIT, at(date(2026, 3, 3), 13))
    closed_case(bins, at(date(2026, 3, 5)), at(date(2026, 3, 5)), is_one_stop=True)
    c = closed_case(bins, at(date(2026, 3, 9)), at(date(2026, 3, 13)))
    for day in (10, 11):
        ContactFactory(case=c, received_at=at(date(2026, 3, day)), failure=True)
    step(c, Kind.VALUE, at(date(2026, 3, 9), 11))
    step(c, Kind.HANDOFF, at(date(2026, 3, 9), 12))
    hand_off(c, at(date(2026, 3, 10), 9))
    step(c, Kind.REWORK, at(date(2026, 3, 11), 12))
    step(c, Kind.CHECK, at(date(2026, 3, 12), 12))
    step(c, Kind.CHASE, at(date(2026, 3, 12), 13))
    TimelineEntry.objects.create(
        case=c, kind=TimelineEntry.Kind.RECLASSIFIED, description="value → failure",
        actor=c.owner, occurred_at=at(date(2026, 3, 12), 14),
    )  # fmt: skip
    d = closed_case(bins, at(date(2026, 3, 10)), at(date(2026, 3, 20)))
    ContactFactory(case=d, received_at=at(date(2026, 3, 15)), failure=True)
    step(d, Kind.WAIT, at(date(2026, 3, 11)))
    hand_off(d, at(date(2026, 3, 12)))
    closed_case(bins, at(date(2026, 3, 23)), at(date(2026, 3, 24)), first_failure=True)
    e = closed_case(pothole, at(date(2026, 3, 16)), at(date(2026, 3, 18), 22))
    step(e, Kind.VALUE, at(date(2026, 3, 17)))
    # Not counted: closed before or after the period, or still open.
    closed_case(bins, at(date(2026, 2, 20)), at(date(2026, 3, 1), 23, 59), first_failure=True)
    closed_case(bins, at(date(2026, 3, 25)), at(date(2026, 3, 30), 0, 1), first_failure=True)
    CaseFactory(service_type=bins, opened_at=at(date(2026, 3, 4)))
    return {"bins": bins, "pothole": pothole}


def period(**extra) -> dict:
    return {"from": START.isoformat(), "to": END.isoformat(), **extra}


def test_flow_measures_each_service_exactly(known_flow):
    services, total = flow.flow_measures(flow.FlowPeriod(START, END))

    bins, pothole = services
    assert (bins.name, bins.cases, bins.contacts, bins.failure_contacts) == ("Missed bin", 5, 8, 4)
    assert bins.contacts_per_case == pytest.approx(1.6)
    assert bins.failure_contacts_per_case == pytest.approx(0.8)
    assert bins.steps == {
        Kind.VALUE: 3,
        Kind.HANDOFF: 3,  # a step recorded as a hand-off, and two changes of owner
        Kind.WAIT: 2,
        Kind.REWORK: 1,
        Kind.CHECK: 1,
        Kind.CHASE: 1,
    }
    assert bins.value_steps_per_case == pytest.approx(0.6)
    assert bins.handoffs_per_case == pytest.approx(0.6)
    assert bins.waste_steps_per_case == pytest.approx(1.6)
    assert bins.one_stop_share == pytest.approx(0.2)
    assert (bins.dirty, bins.clean_share, bins.dirty_share) == (3, pytest.approx(0.4), 0.6)
    assert bins.clean_times == flow.Times(
        count=2, mean=timedelta(hours=12), median=timedelta(hours=12)
    )
    assert bins.dirty_times == flow.Times(count=3, mean=timedelta(days=5), median=timedelta(days=4))

    assert (pothole.cases, pothole.contacts, pothole.failure_contacts, pothole.one_stop) == (
        1, 1, 0, 0,
    )  # fmt: skip
    assert pothole.steps[Kind.VALUE] == 1 and pothole.waste_steps_per_case == 0
    assert pothole.clean_times == flow.Times(1, timedelta(days=2.5), timedelta(days=2.5))
    assert pothole.dirty_times == flow.Times(0, None, None)

    assert (total.name, total.cases, total.contacts, total.failure_contacts) == (
        "All services", 6, 9, 4,
    )  # fmt: skip
    assert total.one_stop_share == pytest.approx(1 / 6)
    assert total.dirty_share == pytest.approx(0.5)
    assert total.steps[Kind.VALUE] == 4 and total.steps[Kind.HANDOFF] == 3
    # Clean: 0, 1 and 2.5 days; dirty: 1, 4 and 10 days.
    assert total.clean_times.count == 3
    assert total.clean_times.mean == timedelta(days=3.5) / 3
    assert total.clean_times.median == timedelta(days=1)
    assert total.dirty_times == flow.Times(3, timedelta(days=5), timedelta(days=4))


def test_flow_page_shows_the_measures(tl_client, known_flow):
    response = tl_client.get(reverse("analysis:flow"), period())

    assert response.status_code == 200
    assert response.context["nav_section"] == "capability"
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Cases closed from 2 March 2026 to 29 March 2026, all services." in html
    rows = response.context["rows"]
    assert [row.name for row in rows] == ["Missed bin", "Pothole", "All services"]
    for expected in ("1.6", "20%", "60%", "12 hours", "5 days", "4 days", "2.5 days"):
        assert expected in html
    assert "within" not in html.lower()  # never percent-within-N-days


def test_flow_for_one_service(tl_client, known_flow):
    response = tl_client.get(reverse("analysis:flow"), period(service="pothole"))

    assert [row.name for row in response.context["rows"]] == ["Pothole"]
    assert response.context["total"] is None
    assert "Cases closed from 2 March 2026 to 29 March 2026, Pothole." in response.content.decode()


def test_flow_period_counts_cases_by_the_day_they_closed(tl_client, known_flow):
    # 13 March: only C closed that day.
    response = tl_client.get(reverse("analysis:flow"), {"from": "2026-03-13", "to": "2026-03-13"})

    (bins,) = response.context["by_service"]
    assert (bins.cases, bins.contacts, bins.dirty) == (1, 3, 1)
    assert bins.dirty_times == flow.Times(1, timedelta(days=4), timedelta(days=4))


def test_flow_defaults_to_the_last_13_full_weeks(tl_client):
    with time_machine.travel(datetime(2026, 6, 10, 12, tzinfo=timezone.get_current_timezone())):
        response = tl_client.get(reverse("analysis:flow"))

    assert response.context["period"].start == date(2026, 3, 9)  # a Monday
    assert response.context["period"].end == date(2026, 6, 7)  # the Sunday before 10 June


def test_flow_empty_state(tl_client, known_flow):
    response = tl_client.get(reverse("analysis:flow"), {"from": "2025-01-01", "to": "2025-01-31"})

    assert response.context["rows"] == []
    assert "No closed cases" in response.content.decode()


def test_flow_bad_filters_say_so_and_show_the_default_period(tl_client):
    response = tl_client.get(
        reverse("analysis:flow"), {"from": "2026-03-10", "to": "2026-03-01", "service": "nope"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "The end of the period must be on or after its start." in html
    assert "Choose a service from the list." in html
    assert response.context["period"] == flow.FlowPeriod(*last_full_weeks())


def _queries(client, url, params) -> tuple[int, int]:
    """All the queries a page runs, and those that read cases (the page's own work, apart from
    sessions, sign-in and permissions)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured), sum('"cases_case"' in query["sql"] for query in captured)


def test_flow_runs_a_fixed_number_of_queries(tl_client, known_flow):
    small = _queries(tl_client, reverse("analysis:flow"), period())
    for day in range(2, 28):
        opened = at(date(2026, 3, day))
        case = closed_case(known_flow["bins"], opened, opened + timedelta(hours=day))
        ContactFactory(case=case, received_at=opened + timedelta(hours=1), failure=True)
        step(case, Kind.WAIT, opened + timedelta(minutes=30))
    closed_case(ServiceTypeFactory(), at(date(2026, 3, 6)), at(date(2026, 3, 7)))

    assert _queries(tl_client, reverse("analysis:flow"), period()) == small
    # Cases, contacts and steps by service; medians by service; medians of all services.
    assert small[1] == 5


def test_flow_escapes_names(tl_client):
    service = ServiceTypeFactory(name="<script>alert('bins')</script>", slug="evil")
    closed_case(service, at(date(2026, 3, 3)), at(date(2026, 3, 4)))

    html = tl_client.get(reverse("analysis:flow"), period()).content.decode()

    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(" in html


def test_flow_and_work_in_progress_are_for_team_leaders(client, fo_client):
    for name in ("analysis:flow", "analysis:wip"):
        assert fo_client.get(reverse(name)).status_code == 403
        assert fo_client.post(reverse(name)).status_code == 405
    client.logout()
    response = client.get(reverse("analysis:wip"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


# --- Work in progress -------------------------------------------------------------------------

NOW = datetime(2026, 3, 20, 12, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def open_work(frozen):
    """Open cases of known ages, and closed ones that must not show.

    bins: 23.5 days (Zara, dirty, 3 contacts), 10 days (Adam), 2 days (Adam), 1 day (Zara)
    pothole: 5 days (Adam)"""
    bins = ServiceTypeFactory(name="Missed bin", slug="missed-bin")
    pothole = ServiceTypeFactory(name="Pothole", slug="pothole")
    adam = FrontOfficeFactory(username="adam", first_name="Adam", last_name="Zephyr")
    zara = FrontOfficeFactory(username="zara", first_name="Zara", last_name="Able")
    oldest = CaseFactory(
        service_type=bins, owner=zara, opened_at=NOW - timedelta(days=23, hours=12)
    )
    ContactFactory(case=oldest, received_at=NOW - timedelta(days=20), failure=True)
    ContactFactory(case=oldest, received_at=NOW - timedelta(days=3))
    for service, owner, age in [(bins, adam, 10), (bins, adam, 2), (bins, zara, 1)]:
        CaseFactory(service_type=service, owner=owner, opened_at=NOW - timedelta(days=age))
    CaseFactory(service_type=pothole, owner=adam, opened_at=NOW - timedelta(days=5))
    CaseFactory(service_type=bins, owner=zara, opened_at=NOW - timedelta(days=90), closed=True)
    return {"bins": bins, "pothole": pothole, "adam": adam, "zara": zara, "oldest": oldest}


def test_work_in_progress_lists_open_cases_oldest_first(tl_client, open_work):
    response = tl_client.get(reverse("analysis:wip"))

    assert response.status_code == 200
    assert response.context["nav_section"] == "capability"
    cases = list(response.context["page"])
    assert [round((NOW - case.opened_at).total_seconds() / 86400, 1) for case in cases] == [
        23.5, 10, 5, 2, 1,
    ]  # fmt: skip
    oldest = cases[0]
    assert (oldest.contact_count, oldest.is_dirty) == (3, True)
    assert oldest.last_contact_at == NOW - timedelta(days=3)
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert html.index(oldest.reference) < html.index(cases[1].reference)
    assert "23.5 days" in html and "Dirty" in html and "Clean" in html


def test_work_in_progress_summary_per_service_exactly(tl_client, open_work):
    response = tl_client.get(reverse("analysis:wip"))

    bins, pothole = response.context["by_service"]
    assert (bins.name, bins.count, bins.oldest_age) == ("Missed bin", 4, timedelta(days=23.5))
    assert bins.median_age == timedelta(days=6)  # the middle two of 23.5, 10, 2 and 1 days
    assert (pothole.count, pothole.oldest_age, pothole.median_age) == (
        1, timedelta(days=5), timedelta(days=5),
    )  # fmt: skip
    total = response.context["total"]
    assert (total.count, total.oldest_age, total.median_age) == (
        5, timedelta(days=23.5), timedelta(days=5),
    )  # fmt: skip


def test_work_in_progress_per_owner_is_by_name_not_by_load(tl_client, open_work):
    response = tl_client.get(reverse("analysis:wip"))

    owners = response.context["by_owner"]
    # Adam has more open cases, Zara the oldest: neither decides the order, the name does.
    assert [(o.name, o.count, o.oldest_age) for o in owners] == [
        ("Adam Zephyr", 3, timedelta(days=10)),
        ("Zara Able", 2, timedelta(days=23.5)),
    ]
    assert "Not a ranking" in response.content.decode()


def test_work_in_progress_filters_by_service_and_owner(tl_client, open_work):
    url = reverse("analysis:wip")
    by_service = tl_client.get(url, {"service": "missed-bin"})
    by_owner = tl_client.get(url, {"owner": open_work["adam"].pk})
    both = tl_client.get(url, {"service": "missed-bin", "owner": open_work["adam"].pk})

    assert by_service.context["page"].paginator.count == 4
    assert [row.name for row in by_service.context["by_service"]] == ["Missed bin"]
    assert by_service.context["total"] is None
    assert by_owner.context["page"].paginator.count == 3
    assert [row.count for row in by_owner.context["by_service"]] == [2, 1]
    assert by_owner.context["total"].count == 3
    assert both.context["page"].paginator.count == 2
    assert "owned by Adam Zephyr" in both.content.decode()


def test_work_in_progress_bad_filter_says_so(tl_client, open_work):
    response = tl_client.get(reverse("analysis:wip"), {"service": "nope", "owner": "999999"})

    html = response.content.decode()
    assert "Choose a service from the list." in html
    assert "Choose an owner from the list." in html
    assert response.context["page"].paginator.count == 5


def test_work_in_progress_offers_someone_who_left_but_holds_work(tl_client, open_work):
    open_work["zara"].is_active = False
    open_work["zara"].save()
    CaseFactory(owner=FrontOfficeFactory(username="gone", is_active=False), closed=True)

    owners = list(tl_client.get(reverse("analysis:wip")).context["form"].fields["owner"].queryset)

    assert open_work["zara"] in owners
    assert not any(owner.username == "gone" for owner in owners)


def test_work_in_progress_empty_state(tl_client, frozen):
    CaseFactory(closed=True)

    response = tl_client.get(reverse("analysis:wip"))

    assert response.context["page"].paginator.count == 0
    assert "No open cases" in response.content.decode()


def test_work_in_progress_pages_by_50_and_keeps_filters(tl_client, frozen):
    bins = ServiceTypeFactory(slug="missed-bin")
    for age in range(55):
        CaseFactory(service_type=bins, opened_at=NOW - timedelta(days=age, hours=1))

    first = tl_client.get(reverse("analysis:wip"), {"service": "missed-bin"})
    second = tl_client.get(reverse("analysis:wip"), {"service": "missed-bin", "page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5
    assert "service=missed-bin&amp;page=2" in first.content.decode()


def test_work_in_progress_runs_a_fixed_number_of_queries(tl_client, open_work):
    small = _queries(tl_client, reverse("analysis:wip"), {})
    for age in range(30):
        case = CaseFactory(
            service_type=ServiceTypeFactory(),
            owner=FrontOfficeFactory(),
            opened_at=NOW - timedelta(days=age, hours=3),
        )
        ContactFactory(case=case, failure=True)

    assert _queries(tl_client, reverse("analysis:wip"), {}) == small
    # Per service, its medians, all services, their median, per owner, the page and its count,
    # and the owners to filter by.
    assert small[1] == 8


def test_work_in_progress_escapes_names(tl_client, frozen):
    CaseFactory(
        service_type=ServiceTypeFactory(name="<b>Bins</b>", slug="b"),
        citizen=CitizenFactory(name="<script>alert('x')</script>"),
    )

    html = tl_client.get(reverse("analysis:wip")).content.decode()

    assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html
    assert "<b>Bins</b>" not in html and "&lt;b&gt;Bins&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("analysis:flow", {"from": "9999-12-31", "to": "9999-12-31"}),
        ("analysis:flow", {"from": "0001-01-01", "to": "0001-01-01"}),
        ("analysis:flow", {"service": "a\x00b"}),
        ("analysis:wip", {"owner": "99999999999999999999"}),
        ("analysis:wip", {"owner": "²", "service": "a\x00b"}),
        ("analysis:wip", {"page": "99999999999999999999"}),
    ],
)
def test_odd_filters_never_break_the_pages(tl_client, name, params):
    assert tl_client.get(reverse(name), params).status_code == 200
