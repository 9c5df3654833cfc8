"""Staff's pages for telling citizens: what happens next and how things stand (an update), the
resolution on closing, each sent to the citizen if they agreed to updates; how they want to
be sent them; a message sent again; and a case's progress code, made, replaced or stopped."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles
from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import CitizenUpdate
from cases.views import case_action
from messaging import sending, services
from messaging.forms import CloseAndSendForm, UpdateAndSendForm, UpdatesByForm
from messaging.models import Message


@require_POST
@permission_required(roles.VIEW_CASES, raise_exception=True)
def progress_code_make(request: HttpRequest, reference: str) -> HttpResponse:
    """Anyone who can see the case can give the citizen its progress code."""
    case = case_selectors.get_visible_case(request.user, reference)
    try:
        link = services.progress_link_get_or_make(case=case, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            f"The citizen's progress code for {case.reference} is {link.shown_code}.",
        )
    return redirect(case)


@require_POST
@permission_required(roles.VIEW_CASES, raise_exception=True)
def progress_code_replace(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_selectors.get_visible_case(request.user, reference)
    try:
        link = services.progress_link_replace(case=case, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            f"A new progress code for {case.reference}: {link.shown_code}. The old one no longer "
            "works: give the citizen this one.",
        )
    return redirect(case)


@require_POST
@permission_required(roles.VIEW_CASES, raise_exception=True)
def progress_code_revoke(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_selectors.get_visible_case(request.user, reference)
    if services.progress_link_revoke(case=case, by=request.user):
        messages.success(
            request, f"The progress page of {case.reference} no longer opens for anyone."
        )
    return redirect(case)


def _sent_words(message) -> str:
    if message is None:
        return ""
    return f" It will be sent to the citizen by {message.get_channel_display().lower()}."


@require_http_methods(["GET", "POST"])
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
def case_update_citizen(request: HttpRequest, reference: str) -> HttpResponse:
    """The owner (or a team leader) tells the citizen what happens next and when, and how things
    stand, on any case; published at once, and sent to them if they agreed to updates."""

    @transaction.atomic
    def act(case, data):
        update = case_services.case_update_citizen(
            case=case,
            by=request.user,
            status=data["status"],
            description=data["description"],
            next_step=data.get("next_step", ""),
            next_step_on=data.get("next_step_on"),
            expected_version=data["version"],
        )
        return sending.message_queue(update=update, by=request.user) if data.get("send") else None

    return case_action(
        request,
        reference,
        form_class=UpdateAndSendForm,
        form_kwargs=lambda case: {"case": case},
        template="cases/citizen_update_form.html",
        success=lambda case, message: (
            "Update for the citizen published on {reference}." + _sent_words(message)
        ),
        button="Publish update",
        needs_open=False,
        act=act,
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.LOG_CONTACTS, raise_exception=True)
def case_close(request: HttpRequest, reference: str) -> HttpResponse:
    """Close the case: the need is met. The resolution is published to the citizen, and sent to
    them if they agreed to updates."""

    @transaction.atomic
    def act(case, data):
        closed = case_services.case_close(
            case=case,
            by=request.user,
            resolution=data["resolution"],
            closed_at=data["closed_at"],
            outcome=data["outcome"] or CitizenUpdate.Status.CLOSED,
            expected_version=data["version"],
        )
        if not data.get("send"):
            return None
        update = closed.citizen_updates.order_by("-pk").first()
        return sending.message_queue(update=update, by=request.user)

    return case_action(
        request,
        reference,
        form_class=CloseAndSendForm,
        form_kwargs=lambda case: {"case": case},
        template="cases/close_form.html",
        success=lambda case, message: (
            "{reference} closed: the citizen's need was met." + _sent_words(message)
        ),
        button="Close case",
        act=act,
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.VIEW_CASES, raise_exception=True)
def updates_by(request: HttpRequest, reference: str) -> HttpResponse:
    """How the case's citizen wants to be sent updates: asked and recorded by whoever is talking
    to them (anyone who logs contacts), with the address they give for it."""
    case = case_selectors.get_visible_case(request.user, reference)
    citizen = case.citizen
    if citizen is None or citizen.anonymised_at:
        raise Http404("This case has no citizen's details.")
    initial = {"updates_by": citizen.updates_by, "email": citizen.email, "phone": citizen.phone}
    form = UpdatesByForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case_services.citizen_set_updates_by(
                citizen=citizen,
                updates_by=data["updates_by"],
                email=data["email"],
                phone=data["phone"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            citizen.refresh_from_db()
            messages.success(
                request, f"{citizen}: updates {citizen.get_updates_by_display().lower()}."
            )
            return redirect(case)
    return render(request, "messaging/updates_by.html", {"case": case, "form": form})


@require_POST
@permission_required(roles.VIEW_CASES, raise_exception=True)
def send_again(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A message that was not sent, queued again with the same words."""
    case = case_selectors.get_visible_case(request.user, reference)
    message = get_object_or_404(Message, pk=pk, case=case)
    try:
        sending.message_send_again(message=message, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, f"The {message.get_channel_display().lower()} will be sent again."
        )
    return redirect(case)
