"""A team leader studies demand in a real browser: from the overview into a failure category,
to the citizens' words; the chart pages draw their charts; axe-core checks every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from improvement.models import SystemChange
from tests.browser.conftest import BROWSER_MARKS, assert_accessible, sign_in
from tests.factories import (
    CaseFactory,
    ContactFactory,
    ServiceTypeFactory,
    TeamLeaderFactory,
    failure_category,
)

pytestmark = BROWSER_MARKS


@pytest.fixture
def demand(live_server):
    """Contacts spread over the default period (the last 13 full weeks)."""
    bins = ServiceTypeFactory(name="Bins and recycling", slug="bins")
    last_sunday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 1)
    for week in range(12):
        day = last_sunday - timedelta(weeks=week, days=3)
        when = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 10))
        case = CaseFactory(service_type=bins, opened_at=when)
        for extra in range(week % 3):
            ContactFactory(
                case=case,
                received_at=when + timedelta(hours=extra + 1),
                failure=True,
                failure_category=failure_category("progress-chasing"),
                citizen_words=f"Week {week}: where is my new bin? I was told Tuesday.",
                prevention_note="Give the delivery date when the bin is ordered.",
            )
    return bins


def test_team_leader_follows_failure_demand_to_the_citizens_words(page: Page, demand):
    console_errors: list[str] = []
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    sign_in(page, TeamLeaderFactory(username="tess", first_name="Tess", last_name="Leader"))

    page.get_by_role("link", name="Demand", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demand")
    assert_accessible(page)

    page.get_by_role("table", name="Failure demand by kind").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progress chasing")
    expect(page.get_by_text("where is my new bin? I was told Tuesday.").first).to_be_visible()
    assert_accessible(page)

    for link, heading in [
        ("Failure demand over time", "Failure demand over time"),
        ("Failure demand by kind", "Failure demand by kind"),
        ("Predictability of demand", "Predictability of demand"),
    ]:
        page.get_by_role("navigation", name="Demand pages").get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator(".cf-chart canvas").first).to_be_visible()
        assert_accessible(page)

    page.get_by_role("navigation", name="Demand pages").get_by_role(
        "link", name="Failure demand by kind"
    ).click()
    expect(
        page.get_by_text("Give the delivery date when the bin is ordered.").first
    ).to_be_visible()
    assert console_errors == []


def test_demand_types_narrow_to_the_service_and_a_team_leader_reclassifies(page: Page, live_server):
    from demand.models import DemandType

    bins = ServiceTypeFactory(name="Bins and recycling", slug="bins")
    roads = ServiceTypeFactory(name="Roads", slug="roads")
    DemandType.objects.create(service_type=bins, name="Report a missed collection")
    DemandType.objects.create(service_type=roads, name="Report a pothole")
    case = CaseFactory(service_type=bins)
    sign_in(page, TeamLeaderFactory(username="tess", first_name="Tess", last_name="Leader"))

    page.goto("/contacts/new/")
    page.get_by_label("Which service is it about?").select_option(label="Roads")
    page.get_by_role("radio", name=re.compile("^No: it is something new")).check()
    groups = page.locator("#id_demand_type optgroup:not([hidden])")
    expect(groups).to_have_count(1)
    expect(groups.first).to_have_attribute("label", "Roads")

    page.goto(case.get_absolute_url())
    page.get_by_role("link", name="Reclassify this contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reclassify a contact")
    assert_accessible(page)
    page.get_by_role("radio", name="Failure demand").check()
    page.get_by_label("What kind of failure demand?").select_option(label="Repeat contact")
    page.get_by_role("button", name="Save classification").click()
    expect(page.get_by_text("value demand → failure demand (Repeat contact)")).to_be_visible()
    assert_accessible(page)


def test_failure_share_stops_at_100_and_an_empty_week_is_a_gap(page: Page, live_server):
    """Failure demand near 100% with system changes' labels above it: the axis still stops at
    100%. A week with no contacts is a gap in the line, and a row of the table."""
    bins = ServiceTypeFactory(name="Bins and recycling", slug="bins")
    leader = TeamLeaderFactory(username="tess", first_name="Tess", last_name="Leader")
    last_sunday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 1)
    first_monday = last_sunday - timedelta(weeks=13, days=-1)
    empty_week = 5
    for week in range(13):
        if week == empty_week:
            continue
        day = first_monday + timedelta(weeks=week, days=1)
        when = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 10))
        case = CaseFactory(service_type=bins, opened_at=when)  # its first contact: value
        for extra in range(9 + week % 2):
            ContactFactory(
                case=case,
                received_at=when + timedelta(hours=extra + 1),
                failure=True,
                failure_category=failure_category("progress-chasing"),
            )
    for weeks_in in (3, 4, 8, 9):
        SystemChange.objects.create(
            changed_on=first_monday + timedelta(weeks=weeks_in),
            service_type=None,
            description="A long description of a redesign of how the work is done, to wrap",
            recorded_by=leader,
        )
    sign_in(page, leader)
    page.goto("/demand/failure-over-time/")
    expect(page.locator(".cf-chart[data-chart-ready='true']")).to_have_count(1)
    expect(page.locator("#share-statement")).to_contain_text("failure demand has")
    expect(page.locator("#gaps-hint")).to_contain_text("1 week has no contacts")
    drawn = page.locator(".cf-chart canvas").first.evaluate(
        """(canvas, gap) => {
          const chart = Chart.getChart(canvas);
          const points = chart.getDatasetMeta(0).data;
          return { max: chart.scales.y.max, gap: points[gap].skip, next: points[gap + 1].skip };
        }""",
        empty_week,
    )
    assert drawn == {"max": 100, "gap": True, "next": False}
    page.get_by_text("The chart's data as a table").click()
    expect(page.get_by_role("cell", name="No contacts: no share")).to_be_visible()
    expect(page.get_by_text("What the signal rules mean")).to_be_visible()
    assert_accessible(page)


def test_daily_predictability_draws_weekdays_and_weekends_apart(page: Page, demand):
    sign_in(page, TeamLeaderFactory(username="tess", first_name="Tess", last_name="Leader"))
    page.goto("/demand/predictability/")
    expect(page.locator(".cf-chart[data-chart-ready='true']")).to_have_count(3)  # and the bars
    expect(page.locator("#weekdays-statement")).to_contain_text("(65 weekdays)")
    expect(page.locator("#weekends-statement")).to_contain_text("(26 weekend days)")
    expect(page.get_by_role("heading", name=re.compile("^Contacts a weekday"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Contacts a weekend day"))).to_be_visible()
    assert_accessible(page)
