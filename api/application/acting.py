"""Taking a lifecycle action with the running service's rules, refusals as ``AppError``."""

from __future__ import annotations

from api.application.errors import AppError, Phrase, Refusal
from api.domain.complaints import actions
from api.domain.complaints.lifecycle import InvalidTransition
from api.services import Services


async def take_action(services: Services, **arguments) -> actions.ActionResult:
    """``actions.take_action`` with this service's engine, keys, directory and calendar."""
    try:
        return await actions.take_action(
            engine=services.engine,
            protector=services.protector,
            directory=await services.directory.get(),
            calendar=services.calendar,
            **arguments,
        )
    except InvalidTransition as refused:
        raise AppError(
            Refusal.CONFLICT,
            "invalid_transition",
            "complaints.invalid_transition",
            extra={"status": refused.status.value, "action": refused.action.value},
            params={"status": Phrase(f"complaints.status_{refused.status.value}")},
        ) from None
    except actions.ComplaintChanged:
        raise AppError(Refusal.CONFLICT, "complaint_changed", "complaints.changed") from None
    except actions.ActionError as error:
        raise AppError(
            Refusal.INVALID,
            error.problem.value,
            f"complaints.{error.problem.value}",
            params=error.params,
        ) from None
