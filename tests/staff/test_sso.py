"""Single sign-on, end to end against a real OpenID Connect provider on loopback
(tests/oidc_provider.py): CouncilFlow sends the person to the provider, the provider signs them
in and sends them back with a code, and CouncilFlow exchanges the code over HTTP for signed
tokens (checked against the provider's published keys) and the person's claims, whose groups
decide their role."""

import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import roles
from cases.models import AuditEntry
from staff import two_factor
from tests.factories import CaseFactory, FrontOfficeFactory
from tests.oidc_provider import running_provider

pytestmark = pytest.mark.django_db
User = get_user_model()
CALLBACK = "http://testserver/sso/callback/"
GROUPS = {
    roles.FRONT_OFFICE: ["cf-front-office"],
    roles.TEAM_LEADER: ["cf-team-leaders"],
    roles.ADMINISTRATOR: ["cf-admins"],
}


@pytest.fixture(scope="module")
def provider():
    with running_provider() as provider:
        yield provider


@pytest.fixture
def sso(provider, settings):
    """CouncilFlow configured for the provider, as a council would from the environment."""
    provider.configure(settings, callback=CALLBACK, role_groups=GROUPS)
    return provider


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _at_the_provider(authorize_url: str, sub: str) -> str:
    """The person signs in at the provider (its own form) and is sent back: the callback URL."""
    opener = urllib.request.build_opener(_NoRedirects)
    form = urllib.parse.urlencode({"sub": sub}).encode()
    try:
        opener.open(urllib.request.Request(authorize_url, data=form, method="POST"), timeout=10)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302, redirect.read()
        return redirect.headers["Location"]
    raise AssertionError("the provider did not send the person back")


def sign_in_with_sso(client, provider, sub: str, next_url: str = "/cases/mine/"):
    start = client.get(reverse("staff:sso_start"), {"next": next_url})
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/oauth2/authorize?")
    back = urllib.parse.urlsplit(_at_the_provider(start["Location"], sub))
    assert f"http://{back.netloc}{back.path}" == CALLBACK
    return client.get(f"{back.path}?{back.query}")


def test_a_team_leader_signs_in_with_the_councils_account(client, sso):
    sso.add_tess("cf-team-leaders", "all-staff")

    response = sign_in_with_sso(client, sso, "tess-sub", next_url="/demand/")

    assert response.status_code == 302 and response["Location"] == "/demand/"
    tess = User.objects.get(username="tess")
    assert (tess.first_name, tess.last_name, tess.email) == (
        "Tess",
        "Leader",
        "tess@borsetshire.example",
    )
    assert list(tess.groups.values_list("name", flat=True)) == [roles.TEAM_LEADER]
    assert not tess.has_usable_password() and not tess.is_staff
    # The provider asked for the second factor: CouncilFlow does not ask again.
    assert client.get("/demand/").status_code == 200
    assert client.session[two_factor.SSO_SESSION_KEY] is True
    created = AuditEntry.objects.filter(object_type="user", object_id=tess.pk)
    assert {e.actor_label for e in created} == {"single sign-on"}
    assert created.get(field="role").new_value == roles.TEAM_LEADER


def test_the_providers_groups_decide_the_role_at_every_sign_in(client, sso):
    fran = FrontOfficeFactory(username="tess")  # a local account the council moves to SSO
    case = CaseFactory(owner=fran)
    sso.add_tess("cf-admins", "cf-front-office")

    sign_in_with_sso(client, sso, "tess-sub")

    fran.refresh_from_db()
    assert list(fran.groups.values_list("name", flat=True)) == [roles.ADMINISTRATOR]
    assert fran.is_staff
    assert case.owner_id == fran.pk  # the same person: their cases stay theirs
    change = AuditEntry.objects.get(object_type="user", object_id=fran.pk, field="role")
    assert (change.old_value, change.new_value, change.actor_label) == (
        roles.FRONT_OFFICE,
        roles.ADMINISTRATOR,
        "single sign-on",
    )
    assert client.get("/admin/").status_code == 200


def test_someone_in_no_councilflow_group_is_not_let_in(client, sso):
    sso.add_tess("all-staff")

    response = sign_in_with_sso(client, sso, "tess-sub")

    assert response["Location"] == "/sign-in/?sso=refused"
    page = client.get(response["Location"]).content.decode()
    assert "You could not be signed in with your Borsetshire account" in page
    assert not User.objects.filter(username="tess").exists()
    assert "_auth_user_id" not in client.session


def test_a_wrong_client_secret_is_refused_by_the_provider(client, sso, settings):
    sso.add_tess("cf-team-leaders")
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"

    response = sign_in_with_sso(client, sso, "tess-sub")

    assert response["Location"] == "/sign-in/?sso=refused"
    assert "_auth_user_id" not in client.session


def test_a_code_cannot_be_used_twice(client, sso):
    sso.add_tess("cf-team-leaders")
    start = client.get(reverse("staff:sso_start"))
    back = urllib.parse.urlsplit(_at_the_provider(start["Location"], "tess-sub"))
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    client.post("/sign-out/")

    again = client.get(f"{back.path}?{back.query}")

    assert again["Location"] == "/sign-in/?sso=refused"
    assert "_auth_user_id" not in client.session


def test_the_sign_in_page_offers_the_councils_account(client, sso):
    page = client.get("/sign-in/?next=/demand/").content.decode()
    assert "Sign in with your Borsetshire account" in page
    assert "/sso/start/?next=/demand/" in page


def test_without_configuration_there_is_no_single_sign_on(client, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert client.get(reverse("staff:sso_start")).status_code == 404
    assert client.get(reverse("staff:sso_callback"), {"code": "x", "state": "y"}).status_code == 404
    assert "Sign in with" not in client.get("/sign-in/").content.decode()
    # Local accounts sign in as before, the new backend standing aside.
    FrontOfficeFactory(username="fran")
    signed_in = client.post("/sign-in/", {"username": "fran", "password": "nope"})
    assert signed_in.status_code == 200
