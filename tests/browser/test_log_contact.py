"""Logging contacts on a live call, by keyboard only: no mouse, no clicks. The words typed before
the citizen is found are kept; a repeat caller is found and the contact attached; a possible
duplicate citizen is caught; Back then Save after saving saves nothing twice."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case, Citizen
from demand.models import Contact
from tests.browser.conftest import BROWSER_MARKS, assert_accessible, sign_in, tab_to
from tests.factories import CaseFactory, CitizenFactory

pytestmark = BROWSER_MARKS


def mark_the_page(page: Page) -> None:
    """A flag that only survives if the page is not loaded again."""
    page.evaluate("window.cfSamePage = true")


def is_the_same_page(page: Page) -> bool:
    return page.evaluate("window.cfSamePage === true")


def a_new_need_for_bins(page: Page) -> None:
    """Choose the service by typing its first letters, and "No: it is something new"."""
    tab_to(page, "#id_service_type")
    page.keyboard.type("Bins")
    tab_to(page, "input[name=demand]")
    page.keyboard.press("Space")


def open_log_a_contact(page: Page) -> None:
    page.goto("/contacts/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    expect(page.locator("#id_citizen_words")).to_be_focused()


def test_words_typed_first_are_kept_and_a_repeat_caller_is_found_in_place(page: Page, fran, bins):
    citizen = CitizenFactory(name="Maureen Oakes", phone="07700900123", postcode="LS7 3QB")
    case = CaseFactory(citizen=citizen, owner=fran, service_type=bins)
    sign_in(page, fran, check_accessible=False)
    open_log_a_contact(page)
    words = "It's me again about the bin, nobody has been. Is anyone coming?"

    page.keyboard.type(words)
    tab_to(page, "#id_q")
    mark_the_page(page)
    page.keyboard.type("07700 900123")
    page.keyboard.press("Enter")

    # Found in place: the first match has the cursor, and nothing typed has gone.
    first = page.get_by_role("button", name=re.compile("^Maureen Oakes"))
    expect(first).to_be_focused()
    assert is_the_same_page(page)
    expect(page.locator("#id_citizen_words")).to_have_value(words)
    assert_accessible(page)

    page.keyboard.press("Enter")
    attach = page.get_by_role("group", name="Is this about one of their open cases?")
    expect(attach).to_be_visible()
    expect(page.locator("#id_attach_to_0")).to_be_focused()
    assert is_the_same_page(page)
    expect(page.locator("#id_citizen_words")).to_have_value(words)
    assert_accessible(page)
    page.keyboard.press("Space")  # this case

    tab_to(page, "input[name=demand]")
    page.keyboard.press("ArrowDown")  # "Yes: they are chasing..."
    expect(page.get_by_label(re.compile("^Yes: they are chasing"))).to_be_checked()
    tab_to(page, "#id_failure_category")
    page.keyboard.type("Progress")
    expect(page.locator("#id_failure_category")).to_have_value(re.compile(r"^\d+$"))
    page.keyboard.press("Control+Enter")

    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"Contact logged on {case.reference}.")
    next_call = page.get_by_role("link", name="Log the next contact")
    expect(next_call).to_be_focused()
    assert_accessible(page)
    contact = case.contacts.latest("pk")
    assert contact.citizen_words == words
    assert contact.failure_category.slug == "progress-chasing"
    assert Case.objects.count() == 1

    page.keyboard.press("Enter")  # one key to the next call
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    expect(page.locator("#id_citizen_words")).to_be_focused()
    expect(page.locator("#id_citizen_words")).to_have_value("")


def test_without_javascript_the_search_carries_every_field_typed(page: Page, fran, bins):
    citizen = CitizenFactory(name="Maureen Oakes", phone="07700900123")
    page.route("**/*.mjs", lambda route: route.abort())
    sign_in(page, fran, check_accessible=False)
    page.goto("/contacts/new/")
    words = "Where is my new bin? I ordered it three weeks ago."

    page.keyboard.type(words)
    tab_to(page, "input[name=channel]")
    page.keyboard.press("ArrowRight")  # the next way of getting in touch
    channel = page.locator("input[name=channel]:checked").get_attribute("value")
    tab_to(page, "#id_q")
    page.keyboard.type("Maureen")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("button", name=re.compile("^Maureen Oakes"))).to_be_focused()
    expect(page.locator("#id_citizen_words")).to_have_value(words)
    expect(page.locator(f"input[name=channel][value={channel}]")).to_be_checked()
    assert_accessible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator("#id_service_type")).to_be_focused()
    expect(page.locator("#id_citizen_words")).to_have_value(words)
    page.keyboard.type("Bins")
    tab_to(page, "input[name=demand]")
    page.keyboard.press("Space")
    tab_to(page, "[data-save]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Contact logged on")
    contact = Contact.objects.get(citizen_words=words)
    assert contact.case.citizen == citizen
    assert contact.channel == channel


@pytest.mark.parametrize(("key", "same_person"), [("1", True), ("n", False)])
def test_a_possible_duplicate_citizen_is_caught(page: Page, fran, bins, key, same_person):
    existing = CitizenFactory(name="Gwen Lloyd", phone="07700900456", postcode="")
    sign_in(page, fran, check_accessible=False)
    open_log_a_contact(page)

    page.keyboard.type("My recycling was not collected this week.")
    tab_to(page, "[data-new-citizen] summary")
    page.keyboard.press("Enter")  # Not found? Add them as a new citizen
    tab_to(page, "#id_citizen_name")
    page.keyboard.type("gwen lloyd")
    tab_to(page, "#id_citizen_phone")
    page.keyboard.type("07700 900456")
    a_new_need_for_bins(page)
    page.keyboard.press("Control+Enter")

    expect(page.get_by_role("heading", name="Is this one of these people?")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Yes, Gwen Lloyd"))).to_be_focused()
    expect(page.locator("#id_citizen_words")).to_have_value(
        "My recycling was not collected this week."
    )
    assert_accessible(page)
    assert Citizen.objects.count() == 1 and not Contact.objects.exists()

    page.keyboard.press(key)

    expect(page.get_by_role("alert")).to_contain_text("Contact logged on")
    case = Case.objects.get()
    assert (case.citizen == existing) is same_person
    assert Citizen.objects.count() == (1 if same_person else 2)


def test_back_then_save_after_saving_saves_nothing_twice(page: Page, fran, bins):
    sign_in(page, fran, check_accessible=False)
    open_log_a_contact(page)
    page.keyboard.type("Can I have a second green bin?")
    a_new_need_for_bins(page)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("alert")).to_contain_text("Contact logged on")
    case = Case.objects.get()

    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    page.keyboard.press("Control+Enter")

    # Either the form came back empty (nothing to save) or as it was (already logged).
    expect(
        page.get_by_text("Enter what the citizen said, in their words.").first.or_(
            page.get_by_text(f"This contact was already logged as {case.reference}.")
        )
    ).to_be_visible()
    assert Case.objects.count() == 1
    assert Contact.objects.count() == 1


def a_long_email(length: int) -> str:
    """A pasted email of exactly `length` characters, ending in words that must not be lost."""
    ending = " END OF THE EMAIL."
    paragraph = "I am writing again about the broken streetlight outside number 12. "
    body = (paragraph * (length // len(paragraph) + 1))[: length - len(ending)]
    return body + ending


def test_a_pasted_20000_character_email_is_kept_whole(page: Page, fran, bins):
    email = a_long_email(20_000)
    sign_in(page, fran, check_accessible=False)
    open_log_a_contact(page)

    page.keyboard.insert_text(email)  # as a paste: the text arrives at once

    expect(page.locator("#id_citizen_words")).to_have_value(email)
    a_new_need_for_bins(page)
    page.keyboard.press("Control+Enter")

    expect(page.get_by_role("alert")).to_contain_text("Contact logged on")
    assert Contact.objects.get().citizen_words == email


def test_text_over_the_limit_is_counted_then_refused_and_kept(page: Page, fran, bins):
    near = a_long_email(40_000)
    sign_in(page, fran, check_accessible=False)
    open_log_a_contact(page)
    count = page.locator("#id_citizen_words ~ .govuk-character-count__status")

    page.keyboard.insert_text(near)

    # Over three quarters of the limit, the count shows what is left.
    expect(count).to_have_text("You have 10,000 characters remaining")
    page.keyboard.insert_text(a_long_email(12_345))
    expect(count).to_have_text("You have 2,345 characters too many")
    assert_accessible(page)
    a_new_need_for_bins(page)
    page.keyboard.press("Control+Enter")

    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "What the citizen said can be at most 50,000 characters, and this has 52,345."
    )
    kept = page.locator("#id_citizen_words").input_value()
    assert len(kept) == 52_345 and kept.endswith("END OF THE EMAIL.")
    assert not Contact.objects.exists()


def choose_another_day(page: Page, day) -> None:
    """From the words box: "Another day", then the day, month and year typed in UK order (a
    Tab into a box selects what is in it, so typing replaces today's date)."""
    tab_to(page, "#id_received_at")  # "Just now", the choice a call starts with
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Another day")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Day", exact=True)).to_be_focused()
    page.keyboard.type(str(day.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.year))
    page.keyboard.press("Tab")
    page.keyboard.type("9:30")


def test_a_letter_received_last_week_is_typed_day_month_year_in_any_browser(page: Page, fran, bins):
    last_week = timezone.localdate() - timedelta(days=9)
    sign_in(page, fran, check_accessible=False)
    open_log_a_contact(page)
    page.keyboard.type("Letter: the recycling box was not returned after collection.")
    tab_to(page, "input[name=channel]")
    for _ in range(4):  # phone, face to face, email, web form, letter
        page.keyboard.press("ArrowRight")
    expect(page.get_by_label("Letter")).to_be_checked()

    choose_another_day(page, last_week)
    assert_accessible(page)
    a_new_need_for_bins(page)
    page.keyboard.press("Control+Enter")

    expect(page.get_by_role("alert")).to_contain_text("Contact logged on")
    contact = Contact.objects.get()
    assert timezone.localtime(contact.received_at).date() == last_week
    assert f"{timezone.localtime(contact.received_at):%H:%M}" == "09:30"
    assert contact.channel == "letter"


def test_a_date_more_than_a_year_back_is_taken_only_once_confirmed(page: Page, fran, bins):
    long_ago = timezone.localdate() - timedelta(days=800)
    sign_in(page, fran, check_accessible=False)
    open_log_a_contact(page)
    page.keyboard.type("An old letter found in the post room.")
    choose_another_day(page, long_ago)
    a_new_need_for_bins(page)
    page.keyboard.press("Control+Enter")

    when = f"{long_ago.day} {long_ago:%B %Y}"
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"{when} is more than a year ago.")
    expect(page.get_by_label("Day", exact=True)).to_have_value(str(long_ago.day))
    assert_accessible(page)
    assert not Contact.objects.exists()
    tab_to(page, "#id_received_at_confirm")
    page.keyboard.press("Space")
    expect(page.get_by_label(f"Yes, {when} is right")).to_be_checked()
    page.keyboard.press("Control+Enter")

    expect(page.get_by_role("alert")).to_contain_text("Contact logged on")
    assert timezone.localtime(Contact.objects.get().received_at).date() == long_ago
