"""Casework pages: my cases, find a case, and the forms that act on a case (step, hand-off)
and its history. Closing a case and updating the citizen tell the citizen, so they are
messaging's (messaging/views.py), built on case_action here. The case page itself shows each
contact in the citizen's words, so it lives with the contacts, in demand.views."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from cases import selectors, services, stale
from cases.filters import CaseFilter
from cases.forms import HandOffForm, StepForm
from cases.models import parse_reference

CASES_PER_PAGE = 25
OPEN_CASES_SHOWN = 50  # the oldest; the rest are a click away in Find a case


@require_GET
@permission_required(roles.VIEW_CASES, raise_exception=True)
def my_cases(request: HttpRequest) -> HttpResponse:
    open_cases = selectors.my_open_cases(request.user)
    open_count = open_cases.count()
    return render(
        request,
        "cases/my_cases.html",
        {
            "open_cases": open_cases[:OPEN_CASES_SHOWN],
            "open_count": open_count,
            "closed_cases": selectors.my_recently_closed_cases(request.user),
            "now": timezone.now(),
            "nav_section": "mine",
        },
    )


@require_GET
@permission_required(roles.VIEW_CASES, raise_exception=True)
def case_list(request: HttpRequest) -> HttpResponse:
    """Find a case. A case's reference ("CF-000123", however spaced or cased) opens that case;
    anything else searches, with the cursor in the search box."""
    cases = selectors.visible_cases(request.user)
    named = _reference_in(request.GET.get("q", ""))
    if named is not None and (case := cases.filter(pk=named).first()) is not None:
        return redirect(case)
    # With no search yet this lists the most recent cases, so the page is useful on arrival.
    case_filter = CaseFilter(request.GET, queryset=cases, request=request)
    results = case_filter.qs.order_by("-opened_at", "-pk")
    page = selectors.page_with_contact_summary(results, request.GET.get("page"), CASES_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "filter": case_filter,
            "form": case_filter.form,
            "page": page,
            "query_string": query.urlencode(),
            "now": timezone.now(),
            "nav_section": "find",
        },
    )


def _reference_in(text: str) -> int | None:
    """The case a search names by its reference: "CF" then the number (digits alone may be
    part of a phone number, so they are searched)."""
    text = text.strip()
    return parse_reference(text) if text[:2].upper() == "CF" else None


def case_action(
    request,
    reference,
    *,
    form_class,
    template,
    act,
    success,
    button,
    needs_open=True,
    form_kwargs=None,
):
    """GET shows the form; POST calls the service and redirects to the case, or re-renders
    the form with the service's message and everything the user typed. A form shown before
    someone else changed the case is refused with what changed, its text kept (even when the
    change means its sender may no longer change the case: no bare "not allowed"). `success`
    is the banner's words, or a function of the case and what `act` returned that gives them."""
    case = selectors.get_visible_case(request.user, reference)
    kwargs_for = form_kwargs or (lambda case: {})
    if request.method == "POST":
        form = form_class(request.POST, **kwargs_for(case))

        def refuse_as_stale():
            refused = stale.refusal(
                case=case,
                user=request.user,
                shown_at=form.when_shown(),
                needs_open=needs_open,
                button=button,
            )
            fresh = form_class(
                stale.fresh_data(request.POST, refused.case), **kwargs_for(refused.case)
            )
            context = {"case": refused.case, "form": fresh, "refusal": refused}
            return render(request, template, context)

        if stale.is_stale(request.POST, case):
            return refuse_as_stale()
        if not services.user_can_change_case(user=request.user, case=case):
            raise PermissionDenied("Only the case owner or a team leader can change this case.")
        if form.is_valid():
            try:
                done = act(case, form.cleaned_data)
            except ValidationError as error:
                if getattr(error, "code", None) == "stale":  # changed as this was sent
                    return refuse_as_stale()
                form.add_error(None, error)
            else:
                said = success(case, done) if callable(success) else success
                messages.success(request, said.format(reference=case.reference))
                return redirect(case)
    else:
        if not services.user_can_change_case(user=request.user, case=case):
            raise PermissionDenied("Only the case owner or a team leader can change this case.")
        form = form_class(initial={"version": case.version}, **kwargs_for(case))
    return render(request, template, {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
def case_record_step(request: HttpRequest, reference: str) -> HttpResponse:
    return case_action(
        request,
        reference,
        form_class=StepForm,
        template="cases/step_form.html",
        success="Step recorded on {reference}.",
        button="Record step",
        act=lambda case, data: services.case_record_step(
            case=case,
            by=request.user,
            step_kind=data["step_kind"],
            description=data["description"],
            occurred_at=data["occurred_at"],
            expected_version=data["version"],
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
def case_hand_off(request: HttpRequest, reference: str) -> HttpResponse:
    return case_action(
        request,
        reference,
        form_class=HandOffForm,
        form_kwargs=lambda case: {"case": case},
        template="cases/handoff_form.html",
        success="{reference} handed off.",
        button="Hand off",
        act=lambda case, data: services.case_hand_off(
            case=case,
            by=request.user,
            to=data["to"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
    )


@require_GET
@permission_required(roles.VIEW_AUDIT, raise_exception=True)
def case_history(request: HttpRequest, reference: str) -> HttpResponse:
    """Every recorded change to the case, its contacts and its citizen: who, when, what."""
    case = selectors.get_visible_case(request.user, reference)
    return render(
        request,
        "cases/history.html",
        {"case": case, "entries": selectors.case_history(case)},
    )
