"""Handing a message to whatever delivers it: the council's mail server through Django's email
framework (EMAIL_URL), or GOV.UK Notify through its official client. Each failure is either
worth another try later (the server is down, busy or slow) or not (the address is refused):
TryLater or GiveUp, with the reason in words a person can act on."""

import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from messaging.models import Channel, Message

NOTIFY_TIMEOUT_SECONDS = 20


class TryLater(Exception):
    """Not sent this time, and nothing was accepted: another try may work."""


class GiveUp(Exception):
    """Not sent, and trying again will not change that (an address refused, say)."""


def notify_is_on() -> bool:
    return bool(settings.NOTIFY_API_KEY)


def via_for(channel: str) -> str | None:
    """How a message by this channel would go now; None when it cannot (text messages need
    GOV.UK Notify)."""
    if channel == Channel.EMAIL:
        if settings.CITIZEN_EMAIL_VIA == "notify":
            return Message.Via.NOTIFY if notify_is_on() else None
        return Message.Via.SMTP
    if channel == Channel.TEXT:
        return Message.Via.NOTIFY if notify_is_on() else None
    return None


def send(message: Message) -> str:
    """Send it; the provider's id for it ("" for SMTP). Raises TryLater or GiveUp."""
    if message.via == Message.Via.SMTP:
        return _by_smtp(message)
    return _by_notify(message)


def _by_smtp(message: Message) -> str:
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        # One id per message, whichever try delivers it: a mail system that keeps ids can
        # recognise the same message.
        headers={"Message-ID": make_msgid(idstring=f"councilflow-message-{message.pk}")},
        connection=get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT),
    )
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as refused:
        codes = [code for code, _ in refused.recipients.values()]
        reason = f"The mail server refused the address ({_smtp_reasons(refused.recipients)})"
        raise (TryLater if all(400 <= code < 500 for code in codes) else GiveUp)(reason) from None
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
        reason = f"The mail server refused the message: {error.smtp_code} {_text(error.smtp_error)}"
        raise (TryLater if 400 <= error.smtp_code < 500 else GiveUp)(reason) from None
    except (smtplib.SMTPException, OSError) as error:  # down, unreachable, timed out, TLS
        reason = f"The mail server could not be reached: {error or type(error).__name__}"
        raise TryLater(reason) from None
    return ""


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _smtp_reasons(recipients: dict) -> str:
    return "; ".join(f"{code} {_text(reason)}" for code, reason in recipients.values())


def _by_notify(message: Message) -> str:
    client = NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=NOTIFY_TIMEOUT_SECONDS
    )
    reference = f"councilflow-message-{message.pk}"
    try:
        if message.channel == Channel.TEXT:
            answer = client.send_sms_notification(
                phone_number=message.to,
                template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                personalisation={"body": message.body},
                reference=reference,
            )
        else:
            answer = client.send_email_notification(
                email_address=message.to,
                template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
                personalisation={"subject": message.subject, "body": message.body},
                reference=reference,
            )
    except APIError as error:
        reason = f"GOV.UK Notify answered {error.status_code}: {error.message}"
        # 429: over the rate limit; 5xx (and 503 for no answer at all): Notify is unwell.
        if error.status_code == 429 or error.status_code >= 500:
            raise TryLater(reason) from None
        raise GiveUp(reason) from None
    return str((answer or {}).get("id", ""))[:64]
