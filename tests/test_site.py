"""Site-wide guards."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import CaseFactory
from tests.sign_in import sign_in

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.django_db
def test_every_page_has_exactly_one_h1(client, team_leader):
    sign_in(client, team_leader)
    case = CaseFactory(owner=team_leader)
    closed = CaseFactory(owner=team_leader, closed=True)
    pages = [
        reverse("cases:mine"),
        reverse("cases:list"),
        case.get_absolute_url(),
        reverse("cases:record_step", kwargs={"reference": case.reference}),
        reverse("cases:hand_off", kwargs={"reference": case.reference}),
        reverse("messaging:close", kwargs={"reference": case.reference}),
        reverse("demand:log_contact"),
        reverse("demand:log_on_case", kwargs={"reference": case.reference}),
        reverse("demand:reopen", kwargs={"reference": closed.reference}),
        "/cases/CF-999999/",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert len(re.findall(r"<h1[ >]", html)) == 1, url
    client.logout()
    assert len(re.findall(r"<h1[ >]", client.get(reverse("login")).content.decode())) == 1


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_need_a_secret_key():
    result = _manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-key-" + "x9Q2v" * 10,
        ALLOWED_HOSTS="councilflow.example.gov.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("07700900123", "07700 900123"),
        ("01134960123", "0113 496 0123"),
        ("02079460000", "020 7946 0000"),
        ("01632960123", "01632 960123"),
        ("03001234567", "0300 123 4567"),
        ("+447700900123", "+447700900123"),
        ("", ""),
    ],
)
def test_phone_numbers_are_shown_the_way_people_say_them(stored, shown):
    from lib.templatetags.councilflow import phone

    assert phone(stored) == shown
