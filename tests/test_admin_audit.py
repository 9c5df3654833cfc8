"""Configuration is audited and protected: every admin change in the same audit trail as case
changes (who, when, old -> new); roles, the audit trail and the sign-in log cannot be deleted;
staff get a role in one step; a short retention period needs a confirmation; an administrator
unlocks a locked-out colleague with a named, audited action."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from cases.admin import RETENTION_CONFIRM_BELOW_DAYS
from cases.checks import every_admin_is_audited
from cases.models import AuditEntry, ServiceType
from demand.models import DemandType, FailureCategory
from tests.factories import CaseFactory, FrontOfficeFactory, ServiceTypeFactory
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def admin_client_for(client, administrator):
    sign_in(client, administrator)
    return client


def _entries(obj, **filters):
    return AuditEntry.objects.filter(
        object_type=obj._meta.model_name, object_id=obj.pk, **filters
    ).order_by("pk")


def _service_form(service, **changes):
    data = {
        "name": service.name,
        "slug": service.slug,
        "description": service.description,
        "is_active": "on",
        "retention_days": str(service.retention_days),
    }
    data.update(changes)
    return data


# --- every admin is audited -------------------------------------------------------------------


def test_every_model_in_the_admin_is_audited():
    assert every_admin_is_audited(None) == []


def test_an_admin_added_without_the_audit_trail_fails_the_check():
    admin.site.register(Session, admin.ModelAdmin)
    try:
        errors = every_admin_is_audited(None)
    finally:
        admin.site.unregister(Session)
    assert [error.id for error in errors] == ["councilflow.E001"]
    assert "sessions.Session" in errors[0].msg


def test_a_retention_change_is_audited(admin_client_for, administrator):
    service = ServiceTypeFactory(name="Bins")
    url = reverse("admin:cases_servicetype_change", args=[service.pk])

    response = admin_client_for.post(url, _service_form(service, retention_days="730"))

    assert response.status_code == 302
    entry = _entries(service).get()
    assert (entry.field, entry.old_value, entry.new_value) == ("retention_days", "2190", "730")
    assert entry.actor == administrator and entry.action == AuditEntry.Action.CHANGED
    assert entry.case_id is None


def test_adding_configuration_is_audited(admin_client_for):
    response = admin_client_for.post(
        reverse("admin:cases_servicetype_add"),
        {"name": "Fly-tipping", "slug": "fly-tipping", "is_active": "on", "retention_days": "730"},
    )
    assert response.status_code == 302
    service = ServiceType.objects.get(slug="fly-tipping")
    fields = {e.field: e.new_value for e in _entries(service, action=AuditEntry.Action.CREATED)}
    assert fields == {
        "name": "Fly-tipping",
        "slug": "fly-tipping",
        "is_active": "True",
        "retention_days": "730",
    }


def test_demand_types_and_failure_categories_are_audited(admin_client_for):
    service = ServiceTypeFactory(name="Bins")
    demand_type = DemandType.objects.create(service_type=service, name="Missed bin")
    category = FailureCategory.objects.get(slug="not-done")

    admin_client_for.post(
        reverse("admin:demand_demandtype_change", args=[demand_type.pk]),
        {"service_type": service.pk, "name": "Missed collection", "is_active": ""},
    )
    admin_client_for.post(
        reverse("admin:demand_failurecategory_change", args=[category.pk]),
        {
            "name": "Not done at all",
            "slug": "not-done",
            "description": category.description,
            "is_active": "on",
        },
    )

    assert {(e.field, e.old_value, e.new_value) for e in _entries(demand_type)} == {
        ("name", "Missed bin", "Missed collection"),
        ("is_active", "True", "False"),
    }
    assert [(e.field, e.old_value, e.new_value) for e in _entries(category)] == [
        ("name", "Not done", "Not done at all")
    ]


def test_configuration_changes_are_found_by_searching_the_audit_trail(admin_client_for):
    service = ServiceTypeFactory(name="Street lighting")
    admin_client_for.post(
        reverse("admin:cases_servicetype_change", args=[service.pk]),
        _service_form(service, retention_days="1000"),
    )
    listing = admin_client_for.get(
        reverse("admin:cases_auditentry_changelist"), {"q": "retention_days"}
    )
    page = listing.content.decode()
    assert "retention_days" in page and "1000" in page
    by_type = admin_client_for.get(
        reverse("admin:cases_auditentry_changelist"), {"object_type": "servicetype"}
    )
    assert "1000" in by_type.content.decode()


# --- short retention periods -------------------------------------------------------------------


def test_a_short_retention_period_asks_first_and_says_how_many_cases_it_anonymises(
    admin_client_for,
):
    service = ServiceTypeFactory(name="Bins")
    now = timezone.now()
    for days_ago in (40, 20, 10):  # closed 39, 19 and 9 days ago
        CaseFactory(service_type=service, closed=True, opened_at=now - timedelta(days=days_ago))
    CaseFactory(service_type=service, opened_at=now - timedelta(days=60))  # open: never
    url = reverse("admin:cases_servicetype_change", args=[service.pk])

    asked = admin_client_for.post(url, _service_form(service, retention_days="14"))

    assert asked.status_code == 200
    page = asked.content.decode()
    assert "The next retention run will anonymise 2 closed cases of this service" in page
    assert ServiceType.objects.get(pk=service.pk).retention_days == 2190
    assert not _entries(service).exists()

    confirmed = admin_client_for.post(
        url, _service_form(service, retention_days="14", confirm_short_retention="on")
    )
    assert confirmed.status_code == 302
    assert ServiceType.objects.get(pk=service.pk).retention_days == 14
    assert _entries(service).get().new_value == "14"


def test_the_confirmation_counts_as_the_retention_run_does():
    from cases.selectors import cases_past_retention_count
    from records.retention import cases_past_retention

    service = ServiceTypeFactory()
    now = timezone.now()
    for days_ago in (3, 8, 15, 29):  # closed 2, 7, 14 and 28 days ago
        CaseFactory(service_type=service, closed=True, opened_at=now - timedelta(days=days_ago))
    asked = cases_past_retention_count(service_type=service, days=7)
    ServiceType.objects.filter(pk=service.pk).update(retention_days=7)
    run = cases_past_retention(now=timezone.now()).filter(service_type=service).count()
    assert asked == run == 3


def test_a_retention_period_at_the_threshold_needs_no_confirmation(admin_client_for):
    service = ServiceTypeFactory()
    response = admin_client_for.post(
        reverse("admin:cases_servicetype_change", args=[service.pk]),
        _service_form(service, retention_days=str(RETENTION_CONFIRM_BELOW_DAYS)),
    )
    assert response.status_code == 302


def test_a_new_service_with_a_short_period_is_asked_about_too(admin_client_for):
    response = admin_client_for.post(
        reverse("admin:cases_servicetype_add"),
        {"name": "Trial", "slug": "trial", "is_active": "on", "retention_days": "1"},
    )
    assert response.status_code == 200
    assert "anonymise 0 closed cases" in response.content.decode()
    assert not ServiceType.objects.filter(slug="trial").exists()


# --- roles, the audit trail and the sign-in log are protected -----------------------------------


@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser("root", "root@example.org", "correct-horse-battery")
    sign_in(client, user)
    return client


@pytest.mark.parametrize("as_superuser", [False, True])
def test_roles_cannot_be_deleted_renamed_or_added(request, admin_client_for, as_superuser):
    client = request.getfixturevalue("superuser_client") if as_superuser else admin_client_for
    role = Group.objects.get(name=roles.TEAM_LEADER)

    delete = client.post(reverse("admin:auth_group_delete", args=[role.pk]), {"post": "yes"})
    rename = client.post(reverse("admin:auth_group_change", args=[role.pk]), {"name": "Boss"})
    add = client.post(reverse("admin:auth_group_add"), {"name": "Supervisor"})

    assert delete.status_code == rename.status_code == add.status_code == 403
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.ROLES)
    shown = client.get(reverse("admin:auth_group_change", args=[role.pk]))
    assert shown.status_code == 200 and "Team leader" in shown.content.decode()


@pytest.mark.parametrize("as_superuser", [False, True])
def test_the_audit_trail_and_sign_in_log_cannot_be_deleted(request, as_superuser, client):
    client = (
        request.getfixturevalue("superuser_client")
        if as_superuser
        else request.getfixturevalue("admin_client_for")
    )
    case = CaseFactory()
    entry = AuditEntry.objects.create(
        action=AuditEntry.Action.CHANGED, object_type="case", object_id=case.pk
    )
    log = AccessLog.objects.create(
        username="fran", ip_address="203.0.113.5", user_agent="x", http_accept="x", path_info="/"
    )
    failure = AccessFailureLog.objects.create(
        username="fran", ip_address="203.0.113.5", user_agent="x", http_accept="x", path_info="/"
    )
    attempt = AccessAttempt.objects.create(
        username="fran",
        ip_address="203.0.113.5",
        user_agent="x",
        http_accept="x",
        path_info="/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    for obj, name in [
        (entry, "cases_auditentry"),
        (log, "axes_accesslog"),
        (failure, "axes_accessfailurelog"),
        (attempt, "axes_accessattempt"),
    ]:
        response = client.post(reverse(f"admin:{name}_delete", args=[obj.pk]), {"post": "yes"})
        assert response.status_code == 403, name
        assert type(obj).objects.filter(pk=obj.pk).exists(), name
        bulk = client.post(
            reverse(f"admin:{name}_changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        )
        assert type(obj).objects.filter(pk=obj.pk).exists(), name
        assert bulk.status_code in (200, 302)


def test_administrators_read_the_sign_in_log(admin_client_for):
    AccessLog.objects.create(
        username="fran", ip_address="203.0.113.5", user_agent="x", http_accept="x", path_info="/"
    )
    page = admin_client_for.get(reverse("admin:axes_accesslog_changelist"))
    assert page.status_code == 200 and "203.0.113.5" in page.content.decode()


# --- staff: a role in one step -----------------------------------------------------------------


def test_a_member_of_staff_is_added_with_a_role_in_one_step(admin_client_for, administrator):
    form = admin_client_for.get(reverse("admin:auth_user_add")).content.decode()
    assert 'name="role"' in form
    assert 'name="groups"' not in form and 'name="user_permissions"' not in form

    response = admin_client_for.post(
        reverse("admin:auth_user_add"),
        {
            "username": "tess",
            "first_name": "Tess",
            "last_name": "Leader",
            "email": "tess@example.org",
            "role": roles.TEAM_LEADER,
            "usable_password": "true",
            "password1": "a-long-enough-Passphrase-9",
            "password2": "a-long-enough-Passphrase-9",
        },
    )

    assert response.status_code == 302
    tess = User.objects.get(username="tess")
    assert list(tess.groups.values_list("name", flat=True)) == [roles.TEAM_LEADER]
    assert not tess.is_staff
    created = {e.field: e.new_value for e in _entries(tess, action=AuditEntry.Action.CREATED)}
    assert created["role"] == roles.TEAM_LEADER and created["username"] == "tess"
    assert "password" not in created and "last_login" not in created
    assert _entries(tess).first().actor == administrator


def _staff_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "role": roles.FRONT_OFFICE,
    }
    data.update(changes)
    return data


def test_changing_a_role_is_audited_and_grants_the_admin_site_only_to_administrators(
    admin_client_for, front_office
):
    url = reverse("admin:auth_user_change", args=[front_office.pk])
    initial = admin_client_for.get(url).content.decode()
    assert re.search(r'value="Front office"[^>]* checked', initial)

    response = admin_client_for.post(url, _staff_form(front_office, role=roles.ADMINISTRATOR))

    assert response.status_code == 302
    front_office.refresh_from_db()
    assert list(front_office.groups.values_list("name", flat=True)) == [roles.ADMINISTRATOR]
    assert front_office.is_staff
    changes = {(e.field, e.old_value, e.new_value) for e in _entries(front_office)}
    assert changes == {("role", "Front office", "Administrator"), ("is_staff", "False", "True")}


def test_a_password_set_by_an_administrator_is_audited_without_the_password(
    admin_client_for, front_office
):
    response = admin_client_for.post(
        reverse("admin:auth_user_password_change", args=[front_office.pk]),
        {"password1": "Another-long-passphrase-4", "password2": "Another-long-passphrase-4"},
    )
    assert response.status_code == 302
    assert _entries(front_office, action=AuditEntry.Action.PASSWORD_SET).count() == 1
    front_office.refresh_from_db()
    for entry in AuditEntry.objects.all():
        assert front_office.password not in (entry.old_value, entry.new_value)
        assert "Another-long-passphrase-4" not in entry.old_value + entry.new_value


# --- unlocking a colleague --------------------------------------------------------------------


def _lock_out(client, username: str, address: str, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/sign-in/", {"username": username, "password": "guess"}, REMOTE_ADDR=address)


def test_an_administrator_unlocks_a_colleague(admin_client_for, administrator, settings):
    from django.test import Client

    fran = FrontOfficeFactory(username="fran")
    other = Client()
    _lock_out(other, "fran", "203.0.113.5", settings)
    sign_in = {"username": "fran", "password": "correct-horse-battery"}
    assert other.post("/sign-in/", sign_in, REMOTE_ADDR="203.0.113.5").status_code == 429
    listing = admin_client_for.get(reverse("admin:auth_user_changelist"))
    assert "Locked out" in listing.content.decode()

    response = admin_client_for.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [fran.pk]},
        follow=True,
    )

    assert "Sign-in unlocked for fran." in response.content.decode()
    assert not AccessAttempt.objects.filter(username="fran").exists()
    entry = _entries(fran, action=AuditEntry.Action.UNLOCKED).get()
    assert entry.actor == administrator and "203.0.113.5" in entry.new_value
    assert AccessFailureLog.objects.filter(username="fran").count() >= settings.AXES_FAILURE_LIMIT
    assert other.post("/sign-in/", sign_in, REMOTE_ADDR="203.0.113.5").status_code == 302


def test_a_lock_out_can_be_cleared_from_the_lock_out_list(admin_client_for, settings):
    from django.test import Client

    fran = FrontOfficeFactory(username="fran")
    _lock_out(Client(), "fran", "203.0.113.5", settings)
    attempt = AccessAttempt.objects.get(username="fran")

    admin_client_for.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [attempt.pk]},
    )

    assert not AccessAttempt.objects.exists()
    assert _entries(fran, action=AuditEntry.Action.UNLOCKED).exists()
