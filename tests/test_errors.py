"""Server errors: a house-style page that needs no database, logged with the traceback; a form
sent while the database cannot be reached comes back with everything typed, nothing saved.
(The real outage, a PostgreSQL cluster stopped under a POST, is tests/browser/test_outage.py.)"""

import logging
import re

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from cases.models import Case
from demand import services
from demand.models import Contact
from tests.factories import FrontOfficeFactory, ServiceTypeFactory
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db

WORDS = "The lamp post outside 14 Elm Row is hanging off & sparking <now>"


@pytest.fixture
def worker():
    user = FrontOfficeFactory()
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    return client


def contact_form(service) -> dict[str, str]:
    return {
        "citizen_words": WORDS,
        "channel": "phone",
        "received_at_when": "now",
        "service_type": str(service.pk),
        "demand": "value",
        "citizen_name": "Ada Lovelace",
        "submission_token": "3f1c9a52-7a4e-4d87-9a53-9d8fb0c1f0aa",
        "action": "save",
        "csrfmiddlewaretoken": "the-token",
        "what_matters": "",
    }


def raising(error: Exception):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_contact_sent_while_the_database_is_down_comes_back_with_everything_typed(
    worker, monkeypatch, caplog, error
):
    service = ServiceTypeFactory()

    refused = error("connection to server at 127.0.0.1 failed: Connection refused")
    monkeypatch.setattr(services, "contact_log_new_case", raising(refused))
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = worker.post("/contacts/new/", contact_form(service))

    assert response.status_code == 503
    html = response.content.decode()
    assert "Nothing was saved: the database could not be reached" in html
    assert "press “Log contact” again" in html
    # The words in a box to read and send again (escaped), and every other field sent, unseen.
    assert "The lamp post outside 14 Elm Row is hanging off &amp; sparking &lt;now&gt;" in html
    assert '<input type="hidden" name="received_at_when" value="now">' in html
    assert '<input type="hidden" name="submission_token" value="3f1c9a52-' in html
    assert re.search(r'<form method="post" action="/contacts/new/"', html)
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="the-token">' in html
    # A box only for what was filled in; an empty one goes back unseen.
    assert 'id="kept-citizen_name"' in html and 'id="kept-what_matters"' not in html
    assert '<input type="hidden" name="what_matters" value="">' in html
    assert not Contact.objects.exists() and not Case.objects.exists()
    # Logged, with the traceback.
    logged = [record for record in caplog.records if record.exc_info]
    assert logged and isinstance(logged[0].exc_info[1], error)


def test_the_sent_form_can_be_sent_again_and_saves_once(worker, monkeypatch):
    service = ServiceTypeFactory()
    real = services.contact_log_new_case
    monkeypatch.setattr(services, "contact_log_new_case", raising(OperationalError()))
    kept = worker.post("/contacts/new/", contact_form(service))
    assert kept.status_code == 503
    resent = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', kept.text))
    resent["citizen_words"] = WORDS
    resent["citizen_name"] = "Ada Lovelace"
    monkeypatch.setattr(services, "contact_log_new_case", real)

    first = worker.post("/contacts/new/", resent)
    again = worker.post("/contacts/new/", resent)

    assert first.status_code == 302 and again.status_code == 302
    assert Contact.objects.get().citizen_words == WORDS


def test_any_other_server_error_gets_the_house_style_page_and_is_logged(
    worker, monkeypatch, caplog
):
    service = ServiceTypeFactory()
    monkeypatch.setattr(services, "contact_log_new_case", raising(ZeroDivisionError()))
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = worker.post("/contacts/new/", contact_form(service))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "govuk-template" in html and "Server Error (500)" not in html
    assert WORDS not in html
    assert any(isinstance(r.exc_info[1], ZeroDivisionError) for r in caplog.records if r.exc_info)


def test_a_get_while_the_database_is_down_is_the_house_style_page(worker, monkeypatch):
    from demand import views

    monkeypatch.setattr(views, "_log_contact_page", raising(OperationalError()))
    response = worker.get("/contacts/new/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
