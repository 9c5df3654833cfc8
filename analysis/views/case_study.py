"""A system change's case study: the council's own account of what was found, what was changed
and how, and what happened (docs/method.md §8), on one page that prints cleanly (the browser's
"Save as PDF" gives the document). For everyone who reads the improvement register."""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts import roles
from analysis import case_study, did_it_work
from analysis.views import study_page


@study_page(roles.VIEW_IMPROVEMENT)
def page(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(did_it_work.change_with_conditions(), pk=pk)
    result = did_it_work.measures_of(change)
    conditions = list(change.conditions.all())
    found = case_study.found_before(result.window, conditions)
    pareto_spec = {
        "kind": "pareto",
        "title": "Failure demand by kind before the change, most frequent first",
        "bars": [
            {"label": row["name"], "count": row["count"], "href": None} for row in found.pareto
        ],
        "cumulative_percent": [round(row["cumulative"], 1) for row in found.pareto],
    }
    return render(
        request,
        "analysis/case_study.html",
        {
            "change": change,
            "result": result,
            "found": found,
            "pareto_spec": pareto_spec,
            "baseline_last_day": change.changed_on - timedelta(days=1),
            "printed_on": timezone.localdate(),
            "nav_section": "improvement",
        },
    )
