"""Personal data are declared once, on each model (lib.personal.PersonalData), and retention,
subject access and the audit trail's redaction read those declarations. These tests fail when a
text or contact field of any of CouncilFlow's models is left unclassified."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from cases.models import Case, Citizen, CitizenUpdate
from lib.personal import PLACEHOLDER, PersonalData
from messaging.models import Message
from records import retention
from records.subject_access import citizen_record
from tests.factories import (
    ArrivedContactFactory,
    CaseFactory,
    ContactFactory,
    ProgressLinkFactory,
)

ROOT = Path(__file__).resolve().parent.parent
# Fields that can hold what a person wrote or who they are.
TEXT_OR_CONTACT = (
    models.CharField,  # and so EmailField, SlugField, URLField
    models.TextField,
    models.GenericIPAddressField,
    models.JSONField,
    models.FileField,
)


def councilflow_models() -> list[type[models.Model]]:
    return [
        model
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ROOT) and ".venv" not in Path(config.path).parts
        for model in config.get_models()
    ]


def test_councilflow_has_models_to_check():
    labels = {model._meta.label for model in councilflow_models()}
    assert {"cases.Case", "cases.Citizen", "demand.Contact", "improvement.SystemChange"} <= labels


@pytest.mark.parametrize("model", councilflow_models(), ids=lambda model: model._meta.label)
def test_every_text_and_contact_field_is_declared_personal_or_not(model):
    declared = getattr(model, "personal_data", None)
    assert isinstance(declared, PersonalData), f"{model._meta.label} declares no personal_data"
    fields = {field.name: field for field in model._meta.concrete_fields}
    classified = declared.classified
    assert len(classified) == len(set(classified)), "a field is in two lists"
    assert set(classified) <= set(fields), "a declared field does not exist"
    unclassified = [
        name
        for name, field in fields.items()
        if isinstance(field, TEXT_OR_CONTACT) and name not in classified
    ]
    assert unclassified == [], f"{model._meta.label}: say whether these are personal data"
    for name, field in fields.items():
        if field.is_relation and field.related_model is Citizen:
            assert name in declared.identifies, f"{name} names a citizen"
    if declared.belongs_to:
        assert fields[declared.belongs_to].related_model is Case


def _message(case: Case) -> Message:
    """An update for the citizen, sent to them by email, with a reason from a failed try."""
    update = CitizenUpdate.objects.create(
        case=case,
        entry=case.timeline.get(kind="closed"),
        status="fixed",
        next_step="A crew came on Tuesday.",
        published_at=case.closed_at,
    )
    return Message.objects.create(
        case=case,
        update=update,
        channel="email",
        via="smtp",
        to=case.citizen.email,
        subject="Your request",
        body="Your bin was emptied.",
        status="sent",
        last_error="451 try later",
        queued_at=case.closed_at,
        queued_by=case.owner,
    )


@pytest.mark.django_db
def test_retention_removes_every_declared_field_of_a_case_and_what_belongs_to_it():
    case = CaseFactory(closed=True, opened_at=timezone.now() - timedelta(days=4000))
    ContactFactory(case=case, failure=True, received_at=case.opened_at)
    ArrivedContactFactory(case=case, service_type=case.service_type, received_at=case.opened_at)
    ProgressLinkFactory(case=case)
    _message(case)
    case.service_type.retention_days = 30
    case.service_type.save()

    retention.case_anonymise_batch(case_ids=[case.pk], now=timezone.now())

    for model, declared in [(Case, Case.personal_data), *retention.held_with_cases()]:
        rows = model._default_manager.filter(
            **({"pk": case.pk} if model is Case else {declared.belongs_to: case})
        )
        assert rows.exists(), model
        for row in rows:
            for name in declared.replaced:
                assert getattr(row, name) in (PLACEHOLDER, ""), (model, name)
            for name in declared.erased:
                assert getattr(row, name) == "", (model, name)
    citizen = Citizen.objects.get(pk=case.citizen_id)
    assert all(getattr(citizen, name) == "" for name in Citizen.personal_data.erased)


@pytest.mark.django_db
def test_a_subject_access_request_holds_every_declared_field(team_leader):
    case = CaseFactory(closed=True)
    ContactFactory(case=case, failure=True)

    ArrivedContactFactory(case=case, service_type=case.service_type)
    ProgressLinkFactory(case=case)
    _message(case)

    record = citizen_record(case.citizen, generated_by=team_leader)

    assert set(Citizen.personal_data.held) <= set(record["citizen"])
    (held_case,) = record["cases"]
    assert set(Case.personal_data.held) <= set(held_case)
    for key, model in (
        ("contacts", "demand.Contact"),
        ("timeline", "cases.TimelineEntry"),
        ("sent_online", "demand.ArrivedContact"),
        ("updates_for_the_citizen", "cases.CitizenUpdate"),
        ("progress_codes", "messaging.ProgressLink"),
        ("messages", "messaging.Message"),
    ):
        declared = apps.get_model(model).personal_data
        assert held_case[key], key
        assert all(set(declared.held) <= set(row) for row in held_case[key])
