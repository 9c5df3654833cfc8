"""Updates sent to citizens: queued with the update, sent by the background worker to a real
SMTP server (or a fake GOV.UK Notify) on loopback, tried again while the server is down, shown
as not sent on the case after the last try, never sent twice, never to someone who stopped
them, and every outcome on the case's timeline."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cases import services
from cases.models import Citizen, TimelineEntry
from messaging import sending
from messaging.models import Message, MessageTemplate
from messaging.selectors import live_link
from tests.factories import CaseFactory, CitizenFactory, ServiceTypeFactory
from tests.messaging.conftest import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(front_office):
    citizen = CitizenFactory(
        name="Jo Bloggs",
        email="jo@example.org",
        phone="07700900123",
        address="1 Acacia Avenue",
        updates_by=Citizen.UpdatesBy.EMAIL,
    )
    return CaseFactory(owner=front_office, citizen=citizen)


def _tomorrow():
    return timezone.localdate() + timedelta(days=1)


def _update(fo_client, case, **extra):
    return fo_client.post(
        reverse("messaging:update_citizen", args=[case.reference]),
        {
            "next_step": "A crew will collect your bin.",
            "next_step_on": _tomorrow().isoformat(),
            "status": "action_scheduled",
            "description": "",
            "version": case.version,
            "send": "on",
            **extra,
        },
    )


def test_an_update_is_queued_and_the_worker_sends_it(fo_client, case, smtp_server):
    response = _update(fo_client, case)

    assert response.status_code == 302
    message = Message.objects.get()
    assert message.status == Message.Status.QUEUED
    assert smtp_server.received == []  # not sent by the request
    assert DBTaskResult.objects.count() == 1

    assert run_worker() == 1

    (mail,) = smtp_server.received
    assert mail.to == ["jo@example.org"]
    assert case.reference in mail.subject and "Work is booked" in mail.subject
    assert "A crew will collect your bin." in mail.body
    link = live_link(case)
    assert (
        f"https://councilflow.example.gov.uk/progress/{case.reference}/{link.shown_code}/"
        in mail.body
    )
    assert f"councilflow-message-{message.pk}" in mail.message_id
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.tries == 1
    entry = message.outcome
    assert entry.kind == TimelineEntry.Kind.MESSAGE_SENT
    assert "jo@example.org" in entry.description
    page = fo_client.get(case.get_absolute_url()).content.decode()
    assert "Message sent to the citizen" in page


def test_a_message_holds_nothing_they_did_not_give_for_it(fo_client, case, smtp_server):
    _update(fo_client, case)
    run_worker()

    (mail,) = smtp_server.received
    for detail in ("Jo Bloggs", "1 Acacia Avenue", "07700900123", case.citizen.postcode):
        assert detail not in mail.body


def test_closing_sends_the_resolution(fo_client, case, smtp_server):
    fo_client.post(
        reverse("messaging:close", args=[case.reference]),
        {
            "resolution": "Your bin was emptied this morning.",
            "outcome": "fixed",
            "closed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "version": case.version,
            "send": "on",
        },
    )
    run_worker()

    (mail,) = smtp_server.received
    assert "is closed" in mail.body
    assert "Your bin was emptied this morning." in mail.body
    assert "Fixed" in mail.subject


def test_unticked_nothing_is_sent(fo_client, case, smtp_server):
    _update(fo_client, case, send="")

    assert not Message.objects.exists()
    assert run_worker() == 0


@pytest.mark.parametrize("updates_by", ["none", ""])
def test_without_their_consent_nothing_can_be_sent(fo_client, case, updates_by):
    Citizen.objects.filter(pk=case.citizen_id).update(updates_by=updates_by)

    form_page = fo_client.get(reverse("messaging:update_citizen", args=[case.reference]))
    _update(fo_client, case)

    assert "send" not in form_page.context["form"].fields
    assert "Not sent to them" in form_page.content.decode()
    assert not Message.objects.exists()


def test_stopping_updates_is_honoured_even_for_a_message_already_queued(
    fo_client, case, smtp_server
):
    _update(fo_client, case)
    Citizen.objects.filter(pk=case.citizen_id).update(updates_by=Citizen.UpdatesBy.NONE)

    run_worker()

    assert smtp_server.received == []
    message = Message.objects.get()
    assert message.status == Message.Status.CANCELLED
    assert message.outcome.kind == TimelineEntry.Kind.MESSAGE_FAILED


def test_a_mail_server_that_is_down_is_tried_again_then_the_failure_shows(
    fo_client, case, settings, smtp_server
):
    smtp_server.stop()  # nothing listens on its port now
    _update(fo_client, case)

    run_worker()

    message = Message.objects.get()
    assert message.status == Message.Status.FAILED
    assert message.tries == len(settings.MESSAGE_RETRY_DELAYS) + 1
    assert "could not be reached" in message.last_error
    assert message.outcome.kind == TimelineEntry.Kind.MESSAGE_FAILED
    page = fo_client.get(case.get_absolute_url()).content.decode()
    assert "Not sent" in page and "Send it again" in page

    smtp_server.start()
    fo_client.post(reverse("messaging:send_again", args=[case.reference, message.pk]))
    run_worker()

    (mail,) = smtp_server.received
    assert "A crew will collect your bin." in mail.body  # nothing lost
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_a_refused_address_is_not_tried_again(fo_client, case, smtp_server):
    smtp_server.refuse_recipients_with = "550 No such mailbox"
    _update(fo_client, case)

    run_worker()

    message = Message.objects.get()
    assert (message.status, message.tries) == (Message.Status.FAILED, 1)
    assert "550" in message.last_error


def test_no_message_is_sent_twice(fo_client, case, smtp_server):
    _update(fo_client, case)
    message = Message.objects.get()
    sending.deliver.enqueue(message.pk)  # a second task for it: a retry, another worker

    assert run_worker() == 2

    assert len(smtp_server.received) == 1
    results = set(DBTaskResult.objects.values_list("return_value", flat=True))
    assert results == {"sent", "skipped"}


def test_the_same_form_sent_twice_sends_once(front_office, case):
    update = services.case_update_citizen(
        case=case, by=front_office, status="open", description="We have it."
    )

    first = sending.message_queue(update=update, by=front_office)
    second = sending.message_queue(update=update, by=front_office)

    assert first == second and Message.objects.count() == 1


def test_an_interrupted_try_is_never_tried_again_by_itself(fo_client, case, smtp_server):
    _update(fo_client, case)
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, tried_at=timezone.now() - timedelta(hours=1)
    )

    run_worker()

    assert smtp_server.received == []
    page = fo_client.get(case.get_absolute_url()).content.decode()
    assert "Sending was interrupted" in page and "Send it again" in page


def test_only_the_owner_or_a_team_leader_sends_again(client, other_front_office, case):
    from tests.sign_in import sign_in

    update = services.case_update_citizen(
        case=case, by=case.owner, status="open", description="We have it."
    )
    message = sending.message_queue(update=update, by=case.owner)
    Message.objects.filter(pk=message.pk).update(status=Message.Status.FAILED)
    sign_in(client, other_front_office)

    response = client.post(reverse("messaging:send_again", args=[case.reference, message.pk]))

    assert response.status_code == 403
    assert Message.objects.get().status == Message.Status.FAILED


def test_a_service_template_is_used(fo_client, case, smtp_server):
    MessageTemplate.objects.create(
        service_type=case.service_type,
        kind="update",
        channel="email",
        subject="Bins: ((reference))",
        body="((council)) says: ((update)) See ((progress_code)) at ((progress_link))",
    )
    MessageTemplate.objects.create(
        service_type=ServiceTypeFactory(), kind="update", channel="email", subject="x", body="no"
    )

    _update(fo_client, case)
    run_worker()

    (mail,) = smtp_server.received
    assert mail.subject == f"Bins: {case.reference}"
    assert mail.body.startswith("Leeds City Council says: What happens next: A crew")
    assert live_link(case).shown_code in mail.body


def test_a_template_with_an_unknown_placeholder_is_refused():
    from django.core.exceptions import ValidationError

    template = MessageTemplate(kind="update", channel="email", subject="Hi ((name))", body="x")

    with pytest.raises(ValidationError, match=r"\(\(name\)\)"):
        template.full_clean()


def test_a_text_message_goes_through_notify(fo_client, case, notify):
    Citizen.objects.filter(pk=case.citizen_id).update(updates_by=Citizen.UpdatesBy.TEXT)

    _update(fo_client, case)
    run_worker()

    (sent,) = notify.requests
    assert sent["path"] == "/v2/notifications/sms"
    assert sent["phone_number"] == "07700900123"
    assert sent["template_id"] == "sms-template"
    assert "A crew will collect your bin." in sent["personalisation"]["body"]
    message = Message.objects.get()
    assert sent["reference"] == f"councilflow-message-{message.pk}"
    assert (message.status, message.via) == (Message.Status.SENT, Message.Via.NOTIFY)
    assert message.provider_id


def test_notify_unwell_is_tried_again_and_a_refusal_is_not(fo_client, case, notify, settings):
    settings.CITIZEN_EMAIL_VIA = "notify"
    notify.answers = [500]
    _update(fo_client, case)
    run_worker()

    first = Message.objects.get()
    assert (first.status, first.tries) == (Message.Status.SENT, 2)
    assert notify.requests[-1]["path"] == "/v2/notifications/email"

    notify.answers = [400]
    case.refresh_from_db()
    _update(fo_client, case, description="Another word.")
    run_worker()

    second = Message.objects.exclude(pk=first.pk).get()
    assert (second.status, second.tries) == (Message.Status.FAILED, 1)
    assert "400" in second.last_error


def test_text_messages_need_notify(fo_client, case, settings):
    settings.NOTIFY_API_KEY = ""
    Citizen.objects.filter(pk=case.citizen_id).update(updates_by=Citizen.UpdatesBy.TEXT)

    page = fo_client.get(reverse("messaging:update_citizen", args=[case.reference]))

    assert "not set up to send" in page.content.decode()


# Serialized rollback, as every transactional test here: the roles the migrations made are
# put back for the tests after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_command_survives_a_mail_server_that_is_down(front_office, settings):
    """`manage.py db_worker --batch` itself: every try fails, the worker carries on to the end,
    the message shows as not sent on its case, and its words are kept."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    citizen = CitizenFactory(updates_by=Citizen.UpdatesBy.EMAIL)
    case = CaseFactory(owner=front_office, citizen=citizen)
    update = services.case_update_citizen(
        case=case, by=front_office, status="open", description="We have your report."
    )
    sending.message_queue(update=update, by=front_office)

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    message = Message.objects.get()
    assert message.status == Message.Status.FAILED
    assert message.tries == len(settings.MESSAGE_RETRY_DELAYS) + 1
    assert message.body and "We have your report." in message.body
    assert case.timeline.filter(kind=TimelineEntry.Kind.MESSAGE_FAILED).count() == 1
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
