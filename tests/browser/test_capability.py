"""A team leader reads a capability chart in a real browser and follows a point to its case."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import BROWSER_MARKS, assert_accessible, sign_in
from tests.factories import CaseFactory, ServiceTypeFactory, TeamLeaderFactory

pytestmark = BROWSER_MARKS

DAYS = [5, 7, 3, 9, 4, 6, 8, 5, 30, 6, 4, 7, 5, 6]


@pytest.fixture
def repairs(live_server):
    service = ServiceTypeFactory(name="Housing repair", slug="housing-repair")
    now = timezone.now()
    return [
        CaseFactory(
            service_type=service,
            opened_at=now - timedelta(days=len(DAYS) - i + days),
            closed=True,
            closed_at=now - timedelta(days=len(DAYS) - i),
        )
        for i, days in enumerate(DAYS)
    ]


def test_chart_renders_and_a_point_opens_its_case(page: Page, repairs):
    console_errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    sign_in(page, TeamLeaderFactory(username="tess", first_name="Tess", last_name="Leader"))

    page.get_by_role("link", name="Capability", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Capability")
    assert_accessible(page)
    page.get_by_role("link", name="Housing repair").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End-to-end time: Housing repair")
    expect(page.locator(".cf-chart[data-chart-ready='true']")).to_have_count(1)
    expect(page.locator("#capability-statement")).to_contain_text("a case typically takes")
    assert_accessible(page)

    # Where Chart.js drew the ninth case (the 30-day one), in page coordinates.
    x, y = page.evaluate(
        """(count) => {
          const canvas = document.querySelector('.cf-chart canvas');
          const chart = Chart.getChart(canvas);
          const index = chart.data.datasets.findIndex((d) => d.data.length === count);
          const point = chart.getDatasetMeta(index).data[8];
          const box = canvas.getBoundingClientRect();
          return [box.left + point.x, box.top + point.y];
        }""",
        len(DAYS),
    )
    page.mouse.move(x, y)
    expect(page.locator(".cf-chart canvas").first).to_have_css("cursor", "pointer")
    page.mouse.click(x, y)

    expect(page).to_have_url(f"{page.url.split('/capability')[0]}{repairs[8].get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(repairs[8].reference)
    assert console_errors == []


def test_system_changes_page_is_accessible(page: Page, live_server):
    sign_in(page, TeamLeaderFactory(username="tess", first_name="Tess", last_name="Leader"))
    page.goto("/capability/changes/")
    page.get_by_role("button", name="Record change").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
