"""Forms sent after someone else changed the case: refused the same way on every case form, with
what changed (who, what, when), the case as it now stands and the typed text kept; never a bare
"not allowed", never anything saved."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, TimelineEntry
from demand import services as demand_services
from demand.models import Contact, FailureCategory
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

NOW_FIELD = "%Y-%m-%dT%H:%M"


def url(case, name):
    apps = {"reopen": "demand", "log_on_case": "demand", "close": "messaging"}
    app = apps.get(name, "cases")
    return reverse(f"{app}:{name}", kwargs={"reference": case.reference})


def shown_now(case) -> dict[str, str]:
    """The hidden fields of a case form shown now, for the case as it is now."""
    return {"version": str(case.version), "shown_at": timezone.now().isoformat()}


def contact_fields(words: str) -> dict[str, str]:
    return {
        "citizen_words": words,
        "channel": Contact.Channel.PHONE,
        "demand": Contact.Demand.FAILURE,
        "failure_category": str(FailureCategory.objects.filter(is_active=True).first().pk),
        "received_at": timezone.localtime().strftime(NOW_FIELD),
    }


def hand_off_meanwhile(case, by, to) -> None:
    services.case_hand_off(case=case, by=by, to=to, reason="Needs the housing officer's visit")


def test_a_hand_off_opened_before_someone_else_handed_the_case_on_explains_and_keeps_the_reason(
    fo_client, front_office, other_front_office, team_leader
):
    case = CaseFactory(owner=front_office)
    form = shown_now(case)
    hand_off_meanwhile(case, team_leader, other_front_office)

    response = fo_client.post(
        url(case, "hand_off"),
        {**form, "to": str(team_leader.pk), "reason": "The resident asked for a manager"},
    )

    assert response.status_code == 200  # not a 403: they may no longer change it, but are told
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "Someone else changed this case while you had this form open." in html
    assert "handed the case from" in html and "Needs the housing officer" in html
    leader = team_leader.get_full_name() or team_leader.username
    assert leader in html  # who did it
    new_owner = other_front_office.get_full_name() or other_front_office.username
    assert f"{new_owner} owns the case now" in html
    assert "The resident asked for a manager" in html  # the typed text is kept
    assert 'type="submit"' not in html.split('id="what-changed"')[1]  # nothing to send again
    case.refresh_from_db()
    assert case.owner == other_front_office
    assert case.timeline.filter(kind=TimelineEntry.Kind.HANDOFF).count() == 1


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("record_step", {"step_kind": "value", "description": "Booked the crew for Tuesday"}),
        ("close", {"resolution": "Crew filled the pothole"}),
        ("hand_off", {"reason": "Crew supervisor takes it from here"}),
    ],
)
def test_each_case_form_sent_after_a_change_is_refused_with_a_fresh_version_that_then_saves(
    fo_client, front_office, other_front_office, team_leader, name, fields
):
    case = CaseFactory(owner=front_office)
    form = shown_now(case)
    services.case_record_step(
        case=case, by=team_leader, step_kind="check", description="Checked the address"
    )
    entries = case.timeline.count()
    when = timezone.localtime().strftime(NOW_FIELD)
    data = {**form, **fields, "occurred_at": when, "closed_at": when}
    if name == "hand_off":
        data["to"] = str(other_front_office.pk)

    refused = fo_client.post(url(case, name), data)

    html = refused.content.decode()
    assert "Nothing was saved" in html
    assert (
        "recorded a step (check (authorisation or inspection))" in html
        and "Checked the address" in html
    )
    assert next(iter(fields.values())) in html
    case.refresh_from_db()
    assert case.timeline.count() == entries  # nothing more than the team leader's step
    fresh = refused.context["form"]
    assert fresh["version"].value() == str(case.version)

    again = fo_client.post(url(case, name), {**data, **_hidden(fresh)})

    assert again.status_code == 302
    assert case.timeline.count() == entries + 1


def _hidden(form) -> dict[str, str]:
    return {f.name: str(f.value()) for f in form.hidden_fields() if f.value() is not None}


def test_a_close_form_on_a_case_closed_meanwhile_cannot_be_sent_again(
    fo_client, front_office, team_leader
):
    case = CaseFactory(owner=front_office)
    form = shown_now(case)
    services.case_close(case=case, by=team_leader, resolution="Fixed on Monday")

    response = fo_client.post(
        url(case, "close"),
        {**form, "resolution": "Fixed", "closed_at": timezone.localtime().strftime(NOW_FIELD)},
    )

    html = response.content.decode()
    assert "closed the case" in html and "Fixed on Monday" in html
    assert "The case is closed now. Your text is kept below." in html
    assert "Close case</button>" not in html


def test_a_form_without_its_shown_time_still_lists_the_latest_changes(
    fo_client, front_office, team_leader
):
    case = CaseFactory(owner=front_office)
    version = case.version
    services.case_record_step(case=case, by=team_leader, step_kind="check", description="Looked")

    response = fo_client.post(
        url(case, "record_step"),
        {
            "version": version,
            "shown_at": "not a time",
            "step_kind": "value",
            "description": "Mine",
            "occurred_at": timezone.localtime().strftime(NOW_FIELD),
        },
    )

    assert "recorded a step (check (authorisation or inspection))" in response.content.decode()


def test_someone_who_is_not_the_owner_still_gets_a_403_for_a_current_form(
    fo_client, other_front_office
):
    case = CaseFactory(owner=other_front_office)
    response = fo_client.post(url(case, "close"), {**shown_now(case), "resolution": "x"})
    assert response.status_code == 403


def test_a_contact_on_a_case_closed_meanwhile_offers_reopen_with_this_contact_in_one_press(
    fo_client, front_office, team_leader
):
    case = CaseFactory(owner=front_office)
    form_page = fo_client.get(url(case, "log_on_case"))
    shown_at = form_page.context["form"]["shown_at"].value()
    services.case_close(case=case, by=team_leader, resolution="Bin delivered")
    words = "The bin you delivered is the wrong size"
    fields = {**contact_fields(words), "shown_at": str(shown_at)}

    refused = fo_client.post(url(case, "log_on_case"), fields)

    html = refused.content.decode()
    assert "Nothing was saved" in html
    assert "closed the case" in html and "Bin delivered" in html
    assert "reopen it with this contact" in html
    assert words in html
    assert f'formaction="{url(case, "reopen")}"' in html
    assert not Contact.objects.filter(citizen_words=words).exists()
    case.refresh_from_db()

    # "Reopen with this contact" sends the same fields, and the case's version, to the reopen
    # form's address.
    reopened = fo_client.post(
        url(case, "reopen"), {**fields, **_hidden(refused.context["form"]), "version": case.version}
    )

    assert reopened.status_code == 302, reopened.context["form"].errors
    case.refresh_from_db()
    assert case.is_open
    assert Contact.objects.get(citizen_words=words).case == case


def test_the_contact_form_of_a_closed_case_says_who_may_reopen_it(fo_client, other_front_office):
    case = CaseFactory(owner=other_front_office, closed=True)
    html = fo_client.get(url(case, "log_on_case")).content.decode()
    owner = other_front_office.get_full_name() or other_front_office.username
    assert f"only its owner, {owner}, or a team leader can reopen it" in html
    assert "Reopen with this contact" not in html and "Log contact</button>" not in html


def test_a_reopen_form_on_a_case_reopened_meanwhile_offers_to_log_the_words_on_it(
    fo_client, front_office, team_leader
):
    case = CaseFactory(owner=front_office, closed=True)
    form = shown_now(case)
    demand_services.contact_reopen_case(
        by=team_leader,
        case=case,
        details=demand_services.ContactDetails(
            citizen_words="Still not fixed",
            channel=Contact.Channel.PHONE,
            received_at=timezone.now() - timedelta(minutes=1),
            demand=Contact.Demand.VALUE,
        ),
    )
    words = "Nobody came this morning"

    refused = fo_client.post(url(case, "reopen"), {**form, **contact_fields(words)})

    html = refused.content.decode()
    assert "reopened the case" in html
    assert "The case is open again now" in html
    assert f'formaction="{url(case, "log_on_case")}"' in html
    assert words in html
    assert Case.objects.get(pk=case.pk).timeline.filter(kind="reopened").count() == 1

    logged = fo_client.post(url(case, "log_on_case"), {**contact_fields(words)})

    assert logged.status_code == 302
    assert Contact.objects.get(citizen_words=words).case_id == case.pk


def test_reopening_shows_the_words_once_on_the_timeline(fo_client, front_office):
    case = CaseFactory(owner=front_office, closed=True)
    words = "The repair has come loose again"
    response = fo_client.post(url(case, "reopen"), {**shown_now(case), **contact_fields(words)})
    assert response.status_code == 302
    page = fo_client.get(case.get_absolute_url()).content.decode()
    assert page.count(words) == 1
