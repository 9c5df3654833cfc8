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
from tests.sign_in import sign_in

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


BALANCER = "10.0.0.1"


def _sign_in_from(client, address: str, password: str, username: str = "fran"):
    """A sign-in through the load balancer, which appends the client's address."""
    return client.post(
        "/sign-in/",
        {"username": username, "password": password},
        REMOTE_ADDR=BALANCER,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_a_lock_out_elsewhere_does_not_lock_out_the_colleague(client, settings):
    """Someone at another address guessing a colleague's username locks out only themselves:
    every request comes from the load balancer, but the address it forwards is what counts."""
    settings.TRUSTED_PROXY_COUNT = 1
    FrontOfficeFactory(username="fran")
    attacker, colleague = "198.51.100.7", "203.0.113.5"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in_from(client, attacker, "guess")
    assert _sign_in_from(client, attacker, "correct-horse-battery").status_code == 429
    # Pretending to be the colleague by writing their address into the header does not work:
    # the balancer's own entry, on the right, is the one believed.
    spoofed = _sign_in_from(client, f"{colleague}, {attacker}", "correct-horse-battery")
    assert spoofed.status_code == 429

    signed_in = _sign_in_from(client, colleague, "correct-horse-battery")

    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"]


def test_without_trusted_proxies_the_header_is_not_believed(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    FrontOfficeFactory(username="fran")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in_from(client, f"198.51.100.{n}", "guess")  # a different "address" each time
    assert _sign_in_from(client, "203.0.113.5", "correct-horse-battery").status_code == 429


@pytest.mark.parametrize(
    "page",
    ["mine", "list", "search", "case", "history", "contacts", "contacts_csv", "capability_csv"],
)
def test_pages_with_personal_data_are_never_cached(tl_client, team_leader, page):
    case = CaseFactory(owner=team_leader, closed=True)
    url = {
        "mine": reverse("cases:mine"),
        "list": reverse("cases:list"),
        "search": reverse("cases:list") + f"?q={case.citizen.name}",
        "case": case.get_absolute_url(),
        "history": reverse("cases:history", kwargs={"reference": case.reference}),
        "contacts": reverse("analysis:contacts"),
        "contacts_csv": reverse("analysis:contacts_csv"),
        "capability_csv": reverse("analysis:capability_csv", kwargs={"service": "all"}),
    }[page]
    response = tl_client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_citizens_data_download_is_never_cached(tl_client):
    case = CaseFactory()
    response = tl_client.get(reverse("records:citizen_data", kwargs={"pk": case.citizen_id}))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_pages_switch_off_browser_features_they_do_not_use(client, fo_client):
    for response in [client.get("/sign-in/"), fo_client.get(reverse("cases:mine"))]:
        policy = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy


def test_the_health_check_needs_no_sign_in_and_checks_the_database(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Database" in response.content.decode() and "OK" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_health_check_fails_when_the_database_cannot_be_reached(client, monkeypatch):
    from councilflow.health import HealthView

    monkeypatch.setattr(
        HealthView, "checks", (("health_check.checks.Database", {"alias": "missing"}),)
    )
    response = client.get("/health/")
    assert response.status_code == 500
    assert "Database alias does not exist" in response.content.decode()


def test_every_response_carries_a_request_id(fo_client):
    first = fo_client.get(reverse("cases:mine"))["X-Request-ID"]
    second = fo_client.get(reverse("cases:mine"))["X-Request-ID"]
    assert len(first) == 32 and first != second
    given = "0f3c2b9ad1e84a6cb1f3f0d3a2c4e5f6"
    assert fo_client.get(reverse("cases:mine"), HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    forged = fo_client.get(reverse("cases:mine"), HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert forged != "<script>" and len(forged) == 32


def test_a_server_error_is_logged_as_json_with_its_request_id(settings, monkeypatch):
    """With DEBUG off, a 500 leaves one JSON line on stderr: level, logger, the request id the
    response carried, and the traceback."""
    import io
    import json
    import logging.config

    from django.test import Client

    from demand import views

    stream = io.StringIO()
    config = {
        **settings.LOGGING,
        "handlers": {
            "stderr": {
                **settings.LOGGING["handlers"]["stderr"],
                "formatter": "json",
                "stream": stream,
            }
        },
    }
    logging.config.dictConfig(config)
    try:

        def fail(*args, **kwargs):
            raise ZeroDivisionError("the page failed")

        monkeypatch.setattr(views, "_log_contact_page", fail)
        client = Client(raise_request_exception=False)
        sign_in(client, FrontOfficeFactory())
        response = client.get(reverse("demand:log_contact"))
    finally:
        logging.config.dictConfig(settings.LOGGING)

    assert response.status_code == 500
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    error = next(line for line in lines if line["level"] == "ERROR")
    assert error["logger"] == "django.request"
    assert error["request_id"] == response["X-Request-ID"]
    assert "ZeroDivisionError: the page failed" in error["exc_info"]
    assert error["time"]
