"""The improvement register: a system change is recorded with a banner that links to its chart,
and a change recorded by mistake is corrected or withdrawn, audited, never deleted. A withdrawn
change stays in the register and starts no phase; a corrected date moves the phase."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from analysis import capability
from analysis.views import capability as capability_views
from cases.models import AuditEntry
from improvement import selectors, services
from improvement.models import SystemChange
from tests.factories import (
    CaseFactory,
    ServiceTypeFactory,
    SystemChangeFactory,
    TeamLeaderFactory,
)
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db

DURATIONS = [5, 7, 3, 9, 4, 6, 8, 5, 30, 6, 4, 7]  # docs/method.md §4's worked example, in days


def today() -> date:
    return timezone.localdate()


def at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def human(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def repairs():
    return ServiceTypeFactory(name="Housing repairs", slug="housing-repairs")


@pytest.fixture
def closures(repairs) -> date:
    """Twelve closed repairs, one a day, ending today; returns the first day of closures."""
    first = today() - timedelta(days=len(DURATIONS) - 1)
    for i, days in enumerate(DURATIONS):
        closed_at = at_noon(first + timedelta(days=i))
        CaseFactory(
            service_type=repairs,
            opened_at=closed_at - timedelta(days=days),
            closed=True,
            closed_at=closed_at,
        )
    return first


def audit_of(change: SystemChange, action: str) -> dict[str, tuple[str, str]]:
    entries = AuditEntry.objects.filter(object_type="systemchange", object_id=change.pk)
    return {e.field: (e.old_value, e.new_value) for e in entries.filter(action=action)}


def banner(response) -> str:
    (message,) = get_messages(response.wsgi_request)
    return str(message)


def shown_now(change: SystemChange) -> dict[str, str]:
    """The hidden fields of a form shown now, for the change as it is now."""
    return {"version": str(change.version), "shown_at": timezone.now().isoformat()}


def correction(change: SystemChange, **typed) -> dict[str, str]:
    fields = {
        "changed_on": change.changed_on.isoformat(),
        "service_type": str(change.service_type_id or ""),
        "description": change.description,
    }
    return {**shown_now(change), **fields, **typed}


def url(change: SystemChange, name: str) -> str:
    return reverse(f"improvement:{name}", kwargs={"pk": change.pk})


# ---------------------------------------------------------------------------------------------
# Recording: audited, and the banner links to the chart of the change's service.


def test_recording_a_change_is_audited_and_the_banner_links_to_its_services_chart(
    tl_client, team_leader, repairs
):
    day = today() - timedelta(days=3)
    response = tl_client.post(
        reverse("improvement:changes"),
        {"changed_on": day.isoformat(), "service_type": repairs.pk, "description": "New form"},
    )

    assert response.status_code == 302
    change = SystemChange.objects.get()
    assert audit_of(change, "created") == {
        "changed_on": ("", day.isoformat()),
        "service_type": ("", f"Housing repairs (#{repairs.pk})"),
        "description": ("", "New form"),
        "status": ("", "Trying it"),
        "recorded_by": ("", f"{team_leader.get_full_name()} (#{team_leader.pk})"),
    }
    assert banner(response) == (
        f"System change of {human(day)} recorded. "
        '<a class="govuk-notification-banner__link" href="/capability/housing-repairs/">'
        "See it on the chart of Housing repairs</a>"
    )
    page = tl_client.get(response.url).content.decode()
    assert 'href="/capability/housing-repairs/">See it on the chart of Housing repairs</a>' in page


def test_a_change_to_every_service_links_to_the_chart_of_all_services(tl_client):
    response = tl_client.post(
        reverse("improvement:changes"),
        {"changed_on": today().isoformat(), "service_type": "", "description": "One front door"},
    )
    assert 'href="/capability/all/">See it on the chart of all services</a>' in banner(response)


def test_a_services_name_is_escaped_in_the_banner(tl_client):
    service = ServiceTypeFactory(name="<script>alert(1)</script>", slug="odd")
    response = tl_client.post(
        reverse("improvement:changes"),
        {"changed_on": today().isoformat(), "service_type": service.pk, "description": "x"},
    )
    page = tl_client.get(response.url).content.decode()
    assert "See it on the chart of &lt;script&gt;alert(1)&lt;/script&gt;</a>" in page
    assert "<script>alert(1)" not in page


def test_an_old_change_links_to_a_chart_whose_period_shows_it(tl_client, repairs):
    old = today() - timedelta(days=400)
    response = tl_client.post(
        reverse("improvement:changes"),
        {"changed_on": old.isoformat(), "service_type": repairs.pk, "description": "New form"},
    )
    link = re.search(r'href="([^"]+)"', banner(response))[1].replace("&amp;", "&")
    assert link == (
        f"/capability/housing-repairs/?from={(old - timedelta(days=91)).isoformat()}"
        f"&to={today().isoformat()}"
    )

    chart = tl_client.get(link)
    assert chart.status_code == 200
    assert chart.context["filters"].start <= old <= chart.context["filters"].end


# ---------------------------------------------------------------------------------------------
# Correcting.


def test_the_correction_form_is_filled_in_with_the_change_as_it_stands(tl_client, repairs):
    change = SystemChangeFactory(service_type=repairs, description="Repairs booked at the call")
    form = tl_client.get(url(change, "correct")).context["form"]
    assert form["changed_on"].value() == change.changed_on
    assert form["service_type"].value() == repairs.pk
    assert form["description"].value() == "Repairs booked at the call"
    assert form["version"].value() == 1


def test_a_correction_saves_each_field_and_audits_it_old_to_new(tl_client, team_leader, repairs):
    recorder = TeamLeaderFactory(first_name="Rita", last_name="Recorder")
    bins = ServiceTypeFactory(name="Bins", slug="bins")
    was = today() - timedelta(days=10)
    change = SystemChangeFactory(
        changed_on=was, service_type=repairs, description="Nw form", recorded_by=recorder
    )
    now = today() - timedelta(days=8)

    response = tl_client.post(
        url(change, "correct"),
        correction(
            change, changed_on=now.isoformat(), service_type=str(bins.pk), description="New form"
        ),
    )

    assert response.status_code == 302 and response.url == url(change, "change")
    change.refresh_from_db()
    assert (change.changed_on, change.service_type, change.description) == (now, bins, "New form")
    assert change.version == 2
    assert change.recorded_by == recorder  # any team leader may correct it; the audit says who
    assert audit_of(change, "changed") == {
        "changed_on": (was.isoformat(), now.isoformat()),
        "service_type": (f"Housing repairs (#{repairs.pk})", f"Bins (#{bins.pk})"),
        "description": ("Nw form", "New form"),
    }
    assert set(
        AuditEntry.objects.filter(object_id=change.pk, action="changed").values_list(
            "actor", flat=True
        )
    ) == {team_leader.pk}
    assert banner(response).startswith(f"System change of {human(now)} corrected.")
    assert 'href="/capability/bins/">See it on the chart of Bins</a>' in banner(response)


def test_the_changes_page_shows_its_history_who_when_and_old_to_new(tl_client, team_leader):
    team_leader.first_name, team_leader.last_name = "Tess", "Leader"
    team_leader.save()
    was = today() - timedelta(days=10)
    change = SystemChangeFactory(changed_on=was, service_type=None, recorded_by=team_leader)
    bins = ServiceTypeFactory(name="Bins", slug="bins")
    services.system_change_correct(
        change=change,
        by=team_leader,
        changed_on=was + timedelta(days=1),
        service_type=bins,
        description=change.description,
    )

    response = tl_client.get(url(change, "change"))

    history = response.context["history"]
    assert [(line.who, line.did, line.what, line.before, line.after) for line in history[:2]] in (
        [
            ("Tess Leader", "Corrected", "Date", human(was), human(was + timedelta(days=1))),
            ("Tess Leader", "Corrected", "Service", "All services", "Bins"),
        ],
        [
            ("Tess Leader", "Corrected", "Service", "All services", "Bins"),
            ("Tess Leader", "Corrected", "Date", human(was), human(was + timedelta(days=1))),
        ],
    )
    assert ("Recorded", "Date", "", human(was)) in [
        (line.did, line.what, line.before, line.after) for line in history
    ]
    html = response.content.decode()
    assert "Corrected: service" in html and "All services" in html and ">Bins<" in html


def test_a_correction_that_changes_nothing_saves_nothing(tl_client):
    change = SystemChangeFactory()
    response = tl_client.post(url(change, "correct"), correction(change))
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.version == 1
    assert audit_of(change, "changed") == {}
    assert banner(response) == "Nothing was corrected: what you sent is what was recorded."


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"changed_on": "2999-01-01"}, "Record a change once the work is done the new way"),
        ({"changed_on": ""}, "Enter the date of the change."),
        ({"changed_on": "2026-02-30"}, "Enter a real date"),
        ({"description": "   "}, "Describe what changed in the way the work is done."),
    ],
)
def test_a_correction_follows_the_rules_of_recording(tl_client, typed, message):
    change = SystemChangeFactory()
    response = tl_client.post(url(change, "correct"), correction(change, **typed))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert SystemChange.objects.get() == change and change.version == 1
    assert audit_of(change, "changed") == {}


def test_tomorrow_is_refused_by_the_service_too(team_leader):
    change = SystemChangeFactory()
    with pytest.raises(services.ValidationError, match="not before"):
        services.system_change_correct(
            change=change,
            by=team_leader,
            changed_on=today() + timedelta(days=1),
            service_type=None,
            description="x",
        )


def test_a_change_of_a_retired_service_can_still_be_corrected(tl_client):
    retired = ServiceTypeFactory(name="Pest control", slug="pests")
    change = SystemChangeFactory(service_type=retired, description="Traps left on the first visit")
    retired.is_active = False
    retired.save()

    response = tl_client.post(
        url(change, "correct"), correction(change, description="Traps set on the first visit")
    )

    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.service_type, change.description) == (retired, "Traps set on the first visit")


def test_a_correction_over_someone_elses_is_refused_with_what_they_did_and_the_text_kept(
    tl_client, team_leader
):
    other = TeamLeaderFactory(first_name="Olu", last_name="Other")
    change = SystemChangeFactory(service_type=None, description="Repairs booked at the call")
    form = correction(change, description="Repairs booked at the first call")
    services.system_change_correct(
        change=change,
        by=other,
        changed_on=change.changed_on,
        service_type=None,
        description="Repairs booked by the call taker",
        expected_version=1,
    )

    response = tl_client.post(url(change, "correct"), form)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "Someone else changed this system change while you had this form open." in html
    assert "Olu Other corrected what changed" in html
    assert "“Repairs booked by the call taker”" in html
    assert response.context["change"].description == "Repairs booked by the call taker"
    assert "The change as it is now" in html
    fresh = response.context["form"]
    assert fresh["description"].value() == "Repairs booked at the first call"  # kept
    assert fresh["version"].value() == "2"  # sending it again is not refused as stale
    change.refresh_from_db()
    assert change.description == "Repairs booked by the call taker" and change.version == 2

    again = tl_client.post(url(change, "correct"), fresh.data)
    assert again.status_code == 302
    change.refresh_from_db()
    assert change.description == "Repairs booked at the first call" and change.version == 3


def test_a_change_made_as_the_form_was_sent_is_refused_as_stale_by_the_service(team_leader):
    change = SystemChangeFactory()
    services.system_change_withdraw(change=change, by=team_leader, reason="Recorded twice")
    with pytest.raises(services.ValidationError) as refused:
        services.system_change_correct(
            change=change,
            by=team_leader,
            changed_on=change.changed_on,
            service_type=None,
            description="x",
            expected_version=1,
        )
    assert refused.value.code == "stale"


# ---------------------------------------------------------------------------------------------
# Withdrawing.


def test_the_withdraw_page_asks_for_a_reason_and_says_what_will_happen(tl_client, repairs):
    change = SystemChangeFactory(service_type=repairs)
    html = tl_client.get(url(change, "withdraw")).content.decode()
    assert "Withdraw this system change?" in html
    assert f"will no longer start a phase on {human(change.changed_on)}" in html
    assert "Why are you withdrawing it?" in html
    assert 'name="reason"' in html and ">Withdraw change</button>" in html


def test_a_withdrawn_change_stays_in_the_register_and_starts_no_phase(
    tl_client, team_leader, repairs
):
    team_leader.first_name, team_leader.last_name = "Tess", "Leader"
    team_leader.save()
    change = SystemChangeFactory(service_type=repairs, description="Repairs booked at the call")
    assert selectors.system_changes_for([repairs.pk]) == [change]

    response = tl_client.post(
        url(change, "withdraw"), {**shown_now(change), "reason": " Recorded twice "}
    )

    assert response.status_code == 302
    change.refresh_from_db()
    assert change.is_withdrawn and change.withdrawn_by == team_leader
    assert change.withdrawal_reason == "Recorded twice"
    assert selectors.system_changes_for([repairs.pk]) == []
    withdrawal = audit_of(change, "changed")
    assert withdrawal["withdrawal_reason"] == ("", "Recorded twice")
    assert withdrawal["withdrawn_by"] == ("", f"Tess Leader (#{team_leader.pk})")
    assert withdrawal["withdrawn_at"][1] == change.withdrawn_at.isoformat()
    assert banner(response).startswith(
        f"System change of {human(change.changed_on)} withdrawn: it no longer starts a phase."
    )

    register = tl_client.get(reverse("improvement:changes")).content.decode()
    assert "Repairs booked at the call" in register
    assert f"Withdrawn on {human(today())} by Tess Leader: " in register
    assert "Recorded twice" in register
    assert url(change, "correct") not in register  # nothing more to do to it
    page = tl_client.get(url(change, "change")).content.decode()
    assert "Withdrew: reason" in page and "Withdraw this change" not in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_withdrawing_without_a_reason_is_refused_and_nothing_is_lost(tl_client, reason):
    change = SystemChangeFactory()
    response = tl_client.post(url(change, "withdraw"), {**shown_now(change), "reason": reason})
    assert response.status_code == 200
    assert "Say why you are withdrawing this change." in response.content.decode()
    change.refresh_from_db()
    assert not change.is_withdrawn and change.version == 1
    assert audit_of(change, "changed") == {}
    assert selectors.system_changes_for([change.service_type_id]) == [change]


def test_the_service_refuses_a_blank_reason_too(team_leader):
    change = SystemChangeFactory()
    with pytest.raises(services.ValidationError, match="Say why"):
        services.system_change_withdraw(change=change, by=team_leader, reason=" \n ")
    change.refresh_from_db()
    assert not change.is_withdrawn


def test_a_withdrawn_change_is_neither_corrected_nor_withdrawn_again(tl_client, team_leader):
    change = SystemChangeFactory()
    services.system_change_withdraw(change=change, by=team_leader, reason="Recorded twice")
    change.refresh_from_db()

    for name in ("correct", "withdraw"):
        shown = tl_client.get(url(change, name), follow=True)
        assert shown.redirect_chain == [(url(change, "change"), 302)]
        assert "can no longer be changed" in shown.content.decode()

    refused = tl_client.post(url(change, "correct"), correction(change, description="Other"))
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Nothing was saved" in html and "It has been withdrawn" in html
    assert "Save correction</button>" not in html  # nothing to press again
    assert "Other" in html  # their text is kept to copy

    again = tl_client.post(url(change, "withdraw"), {**shown_now(change), "reason": "Twice"})
    assert again.status_code == 200
    change.refresh_from_db()
    assert change.version == 2 and change.withdrawal_reason == "Recorded twice"
    assert change.description != "Other"


@pytest.mark.parametrize("role", ["front_office", "administrator"])
@pytest.mark.parametrize("name", ["correct", "withdraw"])
def test_only_team_leaders_correct_or_withdraw(request, client, role, name):
    sign_in(client, request.getfixturevalue(role))
    change = SystemChangeFactory()

    assert client.get(url(change, name)).status_code == 403
    data = {**correction(change, description="Changed"), "reason": "Because"}
    assert client.post(url(change, name), data).status_code == 403

    change.refresh_from_db()
    assert change.version == 1 and not change.is_withdrawn


def test_the_register_offers_correct_and_withdraw_for_each_change(tl_client):
    change = SystemChangeFactory()
    html = tl_client.get(reverse("improvement:changes")).content.decode()
    assert f'href="{url(change, "correct")}">Correct<span class="govuk-visually-hidden">' in html
    assert f'href="{url(change, "withdraw")}">Withdraw<span class="govuk-visually-hidden">' in html
    assert f'href="{url(change, "change")}"' in html


def test_a_missing_change_is_not_found(tl_client):
    assert tl_client.get("/improvement/changes/999999/correct/").status_code == 404


def test_a_withdrawal_is_whole_or_not_at_all_in_the_database(team_leader):
    change = SystemChangeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SystemChange.objects.filter(pk=change.pk).update(withdrawn_at=timezone.now())


# ---------------------------------------------------------------------------------------------
# The charts: a withdrawn change no longer splits one; a corrected date moves the phase. Charts
# over TABLE_ROWS_SHOWN points are kept once drawn, so these ask for the kept one too.


def chart_of(client, service) -> dict:
    response = client.get(reverse("analysis:capability_chart", args=[service.slug]))
    assert response.status_code == 200
    return response.context


@pytest.fixture(params=["drawn", "kept"])
def drawing(request, monkeypatch):
    if request.param == "kept":
        monkeypatch.setattr(capability_views, "TABLE_ROWS_SHOWN", 5)
    caches[capability.CHART_CACHE].clear()
    return request.param


def test_a_withdrawn_change_no_longer_splits_the_chart(
    drawing, tl_client, team_leader, repairs, closures
):
    change = SystemChangeFactory(changed_on=closures + timedelta(days=6), service_type=repairs)
    assert len(chart_of(tl_client, repairs)["chart"].phases) == 2

    services.system_change_withdraw(change=change, by=team_leader, reason="Recorded twice")

    after = chart_of(tl_client, repairs)
    assert len(after["chart"].phases) == 1
    assert change.description not in after["spec_script"]


def test_a_corrected_date_moves_the_phase(drawing, tl_client, team_leader, repairs, closures):
    change = SystemChangeFactory(changed_on=closures + timedelta(days=6), service_type=repairs)
    before = chart_of(tl_client, repairs)
    assert [phase.start for phase in before["chart"].phases] == [0, 6]

    services.system_change_correct(
        change=change,
        by=team_leader,
        changed_on=closures + timedelta(days=8),
        service_type=repairs,
        description=change.description,
    )

    after = chart_of(tl_client, repairs)
    assert [phase.start for phase in after["chart"].phases] == [0, 8]
    assert after["phases"][1][1] == closures + timedelta(days=8)


def test_a_correction_to_another_service_moves_the_phase_off_this_chart(
    tl_client, team_leader, repairs, closures
):
    change = SystemChangeFactory(changed_on=closures + timedelta(days=6), service_type=repairs)
    services.system_change_correct(
        change=change,
        by=team_leader,
        changed_on=change.changed_on,
        service_type=ServiceTypeFactory(),
        description=change.description,
    )
    assert len(chart_of(tl_client, repairs)["chart"].phases) == 1


# ---------------------------------------------------------------------------------------------
# The admin: adds follow the register's rules and are audited; a recorded change is read-only.


def test_the_admin_adds_a_change_audited_and_cannot_edit_one(client, administrator):
    sign_in(client, administrator)
    service = ServiceTypeFactory()
    future = client.post(
        reverse("admin:improvement_systemchange_add"),
        {"changed_on": "2999-01-01", "service_type": service.pk, "description": "New form"},
    )
    assert future.status_code == 200 and not SystemChange.objects.exists()

    added = client.post(
        reverse("admin:improvement_systemchange_add"),
        {"changed_on": today().isoformat(), "service_type": service.pk, "description": "New form"},
    )
    assert added.status_code == 302
    change = SystemChange.objects.get()
    assert change.recorded_by == administrator
    assert audit_of(change, "created")["description"] == ("", "New form")

    edit = client.post(
        reverse("admin:improvement_systemchange_change", args=[change.pk]),
        {"changed_on": today().isoformat(), "service_type": "", "description": "Edited"},
    )
    assert edit.status_code == 403
    change.refresh_from_db()
    assert change.description == "New form"
