"""The OpenAPI description (open311/openapi.yaml) against the code: the paths it describes are
exactly the ones served, and a property-based fuzz (schemathesis) sends generated requests to
every operation and checks every answer against it: never a server error, always a documented
status, content type and shape, and every refusal in the spec's error shape."""

import json
import re
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import get_resolver
from hypothesis import HealthCheck, settings

from demand.models import DemandType
from open311 import services
from open311.urls import urlpatterns
from tests.factories import ServiceTypeFactory

SPEC = Path(__file__).resolve().parents[2] / "open311" / "openapi.yaml"
PREFIX = "/open311/v2"
# Enough generated requests per operation to find a crash, few enough for CI on two cores.
EXAMPLES = 40
CALLS: Counter = Counter()

schema = schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.yaml", get_wsgi_application())


def _served() -> set[tuple[str, str]]:
    """(path, method) for every GeoReport URL the code serves, in the description's words."""
    served = set()
    for pattern in urlpatterns:
        regex = pattern.pattern.regex.pattern if hasattr(pattern.pattern, "regex") else ""
        if pattern.name in {"not_found", "openapi"}:
            continue
        path = regex.strip("^$").replace(r"\.(?P<format>xml|json)", ".{format}")
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path)
        view = pattern.callback.view_class
        for method in ("get", "post"):
            if hasattr(view, method):
                served.add((f"/{path}", method))
    return served


def test_the_description_names_exactly_the_paths_the_code_serves():
    described = {
        (path, method)
        for path, operations in yaml.safe_load(SPEC.read_text())["paths"].items()
        for method in operations
    }

    assert described == _served()
    assert get_resolver().resolve(f"{PREFIX}/services.xml").url_name == "services"


@pytest.fixture
def wsgi_in_the_test_transaction():
    """Requests go straight to the WSGI application, not through Django's test client, so do
    what it does: keep the test's database connection (and its transaction) open between them."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def council(db, wsgi_in_the_test_transaction):
    """A service with what citizens ask for, and a client with its key."""
    service = ServiceTypeFactory(name="Bins", slug="bins")
    DemandType.objects.create(service_type=service, name="Report a missed collection")
    _client, key = services.client_add(name="FixMyStreet")
    return key


def _with_a_real_key_and_service(case, key: str) -> None:
    """Most generated requests get the real key (else every one is a plain 403), and every
    other report the real service, so the fuzz reaches validation and saving."""
    for where in (case.query, case.body):
        if isinstance(where, dict) and "api_key" in where:
            where["api_key"] = key
    body = case.body if isinstance(case.body, dict) else None
    if body is not None and "service_code" in body and len(str(body.get("description"))) % 2:
        body["service_code"] = "bins"


def _check_error_shape(response) -> None:
    if response.status_code < 400:
        return
    if response.content.startswith(b"["):  # the JSON form
        (error,) = json.loads(response.content)
        assert error["code"] == response.status_code
    else:
        root = ElementTree.fromstring(response.content)
        assert root.tag == "errors"
        assert root.find("error/code").text == str(response.status_code)
        assert root.find("error/description").text


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_fuzz_every_operation(case, council, settings):
    settings.OPEN311_RATE_LIMIT = "1000000/min"
    _with_a_real_key_and_service(case, council)

    response = case.call()
    CALLS[f"{case.method} {case.path}"] += 1

    case.validate_response(
        response,
        checks=[
            schemathesis.checks.not_a_server_error,
            schemathesis.specs.openapi.checks.status_code_conformance,
            schemathesis.specs.openapi.checks.content_type_conformance,
            schemathesis.specs.openapi.checks.response_schema_conformance,
        ],
    )
    assert response.status_code < 500
    assert response.content or case.method == "HEAD", (case.method, response.status_code)
    _check_error_shape(response)


def test_the_fuzz_reached_every_operation(capsys):
    """Runs after the fuzz: each operation was sent requests (the count is printed)."""
    operations = {(path, method.upper()) for path, method in _served()}
    reached = {tuple(call.split(" ", 1)[::-1]) for call in CALLS}
    if not CALLS:
        pytest.skip("run with the fuzz above")
    assert {(path, method) for path, method in operations} <= {(p, m) for p, m in reached}
    documented = sum(
        n for call, n in CALLS.items() if tuple(call.split(" ", 1)[::-1]) in operations
    )
    with capsys.disabled():
        print(
            f"\nOpen311 fuzz: {sum(CALLS.values())} requests, {documented} of them to the "
            f"{len(operations)} documented operations, the rest probing other methods"
        )
