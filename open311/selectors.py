"""What the Open311 API reads: the services and their definitions, service requests with their
progress, and the updates published to citizens in a window of time."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from cases.models import Case, CitizenUpdate, ServiceType
from demand.models import DemandType
from open311.models import Client, ServiceRequest

MAX_REQUESTS = 1000  # the GeoReport spec's suggested most requests in one answer


def services() -> QuerySet[ServiceType]:
    return ServiceType.objects.filter(is_active=True).prefetch_related(
        Prefetch(
            "demand_types",
            queryset=DemandType.objects.filter(is_active=True).order_by("name"),
            to_attr="asked_for",
        )
    )


def service(code: str) -> ServiceType | None:
    return services().filter(slug=code).first()


@dataclass
class RequestView:
    """A service request as the API shows it, with how its case stands."""

    request: ServiceRequest
    status: str  # open or closed: the GeoReport spec's two statuses
    status_notes: str  # the latest update published to the citizen
    updated_at: datetime


def _progress(requests: list[ServiceRequest]) -> list[RequestView]:
    case_ids = {r.arrival.case_id for r in requests if r.arrival.case_id}
    latest: dict[int, CitizenUpdate] = {}
    for update in (
        CitizenUpdate.objects.filter(case_id__in=case_ids)
        .select_related("entry")
        .order_by("case_id", "-published_at", "-pk")
    ):
        latest.setdefault(update.case_id, update)
    views = []
    for request in requests:
        case = request.arrival.case
        update = latest.get(case.pk) if case else None
        closed = case is not None and case.status == Case.Status.CLOSED
        times = [request.arrival.arrived_at, update.published_at if update else None]
        views.append(
            RequestView(
                request=request,
                status="closed" if closed else "open",
                status_notes=update.entry.description if update else "",
                updated_at=max(t for t in times if t is not None),
            )
        )
    return views


def _requests() -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.select_related("client", "arrival__service_type", "arrival__case")


def requests(
    *,
    ids: list[str],
    service_codes: list[str],
    start: datetime,
    end: datetime,
    statuses: list[str],
) -> list[RequestView]:
    """Requests by id (which overrides the other filters), or by service, status and the time
    the citizen sent them, newest first, at most MAX_REQUESTS."""
    found = _requests()
    if ids:
        found = found.filter(pk__in=[int(pk) for pk in ids])
    else:
        found = found.filter(arrival__received_at__range=(start, end))
        if service_codes:
            found = found.filter(arrival__service_type__slug__in=service_codes)
        if statuses and set(statuses) != {"open", "closed"}:
            closed = Case.Status.CLOSED
            found = (
                found.filter(arrival__case__status=closed)
                if statuses == ["closed"]
                else found.exclude(arrival__case__status=closed)
            )
    return _progress(list(found.order_by("-arrival__received_at", "-pk")[:MAX_REQUESTS]))


def request(pk: int) -> RequestView | None:
    found = _requests().filter(pk=pk).first()
    return _progress([found])[0] if found else None


def request_for_token(token) -> ServiceRequest | None:
    return ServiceRequest.objects.filter(token=token).first()


@dataclass
class UpdateView:
    update: CitizenUpdate
    request: ServiceRequest


def updates(*, client: Client, start: datetime, end: datetime) -> list[UpdateView]:
    """The updates published to citizens in the window, on the cases of the client's requests,
    once per request (a case may carry several reports), oldest first. An update written before
    a request was put on its case is about something else, so it is left out."""
    published = list(
        CitizenUpdate.objects.filter(published_at__range=(start, end))
        .select_related("entry", "case")
        .order_by("published_at", "pk")
    )
    if not published:
        return []
    by_case: dict[int, list[ServiceRequest]] = {}
    for request in ServiceRequest.objects.filter(
        client=client, arrival__case_id__in={u.case_id for u in published}
    ).select_related("arrival"):
        by_case.setdefault(request.arrival.case_id, []).append(request)
    return [
        UpdateView(update=update, request=request)
        for update in published
        for request in by_case.get(update.case_id, [])
        if request.arrival.taken_at is not None and request.arrival.taken_at <= update.published_at
    ]
