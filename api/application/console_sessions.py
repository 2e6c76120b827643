"""The console's own account calls: whose cookie session this is, changing the password
(forced at the first sign-in of an account made with a temporary one), the member's language.

Signing in and out are :mod:`api.application.staff_work`'s, shared with the staff API (same
accounts, same throttle); a console session differs only in ending after idle time.
"""

from __future__ import annotations

import messages
from api.application.errors import AppError, Refusal
from api.domain import staff
from api.domain.staff import StaffMember
from api.services import Services


async def member_of_console_session(
    services: Services, token: str | None, *, activity: bool = True
) -> StaffMember:
    """The active member whose live console session ``token`` is (used within the idle
    timeout; this use restarts it, unless it is no ``activity`` of the member's: a poll)."""
    if not token:
        raise AppError(Refusal.UNAUTHENTICATED, "missing_session", "console.signed_out")
    member = await staff.staff_for_token(services.engine, token, console=True, touch=activity)
    if member is None:
        raise AppError(Refusal.UNAUTHENTICATED, "invalid_session", "console.session_ended")
    return member


async def change_password(
    services: Services, member: StaffMember, token: str, *, current: str, new: str, repeat: str
) -> None:
    """The member's new password; their other sessions end. Refusals name the field."""
    if new != repeat:
        raise AppError(
            Refusal.INVALID, "passwords_differ", "console.passwords_differ", field="repeat"
        )
    try:
        await staff.change_password(
            services.engine, member, current=current, new=new, keep_token=token
        )
    except staff.StaffError as error:
        if str(error) == "current_password_wrong":
            key, field = "console.current_password_wrong", "current"
        elif str(error) == "new_password_same":
            key, field = "console.new_password_same", "new"
        else:
            key, field = "console.password_too_short", "new"
        raise AppError(
            Refusal.INVALID,
            key.partition(".")[2],
            key,
            field=field,
            params={"minimum": staff.MIN_PASSWORD} if field == "new" else {},
        ) from None


async def set_language(services: Services, member: StaffMember, locale: str) -> str:
    """The member's console language from now on (an unknown one is the default)."""
    chosen = messages.normalize_locale(locale)
    await staff.set_locale(services.engine, member, chosen)
    return chosen
