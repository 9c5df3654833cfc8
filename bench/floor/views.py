from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from bench.floor.models import FloorRow


@require_POST
@login_required
def insert_one(request: HttpRequest) -> HttpResponse:
    """Behind the same middleware as the app (sessions, CSRF, sign-in, axes): one INSERT."""
    FloorRow.objects.create(text=request.POST.get("text", ""))
    return HttpResponse(status=204)
