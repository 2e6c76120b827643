"""Photos are kept without their metadata (api.domain.complaints.image_reencoding).

A phone photo of a pungli receipt taken at home carries the home's GPS position and the
phone's make, model and serial number in its EXIF; none of it may reach the office.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from api.domain.complaints.attachments import check_attachment

GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def phone_photo(fmt: str, *, size=(40, 20), orientation: int | None = None) -> bytes:
    """A photo with what a phone writes: where (GPS), with what (make, model)."""
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "Samsung", "SM-A155F"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "S", 2: (8.0, 27.0, 36.0), 3: "E", 4: (114.0, 21.0, 54.0)})
    image = Image.new("RGB", size, "green")
    out = BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def exif_of(data: bytes) -> Image.Exif:
    with Image.open(BytesIO(data)) as image:
        return image.getexif()


def kept(data: bytes, content_type: str) -> bytes:
    return check_attachment(
        data, declared_type=content_type, filename="bukti", already_attached=0
    ).data


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_gps_position_and_the_device_are_gone_after_intake(fmt):
    photo = phone_photo(fmt)
    assert exif_of(photo).get_ifd(GPS_IFD)  # the sample does carry a position

    stored = kept(photo, FORMATS[fmt])

    exif = exif_of(stored)
    assert not exif.get_ifd(GPS_IFD)
    assert MAKE not in exif and MODEL not in exif
    assert b"SM-A155F" not in stored


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_photo_stays_in_its_format(fmt):
    with Image.open(BytesIO(kept(phone_photo(fmt), FORMATS[fmt]))) as image:
        assert image.format == fmt


def test_a_photo_taken_sideways_still_stands_the_right_way_up():
    # Orientation 6: the camera stored it rotated; a viewer turns it 90° clockwise.
    stored = kept(phone_photo("JPEG", size=(40, 20), orientation=6), "image/jpeg")

    with Image.open(BytesIO(stored)) as image:
        assert image.size == (20, 40)
        assert ORIENTATION not in image.getexif()


def test_bytes_hidden_after_the_image_are_not_kept():
    photo = phone_photo("JPEG") + b"<script>alert(1)</script>"

    assert b"<script>" not in kept(photo, "image/jpeg")
