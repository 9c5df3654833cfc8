"""A team leader reads a capability chart in a real browser and follows a point to its case."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

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


def hover_until_pointer(canvas: Locator, point: dict) -> None:
    """Hover the point (Playwright scrolls the canvas into view first) until the chart shows
    the pointer a link has; if a move was missed, move away and back, up to a few times."""
    for _ in range(5):
        canvas.hover(position=point)
        try:
            expect(canvas).to_have_css("cursor", "pointer", timeout=2_000)
            return
        except AssertionError:
            canvas.hover(position={"x": 1, "y": 1})
    expect(canvas).to_have_css("cursor", "pointer")


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

    # Where Chart.js drew the ninth case (the 30-day one), on its canvas. The container is ready
    # once the chart has finished drawing, so the point is where it stays.
    canvas = page.locator(".cf-chart canvas").first
    point = canvas.evaluate(
        """(canvas, count) => {
          const chart = Chart.getChart(canvas);
          const index = chart.data.datasets.findIndex((d) => d.data.length === count);
          const { x, y } = chart.getDatasetMeta(index).data[8];
          return { x, y };
        }""",
        len(DAYS),
    )
    hover_until_pointer(canvas, point)
    site = page.url.split("/capability")[0]
    canvas.click(position=point)

    expect(page).to_have_url(f"{site}{repairs[8].get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(repairs[8].reference)
    assert console_errors == []


def test_system_changes_page_is_accessible(page: Page, live_server):
    sign_in(page, TeamLeaderFactory(username="tess", first_name="Tess", last_name="Leader"))
    page.goto("/capability/changes/")
    page.get_by_role("button", name="Record change").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
