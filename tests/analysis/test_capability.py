"""Capability charts: the page and its CSV agree with the pure XmR module on factory data."""

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analysis import capability, spc
from analysis.views import capability as capability_views
from demand.models import Contact, DemandType
from improvement.models import SystemChange
from tests.charts import spec_points
from tests.factories import CaseFactory, ContactFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db

DURATIONS = [5, 7, 3, 9, 4, 6, 8, 5, 30, 6, 4, 7]  # docs/method.md §4's worked example, in days
FIRST_CLOSURE = date(2026, 3, 2)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def closed_one_a_day(service, durations, first: date = FIRST_CLOSURE) -> list:
    """A closed case a day from `first`, each taking its duration in days."""
    cases = []
    for i, days in enumerate(durations):
        closed_at = at(first + timedelta(days=i))
        cases.append(
            CaseFactory(
                service_type=service,
                opened_at=closed_at - timedelta(days=days),
                closed=True,
                closed_at=closed_at,
            )
        )
    return cases


@pytest.fixture
def repairs():
    """Twelve closed repairs, one closed each day, with the worked example's times (docs/method.md
    §4)."""
    service = ServiceTypeFactory(name="Housing repair", slug="housing-repair")
    return service, closed_one_a_day(service, DURATIONS)


def period(**extra):
    return {"from": "2026-03-01", "to": "2026-03-31", **extra}


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_chart_agrees_with_the_pure_module(tl_client, repairs):
    response = tl_client.get(
        reverse("analysis:capability_chart", args=["housing-repair"]), period()
    )

    expected = spc.xmr(DURATIONS)
    spec = response.context["spec"]
    assert [p["y"] for p in spec_points(spec)] == pytest.approx(DURATIONS)
    assert [p["signal"] for p in spec_points(spec)] == [p.label for p in expected.points]
    (phase,) = spec["phases"]
    assert phase["centre_line"] == pytest.approx(7.833, abs=1e-3)
    assert phase["upper_limit"] == pytest.approx(16.404, abs=1e-3)
    assert phase["lower_limit"] == 0
    assert spec_points(spec)[8]["rules"] == [1] and spec_points(spec)[8]["signal"] == "concern"
    assert spec_points(spec)[8]["href"] == repairs[1][8].get_absolute_url()


def test_csv_agrees_with_the_chart_column_for_column(tl_client, repairs):
    response = tl_client.get(reverse("analysis:capability_csv", args=["housing-repair"]), period())

    rows = read_csv(response)
    assert list(rows[0]) == [
        "reference",
        "service_type",
        "opened_at",
        "closed_at",
        "end_to_end_days",
        "phase",
        "centre_line",
        "lower_limit",
        "upper_limit",
        "signal",
        "rules",
        "transition",
    ]
    assert [float(row["end_to_end_days"]) for row in rows] == DURATIONS
    assert [row["reference"] for row in rows] == [case.reference for case in repairs[1]]
    assert {row["phase"] for row in rows} == {"1"}
    assert rows[0]["centre_line"] == "7.833" and rows[0]["upper_limit"] == "16.404"
    assert rows[0]["lower_limit"] == "0.000"
    assert rows[8]["signal"] == "concern" and rows[8]["rules"] == "1"
    assert rows[0]["signal"] == "common" and rows[0]["rules"] == ""
    assert rows[0]["service_type"] == "Housing repair"
    assert {row["transition"] for row in rows} == {"false"}
    assert datetime.fromisoformat(rows[0]["closed_at"]) == repairs[1][0].closed_at


def test_screening_off_in_chart_and_csv(tl_client, repairs):
    chart = tl_client.get(
        reverse("analysis:capability_chart", args=["housing-repair"]), period(screening="off")
    )
    rows = read_csv(
        tl_client.get(
            reverse("analysis:capability_csv", args=["housing-repair"]), period(screening="off")
        )
    )
    assert chart.context["spec"]["phases"][0]["upper_limit"] == pytest.approx(26.695, abs=1e-3)
    assert rows[0]["upper_limit"] == "26.695"


def test_system_change_starts_a_second_phase(tl_client, team_leader, repairs):
    service, _ = repairs
    SystemChange.objects.create(
        changed_on=FIRST_CLOSURE + timedelta(days=6),
        service_type=service,
        description="Repairs booked by the call taker",
        recorded_by=team_leader,
    )
    response = tl_client.get(
        reverse("analysis:capability_chart", args=["housing-repair"]), period()
    )
    rows = read_csv(
        tl_client.get(reverse("analysis:capability_csv", args=["housing-repair"]), period())
    )

    # Of the six closed from 8 March, only the 4-day case (opened 8 March) started after it.
    transition = [False] * 6 + [True] * 4 + [False, True]
    expected = spc.xmr(DURATIONS, phase_starts=[6], set_aside=transition)
    assert [p.phase for p in response.context["chart"].points] == [p.phase for p in expected.points]
    assert [row["phase"] for row in rows] == ["1"] * 6 + ["2"] * 6
    assert [row["transition"] == "true" for row in rows] == transition
    assert float(rows[6]["centre_line"]) == 4.0
    assert response.context["spec"]["changes"][0]["index"] == 6
    assert response.context["spec"]["columns"]["transition"] == list(map(int, transition))
    html = response.content.decode()
    assert "Repairs booked by the call taker" in html
    assert (
        "Since 8 March 2026 (1 case, and 5 set aside that started before the change), a case "
        "takes 4.0 days end-to-end. Too few cases yet to say what to expect."
    ) in html


@pytest.fixture
def redesign(team_leader):
    """Before 1 March, 20 cases of 10–12 days; from 1 March, 15 cases of 2–4 days that started
    after it, and 5 old-system cases of 30 days that started before it and closed after."""
    service = ServiceTypeFactory(name="Housing repair", slug="housing-repair")
    change_day = date(2026, 3, 1)
    SystemChange.objects.create(
        changed_on=change_day, service_type=service, description="Redesign", recorded_by=team_leader
    )
    timeline = []
    for i in range(20):
        timeline.append((at(date(2026, 2, 8)) + timedelta(hours=12 * i), 10 + i % 3))
    for i in range(15):
        timeline.append((at(change_day + timedelta(days=5 + i)), 2 + i % 3))
    for i in range(5):
        timeline.append((at(change_day + timedelta(days=2)) + timedelta(hours=5 * i), 30))
    cases = {}
    for closed_at, days in timeline:
        cases[closed_at] = CaseFactory(
            service_type=service,
            opened_at=closed_at - timedelta(days=days),
            closed=True,
            closed_at=closed_at,
        )
    return service, [cases[moment] for moment in sorted(cases)]


def test_transition_cases_are_drawn_but_kept_out_of_the_new_phase(tl_client, redesign):
    url = reverse("analysis:capability_chart", args=["housing-repair"])
    response = tl_client.get(url, {"from": "2026-02-01", "to": "2026-03-31"})
    rows = read_csv(
        tl_client.get(
            reverse("analysis:capability_csv", args=["housing-repair"]),
            {"from": "2026-02-01", "to": "2026-03-31"},
        )
    )

    chart = response.context["chart"]
    before, after = chart.phases
    assert before.set_aside == 0 and len(before.values) == 20
    new_way = [2 + i % 3 for i in range(15)]
    assert after.values == tuple(new_way) and after.set_aside == 5
    assert after.centre_line == 3.0
    assert after.upper_limit < 30  # the old system's slow cases do not widen the new limits
    assert chart.labels[20:25] == ("set aside",) * 5 and chart.rule_masks[20:25] == (0,) * 5
    assert [row["transition"] for row in rows] == ["false"] * 20 + ["true"] * 5 + ["false"] * 15
    assert {row["signal"] for row in rows[20:25]} == {"set aside"}
    assert {row["centre_line"] for row in rows[20:]} == {"3.000"}
    assert "Left out of the lines: started before the change" in response.content.decode()

    included = tl_client.get(
        url, {"from": "2026-02-01", "to": "2026-03-31", "transition": "include"}
    )
    with_them = included.context["chart"].phases[1]
    assert with_them.set_aside == 0 and len(with_them.values) == 20
    assert with_them.centre_line == (sum(new_way) + 5 * 30) / 20
    assert "concern" in included.context["chart"].labels[20:25]


def test_the_daily_view_leaves_transition_cases_out_unless_asked(tl_client, redesign):
    url = reverse("analysis:capability_chart", args=["housing-repair"])
    query = {"from": "2026-02-01", "to": "2026-03-31", "view": "daily"}
    daily = tl_client.get(url, query)
    assert daily.context["total"] == 35
    assert max(daily.context["chart"].values) < 30
    assert tl_client.get(url, {**query, "transition": "include"}).context["total"] == 40


def test_a_phase_of_transition_cases_only_says_so(tl_client, redesign):
    response = tl_client.get(
        reverse("analysis:capability_chart", args=["housing-repair"]),
        {"from": "2026-02-01", "to": "2026-03-05"},
    )
    after = response.context["chart"].phases[1]
    assert after.values == () and after.set_aside == 5 and after.centre_line is None
    assert "every case closed started before the change" in response.context["statement"]


def test_transition_flags_span_a_change():
    change = capability.start_of(date(2026, 3, 1)).timestamp()
    opened = [change - 10, change - 10, change, change - 20]
    closed = [change - 1, change, change + 5, change + 86400 * 40]
    assert capability.transition_flags(opened, closed, [change]) == [False, True, False, True]
    assert capability.transition_flags(opened, closed, []) == [False] * 4


def test_the_statement_reads_the_signals_and_predicts_nothing_with_special_causes(
    tl_client, repairs
):
    statement = tl_client.get(
        reverse("analysis:capability_chart", args=["housing-repair"]), period()
    ).context["statement"]
    # The worked example's 30-day case (closed 10 March) is outside the limits: no prediction.
    assert statement == (
        "Since 2 March 2026 (12 cases), a case takes 7.8 days end-to-end on average, but the "
        "chart shows special causes, so it predicts nothing. Above the upper limit: 10 Mar 2026 "
        "(a concern). (Fewer than 13 cases: the limits are provisional.)"
    )


def test_a_stable_phase_is_predicted(tl_client):
    service = ServiceTypeFactory(slug="bins")
    closed_one_a_day(service, [5, 7, 6, 5, 7, 6, 5, 6, 7, 5, 6, 7, 6, 5])
    response = tl_client.get(reverse("analysis:capability_chart", args=["bins"]), period())
    (phase,) = response.context["chart"].phases
    assert not any(response.context["chart"].rule_masks)
    assert response.context["statement"] == (
        f"Since 2 March 2026 (14 cases), a case typically takes {phase.centre_line:.1f} days "
        f"end-to-end, and the system predictably delivers anywhere from "
        f"{phase.lower_limit:.1f} to {phase.upper_limit:.1f} days. Expect that to continue "
        "unless the system changes."
    )
    html = response.content.decode()
    assert response.context["statement"] in html
    assert "What the signal rules mean" in html and "Rule 3: trend" in html  # the CSV's codes


def test_all_services_chart_and_csv(tl_client, repairs):
    other = ServiceTypeFactory(name="Pothole", slug="pothole")
    CaseFactory(service_type=other, opened_at=at(date(2026, 3, 20)), closed=True)
    rows = read_csv(tl_client.get(reverse("analysis:capability_csv", args=["all"]), period()))
    assert len(rows) == 13
    assert rows[-1]["service_type"] == "Pothole"
    response = tl_client.get(reverse("analysis:capability_chart", args=["all"]), period())
    assert len(spec_points(response.context["spec"])) == 13


def test_filters_by_first_contact_channel_and_cleanliness(tl_client, repairs):
    _, cases = repairs
    ContactFactory(case=cases[0], received_at=cases[0].opened_at + timedelta(hours=1), failure=True)
    first = cases[1].contacts.get()
    type(first).objects.filter(pk=first.pk).update(channel="letter")

    dirty = tl_client.get(
        reverse("analysis:capability_csv", args=["housing-repair"]), period(cases="dirty")
    )
    clean = tl_client.get(
        reverse("analysis:capability_csv", args=["housing-repair"]), period(cases="clean")
    )
    letters = tl_client.get(
        reverse("analysis:capability_csv", args=["housing-repair"]), period(channel="letter")
    )

    assert [row["reference"] for row in read_csv(dirty)] == [cases[0].reference]
    assert len(read_csv(clean)) == 11
    assert [row["reference"] for row in read_csv(letters)] == [cases[1].reference]


def test_period_is_by_closure(tl_client, repairs):
    rows = read_csv(
        tl_client.get(
            reverse("analysis:capability_csv", args=["housing-repair"]),
            {"from": "2026-03-03", "to": "2026-03-04"},
        )
    )
    assert [float(row["end_to_end_days"]) for row in rows] == [7, 3]


def test_daily_mean_view(tl_client, repairs):
    service, _ = repairs
    closed_at = at(FIRST_CLOSURE, hour=15)
    CaseFactory(
        service_type=service,
        opened_at=closed_at - timedelta(days=1),
        closed=True,
        closed_at=closed_at,
    )
    response = tl_client.get(
        reverse("analysis:capability_chart", args=["housing-repair"]), period(view="daily")
    )
    values = [p["y"] for p in spec_points(response.context["spec"])]
    assert values[0] == pytest.approx((5 + 1) / 2)
    assert len(values) == 12


def test_chart_dates_each_case_by_the_local_day_it_closed(tl_client, repairs):
    service, cases = repairs
    # 00:30 on 31 March in London (summer time) is still 30 March in UTC.
    late = timezone.make_aware(datetime(2026, 3, 31, 0, 30))
    CaseFactory(
        service_type=service, opened_at=late - timedelta(days=2), closed=True, closed_at=late
    )
    response = tl_client.get(
        reverse("analysis:capability_chart", args=["housing-repair"]), period()
    )

    columns = response.context["spec"]["columns"]
    days = [(FIRST_CLOSURE + timedelta(days=i)).isoformat() for i in range(len(DURATIONS))]
    assert columns["date"] == [*days, "2026-03-31"]
    # The axis reads as dates; each point is still named by its case (in its tooltip).
    assert columns["x"][:12] == [case.reference for case in cases]
    assert columns["screened"] == [0] * 8 + [1, 1] + [0, 0, 0]


def test_daily_mean_view_dates_each_day(tl_client, repairs):
    response = tl_client.get(
        reverse("analysis:capability_chart", args=["housing-repair"]), period(view="daily")
    )
    days = [(FIRST_CLOSURE + timedelta(days=i)).isoformat() for i in range(len(DURATIONS))]
    assert response.context["spec"]["columns"]["date"] == days


def test_chart_page_runs_a_fixed_number_of_queries(tl_client, repairs):
    service, _ = repairs

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert tl_client.get(url, period()).status_code == 200
        return len(captured)

    chart_url = reverse("analysis:capability_chart", args=["housing-repair"])
    csv_url = reverse("analysis:capability_csv", args=["housing-repair"])
    before = queries(chart_url), queries(csv_url)
    for i in range(15):
        CaseFactory(service_type=service, opened_at=at(date(2026, 3, 20 + i % 5)), closed=True)
    assert (queries(chart_url), queries(csv_url)) == before


def test_empty_period_and_unknown_service(tl_client, repairs):
    empty = tl_client.get(
        reverse("analysis:capability_chart", args=["housing-repair"]),
        {"from": "2020-01-01", "to": "2020-02-01"},
    )
    assert "No cases were closed in this period." in empty.content.decode()
    assert tl_client.get(reverse("analysis:capability_chart", args=["nothing"])).status_code == 404
    bad = tl_client.get(
        reverse("analysis:capability_csv", args=["housing-repair"]), {"from": "soon"}
    )
    assert bad.status_code == 400


def test_index_lists_services_with_closures(tl_client, repairs):
    response = tl_client.get(reverse("analysis:capability"), period())
    assert response.context["services"] == [
        {"name": "Housing repair", "slug": "housing-repair", "count": 12}
    ]


def test_team_leader_records_a_system_change(tl_client, team_leader):
    service = ServiceTypeFactory()
    response = tl_client.post(
        reverse("improvement:changes"),
        {"changed_on": "2026-03-03", "service_type": service.pk, "description": "New form"},
    )
    assert response.status_code == 302
    change = SystemChange.objects.get()
    assert (change.service_type, change.recorded_by) == (service, team_leader)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"changed_on": "", "description": "x"}, "Enter the date of the change."),
        ({"changed_on": "2026-02-30", "description": "x"}, "Enter a real date"),
        ({"changed_on": "2999-01-01", "description": "x"}, "not before"),
        ({"changed_on": "2026-03-03", "description": ""}, "Describe what changed"),
    ],
)
def test_system_change_bad_input(tl_client, data, message):
    response = tl_client.post(reverse("improvement:changes"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SystemChange.objects.exists()


def test_a_large_chart_drawn_again_is_kept_and_any_change_redraws_it(
    tl_client, team_leader, repairs, monkeypatch
):
    # Charts over TABLE_ROWS_SHOWN points are kept once drawn (analysis.capability.kept);
    # twelve points stand in for thousands here.
    monkeypatch.setattr(capability_views, "TABLE_ROWS_SHOWN", 5)
    caches[capability.CHART_CACHE].clear()
    drawn = []
    real = capability.capability_chart
    monkeypatch.setattr(
        capability, "capability_chart", lambda *a, **k: drawn.append(1) or real(*a, **k)
    )
    url = reverse("analysis:capability_chart", args=["housing-repair"])

    def chart_json(response) -> str:
        return re.search(r'<script id="capability-data".*?</script>', response.content.decode())[0]

    first = tl_client.get(url, period())
    again = tl_client.get(url, period())
    assert len(drawn) == 1
    assert chart_json(again) == chart_json(first)

    tl_client.get(url, period(screening="off"))  # other settings: another chart
    assert len(drawn) == 2

    _, cases = repairs
    case = cases[3]
    case.closed_at -= timedelta(hours=1)  # one case's time changes: drawn afresh
    case.save(update_fields=["closed_at"])
    changed = tl_client.get(url, period())
    assert len(drawn) == 3 and chart_json(changed) != chart_json(first)

    SystemChange.objects.create(
        changed_on=FIRST_CLOSURE + timedelta(days=6),
        service_type=repairs[0],
        description="Repairs booked by the call taker",
        recorded_by=team_leader,
    )
    with_change = tl_client.get(url, period())
    assert len(drawn) == 4
    assert "Repairs booked by the call taker" in with_change.content.decode()


def test_capability_by_what_the_citizen_asked_for(tl_client, repairs):
    service, cases = repairs
    leak = DemandType.objects.create(service_type=service, name="Report a leak")
    damp = DemandType.objects.create(service_type=service, name="Report damp")
    # What a case is for: its first value-demand contact's type, even after a failure contact.
    Contact.objects.filter(case__in=cases[:8]).update(demand_type=leak)
    Contact.objects.filter(case__in=cases[8:]).update(demand_type=damp)
    chased = cases[11]
    ContactFactory(case=chased, failure=True, received_at=chased.opened_at - timedelta(hours=1))
    url = reverse("analysis:capability_chart", args=["housing-repair"])

    response = tl_client.get(url, period(asked_for=damp.pk))
    rows = read_csv(
        tl_client.get(
            reverse("analysis:capability_csv", args=["housing-repair"]), period(asked_for=damp.pk)
        )
    )

    assert response.context["chart"].values == tuple(map(float, DURATIONS[8:]))
    assert response.context["name"] == "Housing repair: Report damp"
    assert [row["reference"] for row in rows] == [case.reference for case in cases[8:]]
    assert response.context["asked_for"] == [leak, damp]
    html = response.content.decode()
    assert "Report damp (this chart)" in html and f"asked_for={leak.pk}" in html


def test_asked_for_must_be_one_of_the_services_own(tl_client, repairs):
    other = DemandType.objects.create(service_type=ServiceTypeFactory(), name="Elsewhere")
    url = reverse("analysis:capability_chart", args=["housing-repair"])
    response = tl_client.get(url, period(asked_for=other.pk))
    assert "Choose what the citizen asked for from the list." in response.content.decode()
    csv_response = tl_client.get(
        reverse("analysis:capability_csv", args=["housing-repair"]), period(asked_for="x")
    )
    assert csv_response.status_code == 400
    # Across all services the choice is by service: no "asked for" on that chart.
    assert (
        "asked_for"
        not in tl_client.get(reverse("analysis:capability_chart", args=["all"]), period())
        .context["form"]
        .fields
    )


def test_the_csv_is_byte_for_byte_what_the_csv_module_writes(tl_client, redesign):
    """The export joins its fields itself, column by column; it must read exactly as a row at a
    time through csv.writer would, quoting included."""
    service, cases = redesign
    service.name = 'Repairs, "urgent"\nand planned'
    service.save()
    response = tl_client.get(
        reverse("analysis:capability_csv", args=["housing-repair"]),
        {"from": "2026-02-01", "to": "2026-03-31"},
    )
    body = b"".join(response.streaming_content).decode()

    chart = tl_client.get(
        reverse("analysis:capability_chart", args=["housing-repair"]),
        {"from": "2026-02-01", "to": "2026-03-31"},
    ).context["chart"]
    expected = io.StringIO()
    writer = csv.writer(expected)
    writer.writerow(capability_views.CSV_COLUMNS)
    local = timezone.get_current_timezone()
    for point, case in zip(chart.points, cases, strict=True):
        phase = chart.phase_of(point)
        writer.writerow(
            [
                case.reference,
                service.name,
                case.opened_at.astimezone(local).isoformat(),
                case.closed_at.astimezone(local).isoformat(),
                f"{point.value:.3f}",
                point.phase,
                f"{phase.centre_line:.3f}",
                f"{phase.lower_limit:.3f}",
                f"{phase.upper_limit:.3f}",
                point.label,
                "+".join(map(str, point.rules)),
                "true" if point.label == spc.SET_ASIDE else "false",
            ]
        )
    assert body == expected.getvalue()
    assert read_csv_text(body)[0]["service_type"] == service.name


def read_csv_text(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("text", ["plain", "a, b", 'say "hi"', "two\nlines", "cr\rhere", ""])
def test_csv_field_quotes_as_the_csv_module(text):
    from lib.exports import csv_field

    written = io.StringIO()
    csv.writer(written).writerow([text, "x"])
    assert f"{csv_field(text)},x\r\n" == written.getvalue()


def test_a_kept_csv_is_never_stale(tl_client, team_leader, repairs):
    service, _ = repairs
    url = reverse("analysis:capability_csv", args=["housing-repair"])
    first = read_csv(tl_client.get(url, period()))
    assert read_csv(tl_client.get(url, period())) == first

    service.name = "Repairs"
    service.save()
    renamed = read_csv(tl_client.get(url, period()))
    assert {row["service_type"] for row in renamed} == {"Repairs"}

    SystemChange.objects.create(
        changed_on=FIRST_CLOSURE + timedelta(days=6),
        service_type=service,
        description="Repairs booked by the call taker",
        recorded_by=team_leader,
    )
    split = read_csv(tl_client.get(url, period()))
    assert [row["phase"] for row in split] == ["1"] * 6 + ["2"] * 6
