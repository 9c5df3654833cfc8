"""Work in progress and flow, for team leaders."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts import roles
from analysis import flow as flow_selectors
from analysis.forms import FlowForm, WorkInProgressForm
from analysis.views import study_page

OPEN_CASES_PER_PAGE = 50


@study_page(roles.STUDY_CAPABILITY)
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
        "analysis/wip.html",
        {
            "nav_section": "capability",
            "form": form,
            "chosen": chosen,
            "by_service": by_service,
            "total": total,
            "by_owner": flow_selectors.open_by_owner(cases, now=now),
            "page": page,
            "query_string": query.urlencode(),
            "now": now,
        },
    )


@study_page(roles.STUDY_CAPABILITY)
def flow(request: HttpRequest) -> HttpResponse:
    """For cases closed in a period: contacts, steps by kind, hand-offs, one-stop, clean and
    dirty, and the end-to-end times of clean and dirty cases side by side."""
    form = FlowForm(request.GET)
    period = form.period()
    by_service, total = flow_selectors.flow_measures(period)
    return render(
        request,
        "analysis/flow.html",
        {
            "nav_section": "capability",
            "form": form,
            "period": period,
            "by_service": by_service,
            "total": total,
            "rows": [*by_service, total] if total else by_service,
        },
    )
