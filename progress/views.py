"""The citizen's progress page: the one page without sign-in. It opens for a case's reference
and its progress code (messaging/codes.py), shows the citizen's own words, what happens next and
when, the updates published to them and whether their need is met, and lets them stop the
updates sent to them. A wrong reference or code gets the same answer whatever was wrong, and an
address that keeps trying wrong codes is refused for a while (throttle.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import Case, Citizen
from cases.services import citizen_set_updates_by
from messaging import codes, selectors
from progress import throttle
from progress.forms import FindForm
from progress.selectors import progress_of

NOT_FOUND = (
    "We could not find a request with that reference and code. Check both and try again: "
    "the code is 8 letters and numbers, like K7PQ-4XMA."
)
# Who the audit trail says recorded an opt-out made on the progress page.
CITIZEN_ON_PROGRESS_PAGE = "the citizen, on their progress page"


def _private(response: HttpResponse) -> HttpResponse:
    """Nothing on these pages is for search engines, and the address (which holds the code)
    is never sent to another site as a referrer."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _render(request: HttpRequest, template: str, context: dict, status: int = 200):
    context = {"council_name": settings.COUNCIL_NAME, **context}
    return _private(render(request, template, context, status=status))


def _too_many_tries(request: HttpRequest) -> HttpResponse:
    response = _render(
        request,
        "progress/too_many_tries.html",
        {"minutes": settings.PROGRESS_TRIES_WINDOW_MINUTES},
        status=429,
    )
    response["Retry-After"] = str(settings.PROGRESS_TRIES_WINDOW_MINUTES * 60)
    return response


def _case_or_none(request: HttpRequest, reference: str, code: str) -> Case | None:
    case = selectors.case_for_code(reference, code)
    if case is None:
        throttle.note_wrong_try(request)
    return case


@login_not_required
@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    """Type the reference and code you were given (on the phone, or in a letter)."""
    if throttle.is_blocked(request):
        return _too_many_tries(request)
    form = FindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _case_or_none(request, data["reference"], data["code"]) is not None:
            return redirect(
                "progress:page",
                reference=data["reference"].strip().upper(),
                code=codes.shown(codes.normalised(data["code"])),
            )
        form.add_error(None, NOT_FOUND)
    return _render(request, "progress/find.html", {"form": form})


@login_not_required
@require_http_methods(["GET"])
def page(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    if throttle.is_blocked(request):
        return _too_many_tries(request)
    case = _case_or_none(request, reference, code)
    if case is None:
        return _render(request, "progress/not_found.html", {"message": NOT_FOUND}, status=404)
    return _render(
        request,
        "progress/page.html",
        {
            "progress": progress_of(case),
            "case": case,
            "code": codes.shown(codes.normalised(code)),
            "updates_by": case.citizen.updates_by if case.citizen else "",
            "UpdatesBy": Citizen.UpdatesBy,
        },
    )


@login_not_required
@require_POST
def stop_updates(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    """The citizen stops the messages sent to them: honoured at once, for all their cases (it
    is recorded on them, as their choice), and in the audit trail."""
    if throttle.is_blocked(request):
        return _too_many_tries(request)
    case = _case_or_none(request, reference, code)
    if case is None:
        return _render(request, "progress/not_found.html", {"message": NOT_FOUND}, status=404)
    if case.citizen and case.citizen.updates_by != Citizen.UpdatesBy.NONE:
        citizen_set_updates_by(
            citizen=case.citizen,
            updates_by=Citizen.UpdatesBy.NONE,
            by=None,
            actor_label=CITIZEN_ON_PROGRESS_PAGE,
        )
        messages.success(
            request,
            "We will not send you any more updates. This page still shows how your request stands.",
        )
    return redirect("progress:page", reference=reference, code=code)
