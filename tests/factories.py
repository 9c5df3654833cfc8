"""factory-boy factories. Cases and contacts are made consistent: a case's opened_at is its first
contact's received_at, and its timeline records what happened."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from cases.models import Case, Citizen, ServiceType, TimelineEntry
from demand.models import ArrivedContact, Contact, FailureCategory
from improvement.models import SystemChange, SystemCondition
from improvement.services import system_change_record, system_condition_record
from messaging import codes
from messaging.models import ProgressLink


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        _join_role(self, create, extracted)


def _join_role(user, create: bool, role: str | None) -> None:
    if create and role:
        user.groups.add(Group.objects.get(name=role))
    if create:
        user.save()


def _role(name: str) -> factory.PostGeneration:
    return factory.PostGeneration(
        lambda user, create, extracted, **kwargs: _join_role(user, create, extracted or name)
    )


class FrontOfficeFactory(UserFactory):
    role = _role(roles.FRONT_OFFICE)


class TeamLeaderFactory(UserFactory):
    role = _role(roles.TEAM_LEADER)


class AdministratorFactory(UserFactory):
    role = _role(roles.ADMINISTRATOR)
    is_staff = True


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceType
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")


class CitizenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citizen

    name = factory.Faker("name", locale="en_GB")
    phone = factory.Sequence(lambda n: f"07700{n:06d}")
    email = factory.Sequence(lambda n: f"citizen{n}@example.org")
    postcode = factory.Sequence(lambda n: f"LS{n % 30 + 1} {n % 9 + 1}AB")


def failure_category(slug: str = "progress-chasing") -> FailureCategory:
    """The categories are seeded by a migration; tests use those."""
    return FailureCategory.objects.get(slug=slug)


class CaseFactory(factory.django.DjangoModelFactory):
    """An open case with one value-demand contact; CaseFactory(closed=True) closed a day later."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    class Params:
        closed = factory.Trait(
            status=Case.Status.CLOSED,
            closed_at=factory.LazyAttribute(lambda case: case.opened_at + timedelta(days=1)),
            resolution="Replacement bin delivered.",
        )

    service_type = factory.SubFactory(ServiceTypeFactory)
    citizen = factory.SubFactory(CitizenFactory)
    owner = factory.SubFactory(FrontOfficeFactory)
    opened_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    what_matters = "I'm away from Friday."

    @factory.post_generation
    def first_contact(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        ContactFactory(case=self, received_at=self.opened_at, recorded_by=self.owner, **kwargs)
        if self.status == Case.Status.CLOSED:
            TimelineEntry.objects.create(
                case=self,
                kind=TimelineEntry.Kind.CLOSED,
                description=self.resolution,
                actor=self.owner,
                occurred_at=self.closed_at,
            )


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact with its timeline entry, as the logging service would record it."""

    class Meta:
        model = Contact
        skip_postgeneration_save = True

    class Params:
        failure = factory.Trait(
            demand=Contact.Demand.FAILURE,
            failure_category=factory.LazyFunction(failure_category),
            prevention_note="Tell them the collection date at the first call.",
        )

    case = factory.SubFactory(CaseFactory, first_contact=False)
    service_type = factory.SelfAttribute("case.service_type")
    received_at = factory.LazyAttribute(lambda contact: contact.case.opened_at)
    channel = Contact.Channel.PHONE
    citizen_words = "My bin wasn't collected on Tuesday, can you come back for it?"
    recorded_by = factory.LazyAttribute(lambda contact: contact.case.owner)
    demand = Contact.Demand.VALUE

    @factory.post_generation
    def on_timeline(self, create, extracted, **kwargs):
        if create and self.demand == Contact.Demand.FAILURE:  # as the logging services do
            Case.objects.filter(pk=self.case_id).update(is_dirty=True)
            self.case.is_dirty = True
        if create and extracted is not False:
            TimelineEntry.objects.create(
                case=self.case,
                kind=TimelineEntry.Kind.CONTACT,
                contact_id=self.pk,
                description=self.citizen_words[:200],
                actor=self.recorded_by,
                occurred_at=self.received_at,
            )


class SystemChangeFactory(factory.django.DjangoModelFactory):
    """A system change recorded (and audited) by the register's service, a week ago."""

    class Meta:
        model = SystemChange

    changed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    service_type = factory.SubFactory(ServiceTypeFactory)
    description = "The person who takes the call now books the repair directly."
    recorded_by = factory.SubFactory(TeamLeaderFactory)

    @classmethod
    def _create(cls, model_class, *args, recorded_by, **kwargs):
        return system_change_record(by=recorded_by, **kwargs)


class SystemConditionFactory(factory.django.DjangoModelFactory):
    """A system condition recorded (and audited) by the register's service, linked to progress
    chasing; pass failure_categories, demand_types, waste_step_kinds or evidence to link more."""

    class Meta:
        model = SystemCondition

    title = factory.Sequence(lambda n: f"Repair letters don't say when the trade will come ({n})")
    kind = SystemCondition.Kind.INFORMATION
    service_type = factory.SubFactory(ServiceTypeFactory)
    description = "The letter says a repair is booked, but not the day or the time."
    recorded_by = factory.SubFactory(TeamLeaderFactory)
    failure_categories = factory.LazyFunction(lambda: [failure_category("progress-chasing")])

    @classmethod
    def _create(cls, model_class, *args, recorded_by, **kwargs):
        return system_condition_record(by=recorded_by, **kwargs)


class ArrivedContactFactory(factory.django.DjangoModelFactory):
    """A report that arrived online and waits to be taken."""

    class Meta:
        model = ArrivedContact

    kind = ArrivedContact.Kind.REPORT
    source = "FixMyStreet"
    service_type = factory.SubFactory(ServiceTypeFactory)
    received_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=20))
    citizen_words = "title: Bin not emptied\n\ndetail: The grey bin at number 22 was missed."
    first_name = "Sam"
    last_name = "Smith"
    email = factory.Sequence(lambda n: f"reporter{n}@example.org")
    latitude = "53.800755"
    longitude = "-1.549077"
    address = "22 Acacia Avenue, Leeds"
    photo_urls = "https://www.fixmystreet.com/photo/1.jpeg"


class ProgressLinkFactory(factory.django.DjangoModelFactory):
    """A case's working progress code."""

    class Meta:
        model = ProgressLink

    case = factory.SubFactory(CaseFactory)
    code = factory.LazyFunction(codes.new_code)
    created_by = factory.SelfAttribute("case.owner")
