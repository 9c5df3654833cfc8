"""Did it work? in a real browser: someone from the front office goes from the register of system
changes to a change's "did it work?" page, reads each measure's verdict in words and sees its
chart drawn, the baseline's lines carried forward over the weeks and cases after the change,
labelled as the baseline's, with no label overlapping another, a point or the canvas's edge."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cases.models import TimelineEntry
from tests.browser.conftest import (
    BROWSER_MARKS,
    DEFAULT_TIMEOUT_MS,
    assert_accessible,
    sign_in,
)
from tests.browser.test_capability import CHART_STATE, overlap, point_box
from tests.factories import (
    CaseFactory,
    ContactFactory,
    FrontOfficeFactory,
    ServiceTypeFactory,
    SystemChangeFactory,
    SystemConditionFactory,
    TeamLeaderFactory,
)

pytestmark = BROWSER_MARKS

CHANGED_DAYS_AGO = 63
# End-to-end days of the cases closed before the change (one every 3 days), and of those that
# started after it (one every 3 days from two weeks after it).
BEFORE = [15, 17, 13, 19, 14, 16, 18, 15, 16, 16, 14, 17, 15, 16, 17, 14, 18, 15, 13, 16]
AFTER = [6, 5, 7, 4, 6, 5, 8, 5, 6, 4, 7, 5, 6, 5]
KEYS = ["end-to-end", "failure-demand", "handoffs", "one-stop"]


@pytest.fixture
def redesign(live_server):
    """Housing repairs redesigned 63 days ago: the cases that started since take about a
    third as long, with no hand-offs, and fewer citizens chase them."""
    service = ServiceTypeFactory(name="Housing repair", slug="housing-repair")
    leader = TeamLeaderFactory(username="gareth", first_name="Gareth", last_name="Hughes")
    now = timezone.now()
    changed_on = timezone.localdate() - timedelta(days=CHANGED_DAYS_AGO)
    condition = SystemConditionFactory(
        title="Repairs wait for a back-office inspection", service_type=service
    )
    for i, days in enumerate(BEFORE):
        closed_at = now - timedelta(days=CHANGED_DAYS_AGO + 2 + 3 * (len(BEFORE) - i))
        case = CaseFactory(
            service_type=service,
            opened_at=closed_at - timedelta(days=days),
            closed=True,
            closed_at=closed_at,
        )
        for hours in range(1 + i % 3):  # chased, and handed on
            ContactFactory(
                case=case, failure=True, received_at=case.opened_at + timedelta(hours=2 + hours)
            )
            TimelineEntry.objects.create(
                case=case,
                kind=TimelineEntry.Kind.HANDOFF,
                from_owner=case.owner,
                to_owner=leader,
                actor=case.owner,
                occurred_at=case.opened_at + timedelta(hours=3 + hours),
            )
    for i, days in enumerate(AFTER):
        closed_at = now - timedelta(days=CHANGED_DAYS_AGO - 14 - 3 * i)
        case = CaseFactory(
            service_type=service,
            opened_at=closed_at - timedelta(days=days),
            closed=True,
            closed_at=closed_at,
            first_contact__is_one_stop=i % 4 == 0,
        )
    change = SystemChangeFactory(
        service_type=service,
        changed_on=changed_on,
        description="Repairs booked on the call, straight into the trades' diaries",
        recorded_by=leader,
    )
    change.conditions.add(condition)
    return change


def charts_drawn(page: Page) -> None:
    """Every chart on the page has finished drawing (the state charts.mjs exposes)."""
    expect(page.locator(".cf-chart[data-chart-ready='true']")).to_have_count(len(KEYS))


def test_the_front_office_reads_whether_a_change_worked(page: Page, redesign):
    console_errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    sign_in(page, FrontOfficeFactory(username="fran", first_name="Fran", last_name="Office"))

    page.goto("/improvement/changes/")
    page.get_by_role("link", name=re.compile(r"^Did it work\?")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Did it work?")
    charts_drawn(page)
    expect(page.locator("#end-to-end-verdict")).to_contain_text("A signal of improvement")
    expect(page.locator("#end-to-end-new-voice")).to_contain_text("a case typically takes")
    for key in KEYS:
        expect(page.locator(f"#{key}-verdict")).not_to_be_empty()
    condition = page.get_by_role("link", name="Repairs wait for a back-office inspection")
    expect(condition).to_be_visible()
    # Under each chart, its phases in words: the second judged against the baseline's lines.
    phases = page.locator(".cf-chart__phases")
    expect(phases).to_have_count(len(KEYS))
    expect(phases.first).to_contain_text(
        "(after the change, judged against the baseline's lines carried forward unchanged)"
    )
    # Every chart's data is in a table too.
    page.get_by_text("The chart's data as a table").first.click()
    expect(page.locator("details[open] tbody tr")).to_have_count(len(BEFORE) + len(AFTER))
    assert_accessible(page)
    assert console_errors == []


@pytest.mark.parametrize("width", [1280, 1920])
def test_the_labels_say_whose_lines_they_are_and_never_overlap(
    browser: Browser, live_server, redesign, width, tmp_path: Path
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
    page.goto(f"/improvement/changes/{redesign.pk}/did-it-work/")
    charts_drawn(page)

    for key in KEYS:
        container = page.locator(f".cf-chart[data-chart-source='{key}-data']")
        x_chart, mr_chart = container.evaluate(CHART_STATE)
        for chart in (x_chart, mr_chart):
            boxes = chart["boxes"]
            for i, box in enumerate(boxes):
                assert 0 <= box["left"] < box["right"] <= chart["width"], (key, box)
                assert 0 <= box["top"] < box["bottom"] <= chart["height"], (key, box)
                for other in boxes[i + 1 :]:
                    assert not overlap(box, other), (key, box, other)
            drawn = [point_box(point) for point in chart["points"] if point["drawn"]]
            for box in boxes:
                if box["kind"] != "tick":
                    assert not any(overlap(box, point) for point in drawn), (key, box)
        # After the change, the lines are the baseline's, and say so.
        limits = [box["text"] for box in x_chart["boxes"] if box["kind"] == "limit"]
        assert limits and all(text.startswith("Baseline's ") for text in limits), limits
        ranges = [box["text"] for box in mr_chart["boxes"] if box["kind"] == "limit"]
        assert all(text.startswith("Baseline's ") for text in ranges), ranges
        assert [box["text"] for box in x_chart["boxes"] if box["kind"] == "change"] == ["Change 1"]
        # The two charts line up.
        assert x_chart["area"]["left"] == mr_chart["area"]["left"]
        assert x_chart["area"]["right"] == mr_chart["area"]["right"]
    time_limits = page.locator(".cf-chart[data-chart-source='end-to-end-data']").evaluate(
        CHART_STATE
    )[0]["boxes"]
    assert {box["text"].rsplit(" ", 1)[0] for box in time_limits if box["kind"] == "limit"} == {
        "Baseline's upper limit",
        "Baseline's centre line",
        "Baseline's lower limit",
    }
    page.screenshot(path=tmp_path / f"did-it-work-{width}.png", full_page=True)
    assert_accessible(page)
    context.close()
