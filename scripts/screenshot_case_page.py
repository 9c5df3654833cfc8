"""Take docs/case-page.png: a realistic case page at 1280 px wide, for the README and reviews.

Builds a scratch SQLite database in a temporary folder (never touches db.sqlite3), records a case
through the app's own services (contacts, steps, a hand-off), serves the app on a free local port,
signs in through the real form in Debian's Chromium and screenshots the whole page.

    .venv/bin/python scripts/screenshot_case_page.py [output.png]
"""

import os
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "case-page.png"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct-horse-battery"  # what tests/factories.py gives every user

scratch = tempfile.TemporaryDirectory(prefix="councilflow-screenshot-")
os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/screenshot.sqlite3"
os.environ["DEBUG"] = "true"  # plain static files storage; no collectstatic needed
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councilflow.settings")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from django.utils import timezone  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from cases import services as case_services  # noqa: E402
from cases.models import TimelineEntry  # noqa: E402
from demand import services  # noqa: E402
from demand.models import Contact, FailureCategory  # noqa: E402
from tests.factories import FrontOfficeFactory, ServiceTypeFactory  # noqa: E402


@contextmanager
def at(moment: datetime):
    """Record something as if it happened at `moment` (the services stamp "now")."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def days_ago(days: int, hour: int, minute: int = 0) -> datetime:
    local = timezone.localtime() - timedelta(days=days)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def build_case():
    fran = FrontOfficeFactory(username="fran", first_name="Fran", last_name="Okafor")
    omar = FrontOfficeFactory(username="omar", first_name="Omar", last_name="Reid")
    priya = FrontOfficeFactory(username="priya", first_name="Priya", last_name="Shah")
    bins = ServiceTypeFactory(name="Bins and recycling", slug="bins")
    chasing = FailureCategory.objects.get(slug="progress-chasing")
    not_right = FailureCategory.objects.get(slug="not-done-right")

    when = days_ago(9, 9, 12)
    with at(when + timedelta(minutes=6)):
        case = services.contact_log_new_case(
            by=fran,
            service_type=bins,
            citizen=None,
            new_citizen={
                "name": "Maureen Oakes",
                "phone": "0113 496 0123",
                "email": "",
                "address": "14 Chapel Lane\nLeeds",
                "postcode": "LS7 3QB",
            },
            details=services.ContactDetails(
                citizen_words=(
                    "My green bin has split down the side and the crew won't take it any more. "
                    "Can I have a new one?"
                ),
                channel=Contact.Channel.PHONE,
                received_at=when,
                demand=Contact.Demand.VALUE,
            ),
            what_matters="I look after my mum on Tuesdays and Thursdays, so I'm not always in.",
        ).case
    with at(days_ago(9, 9, 25)):
        case_services.case_record_step(
            case=case,
            by=fran,
            step_kind=TimelineEntry.StepKind.VALUE,
            description="Ordered a replacement 240-litre green bin from the depot.",
        )
    with at(days_ago(8, 11, 40)):
        case_services.case_hand_off(
            case=case,
            by=fran,
            to=omar,
            reason="Omar books the depot deliveries and can see this through to the end.",
        )
    with at(days_ago(8, 14, 5)):
        case_services.case_record_step(
            case=case,
            by=omar,
            step_kind=TimelineEntry.StepKind.WAIT,
            description="The depot has no 240-litre green bins in stock until next Monday.",
        )
    when = days_ago(4, 10, 2)
    with at(when + timedelta(minutes=4)):
        services.contact_log_on_case(
            by=priya,
            case=case,
            details=services.ContactDetails(
                citizen_words=(
                    "It's been five days and nobody has told me anything. Is my bin coming or not?"
                ),
                channel=Contact.Channel.PHONE,
                received_at=when,
                demand=Contact.Demand.FAILURE,
                failure_category=chasing,
                prevention_note="Tell the citizen the delivery date when the bin is ordered.",
            ),
        )
    when = days_ago(2, 16, 48)
    with at(days_ago(1, 8, 55)):
        services.contact_log_on_case(
            by=omar,
            case=case,
            details=services.ContactDetails(
                citizen_words="The driver came today but left a black bin, not a green one.",
                channel=Contact.Channel.EMAIL,
                received_at=when,
                demand=Contact.Demand.FAILURE,
                failure_category=not_right,
                prevention_note="Check the bin colour on the delivery note before loading.",
            ),
        )
    with at(days_ago(1, 9, 10)):
        case_services.case_record_step(
            case=case,
            by=omar,
            step_kind=TimelineEntry.StepKind.REWORK,
            description="Booked a second delivery to swap the black bin for a green one.",
        )
    case.refresh_from_db()
    return case, omar


def main() -> None:
    call_command("migrate", verbosity=0)
    case, viewer = build_case()
    connections.close_all()

    server = LiveServerThread("localhost", StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://localhost:{server.port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
            page.goto(f"{base}/sign-in/")
            page.get_by_label("Username").fill(viewer.username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_label("Password").press("Enter")
            page.wait_for_url(f"{base}/cases/mine/")
            page.goto(f"{base}{case.get_absolute_url()}")
            page.wait_for_load_state("networkidle")
            OUTPUT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUTPUT), full_page=True)
            browser.close()
    finally:
        server.terminate()
    print(f"Wrote {OUTPUT} ({case.reference}, viewed by {viewer.get_full_name()})")


if __name__ == "__main__":
    main()
