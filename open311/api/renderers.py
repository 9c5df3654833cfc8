"""GeoReport v2's two formats. Views return one outer name and its content, e.g.
{"services": [{...}, ...]}; XML writes it as elements (a list's items named in the singular, as
the spec's examples and mySociety's server do), JSON drops the outer name (the spec's "Spark"
convention)."""

import re
from xml.etree import ElementTree

from rest_framework.renderers import BaseRenderer, JSONRenderer

SINGULAR = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
}
# Characters XML 1.0 cannot carry at all. The stored text keeps them; the XML shows U+FFFD.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("\ufffd", str(value))


def _add(parent: ElementTree.Element, name: str, value) -> None:
    if isinstance(value, list):
        if name in SINGULAR:
            holder = ElementTree.SubElement(parent, name)
            for item in value:
                _add(holder, SINGULAR[name], item)
        else:  # a repeated field, e.g. several media_url
            for item in value:
                _add(parent, name, item)
        return
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _add(element, key, inner)
    else:
        element.text = _text(value)


def to_xml(data: dict) -> bytes:
    ((name, content),) = data.items()
    root = ElementTree.Element(name)
    if isinstance(content, list):
        for item in content:
            _add(root, SINGULAR[name], item)
    else:
        for key, inner in content.items():
            _add(root, key, inner)
    body = ElementTree.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


class Open311XMLRenderer(BaseRenderer):
    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return b"" if data is None else to_xml(data)


class Open311JSONRenderer(JSONRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, dict) and len(data) == 1:
            (data,) = data.values()
        return super().render(data, accepted_media_type, renderer_context)
