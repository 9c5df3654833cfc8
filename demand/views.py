"""The front office's pages about contacts: log a contact (on a new case or an open one),
the case page (each contact in the citizen's words beside the case's steps), another contact
on a case, reopening with a contact, and a team leader's reclassification of a contact."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from cases import selectors as case_selectors
from cases import services as case_services
from cases import stale
from cases.filters import citizen_search_q
from cases.flow_strip import flow_strip
from cases.models import Case, Citizen, TimelineEntry, parse_reference
from demand import selectors, services
from demand.forms import (
    CaseContactForm,
    LogContactForm,
    ReclassifyForm,
    ReopenForm,
)
from demand.models import Contact
from lib.params import id_param
from messaging import selectors as messaging_selectors

CITIZEN_MATCHES_SHOWN = 20
# The banner after a contact is logged offers the next one, with the cursor on that link.
NEXT_CALL = "next-call"

# What a press of one of the log-a-contact page's buttons asks for. Every button submits the
# whole form, so whatever was typed comes back with the answer.
FIND = "find"  # search for the citizen
CHANGE_CITIZEN = "change-citizen"  # choose someone else (or nobody)
SAVE = "save"  # log the contact
SAVE_NEW_CITIZEN = "save-new-citizen"  # log it with a new citizen, not one of the look-alikes


def _search_text(raw: str) -> str:
    """What was typed to find a citizen, as a search: at most 200 characters, and without
    NUL, which no citizen's details contain and PostgreSQL refuses in a query."""
    return raw.replace("\x00", "")[:200]


def _citizen_matches(text: str) -> list[Citizen]:
    if not text.strip():
        return []
    return list(
        Citizen.objects.filter(citizen_search_q(text))
        .annotate(open_case_count=Count("cases", filter=Q(cases__status=Case.Status.OPEN)))
        .order_by("name", "pk")[:CITIZEN_MATCHES_SHOWN]
    )


def _referenced_case(request: HttpRequest, text: str) -> Case | None:
    """A case reference typed into the citizen search ("CF-000123"): offered as a link."""
    text = text.strip().upper()
    if not text.startswith("CF") or parse_reference(text) is None:
        return None
    return case_selectors.visible_cases(request.user).filter(pk=parse_reference(text)).first()


def _citizen_chosen(data) -> tuple[Citizen | None, str]:
    """The citizen a press chose, and how: a search result ("choose"), a look-alike offered
    before adding a new citizen ("use"), nobody ("change"), or the one chosen before."""
    if data.get("action") == CHANGE_CITIZEN:
        return None, "change"
    for how in ("choose", "use"):
        if pk := id_param(data.get(how, "")):
            return Citizen.objects.filter(pk=pk).first(), how
    pk = id_param(data.get("citizen", ""))
    return (Citizen.objects.filter(pk=pk).first() if pk else None), ""


@require_http_methods(["GET", "POST"])
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
@never_cache
def log_contact(request: HttpRequest) -> HttpResponse:
    """One form for the whole contact: the words first, then the citizen (found in place, or
    new), the case it is about or a new one, its classification. Finding, choosing or changing
    the citizen shows the form again with everything typed; only "Log contact" saves. Never
    cached, so a saved form does not come back from the browser's history."""
    if request.method == "GET":
        # A link may name the citizen (?citizen=) or start a search (?q=).
        citizen = _citizen_chosen(request.GET)[0]
        query = _search_text(request.GET.get("q", "")) if citizen is None else ""
        form = LogContactForm(
            citizen=citizen,
            open_cases=case_selectors.open_cases_of_citizen(citizen.pk) if citizen else [],
            initial={"q": query},
        )
        return _log_contact_page(request, form, query=query)
    data = request.POST.copy()
    action = data.get("action") or SAVE
    citizen, how = _citizen_chosen(data)
    data["citizen"] = str(citizen.pk) if citizen else ""
    service_hint = id_param(data.get("service_type", ""))
    open_cases = (
        case_selectors.open_cases_of_citizen(citizen.pk, service_type_id=service_hint)
        if citizen
        else []
    )
    form = LogContactForm(data, citizen=citizen, open_cases=open_cases)
    if action == FIND:
        form.show_as_typed()
        form.focus("q")
        query = _search_text(data.get("q", ""))
        return _log_contact_page(request, form, query=query, focus_results=True)
    if how in ("choose", "change") or (how == "use" and open_cases):
        # Nothing saved yet: the form again, with what was typed, for the chosen citizen (and
        # their open cases to choose from) or for finding someone else.
        form.show_as_typed()
        form.focus("q" if citizen is None else "attach_to" if open_cases else "service_type")
        return _log_contact_page(request, form)
    if not form.is_valid():
        return _log_contact_page(request, form)
    if citizen is None and action != SAVE_NEW_CITIZEN:
        typed = form.citizen_details()
        look_alikes = case_selectors.possible_duplicates(
            name=typed["name"],
            phone=typed["phone"],
            email=typed["email"],
            postcode=typed["postcode"],
        )
        # A form sent again after it was saved finds the citizen it added: it was logged.
        token = form.cleaned_data["submission_token"]
        if look_alikes and not services.contact_for_token(token):
            form.show_as_typed()
            return _log_contact_page(request, form, look_alikes=look_alikes)
    try:
        contact = _log(request, form, citizen)
    except ValidationError as error:
        form.add_error(None, error)
        if getattr(error, "code", None) == services.TOKEN_USED:
            form.renew_submission_token()
        return _log_contact_page(request, form)
    case = contact.case
    if contact.logged_earlier:
        messages.info(
            request, f"This contact was already logged as {case.reference}. Nothing new was saved."
        )
    elif contact.is_one_stop:
        messages.success(request, f"One-stop: {case.reference} opened and closed.", NEXT_CALL)
    else:
        messages.success(request, f"Contact logged on {case.reference}.", NEXT_CALL)
    return redirect(case)


def _log_contact_page(
    request: HttpRequest,
    form: LogContactForm,
    *,
    query: str = "",
    focus_results: bool = False,
    look_alikes=(),
) -> HttpResponse:
    matches = _citizen_matches(query) if form.chosen_citizen is None else []
    if focus_results and matches:
        form.focus("")  # the first match has the cursor: Enter chooses them
    return render(
        request,
        "demand/log_contact.html",
        {
            "form": form,
            "citizen": form.chosen_citizen,
            "query": query,
            "searched": bool(query.strip()),
            "matches": matches,
            "focus_results": focus_results and bool(matches),
            "referenced_case": _referenced_case(request, query) if query else None,
            "look_alikes": look_alikes,
            "open_cases": list(form.open_cases.values()),
            "services_of_cases": {pk: c.service_type.name for pk, c in form.open_cases.items()},
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
def contact_help(request: HttpRequest) -> HttpResponse:
    """How we log contacts: what each question on the form means, in plain words."""
    return render(request, "demand/help.html", {"nav_section": "log"})


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
            "progress_link": messaging_selectors.live_link(case),
            "progress_find_url": messaging_selectors.progress_find_url(),
            "messages_to_citizen": messaging_selectors.messages_of(case),
            "now": now,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
def log_contact_on_case(request: HttpRequest, reference: str) -> HttpResponse:
    """Anyone in the front office may log another contact on any open case. On a case that is
    closed (or was closed while the form was open) the words are kept and, for someone who may
    reopen it, "Reopen with this contact" sends them to the reopen form's address in one go."""
    case = case_selectors.get_visible_case(request.user, reference)
    form = CaseContactForm(request.POST or None, service_type=case.service_type)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_log_on_case(
                by=request.user,
                case=case,
                details=form.contact_details(),
                submission_token=form.cleaned_data["submission_token"],
            )
        except ValidationError as error:
            if getattr(error, "code", None) != services.CASE_CLOSED:
                form.add_error(None, error)
            else:
                refusal = stale.refusal(
                    case=case,
                    user=request.user,
                    shown_at=form.when_shown(),
                    needs_open=True,
                    button="Log contact",
                    advice=_closed_case_advice(request, case),
                )
                case = refusal.case
        else:
            messages.success(request, f"Contact logged on {case.reference}.")
            return redirect(case)
    return render(
        request,
        "demand/case_contact_form.html",
        {
            "case": case,
            "form": form,
            "refusal": refusal,
            "can_reopen": _can_reopen(request, case),
            "closed_advice": _closed_case_advice(request, case),
        },
    )


def _can_reopen(request: HttpRequest, case: Case) -> bool:
    return (
        not case.is_open
        and not case.anonymised_at
        and case_services.user_can_change_case(user=request.user, case=case)
    )


def _closed_case_advice(request: HttpRequest, case: Case) -> str:
    if case.is_open:
        return ""
    if case.anonymised_at:
        return (
            f"{case.reference} is closed and its personal data were removed, so it cannot be "
            "reopened: log the contact as a new case. The words are kept below to copy."
        )
    if _can_reopen(request, case):
        return (
            f"{case.reference} is closed. If the citizen's need is not met, reopen it with this "
            "contact: the words are kept below."
        )
    owner = case.owner.get_full_name() or case.owner.username
    return (
        f"{case.reference} is closed, and only its owner, {owner}, or a team leader can reopen "
        "it. The words are kept below: copy them, or pass them on."
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
def reopen_case(request: HttpRequest, reference: str) -> HttpResponse:
    """Reopen a closed case, only with the new contact that says why. A form sent after the
    case changed (reopened by someone else, say) is refused with what changed, its words kept,
    and on a case open again the words can go on it as another contact in one press."""
    case = case_selectors.get_visible_case(request.user, reference)
    if request.method == "POST":
        form = ReopenForm(request.POST, service_type=case.service_type)
        if stale.is_stale(request.POST, case):
            return _refuse_reopen(request, case, form)
        if not case_services.user_can_change_case(user=request.user, case=case):
            raise PermissionDenied("Only the case owner or a team leader can reopen this case.")
        if form.is_valid():
            try:
                services.contact_reopen_case(
                    by=request.user,
                    case=case,
                    details=form.contact_details(),
                    expected_version=form.cleaned_data["version"],
                    submission_token=form.cleaned_data["submission_token"],
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "stale":
                    return _refuse_reopen(request, case, form)
                form.add_error(None, error)
            else:
                messages.success(request, f"{case.reference} reopened.")
                return redirect(case)
    else:
        if not case_services.user_can_change_case(user=request.user, case=case):
            raise PermissionDenied("Only the case owner or a team leader can reopen this case.")
        form = ReopenForm(initial={"version": case.version}, service_type=case.service_type)
    return render(request, "demand/reopen_form.html", {"case": case, "form": form})


def _refuse_reopen(request: HttpRequest, case: Case, form: ReopenForm) -> HttpResponse:
    refusal = stale.refusal(
        case=case,
        user=request.user,
        shown_at=form.when_shown(),
        needs_open=False,
        button="Reopen case",
    )
    if refusal.case.is_open:
        refusal = dataclasses.replace(
            refusal,
            advice=(
                "The case is open again now. The words are kept below: log them on it as "
                "another contact."
            ),
        )
    fresh = ReopenForm(
        stale.fresh_data(request.POST, refusal.case), service_type=refusal.case.service_type
    )
    return render(
        request,
        "demand/reopen_form.html",
        {"case": refusal.case, "form": fresh, "refusal": refusal},
    )


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
