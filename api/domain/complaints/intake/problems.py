"""Why intake refuses a submission: one problem code per rule, with the field it concerns.

Every channel turns an :class:`IntakeError` into its own answer (a bot message, a JSON
error, an Open311 error), so the codes and parameters are the contract, not the text.
"""

from __future__ import annotations

from enum import StrEnum

from api.domain.nik import NikError


class IntakeProblem(StrEnum):
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_PRIVACY = "unknown_privacy"
    DESCRIPTION_EMPTY = "description_empty"
    DESCRIPTION_TOO_LONG = "description_too_long"
    SUBJECT_NIK_REQUIRED = "subject_nik_required"
    SUBJECT_NIK_INVALID = "subject_nik_invalid"
    DOMICILE_INVALID = "domicile_invalid"
    PROGRAMME_UNKNOWN = "programme_unknown"
    TAHAP_INVALID = "tahap_invalid"
    LOCATION_INVALID = "location_invalid"
    ADDRESS_TOO_LONG = "address_too_long"
    CONTACT_TOO_LONG = "contact_too_long"
    CHANNEL_USER_INVALID = "channel_user_invalid"
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"


class IntakeError(ValueError):
    """Why a draft was refused: a problem code, the field, and parameters for the message."""

    def __init__(
        self,
        problem: IntakeProblem,
        *,
        field: str,
        nik_error: NikError | None = None,
        **params: int | str,
    ) -> None:
        super().__init__(f"{field}: {problem.value}")
        self.problem, self.field, self.params, self.nik_error = problem, field, params, nik_error
