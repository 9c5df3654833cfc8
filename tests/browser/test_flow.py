"""A team leader studies flow in a real browser: the long-running open case is at the top of work
in progress, the flow tables show, and the case page's flow strip passes axe-core."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import TimelineEntry
from tests.browser.conftest import BROWSER_MARKS, assert_accessible, sign_in
from tests.factories import (
    CaseFactory,
    ContactFactory,
    FrontOfficeFactory,
    ServiceTypeFactory,
    TeamLeaderFactory,
)

pytestmark = BROWSER_MARKS


@pytest.fixture
def work(live_server):
    """Recently opened cases, a case open for 60 days with chasing and hand-offs, and cases
    closed over the last weeks (the flow page's default period)."""
    repairs = ServiceTypeFactory(name="Housing repair", slug="housing-repair")
    bins = ServiceTypeFactory(name="Missed bin", slug="missed-bin")
    fran = FrontOfficeFactory(username="fran", first_name="Fran", last_name="Office")
    now = timezone.now()
    for days in (1, 2, 3):
        CaseFactory(service_type=bins, owner=fran, opened_at=now - timedelta(days=days))
    stuck = CaseFactory(service_type=repairs, owner=fran, opened_at=now - timedelta(days=60))
    for days in (45, 30, 10):
        ContactFactory(
            case=stuck,
            received_at=now - timedelta(days=days),
            failure=True,
            citizen_words="Where is the plumber? Nobody came on Tuesday.",
        )
    for days, kind in ((58, "wait"), (40, "chase"), (20, "check"), (5, "value")):
        TimelineEntry.objects.create(
            case=stuck,
            kind=TimelineEntry.Kind.STEP,
            step_kind=kind,
            description=f"A {kind} step.",
            actor=fran,
            occurred_at=now - timedelta(days=days),
        )
    TimelineEntry.objects.create(
        case=stuck,
        kind=TimelineEntry.Kind.HANDOFF,
        step_kind=TimelineEntry.StepKind.HANDOFF,
        description="Needs a surveyor.",
        from_owner=fran,
        to_owner=FrontOfficeFactory(username="omar", first_name="Omar", last_name="Other"),
        actor=fran,
        occurred_at=now - timedelta(days=50),
    )
    for week in range(1, 9):
        opened = now - timedelta(weeks=week, days=3)
        case = CaseFactory(
            service_type=bins if week % 2 else repairs, opened_at=opened, closed=True
        )
        if week % 3 == 0:
            ContactFactory(case=case, received_at=opened + timedelta(hours=2), failure=True)
    return stuck


def test_team_leader_finds_the_long_running_case_and_studies_flow(page: Page, work):
    sign_in(page, TeamLeaderFactory(username="tess", first_name="Tess", last_name="Leader"))

    page.goto("/capability/flow/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Flow")
    expect(page.get_by_role("table", name="Contacts, one-stop, clean and dirty")).to_be_visible()
    expect(
        page.get_by_role("table", name="End-to-end time, clean and dirty cases side by side")
    ).to_contain_text("All services")
    assert_accessible(page)

    capability_pages = page.get_by_role("navigation", name="Capability pages")
    capability_pages.get_by_role("link", name="Work in progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Work in progress")
    open_cases = page.get_by_role("table", name=re.compile(r"^Open cases, oldest first"))
    first_row = open_cases.get_by_role("row").nth(1)
    expect(first_row).to_contain_text(work.reference)
    expect(first_row).to_contain_text("60 days")
    expect(first_row).to_contain_text("Dirty")
    assert_accessible(page)

    page.get_by_role("table", name="By service").get_by_role("link", name="Housing repair").click()
    expect(page).to_have_url(re.compile(r"service=housing-repair"))
    expect(open_cases.get_by_role("row")).to_have_count(2)  # the header and the stuck case

    first_row.get_by_role("link", name=work.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(work.reference)
    strip = page.get_by_role("region", name="Flow")
    expect(strip).to_contain_text("Open for 60 days since the first contact")
    expect(strip.locator(".cf-flow__marker[data-code]")).to_have_count(9)
    expect(strip.get_by_role("listitem").filter(has_text="Hand-off (waste)").first).to_be_visible()
    assert_accessible(page)


def test_pages_work_without_javascript(browser, live_server, work):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, TeamLeaderFactory(username="tess"), check_accessible=False)
        page.goto("/capability/work-in-progress/?service=housing-repair")
        expect(page.get_by_role("link", name=work.reference)).to_be_visible()
        page.goto(work.get_absolute_url())
        expect(page.locator(".cf-flow__marker[data-code]")).to_have_count(9)
        page.goto("/capability/flow/")
        page.get_by_label("Service", exact=True).select_option(label="Missed bin")
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(r"service=missed-bin"))
        expect(page.get_by_text(re.compile(r"Cases closed from .*, Missed bin\."))).to_be_visible()
    finally:
        context.close()
