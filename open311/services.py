"""Every write of the Open311 app: clients and their keys, and receiving a client's report or a
citizen's update (kept whole as an ArrivedContact for the front office to take). A report or
update sent twice (a client retrying after a time-out) is received once: the second sending gets
the first one's id back."""

import hashlib
import json
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from cases import audit
from cases.models import ServiceType
from demand import arrivals
from demand.models import DemandType
from open311 import keys, params
from open311.models import Client, ReceivedUpdate, ServiceRequest

# A request sent again within this time, with exactly the same parameters and no id of the
# client's own, is taken to be a retry of the first, not a second report.
RETRY_WINDOW = timedelta(hours=24)
# Read into fields of their own: everything else a client sends is kept in `details`.
REPORT_FIELDS = {
    "service_code",
    "description",
    "first_name",
    "last_name",
    "email",
    "phone",
    "lat",
    "long",
    "address_string",
    "address_id",
    "postcode",
    "zipcode",
    "media_url",
    "requested_datetime",
    "attribute[easting]",
    "attribute[northing]",
    "attribute[uprn]",
    "attribute[asked_for]",
    "attribute[requested_datetime]",
}
UPDATE_FIELDS = {
    "service_request_id",
    "update_id",
    "status",
    "updated_datetime",
    "description",
    "first_name",
    "last_name",
    "email",
    "phone",
    "media_url",
}
# The attribute FixMyStreet puts its own report number in (its contacts' default id_field).
FIXMYSTREET_ID = "fixmystreet_id"
# The statuses a citizen's update may carry (FixMyStreet sends them upper case).
UPDATE_STATUSES = {
    "open",
    "closed",
    "fixed",
    "in_progress",
    "action_scheduled",
    "planned",
    "investigating",
    "duplicate",
    "not_councils_responsibility",
    "no_further_action",
    "internal_referral",
    "cancelled",
    "reopen",
    "for_triage",
    "unchanged",
}


@transaction.atomic
def client_add(
    *, name: str, by: AbstractBaseUser | None = None, actor_label: str = ""
) -> tuple[Client, str]:
    """Register a client application and issue its key, returned this once and never again.
    Audited (by someone in the admin, or as `actor_label`: the command line)."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the client application a name.", code="required")
    if Client.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"A client called {name!r} is registered already.", code="exists")
    key = keys.new_key()
    client = Client.objects.create(
        name=name, key_prefix=keys.shown_part(key), key_hash=keys.digest(key)
    )
    audit.record_creation(client, by=by, actor_label=actor_label)
    return client, key


@transaction.atomic
def client_new_key(
    *, client: Client, by: AbstractBaseUser | None = None, actor_label: str = ""
) -> str:
    """A new key for a client (the old one stops working at once). Audited."""
    key = keys.new_key()
    before = audit.snapshot(client, ("key_prefix", "is_active", "revoked_at"))
    client.key_prefix, client.key_hash = keys.shown_part(key), keys.digest(key)
    client.is_active, client.revoked_at = True, None
    client.save(update_fields=["key_prefix", "key_hash", "is_active", "revoked_at"])
    audit.record_changes(client, before, by=by, actor_label=actor_label)
    return key


@transaction.atomic
def client_revoke(
    *, client: Client, by: AbstractBaseUser | None = None, actor_label: str = ""
) -> Client:
    """Refuse every later request made with the client's key. Its reports are kept. Audited."""
    if client.is_active:
        before = audit.snapshot(client, ("is_active", "revoked_at"))
        client.is_active, client.revoked_at = False, timezone.now()
        client.save(update_fields=["is_active", "revoked_at"])
        audit.record_changes(client, before, by=by, actor_label=actor_label)
    return client


def client_for_key(key: str) -> Client | None:
    if not key or len(key) > 200:
        return None
    try:
        return Client.objects.get(key_hash=keys.digest(key), is_active=True)
    except Client.DoesNotExist:
        return None


def client_note_use(client: Client) -> None:
    """When a client was last heard from, written at most once a minute."""
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):
        Client.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


def _digest(data) -> str:
    items = sorted(
        (key, data.getlist(key) if hasattr(data, "getlist") else [data[key]])
        for key in data
        if key != "api_key"
    )
    return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode()).hexdigest()


def _lock(digest: str) -> None:
    """Serialise two sendings of the same request (PostgreSQL; SQLite writes one at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(digest[:15], 16)])


def _service(code: str) -> ServiceType:
    service = ServiceType.objects.filter(slug=code, is_active=True).first()
    if service is None:
        raise Http404(f"service_code {code[:100]!r} was not found: see services.xml.")
    return service


def _asked_for(service: ServiceType, key: str) -> DemandType | None:
    key = key.strip()
    if not key:
        return None
    found = (
        DemandType.objects.filter(service_type=service, is_active=True, pk=key).first()
        if key.isdigit() and len(key) < 12
        else None
    )
    if found is None:
        raise params.refuse(
            f"attribute[asked_for] {key[:40]!r} is not one of {service}'s values: see "
            f"services/{service.slug}.xml."
        )
    return found


def request_receive(*, client: Client, data) -> tuple[ServiceRequest, bool]:
    """Receive a report: validated like staff input, then kept whole, all or nothing. Returns
    the request and whether it is new (False: a retry of one received before)."""
    code = params.text(data, "service_code", required=True)
    service = _service(code.strip())
    attributes = params.attributes(data)
    external_id = attributes.get(FIXMYSTREET_ID, "").strip()[:100]
    digest = _digest(data)
    if external_id:
        # With the client's own id the unique constraint settles a race: no lock, and one
        # transaction for the two rows (bench/RESULTS.md: round trips are most of its cost).
        earlier = _earlier_request(client, external_id, digest)
        if earlier is not None:
            return earlier, False
        arrival = _arrival(client, service, attributes, data)
        try:
            with transaction.atomic():
                return _save_request(client, arrival, external_id, digest), True
        except IntegrityError:
            # The same report sent at the same moment by another of the client's workers.
            earlier = _earlier_request(client, external_id, digest)
            if earlier is None:
                raise
            return earlier, False
    with transaction.atomic():
        _lock(digest)
        earlier = _earlier_request(client, external_id, digest)
        if earlier is not None:
            return earlier, False
        arrival = _arrival(client, service, attributes, data)
        return _save_request(client, arrival, external_id, digest), True


def _arrival(client: Client, service: ServiceType, attributes: dict, data) -> arrivals.Arrival:
    words = params.text(data, "description", required=True)
    place = params.location(data, attributes)
    sent_at = params.text(data, "requested_datetime") or attributes.get("requested_datetime", "")
    arrival = arrivals.Arrival(
        source=client.name,
        service_type=service,
        received_at=params.past_datetime(sent_at, "requested_datetime")
        if sent_at.strip()
        else timezone.now(),
        citizen_words=words,
        asked_for=_asked_for(service, attributes.get("asked_for", "")),
        first_name=params.text(data, "first_name"),
        last_name=params.text(data, "last_name"),
        email=params.email(data),
        phone=params.text(data, "phone"),
        address=place.address or attributes.get("closest_address", ""),
        postcode=params.text(data, "postcode") or params.text(data, "zipcode"),
        latitude=place.latitude,
        longitude=place.longitude,
        easting=place.easting,
        northing=place.northing,
        uprn=attributes.get("uprn", "").strip()[:20],
        address_id=place.address_id,
        photo_urls=params.photo_urls(data),
        details=params.everything_else(data, REPORT_FIELDS),
    )
    if len(f"{arrival.first_name} {arrival.last_name}".strip()) > 200:
        raise params.refuse("first_name and last_name together are longer than 200 characters.")
    return arrival


def _save_request(
    client: Client, arrival: arrivals.Arrival, external_id: str, digest: str
) -> ServiceRequest:
    received = arrivals.arrival_receive_report(arrival=arrival)
    return ServiceRequest.objects.create(
        client=client, arrival=received, external_id=external_id, digest=digest
    )


def _earlier_request(client: Client, external_id: str, digest: str) -> ServiceRequest | None:
    if external_id:
        return ServiceRequest.objects.filter(client=client, external_id=external_id).first()
    return ServiceRequest.objects.filter(
        client=client, digest=digest, created_at__gte=timezone.now() - RETRY_WINDOW
    ).first()


def _request_of(client: Client, request_id: str) -> ServiceRequest:
    pk = request_id.strip()
    found = (
        ServiceRequest.objects.select_related("arrival__service_type", "arrival__case")
        .filter(client=client, pk=pk)
        .first()
        if pk.isdigit() and len(pk) < 19
        else None
    )
    if found is None:
        raise Http404(f"service_request_id {pk[:40]!r} was not found among {client}'s requests.")
    return found


@transaction.atomic
def update_receive(*, client: Client, data) -> tuple[ReceivedUpdate, bool]:
    """Receive a citizen's update on one of the client's requests: kept whole, waiting to be
    taken as a contact on its case. The same update sent again is received once."""
    request = _request_of(client, params.text(data, "service_request_id", required=True))
    external_id = params.text(data, "update_id", required=True).strip()
    if len(external_id) > 100:
        raise params.refuse("update_id is longer than 100 characters.")
    status = params.text(data, "status", required=True).strip().lower()
    if status not in UPDATE_STATUSES:
        raise params.refuse(
            f"status {status[:40]!r} is not one of: {', '.join(sorted(UPDATE_STATUSES))}."
        )
    sent_at = params.past_datetime(
        params.text(data, "updated_datetime", required=True), "updated_datetime"
    )
    earlier = ReceivedUpdate.objects.filter(client=client, external_id=external_id).first()
    if earlier is not None:
        return earlier, False
    words = params.text(data, "description")
    photos = params.photo_urls(data)
    if not words.strip():
        if not photos:
            raise params.refuse("description is required (the update has no words and no photo).")
        words = "(The citizen sent a photo and no words.)"
    report = request.arrival
    arrival = arrivals.Arrival(
        source=client.name,
        service_type=report.service_type,
        received_at=max(sent_at, report.received_at),
        citizen_words=words,
        first_name=params.text(data, "first_name"),
        last_name=params.text(data, "last_name"),
        email=params.email(data),
        phone=params.text(data, "phone"),
        photo_urls=photos,
        status_given=status,
        details=params.everything_else(data, UPDATE_FIELDS),
    )
    try:
        with transaction.atomic():
            received = arrivals.arrival_receive_update(report=report, arrival=arrival)
            return (
                ReceivedUpdate.objects.create(
                    client=client, request=request, arrival=received, external_id=external_id
                ),
                True,
            )
    except IntegrityError:
        earlier = ReceivedUpdate.objects.filter(client=client, external_id=external_id).first()
        if earlier is None:
            raise
        return earlier, False
