"""Five standard contacts logged by keyboard alone, as a front-office worker on a call would, in
Debian's Chromium against a scratch copy of the app; prints for each the keystrokes, Tab presses
and page loads it took (a benchmark script, not a test: it prints figures, and fails only if a
contact was not saved as meant).

    .venv/bin/python bench/keyboard.py                      # this checkout
    .venv/bin/python bench/keyboard.py --project ../before  # another checkout, for "before"

The five: a one-stop enquiry; a new case for a new citizen; a chasing call on an open case
(the citizen found by phone number); a letter received last week; an anonymous caller. Each
starts on a freshly loaded log-a-contact page (that load is counted) and ends when the case page
says the contact was logged. A keystroke is one key or one chord (Ctrl+Enter); typed text counts
a keystroke per character. The script drives whichever version of the page it finds: the one-form
page of this checkout (words first, the citizen found in place, Ctrl+Enter) or the earlier one
(the citizen searched for on a page load of its own, the browser's date-time picker).
"""

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"
MOST_TABS = 60


@dataclass
class Count:
    keys: int = 0
    tabs: int = 0
    loads: int = 0
    in_place: int = 0  # requests made without leaving the page (finding a citizen in place)
    notes: list[str] = field(default_factory=list)


class Worker:
    """The keyboard, counted."""

    def __init__(self, page):
        self.page = page
        self.count = Count()
        page.on("load", lambda _: self._loaded())
        page.on("request", self._requested)

    def _loaded(self) -> None:
        self.count.loads += 1

    def _requested(self, request) -> None:
        if request.resource_type == "fetch":
            self.count.in_place += 1

    def start(self) -> Count:
        self.count = Count()
        return self.count

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count.keys += 1
            self.count.tabs += key == "Tab"

    def press_to_load(self, key: str) -> None:
        """Press a key that loads a page, and wait for it."""
        with self.page.expect_navigation():
            self.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count.keys += len(text)

    def tab_to(self, selector: str) -> None:
        for _ in range(MOST_TABS):
            self.press("Tab")
            if self.page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} not reached in {MOST_TABS} Tab presses")

    def is_at(self, selector: str) -> bool:
        return self.page.evaluate("(s) => document.activeElement.matches(s)", selector)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=HERE, help="the checkout to drive")
    args = parser.parse_args()
    project = args.project.resolve()

    scratch = tempfile.TemporaryDirectory(prefix="councilflow-keyboard-")
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/keyboard.sqlite3"
    os.environ["DEBUG"] = "true"  # plain static files; no collectstatic
    os.environ["DJANGO_SETTINGS_MODULE"] = "councilflow.settings"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # database checks beside Playwright's loop
    sys.path.insert(0, str(project))
    os.chdir(project)

    import django

    django.setup()
    from django.conf import settings

    if Path(settings.BASE_DIR).resolve() != project:
        raise SystemExit(f"imported {settings.BASE_DIR}, not {project}")

    from django.contrib.auth.models import Group, User
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.db import connections
    from django.test.testcases import LiveServerThread
    from django.utils import timezone
    from playwright.sync_api import expect, sync_playwright

    from cases.models import Case, ServiceType
    from demand import services
    from demand.models import Contact

    call_command("migrate", verbosity=0)
    worker_user = User.objects.create_user("fran", password=PASSWORD, first_name="Fran")
    worker_user.groups.add(Group.objects.get(name="Front office"))
    bins = ServiceType.objects.create(name="Bins and recycling", slug="bins")
    ServiceType.objects.create(name="Street lighting", slug="street-lighting")
    earlier = timezone.now() - timedelta(days=3)
    open_case = services.contact_log_new_case(
        by=worker_user,
        service_type=bins,
        citizen=None,
        new_citizen={
            "name": "Maureen Oakes",
            "phone": "07700 900123",
            "email": "",
            "address": "",
            "postcode": "LS7 3QB",
        },
        details=services.ContactDetails(
            citizen_words="My green bin has split down the side. Can I have a new one?",
            channel=Contact.Channel.PHONE,
            received_at=earlier,
            demand=Contact.Demand.VALUE,
        ),
    ).case
    connections.close_all()

    server = LiveServerThread("localhost", StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://localhost:{server.port}"
    results: list[tuple[str, Count]] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=base, viewport={"width": 1280, "height": 900}, locale="en-GB"
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto("/sign-in/")
        page.get_by_label("Username").fill("fran")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        page.wait_for_url(f"{base}/cases/mine/")
        worker = Worker(page)

        def open_form() -> Count:
            count = worker.start()
            page.goto("/contacts/new/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
            return count

        def one_form() -> bool:
            return page.locator("[data-log-contact]").count() > 0

        def words(text: str) -> None:
            if not worker.is_at("#id_citizen_words"):
                worker.tab_to("#id_citizen_words")
            worker.type(text)

        def new_need(service: str = "Bins") -> None:
            worker.tab_to("#id_service_type")
            worker.type(service)
            worker.tab_to("input[name=demand]")
            worker.press("Space")  # "No: it is something new" / value demand

        def log_it() -> None:
            before = Contact.objects.count()
            if one_form():
                worker.press("Control+Enter")
            else:
                worker.tab_to("button[data-prevent-double-click]")
                worker.press("Enter")
            expect(
                page.get_by_text("Contact logged on").or_(page.get_by_text("One-stop:"))
            ).to_be_visible()
            assert Contact.objects.count() == before + 1, "the contact was not saved"

        def picker_order() -> list[str]:
            """The order of the browser's date picker's parts (its own locale's, not the
            page's), found on a scratch picker, uncounted: the worker is taken to know it."""
            page.evaluate(
                "() => { const i = document.createElement('input'); i.type = 'date';"
                " i.id = 'cf-probe'; document.body.prepend(i); i.focus(); }"
            )
            page.keyboard.type("0102" + "2003")
            value = page.evaluate("() => document.getElementById('cf-probe').value")
            page.evaluate("() => document.getElementById('cf-probe').remove()")
            return ["month", "day", "year"] if value == "2003-01-02" else ["day", "month", "year"]

        def latest() -> Contact:
            return Contact.objects.select_related("case__citizen").latest("pk")

        # 1. A one-stop enquiry: answered there and then.
        count = open_form()
        words("When is my green bin collected? I've lost the calendar.")
        new_need()
        worker.tab_to("#id_resolved_now")
        worker.press("Space")
        worker.tab_to("#id_resolution")
        worker.type("Told them: every other Tuesday.")
        log_it()
        assert latest().is_one_stop and latest().case.status == Case.Status.CLOSED
        results.append(("One-stop enquiry", count))

        # 2. A new case for a new citizen.
        count = open_form()
        if one_form():
            words("The streetlight outside my house has been flickering all week.")
            worker.tab_to("[data-new-citizen] summary")
            worker.press("Enter")  # "Not found? Add them as a new citizen"
            worker.tab_to("#id_citizen_name")
            worker.type("Gwen Lloyd")
            worker.tab_to("#id_citizen_phone")
            worker.type("07700 900456")
            new_need("Street")
        else:
            worker.tab_to("#id_citizen_name")  # the search box has the cursor
            worker.type("Gwen Lloyd")
            worker.tab_to("#id_citizen_phone")
            worker.type("07700 900456")
            worker.tab_to("#id_service_type")
            worker.type("Street")
            words("The streetlight outside my house has been flickering all week.")
            worker.tab_to("input[name=demand]")
            worker.press("Space")
        log_it()
        assert latest().case.citizen.name == "Gwen Lloyd"
        results.append(("New case, new citizen", count))

        # 3. A chasing call on an open case: found by phone number, put on that case.
        count = open_form()
        chase = "It's me again about the bin, nobody has been. Is anyone coming?"
        if one_form():
            words(chase)
            worker.tab_to("#id_q")
            worker.type("07700 900123")
            worker.press("Enter")  # found in place; the first match has the cursor
            expect(page.get_by_role("button", name="Maureen Oakes")).to_be_focused()
            worker.press("Enter")
            expect(page.locator("#id_attach_to_0")).to_be_focused()
            worker.press("Space")  # this open case
        else:
            worker.type("07700 900123")  # the search box has the cursor
            worker.press_to_load("Enter")  # a page load
            worker.tab_to("a[href^='?citizen=']")
            worker.press_to_load("Enter")  # another
            expect(page.locator("#id_attach_to_0")).to_be_focused()
            worker.press("Space")
            words(chase)
        worker.tab_to("input[name=demand]")
        worker.press("ArrowDown")  # "Yes: they are chasing..." / failure demand
        worker.tab_to("#id_failure_category")
        worker.type("Progress")
        log_it()
        chased = latest()
        assert chased.case_id == open_case.pk and chased.demand == Contact.Demand.FAILURE
        results.append(("Chasing call, open case", count))

        # 4. A letter received last week, from someone who gave no details.
        count = open_form()
        day = timezone.localdate() - timedelta(days=7)
        today = timezone.localdate()
        letter = "Letter: the recycling box was not returned to our door after collection."
        if one_form():
            words(letter)
            worker.tab_to("input[name=channel]")
            worker.press("ArrowRight", 4)  # phone, face to face, email, web form, letter
            worker.tab_to("#id_received_at")
            worker.press("ArrowDown", 3)  # "Another day": today's date is in the boxes
            worker.press("Tab")
            worker.type(str(day.day))
            if day.month != today.month:
                worker.press("Tab")
                worker.type(str(day.month))
            if day.year != today.year:
                worker.press("Tab")
                worker.type(str(day.year))
        else:
            worker.tab_to("#id_service_type")
            worker.type("Bins")
            words(letter)
            worker.tab_to("input[name=channel]")
            worker.press("ArrowRight", 4)
            order = picker_order()
            worker.tab_to("#id_received_at")  # the picker's first part, in the browser's order
            parts = {"day": f"{day.day:02d}", "month": f"{day.month:02d}", "year": str(day.year)}
            for part in order:
                worker.type(parts[part])  # each part moves on to the next once it is full
            count.notes.append(f"picker order {'/'.join(order)}")
        if one_form():
            new_need()
        else:
            worker.tab_to("input[name=demand]")
            worker.press("Space")
        log_it()
        received = timezone.localtime(latest().received_at).date()
        if received != day:
            count.notes.append(f"saved as {received}, not {day}")
        assert latest().channel == Contact.Channel.LETTER
        results.append(("Letter received last week", count))

        # 5. An anonymous caller.
        count = open_form()
        if one_form():
            words("There's a fridge dumped on the corner of Mill Lane.")
            new_need()
        else:
            worker.tab_to("#id_service_type")
            worker.type("Bins")
            words("There's a fridge dumped on the corner of Mill Lane.")
            worker.tab_to("input[name=demand]")
            worker.press("Space")
        log_it()
        assert latest().case.citizen is None
        results.append(("Anonymous caller", count))
        browser.close()
    server.terminate()

    print(f"Keyboard-only contacts: {project}")
    print(
        f"{'contact':<28} {'keystrokes':>10} {'of them Tab':>11} {'page loads':>10} {'in place':>8}"
    )
    for name, count in results:
        print(
            f"{name:<28} {count.keys:>10} {count.tabs:>11} {count.loads:>10} {count.in_place:>8}"
            + (f"  ({'; '.join(count.notes)})" if count.notes else "")
        )
    total = Count(
        keys=sum(c.keys for _, c in results),
        tabs=sum(c.tabs for _, c in results),
        loads=sum(c.loads for _, c in results),
        in_place=sum(c.in_place for _, c in results),
    )
    print(
        f"{'all five':<28} {total.keys:>10} {total.tabs:>11} {total.loads:>10} {total.in_place:>8}"
    )
    scratch.cleanup()


if __name__ == "__main__":
    main()
