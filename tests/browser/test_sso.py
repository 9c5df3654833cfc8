"""Single sign-on in a real browser: from CouncilFlow's sign-in page to the council's OpenID
Connect provider (a real one on loopback, tests/oidc_provider.py) and back, signed in with the
role the provider's groups give; the sign-in page with its single sign-on button passes axe."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts import roles
from tests.browser.conftest import BROWSER_MARKS, assert_accessible
from tests.oidc_provider import running_provider

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def provider():
    with running_provider() as provider:
        yield provider


def test_a_team_leader_signs_in_with_the_councils_account(
    page: Page, live_server, provider, settings
):
    provider.configure(
        settings,
        callback=f"{live_server.url}/sso/callback/",
        role_groups={roles.TEAM_LEADER: ["cf-team-leaders"]},
    )
    provider.add_tess("cf-team-leaders")

    page.goto("/demand/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to CouncilFlow")
    assert_accessible(page)
    page.get_by_role("link", name="Sign in with your Borsetshire account").click()

    # At the provider: its own sign-in form.
    expect(page).to_have_url(re.compile(re.escape(provider.url)))
    page.locator("input[name=sub]").fill("tess-sub")
    page.get_by_role("button", name="Authorize").click()

    # Back in CouncilFlow, on the page asked for, signed in as a team leader: no second step.
    expect(page).to_have_url(re.compile(r"/demand/"))
    expect(page.get_by_role("button", name="Sign out Tess Leader")).to_be_visible()
    expect(page.get_by_role("link", name="Demand", exact=True)).to_be_visible()
