"""One sentence per figure of deadline compliance, appeals and time to route, in English: the
reference the localised wording follows.

The pages, exports and JSON API show ``statistics.label_<key>`` and ``statistics.define_<key>``
from ``messages/{id,en}/statistics.j2``; the keys here are the column keys a table of these
figures uses (see ``tables.py``), so a table built from :class:`StageCompliance`,
:class:`Appeals` or a time summary finds its labels and definitions under the same names.
"""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "stage": "The duty a deadline is set for: verify, follow up (the first sign of work), "
    "or resolve (the first answer).",
    "tier": "The deadline tier when the stage was done or breached: simple, coordination "
    "or field check (a complaint flagged for a field check takes that tier from then on).",
    "completed": "Stages done in the period: verifications, first signs of work and first "
    "answers; an answer after a reopening is not counted again.",
    "met": "Stages done in the period before any breach of their deadline was recorded.",
    "late": "Stages done in the period after their deadline had been recorded as breached.",
    "share_met": "Of the stages done in the period, the share done before any breach of "
    "their deadline was recorded.",
    "share_late": "Of the stages done in the period, the share done only after their "
    "deadline had been recorded as breached.",
    "poor_ratings": "Ratings of 1 or 2 that citizens gave to answers in the period.",
    "appealed": "Poor ratings in the period that were a citizen's first rating and so "
    "reopened the complaint at the coordination region (the appeal).",
    "share_appealed": "Of the poor ratings given in the period, the share that reopened the "
    "complaint at the coordination region.",
    "median_hours_to_route": "Half of the complaints a triage desk routed in the period were "
    'routed within this many clock hours of filing; 72 reads "72 or more".',
    "p90_hours_to_route": "Nine in ten of the complaints a triage desk routed in the period "
    "were routed within this many clock hours of filing.",
    "mean_hours_to_route": "The mean of the clock hours from filing to routing by a triage "
    "desk, for complaints routed in the period (72 or more counted as 72).",
}
