from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import roles
from cases.models import Citizen
from records import services


@require_GET
@never_cache  # personal data: no copy left in a browser's or proxy's cache
@permission_required(roles.EXPORT_CITIZEN_DATA, raise_exception=True)
def citizen_data(request: HttpRequest, pk: int) -> HttpResponse:
    """A subject access request: everything held about one citizen, as a JSON file. Audited."""
    citizen = get_object_or_404(Citizen, pk=pk)
    record = services.citizen_export(citizen=citizen, by=request.user)
    # Readable UTF-8 rather than \u escapes: the file is for the citizen to read.
    response = JsonResponse(record, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="citizen-{citizen.pk}-data.json"'
    return response
