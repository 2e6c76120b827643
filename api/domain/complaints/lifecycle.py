"""A complaint's lifecycle as a transition table, modelled on SP4N-LAPOR!.

::

    RECEIVED ─verify─► VERIFIED ─start─► IN_PROGRESS ─resolve─► RESOLVED ─┐
       │                  │                  │                          ├─ rated ≥ 3 or
       └─────reject───────┴──────reject──────┴──────────────► REJECTED ─┘  10 days ─► CLOSED
    RECEIVED / VERIFIED / IN_PROGRESS ──request_info──► NEEDS_INFO (clock paused)
    NEEDS_INFO ──provide_info (citizen)──► the status it paused
    NEEDS_INFO ──10 working days without reply (system)──► CLOSED
    RESOLVED / REJECTED ──rate 1–2 within 10 days, first time──► IN_PROGRESS at the region
    RESOLVED / REJECTED ──reopen (staff, with a reason)──► IN_PROGRESS at the same office

Anything not in the table is refused (the API answers 409). The table says which actor may
take each action; what else an action does (deadlines, routing, notifications) is done by
``api.domain.complaints.actions``.
"""

from __future__ import annotations

from api.domain.vocabulary import Action, Actor, Status

#: The status a paused complaint returns to is the one it paused; see ``next_status``.
RESUME = "<resume>"
#: The action leaves the status as it is.
SAME = "<same>"

#: (status, action) → (who may take it, the next status)
TRANSITIONS: dict[tuple[Status, Action], tuple[frozenset[Actor], Status | str]] = {}


def _allow(actors: set[Actor], action: Action, *, sources: list[Status], to: Status | str):
    for source in sources:
        TRANSITIONS[(source, action)] = (frozenset(actors), to)


_OPEN = [Status.RECEIVED, Status.VERIFIED, Status.IN_PROGRESS]
_ANSWERED = [Status.RESOLVED, Status.REJECTED]
_allow({Actor.STAFF}, Action.VERIFY, sources=[Status.RECEIVED], to=Status.VERIFIED)
_allow({Actor.STAFF}, Action.START, sources=[Status.VERIFIED], to=Status.IN_PROGRESS)
_allow({Actor.STAFF}, Action.REQUEST_INFO, sources=_OPEN, to=Status.NEEDS_INFO)
_allow({Actor.CITIZEN}, Action.PROVIDE_INFO, sources=[Status.NEEDS_INFO], to=RESUME)
_allow(
    {Actor.STAFF}, Action.RESOLVE, sources=[Status.VERIFIED, Status.IN_PROGRESS], to=Status.RESOLVED
)
_allow({Actor.STAFF}, Action.REJECT, sources=_OPEN, to=Status.REJECTED)
# A rating closes the complaint; a poor first rating reopens it instead (see actions.take).
_allow({Actor.CITIZEN}, Action.RATE, sources=_ANSWERED, to=Status.CLOSED)
# The office may take back its own answer (a wrong rejection, a resolution that did not
# hold) until the complaint closes; the citizen reopens by a poor rating.
_allow({Actor.CITIZEN, Actor.STAFF}, Action.REOPEN, sources=_ANSWERED, to=Status.IN_PROGRESS)
_allow({Actor.SYSTEM}, Action.CLOSE, sources=[*_ANSWERED, Status.NEEDS_INFO], to=Status.CLOSED)
_allow({Actor.STAFF}, Action.REPLY, sources=_OPEN, to=SAME)
_allow({Actor.STAFF}, Action.FORWARD, sources=_OPEN, to=SAME)
_allow({Actor.STAFF}, Action.FLAG_FIELD_CHECK, sources=_OPEN, to=SAME)

#: Statuses in which the office still owes the citizen something (deadlines run).
OPEN_STATUSES = frozenset(_OPEN)
#: Statuses that count as "closed" in Open311 terms.
FINISHED_STATUSES = frozenset({*_ANSWERED, Status.CLOSED})


class InvalidTransition(Exception):
    """The table has no such move for this actor; the API answers 409."""

    def __init__(self, status: Status, action: Action, actor: Actor) -> None:
        super().__init__(f"cannot {action.value} a complaint that is {status.value} as {actor}")
        self.status, self.action, self.actor = status, action, actor


def next_status(
    status: Status, action: Action, actor: Actor, *, paused_status: Status | None = None
) -> Status:
    """The status after ``actor`` takes ``action``, or :class:`InvalidTransition`."""
    entry = TRANSITIONS.get((status, action))
    if entry is None or actor not in entry[0]:
        raise InvalidTransition(status, action, actor)
    target = entry[1]
    if target == SAME:
        return status
    if target == RESUME:
        return paused_status or Status.RECEIVED
    return Status(target)


def allowed_actions(status: Status, actor: Actor) -> list[Action]:
    """What ``actor`` may do now, in table order (for consoles and bot keyboards)."""
    return [
        action
        for (source, action), (actors, _) in TRANSITIONS.items()
        if source == status and actor in actors
    ]
