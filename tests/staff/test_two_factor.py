"""Two-factor sign-in with one-time passwords: required for team leaders and administrators,
optional for the front office, with recovery codes; tested through the real pages, with the
codes an authenticator app would show."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import AuditEntry
from staff import two_factor
from tests.factories import AdministratorFactory, TeamLeaderFactory
from tests.sign_in import authenticator_for, sign_in

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
SET_UP = "/account/two-factor/"
VERIFY = "/account/two-factor/verify/"


def _password_sign_in(client: Client, user) -> None:
    response = client.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def _code(user) -> str:
    return two_factor.current_code(TOTPDevice.objects.get(user=user, confirmed=True))


def _events(user, action) -> int:
    return AuditEntry.objects.filter(object_type="user", object_id=user.pk, action=action).count()


@pytest.mark.parametrize("factory", [TeamLeaderFactory, AdministratorFactory])
def test_a_role_that_needs_it_must_set_it_up_before_anything_else(client, factory):
    user = factory()
    _password_sign_in(client, user)

    for url in [reverse("cases:mine"), reverse("analysis:overview"), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{SET_UP}?next=")
    page = client.get(SET_UP).content.decode()
    assert "Set up two-factor sign-in" in page
    assert "Sign out" in page and "My cases" not in page  # the menu waits for the step
    assert 'src="data:image/svg+xml' in page
    assert re.search(r'id="secret-key">([A-Z2-7]{4} )+[A-Z2-7]{1,4}<', page)


def test_setting_it_up_needs_a_right_code_and_shows_recovery_codes_once(client, team_leader):
    _password_sign_in(client, team_leader)
    client.get(f"{SET_UP}?next=/demand/")
    pending = TOTPDevice.objects.get(user=team_leader, confirmed=False)

    wrong = client.post(SET_UP, {"code": "000000", "next": "/demand/"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=team_leader, confirmed=True).exists()

    right = client.post(SET_UP, {"code": two_factor.current_code(pending), "next": "/demand/"})

    assert right.status_code == 302
    shown = client.get(right["Location"])
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    assert 'href="/demand/"' in shown.content.decode()
    assert client.get(right["Location"]).status_code == 302  # shown once only
    assert client.get("/demand/").status_code == 200  # verified for this session
    assert _events(team_leader, AuditEntry.Action.TWO_FACTOR_ADDED) == 1


def test_signing_in_asks_for_the_code_from_the_app(client, team_leader):
    authenticator_for(team_leader)
    _password_sign_in(client, team_leader)
    assert client.get("/demand/")["Location"] == f"{VERIFY}?next=%2Fdemand%2F"

    wrong = client.post(VERIFY, {"code": "123456", "next": "/demand/"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/demand/").status_code == 302

    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # past the wait
        right = client.post(VERIFY, {"code": _code(team_leader), "next": "/demand/"})
        assert right["Location"] == "/demand/"
        assert client.get("/demand/").status_code == 200


def test_a_code_is_accepted_once(team_leader):
    authenticator_for(team_leader)
    first, second = Client(), Client()
    _password_sign_in(first, team_leader)
    _password_sign_in(second, team_leader)
    device = TOTPDevice.objects.get(user=team_leader)
    code = two_factor.current_code(device)
    assert first.post(VERIFY, {"code": code})["Location"] == reverse("cases:mine")
    replayed = second.post(VERIFY, {"code": code})
    assert replayed.status_code == 200
    assert "not right" in replayed.content.decode()


def test_wrong_codes_slow_the_next_tries_down(client, team_leader):
    authenticator_for(team_leader)
    _password_sign_in(client, team_leader)
    with time_machine.travel(timezone.now(), tick=False):
        client.post(VERIFY, {"code": "111111"})
        client.post(VERIFY, {"code": "222222"})
        refused = client.post(VERIFY, {"code": _code(team_leader)})
    page = refused.content.decode()
    assert "Too many wrong codes. Wait" in page
    assert client.get("/demand/").status_code == 302


def test_a_recovery_code_signs_in_once(client, team_leader):
    _password_sign_in(client, team_leader)
    client.get(SET_UP)
    pending = TOTPDevice.objects.get(user=team_leader, confirmed=False)
    response = client.post(SET_UP, {"code": two_factor.current_code(pending)})
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", client.get(response["Location"]).text)
    client.post("/sign-out/")

    _password_sign_in(client, team_leader)
    used = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert "You used a recovery code. You have 9 left" in used.content.decode()
    client.post("/sign-out/")

    _password_sign_in(client, team_leader)
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        again = client.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 200 and "not right" in again.content.decode()
    assert StaticToken.objects.filter(device__user=team_leader).count() == 9


def test_with_an_authenticator_a_password_alone_cannot_set_up_another(client, team_leader):
    authenticator_for(team_leader)
    _password_sign_in(client, team_leader)
    response = client.get(SET_UP)
    assert response["Location"].startswith(VERIFY)
    client.post(SET_UP, {"code": "123456"})
    assert TOTPDevice.objects.filter(user=team_leader).count() == 1


def test_it_is_optional_for_the_front_office_until_they_turn_it_on(client, front_office):
    _password_sign_in(client, front_office)
    assert client.get(reverse("cases:mine")).status_code == 200
    client.get(SET_UP)
    pending = TOTPDevice.objects.get(user=front_office, confirmed=False)
    assert client.post(SET_UP, {"code": two_factor.current_code(pending)}).status_code == 302
    client.post("/sign-out/")

    _password_sign_in(client, front_office)

    assert client.get(reverse("cases:mine"))["Location"].startswith(VERIFY)


def test_new_recovery_codes_replace_the_old_ones(client, team_leader):
    sign_in(client, team_leader)
    old = two_factor.recovery_codes_replace(user=team_leader)
    response = client.post(reverse("staff:recovery_codes_new"), follow=True)
    new = re.findall(r"<code>([a-z2-7]{8})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert _events(team_leader, AuditEntry.Action.RECOVERY_CODES) == 2


def test_an_administrator_resets_a_lost_phone(client, administrator, team_leader):
    authenticator_for(team_leader)
    two_factor.recovery_codes_replace(user=team_leader)
    sign_in(client, administrator)
    listing = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Reset two-factor sign-in" in listing

    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [team_leader.pk]},
    )

    assert not TOTPDevice.objects.filter(user=team_leader).exists()
    assert not StaticToken.objects.filter(device__user=team_leader).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TWO_FACTOR_RESET)
    assert entry.object_id == team_leader.pk and entry.actor == administrator
    other = Client()
    _password_sign_in(other, team_leader)
    assert other.get("/demand/")["Location"].startswith(SET_UP)


def test_the_secret_key_is_not_in_the_admin(client, administrator):
    sign_in(client, administrator)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_sign_out_and_health_need_no_second_factor(client, team_leader):
    _password_sign_in(client, team_leader)
    assert client.get("/health/").status_code == 200
    assert client.post("/sign-out/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_account_page_says_what_is_on(client, front_office, team_leader):
    sign_in(client, front_office)
    assert "Off. It is optional for your role" in client.get("/account/").content.decode()
    sign_in(client, team_leader)
    two_factor.recovery_codes_replace(user=team_leader)
    page = client.get("/account/").content.decode()
    assert "On: an authenticator app, and 10 recovery codes left." in page
