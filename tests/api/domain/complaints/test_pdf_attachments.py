"""Specification of what a PDF attachment may contain (api.domain.complaints.pdf_check).

Each file below was accepted before: a PDF that runs JavaScript when opened, one that
launches a program, one that carries other files, an HTML page dressed as a PDF, a
megabyte that inflates to a gigabyte, and a PDF of too many pages. Each is refused with
its own reason, and an ordinary PDF still passes.
"""

from __future__ import annotations

import struct
import zlib
from functools import cache
from io import BytesIO

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject, TextStringObject

import messages
from api.domain.complaints.attachments import AttachmentError, AttachmentProblem, check_attachment
from api.domain.complaints.pdf_check import MAX_EXPANDED_BYTES, MAX_PAGES
from tests.sample_files import PDF

MiB = 1024 * 1024


def written(writer: PdfWriter) -> bytes:
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def one_page(**root_entries) -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    for key, value in root_entries.items():
        writer._root_object[NameObject(f"/{key}")] = value
    return writer


def action(kind: str, **entries) -> DictionaryObject:
    found = DictionaryObject({NameObject("/S"): NameObject(f"/{kind}")})
    for key, value in entries.items():
        found[NameObject(f"/{key}")] = TextStringObject(value)
    return found


def pdf_with_javascript_open_action() -> bytes:
    return written(one_page(OpenAction=action("JavaScript", JS="app.alert('halo')")))


def pdf_with_document_javascript() -> bytes:
    """JavaScript in the catalogue's name tree: run when the document opens."""
    writer = one_page()
    script = writer._add_object(action("JavaScript", JS="app.launchURL('https://x.test/');"))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("a"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    return written(writer)


def pdf_with_launch_action() -> bytes:
    return written(one_page(OpenAction=action("Launch", F="C:\\Windows\\System32\\calc.exe")))


def pdf_with_embedded_file() -> bytes:
    writer = one_page()
    writer.add_attachment("data.xlsx", b"PK\x03\x04 not really a workbook")
    return written(writer)


def html_polyglot() -> bytes:
    """A real PDF whose comment line is an HTML page, for a browser that sniffs it."""
    return PDF.replace(
        b"%PDF-1.4\n",
        b"%PDF-1.4\n%<html><body><script>fetch('/api/v1/staff')</script></body></html>\n",
        1,
    )


@cache
def bomb(inflated_mib: int = 1000) -> bytes:
    """About 1 MB of Flate data that inflates to ``inflated_mib`` MiB of zeros.

    Built as an attacker would, cheaply: after a full flush the compressor forgets what it
    saw, so every further megabyte of zeros compresses to the same block.
    """
    zeros = bytes(MiB)
    squeeze = zlib.compressobj(9)
    first = squeeze.compress(zeros) + squeeze.flush(zlib.Z_FULL_FLUSH)
    again = squeeze.compress(zeros) + squeeze.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(inflated_mib):
        checksum = zlib.adler32(zeros, checksum)
    end = squeeze.flush()[:-4] + struct.pack(">I", checksum)
    compressed = first + again * (inflated_mib - 1) + end
    writer = one_page()
    stream = StreamObject()
    stream.set_data(b"")
    stream._data = compressed
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    return written(writer)


def many_pages(count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(595, 842)
    return written(writer)


def refusal(data: bytes) -> AttachmentError:
    with pytest.raises(AttachmentError) as caught:
        check_attachment(
            data, declared_type="application/pdf", filename="bukti.pdf", already_attached=0
        )
    return caught.value


@pytest.mark.parametrize(
    ("make", "problem", "params"),
    [
        (pdf_with_javascript_open_action, "pdf_active_content", {"action": "javascript"}),
        (pdf_with_document_javascript, "pdf_active_content", {"action": "javascript"}),
        (pdf_with_launch_action, "pdf_active_content", {"action": "launch"}),
        (pdf_with_embedded_file, "pdf_embedded_files", {}),
        (html_polyglot, "pdf_polyglot", {}),
        (bomb, "pdf_expands_too_much", {}),
        (lambda: many_pages(MAX_PAGES + 1), "pdf_too_many_pages", {"max": 100, "pages": 101}),
    ],
    ids=["js-open-action", "js-names", "launch", "embedded-file", "html", "bomb", "pages"],
)
def test_a_pdf_that_could_act_or_overwhelm_is_refused_with_its_own_reason(make, problem, params):
    error = refusal(make())

    assert error.problem is AttachmentProblem(problem)
    assert error.params == params


def test_the_bomb_is_a_megabyte_or_so_that_inflates_far_past_the_bound():
    data = bomb()

    assert len(data) < 1.1 * MiB
    assert 1000 * MiB > MAX_EXPANDED_BYTES


def test_javascript_hidden_in_an_escaped_name_is_still_javascript():
    data = PDF.replace(
        b"1 0 obj<</Type/Catalog/Pages 2 0 R>>",
        b"1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction<</S/J#61vaScript/J#53(x)>>>>",
    )

    assert refusal(data).problem is AttachmentProblem.PDF_ACTIVE_CONTENT


@pytest.mark.parametrize(
    "data",
    [PDF, many_pages(MAX_PAGES), bomb(inflated_mib=20)],
    ids=["minimal", "a-hundred-pages", "twenty-mib-of-content"],
)
def test_an_ordinary_pdf_is_accepted_as_sent(data):
    checked = check_attachment(
        data, declared_type="application/pdf", filename="surat.pdf", already_attached=0
    )

    assert checked.content_type == "application/pdf"
    assert checked.data == data


@pytest.mark.parametrize("locale", messages.LOCALES)
@pytest.mark.parametrize(
    ("problem", "params"),
    [
        ("pdf_active_content", {"action": "javascript"}),
        ("pdf_active_content", {"action": "launch"}),
        ("pdf_embedded_files", {}),
        ("pdf_polyglot", {}),
        ("pdf_expands_too_much", {}),
        ("pdf_too_many_pages", {"max": 100, "pages": 101}),
    ],
)
def test_each_refusal_has_a_sentence_in_each_language(locale, problem, params):
    text = messages.render_text(locale, f"complaints.attachment_{problem}", **params)

    assert text.strip()
    assert "{" not in text
