import pytest
from django.urls import reverse

from cases.models import ServiceType
from tests.factories import CaseFactory, ServiceTypeFactory
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_for(client, administrator):
    sign_in(client, administrator)
    return client


def test_administrator_adds_a_service_type(admin_client_for):
    response = admin_client_for.post(
        reverse("admin:cases_servicetype_add"),
        {
            "name": "Fly-tipping",
            "slug": "fly-tipping",
            "description": "",
            "is_active": "on",
            "retention_days": "730",
        },
    )
    assert response.status_code == 302
    assert ServiceType.objects.filter(slug="fly-tipping", is_active=True).exists()
    assert ServiceType.objects.get(slug="fly-tipping").retention_days == 730


def test_the_service_type_form_offers_six_years_retention(admin_client_for):
    html = admin_client_for.get(reverse("admin:cases_servicetype_add")).content.decode()
    assert 'name="retention_days" value="2190"' in html


def test_service_types_are_retired_not_deleted(admin_client_for):
    service = ServiceTypeFactory()
    url = reverse("admin:cases_servicetype_delete", args=[service.pk])
    assert admin_client_for.post(url, {"post": "yes"}).status_code == 403
    assert ServiceType.objects.filter(pk=service.pk).exists()


@pytest.mark.parametrize(
    "model", ["cases_case", "cases_timelineentry", "cases_citizen", "demand_contact"]
)
def test_cases_contacts_and_timelines_cannot_be_changed_or_deleted_in_admin(
    admin_client_for, model
):
    case = CaseFactory()
    obj = {
        "cases_case": case,
        "cases_timelineentry": case.timeline.first(),
        "cases_citizen": case.citizen,
        "demand_contact": case.contacts.first(),
    }[model]
    delete = admin_client_for.post(reverse(f"admin:{model}_delete", args=[obj.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert admin_client_for.get(reverse(f"admin:{model}_add")).status_code == 403


def test_administrator_adds_demand_types_and_system_changes(admin_client_for, administrator):
    from demand.models import DemandType
    from improvement.models import SystemChange

    service = ServiceTypeFactory()
    added = admin_client_for.post(
        reverse("admin:demand_demandtype_add"),
        {"service_type": service.pk, "name": "Report a missed collection", "is_active": "on"},
    )
    change = admin_client_for.post(
        reverse("admin:improvement_systemchange_add"),
        {"changed_on": "2026-03-03", "service_type": service.pk, "description": "New form"},
    )
    assert added.status_code == change.status_code == 302
    assert DemandType.objects.get().service_type == service
    assert SystemChange.objects.get().recorded_by == administrator


def test_staff_are_listed_with_their_roles_and_never_deleted(admin_client_for, front_office):
    listing = admin_client_for.get(reverse("admin:auth_user_changelist"))
    assert "Front office" in listing.content.decode()
    delete = admin_client_for.post(
        reverse("admin:auth_user_delete", args=[front_office.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert type(front_office).objects.filter(pk=front_office.pk).exists()


@pytest.mark.parametrize(
    "url_name", ["admin:index", "admin:cases_servicetype_add", "admin:auth_user_changelist"]
)
def test_admin_pages_have_no_inline_script(admin_client_for, url_name):
    import re

    html = admin_client_for.get(reverse(url_name)).content.decode()
    assert "CouncilFlow administration" in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_the_improvement_register_is_read_only_in_admin(admin_client_for, front_office):
    from improvement.services import evidence_mark
    from tests.factories import ContactFactory, SystemConditionFactory

    condition = SystemConditionFactory(title="Letters give no date")
    case = CaseFactory(service_type=condition.service_type)
    mark = evidence_mark(condition=condition, contact=ContactFactory(case=case), by=front_office)
    for model, obj in [
        ("improvement_systemcondition", condition),
        ("improvement_conditionevidence", mark),
    ]:
        listed = admin_client_for.get(reverse(f"admin:{model}_changelist"))
        assert listed.status_code == 200
        assert admin_client_for.get(reverse(f"admin:{model}_add")).status_code == 403
        delete = reverse(f"admin:{model}_delete", args=[obj.pk])
        assert admin_client_for.post(delete, {"post": "yes"}).status_code == 403
    assert (
        "Letters give no date"
        in admin_client_for.get(
            reverse("admin:improvement_systemcondition_changelist")
        ).content.decode()
    )
