"""How FixMyStreet talks to an Open311 server, as its client does it (mysociety/fixmystreet,
perllib/Open311.pm): the parameters it sends and how it reads the XML answers. The tests replay
these calls against CouncilFlow and check every field FixMyStreet reads."""

from datetime import UTC, datetime
from xml.etree import ElementTree

# XML::Simple's ForceArray in Open311::_get_xml_object: these elements are always lists.
FORCE_ARRAY = {"service", "attribute", "value", "request", "error", "request_update", "group"}


def _read(element: ElementTree.Element):
    children = list(element)
    if not children:
        return element.text if element.text not in (None, "") else None  # SuppressEmpty => undef
    read: dict = {}
    for child in children:
        value = _read(child)
        if child.tag in FORCE_ARRAY:
            read.setdefault(child.tag, []).append(value)
        elif child.tag in read:  # a repeated element becomes a list, as XML::Simple does
            if not isinstance(read[child.tag], list):
                read[child.tag] = [read[child.tag]]
            read[child.tag].append(value)
        else:
            read[child.tag] = value
    # GroupTags: <attributes><attribute/>... reads as attributes => [ ... ].
    for group, item in (("attributes", "attribute"), ("values", "value"), ("groups", "group")):
        if isinstance(read.get(group), dict) and item in read[group]:
            read[group] = read[group][item]
    return read


def parse(xml: bytes) -> dict:
    """The object Open311.pm's _get_xml_object makes of a response body."""
    return _read(ElementTree.fromstring(xml))


def w3cdtf(when: datetime) -> str:
    """DateTime::Format::W3CDTF->format_datetime of a UTC DateTime (FixMyStreet's dates)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_params(
    *,
    api_key: str,
    service_code: str,
    fixmystreet_id: int,
    title: str = "Bin not emptied on Acacia Avenue",
    detail: str = "The grey bin outside number 22 was missed again this morning.",
    name: str = "Sam Smith",
    email: str = "sam@example.org",
    lat: float = 53.800755,
    long: float = -1.549077,
    easting: int = 429800,
    northing: int = 433800,
    asked_for: str | None = None,
    photo: str | None = "https://www.fixmystreet.com/photo/4567.0.full.jpeg",
) -> dict:
    """A UK report as Open311::send_service_request builds it (extended_description on, the
    cobrand in the UK, always_send_latlong), with the attributes FixMyStreet fills itself."""
    url = f"https://www.fixmystreet.com/report/{fixmystreet_id}"
    first, _, last = name.partition(" ")
    params = {
        "api_key": api_key,
        "jurisdiction_id": "leeds.gov.uk",
        "service_code": service_code,
        "description": (
            f"title: {title}\n\ndetail: {detail}\n\nurl: {url}\n\nSubmitted via FixMyStreet\n"
        ),
        "first_name": first,
        "last_name": last,
        "email": email,
        "lat": f"{lat:.6f}",
        "long": f"{long:.6f}",
        "attribute[fixmystreet_id]": str(fixmystreet_id),
        "attribute[easting]": str(easting),
        "attribute[northing]": str(northing),
        "attribute[closest_address]": "22 Acacia Avenue, Leeds LS6 2AB",
        "attribute[title]": title,
        "attribute[description]": detail,
        "attribute[report_url]": url,
    }
    if asked_for is not None:
        params["attribute[asked_for]"] = asked_for
    if photo:
        params["media_url"] = photo
    return params


def update_params(
    *,
    api_key: str,
    service_request_id: str,
    update_id: int,
    text: str,
    status: str = "OPEN",
    when: datetime,
    name: str = "Sam Smith",
) -> dict:
    """A citizen's comment as Open311::post_service_request_update sends it."""
    first, _, last = name.partition(" ")
    return {
        "api_key": api_key,
        "jurisdiction_id": "leeds.gov.uk",
        "updated_datetime": w3cdtf(when),
        "service_request_id": service_request_id,
        "status": status,
        "description": text,
        "last_name": last or "-",
        "first_name": first,
        "email": "sam@example.org",
        "update_id": str(update_id),
    }


def map_state(status: str) -> str:
    """Open311::map_state: how FixMyStreet turns a status into a report's state."""
    incoming = status.lower().replace("_", " ")
    return {
        "fixed": "fixed - council",
        "not councils responsibility": "not responsible",
        "no further action": "unable to fix",
        "open": "confirmed",
        "closed": "fixed - council",
    }.get(incoming, incoming)


# FixMyStreet::DB::Result::Problem's visible states: a status mapping to anything else does not
# change the report's state.
VISIBLE_STATES = {
    "confirmed",
    "investigating",
    "in progress",
    "action scheduled",
    "fixed - council",
    "fixed - user",
    "fixed",
    "unable to fix",
    "not responsible",
    "duplicate",
    "internal referral",
    "closed",
}
