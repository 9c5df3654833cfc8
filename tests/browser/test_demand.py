"""A team leader studies demand in a real browser: from the overview into a failure category,
to the citizens' words; the chart pages draw their charts; axe-core checks every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

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
