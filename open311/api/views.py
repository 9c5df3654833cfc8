"""The GeoReport v2 endpoints under /open311/v2/, in XML (the spec's format, and FixMyStreet's)
and JSON, with mySociety's servicerequestupdates extension. Built on Django REST framework: its
views, parsers, authentication and throttling; the spec's shapes are in renderers.py and
errors.py. POSTs answer clients, not browsers: no CSRF token, no redirect."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from rest_framework import exceptions, parsers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import ServiceType, format_reference
from open311 import params, selectors, services
from open311.api import access, errors, renderers
from open311.models import Client

OPENAPI = Path(__file__).resolve().parent.parent / "openapi.yaml"
MAX_SPAN = timedelta(days=90)  # the spec's longest date range for GET requests
UPDATES_DEFAULT_SPAN = timedelta(hours=24)


def w3c(when: datetime) -> str:
    """A time as GeoReport v2 writes it: W3C, to the second, in UTC."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Open311View(APIView):
    authentication_classes = [access.APIKeyAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [access.ClientRateThrottle]
    renderer_classes = [renderers.Open311XMLRenderer, renderers.Open311JSONRenderer]
    parser_classes = [parsers.FormParser, parsers.MultiPartParser]
    # GeoReport v2 has GETs and POSTs; anything else is refused in the spec's shape.
    http_method_names = ["get", "post", "head"]

    def get_exception_handler(self):
        return errors.exception_handler

    def perform_content_negotiation(self, request, force=False):
        # The format is the URL's suffix (.xml or .json), whatever the Accept header says.
        fmt = self.kwargs.get("format", "xml")
        renderer = self.renderer_classes[1 if fmt == "json" else 0]()
        return renderer, renderer.media_type

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))


# Booleans are the strings "true" and "false" in both formats, as the spec's XML has them and
# mySociety's server writes its JSON.


def _service(service: ServiceType) -> dict:
    return {
        "service_code": service.slug,
        "service_name": service.name,
        "description": service.description or service.name,
        "metadata": "true",
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


# Attributes FixMyStreet fills in itself when a service asks for them (its id for the report,
# the point on the national grid, the nearest address): never shown to the citizen.
AUTOMATED = [
    ("fixmystreet_id", "number", "FixMyStreet's own number for the report"),
    ("easting", "number", "Easting on the national grid"),
    ("northing", "number", "Northing on the national grid"),
    ("closest_address", "string", "The nearest address to the point reported"),
]


def _definition(service: ServiceType) -> dict:
    attributes = []
    if service.asked_for:
        attributes.append(
            {
                "variable": "true",
                "code": "asked_for",
                "datatype": "singlevaluelist",
                "required": "false",
                "datatype_description": "",
                "order": 1,
                "description": "What are you asking for?",
                "values": [{"key": str(t.pk), "name": t.name} for t in service.asked_for],
            }
        )
    for code, datatype, description in AUTOMATED:
        attributes.append(
            {
                "variable": "false",
                "code": code,
                "datatype": datatype,
                "required": "false",
                "datatype_description": "",
                "order": len(attributes) + 1,
                "description": description,
                "automated": "server_set",
            }
        )
    return {"service_code": service.slug, "attributes": attributes}


class ServiceList(Open311View):
    def get(self, request, format="xml"):
        return Response({"services": [_service(s) for s in selectors.services()]})


class ServiceDefinition(Open311View):
    def get(self, request, service_code, format="xml"):
        service = selectors.service(service_code)
        if service is None:
            raise Http404(f"service_code {service_code!r} was not found: see services.xml.")
        return Response({"service_definition": _definition(service)})


def _request(view: selectors.RequestView, client: Client | None) -> dict:
    """A request as GET requests shows it. Its status is public; what the citizen wrote and
    where are shown only to the client that sent it (personal data, minimised)."""
    request, arrival = view.request, view.request.arrival
    shown = {
        "service_request_id": str(request.pk),
        "status": view.status,
        "status_notes": view.status_notes,
        "service_name": arrival.service_type.name,
        "service_code": arrival.service_type.slug,
        "requested_datetime": w3c(arrival.received_at),
        "updated_datetime": w3c(view.updated_at),
    }
    if client is not None and request.client_id == client.pk:
        shown.update(
            description=arrival.citizen_words,
            address=arrival.address,
            address_id=arrival.address_id,
            zipcode=arrival.postcode,
            lat=arrival.latitude,
            long=arrival.longitude,
            media_url=arrival.photo_list or "",
        )
    return shown


def _client(request) -> Client | None:
    return request.auth if isinstance(request.auth, Client) else None


def _window(data, *, default: timedelta) -> tuple[datetime, datetime]:
    start_text, end_text = params.text(data, "start_date"), params.text(data, "end_date")
    end = params.w3c_datetime(end_text, "end_date") if end_text.strip() else timezone.now()
    start = params.w3c_datetime(start_text, "start_date") if start_text.strip() else end - default
    if start > end:
        raise params.refuse("start_date is after end_date.")
    if end - start > MAX_SPAN:
        raise params.refuse("start_date and end_date may not be more than 90 days apart.")
    return start, end


class Requests(Open311View):
    def get(self, request, format="xml"):
        data = request.query_params
        ids = params.comma_list(data, "service_request_id")
        if any(not pk.isdigit() or len(pk) > 18 for pk in ids):
            raise params.refuse("service_request_id must be numbers, separated by commas.")
        statuses = params.comma_list(data, "status")
        if set(statuses) - {"open", "closed"}:
            raise params.refuse("status must be open or closed (or both, comma separated).")
        start, end = _window(data, default=MAX_SPAN)
        found = selectors.requests(
            ids=ids,
            service_codes=params.comma_list(data, "service_code"),
            start=start,
            end=end,
            statuses=statuses,
        )
        return Response({"service_requests": [_request(v, _client(request)) for v in found]})

    def post(self, request, format="xml"):
        if not isinstance(request.auth, Client):
            raise exceptions.NotAuthenticated(access.HasClientKey.message)
        if request.FILES:
            raise params.refuse("Files are not accepted: send photos as media_url links.")
        service_request, created = services.request_receive(client=request.auth, data=request.data)
        return Response(
            {"service_requests": [{"service_request_id": str(service_request.pk)}]},
            status=201 if created else 200,
        )


class RequestDetail(Open311View):
    def get(self, request, service_request_id, format="xml"):
        pk = service_request_id
        found = selectors.request(int(pk)) if pk.isdigit() and len(pk) < 19 else None
        if found is None:
            raise Http404(f"service_request_id {pk!r} was not found.")
        return Response({"service_requests": [_request(found, _client(request))]})


class Token(Open311View):
    def get(self, request, token, format="xml"):
        try:
            found = selectors.request_for_token(uuid.UUID(token))
        except ValueError:
            found = None
        if found is None:
            raise Http404(f"token {token!r} was not found.")
        return Response(
            {"service_requests": [{"service_request_id": str(found.pk), "token": str(found.token)}]}
        )


def _update(view: selectors.UpdateView) -> dict:
    update, request = view.update, view.request
    shown = {
        "update_id": f"council-{update.pk}",
        "service_request_id": str(request.pk),
        "status": update.status,
        "updated_datetime": w3c(update.published_at),
        "description": update.entry.description,
        "media_url": "",
        # The case's reference: FixMyStreet shows it, so the citizen can quote it.
        "customer_reference": format_reference(update.case_id),
    }
    if request.external_id:
        shown["fixmystreet_id"] = request.external_id
    return shown


class ServiceRequestUpdates(Open311View):
    permission_classes = [access.HasClientKey]

    def get(self, request, format="xml"):
        start, end = _window(request.query_params, default=UPDATES_DEFAULT_SPAN)
        found = selectors.updates(client=request.auth, start=start, end=end)
        return Response({"service_request_updates": [_update(v) for v in found]})

    def post(self, request, format="xml"):
        if request.FILES:
            raise params.refuse("Files are not accepted: send photos as media_url links.")
        received, created = services.update_receive(client=request.auth, data=request.data)
        return Response(
            {"service_request_updates": [{"update_id": f"citizen-{received.arrival_id}"}]},
            status=201 if created else 200,
        )


class NotFound(Open311View):
    """Anything else under /open311/v2/: the spec's 404, never an HTML page."""

    def _refuse(self, request, *args, **kwargs):
        raise Http404(
            "No such Open311 resource. Paths end in .xml or .json: services, "
            "services/{service_code}, requests, requests/{id}, tokens/{token}, "
            "servicerequestupdates."
        )

    get = post = put = patch = delete = _refuse


@login_not_required
def openapi(request) -> HttpResponse:
    """The API's OpenAPI description, for developers of clients and their tests."""
    return HttpResponse(OPENAPI.read_bytes(), content_type="application/yaml; charset=utf-8")
