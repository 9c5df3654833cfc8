"""With a replica configured, the study pages read from it; writes and the front office's
pages use the primary."""

import pytest
from django.urls import reverse

from demand.models import Contact
from lib.routers import REPLICA, ReplicaRouter, reads_from_replica
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def replica(settings):
    settings.USE_REPLICA = True


@pytest.mark.parametrize(
    "url",
    [
        "/demand/",
        "/demand/failure-over-time/",
        "/demand/contacts.csv",
        "/capability/all/",
        "/capability/all.csv",
        "/capability/flow/",
    ],
)
def test_study_pages_read_from_the_replica(tl_client, replica, url, monkeypatch):
    """The router's choice for every read, recorded; the read itself still runs on the test
    database (a second connection to SQLite's in-memory test database would lock it)."""
    CaseFactory(closed=True)
    chosen = []
    original = ReplicaRouter.db_for_read

    def record(self, model, **hints):
        chosen.append((model._meta.label, original(self, model, **hints)))
        return None

    monkeypatch.setattr(ReplicaRouter, "db_for_read", record)
    response = tl_client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code == 200
    routed = {label for label, alias in chosen if alias == REPLICA}
    assert routed & {"cases.Case", "demand.Contact"}
    # Signing in and permissions are read outside the view, from the primary.
    assert ("auth.User", None) in chosen or ("sessions.Session", None) in chosen


def test_front_office_pages_and_writes_use_the_primary(fo_client, front_office, replica):
    case = CaseFactory(owner=front_office)
    router = ReplicaRouter()
    assert router.db_for_read(Contact) is None
    assert router.db_for_write(Contact) is None
    fo_client.get(case.get_absolute_url())
    fo_client.get(reverse("cases:mine"))
    assert router.db_for_read(Contact) is None


def test_without_a_replica_everything_uses_the_primary(settings):
    settings.USE_REPLICA = False

    @reads_from_replica
    def view(request):
        from django.http import HttpResponse

        return HttpResponse(str(ReplicaRouter().db_for_read(Contact)))

    assert view(None).content == b"None"


def test_inside_a_study_view_reads_go_to_the_replica(replica):
    @reads_from_replica
    def view(request):
        from django.http import HttpResponse

        return HttpResponse(ReplicaRouter().db_for_read(Contact))

    assert view(None).content == REPLICA.encode()
    assert ReplicaRouter().db_for_read(Contact) is None  # and only inside


def test_the_replica_is_never_migrated():
    assert ReplicaRouter().allow_migrate(REPLICA, "cases") is False
    assert ReplicaRouter().allow_migrate("default", "cases") is True
