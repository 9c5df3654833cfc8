"""Did it work? One system change's measures side by side, each judged against the phase before
the change (analysis.did_it_work, analysis.verdicts). For everyone who reads the improvement
register: the front office sees the demand, team leaders run the changes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts import roles
from analysis import did_it_work as reads
from analysis.views import study_page


@study_page(roles.VIEW_IMPROVEMENT)
def page(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(reads.change_with_conditions(), pk=pk)
    return render(
        request,
        "analysis/did_it_work.html",
        {
            "change": change,
            "result": reads.measures_of(change),
            "baseline_weeks": reads.BASELINE_WEEKS,
            "can_link_conditions": request.user.has_perm(roles.CORRECT_SYSTEM_CHANGE),
            "nav_section": "improvement",
        },
    )
