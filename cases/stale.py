"""A form sent after someone else changed its case: what changed since the form was shown, so
the person who sent it can see why nothing was saved and decide what to do with their text."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from cases.models import Case, TimelineEntry
from cases.services import user_can_change_case
from lib.params import id_param

CHANGES_SHOWN = 10  # the latest; the case's timeline has the rest


@dataclass(frozen=True)
class Refusal:
    """Why a form was not saved, and what its sender can do now."""

    case: Case  # as it now stands
    changes: list[TimelineEntry]  # newest first
    can_change: bool  # may the sender still change the case at all?
    can_submit: bool  # may they send this form again (a fresh version of it)?
    button: str  # what the form's button says
    advice: str = ""  # what the sender can do now, when the form knows better than below

    headline = "Someone else changed this case while you had this form open."

    @property
    def owner_name(self) -> str:
        return self.case.owner.get_full_name() or self.case.owner.username

    @property
    def what_now(self) -> str:
        if self.advice:
            return self.advice
        if self.can_submit:
            return (
                "Your text is kept below. Check it still fits the case as it is now, then "
                f"press “{self.button}” again."
            )
        if not self.can_change:
            return (
                f"{self.owner_name} owns the case now, so only they or a team leader can change "
                "it. Your text is kept below: copy it, or pass it on to them."
            )
        if self.case.is_open:
            return "The case is open again now. Your text is kept below."
        return "The case is closed now. Your text is kept below."


def changes_since(case: Case, shown_at: datetime | None) -> list[TimelineEntry]:
    """What was recorded on the case after a form was shown (the latest few if it is not
    known when), newest first."""
    entries = TimelineEntry.objects.filter(case=case).select_related(
        "actor", "from_owner", "to_owner"
    )
    if shown_at is not None:
        entries = entries.filter(recorded_at__gte=shown_at)
    return list(entries.order_by("-recorded_at", "-pk")[:CHANGES_SHOWN])


def refusal(
    *,
    case: Case,
    user: AbstractBaseUser,
    shown_at: datetime | None,
    needs_open: bool | None,
    button: str,
    advice: str = "",
) -> Refusal:
    """The refusal of a stale form. `needs_open` says whether the form acts on an open case
    (True), a closed one (False, reopening), or either (None)."""
    case = Case.objects.select_related("service_type", "citizen", "owner").get(pk=case.pk)
    can_change = user_can_change_case(user=user, case=case)
    state_fits = needs_open is None or case.is_open == needs_open
    return Refusal(
        case=case,
        changes=changes_since(case, shown_at),
        can_change=can_change,
        can_submit=can_change and state_fits,
        button=button,
        advice=advice,
    )


class Versioned(Protocol):
    """A row whose every change counts a new version: a case, or a system change."""

    version: int


def is_stale(data, case: Versioned) -> bool:
    """Was this form shown for an earlier version of the case (or system change)? (A form
    without a sensible version is not stale: its own validation says what is wrong.)"""
    version = id_param(data.get("version", ""))
    return version is not None and version != case.version


def fresh_data(data, case: Versioned):
    """What was sent, as a form shown now for the case (or system change) as it stands: the
    same text, its current version and the time now, so sending it again is not refused as
    stale."""
    fresh = data.copy()
    fresh["version"] = str(case.version)
    fresh["shown_at"] = timezone.now().isoformat()
    return fresh
