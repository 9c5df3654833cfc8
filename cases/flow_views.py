"""Work in progress and flow, for team leaders."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases import roles


@require_GET
@permission_required(roles.STUDY_CAPABILITY, raise_exception=True)
def work_in_progress(request: HttpRequest) -> HttpResponse:
    return render(request, "capability/wip.html", {"nav_section": "capability"})


@require_GET
@permission_required(roles.STUDY_CAPABILITY, raise_exception=True)
def flow(request: HttpRequest) -> HttpResponse:
    return render(request, "capability/flow.html", {"nav_section": "capability"})
