"""Reads for telling citizens: a case's working progress code, the case a code opens, the
template for a message, a case's messages."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from cases.models import Case, parse_reference
from messaging import codes
from messaging.models import Message, MessageTemplate, ProgressLink

# A try that has not finished after this long was interrupted (its worker stopped): the mail
# server may or may not have the message, so it is never tried again by itself.
INTERRUPTED_AFTER = timedelta(minutes=10)


def live_link(case: Case) -> ProgressLink | None:
    """The case's working progress code, if it has one."""
    return case.progress_links.filter(revoked_at__isnull=True).first()


def case_for_code(reference: str, typed_code: str) -> Case | None:
    """The case this reference and code open, or None: whether the reference exists, the code
    was revoked, or it is simply wrong, the answer is the same, so nothing is revealed."""
    pk = parse_reference(reference)
    code = codes.normalised(typed_code)
    link = (
        ProgressLink.objects.select_related("case__service_type", "case__citizen")
        .filter(case_id=pk, revoked_at__isnull=True, case__anonymised_at__isnull=True)
        .exclude(code="")
        .first()
        if pk is not None
        else None
    )
    # Compared in constant time, so how long the answer takes says nothing about the code.
    if link is None or not constant_time_compare(link.code, code or "-"):
        return None
    return link.case


def progress_path(link: ProgressLink) -> str:
    return reverse(
        "progress:page", kwargs={"reference": link.case.reference, "code": link.shown_code}
    )


def progress_url(link: ProgressLink) -> str:
    """The page's full address, for messages: PUBLIC_URL (the address citizens reach
    CouncilFlow at) and the page's path."""
    return settings.PUBLIC_URL.rstrip("/") + progress_path(link)


def progress_find_url() -> str:
    """Where a citizen types their reference and code."""
    return settings.PUBLIC_URL.rstrip("/") + reverse("progress:find")


def template_for(*, service_type, kind: str, channel: str) -> MessageTemplate | None:
    """The service's own template in use, else the one for every service, else None (the
    built-in words, messaging/wording.py)."""
    templates = MessageTemplate.objects.filter(kind=kind, channel=channel, is_active=True)
    return (
        templates.filter(service_type=service_type).first()
        or templates.filter(service_type__isnull=True).first()
    )


def messages_of(case: Case) -> list[Message]:
    """A case's messages, newest first, for its page, each marked `can_send_again` when it was
    not sent or its try was interrupted (its worker stopped mid-try, long ago)."""
    interrupted_before = timezone.now() - INTERRUPTED_AFTER
    found = list(case.messages.order_by("-queued_at", "-pk"))
    for message in found:
        message.interrupted = (
            message.status == Message.Status.SENDING
            and message.tried_at is not None
            and message.tried_at < interrupted_before
        )
        message.can_send_again = message.status == Message.Status.FAILED or message.interrupted
    return found
