"""Work in progress and flow, for team leaders."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases import flow as flow_selectors
from cases import roles
from cases.capability_views import page_context as _context
from cases.forms import PersonChoiceField
from cases.models import ServiceType
from cases.periods import last_full_weeks
from councilflow.forms import PeriodForm
from councilflow.routers import reads_from_replica

OPEN_CASES_PER_PAGE = 50


def _service_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Service",
        queryset=ServiceType.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All services",
        error_messages={"invalid_choice": "Choose a service from the list."},
        **kwargs,
    )


class WorkInProgressForm(forms.Form):
    """Which open cases: by service (slug) and owner, as query parameters."""

    service = _service_field()
    owner = PersonChoiceField(
        label="Owner",
        queryset=flow_selectors.possible_owners(),
        required=False,
        empty_label="Anyone",
        error_messages={"invalid_choice": "Choose an owner from the list."},
    )

    def chosen(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"service": data.get("service"), "owner": data.get("owner")}


class FlowForm(PeriodForm):
    """The period (`from`, `to`: ISO dates, by the day a case closed) and one service or all."""

    service = _service_field()

    def __init__(self, data=None, **kwargs):
        super().__init__(data, default_period=last_full_weeks(), **kwargs)

    def period(self) -> flow_selectors.FlowPeriod:
        if not self.is_valid():
            return flow_selectors.FlowPeriod(*self.default_period)
        data = self.cleaned_data
        return flow_selectors.FlowPeriod(
            start=data["from"], end=data["to"], service=data["service"]
        )


@require_GET
@permission_required(roles.STUDY_CAPABILITY, raise_exception=True)
@reads_from_replica
def work_in_progress(request: HttpRequest) -> HttpResponse:
    """Open cases by age, oldest first, so a long-running case is never hidden by a chart of
    closed ones."""
    form = WorkInProgressForm(request.GET)
    chosen = form.chosen()
    now = timezone.now()
    cases = flow_selectors.open_cases(**chosen)
    by_service, total = flow_selectors.open_by_service(
        cases, now=now, with_total=not chosen["service"]
    )
    page = flow_selectors.open_cases_oldest_first(
        cases, request.GET.get("page"), OPEN_CASES_PER_PAGE
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "capability/wip.html",
        _context(
            form=form,
            chosen=chosen,
            by_service=by_service,
            total=total,
            by_owner=flow_selectors.open_by_owner(cases, now=now),
            page=page,
            query_string=query.urlencode(),
            now=now,
        ),
    )


@require_GET
@permission_required(roles.STUDY_CAPABILITY, raise_exception=True)
@reads_from_replica
def flow(request: HttpRequest) -> HttpResponse:
    """For cases closed in a period: contacts, steps by kind, hand-offs, one-stop, clean and
    dirty, and the end-to-end times of clean and dirty cases side by side."""
    form = FlowForm(request.GET)
    period = form.period()
    by_service, total = flow_selectors.flow_measures(period)
    return render(
        request,
        "capability/flow.html",
        _context(
            form=form,
            period=period,
            by_service=by_service,
            total=total,
            rows=[*by_service, total] if total else by_service,
        ),
    )
