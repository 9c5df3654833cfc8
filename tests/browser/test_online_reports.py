"""A report from FixMyStreet, end to end in a real browser: an Open311 client posts it to the
live server over loopback; a front-office worker takes it from "Arrived online", classifies it,
updates the citizen and closes the case; and the client's poll of servicerequestupdates.xml
reads both updates. axe-core checks every page on the way."""

import re
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from demand.models import DemandType
from open311 import services
from tests.browser.conftest import BROWSER_MARKS, assert_accessible, sign_in
from tests.open311 import fixmystreet

pytestmark = BROWSER_MARKS


def _open311(live_server, method: str, path: str, params: dict) -> bytes:
    """The Open311 client: a plain HTTP request to the live server, as FixMyStreet sends it."""
    data = urllib.parse.urlencode(params).encode()
    url = f"{live_server.url}/open311/v2/{path}"
    if method == "GET":
        request = urllib.request.Request(f"{url}?{data.decode()}")
    else:
        request = urllib.request.Request(url, data=data, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        return response.read()


@pytest.fixture
def fms(live_server, bins):
    DemandType.objects.create(service_type=bins, name="Report a missed collection")
    _client, key = services.client_add(name="FixMyStreet")
    return key


def test_a_fixmystreet_report_taken_updated_and_closed_reaches_fixmystreet(
    page: Page, live_server, fran, bins, fms, settings
):
    settings.OPEN311_RATE_LIMIT = "1000/min"
    asked = str(DemandType.objects.get().pk)
    params = fixmystreet.report_params(
        api_key=fms, service_code="bins", fixmystreet_id=4567, asked_for=asked
    )
    sent = fixmystreet.parse(_open311(live_server, "POST", "requests.xml", params))
    request_id = sent["request"][0]["service_request_id"]

    sign_in(page, fran)
    page.get_by_role("link", name="Arrived online").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arrived online")
    expect(page.locator("#arrived-count")).to_contain_text("1 waiting")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^Take")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Take the report from FixMyStreet")
    expect(page.locator("#arrival-words")).to_contain_text("The grey bin outside number 22")
    expect(page.get_by_text("22 Acacia Avenue, Leeds LS6 2AB")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^No: it is something new")).check()
    # What they said they asked for is chosen already.
    expect(page.get_by_label("What did they ask for?")).to_have_value(asked)
    page.get_by_role("button", name="Take it and own the case").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You took the report from FixMyStreet"
    )
    expect(page.get_by_text("Contact by online report from FixMyStreet")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"on a map"))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Tell the citizen what happens next").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell the citizen what happens next")
    assert_accessible(page)
    page.get_by_label("Work is booked").check()
    page.get_by_label("Anything else to tell them?").fill("A crew will empty it on Thursday.")
    page.get_by_role("button", name="Publish update").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Update for the citizen published"
    )
    expect(page.get_by_text("A crew will empty it on Thursday.")).to_be_visible()

    page.get_by_role("link", name="Close: the need is met").click()
    page.get_by_label("How was the citizen's need met?").fill("Emptied on Thursday morning.")
    expect(page.get_by_label("Fixed: the need is met")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Close case").click()
    expect(page.get_by_text("Told the citizen: Fixed: the need is met")).to_be_visible()

    # FixMyStreet polls the last two hours, as Open311::GetServiceRequestUpdates does.
    now = datetime.now(UTC) + timedelta(seconds=1)
    polled = fixmystreet.parse(
        _open311(
            live_server,
            "GET",
            "servicerequestupdates.xml",
            {
                "api_key": fms,
                "start_date": fixmystreet.w3cdtf(now - timedelta(hours=2)),
                "end_date": fixmystreet.w3cdtf(now),
            },
        )
    )
    updates = polled["request_update"]
    assert [(u["status"], u["description"]) for u in updates] == [
        ("action_scheduled", "A crew will empty it on Thursday."),
        ("fixed", "Emptied on Thursday morning."),
    ]
    assert {u["service_request_id"] for u in updates} == {request_id}
