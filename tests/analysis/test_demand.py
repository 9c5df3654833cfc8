"""Studying demand: exact counts, shares and XmR values on known data; fixed query counts;
the streamed export; reclassification."""

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analysis import demand as selectors
from analysis import spc
from analysis.charts import chart_number
from cases.models import TimelineEntry
from demand.models import Contact, DemandType
from improvement.models import SystemChange
from lib.periods import last_full_weeks
from tests.charts import spec_points
from tests.factories import (
    CaseFactory,
    ContactFactory,
    ServiceTypeFactory,
    failure_category,
)

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)  # a Monday
WEEKS = 4


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def known_demand():
    """Four weeks of contacts with known classifications, plus some outside the period."""
    bins = ServiceTypeFactory(name="Missed bin", slug="missed-bin")
    roads = ServiceTypeFactory(name="Pothole", slug="pothole")
    missed = DemandType.objects.create(service_type=bins, name="Report a missed collection")
    pothole = DemandType.objects.create(service_type=roads, name="Report a pothole")
    chasing, not_done = failure_category("progress-chasing"), failure_category("not-done")
    # week: (value contacts, failure contacts) -> failure shares 25%, 50%, 20%, 40%
    plan = [(3, 1), (2, 2), (4, 1), (3, 2)]
    for week, (value, failure) in enumerate(plan):
        monday = START + timedelta(weeks=week)
        for i in range(value):
            case = CaseFactory(
                service_type=bins if i % 2 == 0 else roads,
                opened_at=at(monday + timedelta(days=i)),
                first_contact=False,
            )
            ContactFactory(
                case=case,
                demand_type=missed if case.service_type == bins else pothole,
                channel=Contact.Channel.PHONE if i else Contact.Channel.EMAIL,
            )
        for i in range(failure):
            case = CaseFactory(
                service_type=bins, opened_at=at(monday + timedelta(days=i)), first_contact=False
            )
            ContactFactory(
                case=case,
                failure=True,
                failure_category=chasing if i == 0 else not_done,
                citizen_words=f"Where is my bin? week {week} #{i}",
                prevention_note=f"Tell them the date, week {week}",
            )
    # Outside the period on both sides: must not be counted.
    for day in (START - timedelta(days=1), START + timedelta(weeks=WEEKS)):
        ContactFactory(case=CaseFactory(opened_at=at(day), first_contact=False), failure=True)
    return {"bins": bins, "roads": roads, "missed": missed, "pothole": pothole}


def period(**extra):
    end = START + timedelta(weeks=WEEKS) - timedelta(days=1)
    return {"from": START.isoformat(), "to": end.isoformat(), **extra}


def test_overview_counts_exactly(tl_client, known_demand):
    response = tl_client.get(reverse("analysis:overview"), period())
    overview = response.context["overview"]

    assert (overview.total, overview.value, overview.failure) == (18, 12, 6)
    assert overview.failure_share == pytest.approx(6 / 18)
    assert [(row["name"], row["count"]) for row in overview.by_failure_category] == [
        ("Not done", 2),
        ("Progress chasing", 4),
    ][::-1]
    assert {row["name"]: row["count"] for row in overview.by_demand_type} == {
        "Report a missed collection": 7,
        "Report a pothole": 5,
    }
    assert {row["channel"]: row["count"] for row in overview.by_channel} == {
        "phone": 14,
        "email": 4,
    }
    assert "33%" in response.content.decode()


def test_overview_filters_by_service_and_channel(tl_client, known_demand):
    by_service = tl_client.get(reverse("analysis:overview"), period(service="pothole"))
    by_channel = tl_client.get(reverse("analysis:overview"), period(channel="email"))
    assert by_service.context["overview"].total == 5
    assert by_service.context["overview"].failure == 0
    assert by_channel.context["overview"].total == 4


def test_every_number_links_to_the_contacts_behind_it(tl_client, known_demand):
    html = tl_client.get(reverse("analysis:overview"), period()).content.decode()
    link = "/demand/contacts/?from=2026-03-02&amp;to=2026-03-29&amp;category=progress-chasing"
    assert link in html

    listing = tl_client.get(
        reverse("analysis:contacts"), period(category="progress-chasing")
    ).content.decode()

    assert listing.count("Where is my bin? week") == 4
    assert "Progress chasing" in listing


def test_drilldown_by_type_and_channel(tl_client, known_demand):
    typed = tl_client.get(reverse("analysis:contacts"), period(type=known_demand["pothole"].pk))
    emailed = tl_client.get(reverse("analysis:contacts"), period(by_channel="email"))
    assert typed.context["page"].paginator.count == 5
    assert emailed.context["page"].paginator.count == 4


def test_overview_runs_a_fixed_number_of_queries(tl_client, known_demand):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert tl_client.get(reverse("analysis:overview"), period()).status_code == 200
        return len(captured)

    small = queries()
    assert small >= 7  # session, user, permissions, the form's choices, the counts and names
    for _ in range(10):
        ContactFactory(case=CaseFactory(opened_at=at(START + timedelta(days=3))), failure=True)
    assert queries() == small


@pytest.mark.parametrize(
    "url_name", ["analysis:failure_over_time", "analysis:pareto", "analysis:predictability"]
)
def test_chart_pages_run_a_fixed_number_of_queries(tl_client, known_demand, url_name):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert tl_client.get(reverse(url_name), period()).status_code == 200
        return len(captured)

    small = queries()
    assert small >= 4
    for day in range(20):
        ContactFactory(case=CaseFactory(opened_at=at(START + timedelta(days=day))), failure=True)
    assert queries() == small


def test_weekly_failure_share_xmr_values(tl_client, known_demand):
    response = tl_client.get(reverse("analysis:failure_over_time"), period())

    shares = [row["point"].value for row in response.context["rows"]]
    assert shares == pytest.approx([25.0, 50.0, 20.0, 40.0])
    (phase,) = response.context["chart"].phases
    uncapped = spc.xmr([25.0, 50.0, 20.0, 40.0]).phases[0]
    assert phase.centre_line == pytest.approx(33.75)
    # moving ranges 25, 30, 20: none screened (all below 3.267 × 25)
    assert phase.mr_bar == pytest.approx(25.0)
    assert uncapped.upper_limit == pytest.approx(33.75 + 2.66 * 25)  # 100.25
    assert phase.upper_limit == 100  # a share cannot go above 100%
    assert phase.lower_limit == 0
    assert phase.is_provisional
    spec = response.context["spec"]
    assert spec["unit"] == "%"
    assert [p["y"] for p in spec_points(spec)] == [25.0, 50.0, 20.0, 40.0]
    assert "provisional" in response.content.decode()


def test_system_change_starts_a_new_phase(tl_client, team_leader, known_demand):
    SystemChange.objects.create(
        changed_on=START + timedelta(weeks=2),
        service_type=None,
        description="New bin round design",
        recorded_by=team_leader,
    )
    response = tl_client.get(reverse("analysis:failure_over_time"), period())
    chart = response.context["chart"]
    assert [p.phase for p in chart.points] == [1, 1, 2, 2]
    assert chart.phases[1].centre_line == pytest.approx(30.0)
    assert response.context["spec"]["changes"][0]["index"] == 2
    assert "New bin round design" in response.content.decode()


def test_one_services_change_splits_only_that_services_chart(tl_client, team_leader, known_demand):
    SystemChange.objects.create(
        changed_on=START + timedelta(weeks=2),
        service_type=known_demand["bins"],
        description="New bin round design",
        recorded_by=team_leader,
    )
    everything = tl_client.get(reverse("analysis:failure_over_time"), period())
    bins_only = tl_client.get(reverse("analysis:failure_over_time"), period(service="missed-bin"))
    assert len(everything.context["chart"].phases) == 1
    assert [p.phase for p in bins_only.context["chart"].points] == [1, 1, 2, 2]


def test_daily_volume_fills_empty_days_with_zero(tl_client, known_demand):
    response = tl_client.get(reverse("analysis:predictability"), period(subject="service:pothole"))
    weekdays, weekends = response.context["charts"]
    values = [row["point"].value for row in weekdays["rows"]]
    assert len(values) == 20 and len(weekends["rows"]) == 8
    assert sum(values) == 5
    assert values[:5] == [0, 1, 0, 0, 0]
    assert [row["point"].value for row in weekends["rows"]] == [0] * 8
    days = response.context["weekdays"]
    assert [day["name"] for day in days][:2] == ["Monday", "Tuesday"]
    assert days[1]["mean"] == 1.0  # a pothole report every Tuesday
    assert days[3]["mean"] == pytest.approx(1 / 4)  # and one Thursday


def test_weekly_volume_and_statement(tl_client, known_demand):
    response = tl_client.get(
        reverse("analysis:predictability"), period(subject="demand:failure", per="week")
    )
    (weeks,) = response.context["charts"]
    assert [row["point"].value for row in weeks["rows"]] == [1, 2, 1, 2]
    # Centre line 1.5; moving ranges 1, 1, 1: limits 1.5 ± 2.66, the lower floored at 0.
    statement = (
        "Since w/c 2 Mar 2026 (4 weeks), failure demand: typically 1.5 contacts a week, and "
        "predictably anywhere from 0 to 4.2. Expect that to continue unless the system "
        "changes. (Fewer than 13 weeks: the limits are provisional.)"
    )
    assert weeks["statement"] == statement
    assert statement in response.content.decode()


def demand_by_week(plan, *, service=None, start=START):
    """Contacts week by week from `start`: plan[i] is (value, failure) contacts in week i,
    one a day from its Monday."""
    service = service or ServiceTypeFactory(name="Missed bin", slug="missed-bin")
    for week, (value, failure) in enumerate(plan):
        for i in range(value + failure):
            day = start + timedelta(weeks=week, days=i % 7)
            ContactFactory(
                case=CaseFactory(service_type=service, opened_at=at(day), first_contact=False),
                failure=i >= value,
            )
    return service


def test_a_week_with_no_contacts_is_a_gap_in_the_share_chart(tl_client):
    demand_by_week([(3, 1), (0, 0), (4, 1), (3, 2)])
    response = tl_client.get(reverse("analysis:failure_over_time"), period())

    assert response.context["chart"].values == (25.0, 20.0, 40.0)
    spec = response.context["spec"]
    assert [p["y"] for p in spec_points(spec)] == [25.0, None, 20.0, 40.0]
    # The moving range after the gap is from the last week with a share: |20 − 25|.
    assert [p["mr"] for p in spec_points(spec)] == [None, None, 5.0, 20.0]
    assert spec["y_max"] == 100
    rows = response.context["rows"]
    assert [row["extra"].label for row in rows] == [
        "w/c 2 Mar 2026",
        "w/c 9 Mar 2026",
        "w/c 16 Mar 2026",
        "w/c 23 Mar 2026",
    ]
    assert rows[1]["point"] is None
    html = response.content.decode()
    assert "No contacts: no share" in html
    assert "1 week has no contacts, so no share" in html
    assert "25% (1 of 4)" in html and "40% (2 of 5)" in html  # the counts behind each share


def test_a_week_with_no_contacts_is_zero_volume(tl_client):
    demand_by_week([(3, 1), (0, 0), (4, 1), (3, 2)])
    response = tl_client.get(reverse("analysis:predictability"), period(per="week"))
    (weeks,) = response.context["charts"]
    assert [row["point"].value for row in weeks["rows"]] == [4, 0, 5, 5]


def test_weekly_charts_count_whole_weeks_only(tl_client):
    """A week is Monday to Sunday: the part-weeks at either end of a period are left out, as
    a part-week's count would look like a fall in demand."""
    demand_by_week([(3, 1), (2, 2), (4, 1), (3, 2)])
    wednesday, next_tuesday = START + timedelta(days=2), START + timedelta(weeks=3, days=1)
    filters = selectors.DemandFilters(start=wednesday, end=next_tuesday)
    assert filters.whole_weeks() == [START + timedelta(weeks=1), START + timedelta(weeks=2)]
    assert filters.part_weeks() == [
        (wednesday, START + timedelta(days=6)),
        (START + timedelta(weeks=3), next_tuesday),
    ]
    assert selectors.weekly_failure_counts(filters) == [
        (START + timedelta(weeks=1), 4, 2),
        (START + timedelta(weeks=2), 5, 1),
    ]
    subject = selectors.VolumeSubject()
    assert [count for _, count in selectors.volume_series(filters, subject, weekly=True)] == [4, 5]

    params = {"from": wednesday.isoformat(), "to": next_tuesday.isoformat()}
    html = tl_client.get(reverse("analysis:failure_over_time"), params).content.decode()
    assert (
        "A week runs Monday to Sunday, and only whole weeks are charted, so that every point "
        "counts the same seven days: 4 March 2026 to 8 March 2026 and 23 March 2026 to "
        "24 March 2026 are left out."
    ) in html


def test_a_period_without_a_whole_week_says_so(tl_client):
    demand_by_week([(3, 1)])
    params = {"from": START.isoformat(), "to": (START + timedelta(days=5)).isoformat()}
    filters = selectors.DemandFilters(start=START, end=START + timedelta(days=5))
    assert filters.whole_weeks() == [] and filters.part_weeks() == [(filters.start, filters.end)]
    for name, extra in (
        ("analysis:failure_over_time", {}),
        ("analysis:predictability", {"per": "week"}),
    ):
        html = tl_client.get(reverse(name), {**params, **extra}).content.decode()
        assert "There is no whole week (Monday to Sunday) in this period" in html


def test_a_system_change_in_an_empty_week_starts_the_phase_there(tl_client, team_leader):
    demand_by_week([(3, 1), (2, 2), (0, 0), (4, 1), (3, 2)])
    SystemChange.objects.create(
        changed_on=START + timedelta(weeks=2),
        service_type=None,
        description="New bin round design",
        recorded_by=team_leader,
    )
    end = START + timedelta(weeks=5, days=-1)
    response = tl_client.get(
        reverse("analysis:failure_over_time"), {"from": START.isoformat(), "to": end.isoformat()}
    )
    chart = response.context["chart"]
    assert [phase.values for phase in chart.phases] == [(25.0, 50.0), (20.0, 40.0)]
    spec = response.context["spec"]
    assert [(p["start"], p["end"]) for p in spec["phases"]] == [(0, 2), (2, 5)]
    assert spec["changes"][0]["index"] == 2


def test_daily_volume_is_charted_as_weekdays_and_weekend_days(tl_client):
    """Busy Mondays, quiet weekends: one chart of every day would flag each week's fall from
    Monday to Sunday as a trend. Weekdays and weekend days are charted apart."""
    service = ServiceTypeFactory(name="Missed bin", slug="missed-bin")
    for week in range(4):
        for weekday, count in enumerate([7, 6, 5, 4, 3, 2, 1]):
            day = START + timedelta(weeks=week, days=weekday)
            for _ in range(count):
                CaseFactory(service_type=service, opened_at=at(day))  # and its first contact
    response = tl_client.get(reverse("analysis:predictability"), period())

    weekdays, weekends = response.context["charts"]
    assert [chart["id"] for chart in (weekdays, weekends)] == ["weekdays", "weekends"]
    assert weekdays["chart"].values[:6] == (7, 6, 5, 4, 3, 7)
    assert weekends["chart"].values[:3] == (2, 1, 2)
    assert not any(weekdays["chart"].rule_masks) and not any(weekends["chart"].rule_masks)
    assert weekdays["statement"].startswith(
        "Since Mon 2 Mar 2026 (20 weekdays), all contacts: typically 5 contacts a weekday, and "
        "predictably anywhere from"
    )
    assert weekends["statement"].endswith(
        "(Fewer than 13 weekend days: the limits are provisional.)"
    )
    html = response.content.decode()
    assert "Weekdays and weekend days are charted apart" in html
    assert weekdays["statement"] in html and weekends["statement"] in html


STATED = re.compile(r"typically (?:been )?([\d.]+)%?.* anywhere from ([\d.]+)%? to ([\d.]+)%?\.")


def test_each_statement_gives_its_charts_centre_line_and_limits(tl_client, known_demand):
    """The statement's numbers are the drawn chart's latest phase's, as its labels show them."""
    checked = []
    for url, extra in [
        ("analysis:failure_over_time", {}),
        ("analysis:predictability", {"per": "week"}),
        ("analysis:predictability", {}),
    ]:
        context = tl_client.get(reverse(url), period(**extra)).context
        for chart in context.get("charts", [context]):
            latest = chart["spec"]["phases"][-1]
            if latest["upper_limit"] is None:  # weekends with no contacts: no limits, no range
                continue
            drawn = [latest["centre_line"], latest["lower_limit"], latest["upper_limit"]]
            assert STATED.search(chart["statement"]).groups() == tuple(map(chart_number, drawn))
            checked.append(chart["spec"]["title"])
    assert len(checked) == 3  # the share, the weekly volume, the weekdays' volume


def test_a_statement_with_special_causes_names_them_and_predicts_nothing(tl_client):
    demand_by_week([(2, 0), (3, 0)] * 4 + [(12, 0)] + [(3, 0), (2, 0)] * 2)
    end = START + timedelta(weeks=13, days=-1)
    response = tl_client.get(
        reverse("analysis:predictability"),
        {"from": START.isoformat(), "to": end.isoformat(), "per": "week"},
    )
    (weeks,) = response.context["charts"]
    assert weeks["statement"] == (
        "Since w/c 2 Mar 2026 (13 weeks), all contacts: 3.2 contacts a week on average, but the "
        "chart shows special causes, so it predicts nothing. The 8 weeks from w/c 2 Mar 2026 "
        "to w/c 20 Apr 2026 were all below the centre line: something changed around "
        "w/c 27 Apr 2026. Above the upper limit: w/c 27 Apr 2026."
    )


def test_a_day_of_the_week_with_unusual_days_gets_no_range(tl_client):
    service = ServiceTypeFactory(name="Missed bin", slug="missed-bin")
    for week, count in enumerate([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 20]):
        for _ in range(count):
            CaseFactory(service_type=service, opened_at=at(START + timedelta(weeks=week)))
    end = START + timedelta(weeks=14, days=-1)
    response = tl_client.get(
        reverse("analysis:predictability"), {"from": START.isoformat(), "to": end.isoformat()}
    )
    monday, tuesday = response.context["weekdays"][:2]
    assert (monday["signals"], monday["range"]) == (14, None)  # the 20 lifts the centre line
    assert monday["no_range"] == "no range: there are unusual days"
    assert (tuesday["range"], tuesday["no_range"]) == (None, "no range: the same every week")
    assert "no range: there are unusual days" in response.content.decode()


def test_every_chart_page_has_the_key_to_the_rules(tl_client, known_demand):
    for name, extra in [
        ("analysis:failure_over_time", {}),
        ("analysis:predictability", {}),
        ("analysis:predictability", {"per": "week"}),
    ]:
        html = tl_client.get(reverse(name), period(**extra)).content.decode()
        assert "What the signal rules mean" in html
        for rule in ("Rule 1: outside the limits", "Rule 2: shift", "Rule 3: trend"):
            assert rule in html
        assert "Rule 4: 2 of 3 near a limit" in html


def test_pareto_orders_categories_and_shows_notes_and_words(tl_client, known_demand):
    response = tl_client.get(reverse("analysis:pareto"), period())
    bars = response.context["bars"]
    assert [(b["name"], b["count"]) for b in bars] == [("Progress chasing", 4), ("Not done", 2)]
    assert [round(b["cumulative"], 1) for b in bars] == [66.7, 100.0]
    assert response.context["spec"]["cumulative_percent"] == [66.7, 100.0]
    chasing = bars[0]
    assert len(chasing["words"]) == 4
    assert chasing["words"][0].citizen_words == "Where is my bin? week 3 #0"  # newest first
    assert "Tell them the date, week 3" in response.content.decode()
    # The notes, grouped: each once with how often it was written, most frequent first.
    assert sum(group.count for group in chasing["notes"]) == chasing["notes_written"] > 0
    counts = [group.count for group in chasing["notes"]]
    assert counts == sorted(counts, reverse=True)


def test_shares_say_what_they_are_shares_of(tl_client, known_demand):
    overview = tl_client.get(reverse("analysis:overview"), period()).content.decode()
    pareto = tl_client.get(reverse("analysis:pareto"), period()).content.decode()
    assert "(33% of all contacts)" in overview
    assert overview.count("Share of all contacts</th>") == 3  # demand types, kinds, channels
    assert "Cumulative share of failure demand</th>" in pareto
    assert "67% (4 of 6)" in pareto and "100% (6 of 6)" in pareto  # the counts behind it


def test_failure_words_are_capped_per_category(known_demand):
    for day in range(8):
        ContactFactory(
            case=CaseFactory(opened_at=at(START + timedelta(days=day))),
            failure=True,
            prevention_note="Text reminders",
        )
    filters = selectors.DemandFilters(start=START, end=START + timedelta(days=27))
    words = selectors.failure_words(filters)
    assert len(words["progress-chasing"]) == selectors.SAMPLES_PER_CATEGORY
    assert len(words["not-done"]) == 2


def test_bad_period_says_so_and_falls_back(tl_client, known_demand):
    response = tl_client.get(
        reverse("analysis:overview"), {"from": "2026-04-01", "to": "2026-03-01"}
    )
    assert "The end of the period must be on or after its start." in response.content.decode()
    response = tl_client.get(reverse("analysis:overview"), {"from": "yesterday"})
    assert "Enter a real date" in response.content.decode()


def test_default_period_is_the_last_13_full_weeks():
    start, end = last_full_weeks(today=date(2026, 11, 22))  # a Sunday
    assert end == date(2026, 11, 15)
    assert start == date(2026, 8, 17)
    assert start.weekday() == 0 and end.weekday() == 6
    assert (end - start).days + 1 == 13 * 7


def test_empty_period_has_an_empty_state(tl_client):
    for name in ["analysis:overview", "analysis:failure_over_time", "analysis:pareto"]:
        response = tl_client.get(reverse(name), period())
        assert response.status_code == 200
        assert "No " in response.content.decode()


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_export_streams_one_row_per_contact(tl_client, known_demand):
    response = tl_client.get(reverse("analysis:contacts_csv"), period(service="missed-bin"))

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert len(rows) == 13  # 7 value + 6 failure, all missed bin
    assert list(rows[0]) == [
        "reference",
        "service_type",
        "received_at",
        "channel",
        "demand",
        "demand_type",
        "failure_category",
        "one_stop",
        "citizen_words",
        "prevention_note",
    ]
    failure = next(row for row in rows if row["demand"] == "failure")
    assert failure["failure_category"] in {"Progress chasing", "Not done"}
    assert failure["reference"].startswith("CF-")
    assert datetime.fromisoformat(failure["received_at"]).tzinfo is not None
    assert failure["citizen_words"].startswith("Where is my bin?")


def test_export_keeps_words_with_commas_quotes_and_newlines(tl_client, known_demand):
    words = 'She said "no", then:\nline two, =SUM(A1)'
    ContactFactory(case=CaseFactory(opened_at=at(START)), citizen_words=words)
    rows = read_csv(tl_client.get(reverse("analysis:contacts_csv"), period()))
    assert words in [row["citizen_words"] for row in rows]


def test_export_rejects_bad_filters(tl_client):
    response = tl_client.get(reverse("analysis:contacts_csv"), {"from": "nonsense"})
    assert response.status_code == 400
    assert b"Enter a real date" in response.content


def test_reclassify_records_old_and_new_and_keeps_the_words(tl_client, team_leader):
    case = CaseFactory()
    contact = case.contacts.get()
    words = contact.citizen_words
    url = reverse("demand:reclassify", args=[contact.pk])

    response = tl_client.post(
        url,
        {
            "demand": "failure",
            "failure_category": failure_category("repeat-contact").pk,
            "prevention_note": "Should have been attached to the first case",
        },
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.demand == "failure" and contact.citizen_words == words
    entry = case.timeline.get(kind=TimelineEntry.Kind.RECLASSIFIED)
    assert entry.actor == team_leader
    assert entry.description == "value demand → failure demand (Repeat contact)"
    assert entry.contact_id == contact.pk


def test_reclassify_bad_input_and_no_change(tl_client):
    contact = CaseFactory().contacts.get()
    url = reverse("demand:reclassify", args=[contact.pk])
    missing = tl_client.post(url, {"demand": "failure"})
    same = tl_client.post(url, {"demand": "value"})
    assert "Choose the kind of failure demand." in missing.content.decode()
    assert "already classified" in same.content.decode()
    assert not TimelineEntry.objects.filter(kind=TimelineEntry.Kind.RECLASSIFIED).exists()


def test_reclassify_refuses_a_demand_type_of_another_service(tl_client):
    contact = CaseFactory().contacts.get()
    other = DemandType.objects.create(service_type=ServiceTypeFactory(), name="Other thing")
    response = tl_client.post(
        reverse("demand:reclassify", args=[contact.pk]),
        {"demand": "value", "demand_type": other.pk},
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.demand_type is None


def test_logging_offers_only_active_demand_types_of_the_service(fo_client):
    bins = ServiceTypeFactory(name="Missed bin")
    active = DemandType.objects.create(service_type=bins, name="Report a missed collection")
    DemandType.objects.create(service_type=bins, name="Old thing", is_active=False)
    case = CaseFactory(service_type=bins)
    html = fo_client.get(reverse("demand:log_on_case", args=[case.reference])).content.decode()
    assert active.name in html and "Old thing" not in html

    response = fo_client.post(
        reverse("demand:log_on_case", args=[case.reference]),
        {
            "citizen_words": "Bin missed",
            "channel": "phone",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "demand": "value",
        },
    )
    assert "Choose what the citizen asked for." in response.content.decode()
    assert case.contacts.count() == 1


def test_export_defuses_words_that_look_like_formulas(tl_client, known_demand):
    ContactFactory(case=CaseFactory(opened_at=at(START)), citizen_words="=HYPERLINK(1)")
    rows = read_csv(tl_client.get(reverse("analysis:contacts_csv"), period()))
    assert "'=HYPERLINK(1)" in [row["citizen_words"] for row in rows]
    assert Contact.objects.filter(citizen_words="=HYPERLINK(1)").exists()


@pytest.mark.parametrize(
    "url",
    ["/demand/", "/demand/predictability/", "/demand/failure-over-time/", "/capability/all/"],
)
def test_a_date_at_the_calendars_edge_is_refused_clearly(tl_client, url):
    response = tl_client.get(url, {"from": "0001-01-01", "to": "9999-12-31"})
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2999." in response.content.decode()
    export = tl_client.get("/demand/contacts.csv", {"to": "9999-12-31"})
    assert export.status_code == 400
