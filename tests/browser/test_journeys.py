"""Whole journeys through CouncilFlow in a real browser, by keyboard where a person would use it,
with axe-core checking every page on the way against WCAG 2.2 A and AA."""

import re

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case, TimelineEntry, parse_reference
from demand.models import Contact
from tests.browser.conftest import BROWSER_MARKS, assert_accessible, sign_in, sign_out
from tests.factories import (
    CaseFactory,
    CitizenFactory,
    FrontOfficeFactory,
)

pytestmark = BROWSER_MARKS


@pytest.fixture
def omar(live_server):
    return FrontOfficeFactory(username="omar", first_name="Omar", last_name="Other")


def go_to_log_a_contact(page: Page) -> None:
    page.get_by_role("link", name="Log a contact", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")


def case_from_url(page: Page) -> Case:
    match = re.search(r"/cases/(CF[^/]+)/$", page.url)
    assert match, f"not on a case page: {page.url}"
    return Case.objects.get(pk=parse_reference(match.group(1)))


def summary_value(page: Page, key: str):
    """The value cell of a row in the case page's summary list."""
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(rf"^{re.escape(key)}$"))
    )
    return row.locator("dd")


def test_one_stop_contact(page: Page, fran, bins):
    sign_in(page, fran)
    go_to_log_a_contact(page)
    # The cursor is already in the first field: the citizen's words come first.
    assert page.evaluate("document.activeElement.id") == "id_citizen_words"
    assert_accessible(page)

    page.get_by_text("Not found? Add them as a new citizen").click()
    page.get_by_label("Full name", exact=True).fill("Priya Shah")
    page.get_by_label("Phone number", exact=True).fill("0113 496 0000")
    page.get_by_label("Postcode", exact=True).fill("LS6 2AB")
    page.get_by_label("Which service is it about?").select_option(label="Bins and recycling")
    words = "My green bin has split down the side, can I have a new one?"
    page.get_by_label("What did the citizen say?").fill(words)
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label(re.compile(r"^No: it is something new")).check()
    page.get_by_label("Yes, their need was met in this contact").check()
    how = page.get_by_label("How was the need met?")
    expect(how).to_be_visible()  # revealed by GOV.UK Frontend's conditional checkboxes
    how.fill("Ordered a replacement green bin; delivery on Thursday.")
    assert_accessible(page)
    page.get_by_role("button", name="Log contact").click()

    expect(page).to_have_url(re.compile(r"/cases/CF[^/]+/$"))
    expect(page.get_by_role("alert")).to_contain_text("One-stop")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed")
    expect(page.locator("blockquote")).to_have_text(words)
    expect(page.locator(".cf-timeline").get_by_text("One-stop", exact=True)).to_be_visible()
    expect(summary_value(page, "End-to-end time")).to_have_text(
        re.compile(r"^\d+(\.\d+)? (minutes?|hours?|days?) \(closed .+\)$")
    )
    expect(summary_value(page, "How the need was met")).to_have_text(
        "Ordered a replacement green bin; delivery on Thursday."
    )
    assert_accessible(page)

    case = case_from_url(page)
    assert case.status == Case.Status.CLOSED
    assert case.owner == fran
    assert case.citizen.name == "Priya Shah"
    contacts = list(case.contacts.all())
    assert len(contacts) == 1
    assert contacts[0].is_one_stop is True
    assert contacts[0].citizen_words == words


def test_contact_opens_case_handed_off_and_closed_by_new_owner(page: Page, fran, omar, bins):
    sign_in(page, fran)
    go_to_log_a_contact(page)
    page.get_by_text("Not found? Add them as a new citizen").click()
    page.get_by_label("Full name", exact=True).fill("George Hill")
    page.get_by_label("Phone number", exact=True).fill("0113 496 0001")
    page.get_by_label("Which service is it about?").select_option(label="Bins and recycling")
    page.get_by_label("What did the citizen say?").fill(
        "I rang last week about my bin and nobody has come. When are you coming?"
    )
    page.get_by_label(re.compile(r"^Yes: they are chasing")).check()
    kind = page.get_by_label("What went wrong for them?")
    expect(kind).to_be_visible()  # revealed by GOV.UK Frontend's conditional radios
    kind.select_option(label="Progress chasing")
    page.get_by_label("What would have saved them contacting us?").fill(
        "Give the delivery date at the first call."
    )
    page.get_by_role("button", name="Log contact").click()

    expect(page).to_have_url(re.compile(r"/cases/CF[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open")
    expect(summary_value(page, "Owner")).to_have_text("Fran Office")
    expect(page.get_by_text("Dirty", exact=True)).to_be_visible()
    assert_accessible(page)
    case = case_from_url(page)

    page.get_by_role("link", name="Hand off", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hand off this case")
    assert_accessible(page)
    page.get_by_label("Hand off to").select_option(label="Omar Other")
    page.get_by_label("Why are you handing it off?").fill(
        "Omar runs the delivery rounds and can book the bin."
    )
    page.get_by_role("button", name="Hand off", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"{case.reference} handed off.")
    expect(
        page.get_by_role("heading", name="Handed off from Fran Office to Omar Other")
    ).to_be_visible()
    expect(page.get_by_text("Reason: Omar runs the delivery rounds")).to_be_visible()
    expect(summary_value(page, "Owner")).to_have_text("Omar Other")
    assert_accessible(page)

    sign_out(page)
    sign_in(page, omar)
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    assert_accessible(page)
    page.get_by_role("link", name=case.reference, exact=True).click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    page.get_by_role("link", name="Close: the need is met").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close: the citizen's need is met")
    assert_accessible(page)
    page.get_by_label("How was the citizen's need met?").fill(
        "Delivered the new bin today and apologised for the wait."
    )
    page.get_by_role("button", name="Close case").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed")
    expect(summary_value(page, "How the need was met")).to_have_text(
        "Delivered the new bin today and apologised for the wait."
    )
    assert_accessible(page)

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.owner == omar
    handoffs = case.timeline.filter(kind=TimelineEntry.Kind.HANDOFF)
    assert [(h.from_owner, h.to_owner) for h in handoffs] == [(fran, omar)]
    contact = case.contacts.get()
    assert contact.demand == Contact.Demand.FAILURE
    assert contact.failure_category.name == "Progress chasing"
    assert contact.is_one_stop is False


def test_repeat_contact_attaches_to_the_open_case(page: Page, fran, bins):
    citizen = CitizenFactory(name="Maureen Oakes", phone="07700 900123", postcode="LS7 3QB")
    case = CaseFactory(citizen=citizen, owner=fran, service_type=bins)
    cases_before = Case.objects.count()

    sign_in(page, fran)
    go_to_log_a_contact(page)
    search = page.get_by_label("Find the citizen")
    search.fill("07700 900123")
    search.press("Enter")

    results = page.get_by_role("list", name=re.compile("matching"))
    expect(results).to_contain_text("Maureen Oakes")
    assert_accessible(page)
    results.get_by_role("button", name=re.compile("^Maureen Oakes")).click()

    attach = page.get_by_role("group", name="Is this about one of their open cases?")
    expect(attach).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "id_attach_to_0"
    assert_accessible(page)
    attach.get_by_role("radio", name=re.compile(case.reference)).check()
    page.get_by_label("What did the citizen say?").fill(
        "It's me again about the bin. Is anyone coming?"
    )
    page.get_by_label(re.compile(r"^Yes: they are chasing")).check()
    page.get_by_label("What went wrong for them?").select_option(label="Progress chasing")
    page.get_by_role("button", name="Log contact").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"Contact logged on {case.reference}.")
    expect(page.locator(".cf-timeline__item--contact")).to_have_count(2)
    expect(summary_value(page, "Contacts")).to_contain_text("2")
    expect(summary_value(page, "Contacts")).to_contain_text("Dirty")
    assert_accessible(page)

    assert Case.objects.count() == cases_before
    assert case.contacts.count() == 2
    assert case.contacts.filter(demand=Contact.Demand.FAILURE).count() == 1

    # Find it again through "Find a case".
    page.get_by_role("link", name="Find a case", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a case")
    assert_accessible(page)
    page.get_by_role("textbox").first.fill("Maureen")
    page.get_by_role("textbox").first.press("Enter")
    expect(page.get_by_role("link", name=case.reference, exact=True)).to_be_visible()
    assert_accessible(page)


def test_validation_error_summary_links_to_the_field_and_keeps_the_text(page: Page, fran, bins):
    sign_in(page, fran, check_accessible=False)
    go_to_log_a_contact(page)
    words = "Nobody came for my bulky waste on Monday."
    page.get_by_label("What did the citizen say?").fill(words)
    page.get_by_role("button", name="Log contact").click()

    expect(page).to_have_title(re.compile(r"^Error: Log a contact"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary on load
    expect(page.get_by_label("What did the citizen say?")).to_have_value(words)
    assert_accessible(page)

    summary.get_by_role("link", name="Choose the service the contact is about.").click()
    expect(page.get_by_label("Which service is it about?")).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Say whether this contact is because")).click()
    expect(page.get_by_label(re.compile(r"^No: it is something new"))).to_be_focused()

    assert Contact.objects.count() == 0


def test_other_pages_and_error_states_are_accessible(page: Page, fran, bins):
    """The pages the journeys above do not pass through, and forms showing their errors."""
    open_case = CaseFactory(owner=fran, service_type=bins)
    closed_case = CaseFactory(owner=fran, service_type=bins, closed=True)

    page.goto("/sign-in/")
    page.get_by_label("Username").fill(fran.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    sign_in(page, fran, check_accessible=False)
    page.goto(open_case.get_absolute_url())
    page.get_by_role("link", name="Record a step").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a step")
    assert_accessible(page)
    page.get_by_role("button", name="Record step").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.goto(open_case.get_absolute_url())
    page.get_by_role("link", name="Log another contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log another contact")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Yes: they are chasing")).check()
    page.get_by_role("button", name="Log contact").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.goto(open_case.get_absolute_url())
    page.get_by_role("link", name="Hand off", exact=True).click()
    page.get_by_role("button", name="Hand off", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    page.goto(closed_case.get_absolute_url())
    page.get_by_role("link", name="Reopen with a new contact").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reopen")
    assert_accessible(page)

    page.goto("/cases/?q=nobody-has-this-name")
    expect(page.get_by_role("status")).to_contain_text("No cases match")
    assert_accessible(page)

    page.goto("/contacts/new/?q=nobody-has-this-name")
    expect(page.get_by_role("status")).to_contain_text("No citizen matches")
    assert_accessible(page)

    page.goto("/cases/CF-999999/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_log_a_contact_works_without_javascript(page: Page, fran, bins):
    """With GOV.UK Frontend's script blocked, the revealed fields are simply shown."""
    page.route("**/*.mjs", lambda route: route.abort())
    sign_in(page, fran, check_accessible=False)
    go_to_log_a_contact(page)
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')") is False
    expect(page.get_by_label("What went wrong for them?")).to_be_visible()
    expect(page.get_by_label("How was the need met?")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Which service is it about?").select_option(label="Bins and recycling")
    page.get_by_label("What did the citizen say?").fill("Where is my new bin? I ordered it.")
    page.get_by_label(re.compile(r"^Yes: they are chasing")).check()
    page.get_by_label("What went wrong for them?").select_option(label="Progress chasing")
    page.get_by_role("button", name="Log contact").click()

    expect(page).to_have_url(re.compile(r"/cases/CF[^/]+/$"))
    expect(page.get_by_text("Failure demand: Progress chasing")).to_be_visible()
    assert_accessible(page)
    assert case_from_url(page).citizen is None
