"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live_server, with axe-core checking every page against WCAG 2.2 A and AA.

The live server runs in a thread of this process and shares the test database, so the tests are
transactional: pytest-django flushes the database after each one. The roles and failure categories
come from a data migration, so every browser test is marked ``serialized_rollback=True`` (test
modules apply ``BROWSER_MARKS`` as their ``pytestmark``): the database as migrated is serialized
once and restored before each test. After the last browser test of a module the migrated rows are
restored once more, so tests that run later still find them.

One trap, handled in ``browser``: Django keeps database connections in a "thread critical" asgiref
Local, which switches to per-event-loop storage when an asyncio loop is running in the thread.
Playwright's sync API leaves its loop running, so once the browser has started the test code gets
*new* connection objects (to the same in-memory database) that lack the serialized copy Django
made when it created the test database; serialized rollback would then silently do nothing.
"""

import os
import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import Browser, Page, expect, sync_playwright

from staff import two_factor
from tests.factories import FrontOfficeFactory, ServiceTypeFactory
from tests.sign_in import authenticator_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000
PASSWORD = "correct-horse-battery"  # tests/factories.py gives every user this password
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

# The marks every browser test module applies: see test_journeys.py.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.hookimpl(trylast=True)  # after pytest-django has sorted the tests by database use
def pytest_collection_modifyitems(config, items):
    """Run the browser tests last, so the event loop Playwright leaves running in this thread
    (see the module docstring) never meets a test that runs after them; and skip them when
    Chromium is not installed."""
    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    others = [item for item in items if not item.get_closest_marker("browser")]
    items[:] = others + browser_tests
    if not os.path.exists(CHROMIUM):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
        for item in browser_tests:
            item.add_marker(skip)


def _serialized_contents() -> dict[str, str]:
    return {
        connection.alias: connection._test_serialized_contents
        for connection in connections.all()
        if hasattr(connection, "_test_serialized_contents")
    }


@pytest.fixture(scope="session")
def browser(django_db_setup) -> Iterator[Browser]:
    serialized = _serialized_contents()
    with sync_playwright() as playwright:
        # From here on an event loop is running, and the connections are new objects: give them
        # the migrated database's serialized copy that serialized_rollback restores from.
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True, scope="module")
def _browser_module(django_db_blocker) -> Iterator[None]:
    """For the browser tests only: let Django use the database although Playwright's event loop
    is running in this thread (otherwise "SynchronousOnlyOperation"), and afterwards put back
    the data migrations' rows (roles, failure categories) that the last flush removed.

    The variable is set here, not for the whole session, because it leaks into subprocesses:
    `manage.py check --deploy` run by tests/test_site.py fails with async.E001 when it is set.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield
        with django_db_blocker.unblock():
            for alias, contents in _serialized_contents().items():
                connections[alias].creation.deserialize_db_from_string(contents)


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test, at 1280 px wide, based at the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


_axe = Axe()
GOVUK_ARIA_EXPANDED = re.compile(r'ARIA attribute is not allowed: aria-expanded="(true|false)"')


def _is_govuk_conditional_radio_aria_expanded(violation: dict, node: dict) -> bool:
    """GOV.UK Frontend's own, deliberate use of aria-expanded on a radio that reveals content.

    Its JavaScript sets aria-expanded on every `.govuk-radios__input` with data-aria-controls.
    ARIA 1.2 does not allow it on a radio, so axe reports aria-allowed-attr; the GOV.UK Design
    System keeps it on purpose because screen readers announce it (alphagov/govuk-frontend#979,
    a known issue they have chosen not to fix). Only exactly that node and attribute is let
    through; anything else about the same element still fails.
    """
    return (
        violation["id"] == "aria-allowed-attr"
        and 'class="govuk-radios__input"' in node["html"]
        and "aria-controls=" in node["html"]
        and all(
            GOVUK_ARIA_EXPANDED.fullmatch(check["message"])
            for check in (*node.get("all", []), *node.get("any", []), *node.get("none", []))
        )
    )


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now; fail listing every WCAG 2.2 A/AA violation."""
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = []
    for violation in results.response["violations"]:
        nodes = [
            node
            for node in violation["nodes"]
            if not _is_govuk_conditional_radio_aria_expanded(violation, node)
        ]
        if nodes:
            violations.append({**violation, "nodes": nodes})
    if not violations:
        return
    lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}: {node.get('failureSummary', '')!r}")
            lines.append(f"       {node['html'][:200]}")
    pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def bins(live_server):
    return ServiceTypeFactory(name="Bins and recycling", slug="bins")


@pytest.fixture
def fran(live_server):
    """A front-office worker. (live_server first: the factories must write to the database the
    live server reads.)"""
    return FrontOfficeFactory(username="fran", first_name="Fran", last_name="Office")


def sign_in(page: Page, user, *, check_accessible: bool = True) -> None:
    """Sign in through the real form at /sign-in/, as a person would: type, then press Enter.
    Someone whose role needs two-factor sign-in has an authenticator app (set up for them
    here) and types the code it shows, on the real second step."""
    needs_code = two_factor.is_required(user)
    device = authenticator_for(user) if needs_code else None
    page.goto("/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to CouncilFlow")
    if check_accessible:
        assert_accessible(page)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/sign-in/"))
    if device is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your app")
        device.refresh_from_db()
        page.get_by_label("Code").fill(two_factor.current_code(device))
        page.get_by_label("Code").press("Enter")
        expect(page).not_to_have_url(re.compile(r"/two-factor/"))
    expect(page.get_by_role("button", name=re.compile(r"^Sign out"))).to_be_visible()


def sign_out(page: Page) -> None:
    """Sign out with the header's "Sign out" button."""
    page.get_by_role("button", name=re.compile(r"^Sign out")).click()
    expect(page).to_have_url(re.compile(r"/sign-in/"))


MOST_TABS = 40


def tab_to(page: Page, selector: str) -> int:
    """Press Tab until the element matching `selector` has the cursor; return the presses."""
    for presses in range(1, MOST_TABS + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached in {MOST_TABS} Tab presses")
