"""Security by default: a strict Content-Security-Policy, sign-in throttling with a clear
message, sessions that end after inactivity."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import CaseFactory, FrontOfficeFactory

pytestmark = pytest.mark.django_db


def test_pages_send_a_strict_content_security_policy(fo_client):
    case = CaseFactory()
    for url in [reverse("cases:mine"), case.get_absolute_url(), reverse("demand:log_contact")]:
        policy = fo_client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("url", ["/sign-in/", "/cases/mine/", "/demand/", "/capability/"])
def test_no_page_has_an_inline_script(tl_client, url):
    html = tl_client.get(url, follow=True).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_too_many_wrong_passwords_lock_the_account_with_a_clear_message(client):
    FrontOfficeFactory(username="fran")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = client.post("/sign-in/", {"username": "fran", "password": "nope"})
        assert "Enter a correct username and password" in wrong.content.decode()

    locked = client.post("/sign-in/", {"username": "fran", "password": "nope"})
    after = client.post("/sign-in/", {"username": "fran", "password": "correct-horse-battery"})

    assert locked.status_code == after.status_code == 429
    assert "Too many attempts to sign in" in after.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_resets_the_count(client):
    FrontOfficeFactory(username="fran")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/sign-in/", {"username": "fran", "password": "nope"})
    ok = client.post("/sign-in/", {"username": "fran", "password": "correct-horse-battery"})
    assert ok.status_code == 302
    client.post("/sign-out/")
    again = client.post("/sign-in/", {"username": "fran", "password": "nope"})
    assert again.status_code == 200


def test_sessions_end_after_inactivity(fo_client):
    mine = reverse("cases:mine")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        clock.shift(timedelta(minutes=20))
        assert fo_client.get(mine).status_code == 200
        clock.shift(timedelta(minutes=20))  # 40 minutes after sign-in, 20 after the last page
        assert fo_client.get(mine).status_code == 200
        clock.shift(timedelta(minutes=31))
        response = fo_client.get(mine)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert fo_client.get(mine).status_code == 302  # the session is gone, not just refused once
    assert settings.SESSION_EXPIRE_SECONDS <= 60 * 60 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_pages_in_quick_succession_do_not_rewrite_the_session(fo_client):
    fo_client.get(reverse("cases:mine"))
    with CaptureQueriesContext(connection) as captured:
        assert fo_client.get(reverse("cases:mine")).status_code == 200
    assert not [q for q in captured if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    later = time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False)
    with later, CaptureQueriesContext(connection) as captured:
        assert fo_client.get(reverse("cases:mine")).status_code == 200
    # More than a minute on, the last-seen time is noted so the idle clock restarts.
    assert [q for q in captured if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_sign_out_needs_a_post_and_ends_the_session(fo_client):
    assert fo_client.get("/sign-out/").status_code == 405
    fo_client.post("/sign-out/")
    assert fo_client.get(reverse("cases:mine")).status_code == 302
