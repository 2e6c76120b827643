"""Photos are stored re-encoded from their pixels, so nothing but the picture is kept.

A phone photo's EXIF carries where it was taken (GPS), when, and the device and its serial
number; PNG and WebP carry text chunks and XMP as well. A complaint about pungli sent with
a photo taken at home would tell the office, and anyone its evidence reaches, where the
reporter lives. Removing known fields leaves what no list foresaw (maker notes, a payload
appended after the image), so the image is decoded and a new file written from its pixels.

The orientation EXIF recorded is applied to the pixels first, so a photo still stands the
right way up without it. The colour profile (ICC) is kept: it describes colours, and a
picture shown without it may look wrong. Each format stays itself: a JPEG stays a JPEG at
high quality (a little generation loss, invisible on evidence photos), a PNG stays
lossless, a WebP stays WebP; an animation keeps its first frame only.

Decoding takes memory in proportion to the pixels (up to ~200 MB at the 64-megapixel cap):
callers run this in a thread, as they run the rest of the check.
"""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageOps

_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_JPEG_MODES = frozenset({"RGB", "L", "CMYK"})
JPEG_QUALITY = 90
WEBP_QUALITY = 90


def reencoded(data: bytes, content_type: str) -> bytes:
    """The image in ``data`` (already verified) written anew without any metadata."""
    fmt = _FORMATS[content_type]
    with Image.open(BytesIO(data)) as source:
        icc_profile = source.info.get("icc_profile")
        image = ImageOps.exif_transpose(source)  # a copy, with the rotation applied
    # Pillow's encoders fall back on the image's own info for some fields (XMP, text, ICC),
    # so the copy keeps only what the pixels need: a palette image's transparent colour.
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    options: dict[str, object] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if fmt == "JPEG":
        if image.mode not in _JPEG_MODES:
            image = image.convert("RGB")
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif fmt == "WEBP":
        options.update(quality=WEBP_QUALITY)
    out = BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()
