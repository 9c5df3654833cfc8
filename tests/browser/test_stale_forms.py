"""Case forms opened before someone else changed the case, by keyboard only: each is refused
with what changed, the case as it now stands and the typed text kept; where it still makes
sense, the fresh form saves with one more press. A contact on a case closed meanwhile reopens
it in one press; a reopening on a case reopened meanwhile logs the words on it instead."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases import services
from cases.models import TimelineEntry
from demand import services as demand_services
from demand.models import Contact
from tests.browser.conftest import (
    BROWSER_MARKS,
    MOST_TABS,
    assert_accessible,
    sign_in,
    tab_to,
)
from tests.factories import CaseFactory, FrontOfficeFactory, TeamLeaderFactory

pytestmark = BROWSER_MARKS


@pytest.fixture
def leader(live_server):
    return TeamLeaderFactory(username="lee", first_name="Lee", last_name="Leader")


def press(page: Page, button: str) -> None:
    """Tab to the button with this name and press Enter on it."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(name) => document.activeElement.tagName === 'BUTTON'"
            " && document.activeElement.textContent.trim() === name",
            button,
        ):
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"no button {button!r} in {MOST_TABS} Tab presses")


def expect_refused(page: Page, *changes: str) -> None:
    banner = page.locator("#what-changed")
    expect(banner).to_contain_text("Nothing was saved")
    expect(banner).to_contain_text("Someone else changed this case while you had this form open.")
    for change in changes:
        expect(banner).to_contain_text(change)


def test_a_step_recorded_over_someone_elses_is_refused_then_saved_with_one_more_press(
    page: Page, fran, bins, leader
):
    case = CaseFactory(owner=fran, service_type=bins)
    sign_in(page, fran, check_accessible=False)
    page.goto(f"/cases/{case.reference}/steps/new/")
    expect(page.locator("input[name=step_kind]").first).to_be_focused()
    page.keyboard.press("Space")  # value work
    tab_to(page, "#id_description")
    page.keyboard.type("Booked the crew for Tuesday")
    services.case_record_step(
        case=case, by=leader, step_kind="check", description="Checked the bin's size"
    )

    press(page, "Record step")

    expect_refused(page, "Lee Leader recorded a step", "Checked the bin's size")
    expect(page.locator("#id_description")).to_have_value("Booked the crew for Tuesday")
    expect(page.get_by_label("Value work")).to_be_checked()
    assert_accessible(page)

    press(page, "Record step")

    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"Step recorded on {case.reference}.")
    assert case.timeline.filter(description="Booked the crew for Tuesday").exists()


def test_a_hand_off_after_someone_else_handed_the_case_on_explains_and_keeps_the_reason(
    page: Page, fran, bins, leader
):
    case = CaseFactory(owner=fran, service_type=bins)
    FrontOfficeFactory(username="sam", first_name="Sam", last_name="Smith")
    alex = FrontOfficeFactory(username="alex", first_name="Alex", last_name="Jones")
    sign_in(page, fran, check_accessible=False)
    page.goto(f"/cases/{case.reference}/hand-off/")
    expect(page.locator("#id_to")).to_be_focused()
    page.keyboard.type("Sam")
    tab_to(page, "#id_reason")
    page.keyboard.type("Sam knows the street")
    services.case_hand_off(case=case, by=leader, to=alex, reason="Alex covers that round")

    press(page, "Hand off")

    expect_refused(page, "Lee Leader handed the case from Fran Office to Alex Jones")
    expect(page.locator("#what-changed")).to_contain_text(
        "Alex Jones owns the case now, so only they or a team leader can change it."
    )
    expect(page.locator("#id_reason")).to_have_value("Sam knows the street")
    expect(page.get_by_role("button", name="Hand off")).to_have_count(0)
    assert_accessible(page)
    case.refresh_from_db()
    assert case.owner == alex


def test_a_close_after_someone_else_closed_the_case_keeps_the_text(page: Page, fran, bins, leader):
    case = CaseFactory(owner=fran, service_type=bins)
    sign_in(page, fran, check_accessible=False)
    page.goto(f"/cases/{case.reference}/close/")
    expect(page.locator("#id_resolution")).to_be_focused()
    page.keyboard.type("New bin delivered today")
    services.case_close(case=case, by=leader, resolution="Delivered yesterday")

    press(page, "Close case")

    expect_refused(page, "Lee Leader closed the case", "Delivered yesterday")
    expect(page.locator("#what-changed")).to_contain_text("The case is closed now.")
    expect(page.locator("#id_resolution")).to_have_value("New bin delivered today")
    expect(page.get_by_role("button", name="Close case")).to_have_count(0)
    assert case.timeline.filter(kind=TimelineEntry.Kind.CLOSED).count() == 1


def test_a_contact_on_a_case_closed_meanwhile_reopens_it_with_the_words_in_one_press(
    page: Page, fran, bins, leader
):
    case = CaseFactory(owner=fran, service_type=bins)
    sign_in(page, fran, check_accessible=False)
    page.goto(f"/cases/{case.reference}/contacts/new/")
    expect(page.locator("#id_citizen_words")).to_be_focused()
    words = "The new bin has a cracked lid"
    page.keyboard.type(words)
    tab_to(page, "input[name=demand]")
    page.keyboard.press("Space")  # "No: it is something new"
    services.case_close(case=case, by=leader, resolution="Bin delivered")

    press(page, "Log contact")

    expect_refused(page, "Lee Leader closed the case", "Bin delivered")
    expect(page.locator("#id_citizen_words")).to_have_value(words)
    assert_accessible(page)

    press(page, "Reopen with this contact")

    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"{case.reference} reopened.")
    case.refresh_from_db()
    assert case.is_open
    assert Contact.objects.get(citizen_words=words).case_id == case.pk
    expect(page.locator(".cf-timeline")).to_contain_text(words)


def test_a_reopening_of_a_case_reopened_meanwhile_logs_the_words_on_it_instead(
    page: Page, fran, bins, leader
):
    case = CaseFactory(owner=fran, service_type=bins, closed=True)
    sign_in(page, fran, check_accessible=False)
    page.goto(f"/cases/{case.reference}/reopen/")
    expect(page.locator("#id_citizen_words")).to_be_focused()
    words = "Nobody came to take the old bin away"
    page.keyboard.type(words)
    tab_to(page, "input[name=demand]")
    page.keyboard.press("Space")
    demand_services.contact_reopen_case(
        by=leader,
        case=case,
        details=demand_services.ContactDetails(
            citizen_words="Still not collected",
            channel=Contact.Channel.PHONE,
            received_at=timezone.now(),
            demand=Contact.Demand.VALUE,
        ),
    )

    press(page, "Reopen case")

    expect_refused(page, "Lee Leader reopened the case", "Lee Leader logged a contact")
    expect(page.locator("#id_citizen_words")).to_have_value(words)
    assert_accessible(page)

    press(page, f"Log it as another contact on {case.reference}")

    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"Contact logged on {case.reference}.")
    assert Contact.objects.get(citizen_words=words).case_id == case.pk
    assert case.timeline.filter(kind=TimelineEntry.Kind.REOPENED).count() == 1
