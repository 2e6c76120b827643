"""The metrics module: several server processes read out as one, and the scrape token."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]


def in_process(directory: Path, code: str) -> str:
    """Run ``code`` in a fresh interpreter, as one server process in multiprocess mode."""
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    done = subprocess.run(
        [sys.executable, "-c", f"from api import metrics\n{code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def scrape(directory: Path) -> str:
    return in_process(directory, "print(metrics.exposition()[0].decode())")


def test_with_a_multiprocess_directory_a_scrape_sums_every_process(tmp_path):
    in_process(tmp_path, "metrics.record_complaint_filed('telegram-bot')")
    in_process(
        tmp_path,
        "metrics.record_complaint_filed('telegram-bot')\n"
        "metrics.record_request('GET', '/healthz', 200, 0.002)",
    )

    text = scrape(tmp_path)

    assert 'bansos_complaints_filed_total{channel="telegram-bot"} 2.0' in text
    assert (
        'bansos_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"} 1.0'
        in text
    )


def test_serve_starts_from_an_empty_multiprocess_directory(tmp_path):
    in_process(tmp_path, "metrics.record_complaint_filed('telegram-bot')")

    in_process(tmp_path, "metrics.clear_multiprocess_dir()")

    assert "bansos_complaints_filed_total{" not in scrape(tmp_path)


def test_a_method_nobody_uses_is_counted_as_other_not_as_itself(tmp_path):
    in_process(tmp_path, "metrics.record_request('PROPFIND', 'unrouted', 405, 0.001)")

    text = scrape(tmp_path)

    assert 'method="OTHER"' in text and "PROPFIND" not in text


def test_a_placeholder_metrics_token_is_refused_outside_the_demo(database_url):
    with pytest.raises(ValidationError, match="METRICS_TOKEN is the placeholder"):
        make_settings(database_url, METRICS_TOKEN="changethis")


def test_an_empty_metrics_token_means_no_metrics_route(database_url):
    assert make_settings(database_url, METRICS_TOKEN="").metrics_token_value is None
    assert make_settings(database_url).metrics_token_value is None
    assert make_settings(database_url, METRICS_TOKEN=" s3cret ").metrics_token_value == "s3cret"


def published_series() -> set[str]:
    """The name of every series api/metrics.py defines."""
    from prometheus_client.metrics import MetricWrapperBase

    from api import metrics

    return {
        metric._name for metric in vars(metrics).values() if isinstance(metric, MetricWrapperBase)
    }


def test_every_series_is_documented_for_operators():
    documented = (ROOT / "docs" / "metrics.md").read_text()

    missing = {name for name in published_series() if f"`{name}" not in documented}

    assert published_series() and not missing


def test_the_grafana_dashboard_queries_only_series_the_service_publishes():
    dashboard = json.loads((ROOT / "docs" / "grafana" / "bansos.json").read_text())
    expressions = [
        target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
    ]
    queried = {
        re.sub(r"_(bucket|count|sum|total)$", "", name)
        for expression in expressions
        for name in re.findall(r"\bbansos_[a-z_]+", expression)
    }
    published = {re.sub(r"_total$", "", name) for name in published_series()}

    assert len(expressions) >= 12
    assert queried <= published, queried - published
    # Every series is on the dashboard.
    assert published <= queried, published - queried
