"""The "Arrived online" list and taking what arrived: reports and updates citizens sent through
FixMyStreet or the council's web form, waiting for someone in the front office to take them."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from cases.selectors import possible_duplicates
from demand import arrivals
from demand.forms import TakeArrivalForm
from demand.models import ArrivedContact

SHOWN = 200  # the oldest; a longer list says how many more are waiting


@require_GET
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
@never_cache
def arrived_list(request: HttpRequest) -> HttpResponse:
    """Everything that arrived online and is not taken yet, oldest first. Read fresh on every
    visit: a report is here as soon as it arrives."""
    waiting = arrivals.waiting()
    count = waiting.count()
    return render(
        request,
        "demand/arrived_list.html",
        {
            "arrivals": waiting[:SHOWN],
            "count": count,
            "now": timezone.now(),
            "nav_section": "arrived",
        },
    )


def _arrival(pk: int) -> ArrivedContact:
    found = (
        ArrivedContact.objects.select_related(
            "service_type", "asked_for", "case", "report__case", "taken_by"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("Nothing arrived online with that number.")
    return found


def _form(arrival: ArrivedContact, data=None) -> TakeArrivalForm:
    look_alikes = []
    if arrival.kind == ArrivedContact.Kind.REPORT and arrival.citizen_name:
        look_alikes = possible_duplicates(
            name=arrival.citizen_name,
            phone=arrival.phone,
            email=arrival.email,
            postcode=arrival.postcode,
        )
    return TakeArrivalForm(
        data,
        arrival=arrival,
        look_alikes=look_alikes,
        open_cases=arrivals.open_cases_for_arrival(arrival, look_alikes),
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
@never_cache
def take(request: HttpRequest, pk: int) -> HttpResponse:
    """What arrived, in the citizen's words, where, with their photos; and the questions that
    classify it. Taking it logs it as a contact: a new case owned by whoever takes it, or the
    open case chosen (an update goes on its report's case)."""
    arrival = _arrival(pk)
    if not arrival.is_waiting:
        messages.info(request, "This was taken already.")
        return redirect(arrival.case)
    form = _form(arrival, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contact = arrivals.arrival_take(
                arrival=arrival,
                by=request.user,
                demand=data["demand"],
                demand_type=data.get("demand_type"),
                failure_category=data.get("failure_category"),
                prevention_note=data.get("prevention_note", ""),
                citizen=data.get("citizen"),
                new_citizen=form.new_citizen(),
                attach_to=data.get("attach_to"),
                what_matters=data.get("what_matters", ""),
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "taken":
                messages.info(request, error.messages[0])
                return redirect(_arrival(pk).case)
            form.add_error(None, error)
        else:
            case = contact.case
            what = "report" if arrival.kind == ArrivedContact.Kind.REPORT else "update"
            messages.success(
                request,
                f"You took the {what} from {arrival.source}: it is on {case.reference}"
                + (", which you own." if case.owner_id == request.user.pk else "."),
            )
            return redirect(case)
    return render(
        request,
        "demand/take_arrival.html",
        {
            "arrival": arrival,
            "form": form,
            "case_for_update": arrivals.case_for_update(arrival),
            "may_take": arrivals.user_may_take(request.user, arrival),
            "nav_section": "arrived",
        },
    )
