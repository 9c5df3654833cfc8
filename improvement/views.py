"""The improvement register's pages, for team leaders."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from cases import stale
from improvement import selectors, services
from improvement.forms import SystemChangeCorrectionForm, SystemChangeForm, WithdrawalForm
from improvement.models import SystemChange
from lib.forms import MAX_PERIOD_DAYS

# A capability chart shows about the last six months unless asked for a period
# (analysis.capability.default_period). A change before that is linked to a chart that starts
# three months before it, so the link shows the phase it starts.
CHART_SHOWS_DAYS = 183
BEFORE_THE_CHANGE = timedelta(days=91)
REFUSAL_CHANGES_SHOWN = 10


def _day(change: SystemChange) -> str:
    return f"{change.changed_on.day} {change.changed_on:%B %Y}"


def chart_url(change: SystemChange) -> str:
    """The capability chart a change starts a phase on: its service's, or all services'."""
    slug = change.service_type.slug if change.service_type else "all"
    url = reverse("analysis:capability_chart", kwargs={"service": slug})
    today = timezone.localdate()
    if change.changed_on >= today - timedelta(days=CHART_SHOWS_DAYS):
        return url
    start = max(change.changed_on - BEFORE_THE_CHANGE, today - timedelta(days=MAX_PERIOD_DAYS))
    return f"{url}?{urlencode({'from': start.isoformat(), 'to': today.isoformat()})}"


def _banner(change: SystemChange, done: str, see: str = "See it on the chart of") -> SafeString:
    """“System change of 3 March 2026 recorded. See it on the chart of Housing repairs”, the
    last words a link to that chart (escaped: a service's name is typed by an administrator)."""
    chart_of = change.service_type.name if change.service_type else "all services"
    return format_html(
        'System change of {} {}. <a class="govuk-notification-banner__link" href="{}">{} {}</a>',
        _day(change),
        done,
        chart_url(change),
        see,
        chart_of,
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.STUDY_CAPABILITY, raise_exception=True)
def system_changes(request: HttpRequest) -> HttpResponse:
    """Team leaders record that the way the work is done changed; each change starts a new
    phase on the charts of its service (or of every service)."""
    can_record = request.user.has_perm(roles.RECORD_SYSTEM_CHANGE)
    form = SystemChangeForm(request.POST or None)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                change = services.system_change_record(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _banner(change, "recorded"))
                return redirect("improvement:changes")
    return render(
        request,
        "improvement/changes.html",
        {
            "form": form,
            "changes": selectors.system_changes_newest_first(),
            "can_record": can_record,
            "can_correct": request.user.has_perm(roles.CORRECT_SYSTEM_CHANGE),
            "nav_section": "capability",
        },
    )


def _get_change(pk: int) -> SystemChange:
    return get_object_or_404(selectors.system_changes_newest_first(), pk=pk)


@require_GET
@permission_required(roles.STUDY_CAPABILITY, raise_exception=True)
def system_change(request: HttpRequest, pk: int) -> HttpResponse:
    """One change: what was recorded, whether it still starts a phase, and its history."""
    change = _get_change(pk)
    return render(
        request,
        "improvement/change.html",
        {
            "change": change,
            "history": selectors.system_change_history(change),
            "can_correct": request.user.has_perm(roles.CORRECT_SYSTEM_CHANGE),
            "chart_url": chart_url(change),
            "nav_section": "capability",
        },
    )


@dataclass(frozen=True)
class Refusal:
    """Why a correction or withdrawal was not saved: someone else got there first."""

    change: SystemChange  # as it now stands
    changes: list[selectors.HistoryLine]  # what they did, newest first
    button: str  # what the form's button says

    headline = "Someone else changed this system change while you had this form open."
    entry_template = "improvement/_refusal_entry.html"  # how cases/_refusal.html draws each

    @property
    def can_submit(self) -> bool:
        return not self.change.is_withdrawn

    @property
    def what_now(self) -> str:
        if self.change.is_withdrawn:
            return (
                "It has been withdrawn, so it can no longer be corrected or withdrawn. Your text "
                "is kept below: copy it if you need it."
            )
        return (
            "Your text is kept below. Check it still fits the change as it is now, then press "
            f"“{self.button}” again."
        )


def _change_action(
    request: HttpRequest,
    pk: int,
    *,
    make_form: Callable[[SystemChange, object], forms.Form],
    template: str,
    act: Callable[[SystemChange, dict], SystemChange],
    success: Callable[[SystemChange, SystemChange], None],
    button: str,
) -> HttpResponse:
    """GET shows the form for the change as it stands; POST calls the service and goes back to
    the change, or shows the form again with its messages and everything typed. A form shown
    before someone else corrected or withdrew the change is refused with what they did, and its
    text kept. A withdrawn change is neither corrected nor withdrawn again."""
    change = _get_change(pk)
    if request.method == "GET":
        if change.is_withdrawn:
            withdrawn = timezone.localtime(change.withdrawn_at)
            messages.warning(
                request,
                f"This system change was withdrawn on {withdrawn:%-d %B %Y}, so it can no longer "
                "be changed. If the work did change, record it as a new change.",
            )
            return redirect(change)
        return _render(request, template, change, make_form(change, None))
    form = make_form(change, request.POST)

    def refuse() -> HttpResponse:
        now = _get_change(pk)
        since_shown = selectors.system_change_history(now, since=form.when_shown())
        refusal = Refusal(change=now, changes=since_shown[:REFUSAL_CHANGES_SHOWN], button=button)
        fresh = make_form(now, stale.fresh_data(request.POST, now))
        return _render(request, template, now, fresh, refusal=refusal)

    if stale.is_stale(request.POST, change) or change.is_withdrawn:
        return refuse()
    if form.is_valid():
        try:
            done = act(change, form.cleaned_data)
        except ValidationError as error:
            if getattr(error, "code", None) in ("stale", "withdrawn"):  # as this was sent
                return refuse()
            form.add_error(None, error)
        else:
            success(change, done)
            return redirect(done)
    return _render(request, template, change, form)


def _render(request, template, change, form, *, refusal: Refusal | None = None) -> HttpResponse:
    context = {"change": change, "form": form, "refusal": refusal, "nav_section": "capability"}
    return render(request, template, context)


def _correction_form(change: SystemChange, data) -> SystemChangeCorrectionForm:
    initial = None if data is not None else SystemChangeCorrectionForm.initial_for(change)
    return SystemChangeCorrectionForm(data, initial=initial, change=change)


def _withdrawal_form(change: SystemChange, data) -> WithdrawalForm:
    return WithdrawalForm(data, initial=None if data is not None else {"version": change.version})


@require_http_methods(["GET", "POST"])
@permission_required(roles.STUDY_CAPABILITY, raise_exception=True)
@permission_required(roles.CORRECT_SYSTEM_CHANGE, raise_exception=True)
def system_change_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Put right the date, service or words of a change, by the rules it was recorded by."""

    def corrected(before: SystemChange, after: SystemChange) -> None:
        if after.version == before.version:
            messages.info(request, "Nothing was corrected: what you sent is what was recorded.")
        else:
            messages.success(request, _banner(after, "corrected"))

    return _change_action(
        request,
        pk,
        make_form=_correction_form,
        template="improvement/correct.html",
        act=lambda change, data: services.system_change_correct(
            change=change,
            by=request.user,
            changed_on=data["changed_on"],
            service_type=data["service_type"],
            description=data["description"],
            expected_version=data["version"],
        ),
        success=corrected,
        button="Save correction",
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.STUDY_CAPABILITY, raise_exception=True)
@permission_required(roles.CORRECT_SYSTEM_CHANGE, raise_exception=True)
def system_change_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a change recorded by mistake, saying why, on a page of its own."""
    return _change_action(
        request,
        pk,
        make_form=_withdrawal_form,
        template="improvement/withdraw.html",
        act=lambda change, data: services.system_change_withdraw(
            change=change, by=request.user, reason=data["reason"], expected_version=data["version"]
        ),
        success=lambda before, after: messages.success(
            request, _banner(after, "withdrawn: it no longer starts a phase", "See the chart of")
        ),
        button="Withdraw change",
    )
