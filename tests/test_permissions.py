"""Every URL × every role. Lists and detail pages share one access rule, and a person without
the role gets a clear 403; an anonymous visitor is sent to sign in."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import (
    ArrivedContactFactory,
    CaseFactory,
    ProgressLinkFactory,
    SystemChangeFactory,
    SystemConditionFactory,
)
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "front_office_owner", "front_office_other", "team_leader", "administrator"]
SIGN_IN = "sign-in"

# url name -> (case state the URL needs, expected GET outcome per role in ROLES order).
# "login" = redirect to sign in; "admin-login" = the admin's own sign-in; a number = status.
MATRIX = {
    "login": (None, [200, 302, 302, 302, 302]),
    # The load balancer's health check: no sign-in, no personal data.
    "health": (None, [200, 200, 200, 200, 200]),
    # One's own account: password and two-factor sign-in.
    "staff:account": (None, ["login", 200, 200, 200, 200]),
    "staff:password_change": (None, ["login", 200, 200, 200, 200]),
    "staff:two_factor_set_up": (None, ["login", 200, 200, 200, 200]),
    # Nothing to verify (already verified, or no second factor): on to the next page.
    "staff:two_factor_verify": (None, ["login", 302, 302, 302, 302]),
    # Shown once, straight after they are made; otherwise back to the account page.
    "staff:recovery_codes_shown": (None, ["login", 302, 302, 302, 302]),
    # Single sign-on: not there until the council configures it (tests/staff/test_sso.py).
    "staff:sso_start": (None, [404, 404, 404, 404, 404]),
    "staff:sso_callback": (None, [404, 404, 404, 404, 404]),
    # Resetting a forgotten password: before signing in.
    "staff:password_reset": (None, [200, 200, 200, 200, 200]),
    "staff:password_reset_sent": (None, [200, 200, 200, 200, 200]),
    "staff:password_reset_confirm": ("reset_link", [200, 200, 200, 200, 200]),
    "staff:password_reset_done": (None, [200, 200, 200, 200, 200]),
    "home": (None, ["login", 302, 302, 302, 302]),
    "cases:list": (None, ["login", 200, 200, 200, 200]),
    "cases:mine": (None, ["login", 200, 200, 200, 200]),
    "demand:case": ("open", ["login", 200, 200, 200, 200]),
    "cases:record_step": ("open", ["login", 200, 403, 200, 403]),
    "cases:hand_off": ("open", ["login", 200, 403, 200, 403]),
    "messaging:close": ("open", ["login", 200, 403, 200, 403]),
    # Telling the citizen how things stand is a change to the case: its owner or a team leader.
    "messaging:update_citizen": ("open", ["login", 200, 403, 200, 403]),
    "cases:history": ("open", ["login", 403, 403, 200, 200]),
    # A subject access request is answered by a team leader.
    "records:citizen_data": ("citizen", ["login", 403, 403, 200, 403]),
    "demand:log_contact": (None, ["login", 200, 200, 200, 403]),
    "demand:help": (None, ["login", 200, 200, 200, 200]),
    # What arrived online is taken by whoever logs contacts.
    "demand:arrived": (None, ["login", 200, 200, 200, 403]),
    "demand:take": ("arrival", ["login", 200, 200, 200, 403]),
    "demand:log_on_case": ("open", ["login", 200, 200, 200, 403]),
    "demand:reopen": ("closed", ["login", 200, 403, 200, 403]),
    "admin:index": (None, ["admin-login", "admin-login", "admin-login", "admin-login", 200]),
    # Studying demand is for team leaders.
    "analysis:overview": (None, ["login", 403, 403, 200, 403]),
    "analysis:contacts": (None, ["login", 403, 403, 200, 403]),
    "analysis:contacts_csv": (None, ["login", 403, 403, 200, 403]),
    "analysis:failure_over_time": (None, ["login", 403, 403, 200, 403]),
    "analysis:predictability": (None, ["login", 403, 403, 200, 403]),
    "analysis:pareto": (None, ["login", 403, 403, 200, 403]),
    "analysis:chasing": (None, ["login", 403, 403, 200, 403]),
    "demand:reclassify": ("contact", ["login", 403, 403, 200, 403]),
    # Studying capability and flow is for team leaders.
    "analysis:capability": (None, ["login", 403, 403, 200, 403]),
    # The improvement register: everyone who works the demand reads it; team leaders record.
    "improvement:index": (None, ["login", 302, 302, 302, 302]),
    "improvement:conditions": (None, ["login", 200, 200, 200, 200]),
    "improvement:condition_new": (None, ["login", 403, 403, 200, 403]),
    "analysis:condition": ("system_condition", ["login", 200, 200, 200, 200]),
    "improvement:condition_correct": ("system_condition", ["login", 403, 403, 200, 403]),
    "improvement:condition_withdraw": ("system_condition", ["login", 403, 403, 200, 403]),
    "improvement:mark_evidence": ("contact", ["login", 200, 200, 200, 403]),
    "improvement:changes": (None, ["login", 200, 200, 200, 200]),
    "improvement:change": ("system_change", ["login", 200, 200, 200, 200]),
    "improvement:correct": ("system_change", ["login", 403, 403, 200, 403]),
    "improvement:withdraw": ("system_change", ["login", 403, 403, 200, 403]),
    # Where the register of changes was: moved for good.
    "improvement:old_changes": (None, ["login", 301, 301, 301, 301]),
    "improvement:old_change": ("system_change", ["login", 301, 301, 301, 301]),
    "analysis:wip": (None, ["login", 403, 403, 200, 403]),
    "analysis:flow": (None, ["login", 403, 403, 200, 403]),
    "analysis:capability_chart": ("service", ["login", 403, 403, 200, 403]),
    "analysis:capability_csv": ("service", ["login", 403, 403, 200, 403]),
    # Whether a change worked: for everyone who reads the improvement register.
    "analysis:did_it_work": ("system_change", ["login", 200, 200, 200, 200]),
    "analysis:case_study": ("system_change", ["login", 200, 200, 200, 200]),
    # The citizens' progress pages are the only pages without sign-in (their views are marked
    # login_not_required, past LoginRequiredMiddleware): the same for everyone, and what they
    # show depends only on a case's reference and its progress code (tests/progress/).
    # How the citizen wants to be sent updates: asked by whoever is talking to them.
    "messaging:updates_by": ("open", ["login", 200, 200, 200, 200]),
    "progress:find": (None, [200, 200, 200, 200, 200]),
    "progress:page": ("progress_link", [200, 200, 200, 200, 200]),
}
# The Open311 API answers client applications by their api_key, never by a sign-in: the same
# for everyone (a 404 or 403 in the spec's shape where nothing exists or no key was given;
# tests/open311/ has the rest).
API_URLS = {
    "open311:services": ({"format": "xml"}, 200),
    "open311:service": ({"service_code": "nothing", "format": "xml"}, 404),
    "open311:requests": ({"format": "json"}, 200),
    "open311:request": ({"service_request_id": "1", "format": "xml"}, 404),
    "open311:token": ({"token": "nothing", "format": "xml"}, 404),
    "open311:updates": ({"format": "xml"}, 403),
    "open311:openapi": ({}, 200),
    "open311:not_found": ({}, 404),
}
# POST-only URLs: GET is refused whoever asks.
POST_ONLY = {
    "logout": ["login", 405, 405, 405, 405],
    "improvement:remove_evidence": ["login", 405, 405, 405, 405],
    "staff:recovery_codes_new": ["login", 405, 405, 405, 405],
    # A case's progress code: made by anyone who sees the case, replaced or stopped by its
    # owner or a team leader (tests/messaging/test_progress_codes.py).
    "messaging:progress_code_make": ["login", 405, 405, 405, 405],
    "messaging:progress_code_replace": ["login", 405, 405, 405, 405],
    "messaging:progress_code_revoke": ["login", 405, 405, 405, 405],
    # A message not sent, sent again: the owner or a team leader (tests/messaging/).
    "messaging:send_again": ["login", 405, 405, 405, 405],
    # The citizen stops their updates: no sign-in, like the page it is on.
    "progress:stop_updates": [405, 405, 405, 405, 405],
}
POST_ONLY_KWARGS = {
    "improvement:remove_evidence": {"pk": 1},
    "messaging:progress_code_make": {"reference": "CF-000001"},
    "messaging:progress_code_replace": {"reference": "CF-000001"},
    "messaging:progress_code_revoke": {"reference": "CF-000001"},
    "messaging:send_again": {"reference": "CF-000001", "pk": 1},
    "progress:stop_updates": {"reference": "CF-000001", "code": "AAAA-AAAA"},
}


@pytest.fixture
def people(front_office, other_front_office, team_leader, administrator):
    return {
        "anonymous": None,
        "front_office_owner": front_office,
        "front_office_other": other_front_office,
        "team_leader": team_leader,
        "administrator": administrator,
    }


def _url(name, case_state, owner):
    from django.urls import reverse

    if case_state is None:
        return reverse(name)
    if case_state == "service":
        return reverse(name, kwargs={"service": CaseFactory(owner=owner).service_type.slug})
    if case_state == "citizen":
        return reverse(name, kwargs={"pk": CaseFactory(owner=owner).citizen_id})
    if case_state == "reset_link":  # a link that does not work: its page says so
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password-x"})
    if case_state == "system_change":
        return reverse(name, kwargs={"pk": SystemChangeFactory().pk})
    if case_state == "system_condition":
        return reverse(name, kwargs={"pk": SystemConditionFactory().pk})
    if case_state == "arrival":
        return reverse(name, kwargs={"pk": ArrivedContactFactory().pk})
    if case_state == "progress_link":
        link = ProgressLinkFactory(case=CaseFactory(owner=owner))
        return reverse(name, kwargs={"reference": link.case.reference, "code": link.shown_code})
    case = CaseFactory(owner=owner, closed=case_state == "closed")
    if case_state == "contact":
        return reverse(name, kwargs={"pk": case.contacts.get().pk})
    return reverse(name, kwargs={"reference": case.reference})


def _check(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert f"/{SIGN_IN}/" in response.url
    elif expected == "admin-login":
        assert response.status_code == 302
        assert "/admin/login/" in response.url
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_get_permission_matrix(client, people, front_office, name, role):
    case_state, outcomes = MATRIX[name]
    url = _url(name, case_state, front_office)
    if people[role]:
        sign_in(client, people[role])

    _check(client.get(url), outcomes[ROLES.index(role)])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_urls_refuse_get(client, people, name, role):
    from django.urls import reverse

    if people[role]:
        sign_in(client, people[role])
    kwargs = POST_ONLY_KWARGS.get(name, {})
    _check(client.get(reverse(name, kwargs=kwargs)), POST_ONLY[name][ROLES.index(role)])


@pytest.mark.parametrize("role", ROLES[1:])
@pytest.mark.parametrize(
    "name",
    [
        "cases:record_step",
        "cases:hand_off",
        "messaging:close",
        "messaging:update_citizen",
        "improvement:correct",
        "improvement:withdraw",
        "improvement:condition_new",
        "improvement:condition_correct",
        "improvement:condition_withdraw",
        "improvement:mark_evidence",
    ],
)
def test_post_permission_matches_get(client, people, front_office, name, role):
    """A role that may not see a form may not post it either: nothing changes."""
    case_state, outcomes = MATRIX[name]
    url = _url(name, case_state, front_office)
    sign_in(client, people[role])
    expected = outcomes[ROLES.index(role)]

    response = client.post(url, {})

    if expected == 403:
        assert response.status_code == 403
    else:
        assert response.status_code == 200  # the form again, with its errors


def _all_url_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            prefix = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from _all_url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(API_URLS))
def test_the_api_answers_the_same_whoever_is_signed_in(client, people, name, role):
    from django.urls import reverse

    kwargs, expected = API_URLS[name]
    if people[role]:
        sign_in(client, people[role])

    response = client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == expected
    assert "text/html" not in response["Content-Type"]


def test_matrix_covers_every_url():
    covered = set(MATRIX) | set(POST_ONLY) | set(API_URLS)
    assert set(_all_url_names()) - covered == set()
