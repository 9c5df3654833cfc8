"""Every write about telling citizens: progress codes made, replaced and revoked (audited, in
the case's History), and (messaging/sending.py) messages queued, sent and failed."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import audit
from cases.models import Case
from cases.services import user_can_change_case
from messaging import codes
from messaging.models import ProgressLink
from messaging.selectors import live_link


def _revoke(link: ProgressLink, *, by: AbstractBaseUser) -> None:
    before = audit.snapshot(link, ("revoked_at", "revoked_by"))
    link.revoked_at, link.revoked_by = timezone.now(), by
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit.record_changes(link, before, by=by)


def _make(case: Case, *, by: AbstractBaseUser) -> ProgressLink:
    link = ProgressLink.objects.create(case=case, code=codes.new_code(), created_by=by)
    audit.record_creation(link, by=by)
    return link


@transaction.atomic
def progress_link_get_or_make(*, case: Case, by: AbstractBaseUser) -> ProgressLink:
    """The case's working progress code, made if it has none (anyone who may see the case may
    give the citizen its code). Two people pressing at once get the same one."""
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if case.anonymised_at:
        raise ValidationError("This case's personal data were removed: it has no progress page.")
    link = live_link(case)
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return _make(case, by=by)
    except IntegrityError:  # made by someone else just now (SQLite does not lock the case)
        return live_link(case)


@transaction.atomic
def progress_link_replace(*, case: Case, by: AbstractBaseUser) -> ProgressLink:
    """A new code; the old one (given to the citizen, in their messages) stops working at once.
    Only the case's owner or a team leader may do it: the citizen must be given the new one."""
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if not user_can_change_case(user=by, case=case):
        raise PermissionDenied("Only the case owner or a team leader can change its code.")
    if case.anonymised_at:
        raise ValidationError("This case's personal data were removed: it has no progress page.")
    if (old := live_link(case)) is not None:
        _revoke(old, by=by)
    return _make(case, by=by)


@transaction.atomic
def progress_link_revoke(*, case: Case, by: AbstractBaseUser) -> ProgressLink | None:
    """Stop the case's progress page opening for anyone (a code given to the wrong person).
    The owner or a team leader; a new code can be made later."""
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if not user_can_change_case(user=by, case=case):
        raise PermissionDenied("Only the case owner or a team leader can stop its code working.")
    link = live_link(case)
    if link is not None:
        _revoke(link, by=by)
    return link
