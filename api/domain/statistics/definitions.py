"""One sentence per figure, in English, as the pages and exports state it next to the figure.

The pages show the localised wording from ``messages/{id,en}/statistics_definitions.j2``
under the same names; these are the reference the translations follow, and what the JSON
API and the CSV headers can carry.
"""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "deadline_completed": (
        "Complaints whose verification, first follow-up or first answer was done in the "
        "period, per stage and deadline tier."
    ),
    "deadline_met": (
        "Of the stages completed in the period, the share done before any breach of that "
        "stage's deadline was recorded."
    ),
    "deadline_late": (
        "Of the stages completed in the period, the share done only after the deadline job "
        "had recorded that stage's deadline as breached."
    ),
    "deadline_breached": (
        "Deadlines (verify, follow-up, resolve) that passed with the duty undone in the "
        "period, counted on the day the breach was recorded, whether done since or not."
    ),
    "appeals_share": (
        "Of the poor ratings (1 or 2) given in the period, the share that were a citizen's "
        "first rating and so reopened the complaint at the coordination region."
    ),
    "hours_to_route": (
        "Clock hours from filing to the triage desk setting the domicile and routing the "
        "complaint, for complaints routed in the period: median, 90th percentile and mean "
        "(72 hours or more count as 72)."
    ),
}
