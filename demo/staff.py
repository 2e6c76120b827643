"""The demo's staff accounts: someone to sign in as for every office a persona's complaint
can reach, and for each role above the offices.

The personas live in Kota Metro (1872) and Kota Banda Aceh (1171, where the old-Papua-NIK
persona lives too), both in coordination region WK1: a complaint of theirs lands at one of
the four offices of their kab/kota (Dinas Sosial, Dukcapil, Inspektorat, the distributors'
desk, by category), at the WK1 desk (a poor rating, a late deadline, a triage complaint
naming the kab/kota) or at the national desk. A test files every category for every persona
through the api and checks that each lands at an office with an account here.

Passwords are demo-only (BANSOS_ENV=demo) and printed on start.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from api.application import administration
from api.application.principals import Operator
from api.domain.complaints.directory import Directory
from api.domain.complaints.routing import route
from api.domain.staff import StaffMember
from api.domain.vocabulary import Role
from api.models import Office, Staff
from api.services import Services

DEMO_STAFF_PASSWORD = "demo-bansos-2026"
#: The account created with a temporary password: its first sign-in asks for a new one.
TEMPORARY_PASSWORD = "ganti-segera-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    office_code: str | None
    # What signing in as this account shows, for the printed table and the README.
    shows: str
    temporary: bool = False

    @property
    def password(self) -> str:
        return TEMPORARY_PASSWORD if self.temporary else DEMO_STAFF_PASSWORD


def _office_desks(place: str, regency: str, *shows: str) -> list[DemoAccount]:
    """A handler for each of the four offices of a persona's kab/kota, with what each shows."""
    types = ("dinsos", "dukcapil", "inspektorat", "penyalur")
    return [
        DemoAccount(f"{kind}-{place}", Role.HANDLER, f"{kind.upper()}-{regency}", what)
        for kind, what in zip(types, shows, strict=True)
    ]


#: The personas' kab/kota → the suffix of its offices' accounts.
PERSONA_PLACES = {"1872": "metro", "1171": "bandaaceh"}

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    *_office_desks(
        PERSONA_PLACES["1872"],
        "1872",
        "aid and sanggah complaints in every state: new, verified, in progress, waiting for "
        "the citizen, rejected, closed, overdue, breached then met",
        "a wrong-data complaint answered, waiting for the citizen's rating",
        "an anonymous pungli report with a photo, and one forwarded from Dinas Sosial",
        "a confidential (RAHASIA) card complaint",
    ),
    *_office_desks(
        PERSONA_PLACES["1171"],
        "1171",
        "a new usul with a PDF attached; a complaint waiting for the citizen's answer",
        "the old-Papua-NIK persona's data complaint, verified",
        "a confidential pungli report in progress, with an internal note",
        "an account complaint overdue and escalated to the ministry",
    ),
    DemoAccount(
        "koordinator-wk1",
        Role.COORDINATOR,
        "WK1",
        "all of region WK1 (Metro, Banda Aceh …); acts on escalated and reopened complaints "
        "and the region's triage desk",
    ),
    DemoAccount(
        "kemensos",
        Role.MINISTRY,
        "NASIONAL",
        "every complaint; acts on those escalated to the ministry and the national triage desk",
    ),
    DemoAccount("admin", Role.ADMIN, None, "categories, offices, accounts, keys, templates"),
    DemoAccount(
        "petugas-baru",
        Role.HANDLER,
        "DINSOS-1872",
        "a new colleague at Dinas Sosial Kota Metro: created with a temporary password, "
        "must choose a new one at first sign-in",
        temporary=True,
    ),
)

_DEMO = Operator("demo")


def handlers_of(directory: Directory, district_code: str) -> tuple[str, ...]:
    """The accounts that work the complaints of someone living in ``district_code``, one per
    office the real routing sends the active categories to (Dinas Sosial for aid matters,
    Dukcapil for data, the Inspektorat for pungli, the distributors' desk for cards and
    accounts), in the categories' order: the personas table's last column."""
    offices = [
        route(regency_code=district_code[:4], office_type=c.office_type, table=directory.routing)
        for c in directory.active_categories()
    ]
    return tuple(
        dict.fromkeys(
            account.username
            for decision in offices
            if (account := handler_at(decision.office_code)) is not None
        )
    )


def handler_at(office_code: str) -> DemoAccount | None:
    """The demo account that works ``office_code``'s complaints (never the temporary one)."""
    return next(
        (a for a in DEMO_ACCOUNTS if a.office_code == office_code and not a.temporary), None
    )


async def ensure_demo_accounts(services: Services) -> tuple[DemoAccount, ...]:
    """Create the accounts that do not exist yet (a second demo run keeps the others as
    they are, including a password their owner changed)."""
    async with services.engine.connect() as conn:
        existing = set((await conn.execute(select(Staff.username))).scalars())
    for account in DEMO_ACCOUNTS:
        if account.username in existing:
            continue
        await administration.create_staff_account(
            services,
            _DEMO,
            username=account.username,
            display_name=account.username,
            password=account.password,
            role=account.role,
            office_code=account.office_code,
        )
        if account.temporary:
            # What an administrator's "create with a temporary password" sets (the domain's
            # add_staff(temporary=True)); the application's call does not offer it yet.
            async with services.engine.begin() as conn:
                await conn.execute(
                    update(Staff.__table__)
                    .where(Staff.__table__.c.username == account.username)
                    .values(must_change_password=True)
                )
    return DEMO_ACCOUNTS


async def demo_members(services: Services) -> dict[str, StaffMember]:
    """The demo accounts as the application knows a signed-in member (without signing in:
    the seed acts as them, it does not hold their sessions)."""
    staff, offices = Staff.__table__, Office.__table__
    async with services.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(
                    staff.c.id,
                    staff.c.username,
                    staff.c.display_name,
                    staff.c.role,
                    staff.c.office_code,
                    staff.c.locale,
                    staff.c.must_change_password,
                    offices.c.coordination_region_code,
                )
                .select_from(staff.outerjoin(offices, offices.c.code == staff.c.office_code))
                .where(staff.c.username.in_([a.username for a in DEMO_ACCOUNTS]))
            )
        ).all()
    return {
        row.username: StaffMember(
            id=row.id,
            username=row.username,
            display_name=row.display_name,
            role=Role(row.role),
            office_code=row.office_code,
            region_code=row.coordination_region_code,
            locale=row.locale,
            must_change_password=row.must_change_password,
        )
        for row in rows
    }
