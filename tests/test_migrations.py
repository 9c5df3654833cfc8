"""Moving a model between apps keeps its table, its rows and the permissions granted on it.
SystemChange moved from cases to improvement (cases/0015, improvement/0001)."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from improvement.models import SystemChange

BEFORE_THE_MOVE = [("cases", "0014_case_is_dirty"), ("improvement", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_system_changes_move_to_improvement_with_their_rows_and_permissions():
    old = migrate(BEFORE_THE_MOVE)
    user = old.get_model("auth", "User").objects.create(username="recorder")
    service = old.get_model("cases", "ServiceType").objects.create(name="Repairs", slug="repairs")
    old_change = old.get_model("cases", "SystemChange")
    first = old_change.objects.create(
        changed_on=date(2026, 3, 2),
        service_type=service,
        description="The caller books the repair",
        recorded_by=user,
    )
    old_change.objects.create(changed_on=date(2026, 5, 4), description="All", recorded_by=user)

    migrate(latest())

    moved = SystemChange.objects.order_by("pk")
    assert [(c.pk, c.changed_on, c.service_type_id, c.description) for c in moved] == [
        (first.pk, date(2026, 3, 2), service.pk, "The caller books the repair"),
        (first.pk + 1, date(2026, 5, 4), None, "All"),
    ]
    assert SystemChange._meta.db_table in connection.introspection.table_names()
    assert "cases_systemchange" not in connection.introspection.table_names()
    granted = Group.objects.get(name="Team leader").permissions
    assert granted.filter(content_type__app_label="improvement", codename="add_systemchange")
    assert not granted.filter(content_type__app_label="cases", codename="add_systemchange")
    # New rows carry on after the moved ones.
    added = SystemChange.objects.create(
        changed_on=date(2026, 6, 1), description="Next", recorded_by_id=user.pk
    )
    assert added.pk > first.pk + 1
