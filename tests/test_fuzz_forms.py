"""Every form, driven by hypothesis with hostile input: arbitrary unicode (control characters and
NUL), empty and huge values, HTML and script, SQL-looking text, impossible and far-off dates,
out-of-range numbers, unknown choices and tampered hidden fields.

The properties, for every form:
- never a 500;
- an invalid POST re-renders the form (200) with the GOV.UK error summary, every message in it,
  and each visible field's own message next to it; nothing is saved, not even half of it (every
  row of the cases, demand and auth apps is counted and the changeable ones compared);
- a valid POST redirects and saves exactly one thing (one contact, one step...), as typed;
- a GET filter never fails: a bad value is shown as an error on its field (a CSV export answers
  400), and no GET writes anything;
- hostile markup is never echoed unescaped.
And `<script>` in a citizen's words, name, address, what matters and a prevention note is shown as
text on every page that shows them.

Examples run per form (max_examples, deterministic: derandomize=True, no example database):
see EXAMPLES below. The crashes the fuzz once found are fixed, and test_former_crashes keeps
one example of each.
"""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import quote
from uuid import UUID

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from analysis.forms import DemandFilterForm
from cases.models import Case, parse_reference
from demand.models import Contact, DemandType, FailureCategory
from improvement.models import SystemChange
from lib.periods import last_full_weeks
from tests.factories import CaseFactory, CitizenFactory, ServiceTypeFactory, failure_category
from tests.fuzz_strategies import (
    RAW_MARKERS,
    SCRIPT,
    any_text,
    choice_or_not,
    dates,
    datetimes,
    numbers,
    past_datetimes,
    uuids_or_not,
    valid_text,
)
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db

# Examples per form. The whole file runs in well under a minute on SQLite.
EXAMPLES = {
    "sign_in": 40,
    "log_contact_search": 40,
    "log_contact_new_citizen": 60,
    "log_contact_known_citizen": 40,
    "log_contact_valid": 30,
    "log_contact_one_bad_field": 50,
    "log_on_case": 40,
    "reopen": 40,
    "record_step": 40,
    "hand_off": 40,
    "close": 40,
    "reclassify": 40,
    "system_change": 40,
    "find_a_case": 40,
    "demand_filters": 60,
    "capability_filters": 40,
    "wip_and_flow_filters": 40,
    "references_in_urls": 30,
}


def fuzz(name: str):
    return settings(
        max_examples=EXAMPLES[name],
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


ON_POSTGRES = connection.vendor == "postgresql"
PASSWORD = "correct-horse-battery"  # tests/factories.py
# Staff choose how a citizen got in touch; an online report arrives by itself.
CHANNELS = [channel for channel in Contact.Channel.values if channel != Contact.Channel.ONLINE]
DEMANDS = list(Contact.Demand.values)
LOG = "/contacts/new/"

# ---------------------------------------------------------------------------------------------
# Helpers.


def _query(params: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def note(what: str) -> None:
    """Counted in --hypothesis-show-statistics."""
    if currently_in_test_context():
        event(what)


# ---------------------------------------------------------------------------------------------
# What is in the database, to prove nothing was saved (or exactly one thing was).


def _tracked_models():
    return [
        model
        for label in ("cases", "demand", "improvement", "auth")
        for model in apps.get_app_config(label).get_models()
    ]


def snapshot() -> tuple[dict, tuple]:
    counts = {model._meta.label: model._default_manager.count() for model in _tracked_models()}
    state = (
        tuple(
            Case.objects.order_by("pk").values_list(
                "pk", "version", "status", "owner_id", "opened_at", "closed_at", "resolution"
            )
        ),
        tuple(
            Contact.objects.order_by("pk").values_list(
                "pk", "demand", "failure_category_id", "demand_type_id", "prevention_note"
            )
        ),
    )
    return counts, state


def saved(before: tuple[dict, tuple]) -> dict[str, int]:
    """How many rows of each model were added since `before` (non-zero only)."""
    counts, _ = snapshot()
    return {label: counts[label] - before[0][label] for label in counts}


CORE = [
    "cases.Case",
    "cases.Citizen",
    "cases.TimelineEntry",
    "improvement.SystemChange",
    "demand.Contact",
]


def core_delta(before) -> dict[str, int]:
    delta = saved(before)
    return {label: delta[label] for label in CORE if delta[label]}


def html_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _values(data: dict):
    for value in data.values():
        yield from value if isinstance(value, list) else [value]


def assert_no_raw_markup(html: str, data: dict) -> None:
    for value in _values(data):
        for marker in RAW_MARKERS:
            if marker in str(value):
                assert marker not in html, f"{marker!r} echoed unescaped"


def assert_errors_shown(response, html: str, *, summary: bool = True) -> None:
    """Each error message is on the page: in the summary (linked to its field) and, for a field
    the page shows, next to the field."""
    form = response.context["form"]
    assert form.errors, "no error, yet nothing was saved"
    if summary:
        assert "There is a problem" in html
    for name, messages in form.errors.items():
        for message in messages:
            assert escape(message) in html, f"{name}: {message!r} not shown"
        if name == "__all__":
            continue
        field = form[name]
        shown = f'id="{field.auto_id}"' in html or f'id="{field.auto_id}_0"' in html
        if summary:
            anchor = field.auto_id + (
                "_0" if field.widget_type in ("radioselect", "checkboxselectmultiple") else ""
            )
            assert f'href="#{anchor}"' in html, f"{name}: summary does not link to the field"
        if shown and not field.is_hidden:
            assert f'id="{field.auto_id}-error"' in html, f"{name}: no message at the field"


def too_big(data: dict) -> bool:
    size = sum(len(str(v).encode()) + len(k) for k, v in data.items())
    return size > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def post_and_check(client, url: str, data: dict):
    """POST; if refused, prove it was refused clearly and nothing was saved. Returns the
    response and the snapshot taken before it, for the caller to check a success."""
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code != 500
    note(f"POST answered {response.status_code}")
    if response.status_code == 400:
        # Django's own refusals: a request body over DATA_UPLOAD_MAX_MEMORY_SIZE, or (after a
        # correct sign-in) a `next` address longer than a redirect may be (16,384 characters).
        assert too_big(data) or len(str(data.get("next", ""))) > 16384
        assert snapshot() == before
        return response, before
    if response.status_code == 302:
        return response, before
    assert response.status_code == 200, response.status_code
    html = html_of(response)
    assert_no_raw_markup(html, data)
    if response.context.get("look_alikes"):
        # "Is this one of these people?": a question, not an error; nothing saved until answered.
        note("asked whether the new citizen is someone we have")
        assert "Is this one of these people?" in html
        assert not response.context["form"].errors
        assert snapshot() == before, "a look-alike question saved something"
        return response, before
    if response.context.get("refusal"):
        # A form for another version of the case than it is now: what changed, nothing saved.
        note("refused as sent for another version of the case")
        assert "Nothing was saved" in html
        assert snapshot() == before, "a stale form saved something"
        return response, before
    assert_errors_shown(response, html)
    assert snapshot() == before, "an invalid form saved something"
    return response, before


def get_and_check(client, url: str, params: dict, *, summary: bool = True):
    before = snapshot()
    response = client.get(url, params)
    assert response.status_code in (200, 400, 404), response.status_code
    html = html_of(response)
    assert snapshot() == before, "a GET wrote something"
    if response.get("Content-Type", "").startswith("text/html"):
        assert_no_raw_markup(html, params)
    else:  # an export, or its "Bad filters" answer: never read as a page by the browser
        assert response["Content-Type"].startswith(("text/csv", "text/plain"))
        assert response["X-Content-Type-Options"] == "nosniff"
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        form = response.context.get("form") if response.context else None
        if form is not None and form.is_bound and form.errors:
            assert_errors_shown(response, html, summary=summary)
            note("GET: bad filter shown as an error")
    note(f"GET answered {response.status_code}")
    return response, html


# ---------------------------------------------------------------------------------------------
# The world the forms act on.


@pytest.fixture
def world(db, front_office, team_leader, other_front_office):
    bins = ServiceTypeFactory(name="Missed bins", slug="bins")  # no demand types
    repairs = ServiceTypeFactory(name="Repairs", slug="repairs")
    repair = DemandType.objects.create(service_type=repairs, name="Report a repair")
    retired = ServiceTypeFactory(name="Retired", slug="retired", is_active=False)
    citizen = CitizenFactory(name="Known Citizen")
    open_case = CaseFactory(citizen=citizen, owner=front_office, service_type=bins)
    # Some demand within the default study period, so the demand pages have rows to show.
    day = timezone.now() - timedelta(days=20)
    for slug in ("progress-chasing", "not-done"):
        CaseFactory(
            owner=front_office,
            service_type=bins,
            opened_at=day,
            first_contact__failure=True,
            first_contact__failure_category=failure_category(slug),
        )
    CaseFactory(owner=front_office, service_type=repairs, opened_at=day - timedelta(days=2))
    CaseFactory(owner=front_office, service_type=bins, opened_at=day, closed=True)
    return SimpleNamespace(
        bins=bins,
        repairs=repairs,
        repair=repair,
        retired=retired,
        citizen=citizen,
        open_case=open_case,
        front_office=front_office,
        team_leader=team_leader,
        other=other_front_office,
        services=[str(s.pk) for s in (bins, repairs, retired)],
        categories=[str(c) for c in failure_category_pks()],
    )


def failure_category_pks():
    return list(FailureCategory.objects.values_list("pk", flat=True))


# Strategies' bounds must not move between examples (hypothesis replays them), so "now" for
# generating past dates is fixed when the file is imported, and a fresh case opens at OPENED.
NOW = timezone.localtime().replace(second=0, microsecond=0)
OPENED = NOW - timedelta(days=3)


def now_local() -> datetime:
    return NOW.replace(tzinfo=None)


def classification(world, draw, *, service) -> dict:
    """A valid classification for a contact on `service`."""
    if draw(st.booleans()):
        return {
            "demand": "failure",
            "failure_category": draw(st.sampled_from(world.categories)),
            "prevention_note": draw(st.one_of(st.just(""), valid_text(5000))),
            "demand_type": "",
        }
    return {
        "demand": "value",
        "demand_type": str(world.repair.pk) if service == world.repairs else "",
        "failure_category": "",
        "prevention_note": "",
    }


def contact_fields(world, draw, *, service) -> dict:
    return {
        "citizen_words": draw(valid_text(50000)),
        "channel": draw(st.sampled_from(CHANNELS)),
        "received_at": draw(past_datetimes(now_local())),
        "submission_token": draw(st.one_of(st.just(""), st.uuids().map(str))),
        **classification(world, draw, service=service),
    }


def hostile_contact_fields(world) -> dict:
    """For each field of a contact, what an attacker (or a slip) might send instead."""
    return {
        "citizen_words": any_text(),
        "channel": choice_or_not(CHANNELS),
        "demand": choice_or_not(DEMANDS),
        "demand_type": choice_or_not([str(world.repair.pk)]),
        "failure_category": choice_or_not(world.categories),
        "prevention_note": any_text(),
        "received_at": datetimes(),
        "submission_token": uuids_or_not(),
    }


def mutate(draw, data: dict, hostile: dict) -> dict:
    """Replace some fields with hostile values and leave some out altogether."""
    names = sorted(hostile)
    changed = draw(st.lists(st.sampled_from(names), unique=True, max_size=4))
    dropped = draw(st.lists(st.sampled_from(names), unique=True, max_size=2))
    data = {**data, **{name: draw(hostile[name]) for name in changed}}
    return {key: value for key, value in data.items() if key not in dropped}


def token_seen(data: dict) -> Contact | None:
    try:
        token = UUID(str(data.get("submission_token", "")).strip())
    except ValueError:
        return None
    return Contact.objects.filter(submission_token=token).select_related("case").first()


def assert_contact_saved_as_typed(contact: Contact, data: dict) -> None:
    assert contact.citizen_words == data["citizen_words"].strip()
    assert contact.channel == data["channel"]
    assert contact.demand == data["demand"]
    if data["demand"] == "failure":
        assert contact.prevention_note == data.get("prevention_note", "").strip()


def follow(client, response, data: dict) -> str:
    """The page a valid form redirected to shows, escaped, what was typed."""
    page = client.get(response.url)
    assert page.status_code == 200
    html = html_of(page)
    assert_no_raw_markup(html, data)
    return html


# ---------------------------------------------------------------------------------------------
# Sign in.


@fuzz("sign_in")
@given(data=st.data())
def test_sign_in_never_fails_and_never_redirects_off_site(world, data):
    correct = data.draw(st.booleans())
    form = {
        "username": "fo" if correct else data.draw(st.one_of(st.just("fo"), any_text())),
        "password": PASSWORD if correct else data.draw(any_text()),
        "next": data.draw(
            st.one_of(
                st.just("/cases/"),
                any_text(),
                st.sampled_from(
                    [
                        "//evil.example",
                        "https://evil.example/",
                        "/\\evil.example",
                        "javascript:alert(1)",
                        "http://[::1",
                        "\x00/",
                        "/cases/?q=<script>",
                    ]
                ),
            )
        ),
    }
    if apps.is_installed("axes"):  # no lock-out between examples: each is a first attempt
        apps.get_model("axes", "AccessAttempt").objects.all().delete()
    client = Client()  # a fresh visitor each time: a signed-in one is sent straight on
    page = client.get("/sign-in/", {"next": form["next"]})
    assert page.status_code == 200
    assert_no_raw_markup(html_of(page), form)
    response, before = post_and_check(client, "/sign-in/", form)
    signed_in = form["username"] == "fo" and form["password"] == PASSWORD
    if response.status_code == 302:
        assert signed_in
        assert url_has_allowed_host_and_scheme(response.url, allowed_hosts={"testserver"})
        assert core_delta(before) == {}
    elif response.status_code == 200:
        assert not signed_in


# ---------------------------------------------------------------------------------------------
# Log a contact: the citizen search (GET) and the form (POST).


@fuzz("log_contact_search")
@given(data=st.data())
def test_log_contact_search_never_fails(world, fo_client, data):
    params = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "q": st.one_of(any_text(), st.just(world.open_case.reference), numbers()),
                "citizen": st.one_of(st.just(str(world.citizen.pk)), numbers()),
            },
        )
    )
    response, html = get_and_check(fo_client, LOG, params)
    assert response.status_code == 200
    if response.context["citizen"] is not None:
        assert "Known Citizen" in html


def new_citizen_fields(draw) -> dict:
    return {
        "citizen_name": draw(st.one_of(st.just(""), valid_text(200))),
        "citizen_phone": draw(st.sampled_from(["", "07700 900 123", "(0113) 496-0000"])),
        "citizen_email": draw(st.sampled_from(["", "ann@example.org"])),
        "citizen_address": draw(st.one_of(st.just(""), valid_text(1000))),
        "citizen_postcode": draw(st.sampled_from(["", "ls1 4ap", "SW1A1AA", "unknown"])),
    }


def log_contact_data(world, draw) -> dict:
    service = draw(st.sampled_from([world.bins, world.repairs]))
    resolved = draw(st.booleans())
    return {
        **new_citizen_fields(draw),
        "service_type": str(service.pk),
        **contact_fields(world, draw, service=service),
        "what_matters": draw(st.one_of(st.just(""), valid_text(5000))),
        **({"resolved_now": "on", "resolution": draw(valid_text(5000))} if resolved else {}),
    }


def hostile_log_contact_fields(world) -> dict:
    return {
        **hostile_contact_fields(world),
        "citizen_name": any_text(),
        "citizen_phone": any_text(),
        "citizen_email": any_text(),
        "citizen_address": any_text(),
        "citizen_postcode": any_text(),
        "service_type": choice_or_not(world.services),
        "what_matters": any_text(),
        "resolved_now": st.sampled_from(["on", "", "off", "false", "0", "true", "<script>"]),
        "resolution": any_text(),
        "citizen": st.one_of(st.just(str(world.citizen.pk)), numbers()),
    }


def check_log_contact_success(client, response, before, data, replayed: Contact | None):
    assert response.status_code == 302
    if replayed is not None:  # the same form submitted again: the first contact, nothing new
        assert response.url == replayed.case.get_absolute_url()
        assert core_delta(before) == {}
        return
    contact = Contact.objects.latest("pk")
    assert response.url == contact.case.get_absolute_url()
    assert_contact_saved_as_typed(contact, data)
    delta = core_delta(before)
    assert delta["demand.Contact"] == 1
    assert delta.get("cases.Case", 0) in (0, 1)
    assert delta.get("cases.Citizen", 0) in (0, 1)
    assert delta["cases.TimelineEntry"] == (2 if contact.case.status == "closed" else 1)
    assert set(delta) <= {"demand.Contact", "cases.Case", "cases.Citizen", "cases.TimelineEntry"}
    assert escape(contact.citizen_words) in follow(client, response, data)


@fuzz("log_contact_new_citizen")
@given(data=st.data())
def test_log_contact_with_hostile_fields(world, fo_client, data):
    form = mutate(data.draw, log_contact_data(world, data.draw), hostile_log_contact_fields(world))
    replayed = token_seen(form)
    response, before = post_and_check(fo_client, LOG, form)
    if response.status_code == 302:
        check_log_contact_success(fo_client, response, before, form, replayed)


@fuzz("log_contact_known_citizen")
@given(data=st.data())
def test_log_contact_for_a_known_citizen_with_hostile_fields(world, fo_client, data):
    service = data.draw(st.sampled_from([world.bins, world.repairs]))
    form = {
        "citizen": str(world.citizen.pk),
        "attach_to": data.draw(st.sampled_from([str(world.open_case.pk), "new"])),
        "service_type": str(service.pk),
        **contact_fields(world, data.draw, service=service),
    }
    hostile = {
        **hostile_contact_fields(world),
        "attach_to": choice_or_not([str(world.open_case.pk), "new"]),
        "service_type": choice_or_not(world.services),
        "citizen": st.one_of(st.just(str(world.citizen.pk)), numbers()),
    }
    form = mutate(data.draw, form, hostile)
    replayed = token_seen(form)
    response, before = post_and_check(fo_client, LOG, form)
    if response.status_code == 302:
        check_log_contact_success(fo_client, response, before, form, replayed)


@fuzz("log_contact_valid")
@given(data=st.data())
def test_log_contact_saves_exactly_one_contact_as_typed(world, fo_client, data):
    form = log_contact_data(world, data.draw)
    form["submission_token"] = ""  # each example is a new form
    response, before = post_and_check(fo_client, LOG, form)
    if response.status_code == 200 and response.context.get("look_alikes"):
        # An earlier example added someone of the same name: this is a new person.
        form["action"] = "save-new-citizen"
        response, before = post_and_check(fo_client, LOG, form)
    assert response.status_code == 302, response.context["form"].errors
    check_log_contact_success(fo_client, response, before, form, None)
    case = Contact.objects.latest("pk").case
    assert case.what_matters == form["what_matters"].strip()
    assert (case.status == "closed") == ("resolved_now" in form)
    if case.citizen:
        assert case.citizen.name == form["citizen_name"].strip()
        assert case.citizen.address == form["citizen_address"].strip()


# One field at a time, a value that field must refuse, and the message the person sees.
ONE_BAD_FIELD = {
    "citizen_words": st.one_of(
        st.text(" \t\r\n\u3000", max_size=20),
        valid_text(100).map(lambda s: s + "\x00"),
        st.integers(10_001, 50_000).map(lambda n: "w" * n),
    ),
    "channel": any_text().filter(lambda s: s.strip() not in CHANNELS),
    "demand": any_text().filter(lambda s: s.strip() not in DEMANDS),
    "received_at": st.one_of(
        st.sampled_from(
            [
                "2026-02-30T10:00",
                "2025-02-29T10:00",
                "2026-13-01T10:00",
                "2026-01-01T25:00",
                "0000-01-01T00:00",
                "10000-01-01T00:00",
                "9999-12-31T23:59",
                "2026-03-29T01:30",
                "yesterday",
                "",
                "a\x00",
            ]
        ),
        st.integers(2, 10**6).map(
            lambda minutes: (timezone.localtime() + timedelta(minutes=minutes)).strftime(
                "%Y-%m-%dT%H:%M"
            )
        ),
    ),
    "citizen_email": st.sampled_from(["not an email", "a@", "@b.com", "<script>@x", "a\x00@b.co"]),
    "citizen_name": st.integers(201, 5000).map(lambda n: "N" * n),
    "citizen_postcode": st.integers(11, 500).map(lambda n: "P" * n),
    "citizen_phone": st.integers(41, 500).map(lambda n: "7" * n),
    "service_type": st.sampled_from(["", "99999999999999999999", "-1", "1e9", "abc", "\x00"]),
    "submission_token": st.sampled_from(["not-a-uuid", "1234", "'; DROP TABLE x;--"]),
    "what_matters": st.integers(5001, 20_000).map(lambda n: "m" * n),
    "prevention_note": st.integers(5001, 20_000).map(lambda n: "p" * n),
}


@fuzz("log_contact_one_bad_field")
@given(data=st.data())
def test_log_contact_one_bad_field_gets_its_own_message(world, fo_client, data):
    form = log_contact_data(world, data.draw)
    name = data.draw(st.sampled_from(sorted(ONE_BAD_FIELD)))
    if name == "prevention_note":
        form.update(demand="failure", failure_category=world.categories[0], demand_type="")
    form[name] = data.draw(ONE_BAD_FIELD[name])
    response, _ = post_and_check(fo_client, LOG, form)
    assert response.status_code == 200
    assert name in response.context["form"].errors


def test_log_contact_retired_service_and_mismatched_demand_type(world, fo_client):
    """Choices a browser would never send: a retired service, another service's demand type."""
    for override in (
        {"service_type": str(world.retired.pk)},
        {
            "service_type": str(world.bins.pk),
            "demand": "value",
            "demand_type": str(world.repair.pk),
        },
        {"service_type": str(world.repairs.pk), "demand": "value", "demand_type": ""},
        {"resolved_now": "on", "resolution": "   "},
        {"resolution": "Sorted it"},
        {"demand": "failure", "failure_category": ""},
    ):
        form = {
            "service_type": str(world.bins.pk),
            "citizen_words": "words",
            "channel": "phone",
            "demand": "value",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            **override,
        }
        response, _ = post_and_check(fo_client, LOG, form)
        assert response.status_code == 200, override


# ---------------------------------------------------------------------------------------------
# Forms on a case: another contact, reopen, a step, hand-off, close. A fresh case each example.


def fresh_case(world, **kwargs) -> Case:
    return CaseFactory(
        owner=world.front_office, service_type=world.bins, opened_at=OPENED, **kwargs
    )


@fuzz("log_on_case")
@given(data=st.data())
def test_log_another_contact_on_a_case(world, fo_client, data):
    case = fresh_case(world)
    form = mutate(
        data.draw,
        contact_fields(world, data.draw, service=world.bins),
        hostile_contact_fields(world),
    )
    replayed = token_seen(form)
    response, before = post_and_check(fo_client, f"/cases/{case.reference}/contacts/new/", form)
    if response.status_code == 302:
        if replayed:
            assert core_delta(before) == {}
            return
        assert core_delta(before) == {"demand.Contact": 1, "cases.TimelineEntry": 1}
        assert_contact_saved_as_typed(case.contacts.latest("pk"), form)
        follow(fo_client, response, form)


@fuzz("reopen")
@given(data=st.data())
def test_reopen_a_case(world, fo_client, data):
    case = fresh_case(world, closed=True)
    form = {"version": str(case.version), **contact_fields(world, data.draw, service=world.bins)}
    hostile = {**hostile_contact_fields(world), "version": numbers()}
    form = mutate(data.draw, form, hostile)
    replayed = token_seen(form)
    response, before = post_and_check(fo_client, f"/cases/{case.reference}/reopen/", form)
    if response.status_code == 302:
        if replayed:
            assert core_delta(before) == {}
            return
        assert core_delta(before) == {"demand.Contact": 1, "cases.TimelineEntry": 2}
        case.refresh_from_db()
        assert case.status == "open"
        assert_contact_saved_as_typed(case.contacts.latest("pk"), form)
        follow(fo_client, response, form)


STEP_KINDS = ["value", "wait", "rework", "check", "chase"]


@fuzz("record_step")
@given(data=st.data())
def test_record_a_step(world, fo_client, data):
    case = fresh_case(world)
    form = {
        "version": str(case.version),
        "step_kind": data.draw(st.sampled_from(STEP_KINDS)),
        "description": data.draw(valid_text(5000)),
        "occurred_at": data.draw(past_datetimes(now_local())),
    }
    hostile = {
        "version": numbers(),
        "step_kind": choice_or_not([*STEP_KINDS, "handoff"]),
        "description": any_text(),
        "occurred_at": datetimes(),
    }
    form = mutate(data.draw, form, hostile)
    response, before = post_and_check(fo_client, f"/cases/{case.reference}/steps/new/", form)
    if response.status_code == 302:
        assert core_delta(before) == {"cases.TimelineEntry": 1}
        step = case.timeline.latest("pk")
        assert (step.kind, step.step_kind) == ("step", form["step_kind"])
        assert step.description == form["description"].strip()
        follow(fo_client, response, form)


@fuzz("hand_off")
@given(data=st.data())
def test_hand_off(world, fo_client, data):
    case = fresh_case(world)
    people = [str(world.team_leader.pk), str(world.other.pk)]
    form = {
        "version": str(case.version),
        "to": data.draw(st.sampled_from(people)),
        "reason": data.draw(valid_text(5000)),
    }
    hostile = {
        "version": numbers(),
        "to": choice_or_not([*people, str(world.front_office.pk)]),
        "reason": any_text(),
    }
    form = mutate(data.draw, form, hostile)
    response, before = post_and_check(fo_client, f"/cases/{case.reference}/hand-off/", form)
    if response.status_code == 302:
        assert core_delta(before) == {"cases.TimelineEntry": 1}
        case.refresh_from_db()
        assert str(case.owner_id) == form["to"].strip()
        assert case.timeline.latest("pk").description == form["reason"].strip()


@fuzz("close")
@given(data=st.data())
def test_close(world, fo_client, data):
    case = fresh_case(world)
    opened = OPENED.replace(tzinfo=None) + timedelta(minutes=1)
    form = {
        "version": str(case.version),
        "resolution": data.draw(valid_text(5000)),
        "closed_at": data.draw(past_datetimes(now_local(), after=opened)),
    }
    hostile = {"version": numbers(), "resolution": any_text(), "closed_at": datetimes()}
    form = mutate(data.draw, form, hostile)
    response, before = post_and_check(fo_client, f"/cases/{case.reference}/close/", form)
    if response.status_code == 302:
        assert core_delta(before) == {"cases.TimelineEntry": 1}
        case.refresh_from_db()
        assert case.status == "closed"
        assert case.resolution == form["resolution"].strip()
        follow(fo_client, response, form)


# ---------------------------------------------------------------------------------------------
# Team leaders: reclassify a contact, record a system change.


@fuzz("reclassify")
@given(data=st.data())
def test_reclassify(world, tl_client, data):
    case = CaseFactory(owner=world.front_office, service_type=world.repairs)
    contact = case.contacts.get()
    form = classification(world, data.draw, service=world.repairs)
    hostile = {
        name: strategy
        for name, strategy in hostile_contact_fields(world).items()
        if name in ("demand", "demand_type", "failure_category", "prevention_note")
    }
    form = mutate(data.draw, form, hostile)
    response, before = post_and_check(tl_client, f"/demand/contacts/{contact.pk}/reclassify/", form)
    if response.status_code == 302:
        assert core_delta(before) == {"cases.TimelineEntry": 1}
        contact.refresh_from_db()
        assert contact.demand == form["demand"]
        assert (
            contact.citizen_words == "My bin wasn't collected on Tuesday, can you come back for it?"
        )


@fuzz("system_change")
@given(data=st.data())
def test_record_a_system_change(world, tl_client, data):
    form = {
        "changed_on": data.draw(st.dates(max_value=timezone.localdate()).map(date.isoformat)),
        "service_type": data.draw(st.sampled_from(["", str(world.bins.pk)])),
        "description": data.draw(valid_text(2000)),
    }
    hostile = {
        "changed_on": dates(),
        "service_type": choice_or_not([*world.services, ""]),
        "description": any_text(),
    }
    form = mutate(data.draw, form, hostile)
    response, before = post_and_check(tl_client, "/improvement/changes/", form)
    if response.status_code == 302:
        assert core_delta(before) == {"improvement.SystemChange": 1}
        change = SystemChange.objects.latest("pk")
        assert change.description == form["description"].strip()
        assert change.changed_on <= timezone.localdate()
        follow(tl_client, response, form)


# ---------------------------------------------------------------------------------------------
# GET filters: find a case, the demand pages and export, capability, work in progress, flow.


@fuzz("find_a_case")
@given(data=st.data())
def test_find_a_case_filters(world, fo_client, data):
    params = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "q": st.one_of(any_text(), st.just(world.open_case.reference), numbers()),
                "status": choice_or_not(["", "open", "closed"]),
                "service": choice_or_not(["bins", "repairs", "retired"]),
                "owner": choice_or_not([str(world.front_office.pk), str(world.team_leader.pk)]),
                "page": numbers(),
            },
        )
    )
    q = str(params.get("q", "")).strip()
    named = parse_reference(q) if q.upper().startswith("CF") else None
    if named is not None and Case.objects.filter(pk=named).exists():
        # A reference to a case opens it.
        response = fo_client.get("/cases/", params)
        assert response.status_code == 302
        assert response["Location"] == Case.objects.get(pk=named).get_absolute_url()
        return
    # Find a case shows a bad filter's message at the field; it has no error summary.
    response, _ = get_and_check(fo_client, "/cases/", params, summary=False)
    assert response.status_code == 200


DEMAND_PAGES = [
    "/demand/",
    "/demand/contacts/",
    "/demand/contacts.csv",
    "/demand/failure-over-time/",
    "/demand/predictability/",
    "/demand/failure-pareto/",
]


def demand_params(world):
    return st.fixed_dictionaries(
        {},
        optional={
            "from": dates(),
            "to": dates(),
            "service": st.lists(choice_or_not(["bins", "repairs", "retired"]), max_size=3),
            "channel": st.lists(choice_or_not(CHANNELS), max_size=3),
            "category": choice_or_not(["progress-chasing", "not-done", ""]),
            "type": choice_or_not([str(world.repair.pk), "none"]),
            "by_channel": choice_or_not(CHANNELS),
            "demand": choice_or_not(DEMANDS),
            "page": numbers(),
            "subject": choice_or_not(
                ["demand:value", "demand:failure", "service:bins", f"type:{world.repair.pk}"]
            ).flatmap(lambda s: st.sampled_from([s, f"type:{s}", f"service:{s}", f"demand:{s}"])),
            "per": choice_or_not(["day", "week"]),
        },
    )


@fuzz("demand_filters")
@given(data=st.data())
def test_demand_pages_and_export_filters(world, tl_client, data):
    url = data.draw(st.sampled_from(DEMAND_PAGES))
    params = data.draw(demand_params(world))
    response, body = get_and_check(tl_client, url, params)
    if url.endswith(".csv"):
        form = DemandFilterForm(_query(params), default_period=last_full_weeks())
        if form.is_valid():
            assert response.status_code == 200
            assert response["Content-Type"].startswith("text/csv")
            assert body.startswith("\ufeffreference,")
        else:
            assert response.status_code == 400
            assert body.startswith("Bad filters:")
    else:
        assert response.status_code == 200


CAPABILITY_PAGES = ["/capability/", "/capability/all/", "/capability/bins/", "/capability/all.csv"]


@fuzz("capability_filters")
@given(data=st.data())
def test_capability_chart_filters(world, tl_client, data):
    url = data.draw(st.sampled_from(CAPABILITY_PAGES))
    params = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "from": dates(),
                "to": dates(),
                "channel": choice_or_not(CHANNELS),
                "cases": choice_or_not(["", "clean", "dirty"]),
                "screening": choice_or_not(["", "off"]),
                "view": choice_or_not(["daily"]),
            },
        )
    )
    response, body = get_and_check(tl_client, url, params)
    if url.endswith(".csv"):
        assert response.status_code in (200, 400)
        assert body.startswith("reference," if response.status_code == 200 else "Bad filters:")
    else:
        assert response.status_code == 200


@fuzz("wip_and_flow_filters")
@given(data=st.data())
def test_work_in_progress_and_flow_filters(world, tl_client, data):
    url = data.draw(st.sampled_from(["/capability/work-in-progress/", "/capability/flow/"]))
    params = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "from": dates(),
                "to": dates(),
                "service": choice_or_not(["bins", "repairs", "retired", ""]),
                "owner": choice_or_not([str(world.front_office.pk), ""]),
                "page": numbers(),
            },
        )
    )
    response, _ = get_and_check(tl_client, url, params)
    assert response.status_code == 200


@fuzz("references_in_urls")
@given(data=st.data())
def test_references_and_ids_in_urls(world, tl_client, data):
    reference = data.draw(st.one_of(numbers(), any_text().map(lambda s: s[:300])))
    template = data.draw(
        st.sampled_from(
            [
                "/cases/{}/",
                "/cases/{}/steps/new/",
                "/cases/{}/hand-off/",
                "/cases/{}/close/",
                "/cases/{}/contacts/new/",
                "/cases/{}/reopen/",
                "/cases/{}/history/",
                "/demand/contacts/{}/reclassify/",
                "/capability/{}/",
                "/capability/{}.csv",
            ]
        )
    )
    response = tl_client.get(template.format(quote(reference, safe="")))
    assert response.status_code in (200, 404), response.status_code


# ---------------------------------------------------------------------------------------------
# A citizen's <script> is text, wherever it is shown.

PHONE_SCRIPT = '<script>alert"x"</script>'  # a phone number keeps no brackets or spaces
POSTCODE_TAG = "<b>x</b>"  # ten characters at most; stored upper-cased


def test_script_in_citizen_words_is_shown_as_text_on_every_page(world, fo_client, team_leader):
    now = timezone.localtime()
    response = fo_client.post(
        LOG,
        {
            "citizen_name": f"Ann {SCRIPT}",
            "citizen_phone": PHONE_SCRIPT,
            "citizen_email": "",
            "citizen_address": f"1 High Street {SCRIPT}",
            "citizen_postcode": POSTCODE_TAG,
            "service_type": str(world.bins.pk),
            "citizen_words": f"My bin {SCRIPT} was not emptied",
            "channel": "phone",
            "demand": "failure",
            "failure_category": str(failure_category("not-done").pk),
            "prevention_note": f"Tell the crew {SCRIPT}",
            "received_at": now.strftime("%Y-%m-%dT%H:%M"),
            "what_matters": f"Before Friday {SCRIPT}",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    contact = Contact.objects.latest("pk")
    case, citizen = contact.case, contact.case.citizen
    assert citizen.name == f"Ann {SCRIPT}"  # stored exactly as typed: escaping is the page's job
    step = fo_client.post(
        f"/cases/{case.reference}/steps/new/",
        {
            "version": case.version,
            "step_kind": "value",
            "description": f"Rang the depot {SCRIPT}",
            "occurred_at": now.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert step.status_code == 302
    closed_case = CaseFactory(citizen=citizen, owner=world.front_office, closed=True)

    tl_client = Client()
    sign_in(tl_client, team_leader)
    change = tl_client.post(
        "/improvement/changes/",
        {"changed_on": now.date().isoformat(), "service_type": "", "description": SCRIPT},
    )
    assert change.status_code == 302

    escaped = escape(SCRIPT)
    period = {"from": (now.date() - timedelta(days=7)).isoformat(), "to": now.date().isoformat()}
    # (client, url, params, what the page shows of the citizen's text)
    pages = [
        (fo_client, case.get_absolute_url(), {}, "words, note, matters, name, address, step"),
        (fo_client, "/cases/mine/", {}, "name"),
        (fo_client, "/cases/", {"q": "Ann"}, "name"),
        (fo_client, "/cases/", {"q": SCRIPT}, "the search echoed"),
        (fo_client, LOG, {"q": "Ann"}, "name"),
        (fo_client, LOG, {"q": SCRIPT}, "the search echoed"),
        (fo_client, LOG, {"citizen": citizen.pk}, "name"),
        (fo_client, f"/cases/{case.reference}/contacts/new/", {}, "name"),
        (fo_client, f"/cases/{case.reference}/steps/new/", {}, "name"),
        (fo_client, f"/cases/{case.reference}/hand-off/", {}, "name"),
        (fo_client, f"/cases/{case.reference}/close/", {}, "name"),
        (fo_client, f"/cases/{closed_case.reference}/reopen/", {}, "name"),
        (tl_client, "/demand/contacts/", period, "words, note"),
        (tl_client, "/demand/failure-pareto/", period, "words, note"),
        (tl_client, f"/demand/contacts/{contact.pk}/reclassify/", {}, "words, name"),
        (tl_client, "/capability/work-in-progress/", {}, "name"),
        (tl_client, "/improvement/changes/", {}, "the change's description"),
        (tl_client, "/capability/all/", {}, None),  # descriptions only in the chart's JSON
        (tl_client, "/capability/bins/", {}, None),
        (tl_client, "/demand/failure-over-time/", period, None),
    ]
    pages.append((tl_client, reverse("cases:history", args=[case.reference]), {}, "words, name"))
    for client, url, params, shows in pages:
        response = client.get(url, params)
        assert response.status_code == 200, url
        html = html_of(response)
        assert "<script>alert" not in html, url
        assert PHONE_SCRIPT not in html, url
        assert POSTCODE_TAG.upper() not in html, url
        if shows:
            assert escaped in html, f"{url} should show the text, escaped"
    case_page = html_of(fo_client.get(case.get_absolute_url()))
    for text in (
        contact.citizen_words,
        contact.prevention_note,
        case.what_matters,
        citizen.name,
        citizen.address,
        f"Rang the depot {SCRIPT}",
    ):
        assert escape(text) in case_page, text
    assert escape(PHONE_SCRIPT) in case_page
    assert escape(POSTCODE_TAG.upper()) in case_page
    # The export is a CSV file, not a page: the words are data there, served as text/csv.
    export = tl_client.get("/demand/contacts.csv", period)
    assert export["Content-Type"].startswith("text/csv")


# ---------------------------------------------------------------------------------------------
# Crashes the fuzz found (all fixed), one example each: they must stay fixed.

YEAR_ONE_EAST = "0001-01-01T00:00+14:00"  # 31 December of year 0 in UTC
NOT_INT = "²"  # str.isdigit() but not int()
PG_ONLY = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL refuses NUL; SQLite does not")
SQLITE_ONLY = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's LIKE pattern limit")

KNOWN_CRASHES = [
    pytest.param("fo", "GET", LOG, {"citizen": NOT_INT}, id="log-contact-citizen-superscript"),
    pytest.param("fo", "GET", LOG, {"citizen": "1" * 5000}, id="log-contact-citizen-5000-digits"),
    pytest.param(
        "fo",
        "POST",
        LOG,
        {"citizen": "{citizen}", "service_type": NOT_INT},
        id="log-contact-service-hint-superscript",
    ),
    pytest.param(
        "fo", "POST", LOG, {"received_at": YEAR_ONE_EAST}, id="log-contact-received-year-0-utc"
    ),
    pytest.param(
        "fo",
        "POST",
        "/cases/{case}/contacts/new/",
        {"received_at": YEAR_ONE_EAST},
        id="log-on-case-received-year-0-utc",
    ),
    pytest.param(
        "fo",
        "POST",
        "/cases/{case}/steps/new/",
        {"occurred_at": YEAR_ONE_EAST},
        id="step-occurred-year-0-utc",
    ),
    pytest.param("tl", "GET", "/demand/contacts/", {"type": NOT_INT}, id="demand-type-superscript"),
    pytest.param(
        "tl",
        "GET",
        "/demand/predictability/",
        {"subject": f"type:{NOT_INT}"},
        id="predictability-subject-type-superscript",
    ),
    pytest.param(
        "fo", "GET", LOG, {"q": "x" * 50_000}, id="sqlite-log-contact-search-50k", marks=SQLITE_ONLY
    ),
    pytest.param("fo", "GET", LOG, {"q": "a\x00b"}, id="pg-log-contact-search-nul", marks=PG_ONLY),
    pytest.param(
        "tl",
        "GET",
        "/demand/contacts/",
        {"category": "a\x00b"},
        id="pg-category-nul",
        marks=PG_ONLY,
    ),
    pytest.param(
        "tl",
        "GET",
        "/demand/predictability/",
        {"subject": "service:a\x00b"},
        id="pg-predictability-subject-service-nul",
        marks=PG_ONLY,
    ),
    pytest.param(
        "fo",
        "POST",
        LOG,
        {"citizen_name": "Ann", "citizen_postcode": "ß" * 10},
        id="pg-postcode-longer-once-upper-cased",
        marks=PG_ONLY,
    ),
    pytest.param(
        "anonymous",
        "POST",
        "/sign-in/",
        {"username": "x" * 256, "password": "wrong"},
        id="pg-sign-in-username-256",
        marks=PG_ONLY,
    ),
]


@pytest.fixture
def small_world(db, front_office, team_leader):
    bins = ServiceTypeFactory(name="Missed bins", slug="bins")
    citizen = CitizenFactory(name="Known Citizen")
    case = CaseFactory(citizen=citizen, owner=front_office, service_type=bins)
    return SimpleNamespace(bins=bins, citizen=citizen, case=case, fo=front_office, tl=team_leader)


@pytest.mark.parametrize(("who", "method", "url", "params"), KNOWN_CRASHES)
def test_former_crashes(small_world, client, who, method, url, params):
    if who != "anonymous":
        sign_in(client, small_world.fo if who == "fo" else small_world.tl)
    url = url.format(case=small_world.case.reference)
    params = {k: v.format(citizen=small_world.citizen.pk) for k, v in params.items()}
    before = snapshot()
    if method == "GET":
        response = client.get(url, params)
        assert response.status_code == 200
        return
    form = {
        "service_type": str(small_world.bins.pk),
        "citizen_words": "words",
        "channel": "phone",
        "demand": "value",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "version": str(small_world.case.version),
        "step_kind": "value",
        "description": "step",
        **params,
    }
    response = client.post(url, form)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "There is a problem" in html_of(response)
        assert snapshot() == before
    else:  # saved: then every page must still show it
        assert client.get(response.url).status_code == 200
        assert client.get("/cases/mine/").status_code == 200


def test_a_reference_after_a_long_run_of_spaces_is_read_without_backtracking():
    """REFERENCE_PATTERN once backtracked over leading whitespace (200,000 spaces, a 200 kB
    query string, took minutes of CPU); the text is stripped before it is matched."""
    assert parse_reference(" " * 200_000 + "x") is None
    assert parse_reference(" " * 200_000 + "CF-000123" + " " * 200_000) == 123


def test_citizen_search_with_long_whitespace_is_answered(small_world, fo_client):
    response = fo_client.get(LOG, {"q": " " * 10_000 + "x"})
    assert response.status_code == 200


def test_predictability_page_stays_small_for_a_long_period(small_world, tl_client):
    """Ten years by day: 3,652 rows (2 MB) today; the period form allows 1900 to 2999."""
    response = tl_client.get("/demand/predictability/", {"from": "2016-01-01", "to": "2025-12-31"})
    assert response.status_code == 200
    assert len(response.content) < 1_000_000
