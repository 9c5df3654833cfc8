"""System conditions: the register, recording one (from scratch, or from a prevention note
grouped on the failure Pareto, carrying the contacts it was written on as evidence), and
correcting or withdrawing one. Each condition's own page, with its evidence on a chart, is
analysis's (analysis:condition)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from cases.models import ServiceType
from demand.models import Contact, FailureCategory
from demand.notes import NoteGroup, note_groups
from improvement import selectors, services
from improvement.forms import (
    SystemConditionCorrectionForm,
    SystemConditionForm,
    WithdrawalForm,
)
from improvement.models import SystemCondition
from improvement.views import register_action
from lib.forms import PeriodForm
from lib.params import slug_param
from lib.periods import last_full_weeks, start_of

CONDITIONS_PER_PAGE = 25


@require_GET
@permission_required(roles.VIEW_IMPROVEMENT, raise_exception=True)
def system_conditions(request: HttpRequest) -> HttpResponse:
    """What in the design and management of the work causes failure demand, by service; the
    withdrawn ones last."""
    service = ServiceType.objects.filter(slug=slug_param(request.GET.get("service"))).first()
    conditions = selectors.system_conditions().order_by(
        "withdrawn_at", "service_type__name", "title"
    )
    if service is not None:
        conditions = conditions.filter(Q(service_type=service) | Q(service_type__isnull=True))
    page = Paginator(conditions, CONDITIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "improvement/conditions.html",
        {
            "page": page,
            "service": service,
            "services": ServiceType.objects.order_by("name"),
            "query_string": f"service={service.slug}" if service else "",
            "can_record": request.user.has_perm(roles.RECORD_SYSTEM_CONDITION),
            "nav_section": "improvement",
        },
    )


class NoteSource(PeriodForm):
    """Where a grouped prevention note came from (the failure Pareto's filters): its kind of
    failure demand, the period, the services, and the group's reference."""

    def __init__(self, data):
        super().__init__(data, default_period=last_full_weeks())

    def group(self) -> tuple[NoteGroup | None, FailureCategory | None, QuerySet[Contact]]:
        """The note group the link named, and the contacts it was written on."""
        category = FailureCategory.objects.filter(
            slug=slug_param(self.data.get("category"))
        ).first()
        if not self.is_valid() or category is None:
            return None, category, Contact.objects.none()
        contacts = Contact.objects.filter(
            demand=Contact.Demand.FAILURE,
            failure_category=category,
            received_at__gte=start_of(self.cleaned_data["from"]),
            received_at__lt=start_of(self.cleaned_data["to"] + timedelta(days=1)),
        )
        slugs = [slug for slug in self.data.getlist("service") if slug_param(slug)]
        if slugs:
            contacts = contacts.filter(service_type__slug__in=slugs)
        wanted = self.data.get("note", "")
        group = next((g for g in note_groups(contacts) if g.ref == wanted), None)
        if group is None:
            return None, category, Contact.objects.none()
        return group, category, contacts.filter(prevention_note__in=group.texts)

    def carried(self) -> list[tuple[str, str]]:
        """The source again, as hidden fields of the form that records the condition."""
        keys = ("note", "category", "from", "to")
        pairs = [(key, self.data.get(key, "")) for key in keys]
        return pairs + [("service", slug) for slug in self.data.getlist("service")]


def _evidence_of(group, contacts, service: ServiceType | None) -> QuerySet[Contact]:
    """The contacts a note brings as evidence: of the condition's service, if it has one."""
    if group is None:
        return Contact.objects.none()
    return contacts.filter(service_type=service) if service else contacts


@require_http_methods(["GET", "POST"])
@permission_required(roles.RECORD_SYSTEM_CONDITION, raise_exception=True)
def system_condition_new(request: HttpRequest) -> HttpResponse:
    """Record a system condition. From a grouped note (`?note=…&category=…` with the Pareto's
    filters), it starts filled in from the note and marks the contacts it was written on."""
    source = NoteSource(request.POST if request.method == "POST" else request.GET)
    group, category, noted = source.group() if source.data.get("note") else (None, None, None)
    single = source.data.getlist("service")
    initial = {}
    if group is not None:
        only = ServiceType.objects.filter(slug=single[0]).first() if len(single) == 1 else None
        initial = {
            "title": group.text[:200],
            "failure_categories": [category.pk],
            "service_type": only.pk if only else None,
        }
    form = SystemConditionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        evidence = _evidence_of(group, noted, data["service_type"]).select_related("case")
        try:
            condition = services.system_condition_record(
                by=request.user,
                title=data["title"],
                kind=data["kind"],
                service_type=data["service_type"],
                description=data["description"],
                failure_categories=list(data["failure_categories"]),
                demand_types=list(data["demand_types"]),
                waste_step_kinds=data["waste_step_kinds"],
                evidence=evidence,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            marked = condition.evidence.count()
            messages.success(
                request,
                f"System condition recorded: “{condition.title}”"
                + (
                    f", with {marked} contact{'s' if marked != 1 else ''} as its evidence."
                    if marked
                    else "."
                ),
            )
            return redirect(condition)
    return render(
        request,
        "improvement/condition_new.html",
        {
            "form": form,
            "group": group,
            "category": category,
            "noted": noted.count() if group is not None else 0,
            "source": source.carried() if group is not None else [],
            "note_missing": bool(source.data.get("note")) and group is None,
            "nav_section": "improvement",
        },
    )


def _get_condition(pk: int) -> SystemCondition:
    return get_object_or_404(selectors.system_conditions(), pk=pk)


def _correction_form(condition: SystemCondition, data) -> SystemConditionCorrectionForm:
    initial = None if data is not None else SystemConditionCorrectionForm.initial_for(condition)
    return SystemConditionCorrectionForm(data, initial=initial, condition=condition)


def _withdrawal_form(condition, data) -> WithdrawalForm:
    initial = None if data is not None else {"version": condition.version}
    return WithdrawalForm(data, initial=initial, what="condition")


@require_http_methods(["GET", "POST"])
@permission_required(roles.CORRECT_SYSTEM_CONDITION, raise_exception=True)
def system_condition_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Put right or add to what a condition says and what it is linked to."""

    def corrected(before: SystemCondition, after: SystemCondition) -> None:
        if after.version == before.version:
            messages.info(request, "Nothing was changed: what you sent is what was recorded.")
        else:
            messages.success(request, f"System condition “{after.title}” corrected.")

    return register_action(
        request,
        _get_condition(pk),
        name="condition",
        fetch=lambda: _get_condition(pk),
        make_form=_correction_form,
        template="improvement/condition_correct.html",
        act=lambda condition, data: services.system_condition_correct(
            condition=condition,
            by=request.user,
            title=data["title"],
            kind=data["kind"],
            service_type=data["service_type"],
            description=data["description"],
            failure_categories=list(data["failure_categories"]),
            demand_types=list(data["demand_types"]),
            waste_step_kinds=data["waste_step_kinds"],
            expected_version=data["version"],
        ),
        success=corrected,
        button="Save changes",
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.CORRECT_SYSTEM_CONDITION, raise_exception=True)
def system_condition_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a condition recorded by mistake or twice, saying why."""
    return register_action(
        request,
        _get_condition(pk),
        name="condition",
        fetch=lambda: _get_condition(pk),
        make_form=_withdrawal_form,
        template="improvement/condition_withdraw.html",
        act=lambda condition, data: services.system_condition_withdraw(
            condition=condition,
            by=request.user,
            reason=data["reason"],
            expected_version=data["version"],
        ),
        success=lambda before, after: messages.success(
            request, f"System condition “{after.title}” withdrawn."
        ),
        button="Withdraw condition",
    )
