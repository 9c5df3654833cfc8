"""Work in progress and flow, for team leaders."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases import flow as flow_selectors
from cases import roles
from cases.forms import PersonChoiceField
from cases.models import ServiceType

OPEN_CASES_PER_PAGE = 50
# The other pages about capability and flow, until templates/capability/_nav.html exists.
CAPABILITY_PAGES = [
    ("capability:index", "Capability charts"),
    ("capability:wip", "Work in progress"),
    ("capability:flow", "Flow"),
    ("capability:changes", "System changes"),
]


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


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FlowForm(forms.Form):
    """The period (`from`, `to`: ISO dates, by the day a case closed) and one service or all."""

    service = _service_field()

    def __init__(self, data=None, **kwargs):
        self.default_period = flow_selectors.last_full_weeks()
        # Always bound, so the page shows its figures at once: a missing date is the default.
        data = data.copy() if data is not None else {}
        for name, day in zip(("from", "to"), self.default_period, strict=True):
            if not data.get(name):
                data[name] = day.isoformat()
        super().__init__(data, **kwargs)
        date_errors = {"invalid": "Enter a real date, like 2026-03-31."}
        # "from" is a Python keyword, so the dates are added here rather than declared.
        self.fields = {
            "from": forms.DateField(label="From", widget=DateInput, error_messages=date_errors),
            "to": forms.DateField(label="To", widget=DateInput, error_messages=date_errors),
            **self.fields,
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", "The end of the period must be on or after its start.")
        return cleaned

    def period(self) -> flow_selectors.FlowPeriod:
        if not self.is_valid():
            return flow_selectors.FlowPeriod(*self.default_period)
        data = self.cleaned_data
        return flow_selectors.FlowPeriod(
            start=data["from"], end=data["to"], service=data["service"]
        )


def _context(**extra) -> dict:
    return {"nav_section": "capability", "capability_pages": CAPABILITY_PAGES, **extra}


@require_GET
@permission_required(roles.STUDY_CAPABILITY, raise_exception=True)
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
    page = Paginator(flow_selectors.open_cases_oldest_first(cases), OPEN_CASES_PER_PAGE).get_page(
        request.GET.get("page")
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
