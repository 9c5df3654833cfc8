"""councilflow.auth.RoleBackend: a user's own and their roles' permissions, read in one query,
the same as Django's ModelBackend reads them in two."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import RoleBackend
from tests.factories import FrontOfficeFactory, TeamLeaderFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # no permission cache


@pytest.mark.parametrize("make", [FrontOfficeFactory, TeamLeaderFactory, UserFactory])
def test_same_permissions_as_djangos_backend(make):
    user = make()
    extra = Permission.objects.get(codename="view_group")
    user.user_permissions.add(extra)  # one of their own, besides their role's
    Group.objects.create(name="Empty role").user_set.add(user)

    ours = RoleBackend().get_all_permissions(fresh(user))

    assert ours == ModelBackend().get_all_permissions(fresh(user))
    assert "auth.view_group" in ours


def test_one_query_then_none(front_office):
    user = fresh(front_office)
    with CaptureQueriesContext(connection) as captured:
        assert user.has_perm("demand.add_contact") == ModelBackend().has_perm(
            fresh(front_office), "demand.add_contact"
        )
        user.has_perm("cases.view_case")
    ours = [q for q in captured if "auth_permission" in q["sql"]]
    assert len(ours) == 3  # ours once (then cached on the user), Django's two


def test_inactive_users_and_superusers():
    inactive = TeamLeaderFactory(is_active=False)
    assert RoleBackend().get_all_permissions(fresh(inactive)) == set()
    superuser = UserFactory(is_superuser=True)
    assert len(RoleBackend().get_all_permissions(fresh(superuser))) == Permission.objects.count()
