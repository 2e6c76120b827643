"""Grievance statistics: counts and time histograms kept incrementally from the timeline.

Design (in the spirit of CasePro's squashed daily counts, with histograms beside the counts
and a reconciliation CasePro lacks):

* **One rollup table**, ``stat_count`` (``api.models.statistics``): a count per key
  ``(day, metric, value, office, coordination region, province, kab/kota, kecamatan,
  category, programme, channel, filed month)``. ``day`` is the Jakarta date of the event;
  ``filed_month`` the first day of the Jakarta month the complaint was filed in, so a figure
  can be read by event date (sum over filed months) or by filing cohort (sum over days) and
  the same month of two years is never merged. ``value`` is 0 for plain counts, the bucket
  of a time histogram, or the rating. An absent dimension is stored as "".
* **Coarser rollups** (``rollups``): ``stat_count`` summed over all but a few dimensions
  (the nation; the coordination region; the place down to the kab/kota; the office; the
  category mix), per day, week, month and filing month, filled in the same transaction from
  the same counts. The pages' figures read the smallest one that keeps their filter's and
  grouping's dimensions, a period as its fewest whole spans, so their cost stops growing
  with the complaints; a kecamatan or an odd mix of dimensions reads ``stat_count``.
* **Metrics** (``counting.Metric``): received, triaged, verified, answered (resolve or
  reject), rejected, closed (by a rating or by the system), reopened, forwarded,
  transfer_limit, escalated_region, escalated_ministry, breached (value 1 verify, 2
  follow-up, 3 resolve), rated (value 1..5, every rating, the poor first one that reopened
  too), and the histograms days_to_verify, days_to_answer (the first answer),
  days_to_close: working days from the filing day to the event's day as the deadlines count
  them (Asia/Jakarta, holidays and cuti bersama skipped, waiting for the citizen included),
  one bucket per day 0..60 and bucket 61 for more; hours_to_route, clock hours from filing
  to the ``triaged`` event, one bucket per hour 0..71 and 72 for more. Summed histograms
  give median and p90 under any filter (``queries``).
* **Deadline compliance** (``deadline_outcome``, encoded in ``deadlines``): each stage
  (verify, follow-up, resolve) counted once when completed, met or late (a breach of it came
  first), and each breach when it happens, by the deadline tier of the moment; **appealed**:
  a citizen's poor first rating that reopened the complaint at the region (the share of
  poor ratings appealed is ``figures.appeals``). One sentence per figure: ``definitions``.
* **An event's dimensions**: the office is the event's own (``complaint_event.office_code``:
  the office it was filed with, verified by, forwarded to, escalated to); the domicile,
  category, programme and channel are the complaint's. A complaint waiting at a triage desk
  has no domicile: its events before the ``triaged`` event count under none, those from it
  on under the domicile the desk set. Every dimension is thus fixed by the raw tables, and
  the fill, the rebuild and the verification agree on it whenever they run.
* **Incremental fill** (``fill``, run by the worker each tick): the events with an id past
  the watermark (``stat_watermark``), at most N, are counted and added with ``INSERT … ON
  CONFLICT DO UPDATE SET count = count + excluded.count`` in the transaction that advances
  the watermark (compare-and-set): a fill killed half-way leaves nothing, two fills at once
  count once. It stops at a hole in the ids (an insert whose transaction may not have
  committed yet) until the event after the hole is a grace (60 s) old, or it has waited
  that long there; it reports its lag (events not counted, the oldest one's age).
* **Rebuild** (``rebuild``, ``bansos stats rebuild``): recount everything in one
  transaction, the rollups derived at its end. **Verify** (``verify``, ``bansos stats
  verify``): the counts of a period against a fresh count of its events up to the
  watermark, and the rollups' whole spans in it against ``stat_count``, each difference a
  drift.
* **Snapshots of states "now"** (``snapshots``): figures that are states, not events, are
  tables rewritten whole in one transaction from one GROUP BY, stamped in ``stat_snapshot``
  (the pages' "as of"), never a scan of the complaints per page view. ``backlog``: the open
  complaints (not answered, not closed) per filing day, dimension, status and duty
  pending/overdue, retaken by the worker every ``STATS_SNAPSHOT_SECONDS`` and by the
  rebuild, checked by the verification; ``ageing`` reads it (working-day age bands,
  overdue now per duty). ``hotspots``: beneficiaries per kecamatan, recounted after each
  registry import and by the rebuild, the denominator of complaints per 10,000.
* **Who sees what** is ``api.domain.access``'s (``statistics_scope``,
  ``within_statistics_scope``): the ministry all, a coordinator their region, a handler
  their office, an administrator nothing.
"""
