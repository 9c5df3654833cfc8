"""A case's progress code: eight characters safe to read out, made by anyone who sees the case,
replaced or stopped by its owner or a team leader, one working at a time, audited, never the
code itself in the trail."""

import pytest
from django.urls import reverse

from cases.models import AuditEntry
from messaging import codes
from messaging.models import ProgressLink
from messaging.selectors import case_for_code, live_link
from tests.factories import CaseFactory, ProgressLinkFactory
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db


def test_a_code_is_eight_characters_never_easily_misheard():
    made = {codes.new_code() for _ in range(200)}

    assert len(made) == 200
    assert all(len(code) == 8 and set(code) <= set(codes.ALPHABET) for code in made)
    assert not set("ILOU") & set(codes.ALPHABET)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("k7pq-4xma", "K7PQ4XMA"),
        (" K7PQ 4XMA ", "K7PQ4XMA"),
        ("K7PQ4XMO", "K7PQ4XM0"),  # O is read as zero, I and L as one
        ("I7PQ4XML", "17PQ4XM1"),
        ("K7PQ4XM", ""),
        ("K7PQ4XMAA", ""),
        ("K7PQ4XM!", ""),
        ("", ""),
    ],
)
def test_what_is_typed_is_read_as_the_code(typed, read):
    assert codes.normalised(typed) == read


def test_anyone_who_sees_the_case_can_make_its_code(client, other_front_office, front_office):
    case = CaseFactory(owner=front_office)
    sign_in(client, other_front_office)

    response = client.post(reverse("messaging:progress_code_make", args=[case.reference]))

    assert response.status_code == 302
    link = live_link(case)
    assert link.created_by == other_front_office
    page = client.get(case.get_absolute_url()).content.decode()
    assert link.shown_code in page
    entries = AuditEntry.objects.filter(object_type="progresslink", case_id=case.pk)
    assert entries.exists()
    assert not entries.filter(new_value__contains=link.code).exists()


def test_making_it_twice_gives_the_same_code(fo_client, front_office):
    case = CaseFactory(owner=front_office)
    url = reverse("messaging:progress_code_make", args=[case.reference])

    fo_client.post(url)
    fo_client.post(url)

    assert ProgressLink.objects.filter(case=case).count() == 1


def test_a_new_code_stops_the_old_one(fo_client, front_office):
    old = ProgressLinkFactory(case=CaseFactory(owner=front_office))

    fo_client.post(reverse("messaging:progress_code_replace", args=[old.case.reference]))

    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoked_by == front_office
    new = live_link(old.case)
    assert new.code != old.code
    assert case_for_code(old.case.reference, old.code) is None
    assert case_for_code(old.case.reference, new.code) == old.case


def test_stopping_the_code_leaves_the_page_closed_to_all(fo_client, front_office):
    link = ProgressLinkFactory(case=CaseFactory(owner=front_office))

    fo_client.post(reverse("messaging:progress_code_revoke", args=[link.case.reference]))

    assert live_link(link.case) is None
    assert case_for_code(link.case.reference, link.code) is None
    assert "Make a progress code" in fo_client.get(link.case.get_absolute_url()).content.decode()


@pytest.mark.parametrize("name", ["progress_code_replace", "progress_code_revoke"])
def test_only_the_owner_or_a_team_leader_replaces_or_stops_it(
    client, other_front_office, front_office, name
):
    link = ProgressLinkFactory(case=CaseFactory(owner=front_office))
    sign_in(client, other_front_office)

    response = client.post(reverse(f"messaging:{name}", args=[link.case.reference]))

    assert response.status_code == 403
    assert live_link(link.case) == link


def test_a_team_leader_may_replace_any(tl_client):
    link = ProgressLinkFactory()

    tl_client.post(reverse("messaging:progress_code_replace", args=[link.case.reference]))

    assert live_link(link.case) != link


def test_an_unknown_case_is_404(fo_client):
    response = fo_client.post(reverse("messaging:progress_code_make", args=["CF-999999"]))

    assert response.status_code == 404


def test_an_anonymised_case_gets_no_code(fo_client, front_office):
    case = CaseFactory(owner=front_office, closed=True)
    case.anonymised_at = case.closed_at
    case.save()

    fo_client.post(reverse("messaging:progress_code_make", args=[case.reference]))

    assert not ProgressLink.objects.exists()
