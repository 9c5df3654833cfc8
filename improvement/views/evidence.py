"""“This is evidence of …”: anyone who reads the register marks a contact, from its case page or
a list of contacts, as evidence of a system condition, and can take their own mark back (a team
leader any mark). Marks are made once and never deleted."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles
from cases.selectors import visible_cases
from demand.models import Contact
from improvement import selectors, services
from improvement.forms import EvidenceForm
from improvement.models import ConditionEvidence


def _visible_contact(request: HttpRequest, pk: int) -> Contact:
    """A contact on a case the user may see (the same rule as the case page), else a 404."""
    cases = visible_cases(request.user)
    return get_object_or_404(
        Contact.objects.select_related(
            "case", "service_type", "failure_category", "demand_type"
        ).filter(case__in=cases.values("pk")),
        pk=pk,
    )


def _back(request: HttpRequest, contact: Contact) -> str:
    """Where the person came from (a list of contacts), or the contact's case."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return back
    return contact.case.get_absolute_url()


@require_http_methods(["GET", "POST"])
@permission_required(roles.MARK_EVIDENCE, raise_exception=True)
def mark_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact in the citizen's words, the conditions it is already evidence of, and a
    choice of the conditions it could be evidence of (its service's and the council-wide
    ones)."""
    contact = _visible_contact(request, pk)
    conditions = selectors.conditions_for_marking(contact)
    form = EvidenceForm(request.POST if request.method == "POST" else None, conditions=conditions)
    if request.method == "POST" and form.is_valid():
        condition = form.cleaned_data["condition"]
        try:
            services.evidence_mark(condition=condition, contact=contact, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Marked as evidence of “{condition.title}”.")
            return redirect(_back(request, contact))
    marks = [(mark, _may_remove(request.user, mark)) for mark in selectors.marks_on(contact)]
    return render(
        request,
        "improvement/mark_evidence.html",
        {
            "contact": contact,
            "form": form,
            "conditions": conditions,
            "marks": marks,
            "next": _back(request, contact),
            "nav_section": "",
        },
    )


def _may_remove(user, mark: ConditionEvidence) -> bool:
    return mark.removed_at is None and (
        mark.marked_by_id == user.pk or user.has_perm(roles.REMOVE_ANY_EVIDENCE)
    )


@require_POST
@permission_required(roles.MARK_EVIDENCE, raise_exception=True)
def remove_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Take back a mark: one's own, or any mark for a team leader."""
    mark = get_object_or_404(ConditionEvidence.objects.select_related("condition"), pk=pk)
    contact = _visible_contact(request, mark.contact_id)
    if not _may_remove(request.user, mark) and mark.removed_at is None:
        raise PermissionDenied
    services.evidence_remove(evidence=mark, by=request.user)
    messages.success(request, f"No longer marked as evidence of “{mark.condition.title}”.")
    return redirect(_back(request, contact))
