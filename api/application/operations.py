"""What the operator of a deployment does besides administration: bring up a fresh one
(the first administrator, the bot's key), move the personal data to new keys, and check that
a database, its attachments and its keys belong together (after a restore, say).

Each is safe to repeat: ``bootstrap`` on a bootstrapped deployment changes nothing, a
rotation resumes where it stopped, a check only reads.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from api.application.administration import actor_of
from api.application.principals import Operator
from api.db import session_scope
from api.domain import api_keys, data_check, key_rotation
from api.domain.administration_audit import record_change
from api.domain.protection import Protector
from api.domain.staff import add_staff
from api.domain.vocabulary import Role
from api.migrations_runner import head_revision
from api.models import Staff
from api.services import Services


@dataclass(frozen=True)
class Bootstrapped:
    """What ``bootstrap`` made: None where there was already one."""

    admin_password: str | None
    channel_key: str | None


async def bootstrap(
    services: Services,
    by: Operator,
    *,
    admin_username: str,
    channel: str,
    current_channel_key: str | None,
) -> Bootstrapped:
    """The first administrator (if there is no active one) and a key for ``channel`` (unless
    ``current_channel_key`` still opens that channel).

    The administrator gets a random temporary password: the console asks for their own at
    the first sign-in, so the printed one is worth nothing afterwards.
    """
    password = None
    async with services.engine.begin() as conn:
        admin = await conn.scalar(
            select(Staff.id).where(Staff.role == Role.ADMIN.value, Staff.active.is_(True))
        )
        if admin is None:
            password = secrets.token_urlsafe(12)
            await add_staff(
                conn,
                username=admin_username,
                display_name=admin_username,
                password=password,
                role=Role.ADMIN,
                office_code=None,
                temporary=True,
            )
            await record_change(
                conn,
                **actor_of(by),
                change="staff_created",
                subject=admin_username,
                after={"username": admin_username, "role": Role.ADMIN.value, "office_code": None},
            )
    key = None
    async with session_scope(services.sessions) as session:
        opened = (
            await api_keys.authenticate(session, current_channel_key)
            if current_channel_key
            else None
        )
        if opened is None or opened.name != channel:
            key = await api_keys.create_api_key(session, channel=channel)
            await record_change(
                await session.connection(),
                **actor_of(by),
                change="api_key_created",
                subject=api_keys.prefix_of(key),
                after={"channel": channel, "prefix": api_keys.prefix_of(key)},
            )
    return Bootstrapped(password, key)


async def reencrypt(
    services: Services, by: Operator, *, batch_size: int, progress=None
) -> key_rotation.RotationReport:
    """Every ciphertext an earlier DATA_ENCRYPTION_KEY made, re-encrypted under the current."""
    return await key_rotation.reencrypt(
        services.engine,
        services.protector,
        batch_size=batch_size,
        progress=progress,
    )


async def rehash(
    services: Services, by: Operator, *, previous_hash_key: bytes, batch_size: int, progress=None
) -> key_rotation.RotationReport:
    """Every keyed hash made under ``previous_hash_key``, remade under NIK_HASH_KEY."""
    settings = services.settings
    old = Protector(
        hash_key=previous_hash_key,
        data_key=settings.data_key_bytes,
        previous_data_keys=settings.previous_data_keys_bytes,
    )
    return await key_rotation.rehash(
        services.engine,
        old,
        services.protector,
        batch_size=batch_size,
        progress=progress,
    )


async def check_data(
    services: Services, by: Operator, *, sample: int, attachments: int | None
) -> data_check.DataCheck:
    """Do this database, its attachments and the configured keys belong together?"""
    return await data_check.check_data(
        services.engine,
        services.protector,
        services.storage,
        head_revision=head_revision(),
        sample=sample,
        attachments=attachments,
    )
