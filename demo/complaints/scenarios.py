"""The demo's complaints, as stories: who filed what, when, and what happened to it since.

Each :class:`Scenario` is one complaint of a persona (or of nobody the registry knows), the
steps taken on it and when, counted in working days before today. A step with ``day=None``
happens now, through the same application calls a channel or the console makes; earlier
steps are replayed at their time (see ``playback``), so deadlines, breaches, escalations
and closings come out of the product's own rules. Together they give every console page,
tab and filter something to show: every status, overdue and breached-then-met deadlines,
escalations to the region and to the ministry, a forwarded complaint, a reopened one,
anonymous and confidential ones, attachments, assigned and unassigned, triage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.domain.vocabulary import Action, Privacy


@dataclass(frozen=True)
class StaffStep:
    """A member of staff takes ``action`` (``by`` is a demo account's username)."""

    day: int | None
    by: str
    action: Action
    note: str | None = None
    to_office: str | None = None
    public: bool = True


@dataclass(frozen=True)
class CitizenStep:
    """The reporter answers a request (``PROVIDE_INFO``) or rates the answer (``RATE``)."""

    day: int | None
    action: Action
    note: str | None = None
    rating: int | None = None


Step = StaffStep | CitizenStep


@dataclass(frozen=True)
class Scenario:
    key: str
    category: str
    description: str
    # The persona the complaint is about (demo.population key), or None.
    persona: str | None = None
    # Stated kecamatan (6 digits); None: not stated, the complaint waits at a triage desk.
    district: str | None = None
    address: str | None = None
    privacy: Privacy = Privacy.BIASA
    programme: str | None = None
    tahap: int | None = None
    locale: str = "id"
    # Working days before today it was filed; None: filed now, through the channel's door.
    filed: int | None = None
    steps: tuple[Step, ...] = ()
    # Files the reporter attached: "photo" (a JPEG) and/or "pdf".
    attach: tuple[str, ...] = ()
    # The demo account working it (the console's "assigned to me"); None: unassigned.
    assigned: str | None = None
    # What it shows, for the reader of this file.
    shows: str = field(default="", compare=False)


def staff(day, by, action, note=None, **options) -> StaffStep:
    return StaffStep(day, by, action, note, **options)


METRO, ACEH = "dinsos-metro", "dinsos-bandaaceh"

SCENARIOS: tuple[Scenario, ...] = (
    # ---- Kota Metro: Dinas Sosial -----------------------------------------------------
    Scenario(
        "new_unassigned",
        "BANTUAN_TIDAK_DITERIMA",
        "Bantuan PKH tahap 4 belum masuk ke rekening saya, padahal tetangga sudah menerima.",
        persona="pkh_sembako_paid",
        district="187201",
        programme="PKH",
        tahap=4,
        shows="RECEIVED just now, nobody assigned: the queue's 'new' tab",
    ),
    Scenario(
        "verified_assigned",
        "NOMINAL_TIDAK_SESUAI",
        "Saldo Sembako yang masuk hanya Rp150.000, seharusnya Rp200.000 per bulan.",
        persona="sembako_topup_failed",
        district="187202",
        programme="SEMBAKO",
        tahap=4,
        filed=2,
        steps=(staff(1, METRO, Action.VERIFY),),
        assigned=METRO,
        shows="VERIFIED, assigned to dinsos-metro",
    ),
    Scenario(
        "in_progress_after_answer",
        "SANGGAH",
        "Keluarga tetangga kami tercatat desil 2 padahal punya toko dan mobil.",
        persona="desil_above_limit",
        district="187203",
        filed=4,
        steps=(
            staff(3, METRO, Action.VERIFY),
            staff(3, METRO, Action.REQUEST_INFO, "Mohon sebutkan RT/RW keluarga yang dimaksud."),
            CitizenStep(2, Action.PROVIDE_INFO, "RT 04 RW 02, Kelurahan Hadimulyo Barat."),
            staff(1, METRO, Action.START),
            staff(1, METRO, Action.FLAG_FIELD_CHECK),
            staff(None, METRO, Action.REPLY, "Petugas akan melakukan verifikasi lapangan."),
        ),
        assigned="petugas-baru",
        shows="IN_PROGRESS after the citizen answered a question; field check; assigned to "
        "a colleague",
    ),
    Scenario(
        "needs_info",
        "BANTUAN_TIDAK_DITERIMA",
        "Sejak Oktober saya tidak menerima bantuan lagi.",
        persona="excluded_asn",
        district="187204",
        filed=2,
        steps=(
            staff(1, METRO, Action.VERIFY),
            staff(
                None,
                METRO,
                Action.REQUEST_INFO,
                "Bantuan program apa yang dimaksud (PKH, Sembako atau BLT), dan tahap berapa?",
            ),
        ),
        assigned=METRO,
        shows="NEEDS_INFO: waiting for the citizen, the question in the timeline",
    ),
    Scenario(
        "rejected",
        "SANGGAH",
        "Saya keberatan tidak lagi terdaftar sebagai penerima.",
        persona="excluded_asn",
        district="187204",
        filed=5,
        steps=(
            staff(4, METRO, Action.VERIFY),
            staff(
                2,
                METRO,
                Action.REJECT,
                "Kepala keluarga tercatat sebagai ASN; sesuai ketentuan tidak dapat menerima "
                "bantuan sosial.",
            ),
        ),
        shows="REJECTED with its reason",
    ),
    Scenario(
        "closed_rated",
        "BANTUAN_TIDAK_DITERIMA",
        "Bantuan Sembako tahap 3 belum bisa saya ambil.",
        persona="pkh_sembako_paid",
        district="187201",
        programme="SEMBAKO",
        tahap=3,
        filed=9,
        steps=(
            staff(8, METRO, Action.VERIFY),
            staff(7, METRO, Action.START),
            staff(5, METRO, Action.RESOLVE, "Saldo sudah masuk; silakan ambil di e-warong."),
            CitizenStep(4, Action.RATE, "Terima kasih, sudah cair.", rating=5),
        ),
        shows="CLOSED with a rating of 5",
    ),
    Scenario(
        "closed_without_rating",
        "LAINNYA",
        "Jadwal penyaluran di kelurahan kami tidak diumumkan.",
        district="187205",
        filed=16,
        steps=(
            staff(15, METRO, Action.VERIFY),
            staff(14, METRO, Action.RESOLVE, "Jadwal sudah diumumkan di kantor kelurahan."),
        ),
        shows="CLOSED by the deadline job: answered, never rated in 10 working days",
    ),
    Scenario(
        "overdue_unverified",
        "LAINNYA",
        "Pendamping PKH di wilayah kami tidak pernah datang sejak Agustus.",
        district="187203",
        filed=6,
        shows="RECEIVED and overdue now: verification and follow-up breached, escalated to "
        "region WK1",
    ),
    Scenario(
        "breached_then_met",
        "BANTUAN_TIDAK_DITERIMA",
        "BLT Desa bulan November belum kami terima.",
        persona="sembako_topup_failed",
        district="187202",
        programme="BLT",
        filed=8,
        steps=(
            staff(3, METRO, Action.VERIFY),
            staff(3, METRO, Action.START),
        ),
        assigned=METRO,
        shows="IN_PROGRESS on time now, but its verification was late (breached, escalated)",
    ),
    Scenario(
        "forwarded",
        "LAINNYA",
        "Ketua RT meminta uang Rp20.000 sebagai 'uang administrasi' saat pencairan.",
        district="187205",
        filed=2,
        steps=(
            staff(
                1,
                METRO,
                Action.FORWARD,
                "Dugaan pungutan liar: kewenangan Inspektorat.",
                to_office="INSPEKTORAT-1872",
            ),
        ),
        shows="forwarded from Dinas Sosial to the Inspektorat (transfer 1, with the reason)",
    ),
    Scenario(
        "anonymous_pungli",
        "PUNGLI",
        "Oknum petugas e-warong memotong saldo Rp25.000 tiap pencairan. Foto terlampir.",
        district="187201",
        privacy=Privacy.ANONIM,
        attach=("photo",),
        shows="ANONIM: no one may see the reporter; a photo attached",
    ),
    # ---- Kota Metro: Dukcapil, distributors' desk ------------------------------------
    Scenario(
        "resolved_waiting_rating",
        "DATA_SALAH",
        "Tanggal lahir saya di data tertulis 1979, seharusnya 1978.",
        persona="dukcapil_not_matched",
        district="187205",
        filed=6,
        steps=(
            staff(5, "dukcapil-metro", Action.VERIFY),
            staff(4, "dukcapil-metro", Action.START),
            staff(1, "dukcapil-metro", Action.RESOLVE, "Data sudah diperbaiki dan dipadankan."),
        ),
        shows="RESOLVED, the citizen may still rate it",
    ),
    Scenario(
        "reopened",
        "KARTU_REKENING",
        "Kartu KKS saya terblokir setelah salah PIN.",
        persona="pkh_sembako_paid",
        district="187201",
        locale="en",
        filed=7,
        steps=(
            staff(6, "penyalur-metro", Action.VERIFY),
            staff(5, "penyalur-metro", Action.START),
            staff(4, "penyalur-metro", Action.RESOLVE, "Silakan datang ke kantor cabang BRI."),
            CitizenStep(3, Action.RATE, "Sudah ke bank, kartu tetap terblokir.", rating=1),
        ),
        shows="reopened after a poor rating: IN_PROGRESS at the WK1 desk",
    ),
    Scenario(
        "confidential_card",
        "KARTU_REKENING",
        "Buku tabungan saya ditahan oleh pengurus kelompok.",
        persona="sembako_topup_failed",
        district="187202",
        privacy=Privacy.RAHASIA,
        filed=1,
        shows="RAHASIA: never in a public listing",
    ),
    # ---- Kota Banda Aceh ---------------------------------------------------------------
    Scenario(
        "usul_with_pdf",
        "USUL",
        "Kami keluarga dengan 1 balita, mohon diusulkan sebagai penerima PKH. Surat keterangan "
        "tidak mampu terlampir.",
        persona="eligible_not_designated",
        district="117101",
        programme="PKH",
        attach=("pdf",),
        shows="RECEIVED now with a PDF",
    ),
    Scenario(
        "overdue_resolve",
        "KARTU_REKENING",
        "Rekening BSI saya tidak bisa dipakai untuk menarik bantuan.",
        persona="excluded_electricity",
        district="117103",
        filed=9,
        steps=(
            staff(8, "penyalur-bandaaceh", Action.VERIFY),
            staff(7, "penyalur-bandaaceh", Action.START),
        ),
        assigned="penyalur-bandaaceh",
        shows="IN_PROGRESS, not resolved in time: overdue now, escalated to the ministry",
    ),
    Scenario(
        "dukcapil_old_papua_nik",
        "DATA_SALAH",
        "NIK saya masih kode Papua lama, padahal sudah pindah ke Banda Aceh.",
        persona="old_papua_nik",
        district="117104",
        filed=1,
        steps=(staff(None, "dukcapil-bandaaceh", Action.VERIFY),),
        shows="VERIFIED now",
    ),
    Scenario(
        "confidential_pungli",
        "PUNGLI",
        "Ada pungutan Rp50.000 untuk 'biaya foto' saat pendataan.",
        district="117102",
        privacy=Privacy.RAHASIA,
        filed=3,
        steps=(
            staff(2, "inspektorat-bandaaceh", Action.VERIFY),
            staff(2, "inspektorat-bandaaceh", Action.START),
            staff(
                1, "inspektorat-bandaaceh", Action.REPLY, "Laporan sedang ditelusuri.", public=False
            ),
        ),
        assigned="inspektorat-bandaaceh",
        shows="RAHASIA pungli in progress, with an internal note",
    ),
    Scenario(
        "aceh_needs_info",
        "BANTUAN_TIDAK_DITERIMA",
        "Premi BPJS saya katanya tidak dibayar lagi.",
        persona="pbi_only",
        district="117102",
        programme="PBI_JK",
        locale="en",
        filed=3,
        steps=(staff(2, ACEH, Action.REQUEST_INFO, "Mohon kirim foto kartu BPJS Kesehatan Anda."),),
        shows="NEEDS_INFO in Banda Aceh",
    ),
    # ---- Triage --------------------------------------------------------------------------
    Scenario(
        "triage_region",
        "LAINNYA",
        "Pembagian beras di balai desa tidak merata.",
        address="dekat pasar, Kota Metro",
        filed=1,
        shows="no domicile; the address names Kota Metro: WK1's triage desk",
    ),
    Scenario(
        "triage_national",
        "BANTUAN_TIDAK_DITERIMA",
        "Saya tidak tahu harus mengadu ke mana, bantuan ibu saya berhenti.",
        persona="dukcapil_not_matched",
        shows="no domicile at all: the national triage desk",
    ),
)
