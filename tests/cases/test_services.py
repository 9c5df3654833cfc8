from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.models import Case, TimelineEntry
from tests.factories import CaseFactory, FrontOfficeFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db


def test_close_keeps_first_contact_as_clock_start(front_office):
    case = CaseFactory(owner=front_office)
    opened_at = case.opened_at

    closed = services.case_close(case=case, by=front_office, resolution="Bin replaced.")

    assert closed.status == Case.Status.CLOSED
    assert closed.opened_at == opened_at
    assert closed.resolution == "Bin replaced."
    entry = closed.timeline.get(kind=TimelineEntry.Kind.CLOSED)
    assert entry.actor == front_office
    assert entry.description == "Bin replaced."


def test_close_before_first_contact_is_refused(front_office):
    case = CaseFactory(owner=front_office)

    with pytest.raises(ValidationError, match="before its first contact"):
        services.case_close(
            case=case, by=front_office, resolution="Done", closed_at=case.opened_at - timedelta(1)
        )

    case.refresh_from_db()
    assert case.is_open


def test_close_in_the_future_is_refused(front_office):
    case = CaseFactory(owner=front_office)
    with pytest.raises(ValidationError, match="future"):
        services.case_close(
            case=case, by=front_office, resolution="Done", closed_at=timezone.now() + timedelta(1)
        )


def test_close_needs_a_resolution(front_office):
    case = CaseFactory(owner=front_office)
    with pytest.raises(ValidationError, match="need was met"):
        services.case_close(case=case, by=front_office, resolution="   ")


def test_closing_a_closed_case_is_refused(front_office):
    case = CaseFactory(owner=front_office, closed=True)
    with pytest.raises(ValidationError, match="already closed"):
        services.case_close(case=case, by=front_office, resolution="Again")


def test_only_owner_or_team_leader_may_change_a_case(front_office, other_front_office, team_leader):
    case = CaseFactory(owner=front_office)

    with pytest.raises(PermissionDenied):
        services.case_close(case=case, by=other_front_office, resolution="Not mine")
    services.case_record_step(
        case=case, by=team_leader, step_kind="value", description="Ordered a new bin"
    )

    assert case.timeline.filter(kind=TimelineEntry.Kind.STEP, actor=team_leader).exists()


def test_change_from_an_out_of_date_form_is_refused(front_office):
    case = CaseFactory(owner=front_office)
    opened_version = case.version
    services.case_record_step(case=case, by=front_office, step_kind="wait", description="Waiting")

    with pytest.raises(ValidationError, match="changed this case"):
        services.case_close(
            case=case, by=front_office, resolution="Done", expected_version=opened_version
        )
    case.refresh_from_db()
    assert case.is_open


def test_every_change_bumps_the_version(front_office):
    case = CaseFactory(owner=front_office)
    before = case.version
    services.case_record_step(case=case, by=front_office, step_kind="check", description="Check")
    case.refresh_from_db()
    assert case.version == before + 1


def test_hand_off_is_the_only_way_ownership_changes(front_office, other_front_office):
    case = CaseFactory(owner=front_office)

    services.case_hand_off(
        case=case, by=front_office, to=other_front_office, reason="Needs a visit"
    )

    case.refresh_from_db()
    assert case.owner == other_front_office
    entry = case.timeline.get(kind=TimelineEntry.Kind.HANDOFF)
    assert (entry.from_owner, entry.to_owner, entry.description) == (
        front_office,
        other_front_office,
        "Needs a visit",
    )
    assert entry.step_kind == TimelineEntry.StepKind.HANDOFF


@pytest.mark.parametrize(
    ("make_target", "reason", "message"),
    [
        (lambda owner: owner, "Because", "already owns"),
        (lambda owner: FrontOfficeFactory(is_active=False), "Because", "not active"),
        (lambda owner: FrontOfficeFactory(), "  ", "reason"),
    ],
    ids=["to-self", "inactive-person", "no-reason"],
)
def test_hand_off_bad_input_is_refused(front_office, make_target, reason, message):
    case = CaseFactory(owner=front_office)
    with pytest.raises(ValidationError, match=message):
        services.case_hand_off(
            case=case, by=front_office, to=make_target(front_office), reason=reason
        )
    case.refresh_from_db()
    assert case.owner == front_office
    assert not case.timeline.filter(kind=TimelineEntry.Kind.HANDOFF).exists()


def test_closed_case_cannot_be_handed_off(front_office, other_front_office):
    case = CaseFactory(owner=front_office, closed=True)
    with pytest.raises(ValidationError, match="closed"):
        services.case_hand_off(case=case, by=front_office, to=other_front_office, reason="x")


def test_record_step_refuses_unknown_kind_and_future_time(front_office):
    case = CaseFactory(owner=front_office)
    with pytest.raises(ValidationError, match="kind of step"):
        services.case_record_step(case=case, by=front_office, step_kind="nap", description="x")
    with pytest.raises(ValidationError, match="future"):
        services.case_record_step(
            case=case,
            by=front_office,
            step_kind="value",
            description="x",
            occurred_at=timezone.now() + timedelta(hours=1),
        )
    assert not case.timeline.filter(kind=TimelineEntry.Kind.STEP).exists()


def test_reopen_keeps_the_start_and_clears_the_end(front_office):
    case = CaseFactory(owner=front_office, closed=True)
    opened_at = case.opened_at

    services.case_reopen(
        case=case, by=front_office, reason="Still broken", reopened_at=timezone.now()
    )

    case.refresh_from_db()
    assert case.is_open
    assert case.opened_at == opened_at
    assert case.closed_at is None
    assert case.timeline.filter(kind=TimelineEntry.Kind.REOPENED).count() == 1


def test_reopening_an_open_case_is_refused(front_office):
    case = CaseFactory(owner=front_office)
    with pytest.raises(ValidationError, match="already open"):
        services.case_reopen(case=case, by=front_office, reason="x", reopened_at=timezone.now())


def test_case_open_refuses_a_retired_service(front_office):
    retired = ServiceTypeFactory(is_active=False)
    with pytest.raises(ValidationError, match="retired"):
        services.case_open(
            service_type=retired, citizen=None, owner=front_office, opened_at=timezone.now()
        )


def test_earlier_contact_moves_the_clock_start_back(front_office):
    case = CaseFactory(owner=front_office)
    letter_received = case.opened_at - timedelta(days=2)

    services.case_note_contact(
        case=case, contact_id=999, by=front_office, received_at=letter_received, summary="Letter"
    )

    case.refresh_from_db()
    assert case.opened_at == letter_received


def test_timeline_entries_cannot_be_changed_or_deleted(front_office):
    case = CaseFactory(owner=front_office)
    entry = case.timeline.first()
    entry.description = "rewritten"
    with pytest.raises(ValidationError, match="append-only"):
        entry.save()
    with pytest.raises(ValidationError, match="append-only"):
        entry.delete()
    assert case.timeline.first().description != "rewritten"


def test_a_step_before_the_first_contact_is_refused(front_office):
    case = CaseFactory(owner=front_office)
    with pytest.raises(ValidationError, match="before the case's first contact"):
        services.case_record_step(
            case=case,
            by=front_office,
            step_kind="value",
            description="Too early",
            occurred_at=case.opened_at - timedelta(hours=1),
        )
    assert not case.timeline.filter(kind=TimelineEntry.Kind.STEP).exists()
