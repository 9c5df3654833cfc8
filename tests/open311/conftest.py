import pytest

from demand.models import DemandType
from open311 import services
from tests.factories import ServiceTypeFactory

API = "/open311/v2/"


@pytest.fixture(autouse=True)
def _no_rate_limit_unless_asked(settings):
    settings.OPEN311_RATE_LIMIT = "100000/min"


@pytest.fixture
def fms(db):
    """FixMyStreet registered as a client, with its key (as `open311_client add` prints it)."""
    client, key = services.client_add(name="FixMyStreet")
    client.key = key
    return client


@pytest.fixture
def bins(db):
    service = ServiceTypeFactory(
        name="Bins and recycling", slug="bins", description="Missed bins, new bins, recycling."
    )
    DemandType.objects.create(service_type=service, name="Report a missed collection")
    DemandType.objects.create(service_type=service, name="Ask for a new bin")
    return service
