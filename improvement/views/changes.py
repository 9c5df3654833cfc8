"""System changes: the register, each change's page, and correcting or withdrawing one."""

from datetime import timedelta
from urllib.parse import urlencode

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
from improvement import selectors, services
from improvement.forms import SystemChangeCorrectionForm, SystemChangeForm, WithdrawalForm
from improvement.models import SystemChange
from improvement.views import register_action
from lib.forms import MAX_PERIOD_DAYS

# A capability chart shows about the last six months unless asked for a period
# (analysis.capability.default_period). A change before that is linked to a chart that starts
# three months before it, so the link shows the phase it starts.
CHART_SHOWS_DAYS = 183
BEFORE_THE_CHANGE = timedelta(days=91)


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


def _record(by, data: dict) -> SystemChange:
    return services.system_change_record(
        by=by,
        changed_on=data["changed_on"],
        service_type=data["service_type"],
        description=data["description"],
        conditions=list(data["conditions"]),
        purpose=data["purpose"],
        method=data["method"],
        expectation=data["expectation"],
        status=data["status"] or SystemChange.Status.TRYING,
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.VIEW_IMPROVEMENT, raise_exception=True)
def system_changes(request: HttpRequest) -> HttpResponse:
    """What the team changed in the work, newest first; team leaders record a change here.
    Each change starts a new phase on the charts of its service (or of every service)."""
    can_record = _may_record(request.user)
    initial = {"conditions": request.GET.getlist("condition")}
    form = SystemChangeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                change = _record(request.user, form.cleaned_data)
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
            "can_correct": can_record,
            "nav_section": "improvement",
        },
    )


def _may_record(user) -> bool:
    """Team leaders record and correct changes in the register (administrators add one in the
    admin, if at all)."""
    return user.has_perm(roles.RECORD_SYSTEM_CHANGE) and user.has_perm(roles.STUDY_CAPABILITY)


def _get_change(pk: int) -> SystemChange:
    return get_object_or_404(selectors.system_changes_newest_first(), pk=pk)


@require_GET
@permission_required(roles.VIEW_IMPROVEMENT, raise_exception=True)
def system_change(request: HttpRequest, pk: int) -> HttpResponse:
    """One change: what was recorded, the conditions it addresses, whether it still starts a
    phase, and its history."""
    change = _get_change(pk)
    return render(
        request,
        "improvement/change.html",
        {
            "change": change,
            "history": selectors.register_history(change),
            "can_correct": _may_record(request.user),
            "can_see_chart": request.user.has_perm(roles.STUDY_CAPABILITY),
            "chart_url": chart_url(change),
            "nav_section": "improvement",
        },
    )


def _correction_form(change: SystemChange, data) -> SystemChangeCorrectionForm:
    initial = None if data is not None else SystemChangeCorrectionForm.initial_for(change)
    return SystemChangeCorrectionForm(data, initial=initial, change=change)


def _withdrawal_form(change, data) -> WithdrawalForm:
    return WithdrawalForm(data, initial=None if data is not None else {"version": change.version})


@require_http_methods(["GET", "POST"])
@permission_required(roles.STUDY_CAPABILITY, raise_exception=True)
@permission_required(roles.CORRECT_SYSTEM_CHANGE, raise_exception=True)
def system_change_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Put right the date, service, words or conditions of a change, or say how it is going,
    by the rules it was recorded by."""

    def corrected(before: SystemChange, after: SystemChange) -> None:
        if after.version == before.version:
            messages.info(request, "Nothing was corrected: what you sent is what was recorded.")
        else:
            messages.success(request, _banner(after, "corrected"))

    return register_action(
        request,
        _get_change(pk),
        name="change",
        fetch=lambda: _get_change(pk),
        make_form=_correction_form,
        template="improvement/correct.html",
        act=lambda change, data: services.system_change_correct(
            change=change,
            by=request.user,
            changed_on=data["changed_on"],
            service_type=data["service_type"],
            description=data["description"],
            conditions=list(data["conditions"]),
            purpose=data["purpose"],
            method=data["method"],
            expectation=data["expectation"],
            status=data["status"] or change.status,
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
    return register_action(
        request,
        _get_change(pk),
        name="change",
        fetch=lambda: _get_change(pk),
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
