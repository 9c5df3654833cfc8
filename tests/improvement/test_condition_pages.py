"""The register's pages for system conditions and evidence: each view's ladder (who may, GET,
happy path, bad input keeps what was typed), a note on the Pareto becoming a condition with its
contacts, a condition's page with its evidence live, and marking a contact as evidence."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from demand.models import Contact, DemandType
from demand.notes import group_notes
from improvement import services
from improvement.models import ConditionEvidence, SystemCondition
from lib.periods import last_full_weeks
from tests.factories import (
    CaseFactory,
    ContactFactory,
    ServiceTypeFactory,
    SystemChangeFactory,
    SystemConditionFactory,
    failure_category,
)
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db

NOTE = "Tell them what happens next and when"


@pytest.fixture
def repairs():
    return ServiceTypeFactory(name="Housing repairs", slug="housing-repairs")


def last_week_day(weekday: int = 2):
    """A day of the last whole week (a Wednesday by default), at noon."""
    start, _ = last_full_weeks(1)
    day = start + timedelta(days=weekday)
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 12))


def chase(case, *, note=NOTE, category="progress-chasing", words="Where is my repair?", when=None):
    return ContactFactory(
        case=case,
        demand=Contact.Demand.FAILURE,
        failure_category=failure_category(category),
        prevention_note=note,
        citizen_words=words,
        received_at=when or last_week_day(),
    )


def banner(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


# --- The register of conditions ---------------------------------------------------------------


def test_the_front_office_reads_the_register_but_records_nothing(fo_client, repairs):
    SystemConditionFactory(service_type=repairs, title="Letters give no date")
    html = fo_client.get(reverse("improvement:conditions")).content.decode()
    assert "Letters give no date" in html
    assert "Record a system condition" not in html
    assert fo_client.get(reverse("improvement:condition_new")).status_code == 403


def test_the_register_by_service_keeps_council_wide_conditions(tl_client, repairs):
    SystemConditionFactory(service_type=repairs, title="Letters give no date")
    SystemConditionFactory(service_type=None, title="The phone menu sends people round")
    SystemConditionFactory(service_type=ServiceTypeFactory(), title="Crews have no round sheet")
    html = tl_client.get(reverse("improvement:conditions"), {"service": repairs.slug}).content
    html = html.decode()
    assert "Letters give no date" in html and "The phone menu sends people round" in html
    assert "Crews have no round sheet" not in html


def test_an_empty_register_says_where_to_start(tl_client):
    html = tl_client.get(reverse("improvement:conditions")).content.decode()
    assert "No system conditions recorded yet." in html
    assert reverse("analysis:pareto") in html


def test_recording_a_condition(tl_client, team_leader, repairs):
    response = tl_client.post(
        reverse("improvement:condition_new"),
        {
            "title": "Letters give no date",
            "kind": "information",
            "service_type": repairs.pk,
            "failure_categories": [failure_category("progress-chasing").pk],
            "waste_step_kinds": ["wait"],
        },
    )
    condition = SystemCondition.objects.get()
    assert response.status_code == 302
    assert response.url == condition.get_absolute_url()
    assert condition.recorded_by == team_leader and condition.waste_step_kinds == ["wait"]
    assert "System condition recorded" in banner(response)


def test_a_condition_without_title_or_kind_is_refused_and_keeps_what_was_typed(tl_client):
    response = tl_client.post(
        reverse("improvement:condition_new"),
        {"title": "", "description": "The letter says booked, not when."},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Say in plain words what in the work causes it." in html
    assert "Choose what kind of condition it is." in html
    assert "The letter says booked, not when." in html
    assert not SystemCondition.objects.exists()


def test_get_on_the_register_refuses_other_methods(tl_client):
    assert tl_client.put(reverse("improvement:conditions")).status_code == 405


# --- A note on the Pareto becomes a condition, with its contacts ------------------------------


@pytest.fixture
def noted(repairs):
    """Four repairs chases with the same note written three ways, one with another note, and
    one bins chase with the note."""
    case = CaseFactory(service_type=repairs, opened_at=last_week_day(0))
    contacts = [
        chase(case, note=NOTE),
        chase(case, note="tell them what happens next, and when."),
        chase(case, note="Tell them what happens next & when"),
        chase(case, note="Book the visit with the tenant"),
    ]
    bins = CaseFactory(service_type=ServiceTypeFactory(name="Bins"), opened_at=last_week_day(0))
    return contacts, chase(bins, note=NOTE)


def test_the_pareto_offers_each_grouped_note_as_a_condition(tl_client, noted):
    response = tl_client.get(reverse("analysis:pareto"))
    chasing = response.context["bars"][0]
    assert [(g.text, g.count) for g in chasing["notes"]] == [
        (NOTE, 4),
        ("Book the visit with the tenant", 1),
    ]
    html = response.content.decode()
    assert f"?note={chasing['notes'][0].ref}&amp;category=progress-chasing" in html
    assert "Record it as a system condition" in html


def _from_note(**extra):
    """The link's parameters for the group of NOTE, over the Pareto's default period."""
    (group,) = group_notes([(NOTE, 1)])  # the same normalised words: the same reference
    start, end = last_full_weeks()
    return {
        "note": group.ref,
        "category": "progress-chasing",
        "from": start.isoformat(),
        "to": end.isoformat(),
        **extra,
    }


def test_a_note_starts_the_form_filled_in_and_says_what_it_carries(tl_client, noted):
    html = tl_client.get(reverse("improvement:condition_new"), _from_note()).content.decode()
    assert f'value="{NOTE}"' in html  # the title, from the note
    assert "written 4 times under <strong>Progress chasing</strong>" in html
    assert "The 4 contacts it was written on will be marked" in html


def test_recording_from_a_note_marks_its_contacts_of_the_conditions_service(
    tl_client, noted, repairs
):
    source = _from_note()
    response = tl_client.post(
        reverse("improvement:condition_new"),
        {
            **source,
            "title": NOTE,
            "kind": "information",
            "service_type": repairs.pk,
            "failure_categories": [failure_category("progress-chasing").pk],
        },
    )
    condition = SystemCondition.objects.get()
    marked = set(ConditionEvidence.objects.values_list("contact_id", flat=True))
    repairs_with_note = {c.pk for c in noted[0][:3]}
    assert response.status_code == 302
    assert marked == repairs_with_note  # not the other note, not the bins contact
    assert "with 3 contacts as its evidence" in banner(response)
    assert condition.evidence.count() == 3


def test_a_council_wide_condition_from_a_note_marks_every_service(tl_client, noted):
    tl_client.post(
        reverse("improvement:condition_new"),
        {**_from_note(), "title": NOTE, "kind": "information", "service_type": ""},
    )
    assert ConditionEvidence.objects.count() == 4


def test_a_note_no_longer_there_says_so_and_records_without_contacts(tl_client, noted):
    source = _from_note(note="000000000000")
    html = tl_client.get(reverse("improvement:condition_new"), source).content.decode()
    assert "That note is no longer among the notes of the period" in html


# --- A condition's page: its evidence, live --------------------------------------------------


def test_a_conditions_page_shows_its_evidence_live(fo_client, front_office, repairs):
    condition = SystemConditionFactory(
        service_type=repairs, title="Letters give no date", waste_step_kinds=["wait"]
    )
    case = CaseFactory(service_type=repairs, opened_at=last_week_day(0))
    chase(case, words="Nobody has told me when they're coming", note=NOTE)
    chase(case, words="Still waiting to hear", note="tell them what happens next and when!")
    other = chase(case, category="not-done", words="They never came", note="")
    services.evidence_mark(condition=condition, contact=other, by=front_office)
    case.timeline.create(
        kind="step",
        step_kind="wait",
        description="Waiting for the contractor's slot.",
        actor=front_office,
        occurred_at=last_week_day(3),
    )
    change = SystemChangeFactory(service_type=repairs, conditions=[condition])

    response = fo_client.get(condition.get_absolute_url())
    html = response.content.decode()

    assert response.context["linked_count"] == 3  # two of its kind, one marked
    spec = response.context["chart"]["spec"]
    assert spec["columns"]["y"][-1] == 3  # last week
    assert spec["lower_is_better"] is True
    notes = response.context["notes"]
    assert [(n.text, n.count) for n in notes] == [(NOTE, 2)]
    assert "Nobody has told me when they&#x27;re coming" in html
    assert "They never came" in html  # marked: in the words and the list of marks
    assert "Waiting for the contractor&#x27;s slot." in html
    assert change.get_absolute_url() in html
    assert "Change this condition" not in html  # the front office reads it


def test_a_conditions_page_runs_a_fixed_number_of_queries(
    tl_client, front_office, repairs, django_assert_max_num_queries
):
    condition = SystemConditionFactory(service_type=repairs, waste_step_kinds=["wait"])
    url = condition.get_absolute_url()

    def add_evidence():
        case = CaseFactory(service_type=repairs, opened_at=last_week_day(0))
        services.evidence_mark(condition=condition, contact=chase(case), by=front_office)

    add_evidence()
    with django_assert_max_num_queries(100) as few:
        tl_client.get(url)
    for _ in range(5):
        add_evidence()
    with django_assert_max_num_queries(len(few.captured_queries)):
        tl_client.get(url)


def test_an_unknown_condition_is_a_404(tl_client):
    assert tl_client.get(reverse("analysis:condition", kwargs={"pk": 999999})).status_code == 404


# --- Correcting and withdrawing a condition ----------------------------------------------------


def test_a_condition_is_corrected_and_a_stale_form_is_refused_with_the_text_kept(
    tl_client, repairs
):
    condition = SystemConditionFactory(service_type=repairs)
    url = reverse("improvement:condition_correct", kwargs={"pk": condition.pk})
    form = {
        "title": "Letters give no date or time",
        "kind": "information",
        "service_type": repairs.pk,
        "failure_categories": [failure_category("progress-chasing").pk],
        "version": 1,
        "shown_at": timezone.now().isoformat(),
    }
    assert tl_client.post(url, form).status_code == 302
    condition.refresh_from_db()
    assert condition.title == "Letters give no date or time" and condition.version == 2

    stale = tl_client.post(url, {**form, "title": "My later words"})
    html = stale.content.decode()
    assert stale.status_code == 200
    assert "Nothing was saved" in html and "My later words" in html
    assert "Someone else changed this system condition" in html


def test_a_withdrawn_condition_cannot_be_changed(tl_client, team_leader):
    condition = SystemConditionFactory()
    url = reverse("improvement:condition_withdraw", kwargs={"pk": condition.pk})
    response = tl_client.post(url, {"reason": "Recorded twice", "version": 1})
    assert response.status_code == 302
    again = tl_client.get(reverse("improvement:condition_correct", kwargs={"pk": condition.pk}))
    assert again.status_code == 302
    assert "was withdrawn" in banner(again)


def test_withdrawing_a_condition_needs_a_reason(tl_client):
    condition = SystemConditionFactory()
    url = reverse("improvement:condition_withdraw", kwargs={"pk": condition.pk})
    response = tl_client.post(url, {"reason": "", "version": 1})
    assert "Say why you are withdrawing this condition." in response.content.decode()


# --- Marking a contact as evidence -------------------------------------------------------------


@pytest.fixture
def a_chase(repairs):
    return chase(CaseFactory(service_type=repairs, opened_at=last_week_day(0)))


def test_the_case_page_offers_to_mark_each_contact(fo_client, a_chase):
    html = fo_client.get(a_chase.case.get_absolute_url()).content.decode()
    assert reverse("improvement:mark_evidence", kwargs={"pk": a_chase.pk}) in html


def test_the_mark_page_offers_the_contacts_service_and_council_wide_conditions(
    fo_client, a_chase, repairs
):
    ours = SystemConditionFactory(service_type=repairs, title="Letters give no date")
    everyone = SystemConditionFactory(service_type=None, title="The phone menu")
    SystemConditionFactory(service_type=ServiceTypeFactory(), title="Crews have no sheet")
    response = fo_client.get(reverse("improvement:mark_evidence", kwargs={"pk": a_chase.pk}))
    assert list(response.context["conditions"]) == [ours, everyone]
    assert "Crews have no sheet" not in response.content.decode()


def test_marking_is_saved_once_and_goes_back_where_it_came_from(fo_client, a_chase, repairs):
    condition = SystemConditionFactory(service_type=repairs)
    url = reverse("improvement:mark_evidence", kwargs={"pk": a_chase.pk})
    back = f"{reverse('cases:list')}?q=repair"
    for _ in range(2):
        response = fo_client.post(url, {"condition": condition.pk, "next": back})
        assert response.status_code == 302 and response.url == back
    assert ConditionEvidence.objects.count() == 1
    elsewhere = fo_client.post(url, {"condition": condition.pk, "next": "https://evil.example/"})
    assert elsewhere.url == a_chase.case.get_absolute_url()


def test_marking_without_choosing_says_so(fo_client, a_chase, repairs):
    SystemConditionFactory(service_type=repairs)
    url = reverse("improvement:mark_evidence", kwargs={"pk": a_chase.pk})
    response = fo_client.post(url, {})
    assert "Choose the system condition it is evidence of." in response.content.decode()
    assert not ConditionEvidence.objects.exists()


def test_a_mark_is_taken_back_by_who_made_it_or_a_team_leader(
    client, front_office, other_front_office, team_leader, a_chase, repairs
):
    condition = SystemConditionFactory(service_type=repairs)
    mark = services.evidence_mark(condition=condition, contact=a_chase, by=front_office)
    remove = reverse("improvement:remove_evidence", kwargs={"pk": mark.pk})

    sign_in(client, other_front_office)
    assert client.post(remove).status_code == 403
    sign_in(client, front_office)
    assert client.post(remove).status_code == 302
    mark.refresh_from_db()
    assert mark.removed_by == front_office

    again = services.evidence_mark(condition=condition, contact=a_chase, by=front_office)
    sign_in(client, team_leader)
    client.post(reverse("improvement:remove_evidence", kwargs={"pk": again.pk}))
    again.refresh_from_db()
    assert again.removed_by == team_leader


def test_an_unknown_contact_is_a_404(fo_client):
    url = reverse("improvement:mark_evidence", kwargs={"pk": 999999})
    assert fo_client.get(url).status_code == 404


# --- Changes address conditions ---------------------------------------------------------------


def test_the_front_office_reads_the_changes_but_cannot_record_one(fo_client, repairs):
    SystemChangeFactory(service_type=repairs, description="Repairs booked on the call")
    html = fo_client.get(reverse("improvement:changes")).content.decode()
    assert "Repairs booked on the call" in html and "Record change" not in html
    assert fo_client.post(reverse("improvement:changes"), {}).status_code == 403


def test_recording_a_change_that_addresses_a_condition(tl_client, repairs):
    condition = SystemConditionFactory(service_type=repairs)
    page = tl_client.get(reverse("improvement:changes"), {"condition": condition.pk})
    assert f'value="{condition.pk}" checked' in page.content.decode()
    response = tl_client.post(
        reverse("improvement:changes"),
        {
            "changed_on": timezone.localdate().isoformat(),
            "service_type": repairs.pk,
            "description": "Letters now give the day and the time",
            "conditions": [condition.pk],
            "expectation": "Fewer tenants ringing to ask when",
            "status": "trying",
        },
    )
    assert response.status_code == 302
    assert list(condition.changes.values_list("expectation", flat=True)) == [
        "Fewer tenants ringing to ask when"
    ]


def test_a_change_that_expects_a_target_is_refused_with_its_words_kept(tl_client, repairs):
    response = tl_client.post(
        reverse("improvement:changes"),
        {
            "changed_on": timezone.localdate().isoformat(),
            "service_type": repairs.pk,
            "description": "Letters now give the day and the time",
            "expectation": "Hit the 80% target",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "CouncilFlow keeps no targets" in html
    assert "Letters now give the day and the time" in html


def test_a_demand_type_of_the_condition_is_offered_by_service(tl_client, repairs):
    DemandType.objects.create(service_type=repairs, name="Report a leak")
    html = tl_client.get(reverse("improvement:condition_new")).content.decode()
    assert "Housing repairs: Report a leak" in html


def test_the_register_and_the_mark_page_run_a_fixed_number_of_queries(
    fo_client, front_office, repairs, a_chase
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert fo_client.get(url).status_code == 200
        return len(captured)

    register = reverse("improvement:conditions")
    mark = reverse("improvement:mark_evidence", kwargs={"pk": a_chase.pk})
    first = SystemConditionFactory(service_type=repairs)
    first.demand_types.add(DemandType.objects.create(service_type=repairs, name="Report a leak"))
    services.evidence_mark(condition=first, contact=a_chase, by=front_office)
    before = queries(register), queries(mark)
    for n in range(4):
        condition = SystemConditionFactory(service_type=repairs, demand_types=[])
        condition.demand_types.add(DemandType.objects.create(service_type=repairs, name=f"D{n}"))
        services.evidence_mark(condition=condition, contact=a_chase, by=front_office)
    assert (queries(register), queries(mark)) == before
