"""The files the demo's citizens attach: a small photo (JPEG) and a one-page PDF, both made
here, so the demo ships no binary and the attachment checks see well-formed files."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw


def pdf() -> bytes:
    """A well-formed one-page PDF (catalogue, page tree, one A4 page), its cross-reference
    table pointing at each object's exact offset so no reader has to repair it."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj" % number + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def photo() -> bytes:
    """A 160×120 JPEG: a receipt-coloured rectangle with a few 'lines of text'."""
    image = Image.new("RGB", (160, 120), (236, 229, 206))
    draw = ImageDraw.Draw(image)
    for row in range(5):
        draw.rectangle((16, 18 + row * 18, 144 - row * 12, 24 + row * 18), fill=(70, 70, 90))
    out = BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


#: kind → (bytes, declared type, file name), as a channel would upload it.
def evidence(kind: str) -> tuple[bytes, str, str]:
    if kind == "photo":
        return photo(), "image/jpeg", "bukti-potongan.jpg"
    if kind == "pdf":
        return pdf(), "application/pdf", "surat-keterangan-tidak-mampu.pdf"
    raise ValueError(f"no demo evidence of kind {kind!r}")
