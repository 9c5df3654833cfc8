"""The database stopped under a contact POST, for real: a PostgreSQL 15 cluster of its own on
loopback, CouncilFlow served from it by `manage.py runserver` with DEBUG off, and the cluster
stopped while the worker's words are on the page. The words survive, nothing is half-saved, and
once the database is back one press logs the contact, once. The server logged the failure with
its traceback."""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import CHROMIUM, PASSWORD, assert_accessible, tab_to

PGBIN = Path("/usr/lib/postgresql/15/bin")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (PGBIN / "postgres").exists(), reason="PostgreSQL 15 is not installed"),
]

SETUP = f"""
from django.contrib.auth.models import Group
from django.contrib.auth import get_user_model
from cases.models import ServiceType
user = get_user_model().objects.create_user("olu", password="{PASSWORD}", first_name="Olu")
user.groups.add(Group.objects.get(name="Front office"))
ServiceType.objects.create(name="Street lighting", slug="street-lighting")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL cluster (as the postgres user when run as root: it refuses root)."""

    def __init__(self, directory: Path):
        self.data, self.port = directory / "data", free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/councilflow"

    def _run(self, *args: str) -> None:
        command = [str(PGBIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd="/tmp", timeout=120)

    def create(self) -> None:
        self.data.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self.start()
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "councilflow"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.data.parent / "log"),
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    directory = Path(tempfile.mkdtemp(prefix="councilflow-outage-"))
    directory.chmod(0o755)  # the postgres user must reach its cluster inside
    cluster = Cluster(directory / "pg")
    cluster.create()
    yield cluster
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        cluster.stop()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def server(cluster) -> Iterator[tuple[str, Path]]:
    """CouncilFlow on the cluster, DEBUG off (so the real error handling runs), with its stderr
    kept in a file to read."""
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url,
        "DJANGO_SETTINGS_MODULE": "tests.outage_settings",
        "DATABASE_CONN_MAX_AGE": "60",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    subprocess.run([*manage, "shell", "-c", SETUP], env=env, check=True, capture_output=True)
    port = free_port()
    log = cluster.data.parent.parent / "server.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [*manage, "runserver", "--noreload", "--insecure", f"localhost:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"runserver did not start: {log.read_text()}") from None
            time.sleep(0.2)
    yield url, log
    process.terminate()
    process.wait(timeout=10)


def contacts_in(cluster: Cluster) -> list[str]:
    psql = [str(PGBIN / "psql"), cluster.url, "-Atc", "SELECT citizen_words FROM demand_contact"]
    if os.geteuid() == 0:
        psql = ["runuser", "-u", "postgres", "--", *psql]
    result = subprocess.run(psql, check=True, capture_output=True, text=True, cwd="/tmp")
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed")
def test_the_database_stopped_under_a_contact_post_loses_nothing_typed(
    browser: Browser, cluster, server
):
    url, log = server
    context = browser.new_context(base_url=url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("olu")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("button", name=re.compile("^Sign out"))).to_be_visible()
    page.goto("/contacts/new/")
    expect(page.locator("#id_citizen_words")).to_be_focused()
    words = "The streetlight by the bus stop on Mill Lane has been out for a week."
    page.keyboard.type(words)
    tab_to(page, "#id_service_type")
    page.keyboard.type("Street")
    tab_to(page, "input[name=demand]")
    page.keyboard.press("Space")

    cluster.stop()  # the database goes away with the words on the page
    try:
        page.keyboard.press("Control+Enter")

        expect(page.get_by_role("heading", level=1)).to_have_text("Nothing was saved")
        expect(page.get_by_role("alert")).to_contain_text(
            "Nothing was saved: the database could not be reached"
        )
        expect(page.get_by_label("What the citizen said")).to_have_value(words)
        expect(page.get_by_role("button", name="Log contact")).to_be_focused()
        assert_accessible(page)
    finally:
        cluster.start()
    assert contacts_in(cluster) == []  # nothing half-saved

    page.keyboard.press("Enter")  # the database is back: one press logs it

    expect(page.get_by_role("alert")).to_contain_text("Contact logged on")
    assert contacts_in(cluster) == [words]
    stderr = log.read_text()
    assert "Traceback (most recent call last)" in stderr
    assert "OperationalError" in stderr
    context.close()
