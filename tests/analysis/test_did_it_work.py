"""Did it work? The four measures either side of a system change read from the database (analysis/
did_it_work.py), and the page that shows them (/improvement/changes/<pk>/did-it-work/)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analysis import capability, spc, verdicts
from analysis import did_it_work as reads
from cases.models import Case, TimelineEntry
from tests.charts import spec_points
from tests.factories import (
    CaseFactory,
    ContactFactory,
    ServiceTypeFactory,
    SystemChangeFactory,
    SystemConditionFactory,
    TeamLeaderFactory,
    failure_category,
)
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 3)  # a Wednesday: the last whole week after the change ends on 31 May
CHANGED_ON = date(2026, 3, 2)  # a Monday
PREVIOUS_ON = date(2026, 1, 5)  # a Monday: the baseline's weeks are 5 January to 1 March
# tests/analysis/test_verdicts.py's baseline and improvement shift, in days.
BASELINE = [15, 17, 13, 19, 14, 16, 18, 15, 16, 16, 14, 17, 15, 16, 17, 14]
AFTER = [14, 13, 15, 12.5, 14, 13, 15, 14]


def at(day: date, hour: int = 12) -> datetime:
    """A moment in UTC, so that days before it are whole days of elapsed time, whatever the
    clocks did (British Summer Time starts on 29 March 2026)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(at(TODAY, 10), tick=False):
        yield


def closed(service, closed_on: date, days: float, **extra) -> Case:
    closed_at = at(closed_on)
    return CaseFactory(
        service_type=service,
        opened_at=closed_at - timedelta(days=days),
        closed=True,
        closed_at=closed_at,
        **extra,
    )


@pytest.fixture
def repairs():
    return ServiceTypeFactory(name="Housing repair", slug="housing-repair")


@pytest.fixture
def change(repairs):
    SystemChangeFactory(
        service_type=repairs, changed_on=PREVIOUS_ON, description="Repairs by appointment"
    )
    return SystemChangeFactory(
        service_type=repairs, changed_on=CHANGED_ON, description="Repairs booked on the call"
    )


@pytest.fixture
def cases(repairs, change):
    """The baseline's 16 repairs (closed a day apart from 10 February), two transition cases,
    the 8 repairs after the change (closed a day apart from 25 March), a transition case of the
    previous change, and another service's case."""
    baseline = [
        closed(repairs, date(2026, 2, 10) + timedelta(days=i), d) for i, d in enumerate(BASELINE)
    ]
    transition = [closed(repairs, date(2026, 3, 10), 18), closed(repairs, date(2026, 3, 12), 20)]
    after = [closed(repairs, date(2026, 3, 25) + timedelta(days=i), d) for i, d in enumerate(AFTER)]
    closed(repairs, date(2026, 1, 20), 30)  # started before the previous change
    closed(ServiceTypeFactory(), date(2026, 2, 15), 40)
    return {"baseline": baseline, "transition": transition, "after": after}


def test_the_window_runs_from_the_previous_change_or_26_weeks_to_yesterday(repairs, change):
    window = reads.Window.of(change)
    assert window.previous.changed_on == PREVIOUS_ON and window.next is None
    assert window.baseline_from == PREVIOUS_ON and window.bounded_by_previous
    mondays = window.baseline_mondays()
    assert (mondays[0], mondays[-1], len(mondays)) == (date(2026, 1, 5), date(2026, 2, 23), 8)
    after = window.after_mondays()
    assert (after[0], after[-1], len(after)) == (CHANGED_ON, date(2026, 5, 25), 13)
    alone = SystemChangeFactory(service_type=ServiceTypeFactory(), changed_on=date(2026, 3, 4))
    window = reads.Window.of(alone)
    assert window.baseline_from == date(2025, 9, 3) and not window.bounded_by_previous
    # Whole weeks only: the Wednesday change's own week is on neither side.
    assert window.baseline_mondays()[-1] == date(2026, 2, 23)
    assert window.after_mondays()[0] == date(2026, 3, 9)


def test_end_to_end_judges_cases_started_after_the_change_against_the_baseline(
    cases, change, repairs
):
    window = reads.Window.of(change)
    result = reads.end_to_end(window, repairs, reads.cases_either_side(window, repairs))
    verdict = result.verdict
    assert list(verdict.baseline.values) == BASELINE
    assert list(verdict.after.values) == pytest.approx(AFTER)
    assert verdict.outcome == verdicts.IMPROVEMENT
    first_after = cases["after"][0]
    assert result.words == (
        "A signal of improvement: a shift (7 or more cases in a row below the baseline's centre "
        f"line), from {first_after.reference}, closed 25 Mar 2026 (the 1st case after the "
        "change)."
    )
    # Once it has shown, the after-points' own phase speaks.
    assert result.new_voice.startswith(
        "Since 2 March 2026 (8 cases), a case typically takes 13.8 days end-to-end"
    )
    # The chart: the baseline's cases, then the after-points against its lines; transition
    # cases and the previous change's are not drawn.
    points = spec_points(result.spec)
    drawn = [case.reference for case in cases["baseline"] + cases["after"]]
    assert [point["x"] for point in points] == drawn
    assert [p["carried_forward"] for p in result.spec["phases"]] == [False, True]
    assert result.spec["phases"][1]["centre_line"] == 15.75
    assert result.spec["changes"] == [
        {"index": 16, "label": "Repairs booked on the call (2 March 2026)"}
    ]
    assert {point["signal"] for point in points[16:]} == {spc.IMPROVEMENT}
    assert len(result.rows) == 24
    assert any("2 cases started before the change and closed after it" in n for n in result.notes)


def test_end_to_end_stops_at_the_next_change(cases, change, repairs):
    SystemChangeFactory(service_type=repairs, changed_on=date(2026, 3, 30))
    window = reads.Window.of(change)
    result = reads.end_to_end(window, repairs, reads.cases_either_side(window, repairs))
    # The after-points closed before 30 March: five of them, not enough for a shift.
    assert list(result.verdict.after.values) == pytest.approx(AFTER[:5])
    assert result.verdict.outcome == verdicts.NO_SIGNAL
    assert result.words.startswith("No signal yet after 5 cases")


def test_a_change_to_all_services_reads_every_service(cases, change):
    everything = SystemChangeFactory(service_type=None, changed_on=CHANGED_ON)
    window = reads.Window.of(everything)
    result = reads.end_to_end(window, None, reads.cases_either_side(window, None))
    # No earlier change to all services: the baseline is the 26 weeks before, every service.
    assert len(result.verdict.baseline.values) == 16 + 2  # with the 30 and the 40 days
    assert len(result.verdict.after.values) == 8


def test_nothing_after_the_change_yet(repairs):
    change = SystemChangeFactory(service_type=repairs, changed_on=TODAY)
    closed(repairs, date(2026, 5, 20), 5)
    measures = reads.measures_of(change)
    time = measures.measures[0]
    assert time.outcome == verdicts.NO_POINTS_YET
    assert time.words == "No cases yet after the change: too soon to say."
    assert [m.outcome for m in measures.measures[2:]] == [verdicts.NO_POINTS_YET] * 2
    # Only the baseline is drawn: nothing is said of a phase after the change.
    assert time.spec["phases"] and len(time.spec["phases"]) == 1


def add_handoffs(case: Case, handoffs: int, steps: int = 0) -> None:
    for _ in range(handoffs):
        TimelineEntry.objects.create(
            case=case,
            kind=TimelineEntry.Kind.HANDOFF,
            from_owner=case.owner,
            to_owner=TeamLeaderFactory(),
            actor=case.owner,
            occurred_at=case.opened_at + timedelta(hours=1),
        )
    for _ in range(steps):
        TimelineEntry.objects.create(
            case=case,
            kind=TimelineEntry.Kind.STEP,
            step_kind=TimelineEntry.StepKind.HANDOFF,
            actor=case.owner,
            occurred_at=case.opened_at + timedelta(hours=2),
        )
    TimelineEntry.objects.create(
        case=case,
        kind=TimelineEntry.Kind.STEP,
        step_kind=TimelineEntry.StepKind.WAIT,  # not a hand-off
        actor=case.owner,
        occurred_at=case.opened_at + timedelta(hours=3),
    )


def test_handoffs_per_case_each_week_of_closure_from_the_same_cases(repairs, change):
    # Week of 9 February: two cases, 3 hand-offs between them (one recorded as a step).
    add_handoffs(closed(repairs, date(2026, 2, 10), 4), 1, steps=1)
    add_handoffs(closed(repairs, date(2026, 2, 12), 4), 1)
    # Week of 16 February: one case, none.
    add_handoffs(closed(repairs, date(2026, 2, 17), 3), 0)
    # Left out: the previous change's transition case (week of 19 January), this change's
    # (week of 9 March), and another service's case.
    add_handoffs(closed(repairs, date(2026, 1, 20), 30), 2)
    add_handoffs(closed(repairs, date(2026, 3, 10), 20), 2)
    add_handoffs(closed(ServiceTypeFactory(), date(2026, 2, 10), 2), 4)
    # After: week of 16 March, one case started after the change with one hand-off.
    add_handoffs(closed(repairs, date(2026, 3, 18), 5), 1)

    window = reads.Window.of(change)
    result = reads.handoffs_per_case(window, reads.cases_either_side(window, repairs))
    values = dict(zip(result.spec["columns"]["x"], result.spec["columns"]["y"], strict=True))
    assert len(values) == 8 + 13  # every whole week on the axis
    assert {week: value for week, value in values.items() if value is not None} == {
        "w/c 9 Feb 2026": 1.5,
        "w/c 16 Feb 2026": 0,
        "w/c 16 Mar 2026": 1,
    }
    shown = {row["extra"].label: row["shown"] for row in result.rows if row["shown"]}
    assert shown["w/c 9 Feb 2026"] == "1.5 (3 hand-offs in 2 cases)"
    gaps = [row for row in result.rows if row["point"] is None]
    assert len(gaps) == 18 and gaps[0]["gap"] == "No cases closed"
    assert result.verdict.outcome == verdicts.NO_SIGNAL
    assert result.words.startswith("No signal yet after 1 week")


def test_the_one_stop_rate_is_the_share_of_each_weeks_new_cases(repairs, change):
    # Week of 2 February: 4 new cases, one met at the first contact.
    for hour, one_stop in ((9, True), (10, False), (11, False), (12, False)):
        CaseFactory(
            service_type=repairs,
            opened_at=at(date(2026, 2, 3), hour),
            first_contact__is_one_stop=one_stop,
        )
    # Week of 9 March: 3 new cases, 2 of them one-stop; the third's later contact is not new.
    for hour in (9, 10):
        CaseFactory(
            service_type=repairs,
            opened_at=at(date(2026, 3, 9), hour),
            first_contact__is_one_stop=True,
        )
    later = CaseFactory(service_type=repairs, opened_at=at(date(2026, 3, 10)))
    ContactFactory(case=later, received_at=at(date(2026, 3, 17)))
    CaseFactory(opened_at=at(date(2026, 2, 3)), first_contact__is_one_stop=True)  # elsewhere

    result = reads.one_stop_rate(reads.Window.of(change), repairs)
    values = {
        x: y
        for x, y in zip(result.spec["columns"]["x"], result.spec["columns"]["y"], strict=True)
        if y is not None
    }
    assert values == {"w/c 2 Feb 2026": 25, "w/c 9 Mar 2026": pytest.approx(66.667, abs=1e-3)}
    shown = {row["extra"].label: row["shown"] for row in result.rows if row["shown"]}
    assert shown == {"w/c 2 Feb 2026": "25% (1 of 4)", "w/c 9 Mar 2026": "66.7% (2 of 3)"}
    assert result.spec["y_max"] == 100 and result.spec["lower_is_better"] is False


def test_failure_demand_linked_to_the_conditions_a_week_at_a_time(repairs, change):
    condition = SystemConditionFactory(service_type=repairs)
    change.conditions.add(condition)
    case = CaseFactory(service_type=repairs, opened_at=at(date(2026, 1, 5), 9))
    before = [3, 2, 4, 3, 2, 3, 4, 3]  # the 8 weeks from 5 January
    after = [1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0]  # the 13 weeks from 2 March
    mondays = [PREVIOUS_ON + timedelta(weeks=i) for i in range(8)]
    mondays += [CHANGED_ON + timedelta(weeks=i) for i in range(13)]
    for monday, count in zip(mondays, before + after, strict=True):
        for day in range(count):
            ContactFactory(case=case, failure=True, received_at=at(monday + timedelta(days=day)))
    # Not linked: another kind of failure demand, and value demand.
    ContactFactory(
        case=case,
        failure=True,
        failure_category=failure_category("not-done"),
        received_at=at(date(2026, 1, 8)),
    )
    ContactFactory(case=case, received_at=at(date(2026, 1, 8)))

    change = reads.change_with_conditions().get(pk=change.pk)
    result = reads.failure_demand(reads.Window.of(change), list(change.conditions.all()))
    # A week with none is a 0, not a gap.
    assert result.spec["columns"]["y"] == before + after
    assert result.spec["columns"]["x"][8] == "w/c 2 Mar 2026"
    assert result.verdict.outcome == verdicts.IMPROVEMENT
    # Near the lower limit (below 0.97): the 0s; the first window of three with two of them is
    # the 5th to the 7th week.
    assert result.words == (
        "A signal of improvement: a shift (7 or more weeks in a row below the baseline's centre "
        "line), from w/c 2 Mar 2026 (the 1st week after the change); and two of three weeks "
        "in a row near the baseline's lower limit, from w/c 30 Mar 2026 (the 5th week after the "
        "change). The baseline has fewer than 13 weeks: its limits are provisional."
    )
    assert result.new_voice.startswith(
        "Since w/c 2 Mar 2026 (13 weeks), failure demand linked to the conditions: typically "
        "0.6 contacts a week"
    )
    assert result.notes[0] == (
        f"Failure-demand contacts linked to “{condition.title}”, counted each week."
    )


def test_a_change_that_addresses_no_condition_says_so_instead_of_charting(repairs, change):
    result = reads.failure_demand(reads.Window.of(change), [])
    assert result.spec is None and result.verdict is None
    assert result.missing.startswith("This change addresses no system condition yet")


# --- The page ---------------------------------------------------------------------------------


def url(change) -> str:
    return reverse("analysis:did_it_work", kwargs={"pk": change.pk})


def test_anonymous_is_sent_to_sign_in(client, change):
    response = client.get(url(change))
    assert response.status_code == 302 and "/sign-in/" in response.url


@pytest.mark.parametrize("role", ["front_office", "team_leader", "administrator"])
def test_everyone_who_reads_the_register_may_read_it(client, change, role, request):
    sign_in(client, request.getfixturevalue(role))
    assert client.get(url(change)).status_code == 200


def test_a_change_that_does_not_exist_is_not_found(client, team_leader):
    sign_in(client, team_leader)
    assert client.get(reverse("analysis:did_it_work", kwargs={"pk": 999999})).status_code == 404


def test_it_only_reads(client, team_leader, change):
    sign_in(client, team_leader)
    assert client.post(url(change)).status_code == 405


def test_the_page_shows_the_change_and_each_measures_verdict(client, team_leader, cases, change):
    sign_in(client, team_leader)
    response = client.get(url(change))
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Did it work?</h1>' in page
    assert "Repairs booked on the call" in page
    assert "None linked yet." in page
    # Each measure: its verdict, and its chart with its table (the page works without JS).
    assert 'id="end-to-end-verdict">A signal of improvement: a shift' in page
    for key in ("end-to-end", "handoffs", "one-stop"):
        assert f'data-chart-source="{key}-data"' in page
        assert f'id="{key}-data" type="application/json"' in page
    assert page.count("The chart's data as a table") == 3
    assert "This change addresses no system condition yet" in page
    assert f'href="{reverse("improvement:correct", kwargs={"pk": change.pk})}"' in page
    assert "2 cases started before the change and closed after it" in page
    # The baseline's span, said on the page.
    assert "the 26 weeks before it" in page and "5 January 2026" in page


def test_the_front_office_is_not_offered_to_link_conditions(client, front_office, change):
    sign_in(client, front_office)
    page = client.get(url(change)).content.decode()
    assert "This change addresses no system condition yet" in page
    assert reverse("improvement:correct", kwargs={"pk": change.pk}) not in page


def test_the_page_runs_the_same_queries_whatever_the_data(client, team_leader, repairs, change):
    condition = SystemConditionFactory(service_type=repairs)
    change.conditions.add(condition)
    sign_in(client, team_leader)
    client.get(url(change))  # the session and the user, as every later request has them

    with CaptureQueriesContext(connection) as few:
        assert client.get(url(change)).status_code == 200
    for i, days in enumerate(BASELINE + AFTER):
        case = closed(repairs, date(2026, 2, 1) + timedelta(days=3 * i), days)
        add_handoffs(case, i % 3)
        ContactFactory(case=case, failure=True, received_at=case.opened_at + timedelta(days=1))
    change.conditions.add(SystemConditionFactory(service_type=repairs))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(change)).status_code == 200

    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]


def test_a_large_chart_is_kept_once_drawn_with_its_table_in_the_download(
    cases, change, repairs, monkeypatch
):
    monkeypatch.setattr(reads, "TABLE_ROWS_SHOWN", 10)  # the 26 cases count as many
    drawings = []
    draw = reads._end_to_end
    monkeypatch.setattr(reads, "_end_to_end", lambda *a: drawings.append(a) or draw(*a))
    caches[capability.CHART_CACHE].clear()
    window = reads.Window.of(change)

    def read():
        return reads.end_to_end(window, repairs, reads.cases_either_side(window, repairs))

    drawn = read()
    # Kept without the objects it was drawn from: the words and the chart's JSON.
    assert drawn.verdict is None and drawn.spec is None and drawn.rows == []
    assert drawn.outcome == verdicts.IMPROVEMENT
    assert drawn.words.startswith("A signal of improvement: a shift")
    assert 'id="end-to-end-data"' in drawn.spec_script
    assert drawn.table_elsewhere.startswith("With 24 cases the table would be too long")
    assert drawn.table_link == "/capability/housing-repair.csv?from=2026-01-05&to=2026-06-02"
    assert read().spec_script == drawn.spec_script
    assert len(drawings) == 1
    # Another hand-off on one of the cases: the cases read differently, so a new drawing.
    add_handoffs(cases["after"][0], 1)
    assert read().words == drawn.words
    assert len(drawings) == 2


def test_the_change_and_the_register_link_to_it(client, team_leader, change):
    sign_in(client, team_leader)
    for page in (change.get_absolute_url(), reverse("improvement:changes")):
        assert f'href="{url(change)}"' in client.get(page).content.decode()


def test_soon_after_a_change_only_the_quicker_cases_can_have_closed_and_it_says_so(repairs):
    change = SystemChangeFactory(service_type=repairs, changed_on=TODAY - timedelta(days=12))
    for i, days in enumerate(BASELINE):
        closed(repairs, date(2026, 4, 1) + timedelta(days=i), days)
    for i, days in enumerate([3, 2, 4, 3]):
        closed(repairs, TODAY - timedelta(days=6 - i), days)
    window = reads.Window.of(change)
    result = reads.end_to_end(window, repairs, reads.cases_either_side(window, repairs))
    assert result.caveat == (
        "The change was only 12 days ago, less than the baseline's slow cases took (22.3 days, "
        "its upper limit): a case that started after it and takes that long cannot have "
        "closed yet, so the points after the change are the quicker ones so far. Read a signal "
        "of improvement here with care until more time has passed."
    )
    # Once the change is older than that, it says nothing.
    later = reads.Window(change=change, previous=None, next=None, today=TODAY + timedelta(days=11))
    assert reads._too_soon_for_slow_cases(later, result.verdict) == ""


def test_weeks_before_the_first_contact_on_record_are_not_weeks_of_none(repairs, change):
    change.conditions.add(SystemConditionFactory(service_type=repairs))
    # The service's first contact: Tuesday 3 February. Its week is on record; the four
    # baseline weeks before it are not.
    case = CaseFactory(service_type=repairs, opened_at=at(date(2026, 2, 3)))
    ContactFactory(case=case, failure=True, received_at=at(date(2026, 2, 4)))
    assert reads.records_begin(repairs) == date(2026, 2, 3)

    result = reads.measures_of(reads.change_with_conditions().get(pk=change.pk)).measures[1]
    counts = dict(zip(result.spec["columns"]["x"], result.spec["columns"]["y"], strict=True))
    assert [counts[f"w/c {day} Jan 2026"] for day in (5, 12, 19, 26)] == [None] * 4
    assert counts["w/c 2 Feb 2026"] == 1 and counts["w/c 9 Feb 2026"] == 0
    assert len(result.verdict.baseline.values) == 4  # 2, 9, 16 and 23 February
    assert result.notes[-1].startswith(
        "4 weeks came before the first contact on record (weeks before CouncilFlow was used, "
        "not weeks of none): gaps in the chart"
    )
