"""What a PDF attachment may contain: pages and text, never anything that acts.

An officer opens complaint evidence on an office computer. A PDF can carry JavaScript
(run by the viewer, often at opening: ``/OpenAction``), launch a program (``/Launch``),
carry other files (``/EmbeddedFiles``), hide an HTML page that a browser renders when the
file is served as HTML (a polyglot), or expand a few compressed megabytes into gigabytes
(a decompression bomb). :func:`pdf_refusal` reads the file with pypdf, a maintained
parser (in :mod:`api.domain.complaints.pdf_inspection`), and names the first of these it
finds; the caller turns that into a refusal.

Every object the cross-reference lists is looked at, including those packed in object
streams, so active content need not be reachable from the catalogue to be found: a viewer
that repairs a file may find it too. Names are compared after pypdf decodes them, so
``/J#61vaScript`` is ``/JavaScript``.

Streams are inflated one after another with a running budget (:data:`MAX_EXPANDED_BYTES`
in all); a FlateDecode stream, the usual bomb, is inflated a megabyte at a time and never
held whole. Image codecs (JPEG, JPEG 2000, JBIG2, CCITT) are counted at their stored size:
their decoders do not run here, and a viewer decodes them at the page's resolution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_PAGES = 100
MAX_EXPANDED_BYTES = 200 * 1024 * 1024

# HTML a browser would render if the file were ever served or saved as a web page. None of
# these can occur in a well-formed PDF outside a literal string: after "<" a PDF has a hex
# string (hex digits only) or "<<" (a dictionary).
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed)\b", re.I)
_HEADER = b"%PDF-"


class PdfProblem(StrEnum):
    POLYGLOT = "polyglot"  # bytes before the header, or HTML inside
    ACTIVE_CONTENT = "active_content"  # detail: "javascript" or "launch"
    EMBEDDED_FILES = "embedded_files"
    TOO_MANY_PAGES = "too_many_pages"  # detail: the page count
    EXPANDS_TOO_MUCH = "expands_too_much"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class PdfRefusal:
    problem: PdfProblem
    detail: str | int | None = None


def pdf_refusal(data: bytes) -> PdfRefusal | None:
    """The first reason to refuse ``data`` as a PDF attachment, or None if it may be kept."""
    if not data.startswith(_HEADER) or _MARKUP.search(data):
        return PdfRefusal(PdfProblem.POLYGLOT)
    # Imported by the first PDF to check: pypdf (with the fontTools it loads) costs every
    # api process about 18 MB of memory at import, and most never see a PDF upload
    # (docs/performance.md, "Statistics exports").
    from api.domain.complaints.pdf_inspection import parsed_refusal

    return parsed_refusal(data)
