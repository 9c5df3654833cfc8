"""Retention: `manage.py apply_retention` anonymises exactly the closed cases past their service's
retention period, keeps what the statistics need, logs each disposal, and is safe to run again."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.urls import reverse

from cases import services
from cases.models import AuditEntry, Case, Citizen, ServiceType, TimelineEntry
from demand import services as demand_services
from demand.models import Contact
from demand.services import ContactDetails
from records import retention
from tests.charts import spec_points
from tests.factories import ServiceTypeFactory, failure_category
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PLACEHOLDER = retention.PLACEHOLDER


def apply(*args: str, at: datetime = NOW) -> str:
    out = io.StringIO()
    with time_machine.travel(at, tick=False):
        call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def log_case(
    by,
    service: ServiceType,
    marker: str,
    *,
    closed_days_ago: float | None,
    citizen: Citizen | None = None,
    anonymous: bool = False,
    failure: bool = False,
    one_stop: bool = False,
) -> Case:
    """A case recorded through the services, so that its timeline and audit trail are real.
    `marker` is written into every personal or free-text field, to look for afterwards."""
    opened_at = NOW - timedelta(days=(closed_days_ago or 0) + 3)
    details = ContactDetails(
        citizen_words=f"{marker} says: my bin was not collected",
        channel="email" if failure else "phone",
        received_at=opened_at,
        demand="failure" if failure else "value",
        failure_category=failure_category() if failure else None,
        prevention_note=f"{marker} should have been told the date" if failure else "",
    )
    new_citizen = None
    if citizen is None and not anonymous:
        new_citizen = {
            "name": f"{marker} Person",
            "phone": "07700 900123",
            "email": f"{marker.lower()}@example.org",
            "address": f"1 {marker} Street",
            "postcode": "LS6 1AB",
        }
    with time_machine.travel(opened_at + timedelta(minutes=5), tick=False):
        contact = demand_services.contact_log_new_case(
            by=by,
            service_type=service,
            citizen=citizen,
            new_citizen=new_citizen,
            details=details,
            what_matters=f"{marker} is away from Friday",
            resolution=f"Met for {marker} at once" if one_stop else "",
        )
    case = contact.case
    if closed_days_ago is not None and not one_stop:
        closed_at = NOW - timedelta(days=closed_days_ago)
        with time_machine.travel(closed_at, tick=False):
            services.case_record_step(
                case=case,
                by=by,
                step_kind="value",
                description=f"Rang {marker} back",
                occurred_at=closed_at - timedelta(hours=1),
            )
            services.case_close(
                case=case, by=by, resolution=f"New bin taken to {marker}", closed_at=closed_at
            )
    case.refresh_from_db()
    return case


def texts_holding(marker: str) -> list[str]:
    """Every place the marker is still written, as model:field."""
    places = []
    for model, fields in [
        (Case, ["what_matters", "resolution"]),
        (Citizen, ["name", "email", "address"]),
        (Contact, ["citizen_words", "prevention_note"]),
        (TimelineEntry, ["description"]),
        (AuditEntry, ["old_value", "new_value"]),
    ]:
        for field in fields:
            if model.objects.filter(**{f"{field}__icontains": marker}).exists():
                places.append(f"{model.__name__}.{field}")
    return places


@pytest.fixture
def world(front_office):
    """Bins keep 30 days, housing 90. Each case's marker says what should happen to it."""
    bins = ServiceTypeFactory(name="Missed bin", slug="missed-bin", retention_days=30)
    housing = ServiceTypeFactory(name="Housing repair", slug="housing-repair", retention_days=90)
    by = front_office
    cases = {
        "BinsOld": log_case(by, bins, "BinsOld", closed_days_ago=40, failure=True),
        "BinsJustPast": log_case(by, bins, "BinsJustPast", closed_days_ago=30.1),
        "BinsJustInside": log_case(by, bins, "BinsJustInside", closed_days_ago=29.9),
        "BinsOneStopOld": log_case(by, bins, "BinsOneStopOld", closed_days_ago=50, one_stop=True),
        "HousingSixtyDays": log_case(by, housing, "HousingSixtyDays", closed_days_ago=60),
        "HousingOld": log_case(by, housing, "HousingOld", closed_days_ago=100),
        "AnonymousOld": log_case(by, bins, "AnonymousOld", closed_days_ago=45, anonymous=True),
        "OpenLongAgo": log_case(by, bins, "OpenLongAgo", closed_days_ago=None),
    }
    # A citizen with an old case and a recent one: their details stay for the recent one.
    kept = cases["HousingSixtyDays"].citizen
    cases["KeptCitizenOld"] = log_case(
        by, bins, "KeptCitizenOld", closed_days_ago=200, citizen=kept
    )
    # A citizen with an old case and an open one: their details stay for the open one.
    waiting = cases["OpenLongAgo"].citizen
    cases["WaitingCitizenOld"] = log_case(
        by, housing, "WaitingCitizenOld", closed_days_ago=300, citizen=waiting
    )
    # A citizen with two old cases on two services: gone, once.
    twice = cases["HousingOld"].citizen
    cases["TwiceOld"] = log_case(by, bins, "TwiceOld", closed_days_ago=31, citizen=twice)
    return cases


PAST = {
    "BinsOld",
    "BinsJustPast",
    "BinsOneStopOld",
    "HousingOld",
    "AnonymousOld",
    "KeptCitizenOld",
    "WaitingCitizenOld",
    "TwiceOld",
}


def test_exactly_the_cases_past_their_services_period_are_anonymised(world):
    output = apply()

    anonymised = {
        name for name, case in world.items() if Case.objects.get(pk=case.pk).anonymised_at
    }
    assert anonymised == PAST
    assert "Done: 8 cases and 4 citizens anonymised" in output
    for name in PAST:
        assert texts_holding(name) == [], name
    for name in set(world) - PAST:
        assert "Case.what_matters" in texts_holding(name), name
        assert "Contact.citizen_words" in texts_holding(name), name


def test_a_citizen_is_kept_while_another_of_their_cases_needs_them(world):
    apply()

    for name in ["HousingSixtyDays", "OpenLongAgo"]:
        citizen = Citizen.objects.get(pk=world[name].citizen_id)
        assert citizen.name == f"{name} Person" and citizen.phone == "07700900123"
        assert citizen.anonymised_at is None
    for name in ["BinsOld", "BinsJustPast", "BinsOneStopOld", "HousingOld"]:
        citizen = Citizen.objects.get(pk=world[name].citizen_id)
        assert (citizen.name, citizen.phone, citizen.email, citizen.address, citizen.postcode) == (
            "",
            "",
            "",
            "",
            "",
        )
        assert citizen.anonymised_at == NOW
        assert str(citizen) == "Details removed (retention period ended)"
    # The kept citizens' old cases lost their words all the same, and the case no longer
    # names its citizen in its own audit trail.
    assert texts_holding("KeptCitizenOld") == []
    assert not AuditEntry.objects.filter(
        case_id=world["KeptCitizenOld"].pk, new_value__contains="HousingSixtyDays"
    ).exists()


def test_what_the_statistics_need_is_kept(world):
    def statistics():
        return {
            "cases": list(
                Case.objects.order_by("pk").values_list(
                    "pk", "service_type", "citizen", "owner", "status", "opened_at", "closed_at"
                )
            ),
            "contacts": list(
                Contact.objects.order_by("pk").values_list(
                    "pk",
                    "case",
                    "received_at",
                    "channel",
                    "demand",
                    "demand_type",
                    "failure_category",
                    "is_one_stop",
                    "recorded_by",
                )
            ),
            "by_demand": dict(
                Contact.objects.values_list("demand").annotate(n=Count("pk")).order_by()
            ),
            "steps": list(
                TimelineEntry.objects.order_by("pk").values_list(
                    "pk", "case", "kind", "step_kind", "occurred_at", "actor", "contact_id"
                )
            ),
        }

    before = statistics()
    apply()
    assert statistics() == before
    assert Contact.objects.filter(is_one_stop=True).count() == 1


def test_the_words_are_gone_from_contacts_timeline_and_audit_trail(world):
    apply()

    case = world["BinsOld"]
    contact = case.contacts.get()
    assert contact.citizen_words == PLACEHOLDER
    assert contact.prevention_note == ""
    assert contact.failure_category.slug == "progress-chasing"
    case = Case.objects.get(pk=case.pk)
    assert (case.what_matters, case.resolution) == (PLACEHOLDER, PLACEHOLDER)
    assert set(case.timeline.values_list("description", flat=True)) == {PLACEHOLDER}
    assert set(case.timeline.values_list("kind", flat=True)) == {"contact", "step", "closed"}
    words = AuditEntry.objects.get(case_id=case.pk, field="citizen_words")
    assert (words.old_value, words.new_value) == ("", PLACEHOLDER)
    citizen_name = AuditEntry.objects.get(
        object_type="citizen", field="name", object_id=case.citizen_id
    )
    assert citizen_name.new_value == PLACEHOLDER
    # Audit entries with nothing personal in them are untouched.
    status = AuditEntry.objects.get(case_id=case.pk, field="status", action="changed")
    assert (status.old_value, status.new_value) == ("Open", "Closed")


def test_each_disposal_is_logged(world):
    apply()

    logged = AuditEntry.objects.filter(action=AuditEntry.Action.ANONYMISED)
    cases = logged.filter(object_type="case")
    assert set(cases.values_list("case_id", flat=True)) == {world[name].pk for name in PAST}
    assert set(cases.values_list("object_id", flat=True)) == {world[name].pk for name in PAST}
    entry = cases.get(case_id=world["HousingOld"].pk)
    assert entry.actor is None and entry.actor_label == "apply_retention"
    assert entry.occurred_at == NOW
    assert entry.new_value == (
        "Personal data and citizens' words removed: retention of 90 days after closure ended"
    )
    citizens = logged.filter(object_type="citizen")
    gone = {world[name].citizen_id for name in ["BinsOld", "BinsJustPast", "BinsOneStopOld"]}
    assert set(citizens.values_list("object_id", flat=True)) == gone | {
        world["HousingOld"].citizen_id
    }
    assert citizens.count() == 4  # the citizen with two old cases is logged once


def test_the_case_history_shows_the_disposal(world, team_leader, client):
    apply()
    sign_in(client, team_leader)

    html = client.get(reverse("cases:history", args=[world["HousingOld"].reference])).content
    assert b"Anonymised (retention)" in html and b"apply_retention" in html
    assert b"retention of 90 days after closure ended" in html
    assert b"HousingOld" not in html


def test_dry_run_counts_per_service_and_changes_nothing(world):
    audit_before = AuditEntry.objects.count()
    words_before = sorted(Contact.objects.values_list("citizen_words", flat=True))

    output = apply("--dry-run")

    assert "Dry run: nothing is changed." in output
    assert "Housing repair: 2 cases closed before 2 December 2025 (90 days' retention)" in output
    assert "Missed bin: 6 cases closed before 31 January 2026 (30 days' retention)" in output
    assert "Would anonymise 8 cases and 4 citizens" in output
    assert AuditEntry.objects.count() == audit_before
    assert sorted(Contact.objects.values_list("citizen_words", flat=True)) == words_before
    assert not Case.objects.filter(anonymised_at__isnull=False).exists()
    assert not Citizen.objects.filter(anonymised_at__isnull=False).exists()


def test_dry_run_agrees_with_the_run(world):
    preview = apply("--dry-run")
    output = apply()

    would = re.search(r"Would anonymise (\d+) cases and (\d+) citizens", preview).groups()
    done = re.search(r"Done: (\d+) cases and (\d+) citizens", output).groups()
    assert would == done


def test_a_second_run_changes_nothing(world):
    apply()
    audit_after_first = list(AuditEntry.objects.values_list("pk", "old_value", "new_value"))

    output = apply(at=NOW + timedelta(hours=1))

    assert "nothing to anonymise" in output
    assert list(AuditEntry.objects.values_list("pk", "old_value", "new_value")) == (
        audit_after_first
    )
    assert "nothing to anonymise" in apply("--dry-run", at=NOW + timedelta(hours=1))


def test_a_later_run_takes_the_cases_whose_period_has_since_ended(world):
    apply()

    output = apply(at=NOW + timedelta(days=1))

    # BinsJustInside is now past 30 days; its citizen has no other case.
    assert "Done: 1 cases and 1 citizens anonymised" in output
    assert Case.objects.get(pk=world["BinsJustInside"].pk).anonymised_at is not None


def test_the_kept_citizen_goes_with_their_last_case(world):
    apply(at=NOW + timedelta(days=31))  # HousingSixtyDays is now 91 days past closure

    citizen = Citizen.objects.get(pk=world["HousingSixtyDays"].citizen_id)
    assert citizen.anonymised_at is not None and citizen.name == ""
    assert texts_holding("HousingSixtyDays") == []
    # The citizen waiting on an open case is still kept.
    assert Citizen.objects.get(pk=world["OpenLongAgo"].citizen_id).name == "OpenLongAgo Person"


def test_progress_is_shown_batch_by_batch(world):
    output = apply("--batch-size", "3")

    assert "Anonymising 8 cases past their retention period..." in output
    assert re.findall(r"^  (\d+/\d+) cases$", output, re.MULTILINE) == ["3/8", "6/8", "8/8"]
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 8


def test_batch_size_must_be_positive():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("apply_retention", "--batch-size", "0", stdout=io.StringIO())


def test_nothing_to_do_on_an_empty_database():
    assert "nothing to anonymise" in apply()


def test_a_case_reopened_after_selection_keeps_its_data(world, front_office):
    # A batch re-checks each case under its row lock; the selection was made before.
    case = world["BinsOld"]
    Case.objects.filter(pk=case.pk).update(status=Case.Status.OPEN, closed_at=None)

    with time_machine.travel(NOW, tick=False):
        done = retention.case_anonymise_batch(case_ids=[case.pk], now=NOW)

    assert (done.cases, done.citizens) == (0, 0)
    assert "Contact.citizen_words" in texts_holding("BinsOld")


def test_an_anonymised_case_cannot_be_reopened(world, team_leader, client):
    apply()
    case = world["BinsOld"]

    with pytest.raises(ValidationError, match="retention period ended"):
        services.case_reopen(case=case, by=team_leader, reason="Again", reopened_at=NOW)

    sign_in(client, team_leader)
    html = client.get(case.get_absolute_url()).content.decode()
    assert "were removed on" in html and "Details removed on" in html
    assert reverse("demand:reopen", args=[case.reference]) not in html


def test_a_subject_access_request_after_retention_finds_nothing_personal(
    world, team_leader, client
):
    apply()
    sign_in(client, team_leader)

    data = client.get(reverse("records:citizen_data", args=[world["HousingOld"].citizen_id])).json()

    assert data["citizen"]["anonymised_at"] is not None
    assert [case["reference"] for case in data["cases"]] == [
        world["HousingOld"].reference,
        world["TwiceOld"].reference,
    ]
    text = str(data)
    assert "HousingOld" not in text and "TwiceOld" not in text
    assert data["cases"][0]["contacts"][0]["citizen_words"] == PLACEHOLDER


def test_the_charts_still_draw_the_same_points(world, team_leader, client):
    period = {"from": "2025-01-01", "to": "2026-03-02"}
    pages = {
        "housing": reverse("analysis:capability_chart", args=["housing-repair"]),
        "all": reverse("analysis:capability_chart", args=["all"]),
        "pareto": reverse("analysis:pareto"),
    }

    def draw():
        with time_machine.travel(NOW, tick=False):
            sign_in(client, team_leader)
            responses = {name: client.get(url, period) for name, url in pages.items()}
            overview = client.get(reverse("analysis:overview"), period)
        assert {r.status_code for r in responses.values()} == {200}
        assert overview.status_code == 200
        return {
            "housing": [p["y"] for p in spec_points(responses["housing"].context["spec"])],
            "all": [p["y"] for p in spec_points(responses["all"].context["spec"])],
            "pareto": responses["pareto"].context["spec"]["bars"],
            "overview": overview.context["overview"],
        }

    before = draw()
    assert len(before["all"]) == 10  # every closed case
    assert [bar["count"] for bar in before["pareto"]] == [1]
    apply()
    assert draw() == before


def test_on_the_demo_data_exactly_the_cases_past_a_short_period_go(team_leader, client):
    """The issue's check: retention on the demo data anonymises exactly the cases past their
    period, and the charts still draw."""
    with time_machine.travel(datetime.now(tz=UTC), tick=False):
        call_command("seed_demo", "--allow-production", stdout=io.StringIO())
        ServiceType.objects.filter(slug="missed-bin-collection").update(retention_days=30)
        now = datetime.now(tz=UTC)
        bins = Case.objects.filter(service_type__slug="missed-bin-collection")
        expected = set(
            bins.filter(status="closed", closed_at__lt=now - timedelta(days=30)).values_list(
                "pk", flat=True
            )
        )
        assert expected and bins.exclude(pk__in=expected).filter(status="closed").exists()
        needed = Case.objects.exclude(pk__in=expected).exclude(citizen=None).values("citizen")
        citizens = set(
            Citizen.objects.filter(cases__in=expected)
            .exclude(pk__in=needed)
            .values_list("pk", flat=True)
        )
        sign_in(client, team_leader)
        pages = [
            reverse("analysis:capability_chart", args=["missed-bin-collection"]),
            reverse("analysis:capability_chart", args=["all"]),
        ]
        before = [spec_points(client.get(url).context["spec"]) for url in pages]
        overview = client.get(reverse("analysis:overview")).context["overview"]

        output = apply(at=now)

        assert f"Done: {len(expected)} cases and {len(citizens)} citizens anonymised" in output
        anonymised = Case.objects.filter(anonymised_at__isnull=False)
        assert set(anonymised.values_list("pk", flat=True)) == expected
        assert (
            set(Citizen.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True))
            == citizens
        )
        removed = Contact.objects.filter(citizen_words=PLACEHOLDER)
        assert set(removed.values_list("case_id", flat=True)) == expected
        assert [spec_points(client.get(url).context["spec"]) for url in pages] == before
        assert client.get(reverse("analysis:overview")).context["overview"] == overview


def test_the_retention_period_defaults_to_six_years(db):
    service = ServiceType.objects.create(name="New service", slug="new-service")
    assert service.retention_days == 2190
