"""The flow strip on a case page (cases.flow_strip): each contact, step and closure placed at
its share of the way from the first contact to closure (or now), without queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.flow_strip import flow_strip
from cases.models import TimelineEntry
from demand.selectors import case_timeline
from tests.analysis.test_flow import NOW, Kind, at, closed_case, frozen, hand_off, step
from tests.factories import CaseFactory, ContactFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db
__all__ = ["frozen"]  # a fixture these tests use


def test_strip_places_a_step_halfway_through_a_closed_case(tl_client):
    opened = at(date(2026, 3, 2), 9)
    case = closed_case(ServiceTypeFactory(), opened, opened + timedelta(days=10))
    step(case, Kind.WAIT, opened + timedelta(days=5))
    step(case, Kind.VALUE, opened + timedelta(days=7, hours=12))
    ContactFactory(case=case, received_at=opened + timedelta(days=1), failure=True)
    TimelineEntry.objects.create(
        case=case, kind=TimelineEntry.Kind.CLOSED, description="Done.", actor=case.owner,
        occurred_at=case.closed_at,
    )  # fmt: skip

    response = tl_client.get(case.get_absolute_url())

    strip = response.context["flow_strip"]
    assert [(m.code, m.kind.letter, m.left) for m in strip.markers] == [
        ("contact", "C", 0.0),
        ("failure", "F", 10.0),
        (Kind.WAIT, "W", 50.0),
        (Kind.VALUE, "V", 75.0),
        (TimelineEntry.Kind.CLOSED, "✓", 100.0),
    ]
    html = response.content.decode()
    assert 'x="50.0%"' in html and 'data-code="wait"' in html
    assert "Wait (waste): 5 days after the first contact" in html
    assert "Value work (value): 7.5 days after the first contact" in html
    assert "10 days end-to-end" in html
    assert "2 contacts, 1 of them failure demand; 1 value step; 1 waste step: 1 wait" in html
    assert html.count("<h1") == 1


def test_strip_of_an_open_case_runs_to_now(tl_client, frozen):
    case = CaseFactory(opened_at=NOW - timedelta(days=4))
    hand_off(case, NOW - timedelta(days=1))

    response = tl_client.get(case.get_absolute_url())

    strip = response.context["flow_strip"]
    assert strip.is_open and strip.end == NOW
    assert [(m.code, m.left) for m in strip.markers] == [("contact", 0.0), (Kind.HANDOFF, 75.0)]
    assert "Open for 4 days since the first contact" in response.content.decode()


def test_strip_leaves_out_reclassifications_and_spreads_close_markers(fo_client, front_office):
    opened = at(date(2026, 3, 2), 9)
    case = closed_case(ServiceTypeFactory(), opened, opened + timedelta(days=10))
    step(case, Kind.CHECK, opened + timedelta(hours=1))  # 0.4% along: too close to the contact
    TimelineEntry.objects.create(
        case=case, kind=TimelineEntry.Kind.RECLASSIFIED, description="Reviewed.",
        actor=case.owner, occurred_at=opened + timedelta(days=20),
    )  # fmt: skip

    strip = fo_client.get(case.get_absolute_url()).context["flow_strip"]

    assert [(m.code, m.left, m.lane) for m in strip.markers] == [
        ("contact", 0.0, 0),
        (Kind.CHECK, 0.4, 1),
    ]


def test_strip_of_a_one_stop_case_needs_no_queries(front_office):
    opened = at(date(2026, 3, 2), 9)
    case = closed_case(ServiceTypeFactory(), opened, opened, is_one_stop=True)
    timeline = case_timeline(case)

    with CaptureQueriesContext(connection) as captured:
        strip = flow_strip(case, timeline, timezone.now(), failure_contacts=set())

    assert len(captured) == 0
    assert strip.length == timedelta(0)
    assert [(m.code, m.left) for m in strip.markers] == [("contact", 0.0)]


def test_case_page_with_its_strip_still_escapes_the_citizens_words(fo_client):
    # The strip shows kinds and times only; the citizen's words stay in the timeline, escaped.
    case = CaseFactory(first_contact=False)
    ContactFactory(case=case, citizen_words="<img src=x onerror=alert(1)>")

    html = fo_client.get(case.get_absolute_url()).content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
