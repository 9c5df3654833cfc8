"""System conditions and their evidence (docs/method.md §8): recorded, corrected and withdrawn
by team leaders, audited, never deleted; contacts marked as evidence once, removed marks kept;
and the failure demand each condition is linked to."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import AuditEntry
from demand.models import Contact, DemandType
from improvement import selectors, services
from improvement.models import ConditionEvidence, SystemCondition
from tests.factories import (
    CaseFactory,
    ContactFactory,
    ServiceTypeFactory,
    SystemChangeFactory,
    SystemConditionFactory,
    failure_category,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def repairs():
    return ServiceTypeFactory(name="Housing repairs", slug="housing-repairs")


def audit_of(obj, action: str) -> dict[str, tuple[str, str]]:
    return {
        entry.field: (entry.old_value, entry.new_value)
        for entry in AuditEntry.objects.filter(
            object_type=obj._meta.model_name, object_id=obj.pk, action=action
        )
    }


def failure_on(case, *, category="progress-chasing", note="", when=None) -> Contact:
    return ContactFactory(
        case=case,
        demand=Contact.Demand.FAILURE,
        failure_category=failure_category(category),
        prevention_note=note,
        received_at=when or case.opened_at + timedelta(hours=1),
        citizen_words="Where is my repair? Nobody has been in touch.",
    )


def test_recording_a_condition_audits_its_fields_and_links(team_leader, repairs):
    leak = DemandType.objects.create(service_type=repairs, name="Report a leak")
    condition = services.system_condition_record(
        by=team_leader,
        title="  Repair letters give no date  ",
        kind=SystemCondition.Kind.INFORMATION,
        service_type=repairs,
        description="The letter says booked, not when.",
        failure_categories=[failure_category("progress-chasing"), failure_category("not-done")],
        demand_types=[leak],
        waste_step_kinds=["wait", "check"],
    )

    assert condition.title == "Repair letters give no date"
    assert condition.waste_step_kinds == ["wait", "check"]  # in the step kinds' own order
    created = audit_of(condition, "created")
    assert created["title"] == ("", "Repair letters give no date")
    assert created["kind"] == ("", "Information to citizens")
    assert created["failure_categories"] == ("", "Not done, Progress chasing")
    assert created["demand_types"] == ("", "Report a leak")
    assert created["waste_step_kinds"] == ("", "Wait, Check (authorisation or inspection)")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"waste_step_kinds": ["value"]}, "waste_step_kinds"),  # value work is not waste
    ],
)
def test_a_condition_needs_a_title_and_waste_kinds_only(team_leader, repairs, changes, field):
    typed = {
        "by": team_leader,
        "title": "Letters give no date",
        "kind": SystemCondition.Kind.INFORMATION,
        "service_type": repairs,
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        services.system_condition_record(**typed)
    assert field in refused.value.message_dict
    assert not SystemCondition.objects.exists()


def test_a_condition_of_one_service_names_only_its_own_demand_types(team_leader, repairs):
    bins = ServiceTypeFactory(name="Missed bin")
    elsewhere = DemandType.objects.create(service_type=bins, name="Report a missed bin")
    with pytest.raises(ValidationError) as refused:
        services.system_condition_record(
            by=team_leader,
            title="Letters give no date",
            kind=SystemCondition.Kind.INFORMATION,
            service_type=repairs,
            demand_types=[elsewhere],
        )
    assert "Report a missed bin" in refused.value.message_dict["demand_types"][0]


def test_correcting_a_condition_audits_each_field_and_link_and_counts_a_version(team_leader):
    condition = SystemConditionFactory(recorded_by=team_leader)

    services.system_condition_correct(
        condition=condition,
        by=team_leader,
        title="Letters give no date or time",
        kind=SystemCondition.Kind.PROCEDURE,
        service_type=condition.service_type,
        description=condition.description,
        failure_categories=[failure_category("not-done")],
        waste_step_kinds=["chase"],
        expected_version=1,
    )

    condition.refresh_from_db()
    assert condition.version == 2
    changed = audit_of(condition, "changed")
    assert changed["title"][1] == "Letters give no date or time"
    assert changed["kind"] == ("Information to citizens", "Procedure")
    assert changed["failure_categories"] == ("Progress chasing", "Not done")
    assert changed["waste_step_kinds"] == ("", "Chase (we chased someone)")
    assert "description" not in changed  # the same as before: not audited


def test_a_correction_that_changes_nothing_saves_nothing(team_leader):
    condition = SystemConditionFactory(recorded_by=team_leader)
    services.system_condition_correct(
        condition=condition,
        by=team_leader,
        title=condition.title,
        kind=condition.kind,
        service_type=condition.service_type,
        description=condition.description,
        failure_categories=[failure_category("progress-chasing")],
        expected_version=1,
    )
    condition.refresh_from_db()
    assert condition.version == 1
    assert audit_of(condition, "changed") == {}


def test_a_correction_over_someone_elses_is_refused(team_leader):
    condition = SystemConditionFactory(recorded_by=team_leader)
    typed = {
        "by": team_leader,
        "kind": condition.kind,
        "service_type": condition.service_type,
    }
    services.system_condition_correct(
        condition=condition, title="First", expected_version=1, **typed
    )

    with pytest.raises(ValidationError) as refused:
        services.system_condition_correct(
            condition=condition, title="Second", expected_version=1, **typed
        )
    assert refused.value.code == "stale"
    assert "system condition" in refused.value.messages[0]
    condition.refresh_from_db()
    assert condition.title == "First"


def test_a_withdrawn_condition_stays_takes_no_evidence_and_is_not_offered(team_leader, repairs):
    condition = SystemConditionFactory(service_type=repairs, recorded_by=team_leader)
    services.system_condition_withdraw(condition=condition, by=team_leader, reason="Recorded twice")
    contact = failure_on(CaseFactory(service_type=repairs))

    condition.refresh_from_db()
    assert condition.is_withdrawn and condition.withdrawal_reason == "Recorded twice"
    assert SystemCondition.objects.filter(pk=condition.pk).exists()
    assert condition not in selectors.conditions_for_marking(contact)
    with pytest.raises(ValidationError):
        services.evidence_mark(condition=condition, contact=contact, by=team_leader)
    with pytest.raises(ValidationError) as again:
        services.system_condition_withdraw(condition=condition, by=team_leader, reason="Again")
    assert again.value.code == "withdrawn"


def test_withdrawing_needs_a_reason(team_leader):
    condition = SystemConditionFactory(recorded_by=team_leader)
    with pytest.raises(ValidationError) as refused:
        services.system_condition_withdraw(condition=condition, by=team_leader, reason="  ")
    assert "system condition" in refused.value.message_dict["reason"][0]


def test_a_contact_is_marked_once_however_often_it_is_sent(front_office, repairs):
    condition = SystemConditionFactory(service_type=repairs)
    contact = failure_on(CaseFactory(service_type=repairs))

    first = services.evidence_mark(condition=condition, contact=contact, by=front_office)
    again = services.evidence_mark(condition=condition, contact=contact, by=front_office)

    assert first.pk == again.pk
    assert ConditionEvidence.objects.count() == 1
    entry = AuditEntry.objects.get(object_type="conditionevidence")
    assert entry.case_id == contact.case_id  # shows in the case's History
    assert entry.new_value == f"{condition.title} (#{condition.pk})"


def test_a_contact_of_another_service_is_not_evidence_of_a_services_condition(
    front_office, repairs
):
    condition = SystemConditionFactory(service_type=repairs)
    council_wide = SystemConditionFactory(service_type=None)
    other = failure_on(CaseFactory(service_type=ServiceTypeFactory(name="Missed bin")))

    with pytest.raises(ValidationError) as refused:
        services.evidence_mark(condition=condition, contact=other, by=front_office)
    assert "Housing repairs" in refused.value.messages[0]
    assert services.evidence_mark(condition=council_wide, contact=other, by=front_office)


def test_a_removed_mark_is_kept_with_who_and_when_and_can_be_made_again(
    front_office, team_leader, repairs
):
    condition = SystemConditionFactory(service_type=repairs)
    contact = failure_on(CaseFactory(service_type=repairs))
    mark = services.evidence_mark(condition=condition, contact=contact, by=front_office)

    removed = services.evidence_remove(evidence=mark, by=team_leader)
    services.evidence_remove(evidence=mark, by=team_leader)  # twice: nothing more happens
    again = services.evidence_mark(condition=condition, contact=contact, by=front_office)

    assert removed.removed_by == team_leader and removed.removed_at is not None
    assert again.pk != mark.pk
    assert [m.pk for m in selectors.marks_on(contact)] == [again.pk, mark.pk]
    assert list(selectors.evidence_of(condition)) == [again]
    changed = audit_of(mark, "changed")
    assert changed["removed_by"][1].startswith(team_leader.get_full_name())


def test_recording_a_condition_with_contacts_marks_each_once(team_leader, repairs):
    case = CaseFactory(service_type=repairs)
    contacts = [failure_on(case), failure_on(case)]
    condition = SystemConditionFactory(
        service_type=repairs, recorded_by=team_leader, evidence=[*contacts, contacts[0]]
    )
    assert sorted(e.contact_id for e in selectors.evidence_of(condition)) == sorted(
        c.pk for c in contacts
    )


def test_linked_failure_demand_by_kind_service_request_and_mark(front_office, repairs):
    leak = DemandType.objects.create(service_type=repairs, name="Report a leak")
    mould = DemandType.objects.create(service_type=repairs, name="Report damp and mould")
    leak_case = CaseFactory(service_type=repairs, first_contact__demand_type=leak)
    mould_case = CaseFactory(service_type=repairs, first_contact__demand_type=mould)
    bins_case = CaseFactory(service_type=ServiceTypeFactory(name="Missed bin"))
    chase_on_leak = failure_on(leak_case)
    failure_on(mould_case)  # a chase about another request
    failure_on(leak_case, category="not-done")  # another kind
    failure_on(bins_case)  # another service
    marked = failure_on(mould_case, category="complaint")
    condition = SystemConditionFactory(service_type=repairs, demand_types=[leak])
    services.evidence_mark(condition=condition, contact=marked, by=front_office)
    value_marked = mould_case.contacts.get(demand=Contact.Demand.VALUE)
    services.evidence_mark(condition=condition, contact=value_marked, by=front_office)

    linked = selectors.linked_failure_demand(list(selectors.system_conditions()))

    # Failure demand only: a marked value-demand contact is evidence, but not failure demand.
    assert set(linked) == {chase_on_leak, marked}


def test_linked_failure_demand_of_a_council_wide_condition_spans_services():
    condition = SystemConditionFactory(service_type=None)
    cases = [CaseFactory(), CaseFactory()]
    chases = [failure_on(case) for case in cases]
    assert set(selectors.linked_failure_demand([condition])) == set(chases)


def test_a_condition_with_no_links_has_only_its_marked_failure_demand(front_office):
    condition = SystemConditionFactory(failure_categories=[])
    case = CaseFactory(service_type=condition.service_type)
    chase = failure_on(case)
    failure_on(case)
    services.evidence_mark(condition=condition, contact=chase, by=front_office)
    assert list(selectors.linked_failure_demand([condition])) == [chase]


def test_a_change_addresses_conditions_of_its_service_and_says_what_it_expects(
    team_leader, repairs
):
    condition = SystemConditionFactory(service_type=repairs)
    elsewhere = SystemConditionFactory(service_type=ServiceTypeFactory(name="Missed bin"))
    change = SystemChangeFactory(
        service_type=repairs,
        recorded_by=team_leader,
        conditions=[condition],
        expectation="Fewer tenants ringing to ask when the repair will be done.",
    )
    assert list(change.conditions.all()) == [condition]
    assert audit_of(change, "created")["conditions"] == ("", condition.title)

    with pytest.raises(ValidationError) as refused:
        services.system_change_correct(
            change=change,
            by=team_leader,
            changed_on=change.changed_on,
            service_type=repairs,
            description=change.description,
            conditions=[elsewhere],
        )
    assert elsewhere.title in refused.value.message_dict["conditions"][0]


@pytest.mark.parametrize(
    "words", ["Hit the 80% target", "a new KPI", "Within SLA", "go green on the RAG"]
)
def test_what_a_change_expects_is_never_a_target(team_leader, repairs, words):
    with pytest.raises(ValidationError) as refused:
        services.system_change_record(
            by=team_leader,
            changed_on=timezone.localdate(),
            service_type=repairs,
            description="New letters",
            expectation=words,
        )
    assert "no targets" in refused.value.message_dict["expectation"][0]


def test_a_changes_status_is_corrected_and_audited(team_leader, repairs):
    change = SystemChangeFactory(service_type=repairs, recorded_by=team_leader)
    services.system_change_correct(
        change=change,
        by=team_leader,
        changed_on=change.changed_on,
        service_type=repairs,
        description=change.description,
        status="adopted",
        expected_version=1,
    )
    change.refresh_from_db()
    assert change.status == "adopted" and change.version == 2
    assert audit_of(change, "changed")["status"] == ("Trying it", "Adopted")


def test_the_next_and_previous_changes_on_the_same_chart(repairs):
    today = timezone.localdate()
    first = SystemChangeFactory(service_type=repairs, changed_on=today - timedelta(days=90))
    everyone = SystemChangeFactory(service_type=None, changed_on=today - timedelta(days=60))
    SystemChangeFactory(service_type=ServiceTypeFactory(), changed_on=today - timedelta(days=50))
    last = SystemChangeFactory(service_type=repairs, changed_on=today - timedelta(days=30))

    assert selectors.previous_change_before(first) is None
    assert selectors.next_change_after(first) == everyone
    assert selectors.previous_change_before(last) == everyone
    assert selectors.next_change_after(last) is None
    # A change to every service is on the chart of all services, where one service's is not.
    assert selectors.next_change_after(everyone) is None
