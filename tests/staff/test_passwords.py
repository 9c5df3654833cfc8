"""Staff change their own password, or reset a forgotten one by email; both audited, neither
password ever in the audit trail."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cases.models import AuditEntry
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db
NEW = "Sturdy-new-passphrase-42"


def _events(user, action):
    return AuditEntry.objects.filter(object_type="user", object_id=user.pk, action=action)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("staff:password_change"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_a_wrong_current_password_changes_nothing(client, front_office):
    sign_in(client, front_office)
    response = client.post(
        reverse("staff:password_change"),
        {"old_password": "nope", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    front_office.refresh_from_db()
    assert front_office.check_password("correct-horse-battery")
    assert not _events(front_office, AuditEntry.Action.PASSWORD_CHANGED).exists()


def test_a_weak_password_is_refused_with_the_reason(client, front_office):
    sign_in(client, front_office)
    response = client.post(
        reverse("staff:password_change"),
        {"old_password": "correct-horse-battery", "new_password1": "1234", "new_password2": "1234"},
    )
    assert "This password is too short" in response.content.decode()


def test_changing_ones_password_keeps_one_signed_in_and_is_audited(client, team_leader):
    sign_in(client, team_leader)
    response = client.post(
        reverse("staff:password_change"),
        {"old_password": "correct-horse-battery", "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert "Your password has been changed." in response.content.decode()
    assert client.get("/demand/").status_code == 200  # still signed in, second factor too
    team_leader.refresh_from_db()
    assert team_leader.check_password(NEW)
    entry = _events(team_leader, AuditEntry.Action.PASSWORD_CHANGED).get()
    assert entry.actor == team_leader
    assert NEW not in entry.new_value and team_leader.password not in entry.new_value


def test_a_forgotten_password_is_reset_by_email(client, front_office):
    front_office.email = "fran@example.org"
    front_office.save()

    sent = client.post(reverse("staff:password_reset"), {"email": "fran@example.org"})

    assert sent["Location"] == reverse("staff:password_reset_sent")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("staff:password_reset_done")
    assert _events(front_office, AuditEntry.Action.PASSWORD_RESET).get().actor == front_office
    fresh = Client()
    assert fresh.post("/sign-in/", {"username": "fo", "password": NEW}).status_code == 302
    used_again = client.get(link, follow=True)
    assert "This link does not work any more" in used_again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    response = client.post(reverse("staff:password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("staff:password_reset_sent")
    assert mail.outbox == []


def test_the_sign_in_page_offers_the_reset(client):
    assert reverse("staff:password_reset") in client.get("/sign-in/").content.decode()


def test_the_admin_sites_change_password_is_the_audited_page(client, administrator):
    sign_in(client, administrator)
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:password_change")
