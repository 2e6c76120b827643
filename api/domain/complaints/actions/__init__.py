"""What happens to a complaint after intake: each lifecycle action, in one transaction.

``take_action`` loads the complaint, asks the transition table (``lifecycle``) whether the
actor may take the action now, applies its effects (deadlines, routing, rating), appends the
timeline event and, when the citizen should hear of it, the outbox message, and commits. The
update is conditional on the complaint being unchanged since it was read, so two handlers
acting at once cannot both win: the second gets :class:`ComplaintChanged` and may retry.

Who may act on which complaint (offices, roles) is decided before this by ``access``;
this package only knows the three kinds of actor. By topic:

- ``problems``  why an action is refused or cannot be written
- ``handlers``  one pure handler per action: its effect besides the status (``HANDLERS``)
- ``take``      ``take_action``: validate, load, plan (``plan_action``: transition and
  handle, pure), write
"""

from api.domain.complaints.actions.handlers import (
    HANDLERS,
    POOR_RATINGS,
    ActionInput,
    Effect,
    Handler,
    deadlines,
)
from api.domain.complaints.actions.problems import (
    ActionError,
    ActionProblem,
    ComplaintChanged,
    ComplaintNotFound,
)
from api.domain.complaints.actions.take import (
    MAX_NOTE,
    ActionResult,
    ActorRef,
    PlannedAction,
    plan_action,
    take_action,
)

__all__ = [
    "HANDLERS",
    "MAX_NOTE",
    "POOR_RATINGS",
    "ActionError",
    "ActionInput",
    "ActionProblem",
    "ActionResult",
    "ActorRef",
    "ComplaintChanged",
    "ComplaintNotFound",
    "Effect",
    "Handler",
    "PlannedAction",
    "deadlines",
    "plan_action",
    "take_action",
]
