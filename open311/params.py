"""Reading what an Open311 client sent: W3C dates with a time zone, coordinates within the United
Kingdom, photo links, and the `attribute[code]` pairs. Every refusal says what was wrong, in
words a client's developer can act on. Nothing is cut: text is kept whole or refused."""

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone

# GeoReport v2 dates: a W3C date and time with seconds and a time zone (Z or +hh:mm).
W3C_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})", re.ASCII
)
# The United Kingdom, Scilly to Shetland and Northern Ireland's west coast to Lowestoft.
UK_LATITUDE = (Decimal("49.8"), Decimal("60.9"))
UK_LONGITUDE = (Decimal("-8.7"), Decimal("1.8"))
# British National Grid (and the Irish grid, which Northern Ireland's reports use) in metres.
EASTING = (Decimal(0), Decimal(700_000))
NORTHING = (Decimal(0), Decimal(1_300_000))
# A client's clock may run a little ahead of ours; further ahead is a mistake.
CLOCK_SKEW = timedelta(minutes=5)
ATTRIBUTE = re.compile(r"attribute\[([^\[\]]{1,100})\](?:\[\])?")
MAX_TEXT = {
    "first_name": 200,
    "last_name": 200,
    "email": 254,
    "phone": 40,
    "address_id": 200,
    "account_id": 200,
    "device_id": 200,
    "jurisdiction_id": 200,
    "postcode": 20,
}
_url = URLValidator(schemes=["http", "https"])
_email = EmailValidator()


def refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid")


def text(data, name: str, *, required: bool = False) -> str:
    """One text parameter, whole. NUL (which no text holds, and PostgreSQL refuses) is refused."""
    value = data.get(name, "")
    if not isinstance(value, str):
        value = str(value)
    if "\x00" in value:
        raise refuse(f"{name} contains a NUL character, which is not allowed.")
    if required and not value.strip():
        raise refuse(f"{name} is required.")
    limit = MAX_TEXT.get(name)
    if limit and len(value) > limit:
        raise refuse(f"{name} is {len(value)} characters long; at most {limit} are allowed.")
    return value


def w3c_datetime(value: str, name: str) -> datetime:
    """A W3C date and time with its time zone, e.g. 2026-06-04T09:30:00+01:00 or ...Z."""
    if not W3C_DATETIME.fullmatch(value.strip()):
        raise refuse(
            f"{name} must be a W3C date and time with a time zone, like "
            f"2026-06-04T09:30:00Z or 2026-06-04T10:30:00+01:00; got {value[:60]!r}."
        )
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError as bad:
        raise refuse(f"{name} is not a real date and time: {value[:60]!r}.") from bad


def past_datetime(value: str, name: str) -> datetime:
    """When the citizen sent something: not in the future (a few minutes of clock skew are
    read as now)."""
    when = w3c_datetime(value, name)
    now = timezone.now()
    if when > now + CLOCK_SKEW:
        raise refuse(f"{name} ({value}) is in the future.")
    return min(when, now)


def decimal_in(value: str, name: str, low: Decimal, high: Decimal, where: str) -> str:
    """A coordinate, kept as the text that was sent once it is known to be a number in range."""
    value = value.strip()
    if len(value) > 20:
        raise refuse(f"{name} has more digits than any position needs: {value[:40]!r}.")
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError) as bad:
        raise refuse(f"{name} must be a number; got {value!r}.") from bad
    if not number.is_finite() or not low <= number <= high:
        raise refuse(f"{name} {value} is {where} (from {low} to {high}).")
    return value


@dataclass(frozen=True)
class Location:
    latitude: str = ""
    longitude: str = ""
    address: str = ""
    address_id: str = ""
    easting: str = ""
    northing: str = ""
    postcode: str = ""


def location(data, attributes: dict[str, str]) -> Location:
    """Where the report is: lat and long, or an address, or an address id (at least one, as the
    GeoReport spec asks), with eastings and northings if the client sent them."""
    lat, long = text(data, "lat").strip(), text(data, "long").strip()
    if bool(lat) != bool(long):
        raise refuse("lat and long must be sent together.")
    address = text(data, "address_string")
    address_id = text(data, "address_id")
    if not (lat or address.strip() or address_id.strip()):
        raise refuse("Say where the problem is: lat and long, or address_string, or address_id.")
    easting, northing = attributes.get("easting", "").strip(), attributes.get("northing", "")
    northing = northing.strip()
    return Location(
        latitude=decimal_in(lat, "lat", *UK_LATITUDE, "outside the United Kingdom") if lat else "",
        longitude=decimal_in(long, "long", *UK_LONGITUDE, "outside the United Kingdom")
        if long
        else "",
        address=address,
        address_id=address_id,
        easting=decimal_in(easting, "attribute[easting]", *EASTING, "off the national grid")
        if easting
        else "",
        northing=decimal_in(northing, "attribute[northing]", *NORTHING, "off the national grid")
        if northing
        else "",
        postcode=text(data, "postcode") or text(data, "zipcode"),
    )


def attributes(data) -> dict[str, str]:
    """The `attribute[code]=value` pairs (several values of a multi-value list joined by
    commas)."""
    found: dict[str, str] = {}
    for key in data:
        match = ATTRIBUTE.fullmatch(key)
        if match:
            values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
            for value in values:
                if "\x00" in str(value):
                    raise refuse(f"{key} contains a NUL character, which is not allowed.")
            found[match.group(1)] = ",".join(str(value) for value in values)
    return found


def photo_urls(data) -> tuple[str, ...]:
    urls = data.getlist("media_url") if hasattr(data, "getlist") else [data.get("media_url", "")]
    kept = []
    for url in urls:
        url = str(url).strip()
        if not url:
            continue
        if len(url) > 2000:
            raise refuse("A media_url is longer than 2,000 characters.")
        try:
            _url(url)
        except ValidationError as bad:
            raise refuse(f"media_url must be an http or https link; got {url[:80]!r}.") from bad
        kept.append(url)
    return tuple(kept)


def email(data) -> str:
    value = text(data, "email").strip()
    if value:
        try:
            _email(value)
        except ValidationError as bad:
            raise refuse(f"email {value[:80]!r} is not an email address.") from bad
    return value


def everything_else(data, used: set[str]) -> str:
    """What the client sent beyond the fields read into their own places, as JSON text: kept,
    so that nothing sent is lost (the API key is never kept)."""
    kept = {
        key: (data.getlist(key) if hasattr(data, "getlist") else [data[key]])
        for key in sorted(data)
        if key not in used and key != "api_key"
    }
    kept = {key: values[0] if len(values) == 1 else values for key, values in kept.items()}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True) if kept else ""


def comma_list(data, name: str) -> list[str]:
    return [part.strip() for part in text(data, name).split(",") if part.strip()]
