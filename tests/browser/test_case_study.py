"""A system change's case study in a real browser: reached from the change's page, it reads what
was found, what was changed and how, and the measures' verdicts, with every chart drawn; printed
(print media), it keeps the content only, with no menu, buttons or forms, and the charts drawn
to the page's width. axe-core finds nothing on it."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import BROWSER_MARKS, assert_accessible, sign_in
from tests.browser.test_did_it_work import KEYS, redesign  # noqa: F401 (a fixture)
from tests.factories import FrontOfficeFactory

pytestmark = BROWSER_MARKS


def test_the_case_study_reads_whole_and_prints_cleanly(page: Page, redesign, tmp_path: Path):  # noqa: F811
    sign_in(page, FrontOfficeFactory(username="fran", first_name="Fran", last_name="Office"))
    page.goto(redesign.get_absolute_url())
    page.get_by_role("link", name="The case study").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Repairs booked on the call")
    for heading in (
        "1. Purpose",
        "2. What we found",
        "3. What we changed, and how",
        "4. What happened",
    ):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(
        page.get_by_role("link", name="Repairs wait for a back-office inspection")
    ).to_be_visible()
    # The Pareto of what was found, then the four measures: every chart drawn.
    expect(page.locator(".cf-chart[data-chart-ready='true']")).to_have_count(len(KEYS) + 1)
    expect(page.locator("#end-to-end-verdict")).to_contain_text("A signal of improvement")
    assert_accessible(page)

    page.emulate_media(media="print")
    expect(page.locator(".cf-header")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(page.locator(".govuk-back-link")).to_be_hidden()
    expect(page.locator(".cf-no-print").first).to_be_hidden()
    expect(page.get_by_role("heading", name="4. What happened", exact=True)).to_be_visible()
    widths = page.locator(".cf-chart canvas").evaluate_all(
        "canvases => canvases.map(c => c.getBoundingClientRect().width)"
    )
    page_width = page.evaluate("document.documentElement.clientWidth")
    assert widths and all(0 < width <= page_width for width in widths)
    page.screenshot(path=tmp_path / "case-study-print.png", full_page=True)
    page.pdf(path=tmp_path / "case-study.pdf", format="A4")
    assert (tmp_path / "case-study.pdf").stat().st_size > 10_000
