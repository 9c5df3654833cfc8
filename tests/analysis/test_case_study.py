"""A system change's case study: what was found before the change (its failure demand by kind,
the conditions it addresses with their evidence, the citizens' words, the notes), what was
changed and how, and the four measures' verdicts; a fixed number of queries; it prints."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from demand.models import Contact
from improvement import services
from improvement.selectors import system_conditions
from tests.factories import (
    CaseFactory,
    ContactFactory,
    ServiceTypeFactory,
    SystemChangeFactory,
    SystemConditionFactory,
    failure_category,
)

pytestmark = pytest.mark.django_db


def at(days_ago: int):
    return timezone.now() - timedelta(days=days_ago)


@pytest.fixture
def story(front_office):
    """Housing repairs chased before a change that addresses 'letters give no date'."""
    repairs = ServiceTypeFactory(name="Housing repairs", slug="housing-repairs")
    condition = SystemConditionFactory(service_type=repairs, title="Letters give no date")
    for days_ago, words, note in [
        (40, "When are they coming?", "Give them a date"),
        (35, "Nobody rang me back", "give them a date."),
        (30, "Is anyone coming at all?", "Ring before the visit"),
    ]:
        case = CaseFactory(service_type=repairs, opened_at=at(days_ago + 2))
        ContactFactory(
            case=case,
            demand=Contact.Demand.FAILURE,
            failure_category=failure_category("progress-chasing"),
            citizen_words=words,
            prevention_note=note,
            received_at=at(days_ago),
        )
    complaint = ContactFactory(
        case=CaseFactory(service_type=repairs, opened_at=at(29)),
        demand=Contact.Demand.FAILURE,
        failure_category=failure_category("complaint"),
        citizen_words="I want to complain about the waiting",
        received_at=at(28),
    )
    services.evidence_mark(condition=condition, contact=complaint, by=front_office)
    change = SystemChangeFactory(
        service_type=repairs,
        changed_on=timezone.localdate() - timedelta(days=14),
        conditions=[condition],
        purpose="Fix my repair at a time that suits me, first time.",
        method="Two call-takers booked visits with the tenants for four weeks.",
        expectation="Tenants no longer ring to ask when.",
    )
    return change, condition


def test_the_case_study_tells_what_was_found_changed_and_what_happened(fo_client, story):
    change, condition = story
    response = fo_client.get(reverse("analysis:case_study", kwargs={"pk": change.pk}))
    html = response.content.decode()
    found = response.context["found"]

    assert [(row["name"], row["count"]) for row in found.pareto] == [
        ("Progress chasing", 3),
        ("Complaint", 1),
    ]
    (item,) = found.conditions
    assert (item.condition, item.failure_demand, item.marked) == (condition, 4, 1)
    assert [(g.text, g.count) for g in found.notes] == [
        ("Give them a date", 2),
        ("Ring before the visit", 1),
    ]
    assert found.words[0].citizen_words == "I want to complain about the waiting"  # latest
    for words in (
        "1. Purpose",
        "Fix my repair at a time that suits me, first time.",
        "2. What we found",
        "Letters give no date",
        "3. What we changed, and how",
        "Two call-takers booked visits",
        "Tenants no longer ring to ask when.",
        "4. What happened",
        "End-to-end time",
    ):
        assert words in html
    assert len(response.context["result"].measures) == 4


def test_a_change_with_no_conditions_says_so(tl_client):
    change = SystemChangeFactory()
    html = tl_client.get(reverse("analysis:case_study", kwargs={"pk": change.pk})).content
    assert "The change was not linked to the system conditions it addresses." in html.decode()


def test_the_case_study_runs_a_fixed_number_of_queries(
    tl_client, story, front_office, django_assert_max_num_queries
):
    change, condition = story
    url = reverse("analysis:case_study", kwargs={"pk": change.pk})
    with django_assert_max_num_queries(200) as first:
        tl_client.get(url)
    more = SystemConditionFactory(service_type=change.service_type, title="Trades without parts")
    services.system_change_correct(
        change=change,
        by=change.recorded_by,
        changed_on=change.changed_on,
        service_type=change.service_type,
        description=change.description,
        conditions=[condition, more],
    )
    for days_ago in (33, 31, 26):
        case = CaseFactory(service_type=change.service_type, opened_at=at(days_ago + 1))
        ContactFactory(case=case, failure=True, received_at=at(days_ago))
    with django_assert_max_num_queries(len(first.captured_queries)):
        tl_client.get(url)


def test_found_before_counts_each_conditions_evidence_in_one_query(
    story, django_assert_num_queries
):
    from analysis import case_study, did_it_work

    change, _ = story
    conditions = list(system_conditions().filter(changes=change))
    window = did_it_work.Window.of(change)
    with django_assert_num_queries(9):
        case_study.found_before(window, conditions)


def test_an_unknown_change_has_no_case_study(tl_client):
    url = reverse("analysis:case_study", kwargs={"pk": 999999})
    assert tl_client.get(url).status_code == 404
