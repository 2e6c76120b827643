"""``complaint.next_due``: the earliest deadline the office still has to meet.

The console's queue orders by it ("nearest deadline first") and its deadline filters read
it, so every write that can change a deadline, a duty done or the status sets it through
:func:`next_due` from the row as it will be stored:

- intake (the row's first values), ``actions.take_action`` (every lifecycle action: verify,
  start, reply, request information, the citizen's answer, resolve, reject, rate, reopen,
  close, forward, field check).
- The triage desk and the deadline job change no deadline and no duty (triage keeps the
  deadlines counted from filing; a breach escalates but the duty stays owed), so they leave
  it as it is.

The rule, the same as migration 0009's backfill except for the pause:

- answered (resolved, rejected) or closed: None, nothing is owed any more;
- waiting for the citizen (NEEDS_INFO): None. The clock is stopped, no deadline runs (the
  deadline job never marks a paused complaint in breach) and the citizen's answer moves
  every deadline by the days waited, so any date shown meanwhile would be wrong;
- otherwise the earliest due date of the duties not yet done: verification (until
  ``verified_at``), follow-up (until ``followed_up_at`` or an answer), resolution (until
  ``answered_at``). A breached duty is still owed: its past due date stays, which is what
  "overdue now" means.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from api.domain.vocabulary import Deadline, Status

_NOTHING_OWED = frozenset({Status.NEEDS_INFO, Status.RESOLVED, Status.REJECTED, Status.CLOSED})


def owed_deadlines(row: Mapping[str, Any]) -> list[tuple[datetime, Deadline]]:
    """The deadlines still to meet, with their due dates, earliest first (pure)."""
    if (
        row["status"] in _NOTHING_OWED
        or row["answered_at"] is not None
        or row["closed_at"] is not None
    ):
        return []
    owed = [(row["resolve_due"], Deadline.RESOLVE)]
    if row["followed_up_at"] is None:
        owed.append((row["follow_up_due"], Deadline.FOLLOW_UP))
    if row["verified_at"] is None:
        owed.append((row["verify_due"], Deadline.VERIFY))
    # On a tie the earlier duty names it (a 5-day category's follow-up and resolution).
    order = list(Deadline)
    return sorted(owed, key=lambda due: (due[0], order.index(due[1])))


def next_due(row: Mapping[str, Any]) -> datetime | None:
    """The value ``complaint.next_due`` must hold for ``row`` (its columns by name)."""
    owed = owed_deadlines(row)
    return owed[0][0] if owed else None


def next_deadline(row: Mapping[str, Any]) -> Deadline | None:
    """Which duty :func:`next_due` is the due date of (None when nothing is owed)."""
    owed = owed_deadlines(row)
    return owed[0][1] if owed else None
