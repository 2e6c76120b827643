"""Why an action was refused or could not be written.

:class:`ActionError` is a mistake in the action's input (a missing note, a rating out of
range or too late, a wrong office); :class:`ComplaintNotFound` and :class:`ComplaintChanged`
are about the stored complaint, the second meaning "read it again and retry". A move the
lifecycle forbids is ``lifecycle.InvalidTransition``.
"""

from __future__ import annotations

from enum import StrEnum


class ActionProblem(StrEnum):
    NOTE_REQUIRED = "note_required"
    NOTE_TOO_LONG = "note_too_long"
    RATING_INVALID = "rating_invalid"
    RATING_TOO_LATE = "rating_too_late"
    UNKNOWN_OFFICE = "unknown_office"
    SAME_OFFICE = "same_office"


class ActionError(ValueError):
    def __init__(self, problem: ActionProblem, **params: int | str) -> None:
        super().__init__(problem.value)
        self.problem, self.params = problem, params


class ComplaintNotFound(LookupError):
    pass


class ComplaintChanged(RuntimeError):
    """Someone else changed the complaint between our read and our write."""
