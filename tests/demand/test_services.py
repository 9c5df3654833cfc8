import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Case, Citizen, TimelineEntry
from demand import services
from demand.models import Contact
from demand.services import ContactDetails
from tests.factories import CaseFactory, CitizenFactory, ServiceTypeFactory, failure_category

pytestmark = pytest.mark.django_db


def details(**overrides) -> ContactDetails:
    values = {
        "citizen_words": "My bin wasn't emptied on Tuesday.",
        "channel": Contact.Channel.PHONE,
        "received_at": timezone.now() - timedelta(minutes=5),
        "demand": Contact.Demand.VALUE,
    }
    return ContactDetails(**{**values, **overrides})


def test_first_contact_opens_a_case_owned_by_whoever_took_it(front_office):
    service = ServiceTypeFactory()
    citizen = CitizenFactory()
    said = details()

    contact = services.contact_log_new_case(
        by=front_office, service_type=service, citizen=citizen, details=said, what_matters="Friday"
    )

    case = contact.case
    assert (case.owner, case.citizen, case.service_type) == (front_office, citizen, service)
    assert case.opened_at == said.received_at
    assert case.is_open and not contact.is_one_stop
    assert case.what_matters == "Friday"
    assert case.timeline.get(kind=TimelineEntry.Kind.CONTACT).contact_id == contact.pk


def test_resolved_now_records_a_one_stop_case(front_office):
    contact = services.contact_log_new_case(
        by=front_office,
        service_type=ServiceTypeFactory(),
        citizen=None,
        details=details(),
        resolution="Booked a collection for Thursday.",
    )

    case = Case.objects.get(pk=contact.case_id)
    assert contact.is_one_stop
    assert case.status == Case.Status.CLOSED
    assert case.resolution == "Booked a collection for Thursday."
    assert case.closed_at >= case.opened_at


def test_anonymous_contact_has_no_citizen(front_office):
    contact = services.contact_log_new_case(
        by=front_office,
        service_type=ServiceTypeFactory(),
        citizen=None,
        new_citizen={"name": " ", "phone": "", "email": "", "address": "", "postcode": ""},
        details=details(),
    )
    assert contact.case.citizen is None
    assert not Citizen.objects.exists()


def test_new_citizen_details_record_a_citizen(front_office):
    contact = services.contact_log_new_case(
        by=front_office,
        service_type=ServiceTypeFactory(),
        citizen=None,
        new_citizen={
            "name": "Ann Lee",
            "phone": "0113 496 0000",
            "email": "",
            "address": "",
            "postcode": "ls1 4ap",
        },
        details=details(),
    )
    citizen = contact.case.citizen
    assert (citizen.name, citizen.phone, citizen.postcode) == ("Ann Lee", "01134960000", "LS1 4AP")


def test_double_submitted_form_records_one_contact(front_office):
    token = uuid.uuid4()
    arguments = {
        "by": front_office,
        "service_type": ServiceTypeFactory(),
        "citizen": None,
        "details": details(),
        "submission_token": token,
    }

    first = services.contact_log_new_case(**arguments)
    second = services.contact_log_new_case(**arguments)

    assert first.pk == second.pk
    assert Contact.objects.count() == 1
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"citizen_words": "   "}, "citizen_words"),
        ({"received_at": timezone.now() + timedelta(hours=2)}, "received_at"),
        ({"demand": Contact.Demand.FAILURE}, "failure_category"),
        ({"channel": "pigeon"}, "channel"),
        ({"demand": "maybe"}, "demand"),
    ],
    ids=["blank-words", "future", "failure-without-category", "unknown-channel", "unknown-demand"],
)
def test_bad_contact_is_refused_and_nothing_is_saved(front_office, overrides, field):
    with pytest.raises(ValidationError) as refused:
        services.contact_log_new_case(
            by=front_office,
            service_type=ServiceTypeFactory(),
            citizen=None,
            details=details(**overrides),
        )
    assert field in refused.value.message_dict
    assert not Case.objects.exists()
    assert not Contact.objects.exists()


def test_failure_contact_keeps_category_and_prevention_note(front_office):
    case = CaseFactory()
    contact = services.contact_log_on_case(
        by=front_office,
        case=case,
        details=details(
            demand=Contact.Demand.FAILURE,
            failure_category=failure_category("progress-chasing"),
            prevention_note="Text them the date.",
        ),
    )
    assert contact.failure_category.slug == "progress-chasing"
    assert contact.prevention_note == "Text them the date."


def test_value_contact_drops_a_stray_failure_category(front_office):
    contact = services.contact_log_on_case(
        by=front_office,
        case=CaseFactory(),
        details=details(failure_category=failure_category(), prevention_note="stray"),
    )
    assert contact.failure_category is None
    assert contact.prevention_note == ""


def test_anyone_may_log_a_contact_on_any_open_case(other_front_office):
    case = CaseFactory()
    contact = services.contact_log_on_case(by=other_front_office, case=case, details=details())
    assert case.contacts.count() == 2
    assert contact.service_type == case.service_type  # the case's, copied for counting
    case.refresh_from_db()
    assert case.owner != other_front_office


def test_only_the_owner_may_resolve_with_a_contact(other_front_office):
    case = CaseFactory()
    with pytest.raises(ValidationError, match="Only the case owner"):
        services.contact_log_on_case(
            by=other_front_office, case=case, details=details(), resolution="Sorted"
        )
    assert case.contacts.count() == 1


def test_contact_on_a_closed_case_must_reopen_it(front_office):
    case = CaseFactory(owner=front_office, closed=True)
    with pytest.raises(ValidationError, match="closed"):
        services.contact_log_on_case(by=front_office, case=case, details=details())


def test_reopen_records_the_contact_and_keeps_the_clock_start(front_office):
    case = CaseFactory(owner=front_office, closed=True)
    opened_at = case.opened_at

    contact = services.contact_reopen_case(
        by=front_office,
        case=case,
        details=details(
            demand=Contact.Demand.FAILURE, failure_category=failure_category("not-done")
        ),
        expected_version=case.version,
    )

    case.refresh_from_db()
    assert case.is_open and case.closed_at is None
    assert case.opened_at == opened_at
    assert contact.case_id == case.pk and contact.service_type_id == case.service_type_id
    kinds = list(case.timeline.values_list("kind", flat=True))
    assert TimelineEntry.Kind.REOPENED in kinds
    assert kinds.count(TimelineEntry.Kind.CONTACT) == 2


def test_reopen_by_someone_else_is_refused(other_front_office):
    case = CaseFactory(closed=True)
    with pytest.raises(PermissionDenied):
        services.contact_reopen_case(by=other_front_office, case=case, details=details())
    assert case.contacts.count() == 1


def test_words_are_stored_exactly_as_typed(front_office):
    words = "<script>alert('x')</script> Robert'); DROP TABLE cases;-- ñ 🚮"
    contact = services.contact_log_on_case(
        by=front_office, case=CaseFactory(), details=details(citizen_words=words)
    )
    contact.refresh_from_db()
    assert contact.citizen_words == words


def test_logging_a_first_contact_runs_few_queries(front_office, django_assert_max_num_queries):
    service = ServiceTypeFactory()
    with django_assert_max_num_queries(12):  # was 16 before the audit entries were batched
        services.contact_log_new_case(
            by=front_office, service_type=service, citizen=CitizenFactory(), details=details()
        )


def failure(**overrides) -> ContactDetails:
    return details(
        demand=Contact.Demand.FAILURE,
        failure_category=failure_category("progress-chasing"),
        **overrides,
    )


def dirty(case: Case) -> bool:
    return Case.objects.values_list("is_dirty", flat=True).get(pk=case.pk)


def test_a_case_is_dirty_once_any_contact_is_failure_demand(front_office, team_leader):
    service = ServiceTypeFactory()
    clean = services.contact_log_new_case(
        by=front_office, service_type=service, citizen=None, details=details()
    ).case
    opened_dirty = services.contact_log_new_case(
        by=front_office, service_type=service, citizen=None, details=failure()
    ).case
    assert not dirty(clean) and dirty(opened_dirty)

    chase = services.contact_log_on_case(by=front_office, case=clean, details=failure())
    assert dirty(clean)
    services.contact_log_on_case(by=front_office, case=clean, details=details())
    assert dirty(clean)  # a value contact later does not wash it

    services.contact_reclassify(contact=chase, by=team_leader, demand=Contact.Demand.VALUE)
    assert not dirty(clean)  # its only failure contact was not failure demand after all
    services.contact_reclassify(
        contact=chase,
        by=team_leader,
        demand=Contact.Demand.FAILURE,
        failure_category=failure_category("progress-chasing"),
    )
    assert dirty(clean)


def test_reopening_with_failure_demand_makes_the_case_dirty(front_office):
    case = CaseFactory(owner=front_office, closed=True)
    assert not dirty(case)
    services.contact_reopen_case(
        by=front_office, case=case, details=failure(), expected_version=case.version
    )
    assert dirty(case)
