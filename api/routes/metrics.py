"""``GET /metrics``: the api's Prometheus metrics, for a scraper holding ``METRICS_TOKEN``.

Mounted only when ``METRICS_TOKEN`` is set (``create_app``): the api's port faces the
internet, and the metrics tell request rates, refusals and backlogs that are nobody else's
business. The scraper sends ``Authorization: Bearer <token>`` (Prometheus:
``authorization: {credentials_file: …}``); docs/metrics.md and docs/security.md.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import metrics
from api.errors import ApiError

router = APIRouter(tags=["operations"])


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(request: Request) -> Response:
    """Every series of this api (all its processes in multiprocess mode), text format."""
    expected: str = request.app.state.metrics_token
    if not hmac.compare_digest(_bearer(request).encode(), expected.encode()):
        raise ApiError(
            401,
            "metrics_token_required",
            "Send the metrics token (METRICS_TOKEN) as Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
