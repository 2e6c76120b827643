"""Specification of complaint attachment checks (api.domain.complaints.attachments)."""

from __future__ import annotations

import hashlib
import pickle
import random
import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image

from api.domain.complaints.attachments import (
    ALLOWED_TYPES,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    MAX_IMAGE_MEGAPIXELS,
    AttachmentError,
    AttachmentProblem,
    CheckedAttachment,
    check_attachment,
)
from tests.sample_files import PDF, pdf_of_size


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    """A small image with noisy pixels, so the encoded data is not trivially short."""
    rng = random.Random(1)
    image = Image.new("RGB", size)
    image.putdata([(rng.randrange(256), rng.randrange(256), 0) for _ in range(size[0] * size[1])])
    out = BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A 65-byte, well-formed PNG whose header claims the given dimensions."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b""))
        + png_chunk(b"IEND", b"")
    )


JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")
WEBP = image_bytes("WEBP")
ZIP = b"PK\x03\x04" + b"\x14\x00" + b"\x00" * 24 + b"PK\x05\x06" + b"\x00" * 18
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
TEXT = b"Saya belum menerima bantuan bulan ini.\n"


def check(
    data: bytes,
    *,
    declared_type: str | None = None,
    filename: str | None = None,
    already_attached: int = 0,
) -> CheckedAttachment:
    return check_attachment(
        data, declared_type=declared_type, filename=filename, already_attached=already_attached
    )


def refusal(data: bytes, **kwargs) -> AttachmentError:
    with pytest.raises(AttachmentError) as caught:
        check(data, **kwargs)
    return caught.value


# --- accepted files -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type", "extension"),
    [
        (JPEG, "image/jpeg", ".jpg"),
        (image_bytes("JPEG", progressive=True), "image/jpeg", ".jpg"),
        (PNG, "image/png", ".png"),
        (WEBP, "image/webp", ".webp"),
        (PDF, "application/pdf", ".pdf"),
    ],
    ids=["jpeg", "progressive-jpeg", "png", "webp", "pdf"],
)
def test_valid_images_and_pdfs_are_accepted_with_their_detected_type(
    data: bytes, content_type: str, extension: str
) -> None:
    checked = check(data, declared_type=content_type, filename=f"bukti{extension}")
    assert checked.content_type == content_type
    assert checked.extension == extension
    assert checked.filename == f"bukti{extension}"


def test_size_and_sha256_describe_the_exact_bytes_kept() -> None:
    checked = check(PNG)
    assert checked.size == len(checked.data)
    assert checked.sha256 == hashlib.sha256(checked.data).hexdigest()


def test_a_file_of_exactly_the_maximum_size_is_accepted() -> None:
    data = pdf_of_size(MAX_ATTACHMENT_BYTES)
    assert check(data).size == MAX_ATTACHMENT_BYTES


def test_the_filename_and_declared_type_never_decide_the_type() -> None:
    checked = check(PNG, declared_type="image/jpeg", filename="foto.jpg")
    assert checked.content_type == "image/png"
    assert checked.extension == ".png"


def test_only_images_and_pdf_are_allowed_and_heic_is_not() -> None:
    assert sorted(ALLOWED_TYPES) == ["application/pdf", "image/jpeg", "image/png", "image/webp"]


def test_an_animated_png_counts_as_a_png() -> None:
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue")]
    out = BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    assert check(out.getvalue(), declared_type="image/apng").content_type == "image/png"


# --- size and count limits ------------------------------------------------------------


def test_an_empty_file_is_refused() -> None:
    error = refusal(b"", declared_type="image/jpeg", filename="foto.jpg")
    assert error.problem is AttachmentProblem.EMPTY
    assert error.params == {}


def test_a_file_one_byte_over_10_mb_is_refused_before_it_is_parsed() -> None:
    data = JPEG + b"\0" * (MAX_ATTACHMENT_BYTES + 1 - len(JPEG))
    error = refusal(data)
    assert error.problem is AttachmentProblem.TOO_LARGE
    # Rounded up, so the message never claims the file is "10.0 MB, max 10 MB".
    assert error.params == {"max_mb": 10, "size_mb": 10.1}


def test_a_12_3_mb_file_reports_its_size() -> None:
    error = refusal(b"\0" * int(12.25 * 1024 * 1024))
    assert error.params == {"max_mb": 10, "size_mb": 12.3}


def test_the_sixth_attachment_is_refused() -> None:
    assert check(JPEG, already_attached=MAX_ATTACHMENTS - 1).content_type == "image/jpeg"
    error = refusal(JPEG, already_attached=MAX_ATTACHMENTS)
    assert error.problem is AttachmentProblem.TOO_MANY
    assert error.params == {"max": 5}


def test_a_full_complaint_is_reported_whatever_the_file_is() -> None:
    assert refusal(b"", already_attached=5).problem is AttachmentProblem.TOO_MANY


def test_a_negative_attachment_count_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="already_attached"):
        check(JPEG, already_attached=-1)


# --- type detection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "detected"),
    [(ZIP, "application/zip"), (EXE, "application/x-msdownload"), (TEXT, None)],
    ids=["zip", "exe", "plain-text"],
)
def test_a_non_image_renamed_jpg_is_an_unsupported_type(data: bytes, detected: str | None) -> None:
    error = refusal(data, declared_type="image/jpeg", filename="foto.jpg")
    assert error.problem is AttachmentProblem.UNSUPPORTED_TYPE
    assert error.params == {"detected": detected}


def test_an_image_type_we_cannot_accept_is_unsupported() -> None:
    error = refusal(image_bytes("GIF"), declared_type="image/gif")
    assert error.problem is AttachmentProblem.UNSUPPORTED_TYPE
    assert error.params == {"detected": "image/gif"}


def test_a_pdf_declared_as_png_is_disguised() -> None:
    error = refusal(PDF, declared_type="image/png", filename="foto.png")
    assert error.problem is AttachmentProblem.DISGUISED
    assert error.params == {"declared": "image/png", "detected": "application/pdf"}


def test_an_image_declared_as_pdf_is_disguised() -> None:
    error = refusal(JPEG, declared_type="application/pdf")
    assert error.params == {"declared": "application/pdf", "detected": "image/jpeg"}


def test_an_image_declared_as_something_not_allowed_is_disguised() -> None:
    error = refusal(PNG, declared_type="text/html")
    assert error.problem is AttachmentProblem.DISGUISED


@pytest.mark.parametrize("declared", ["image/png", "image/webp", "image/heic"])
def test_one_image_type_declared_as_another_is_accepted(declared: str) -> None:
    assert check(JPEG, declared_type=declared).content_type == "image/jpeg"


@pytest.mark.parametrize(
    "declared",
    [
        None,
        "",
        "application/octet-stream",
        "binary/octet-stream",
        "Application/Octet-Stream; charset=binary",
        "nonsense",
    ],
)
def test_a_missing_or_generic_declared_type_is_ignored(declared: str | None) -> None:
    assert check(PDF, declared_type=declared).content_type == "application/pdf"


@pytest.mark.parametrize("declared", ["image/jpg", "IMAGE/JPEG", "image/pjpeg", "image/jpeg; q=1"])
def test_declared_jpeg_spellings_are_understood(declared: str) -> None:
    assert check(JPEG, declared_type=declared).content_type == "image/jpeg"


def test_application_x_pdf_is_understood_as_pdf() -> None:
    assert check(PDF, declared_type="application/x-pdf").content_type == "application/pdf"


# --- content verification --------------------------------------------------------------


@pytest.mark.parametrize("cut", [0.5, -2], ids=["half", "missing-end-marker"])
def test_a_truncated_jpeg_is_corrupt(cut: float) -> None:
    end = int(len(JPEG) * cut) if cut > 0 else int(cut)
    error = refusal(JPEG[:end], declared_type="image/jpeg")
    assert error.problem is AttachmentProblem.CORRUPT
    assert error.params == {"detected": "image/jpeg"}


def test_a_truncated_progressive_jpeg_is_corrupt() -> None:
    data = image_bytes("JPEG", progressive=True)
    assert refusal(data[: len(data) // 2]).problem is AttachmentProblem.CORRUPT


@pytest.mark.parametrize("data", [PNG, WEBP], ids=["png", "webp"])
def test_a_truncated_png_or_webp_is_corrupt(data: bytes) -> None:
    assert refusal(data[: len(data) // 2]).problem is AttachmentProblem.CORRUPT


def test_a_png_with_a_damaged_chunk_is_corrupt() -> None:
    damaged = bytearray(PNG)
    damaged[len(PNG) // 2] ^= 0xFF  # inside IDAT: its CRC no longer matches
    assert refusal(bytes(damaged)).problem is AttachmentProblem.CORRUPT


def test_bare_magic_bytes_are_corrupt() -> None:
    assert refusal(b"\xff\xd8\xff\xe0" + b"\0" * 100).problem is AttachmentProblem.CORRUPT


@pytest.mark.parametrize(
    "data",
    [
        PDF[: len(PDF) // 2],
        PDF.replace(b"%%EOF", b"%%EOX"),
        PDF + b"\n" * 2000,
        b"%PDF" + PDF[8:],
    ],
    ids=["truncated", "no-eof-marker", "eof-not-near-end", "no-version"],
)
def test_a_pdf_without_its_header_or_end_marker_is_corrupt(data: bytes) -> None:
    error = refusal(data)
    assert error.problem is AttachmentProblem.CORRUPT
    assert error.params == {"detected": "application/pdf"}


def test_a_pdf_with_padding_after_its_end_marker_is_accepted() -> None:
    assert check(PDF + b"\r\n" * 100).content_type == "application/pdf"


# --- decompression bombs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height"),
    [(100_000, 100_000), (8_000, 8_001)],
    ids=["pillow-refuses", "over-our-cap"],
)
def test_an_image_claiming_huge_dimensions_is_too_large(width: int, height: int) -> None:
    bomb = png_claiming(width, height)
    assert len(bomb) < 100
    error = refusal(bomb, declared_type="image/png")
    assert error.problem is AttachmentProblem.TOO_LARGE
    assert error.params == {"max_megapixels": MAX_IMAGE_MEGAPIXELS}


BOMB_WARNING = "PIL.Image.DecompressionBombWarning"


@pytest.mark.parametrize(
    "warnings_filter",
    [
        pytest.param(action, marks=pytest.mark.filterwarnings(f"{action}::{BOMB_WARNING}"))
        for action in ("ignore", "error")
    ],
)
def test_an_image_pillow_only_warns_about_is_too_large_either_way(warnings_filter: str) -> None:
    # 100 MP: between Pillow's warning and error thresholds.
    error = refusal(png_claiming(10_000, 10_000))
    assert error.problem is AttachmentProblem.TOO_LARGE


def test_an_image_just_under_the_pixel_cap_is_not_refused_for_its_size() -> None:
    # The claimed 64 MP of pixels are missing: verify() does not notice for PNG, but
    # re-encoding decodes every pixel, so it is refused as damaged. What matters here is
    # that the cap is not hit.
    assert refusal(png_claiming(8_000, 8_000)).problem is AttachmentProblem.CORRUPT


# --- display name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("bukti transfer.jpg", "bukti transfer.jpg"),
        ("FOTO.JPEG", "FOTO.JPEG"),
        ("/home/user/foto.jpg", "foto.jpg"),
        ("C:\\Users\\Siti\\Pictures\\foto.jpg", "foto.jpg"),
        ("../../etc/passwd", "passwd.jpg"),
        ("..", "lampiran.jpg"),
        ("foto\x00\r\n\t.jpg", "foto.jpg"),
        ("foto\u202egpj.exe", "fotogpj.exe.jpg"),  # right-to-left override removed
        ("  surat   keterangan\u00a0RT .jpg", "surat keterangan RT.jpg"),
        (".hidden.jpg", "hidden.jpg"),
        ('a<b>c:"d"|e?f*.jpg', "a_b_c__d__e_f_.jpg"),
        ("laporan.v2", "laporan.v2.jpg"),
        ("scan", "scan.jpg"),
        ("foto.png", "foto.jpg"),  # a wrong type extension is replaced
        ("dokumen.pdf", "dokumen.jpg"),
        ("", "lampiran.jpg"),
        (None, "lampiran.jpg"),
        ("\x00\x01", "lampiran.jpg"),
    ],
)
def test_the_display_name_is_sanitised(given: str | None, expected: str) -> None:
    assert check(JPEG, filename=given).filename == expected


def test_a_long_display_name_is_cut_to_100_characters_keeping_the_extension() -> None:
    name = check(PDF, filename="surat " * 40 + ".pdf").filename
    assert len(name) <= 100
    assert name.startswith("surat surat")
    assert name.endswith("surat.pdf")


def test_a_long_name_is_counted_in_characters_not_bytes() -> None:
    name = check(PNG, filename="é" * 150 + ".png").filename
    assert name == "é" * 96 + ".png"


def test_the_fallback_name_carries_the_detected_extension() -> None:
    assert check(PDF, filename=None).filename == "lampiran.pdf"
    assert check(WEBP, filename=None).filename == "lampiran.webp"


# --- the error -------------------------------------------------------------------------


def test_the_error_carries_no_sentence_for_citizens_but_describes_itself_for_developers() -> None:
    error = refusal(PDF, declared_type="image/png")
    assert isinstance(error, ValueError)
    assert "disguised" in str(error)
    assert "application/pdf" in str(error)


def test_the_error_survives_pickling() -> None:
    error = refusal(b"", already_attached=5)
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problem is AttachmentProblem.TOO_MANY
    assert copy.params == {"max": 5}


def test_problem_values_are_stable_message_names() -> None:
    assert {p.value for p in AttachmentProblem} == {
        "empty",
        "too_large",
        "unsupported_type",
        "disguised",
        "corrupt",
        "too_many",
        "pdf_active_content",
        "pdf_embedded_files",
        "pdf_polyglot",
        "pdf_too_many_pages",
        "pdf_expands_too_much",
    }
