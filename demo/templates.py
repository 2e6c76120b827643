"""The demo's response templates: ready answers per category, in Bahasa Indonesia and English,
with the placeholders ``{tracking_id}`` and ``{office}`` the console fills in.

Administrators manage templates in the console; the demo starts with a few per category so
the "answer with a template" menu has something to offer. Seeded once per (category,
language, title): a template an administrator edited or deactivated stays as it is.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from api.models import ResponseTemplate
from api.services import Services

# category (None: any) → [(title, body) in id, (title, body) in en], one pair per template.
_TEMPLATES: dict[str | None, list[tuple[tuple[str, str], tuple[str, str]]]] = {
    None: [
        (
            (
                "Sedang ditindaklanjuti",
                "Pengaduan {tracking_id} sedang ditindaklanjuti oleh "
                "{office}. Kami akan mengabari Anda melalui kanal ini.",
            ),
            (
                "Being followed up",
                "Complaint {tracking_id} is being followed up by {office}. "
                "We will let you know through this channel.",
            ),
        ),
    ],
    "USUL": [
        (
            (
                "Usulan diteruskan ke musyawarah desa",
                "Usulan {tracking_id} sudah dicatat oleh "
                "{office} dan akan dibahas dalam musyawarah desa/kelurahan berikutnya.",
            ),
            (
                "Proposal goes to the village meeting",
                "Proposal {tracking_id} was recorded by "
                "{office} and will be discussed at the next village meeting.",
            ),
        ),
        (
            (
                "Usulan belum memenuhi syarat",
                "Usulan {tracking_id} belum dapat diproses: "
                "keluarga berada di atas batas desil program. {office}",
            ),
            (
                "Proposal not eligible yet",
                "Proposal {tracking_id} cannot be processed: the "
                "family is above the programme's desil limit. {office}",
            ),
        ),
    ],
    "SANGGAH": [
        (
            (
                "Sanggahan diverifikasi lapangan",
                "Sanggahan {tracking_id} akan diverifikasi "
                "lapangan oleh petugas {office}. Identitas Anda tidak disebutkan kepada pihak "
                "yang disanggah.",
            ),
            (
                "Objection checked in the field",
                "Objection {tracking_id} will be checked in the "
                "field by {office}. Your identity is not disclosed to the family concerned.",
            ),
        ),
        (
            (
                "Sanggahan diterima, data diperbaiki",
                "Sanggahan {tracking_id} terbukti; data penerima telah diperbaiki oleh {office}.",
            ),
            (
                "Objection upheld, data corrected",
                "Objection {tracking_id} was upheld; {office} has corrected the recipient data.",
            ),
        ),
    ],
    "BANTUAN_TIDAK_DITERIMA": [
        (
            (
                "Dana sudah disalurkan",
                "Menurut data penyalur, bantuan untuk pengaduan "
                "{tracking_id} sudah disalurkan. Silakan cek saldo atau hubungi {office}.",
            ),
            (
                "Funds were disbursed",
                "According to the distributor, the aid in complaint "
                "{tracking_id} was disbursed. Please check the balance or contact {office}.",
            ),
        ),
        (
            (
                "Penyaluran dialihkan ke PT Pos",
                "Penyaluran untuk pengaduan {tracking_id} "
                "dialihkan ke PT Pos; undangan pengambilan akan dikirim. {office}",
            ),
            (
                "Disbursement moved to PT Pos",
                "The disbursement in complaint {tracking_id} was "
                "moved to PT Pos; an invitation to collect it will follow. {office}",
            ),
        ),
    ],
    "NOMINAL_TIDAK_SESUAI": [
        (
            (
                "Nominal sesuai ketentuan",
                "Nominal pada pengaduan {tracking_id} sesuai "
                "ketentuan program untuk tahap ini. {office}",
            ),
            (
                "Amount as set by the programme",
                "The amount in complaint {tracking_id} is the "
                "one the programme sets for this tahap. {office}",
            ),
        ),
        (
            (
                "Kekurangan akan dibayarkan",
                "Kekurangan bantuan pada pengaduan {tracking_id} "
                "akan dibayarkan pada penyaluran berikutnya. {office}",
            ),
            (
                "Shortfall to be paid",
                "The shortfall in complaint {tracking_id} will be paid "
                "with the next disbursement. {office}",
            ),
        ),
    ],
    "PUNGLI": [
        (
            (
                "Laporan pungli ditelusuri",
                "Laporan {tracking_id} sedang ditelusuri oleh "
                "{office}. Identitas pelapor dilindungi.",
            ),
            (
                "Levy report under investigation",
                "Report {tracking_id} is being investigated "
                "by {office}. The reporter's identity is protected.",
            ),
        ),
        (
            (
                "Sanksi telah dijatuhkan",
                "Atas laporan {tracking_id}, {office} telah "
                "menjatuhkan sanksi kepada pihak yang terbukti melakukan pungutan.",
            ),
            (
                "Sanction imposed",
                "Following report {tracking_id}, {office} has sanctioned "
                "those found to have levied the charge.",
            ),
        ),
    ],
    "DATA_SALAH": [
        (
            (
                "Data telah dipadankan",
                "Data pada pengaduan {tracking_id} telah diperbaiki dan "
                "dipadankan dengan Dukcapil oleh {office}.",
            ),
            (
                "Data matched",
                "The data in complaint {tracking_id} was corrected and matched "
                "with Dukcapil by {office}.",
            ),
        ),
        (
            (
                "Mohon datang dengan KK dan KTP",
                "Untuk pengaduan {tracking_id}, mohon datang ke "
                "{office} dengan membawa KK dan KTP asli.",
            ),
            (
                "Please bring your KK and KTP",
                "For complaint {tracking_id}, please come to "
                "{office} with your original KK and KTP.",
            ),
        ),
    ],
    "KARTU_REKENING": [
        (
            (
                "Kartu diganti di kantor cabang",
                "Untuk pengaduan {tracking_id}, kartu KKS dapat "
                "diganti di kantor cabang bank penyalur dengan membawa KTP. {office}",
            ),
            (
                "Card replaced at the branch",
                "For complaint {tracking_id}, the KKS card can be "
                "replaced at the distributing bank's branch with your KTP. {office}",
            ),
        ),
        (
            (
                "Rekening diaktifkan kembali",
                "Rekening pada pengaduan {tracking_id} telah diaktifkan kembali. {office}",
            ),
            (
                "Account reactivated",
                "The account in complaint {tracking_id} has been reactivated. {office}",
            ),
        ),
    ],
    "LAINNYA": [
        (
            (
                "Diteruskan ke instansi terkait",
                "Pengaduan {tracking_id} diteruskan oleh {office} ke instansi yang berwenang.",
            ),
            (
                "Forwarded to the competent office",
                "Complaint {tracking_id} was forwarded by {office} to the competent office.",
            ),
        ),
    ],
}


def demo_templates() -> list[dict]:
    """Every demo template as a row (without timestamps)."""
    rows = []
    for category, pairs in _TEMPLATES.items():
        for pair in pairs:
            for locale, (title, body) in zip(("id", "en"), pair, strict=True):
                rows.append(
                    {"category_code": category, "locale": locale, "title": title, "body": body}
                )
    return rows


async def seed_response_templates(services: Services) -> int:
    """Add the demo templates not there yet; returns how many were added."""
    t = ResponseTemplate.__table__
    async with services.engine.begin() as conn:
        existing = {
            (row.category_code, row.locale, row.title)
            for row in (await conn.execute(select(t.c.category_code, t.c.locale, t.c.title)))
        }
        now = datetime.now(UTC)
        new = [
            {**row, "active": True, "created_at": now, "updated_at": now}
            for row in demo_templates()
            if (row["category_code"], row["locale"], row["title"]) not in existing
        ]
        if new:
            await conn.execute(insert(t), new)
    return len(new)
