"""What a person sees when the server fails: a page in the house style that reads nothing from
the database (it may be the database that failed), and, for a form sent while the database
could not be reached, everything they typed, ready to send again."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# Text a person typed, shown in boxes they can read and copy (the ones they filled in);
# everything else sent goes back unseen. (Named here, not read from the forms: building a
# form may need the database.)
TYPED_TEXT = {
    "citizen_words": "What the citizen said",
    "what_matters": "What matters to the citizen",
    "resolution": "How the need was met",
    "prevention_note": "What would have saved them contacting us",
    "description": "What was done",
    "reason": "Why it is being handed off",
    "citizen_name": "Name",
    "citizen_phone": "Phone",
    "citizen_email": "Email",
    "citizen_address": "Address",
    "citizen_postcode": "Postcode",
}
DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Django calls it while handling the exception, so sys.exc_info() has it (and
    Django has logged it, with its traceback, to the "django.request" logger)."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN) and request.method == "POST":
        return _form_kept(request)
    return HttpResponse(render_to_string("500.html"), status=500)


def _form_kept(request: HttpRequest) -> HttpResponse:
    typed, sent = [], []
    for name, values in request.POST.lists():
        for value in values:
            if name in TYPED_TEXT and len(values) == 1 and value.strip():
                typed.append((name, TYPED_TEXT[name], value))
            else:
                sent.append((name, value))
    is_contact = "citizen_words" in request.POST
    context = {
        "action": request.path,
        "typed": typed,
        "sent": sent,
        "button": "Log contact" if is_contact else "Save",
    }
    # 503: the request may succeed later, as the page says.
    return HttpResponse(render_to_string("database_unavailable.html", context), status=503)
