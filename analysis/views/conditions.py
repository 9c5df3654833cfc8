"""A system condition's page: what it is, the changes that address it, and its evidence live:
the weekly volume of the failure demand linked to it on an XmR chart, the notes staff wrote on
it (grouped), the citizens' words, the contacts marked as its evidence and the waste steps it
causes. For everyone who reads the register (the front office sees the demand)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts import roles
from analysis import conditions as reads
from analysis.demand import DemandFilters, weekly_volume
from analysis.views import study_page
from analysis.views.demand import volume_chart
from demand.notes import note_groups
from improvement import selectors
from improvement.selectors import system_changes_for
from lib.forms import PeriodForm
from lib.periods import last_full_weeks

WEEKS_SHOWN = 26
MARKS_PER_PAGE = 20
NOTE_GROUPS_OPEN = 10  # shown at once; the rest behind "more notes"


@study_page(roles.VIEW_IMPROVEMENT)
def condition(request: HttpRequest, pk: int) -> HttpResponse:
    condition = get_object_or_404(selectors.system_conditions(), pk=pk)
    default = last_full_weeks(WEEKS_SHOWN)
    form = PeriodForm(request.GET, default_period=default)
    start, end = (
        (form.cleaned_data["from"], form.cleaned_data["to"]) if form.is_valid() else default
    )
    mondays = DemandFilters(start=start, end=end).whole_weeks()
    linked = selectors.linked_failure_demand([condition])
    in_period = reads.received_between(linked, start, end)
    series = weekly_volume(linked, mondays)
    service_ids = [condition.service_type_id] if condition.service_type_id else []
    chart = (
        volume_chart(
            "condition",
            series,
            system_changes_for(service_ids),
            noun="week",
            title=f"Failure demand linked to “{condition.title}”, by week",
            subject="the failure demand linked to it",
            lower_is_better=True,
        )
        if series
        else None
    )
    notes = note_groups(in_period)
    steps_count, steps = reads.waste_steps(condition, start, end)
    marks = Paginator(selectors.evidence_of(condition), MARKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "analysis/condition.html",
        {
            "condition": condition,
            "form": form,
            "start": start,
            "end": end,
            "weeks": len(mondays),
            "chart": chart,
            "linked_count": sum(count for _, count in series),
            "notes": notes[:NOTE_GROUPS_OPEN],
            "more_notes": notes[NOTE_GROUPS_OPEN:],
            "words": reads.latest_words(in_period),
            "page": marks,
            "query_string": query.urlencode(),
            "steps_count": steps_count,
            "steps": steps[:NOTE_GROUPS_OPEN],
            "addressed_by": condition.changes.order_by("-changed_on", "-pk"),
            "history": selectors.register_history(condition),
            "can_correct": request.user.has_perm(roles.CORRECT_SYSTEM_CONDITION),
            "can_record_change": request.user.has_perm(roles.RECORD_SYSTEM_CHANGE)
            and request.user.has_perm(roles.STUDY_CAPABILITY),
            "can_remove_any": request.user.has_perm(roles.REMOVE_ANY_EVIDENCE),
            "nav_section": "improvement",
        },
    )
