"""The demo's year of complaints, as plots: who filed what, where and when, and what was done
about it (pure and deterministic: one ``random.Random(seed)``, times relative to ``now``).

The story every statistics chart can tell:

* **Seasons**: complaints rise in the months aid is paid (the second month of each tahap's
  quarter: February, May, August, November) and the month after; fewer at weekends; the
  pilot grows over the year.
* **A failed tahap**: in :data:`SPIKE_REGENCY` (Kota Padang, region WK1) the Sembako top-up
  of the tahap paid about five months ago failed, and "aid not received" complaints about
  it pour in for four weeks.
* **A slow office**: :data:`SLOW_OFFICE` (Dinas Sosial Kabupaten Deli Serdang, WK1) takes
  days to verify: its complaints breach the verification deadline and go up to WK1, and
  more of them stall.
* **Ratings** mostly 4–5, some poor ones that reopened the complaint at the region (an
  appeal), which answered again; many never rated, closed by the deadline job.
* **Forwards** to the office whose matter it is, **triage** (no domicile stated: a desk
  routes it), questions to the citizen (answered, or closed unanswered), rejections.
* **A backlog**: what is still being worked today, of every age; a few stalled for months
  (over 60 working days).

Kota Metro and Kota Banda Aceh, where the personas live, get none of it: their offices'
accounts keep showing the hand-made stories ``demo.complaints.scenarios`` tells.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from api.domain.complaints.working_days import JAKARTA, WorkingCalendar
from api.domain.vocabulary import Action, Actor, Privacy

#: The personas' kab/kota: left to the hand-made scenarios.
PERSONA_REGENCIES = frozenset({"1872", "1171"})
#: Where a failed tahap makes "aid not received" spike: Kota Padang (WK1).
SPIKE_REGENCY = "1371"
SPIKE_CATEGORY = "BANTUAN_TIDAK_DITERIMA"
#: The office slow to verify: Dinas Sosial Kabupaten Deli Serdang (WK1).
SLOW_OFFICE, SLOW_REGENCY = "DINSOS-1207", "1207"
#: Months (1–12) aid is paid in: the second of each tahap's quarter.
DISBURSEMENT_MONTHS = frozenset({2, 5, 8, 11})
#: The spike's share of the year's complaints, over its four weeks.
SPIKE_SHARE = 0.07
SPIKE_DAYS = 28

#: Channels the year's complaints came through, with their share.
CHANNELS = (("telegram-bot", 66), ("open311", 14), ("sp4n-lapor", 12), ("web", 8))
#: Categories (code, share, a sentence a citizen might write, the programme asked about).
CATEGORIES = (
    ("BANTUAN_TIDAK_DITERIMA", 30, "Bantuan {programme} tahap {tahap} belum saya terima."),
    ("NOMINAL_TIDAK_SESUAI", 12, "Bantuan {programme} yang masuk kurang dari seharusnya."),
    ("DATA_SALAH", 12, "Data keluarga saya di DTSEN tidak sesuai kartu keluarga."),
    ("KARTU_REKENING", 11, "Kartu KKS saya tidak bisa dipakai di agen bank."),
    ("USUL", 10, "Mohon keluarga kami diusulkan sebagai penerima {programme}."),
    ("SANGGAH", 8, "Tetangga kami mampu tetapi tercatat sebagai penerima {programme}."),
    ("PUNGLI", 6, "Ada pungutan saat pencairan bantuan {programme}."),
    ("LAINNYA", 11, "Jadwal penyaluran {programme} di kelurahan kami tidak jelas."),
)
PROGRAMMES = (("SEMBAKO", 45), ("PKH", 35), ("BLT", 10), ("PBI_JK", 10))
RATINGS = ((5, 44), (4, 30), (3, 12), (2, 6), (1, 8))


@dataclass(frozen=True)
class Subject:
    """A person a complaint may be about: their NIK and kecamatan of domicile."""

    nik: str
    district_code: str


@dataclass(frozen=True)
class PlotStep:
    """One thing done to a complaint: a lifecycle ``action`` by ``actor`` (``who``: a
    username, or the channel for the citizen), or the routing of a triage complaint
    (``triage_to``: the kecamatan the desk set)."""

    at: datetime
    actor: Actor
    who: str
    action: Action | None = None
    note: str | None = None
    rating: int | None = None
    to_office: str | None = None
    public: bool = True
    triage_to: str | None = None


@dataclass(frozen=True)
class Plot:
    number: int
    filed_at: datetime
    channel: str
    category: str
    description: str
    subject: Subject | None
    # The kecamatan stated at filing; None: not stated, the complaint waits at a triage desk
    # (``address`` names its kab/kota, or not) until a step routes it.
    district_code: str | None
    address: str | None
    programme: str | None
    tahap: int | None
    privacy: Privacy = Privacy.BIASA
    locale: str = "id"
    steps: tuple[PlotStep, ...] = field(default=())

    @property
    def reporter(self) -> str:
        return reporter_of(self.number)


def reporter_of(number: int) -> str:
    """The channel user of the year's ``number``-th complaint (made up, never a chat)."""
    return f"warga-{number:06d}"


@dataclass(frozen=True)
class Place:
    """What the story needs of the pilot: kab/kota → its offices by type, and its region."""

    offices: dict[str, dict[str, str]]  # regency → office type → office code
    regions: dict[str, str]  # regency → coordination region code
    names: dict[str, str]  # regency → kab/kota name


def year_of_plots(
    *,
    count: int,
    subjects: Sequence[Subject],
    place: Place,
    calendar: WorkingCalendar,
    now: datetime,
    seed: int,
) -> list[Plot]:
    """``count`` plots filed over the 365 days before ``now``, in filing order, each cut at
    ``now`` (what has not happened yet is left out)."""
    r = random.Random(seed)
    subjects = [s for s in subjects if s.district_code[:4] not in PERSONA_REGENCIES]
    if not subjects:
        raise ValueError("no subject outside the personas' kab/kota")
    first = (now - timedelta(days=365)).astimezone(JAKARTA).date() + timedelta(days=1)
    days = [first + timedelta(days=n) for n in range(365)]
    spike_start, spike_tahap = _failed_tahap(now)
    spiked = int(count * SPIKE_SHARE)
    filed = [_instant(r, day) for day in r.choices(days, _day_weights(days), k=count - spiked)]
    spike_days = [spike_start + timedelta(days=n) for n in range(SPIKE_DAYS)]
    # The spike peaks in its first week, as word of the failed top-up spreads.
    spike_weights = [max(SPIKE_DAYS - n, 4) for n in range(SPIKE_DAYS)]
    filed += [_instant(r, day) for day in r.choices(spike_days, spike_weights, k=spiked)]
    kinds = [False] * (count - spiked) + [True] * spiked
    order = sorted(range(count), key=lambda i: filed[i])
    in_spike = [s for s in subjects if s.district_code[:4] == SPIKE_REGENCY] or subjects
    plots = []
    for number, index in enumerate(order, start=1):
        at = filed[index]
        if at >= now:
            continue
        writer = _Writer(r, place, calendar, now)
        if kinds[index]:
            plot = writer.spike_plot(number, at, r.choice(in_spike), spike_tahap)
        else:
            plot = writer.plot(number, at, r.choice(subjects))
        plots.append(plot)
    return plots


def _failed_tahap(now: datetime) -> tuple[date, int]:
    """The first day of the disbursement month about five months before ``now``, and its
    tahap: the Sembako top-up that failed in :data:`SPIKE_REGENCY`."""
    today = now.astimezone(JAKARTA).date()
    month = today.replace(day=1)
    for _ in range(5):
        month = (month - timedelta(days=1)).replace(day=1)
    while month.month not in DISBURSEMENT_MONTHS:
        month = (month - timedelta(days=1)).replace(day=1)
    return month, (month.month + 2) // 3


def spike_window(now: datetime) -> tuple[date, date]:
    """The first and last day of the spike's four weeks."""
    start, _ = _failed_tahap(now)
    return start, start + timedelta(days=SPIKE_DAYS - 1)


def _day_weights(days: Sequence[date]) -> list[float]:
    weights = []
    for position, day in enumerate(days):
        season = 1.7 if day.month in DISBURSEMENT_MONTHS else 1.0
        if (day.month - 1) % 12 in {m % 12 for m in DISBURSEMENT_MONTHS}:
            season = 1.3  # the month after a payment: the late ones
        weekend = 0.55 if day.weekday() >= 5 else 1.0
        growth = 0.75 + 0.5 * position / len(days)  # the pilot grows over the year
        weights.append(season * weekend * growth)
    return weights


def _instant(r: random.Random, day: date) -> datetime:
    """A time of day people write complaints at: 06:00–22:00 Jakarta."""
    minutes = r.randint(6 * 60, 22 * 60 - 1)
    return datetime.combine(day, time(minutes // 60, minutes % 60), JAKARTA)


@dataclass
class _Writer:
    """Writes one plot's steps; a step not before ``now`` ends the plot there."""

    r: random.Random
    place: Place
    calendar: WorkingCalendar
    now: datetime

    def plot(self, number: int, filed_at: datetime, subject: Subject) -> Plot:
        r = self.r
        category = _pick(r, [(code, share) for code, share, _ in CATEGORIES])
        sentence = next(s for code, _, s in CATEGORIES if code == category)
        programme = _pick(r, PROGRAMMES)
        tahap = (filed_at.month + 2) // 3
        needs_subject = category not in ("PUNGLI", "LAINNYA")
        triage = r.random() < 0.05
        regency = subject.district_code[:4]
        return self._plot(
            number,
            filed_at,
            category=category,
            description=sentence.format(programme=programme, tahap=tahap),
            subject=subject if needs_subject else None,
            district=None if triage else subject.district_code,
            triage_to=subject.district_code if triage else None,
            address=f"dekat pasar, {self.place.names[regency]}"
            if triage and r.random() < 0.6
            else None,
            programme=programme if category not in ("DATA_SALAH", "KARTU_REKENING") else None,
            tahap=tahap if category in ("BANTUAN_TIDAK_DITERIMA", "NOMINAL_TIDAK_SESUAI") else None,
        )

    def spike_plot(self, number: int, filed_at: datetime, subject: Subject, tahap: int) -> Plot:
        return self._plot(
            number,
            filed_at,
            category=SPIKE_CATEGORY,
            description=f"Saldo Sembako tahap {tahap} tidak masuk ke kartu KKS saya.",
            subject=subject,
            district=subject.district_code,
            triage_to=None,
            address=None,
            programme="SEMBAKO",
            tahap=tahap,
        )

    def _plot(
        self,
        number,
        filed_at,
        *,
        category,
        description,
        subject,
        district,
        triage_to,
        address,
        programme,
        tahap,
    ) -> Plot:
        r = self.r
        filing = {
            "category": category,
            "description": description,
            "subject": subject,
            "district": district,
            "address": address,
            "programme": programme,
            "tahap": tahap,
        }
        regency = (district or triage_to)[:4]
        offices = self.place.offices[regency]
        office = offices[_OFFICE_TYPE[category]]
        steps: list[PlotStep] = []
        clock = _Clock(self.calendar, filed_at, r)
        if triage_to:
            desk = self.place.regions[regency] if address else "NASIONAL"
            steps.append(
                PlotStep(
                    clock.later(r.randint(0, 2)), Actor.STAFF, _desk_user(desk), triage_to=triage_to
                )
            )
        if category in ("LAINNYA", "SANGGAH") and r.random() < 0.12:
            # Filed with Dinas Sosial, the matter belongs elsewhere: forwarded with why.
            target = offices["INSPEKTORAT" if category == "LAINNYA" else "DUKCAPIL"]
            steps.append(
                self._staff(
                    clock.later(r.randint(0, 1)),
                    office,
                    Action.FORWARD,
                    "Bukan kewenangan kami; diteruskan ke instansi terkait.",
                    to_office=target,
                )
            )
            office = target
        slow = office == SLOW_OFFICE
        stall = r.random() < (0.10 if slow else 0.025)
        if stall and r.random() < 0.5:
            return self._done(number, filed_at, filing, steps)  # never even verified
        lag = r.choices([0, 1, 2, 3, 4, 6], [30, 34, 20, 8, 5, 3])[0]
        if slow:
            lag = r.randint(2, 9)
        if r.random() < 0.06:
            steps.append(
                self._staff(
                    clock.later(lag),
                    office,
                    Action.REJECT,
                    "Pengaduan tidak dapat ditindaklanjuti: data tidak lengkap.",
                )
            )
            return self._done(number, filed_at, filing, steps + self._rating(clock, office))
        steps.append(self._staff(clock.later(lag), office, Action.VERIFY))
        if stall:
            return self._done(number, filed_at, filing, steps)
        if r.random() < 0.10:
            steps.append(
                self._staff(
                    clock.later(r.randint(0, 2)),
                    office,
                    Action.REQUEST_INFO,
                    "Mohon kirim foto KTP dan kartu KKS Anda.",
                )
            )
            if r.random() < 0.25:
                return self._done(number, filed_at, filing, steps)  # never answered
            steps.append(
                PlotStep(
                    clock.later(r.randint(1, 6)),
                    Actor.CITIZEN,
                    "citizen",
                    Action.PROVIDE_INFO,
                    "Sudah saya kirim fotonya.",
                )
            )
        steps.append(self._staff(clock.later(r.randint(0, 2)), office, Action.START))
        if r.random() < 0.08:
            steps.append(self._staff(clock.later(0), office, Action.FLAG_FIELD_CHECK))
        if r.random() < 0.3:
            steps.append(
                self._staff(
                    clock.later(r.randint(0, 3)),
                    office,
                    Action.REPLY,
                    "Pengaduan Anda sedang kami tindak lanjuti.",
                )
            )
        work = r.choices([2, 4, 6, 9, 13, 18, 25], [15, 25, 22, 15, 11, 8, 4])[0]
        steps.append(
            self._staff(
                clock.later(work),
                office,
                Action.RESOLVE,
                "Sudah ditindaklanjuti; bantuan dijadwalkan ulang.",
            )
        )
        rating = self._rating(clock, office)
        return self._done(number, filed_at, filing, steps + rating)

    def _rating(self, clock: _Clock, office: str) -> list[PlotStep]:
        """The citizen rates within the ten working days (or not); a poor first rating is
        an appeal: the region takes it up and answers again, and may be rated again."""
        r = self.r
        if r.random() < 0.42:
            return []  # never rated: the deadline job closes it
        rating = _pick(r, RATINGS)
        steps = [
            PlotStep(
                clock.later(r.randint(0, 7)),
                Actor.CITIZEN,
                "citizen",
                Action.RATE,
                "Terima kasih." if rating >= 3 else "Masalah saya belum selesai.",
                rating=rating,
            )
        ]
        if rating <= 2:
            desk = self.place.regions[office.split("-")[-1]]
            steps.append(
                self._staff(
                    clock.later(r.randint(2, 10)),
                    desk,
                    Action.RESOLVE,
                    "Ditinjau ulang oleh wilayah; sudah diselesaikan.",
                )
            )
            if r.random() < 0.5:
                again = _pick(r, RATINGS)
                steps.append(
                    PlotStep(
                        clock.later(r.randint(0, 7)),
                        Actor.CITIZEN,
                        "citizen",
                        Action.RATE,
                        None,
                        rating=again,
                    )
                )
        return steps

    def _staff(self, at, office, action, note=None, **options) -> PlotStep:
        return PlotStep(at, Actor.STAFF, _office_user(office), action, note, **options)

    def _done(self, number, filed_at, filing, steps) -> Plot:
        r = self.r
        kept = tuple(step for step in _until(steps, self.now))
        privacy = Privacy.BIASA
        if filing["category"] == "PUNGLI":
            privacy = r.choice([Privacy.ANONIM, Privacy.RAHASIA, Privacy.BIASA])
        return Plot(
            number=number,
            filed_at=filed_at,
            channel=_pick(r, CHANNELS),
            category=filing["category"],
            description=filing["description"],
            subject=filing["subject"],
            district_code=filing["district"],
            address=filing["address"],
            programme=filing["programme"],
            tahap=filing["tahap"],
            privacy=privacy,
            locale="en" if r.random() < 0.05 else "id",
            steps=kept,
        )


#: The office type each category goes to (``api/data/complaint_categories.yaml``).
_OFFICE_TYPE = {
    "USUL": "DINSOS",
    "SANGGAH": "DINSOS",
    "BANTUAN_TIDAK_DITERIMA": "DINSOS",
    "NOMINAL_TIDAK_SESUAI": "DINSOS",
    "PUNGLI": "INSPEKTORAT",
    "DATA_SALAH": "DUKCAPIL",
    "KARTU_REKENING": "PENYALUR",
    "LAINNYA": "DINSOS",
}


@dataclass
class _Clock:
    """Office-hours instants a number of working days after the previous step."""

    calendar: WorkingCalendar
    last: datetime
    r: random.Random

    def later(self, working_days: int) -> datetime:
        day = self.last.astimezone(JAKARTA).date()
        while working_days > 0 or not self.calendar.is_working_day(day):
            day += timedelta(days=1)
            if self.calendar.is_working_day(day):
                working_days -= 1
        minutes = self.r.randint(8 * 60, 16 * 60)
        at = datetime.combine(day, time(minutes // 60, minutes % 60), JAKARTA)
        self.last = max(at, self.last + timedelta(minutes=self.r.randint(5, 90)))
        return self.last


def _until(steps: list[PlotStep], now: datetime) -> Iterator[PlotStep]:
    for step in steps:
        if step.at >= now:
            return
        yield step


def _office_user(office: str) -> str:
    """The username of the member of staff who acts for ``office`` in the story (staff of
    offices without a demo account are names in the timeline, not accounts)."""
    if office.startswith("WK") or office == "NASIONAL":
        return _desk_user(office)
    return f"petugas-{office.lower()}"


def _desk_user(desk: str) -> str:
    return "kemensos" if desk == "NASIONAL" else f"koordinator-{desk.lower()}"


def _pick(r: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return r.choices(values, weights)[0]
