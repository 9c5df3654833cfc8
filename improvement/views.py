"""The improvement register's pages, for team leaders."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import roles
from improvement import selectors, services
from improvement.forms import SystemChangeForm


@require_http_methods(["GET", "POST"])
@permission_required(roles.STUDY_CAPABILITY, raise_exception=True)
def system_changes(request: HttpRequest) -> HttpResponse:
    """Team leaders record that the way the work is done changed; each change starts a new
    phase on the charts of its service (or of every service)."""
    can_record = request.user.has_perm(roles.RECORD_SYSTEM_CHANGE)
    form = SystemChangeForm(request.POST or None)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                change = services.system_change_record(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"System change of {change.changed_on:%-d %B %Y} recorded."
                )
                return redirect("improvement:changes")
    return render(
        request,
        "improvement/changes.html",
        {
            "form": form,
            "changes": selectors.system_changes_newest_first(),
            "can_record": can_record,
            "nav_section": "capability",
        },
    )
