"""The front office's pages about contacts: log a contact (on a new case or an open one),
the case page (each contact in the citizen's words beside the case's steps), another contact
on a case, reopening with a contact, and a team leader's reclassification of a contact."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from cases import selectors as case_selectors
from cases import services as case_services
from cases.filters import citizen_search_q
from cases.flow_strip import flow_strip
from cases.models import Case, Citizen, TimelineEntry, parse_reference
from demand import selectors, services
from demand.forms import (
    CaseContactForm,
    CitizenSearchForm,
    LogContactForm,
    ReclassifyForm,
    ReopenForm,
)
from demand.models import Contact
from lib.params import id_param

CITIZEN_MATCHES_SHOWN = 20


def _chosen_citizen(request: HttpRequest) -> Citizen | None:
    raw = request.POST.get("citizen") or request.GET.get("citizen") or ""
    pk = id_param(raw)
    return Citizen.objects.filter(pk=pk).first() if pk else None


def _citizen_matches(text: str) -> list[Citizen]:
    if not text.strip():
        return []
    return list(
        Citizen.objects.filter(citizen_search_q(text))
        .annotate(open_case_count=Count("cases", filter=Q(cases__status=Case.Status.OPEN)))
        .order_by("name", "pk")[:CITIZEN_MATCHES_SHOWN]
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
def log_contact(request: HttpRequest) -> HttpResponse:
    """Find the citizen (or not), then log what they said: on one of their open cases, or as a
    new case owned by whoever is taking the contact."""
    citizen = _chosen_citizen(request)
    search = CitizenSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    matches = _citizen_matches(query) if citizen is None else []
    referenced_case = None
    if parse_reference(query) is not None and query.strip().upper().startswith("CF"):
        referenced_case = (
            case_selectors.visible_cases(request.user).filter(pk=parse_reference(query)).first()
        )

    service_hint = request.POST.get("service_type") or ""
    open_cases = (
        case_selectors.open_cases_of_citizen(citizen.pk, service_type_id=id_param(service_hint))
        if citizen
        else []
    )
    form = LogContactForm(request.POST or None, citizen=citizen, open_cases=open_cases)
    if request.method == "POST" and form.is_valid():
        try:
            contact = _log(request, form, citizen)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            case = contact.case
            if contact.is_one_stop:
                messages.success(request, f"One-stop: {case.reference} opened and closed.")
            else:
                messages.success(request, f"Contact logged on {case.reference}.")
            return redirect(case)
    return render(
        request,
        "demand/log_contact.html",
        {
            "form": form,
            "search": search,
            "query": query,
            "matches": matches,
            "referenced_case": referenced_case,
            "citizen": citizen,
            "open_cases": open_cases,
            "nav_section": "log",
        },
    )


def _log(request: HttpRequest, form: LogContactForm, citizen: Citizen | None):
    data = form.cleaned_data
    if form.attached_case is not None:
        return services.contact_log_on_case(
            by=request.user,
            case=form.attached_case,
            details=form.contact_details(),
            resolution=form.resolution_text(),
            submission_token=data["submission_token"],
        )
    return services.contact_log_new_case(
        by=request.user,
        service_type=data["service_type"],
        citizen=citizen,
        new_citizen=None if citizen else form.citizen_details(),
        details=form.contact_details(),
        what_matters=data["what_matters"],
        resolution=form.resolution_text(),
        submission_token=data["submission_token"],
    )


@require_GET
@permission_required(roles.VIEW_CASES, raise_exception=True)
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The case page: who, what matters, the owner, the end-to-end time, the flow strip, and the
    timeline of contacts (in the citizen's words), steps and hand-offs, newest first."""
    case = case_selectors.get_visible_case(request.user, reference)
    timeline = selectors.case_timeline(case)
    failures = selectors.failure_contact_ids(timeline)
    now = timezone.now()
    return render(
        request,
        "demand/case_detail.html",
        {
            "case": case,
            "contact_count": sum(
                1 for entry in timeline if entry.kind == TimelineEntry.Kind.CONTACT
            ),
            "timeline": timeline,
            "flow_strip": flow_strip(case, timeline, now, failure_contacts=failures),
            "can_change": case_services.user_can_change_case(user=request.user, case=case),
            "can_log_contacts": request.user.has_perm(roles.LOG_CONTACTS),
            "now": now,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
def log_contact_on_case(request: HttpRequest, reference: str) -> HttpResponse:
    """Anyone in the front office may log another contact on any open case."""
    case = case_selectors.get_visible_case(request.user, reference)
    form = CaseContactForm(request.POST or None, service_type=case.service_type)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_log_on_case(
                by=request.user,
                case=case,
                details=form.contact_details(),
                submission_token=form.cleaned_data["submission_token"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Contact logged on {case.reference}.")
            return redirect(case)
    return render(request, "demand/case_contact_form.html", {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
def reopen_case(request: HttpRequest, reference: str) -> HttpResponse:
    """Reopen a closed case, only with the new contact that says why."""
    case = case_selectors.get_visible_case(request.user, reference)
    if not case_services.user_can_change_case(user=request.user, case=case):
        raise PermissionDenied("Only the case owner or a team leader can reopen this case.")
    form = ReopenForm(
        request.POST or None, initial={"version": case.version}, service_type=case.service_type
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_reopen_case(
                by=request.user,
                case=case,
                details=form.contact_details(),
                expected_version=form.cleaned_data["version"],
                submission_token=form.cleaned_data["submission_token"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{case.reference} reopened.")
            return redirect(case)
    return render(request, "demand/reopen_form.html", {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
@permission_required(roles.RECLASSIFY_CONTACT, raise_exception=True)
def reclassify(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(
        Contact.objects.select_related("case__service_type", "failure_category", "demand_type"),
        pk=pk,
    )
    initial = {
        "demand": contact.demand,
        "demand_type": contact.demand_type_id,
        "failure_category": contact.failure_category_id,
        "prevention_note": contact.prevention_note,
    }
    form = ReclassifyForm(request.POST or None, initial=initial, contact=contact)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_reclassify(
                contact=contact,
                by=request.user,
                demand=data["demand"],
                failure_category=data.get("failure_category"),
                demand_type=data.get("demand_type"),
                prevention_note=data.get("prevention_note", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Contact on {contact.case.reference} reclassified.")
            return redirect(contact.case)
    return render(
        request, "demand/reclassify.html", {"contact": contact, "case": contact.case, "form": form}
    )
