"""The console's pages at 1,000,000 complaints against the same at 10,000 (issue 13).

    .venv/bin/python bench/console_pages.py [--requests 300] [--warm-up 30] [--rounds 4]
        [--depth 20] [--rebuild]

Two databases made by bench/console_data.py (10,000 and 1,000,000 complaints, a tenth of
them at DINSOS-3510, the pilot office of Banyuwangi), built once and reused. Against each,
`bansos serve` with one worker (no in-process worker: the deadline job would otherwise walk
the table while pages are timed), both up at once on two ports, each with its own Redis
database; the rate limits lifted (bench.common.UNLIMITED).

Each account signs in through the console's own form (GET the form for the CSRF cookie and
field, POST it) and then measures, one request at a time on one keep-alive connection
(httpx, synchronous), the latency of:

- ``queue``: the home page with its default filters, ``GET /console/``, for the handler of
  the pilot office (100,000 complaints there at 1m), the coordinator of its region and the
  ministry (the whole country);
- ``deep``: a filtered queue followed through its ``rel="next"`` (or ``data-next-page``)
  links ``--depth`` pages deep, then that page requested again and again; the handler with
  ``--handler-filter``, the ministry with ``--ministry-filter``. A database with fewer pages
  (10k has 1,000 complaints at the office) is followed to its last full page (a short last
  page would flatter it): a keyset page costs the same wherever it is, which is the point
  being checked;
- ``complaint``: the complaint page, ``GET /console/complaints/{tracking_id}``, cycling over
  300 complaints of the pilot office drawn evenly (the same ones on every run);
- ``healthz``: ``GET /healthz``, the floor: loopback, the client and the framework.

"Server time" here is that client-side latency: sequential requests on loopback, so the
server's time plus a constant (the ``healthz`` row shows how large). Product code is left
as it is (no ``Server-Timing`` header). Rounds alternate the databases, 10k, 1m, 1m, 10k …
(ABBA), each round ``--warm-up`` requests of every page before its share of ``--requests``,
so a neighbour's load on this shared machine falls on both sides.

Prints a markdown table (p50/p95 per page and role, the ratio 1m/10k, the targets: ratio
≤ 1.3 and p95 ≤ 150 ms at 1m) and writes bench/results/console_pages.json.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REDIS_URL, UNLIMITED, env_for, prewarm, save, trees, wait_ready  # noqa: E402
from bench.console_data import (  # noqa: E402
    ACCOUNTS,
    PASSWORD,
    PILOT_OFFICE,
    SIZES,
    ensure_database,
    sample_tracking_ids,
)

RATIO_TARGET = 1.3
P95_TARGET_MS = 150.0
_ROLE_OF = {username: role.lower() for username, role, _ in ACCOUNTS}
_ACCOUNT_OF = {role: username for username, role in _ROLE_OF.items()}
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class _NextLink(HTMLParser):
    """The first link to the next page: ``rel="next"`` (a, link) or ``data-next-page``."""

    def __init__(self) -> None:
        super().__init__()
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.href is not None:
            return
        values = dict(attrs)
        if values.get("data-next-page"):
            self.href = values["data-next-page"]
        elif "next" in (values.get("rel") or "").split() and values.get("href"):
            self.href = values["href"]


def next_page(html: str) -> str | None:
    parser = _NextLink()
    parser.feed(html)
    return parser.href


@dataclass
class Target:
    """One page kind for one role on one server: the URLs it cycles over, its timings."""

    kind: str
    role: str
    urls: list[str]
    note: str = ""
    timings_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    bytes: int = 0
    _next: int = 0

    def url(self) -> str:
        url = self.urls[self._next % len(self.urls)]
        self._next += 1
        return url


@dataclass
class Server:
    label: str
    base: str
    process: subprocess.Popen
    clients: dict[str, httpx.Client] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)


def start_server(label: str, db_url: str, port: int, redis_db: int) -> Server:
    """``bansos serve`` on ``port``; Redis database ``redis_db`` (6 or 7: test runs claim
    9–15 and 1–5, see tests/conftest.py)."""
    redis = REDIS_URL.rsplit("/", 1)[0] + f"/{redis_db}"
    env = env_for(db_url, **UNLIMITED, WORKER_INTERVAL_SECONDS="0", REDIS_URL=redis)
    tree = trees(None)[0]
    process = tree.popen(
        "serve", "--port", str(port), "--workers", "1", env=env, stdout=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    wait_ready(base)
    return Server(label, base, process)


def stop_server(server: Server) -> None:
    for client in server.clients.values():
        client.close()
    os.killpg(server.process.pid, signal.SIGTERM)
    server.process.wait(timeout=30)


def sign_in(base: str, username: str) -> httpx.Client:
    """A client holding a console session of ``username``, signed in through the form."""
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    form = client.get("/console/sign-in")
    form.raise_for_status()
    token = _CSRF_FIELD.search(form.text)
    if token is None:
        raise SystemExit("no csrf_token field on the sign-in form")
    answer = client.post(
        "/console/sign-in",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/console/",
        },
    )
    if answer.status_code != 303 or "bansos_console" not in client.cookies:
        raise SystemExit(f"{username} could not sign in: {answer.status_code} {answer.text[:300]}")
    return client


def follow(client: httpx.Client, start: str, depth: int) -> tuple[str, str]:
    """The URL ``depth`` next links after ``start``, or the list's last full page (the
    last one with a next link: a short last page would flatter the smaller database), and
    how far it got."""
    url, reached = start, 1
    previous: str | None = None
    while reached <= depth:
        page = client.get(url)
        if page.status_code != 200:
            return url, f"page {reached} answered {page.status_code}"
        link = next_page(page.text)
        if link is None:
            if previous is None:
                return url, f"page {reached} (no next link found: a single page)"
            return previous, f"page {reached - 1}, the last full one"
        previous, url, reached = url, urljoin(url, link), reached + 1
    return url, f"page {reached}"


def prepare(server: Server, db_url: str, args: argparse.Namespace) -> None:
    """Sign every account in and find the URLs each page kind cycles over."""
    import asyncio

    for role in ("handler", "coordinator", "ministry"):
        server.clients[role] = sign_in(server.base, _ACCOUNT_OF[role])
    server.clients["anonymous"] = httpx.Client(base_url=server.base, timeout=30)
    tracking_ids = asyncio.run(sample_tracking_ids(db_url, PILOT_OFFICE, 300))
    server.targets = [
        Target("healthz", "anonymous", ["/healthz"]),
        Target("queue", "handler", ["/console/"]),
        Target("queue", "coordinator", ["/console/"]),
        Target("queue", "ministry", ["/console/"]),
    ]
    for role, query in (("handler", args.handler_filter), ("ministry", args.ministry_filter)):
        url, reached = follow(server.clients[role], f"/console/?{query}", args.depth)
        server.targets.append(Target("deep", role, [url], note=f"`?{query}`: {reached}"))
    server.targets.append(
        Target(
            "complaint",
            "handler",
            [f"/console/complaints/{tid}" for tid in tracking_ids],
            note=f"{len(tracking_ids)} complaints of {PILOT_OFFICE}",
        )
    )


def measure(server: Server, warm_up: int, requests: int) -> None:
    for target in server.targets:
        client = server.clients[target.role]
        for _ in range(warm_up):
            client.get(target.url())
        for _ in range(requests):
            url = target.url()
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            target.timings_ms.append(elapsed * 1000)
            target.statuses[response.status_code] = target.statuses.get(response.status_code, 0) + 1
            target.bytes = len(response.content)


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def summarise(servers: dict[str, Server]) -> list[dict]:
    small, large = servers["10k"], servers["1m"]
    rows = []
    for a, b in zip(small.targets, large.targets, strict=True):
        row = {"page": a.kind, "role": a.role}
        for label, target in (("10k", a), ("1m", b)):
            row[label] = {
                "p50_ms": statistics.median(target.timings_ms),
                "p95_ms": percentile(target.timings_ms, 95),
                "requests": len(target.timings_ms),
                "statuses": {str(k): v for k, v in target.statuses.items()},
                "bytes": target.bytes,
                "note": target.note,
            }
        row["ratio_p50"] = row["1m"]["p50_ms"] / row["10k"]["p50_ms"]
        row["ratio_p95"] = row["1m"]["p95_ms"] / row["10k"]["p95_ms"]
        answered = all(row[label]["statuses"].get("200") for label in ("10k", "1m"))
        if a.kind != "healthz" and answered:
            row["ratio_met"] = max(row["ratio_p50"], row["ratio_p95"]) <= RATIO_TARGET
            row["p95_met"] = row["1m"]["p95_ms"] <= P95_TARGET_MS
        rows.append(row)
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| page | role | 10k p50 | 10k p95 | 1m p50 | 1m p95 | ratio p50 | ratio p95 | targets |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        if r["page"] == "healthz":
            ok = "floor"
        elif "ratio_met" not in r:
            ok = "not measured (no page here)"
        else:
            ok = ("ratio ✓" if r["ratio_met"] else "**ratio ✗**") + ", "
            ok += "p95 ✓" if r["p95_met"] else "**p95 ✗**"
        bad = [
            f"{label}: {code}×{n}"
            for label in ("10k", "1m")
            for code, n in r[label]["statuses"].items()
            if code != "200"
        ]
        if bad:
            ok += " — not 200: " + ", ".join(bad)
        lines.append(
            f"| {r['page']} | {r['role']} | {r['10k']['p50_ms']:.1f} ms | "
            f"{r['10k']['p95_ms']:.1f} ms | {r['1m']['p50_ms']:.1f} ms | "
            f"{r['1m']['p95_ms']:.1f} ms | {r['ratio_p50']:.2f} | {r['ratio_p95']:.2f} | {ok} |"
        )
    notes = [
        f"- {r['page']} ({r['role']}): 10k {r['10k']['note']}; 1m {r['1m']['note']}"
        for r in rows
        if r["10k"]["note"]
    ]
    return "\n".join(lines + [""] + notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed, per page and database")
    parser.add_argument("--warm-up", type=int, default=30, help="per page, database and round")
    parser.add_argument("--rounds", type=int, default=4, help="alternating 10k/1m (ABBA)")
    parser.add_argument("--depth", type=int, default=20, help="next links followed for 'deep'")
    parser.add_argument("--handler-filter", default="tab=done&status=CLOSED")
    # The done tab: new complaints of one category fill less than a page at 10k, and a
    # "deep" page must be deep at both sizes.
    parser.add_argument("--ministry-filter", default="tab=done&category=BANTUAN_TIDAK_DITERIMA")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--rebuild", action="store_true", help="build both databases afresh")
    parser.add_argument("--save-as", default="console_pages", help="bench/results/NAME.json")
    args = parser.parse_args()

    urls = {label: ensure_database(label, rebuild=args.rebuild) for label in SIZES}
    servers: dict[str, Server] = {}
    try:
        for offset, (label, url) in enumerate(urls.items()):
            prewarm(url, ("complaint", "complaint_event", "staff", "office"))
            servers[label] = start_server(label, url, args.port + offset, 6 + offset)
            prepare(servers[label], url, args)
        per_round = max(1, args.requests // args.rounds)
        for number in range(args.rounds):
            order = list(servers) if number % 2 == 0 else list(servers)[::-1]
            for label in order:
                started = time.perf_counter()
                measure(servers[label], args.warm_up, per_round)
                print(f"round {number + 1} {label}: {time.perf_counter() - started:.1f} s")
        rows = summarise(servers)
    finally:
        for server in servers.values():
            stop_server(server)
    table = markdown(rows)
    print(table)
    path = save(
        args.save_as,
        {
            "complaints": SIZES,
            "pilot_office": PILOT_OFFICE,
            "requests_per_page": per_round * args.rounds,
            "warm_up_per_round": args.warm_up,
            "rounds": args.rounds,
            "depth": args.depth,
            "filters": {"handler": args.handler_filter, "ministry": args.ministry_filter},
            "targets": {"ratio": RATIO_TARGET, "p95_ms": P95_TARGET_MS},
            "pages": rows,
            "markdown": table,
        },
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
