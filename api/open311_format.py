"""GeoReport v2 XML: records (dicts, lists, scalars) as the spec's elements.

A list's items are named after their container as in the spec (``<services><service>``,
``<service_requests><request>``, ``<errors><error>``, ``<attributes><attribute>``,
``<values><value>``); None is an empty element, booleans are ``true``/``false``.
Characters XML 1.0 cannot carry (control characters a citizen may paste) are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
MEDIA_TYPE = "application/xml; charset=utf-8"

ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def to_xml(root: str, value: Any) -> bytes:
    """``value`` as the document ``<root>…</root>``, UTF-8, with the XML declaration."""
    element = ET.Element(root)
    _fill(element, value)
    return (DECLARATION + ET.tostring(element, encoding="unicode")).encode("utf-8")


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))
