"""Telling citizens, end to end in a real browser: the owner records what happens next and sends
it; the background worker (`manage.py db_worker`) delivers it to a real SMTP server on loopback;
the citizen opens the link in it in a fresh browser (no sign-in) and reads it on their progress
page; closing the case sends the resolution; a citizen who stopped updates is sent nothing.
axe-core checks every page on the way."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cases.models import Citizen
from tests.browser.conftest import BROWSER_MARKS, assert_accessible, sign_in
from tests.factories import CaseFactory, CitizenFactory
from tests.messaging.servers import SMTPServer, free_port, point_email_at

pytestmark = BROWSER_MARKS


@pytest.fixture
def smtp_server(settings, live_server):
    server = SMTPServer(port=free_port()).start()
    point_email_at(settings, server)
    settings.PUBLIC_URL = live_server.url
    yield server
    server.stop()


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_the_citizen_is_told_what_happens_next_and_reads_it_on_their_progress_page(
    page: Page, browser: Browser, live_server, fran, bins, smtp_server
):
    jo = CitizenFactory(name="Jo Bloggs", email="jo@example.org", updates_by="email")
    case = CaseFactory(owner=fran, service_type=bins, citizen=jo)
    sam = CitizenFactory(name="Sam Quiet", updates_by=Citizen.UpdatesBy.NONE)
    quiet = CaseFactory(owner=fran, service_type=bins, citizen=sam)
    day = timezone.localdate() + timedelta(days=2)

    sign_in(page, fran, check_accessible=False)
    page.goto(case.get_absolute_url())
    page.get_by_role("link", name="Tell the citizen what happens next").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell the citizen what happens next")
    page.get_by_label("What happens next?").fill("A crew will come back for your grey bin.")
    page.get_by_label("When?").fill(day.isoformat())
    page.get_by_label("Work is booked").check()
    send = page.get_by_label(re.compile(r"^Send it to Jo Bloggs by email"))
    expect(send).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Publish update").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "It will be sent to the citizen by email"
    )

    run_worker()
    (mail,) = smtp_server.wait_for(1)
    assert mail.to == ["jo@example.org"]
    link = re.search(r"http://\S+/progress/\S+/", mail.body).group(0)

    # The citizen, in a browser of their own: no sign-in, the link from the email.
    citizen = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-GB")
    their_page = citizen.new_page()
    their_page.goto(link)
    expect(their_page.get_by_role("heading", level=1)).to_have_text(
        f"Your request {case.reference}"
    )
    expect(their_page.get_by_text("A crew will come back for your grey bin.").first).to_be_visible()
    expect(their_page.get_by_text(f"{day:%A} {day.day} {day:%B %Y}").first).to_be_visible()
    expect(their_page.get_by_text("Fran Office")).to_have_count(0)
    assert_accessible(their_page)

    page.goto(case.get_absolute_url())
    expect(page.get_by_text("Message sent to the citizen")).to_be_visible()
    page.get_by_role("link", name="Close: the need is met").click()
    page.get_by_label("How was the citizen's need met?").fill("We emptied your grey bin today.")
    expect(page.get_by_label(re.compile(r"^Send it to Jo Bloggs"))).to_be_checked()
    page.get_by_role("button", name="Close case").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("closed")

    run_worker()
    assert len(smtp_server.wait_for(2)) == 2
    assert "We emptied your grey bin today." in smtp_server.received[1].body
    their_page.reload()
    expect(their_page.get_by_text("Done: your request is complete")).to_be_visible()
    citizen.close()

    # Sam asked for no updates: the form says so, and nothing is sent.
    page.goto(quiet.get_absolute_url())
    page.get_by_role("link", name="Tell the citizen what happens next").first.click()
    expect(page.get_by_text("Sam Quiet asked not to be sent updates.")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Send it to"))).to_have_count(0)
    page.get_by_label("What happens next?").fill("A crew will come on Friday.")
    page.get_by_label("When?").fill(day.isoformat())
    page.get_by_label("Work is booked").check()
    page.get_by_role("button", name="Publish update").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published")
    run_worker()
    assert len(smtp_server.received) == 2
