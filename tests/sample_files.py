"""Files a citizen might attach, as bytes, for the attachment tests of every channel."""

from __future__ import annotations

#: The smallest well-formed one-page PDF (a catalogue, its page tree, one empty A4 page).
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n"
    b"0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n165\n%%EOF\n"
)


def pdf_of_size(size: int) -> bytes:
    """A well-formed one-page PDF of exactly ``size`` bytes: its page's content stream is
    padded with spaces (which a content stream ignores), and every offset is right."""

    def build(padding: int) -> bytes:
        objects = [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>",
            b"<</Length %d>>stream\n" % padding + b" " * padding + b"\nendstream",
        ]
        out, offsets = bytearray(b"%PDF-1.4\n"), []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj" % number + body + b"endobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            xref,
        )
        return bytes(out)

    padding = 0
    for _ in range(4):  # the digits of the length and of the offsets settle at once
        padding += size - len(build(padding))
    data = build(padding)
    assert len(data) == size
    return data
