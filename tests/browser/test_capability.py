"""A team leader reads a capability chart in a real browser and follows a point to its case."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from improvement.models import SystemChange
from tests.browser.conftest import (
    BROWSER_MARKS,
    DEFAULT_TIMEOUT_MS,
    assert_accessible,
    sign_in,
)
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
    # The 30-day case is outside the limits: the statement names it and predicts nothing.
    expect(page.locator("#capability-statement")).to_contain_text("so it predicts nothing")
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
    page.goto("/improvement/changes/")
    page.get_by_role("button", name="Record change").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)


# Thirty cases, one closed a day, with two outliers whose moving ranges screening drops.
MONTH = [5, 7, 3, 9, 4, 6, 8, 5, 60, 6, 4, 7, 5, 6, 8, 4, 6, 5, 7, 3, 6, 4, 5, 50, 6, 5, 4, 6, 5, 7]
DATE = re.compile(r"^\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}$")

# What each of a container's canvases shows once drawn: its size, plot area, the boxes of the
# labels drawn round the plot (data-label-boxes) and where Chart.js put each point.
CHART_STATE = """(container) => [...container.querySelectorAll("canvas")].map((canvas) => {
  const chart = Chart.getChart(canvas);
  const dataset = chart.data.datasets[0];
  const each = (option, i) => (Array.isArray(option) ? option[i] : option);
  const { left, right, top, bottom } = chart.chartArea;
  return {
    width: chart.width,
    height: chart.height,
    area: { left, right, top, bottom },
    boxes: JSON.parse(canvas.dataset.labelBoxes),
    points: chart.getDatasetMeta(0).data.map((point, i) => ({
      x: point.x,
      y: point.y,
      reach: each(dataset.pointRadius, i) + each(dataset.pointBorderWidth, i),
      style: each(dataset.pointStyle, i),
      drawn: !point.skip,
    })),
  };
})"""


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


def point_box(point: dict) -> dict:
    x, y, reach = point["x"], point["y"], point["reach"]
    return {"left": x - reach, "right": x + reach, "top": y - reach, "bottom": y + reach}


@pytest.fixture
def changed_repairs(live_server):
    """A month of repairs and three system changes, two of them a day apart."""
    service = ServiceTypeFactory(name="Repairs after the redesign", slug="redesigned")
    leader = TeamLeaderFactory(username="gareth", first_name="Gareth", last_name="Hughes")
    today = timezone.localdate()
    for i, days in enumerate(MONTH):
        closed_at = timezone.now() - timedelta(days=len(MONTH) - i)
        CaseFactory(
            service_type=service,
            opened_at=closed_at - timedelta(days=days),
            closed=True,
            closed_at=closed_at,
        )
    for days_ago, description in [
        (20, "Repairs booked by the person who takes the call, straight into the diaries"),
        (19, "Trades carry common parts on the van"),
        (8, "Tenants choose their own appointment slot"),
    ]:
        SystemChange.objects.create(
            changed_on=today - timedelta(days=days_ago),
            service_type=service,
            description=description,
            recorded_by=leader,
        )
    return service


@pytest.mark.parametrize("width", [1280, 1920])
def test_chart_labels_never_overlap_or_leave_the_canvas(
    browser: Browser, live_server, width, changed_repairs
):
    # Reduced motion: the charts draw without animation, so what is read is what stays.
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 1000},
        locale="en-GB",
        timezone_id="Europe/London",
        reduced_motion="reduce",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    sign_in(page, TeamLeaderFactory(username="tess"), check_accessible=False)
    # Transition cases included, so every case has its moving range (they are set aside by
    # default, and then have none).
    page.goto("/capability/redesigned/?transition=include")
    container = page.locator(".cf-chart[data-chart-ready='true']")
    expect(container).to_have_count(1)
    x_chart, mr_chart = container.evaluate(CHART_STATE)

    for chart in (x_chart, mr_chart):
        boxes = chart["boxes"]
        for i, box in enumerate(boxes):
            assert 0 <= box["left"] < box["right"] <= chart["width"], box
            assert 0 <= box["top"] < box["bottom"] <= chart["height"], box
            for other in boxes[i + 1 :]:
                assert not overlap(box, other), (box, other)
        drawn = [point_box(point) for point in chart["points"] if point["drawn"]]
        for box in boxes:
            if box["kind"] != "tick":
                assert not any(overlap(box, point) for point in drawn), box

    kinds = [box["kind"] for box in x_chart["boxes"]]
    assert kinds.count("change") == 3 and kinds.count("limit") == 3
    assert [box["kind"] for box in mr_chart["boxes"]] == ["limit", "limit"]
    # The x axis reads as dates.
    ticks = [box["text"] for box in x_chart["boxes"] if box["kind"] == "tick"]
    assert len(ticks) >= 3 and all(DATE.match(tick) for tick in ticks), ticks
    # The two charts line up: the same plot width, and every point at the same x on both.
    assert x_chart["area"]["left"] == mr_chart["area"]["left"]
    assert x_chart["area"]["right"] == mr_chart["area"]["right"]
    for a, b in zip(x_chart["points"], mr_chart["points"], strict=True):
        assert a["x"] == pytest.approx(b["x"], abs=0.01)
    # Screening dropped the ranges into and out of the 60-day case, and into the 50-day one
    # (the range out of it, 44, is just below 3.267 × that phase's average): crosses.
    crossed = [i for i, point in enumerate(mr_chart["points"]) if point["style"] == "crossRot"]
    assert crossed == [8, 9, 23]
    expect(page.get_by_text("Screened out of the limits")).to_be_visible()
    expect(page.locator(".cf-chart__phases")).to_contain_text(
        "Change 2: Trades carry common parts on the van"
    )
    assert_accessible(page)
    context.close()
