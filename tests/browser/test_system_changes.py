"""A team leader records a system change, follows the banner to its chart, corrects the date and
then withdraws it, by keyboard, in a real browser; every page passes axe."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from improvement.models import SystemChange
from tests.browser.conftest import BROWSER_MARKS, assert_accessible, sign_in
from tests.factories import ServiceTypeFactory, TeamLeaderFactory

pytestmark = BROWSER_MARKS


def human(day) -> str:
    return f"{day.day} {day:%B %Y}"


def test_record_see_the_chart_correct_and_withdraw_a_change(page: Page, live_server):
    ServiceTypeFactory(name="Housing repairs", slug="housing-repairs")
    sign_in(page, TeamLeaderFactory(username="tess", first_name="Tess", last_name="Leader"))
    day = timezone.localdate() - timedelta(days=3)

    page.goto("/improvement/changes/")
    page.get_by_label("When did the work start being done the new way?").fill(day.isoformat())
    page.get_by_label("Which service?").select_option(label="Housing repairs")
    page.get_by_label("What changed?").fill("Repairs booked by the call taker")
    page.get_by_role("button", name="Record change").press("Enter")

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(f"System change of {human(day)} recorded.")
    assert_accessible(page)
    banner.get_by_role("link", name="See it on the chart of Housing repairs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End-to-end time: Housing repairs")

    page.go_back()
    page.get_by_role("link", name=f"Correct the change of {human(day)}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct a system change")
    assert_accessible(page)
    earlier = day - timedelta(days=1)
    page.get_by_label("When did the work start being done the new way?").fill(earlier.isoformat())
    page.get_by_role("button", name="Save correction").press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"System change of {human(earlier)} corrected."
    )
    history = page.get_by_role("table", name="History, newest first")
    expect(history).to_contain_text("Corrected: date")
    expect(history).to_contain_text(human(day))
    assert_accessible(page)

    page.get_by_role("link", name="Withdraw this change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw this system change?")
    page.get_by_role("button", name="Withdraw change").press("Enter")
    expect(page.get_by_text("Say why you are withdrawing this change.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why are you withdrawing it?").fill("Recorded against the wrong week")
    page.get_by_role("button", name="Withdraw change").press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("withdrawn")
    assert_accessible(page)

    page.get_by_role("link", name="Back to system changes").click()
    expect(page.get_by_role("table")).to_contain_text(
        f"Withdrawn on {human(timezone.localdate())} by Tess Leader: "
        "Recorded against the wrong week"
    )
    assert SystemChange.objects.get().is_withdrawn
