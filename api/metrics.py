"""The service's Prometheus metrics, defined once, and how they are read out.

The layers record through the small functions below (the application layer for status
checks, filings and refusals; ``api/http_metrics.py`` for requests; ``api/worker.py`` for
the relay and the deadline job); the domain records nothing. Every label value comes from
a short fixed list or from configuration (a channel's name, a route's template), never from
a request: a tracking ID, a NIK or a raw path never becomes a label (one series per value
would both leak them to whoever reads the metrics and grow without bound).

Several processes (``bansos serve --workers N``): with ``PROMETHEUS_MULTIPROC_DIR`` set
before the process starts, prometheus-client keeps each process's values in files there
and :func:`exposition` sums them. docs/metrics.md says how to run it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# A ``*_created`` timestamp beside every series doubles a scrape for nothing Prometheus uses
# (it sees counter resets itself).
disable_created_metrics()

#: Request latency buckets, seconds: a status check answers in milliseconds, an upload or
#: an export in seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: How long a notification waited in the outbox before it reached its channel's stream.
RELAY_LAG_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)

#: Methods kept as they are; anything else (a scanner's ``PROPFIND``) is counted as OTHER.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "bansos_http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "bansos_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
STATUS_CHECKS = Counter(
    "bansos_status_checks_total",
    "Status checks by outcome: found, not_found (unknown NIK or wrong name, alike), "
    "invalid_nik, invalid_name, rate_limited.",
    ["outcome"],
)
RATE_LIMIT_REFUSALS = Counter(
    "bansos_rate_limit_refusals_total",
    "Requests refused with 429 by a rate limit, by limit (status_check, complaint_filing, "
    "staff_sign_in).",
    ["limit"],
)
COMPLAINTS_FILED = Counter(
    "bansos_complaints_filed_total",
    "Complaints filed (an idempotent replay not counted), by channel (the API key's name).",
    ["channel"],
)
NOTIFICATIONS = Counter(
    "bansos_notifications_total",
    "Notifications handed from the outbox to their channel's Redis stream (result=sent), "
    "or tried and not handed over (result=failed: they stay in the outbox for the next "
    "pass, so one message may count as failed more than once).",
    ["channel", "result"],
)
OUTBOX_RELAY_UNAVAILABLE = Counter(
    "bansos_outbox_relay_redis_unavailable_total",
    "Relay passes stopped because Redis did not answer (the rows wait in the outbox).",
)
OUTBOX_RELAY_LAG = Histogram(
    "bansos_outbox_relay_lag_seconds",
    "How long each notification waited in the outbox before reaching its channel's stream.",
    buckets=RELAY_LAG_BUCKETS,
)
OUTBOX_PENDING = Gauge(
    "bansos_outbox_pending_messages",
    "Notifications in the outbox not yet relayed (counted up to 100,000).",
    multiprocess_mode="mostrecent",
)
OUTBOX_OLDEST_AGE = Gauge(
    "bansos_outbox_oldest_pending_age_seconds",
    "Age of the oldest notification not yet relayed; 0 when the outbox is empty.",
    multiprocess_mode="mostrecent",
)
DEADLINE_RUNS = Counter(
    "bansos_deadline_job_runs_total",
    "Runs of the deadline job, by outcome (ok, failed; skipped: another worker had the turn).",
    ["outcome"],
)
DEADLINE_DURATION = Histogram(
    "bansos_deadline_job_duration_seconds",
    "How long one run of the deadline job took.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
DEADLINE_CHANGES = Counter(
    "bansos_deadline_job_changes_total",
    "What the deadline job changed: breach (a deadline newly missed), escalation, closed.",
    ["change"],
)
DEADLINE_LAST_SUCCESS = Gauge(
    "bansos_deadline_job_last_success_timestamp_seconds",
    "When the deadline job last finished without error (Unix time).",
    multiprocess_mode="mostrecent",
)
WORKER_TICK_FAILURES = Counter(
    "bansos_worker_tick_failures_total",
    "Worker ticks that failed with an error (the worker retries at its next tick).",
)


def record_request(method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in _METHODS else "OTHER"
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(seconds)


def record_status_check(outcome: str) -> None:
    STATUS_CHECKS.labels(outcome).inc()


def record_rate_limit_refusal(limit: str) -> None:
    RATE_LIMIT_REFUSALS.labels(limit).inc()


def record_complaint_filed(channel: str) -> None:
    COMPLAINTS_FILED.labels(channel).inc()


def record_notifications(channel: str, *, sent: int = 0, failed: int = 0) -> None:
    if sent:
        NOTIFICATIONS.labels(channel, "sent").inc(sent)
    if failed:
        NOTIFICATIONS.labels(channel, "failed").inc(failed)


def record_relay_lag(seconds: float) -> None:
    OUTBOX_RELAY_LAG.observe(max(0.0, seconds))


def record_relay_unavailable() -> None:
    OUTBOX_RELAY_UNAVAILABLE.inc()


def record_outbox_backlog(pending: int, oldest_age_seconds: float) -> None:
    OUTBOX_PENDING.set(pending)
    OUTBOX_OLDEST_AGE.set(max(0.0, oldest_age_seconds))


def record_deadline_skipped() -> None:
    DEADLINE_RUNS.labels("skipped").inc()


def record_deadline_run(
    *, ok: bool, seconds: float, breaches: int = 0, escalations: int = 0, closed: int = 0
) -> None:
    DEADLINE_RUNS.labels("ok" if ok else "failed").inc()
    DEADLINE_DURATION.observe(seconds)
    if not ok:
        return
    DEADLINE_LAST_SUCCESS.set(time.time())
    for change, count in (("breach", breaches), ("escalation", escalations), ("closed", closed)):
        if count:
            DEADLINE_CHANGES.labels(change).inc(count)


def record_worker_tick_failure() -> None:
    WORKER_TICK_FAILURES.inc()


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def exposition_registry() -> CollectorRegistry:
    """What a scrape reads: this process's metrics, or every process's in multiprocess mode."""
    if multiprocess_dir() is None:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus's text format, and its content type."""
    return generate_latest(exposition_registry()), CONTENT_TYPE_LATEST


def clear_multiprocess_dir() -> None:
    """Empty ``PROMETHEUS_MULTIPROC_DIR`` before the server's processes start.

    Files of processes that ran before would otherwise be summed with the new ones' (a
    counter that never went back to zero after a restart); called once, by ``bansos serve``,
    before it starts its workers.
    """
    directory = multiprocess_dir()
    if directory is None:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)
