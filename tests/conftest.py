import pytest

from tests.factories import AdministratorFactory, FrontOfficeFactory, TeamLeaderFactory
from tests.sign_in import sign_in


@pytest.fixture
def front_office(db):
    return FrontOfficeFactory(username="fo", first_name="Fran", last_name="Office")


@pytest.fixture
def other_front_office(db):
    return FrontOfficeFactory(username="fo2", first_name="Omar", last_name="Other")


@pytest.fixture
def team_leader(db):
    return TeamLeaderFactory(username="tl", first_name="Tess", last_name="Leader")


@pytest.fixture
def administrator(db):
    return AdministratorFactory(username="admin1", first_name="Ada", last_name="Admin")


@pytest.fixture
def fo_client(client, front_office):
    sign_in(client, front_office)
    return client


@pytest.fixture
def tl_client(client, team_leader):
    sign_in(client, team_leader)
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing passwords properly is slow on purpose; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
