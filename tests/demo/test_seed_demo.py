"""`manage.py seed_demo`: demo users, service types and six months of data that keep every
invariant the services keep, and that show what the demo has to show."""

import io
import re
import statistics
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q
from django.utils import timezone

from accounts import roles
from cases.models import Case, Citizen, ServiceType, TimelineEntry
from demand.models import Contact, DemandType
from demo.data import DEFAULT_CONTACTS, REDESIGN_DAYS_AGO
from improvement.models import SystemChange
from improvement.selectors import system_changes_for

pytestmark = pytest.mark.django_db

ROLE_LOGINS = {
    "frontoffice": roles.FRONT_OFFICE,
    "teamleader": roles.TEAM_LEADER,
    "admin": roles.ADMINISTRATOR,
}
SERVICE_SLUGS = {
    "missed-bin-collection": "Missed bin collection",
    "bulky-waste-collection": "Bulky waste collection",
    "council-tax-change-of-address": "Council tax change of address",
    "pothole-report": "Pothole report",
    "housing-repair": "Housing repair",
}


def seed(*args: str) -> str:
    out = io.StringIO()
    # pytest-django runs with DEBUG off, where the command refuses without this flag.
    call_command("seed_demo", *args, "--allow-production", stdout=out)
    return out.getvalue()


@pytest.fixture
def output() -> str:
    return seed()


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "service types": ServiceType.objects.count(),
        "citizens": Citizen.objects.count(),
        "cases": Case.objects.count(),
        "contacts": Contact.objects.count(),
        "timeline": TimelineEntry.objects.count(),
    }


def group_members(role: str) -> list[int]:
    return list(Group.objects.get(name=role).user_set.values_list("pk", flat=True))


def days(case: Case) -> float:
    return (case.closed_at - case.opened_at).total_seconds() / 86400


def test_role_users_are_in_their_groups_and_can_sign_in_with_the_printed_password(output, client):
    password = re.search(r"Demo logins \(password: (\S+)\)", output).group(1)
    for username, role in ROLE_LOGINS.items():
        assert re.search(rf"^\s+{username}\s+{role}\s+\w+", output, re.MULTILINE)
        user = get_user_model().objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.first_name and user.last_name
        validate_password(password, user)
        signed_in = client.post("/sign-in/", {"username": username, "password": password})
        assert signed_in.status_code == 302
        client.post("/sign-out/")
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    # Enough named front-office staff for hand-offs to go to people.
    assert Group.objects.get(name=roles.FRONT_OFFICE).user_set.count() >= 4


def test_the_printed_second_factor_lets_the_team_leader_and_administrator_in(output, client):
    """Their roles need two-factor sign-in: someone trying the demo types a printed recovery
    code, or the code from an authenticator app set up with the printed key."""
    import base64

    from django_otp.oath import TOTP

    password = re.search(r"Demo logins \(password: (\S+)\)", output).group(1)
    key = re.search(r"set up with the key ([A-Z2-7]+) \(time-based\)", output).group(1)
    first_code = re.search(r"a recovery code: (\w+) to (\w+)", output).group(1)
    for username in ("teamleader", "admin"):
        client.post("/sign-in/", {"username": username, "password": password})
        asked = client.get("/demand/" if username == "teamleader" else "/admin/")
        assert asked["Location"].startswith("/account/two-factor/verify/")
        code = (
            first_code if username == "teamleader" else f"{TOTP(base64.b32decode(key)).token():06d}"
        )
        verified = client.post("/account/two-factor/verify/", {"code": code})
        assert verified.status_code == 302, verified.content.decode()
        assert client.get("/demand/" if username == "teamleader" else "/admin/").status_code == 200
        client.post("/sign-out/")
    # Running it again renews the recovery code the team leader used.
    seed()
    client.post("/sign-in/", {"username": "teamleader", "password": password})
    assert client.post("/account/two-factor/verify/", {"code": first_code}).status_code == 302


def test_five_service_types(output):
    assert dict(ServiceType.objects.values_list("slug", "name")) == SERVICE_SLUGS


def test_about_six_months_of_contacts_with_a_realistic_failure_share(output):
    now = timezone.now()
    contacts = Contact.objects.all()
    assert contacts.count() == DEFAULT_CONTACTS
    span = contacts.aggregate(first=Min("received_at"))["first"]
    assert now - timedelta(days=183) <= span <= now - timedelta(days=170)
    failure = contacts.filter(demand=Contact.Demand.FAILURE)
    assert 0.40 <= failure.count() / contacts.count() <= 0.70
    # Several kinds of failure, each with a category; prevention notes only on failure.
    assert failure.filter(failure_category__isnull=True).count() == 0
    assert failure.values("failure_category").distinct().count() >= 6
    assert failure.exclude(prevention_note="").count() > failure.count() / 2
    value = contacts.filter(demand=Contact.Demand.VALUE)
    assert not value.filter(Q(failure_category__isnull=False) | ~Q(prevention_note="")).exists()
    # The citizens' own words, varied.
    assert contacts.values("citizen_words").distinct().count() >= 60


def test_chasing_and_repeat_contacts_land_on_the_existing_case(output):
    dirty = Case.objects.annotate(
        contacts_count=Count("contacts"),
        failures=Count("contacts", filter=Q(contacts__demand=Contact.Demand.FAILURE)),
    ).filter(contacts_count__gt=1, failures__gte=1)
    assert dirty.count() > 50
    # A chase is never a case's first contact: it follows up an earlier one.
    chases = Contact.objects.filter(failure_category__slug="progress-chasing")
    assert chases.exists()
    assert not chases.filter(received_at=F("case__opened_at")).exists()
    for slug in ("repeat-contact", "not-done"):
        later = Contact.objects.filter(
            failure_category__slug=slug, received_at__gt=F("case__opened_at")
        )
        assert later.exists()


def test_hand_offs_chain_from_the_first_owner_to_the_current_one(output):
    handoffs = TimelineEntry.objects.filter(kind=TimelineEntry.Kind.HANDOFF)
    assert handoffs.count() > 20
    assert not handoffs.filter(Q(description="") | Q(from_owner=F("to_owner"))).exists()
    front_office = set(group_members(roles.FRONT_OFFICE))
    assert set(handoffs.values_list("to_owner", flat=True)) <= front_office
    first_contacts = Contact.objects.filter(received_at=F("case__opened_at"))
    first_takers = dict(first_contacts.values_list("case_id", "recorded_by_id"))
    team_leaders = set(group_members(roles.TEAM_LEADER))
    changes = {TimelineEntry.Kind.STEP, TimelineEntry.Kind.CLOSED, TimelineEntry.Kind.REOPENED}
    owners = dict(first_takers)  # walked forward through each case's timeline
    handed_off = set()
    for entry in TimelineEntry.objects.order_by("case_id", "occurred_at", "pk"):
        owner = owners[entry.case_id]
        if entry.kind in changes | {TimelineEntry.Kind.HANDOFF}:
            # Only the owner, or a team leader, may change a case.
            assert entry.actor_id == owner or entry.actor_id in team_leaders
        if entry.kind == TimelineEntry.Kind.HANDOFF:
            assert entry.from_owner_id == owner
            owners[entry.case_id] = entry.to_owner_id
            handed_off.add(entry.case_id)
    # The case's owner is the to_owner of its latest hand-off, or else whoever took its first
    # contact.
    assert owners == dict(Case.objects.values_list("pk", "owner_id"))
    assert len(handed_off) > 20


def test_one_stop_contacts_opened_and_closed_their_case_at_once(output):
    one_stop = Contact.objects.filter(is_one_stop=True).select_related("case")
    assert one_stop.count() > 30
    for contact in one_stop:
        case = contact.case
        assert case.status == Case.Status.CLOSED
        assert contact.received_at == case.opened_at
        assert case.closed_at - case.opened_at < timedelta(hours=1)
        assert case.contacts.count() == 1


def test_data_keep_the_case_and_timeline_invariants(output):
    now = timezone.now()
    cases = Case.objects.annotate(first=Min("contacts__received_at"))
    assert not cases.exclude(opened_at=F("first")).exists()
    assert not Contact.objects.exclude(service_type=F("case__service_type")).exists()
    failures = Contact.objects.filter(case=OuterRef("pk"), demand=Contact.Demand.FAILURE)
    assert not Case.objects.exclude(is_dirty=Exists(failures)).exists()
    assert (
        Case.objects.filter(is_dirty=True).exists() and Case.objects.filter(is_dirty=False).exists()
    )
    assert not Contact.objects.filter(received_at__gt=now).exists()
    assert not TimelineEntry.objects.filter(occurred_at__gt=now).exists()
    assert not Case.objects.filter(closed_at__gt=now).exists()

    closed = Case.objects.filter(status=Case.Status.CLOSED)
    assert closed.count() > 300
    assert not closed.filter(
        Q(closed_at__isnull=True) | Q(closed_at__lt=F("opened_at")) | Q(resolution="")
    ).exists()
    closing = TimelineEntry.objects.filter(kind=TimelineEntry.Kind.CLOSED)
    # Every closed case has a closing entry, and its closed_at is its final closure (a reopened
    # case closes again later).
    final_closure = dict(closing.values_list("case_id").annotate(last=Max("occurred_at")))
    assert all(final_closure[case.pk] == case.closed_at for case in closed)

    open_cases = Case.objects.filter(status=Case.Status.OPEN)
    assert open_cases.exists()
    assert not open_cases.filter(Q(closed_at__isnull=False) | ~Q(resolution="")).exists()
    ages = [(now - case.opened_at).days for case in open_cases]
    assert sum(age >= 60 for age in ages) >= 3  # long-running work in progress
    assert statistics.median(ages) < 30  # ... but most open cases are recent

    entries = {
        entry.contact_id: entry
        for entry in TimelineEntry.objects.filter(kind=TimelineEntry.Kind.CONTACT)
    }
    assert len(entries) == Contact.objects.count()
    for contact in Contact.objects.all():
        entry = entries[contact.pk]
        assert entry.case_id == contact.case_id
        assert entry.description == contact.citizen_words[:200]
        assert entry.actor_id == contact.recorded_by_id
        assert entry.occurred_at == contact.received_at

    step_kinds = set(
        TimelineEntry.objects.filter(kind=TimelineEntry.Kind.STEP).values_list(
            "step_kind", flat=True
        )
    )
    assert step_kinds == {"value", "wait", "rework", "check", "chase"}


def test_citizens_look_real_and_some_contacts_are_anonymous(output):
    assert Case.objects.filter(citizen__isnull=True).exists()
    citizens = Citizen.objects.all()
    assert citizens.count() > 200
    for citizen in citizens:
        assert " " in citizen.name
        assert re.fullmatch(r"[A-Z]{1,2}\d{1,2} \d[A-Z]{2}", citizen.postcode)
        assert citizen.address
        assert citizen.phone == "" or re.fullmatch(r"0\d{9,10}", citizen.phone)
    assert citizens.exclude(email="").count() > citizens.count() / 2
    assert Case.objects.exclude(what_matters="").count() > Case.objects.count() / 2


def test_housing_repair_end_to_end_time_drops_after_the_redesign(output):
    redesign_at = timezone.now() - timedelta(days=REDESIGN_DAYS_AGO)
    closed = Case.objects.filter(service_type__slug="housing-repair", status=Case.Status.CLOSED)
    before = [days(case) for case in closed.filter(closed_at__lt=redesign_at)]
    after = [days(case) for case in closed.filter(closed_at__gte=redesign_at)]
    assert len(before) >= 20 and len(after) >= 20
    assert statistics.median(before) > 15
    assert statistics.median(after) < 10
    assert statistics.median(before) > 2 * statistics.median(after)


def test_running_it_again_adds_nothing_and_still_prints_the_logins(output):
    before = counts()
    again = seed()
    assert counts() == before
    assert "already there" in again
    assert "Demo logins (password: " in again
    assert "frontoffice" in again and "teamleader" in again


def test_contacts_option_adds_that_many_more_with_progress(output):
    before = counts()
    added = seed("--contacts", "300")
    assert Contact.objects.count() == before["contacts"] + 300
    assert Case.objects.count() > before["cases"]
    assert len(re.findall(r"^\s+\d+/300 contacts$", added, re.MULTILINE)) >= 5
    assert "  300/300 contacts" in added
    cases = Case.objects.annotate(first=Min("contacts__received_at"))
    assert not cases.exclude(opened_at=F("first")).exists()
    assert TimelineEntry.objects.filter(kind=TimelineEntry.Kind.CONTACT).count() == (
        Contact.objects.count()
    )


def test_contacts_option_on_an_empty_database_makes_exactly_that_many():
    seed("--contacts", "120")
    assert Contact.objects.count() == 120
    assert ServiceType.objects.count() == 5


def test_contacts_must_be_positive():
    with pytest.raises(CommandError):
        seed("--contacts", "0")


@pytest.mark.django_db
def test_refuses_to_run_with_debug_off_unless_allowed():
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Contact.objects.exists()


def test_value_contacts_have_their_services_demand_types(output):
    value = Contact.objects.filter(demand=Contact.Demand.VALUE)
    assert value.exists()
    assert not value.filter(demand_type__isnull=True).exists()
    assert not value.exclude(demand_type__service_type=F("case__service_type")).exists()
    assert not Contact.objects.filter(demand=Contact.Demand.FAILURE, demand_type__isnull=False)
    for service in ServiceType.objects.all():
        assert DemandType.objects.filter(service_type=service, is_active=True).count() >= 3


def test_the_redesign_is_recorded_as_a_system_change(output):
    change = SystemChange.objects.get()
    assert change.service_type.slug == "housing-repair"
    assert change.changed_on == timezone.localdate() - timedelta(days=REDESIGN_DAYS_AGO)


def test_redesigned_service_shows_a_second_phase_with_lower_limits(output):
    from analysis import capability

    housing = ServiceType.objects.get(slug="housing-repair")
    start, end = capability.default_period()
    filters = capability.CapabilityFilters(start=start, end=end)
    series = capability.end_to_end_series(filters.cases(housing))
    chart = capability.capability_chart(
        series.closed_at,
        series.days,
        housing,
        screening=True,
        changes=system_changes_for([housing.pk]),
    ).chart
    before, after = chart.phases
    assert after.upper_limit < before.upper_limit
    assert after.centre_line < before.centre_line


def test_the_repairs_team_found_system_conditions_and_the_redesign_addresses_them(output):
    from demand.notes import note_groups
    from improvement.models import SystemCondition

    change = SystemChange.objects.get()
    conditions = list(SystemCondition.objects.order_by("title"))
    assert len(conditions) == 3
    assert set(change.conditions.all()) == set(conditions)
    assert change.status == SystemChange.Status.ADOPTED
    assert change.purpose and change.method and change.expectation
    redesign = timezone.now() - timedelta(days=REDESIGN_DAYS_AGO)
    for condition in conditions:
        assert condition.service_type.slug == "housing-repair"
        marked = [mark.contact for mark in condition.evidence.select_related("contact")]
        assert marked, condition.title  # the front office marked what it saw
        assert all(c.is_failure and c.received_at < redesign for c in marked)
    # The same note is written in several ways, and grouped back together.
    chasing = Contact.objects.filter(failure_category__slug="progress-chasing")
    top = note_groups(chasing)[0]
    assert len(top.variants) > 1 and top.count > top.variants[0][1]


def test_running_it_again_leaves_the_improvement_register_as_it_was(output):
    from improvement.models import ConditionEvidence, SystemCondition

    before = (SystemCondition.objects.count(), ConditionEvidence.objects.count())
    seed()
    assert (SystemCondition.objects.count(), ConditionEvidence.objects.count()) == before
    assert SystemChange.objects.count() == 1


def test_fixmystreet_is_a_client_with_reports_waiting_and_its_key_printed_once(output, client):
    from demand.models import ArrivedContact

    key = re.search(r"shown this once.*\n\s+(cf311_\S+)", output).group(1)
    waiting = ArrivedContact.objects.filter(contact__isnull=True)
    assert waiting.count() == 3
    assert all(arrival.source == "FixMyStreet" for arrival in waiting)
    assert client.get("/open311/v2/servicerequestupdates.xml", {"api_key": key}).status_code == 200

    again = seed()

    assert "cf311_" not in again
    assert ArrivedContact.objects.count() == 3
