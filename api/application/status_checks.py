"""A citizen checks their standing by NIK, checks a NIK's format, subscribes to changes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from api import metrics
from api.application.errors import AppError, Refusal
from api.application.principals import Citizen
from api.domain import status_check, subscriptions
from api.domain.nik import Nik, NikError, parse_nik
from api.services import Services


@dataclass(frozen=True, slots=True)
class StatusAnswer:
    """The registry's answer: ``found`` is None for an unknown NIK and a wrong name alike."""

    found: status_check.Found | None
    # Lets the same citizen ask to be told when this family's aid moves (Found only).
    subscription_token: str | None = None


#: The outcome a status check is counted under (the metrics are the operator's; like the
#: answer, they do not tell an unknown NIK from a wrong name).
_OUTCOMES = {
    status_check.Found: "found",
    status_check.NotFound: "not_found",
    status_check.InvalidNik: "invalid_nik",
    status_check.InvalidName: "invalid_name",
    status_check.RateLimited: "rate_limited",
}


def nik_refused(error: NikError, field: str = "nik") -> AppError:
    problem = error.problem.value
    return AppError(
        Refusal.INVALID,
        f"{field}_{problem}",
        f"nik.{problem}",
        field=field,
        extra={"params": error.params} if field == "nik" else None,
        params=error.params,
    )


async def check_status(
    services: Services, citizen: Citizen, *, nik: str, name: str
) -> StatusAnswer:
    """Eligibility per programme and the latest disbursement per tahap, rate-limited and
    audited. An unknown NIK and a wrong name give the same answer: this is no NIK oracle."""
    result = await status_check.check_status(
        registry=services.family_reader,
        audit=services.audit,
        limiter=services.rate_limiter,
        protector=services.protector,
        rules=services.rules,
        regions=services.regions,
        limits=services.lookup_limits,
        channel=citizen.channel,
        channel_user=citizen.user,
        nik=nik,
        name=name,
    )
    metrics.record_status_check(_OUTCOMES[type(result)])
    match result:
        case status_check.Found():
            token = subscriptions.make_token(
                services.settings.secret_key_value.encode(),
                beneficiary_id=result.beneficiary_id,
                channel=citizen.channel.name,
                channel_user=citizen.user,
            )
            return StatusAnswer(result, token)
        case status_check.NotFound():
            return StatusAnswer(None)
        case status_check.InvalidNik(error=error):
            raise nik_refused(error)
        case status_check.InvalidName():
            raise AppError(
                Refusal.INVALID, "name_required", "status_check.name_required", field="name"
            )
        case status_check.RateLimited(retry_after=seconds):
            metrics.record_rate_limit_refusal("status_check")
            raise AppError(
                Refusal.RATE_LIMITED,
                "rate_limited",
                "status_check.rate_limited",
                retry_after=seconds,
                params={"minutes": max(1, math.ceil(seconds / 60))},
            )
    raise AssertionError(f"unexpected status check result {result!r}")


def check_nik_format(services: Services, nik: str) -> Nik:
    """Is this shaped like a NIK? Format only: no registry is read, nothing is revealed."""
    try:
        return parse_nik(nik, regions=services.regions)
    except NikError as error:
        raise nik_refused(error) from None


async def subscribe_to_disbursements(
    services: Services, citizen: Citizen, *, token: str, locale: str
) -> None:
    """ "Tell me when my aid moves": from a status check's token, for the same citizen."""
    try:
        beneficiary_id = subscriptions.read_token(
            services.settings.secret_key_value.encode(),
            token,
            channel=citizen.channel.name,
            channel_user=citizen.user,
        )
        await subscriptions.subscribe(
            services.engine,
            beneficiary_id=beneficiary_id,
            channel=citizen.channel.name,
            channel_user=citizen.user,
            locale=locale,
        )
    except subscriptions.InvalidToken:
        raise AppError(
            Refusal.INVALID,
            "subscription_token_invalid",
            "status_check.subscription_expired",
            field="token",
        ) from None
