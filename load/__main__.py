"""`make load`: a bounded, headless locust run against the API on this machine, then a check that
no counter increment and no event was lost.

    make load                                   # starts `python -m local` on free ports, 60 s
    LOAD_SECONDS=300 LOAD_USERS=16 make load    # longer, more concurrent clients
    LOAD_URL=http://127.0.0.1:3000 make load    # a server already running here (LOAD_TOKEN, default
                                                # $ANNEX_DEV_TOKEN or local-dev-token)

Steps: create users, group channels and sessions, and start LOAD_USERS (default 8) warm containers
of each function (not measured); run LOAD_USERS clients for a 5 s warm-up (not measured) and then
LOAD_SECONDS (default 60); let each client finish its request; print requests per second,
p50/p95/p99 and failures per operation;
then read every counter back and check it equals the increments that got a 2xx, and every
session's event_count equals the events accepted for it. Exits 1 when a request failed or
anything was lost, 2 when the target is refused (only localhost and loopback addresses are).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import requests
from locust.env import Environment
from locust.stats import StatsEntry

from load import workload
from load.server import Refused, local_server, loopback_url, reachable
from load.workload import AnnexClient, Plan

WARMUP_SECONDS = 5
MAX_SECONDS = 3600
STOP_TIMEOUT_SECONDS = 30  # each client finishes the request it is in (so the tallies are exact)
OPERATIONS = [
    "GET user metadata",
    "PUT user metadata (upsert)",
    "PUT metacounter/{key} increase",
    "POST /events (10)",
    "GET /sessions?q=",
    "GET /sessions/analytics",
]


def _setting(name: str, default: int, lowest: int, highest: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise Refused(f"{name} must be a whole number, not {raw!r}") from None
    if not lowest <= value <= highest:
        raise Refused(f"{name} must be between {lowest} and {highest}, not {value}")
    return value


def run(url: str, token: str, seconds: int, clients: int) -> int:
    plan = Plan(base=url, token=token)
    with requests.Session() as http:
        workload.seed(http, plan)
    print(f"Starting {clients} warm containers of each function (not measured)", flush=True)
    workload.warm(plan, clients)
    workload.PLAN = plan
    env = Environment(user_classes=[AnnexClient], host=url, stop_timeout=STOP_TIMEOUT_SECONDS)
    runner = env.create_local_runner()
    print(f"Load: {clients} clients against {url} for {seconds} s (after a {WARMUP_SECONDS} s warm-up)", flush=True)
    runner.start(clients, spawn_rate=clients)
    time.sleep(WARMUP_SECONDS)
    env.stats.reset_all()
    started = time.monotonic()
    time.sleep(seconds)
    runner.quit()
    elapsed = time.monotonic() - started
    failed = report(env, elapsed, clients, seconds)
    lost = check(plan)
    return 1 if failed or lost else 0


def _row(name: str, entry: StatsEntry, elapsed: float) -> str:
    if not entry.num_requests:
        return f"| {name} | 0 | 0 | - | - | - | {entry.num_failures} |"
    p = entry.get_response_time_percentile
    return (
        f"| {name} | {entry.num_requests:,} | {entry.num_requests / elapsed:,.1f} "
        f"| {p(0.5):.0f} | {p(0.95):.0f} | {p(0.99):.0f} | {entry.num_failures:,} |"
    )


def report(env: Environment, elapsed: float, clients: int, seconds: int) -> bool:
    """Print the table; True when any request failed."""
    print(f"\n{clients} clients, {seconds} s measured; latencies in ms (locust rounds them to 2 digits)\n")
    print("| operation | requests | req/s | p50 | p95 | p99 | failures |")
    print("|-----------|---------:|------:|----:|----:|----:|---------:|")
    by_name: dict[str, Any] = {name: entry for (name, _method), entry in env.stats.entries.items()}
    for name in OPERATIONS:
        entry = by_name.get(name)
        print(_row(name, entry, elapsed) if entry is not None else f"| {name} | 0 | 0 | - | - | - | 0 |")
    print(_row("**all**", env.stats.total, elapsed))
    if env.stats.errors:
        print("\nFailures:")
        for error in sorted(env.stats.errors.values(), key=lambda e: -e.occurrences)[:10]:
            print(f"  {error.occurrences:,} x {error.method} {error.name}: {error.error}")
    return env.stats.total.num_failures > 0


def check(plan: Plan) -> bool:
    """Read every counter and session back; True (and say which) when anything was lost or added."""
    headers = {"Api-Token": plan.token}
    wrong: list[str] = []
    with requests.Session() as http:
        for channel in plan.channels:
            stored = http.get(f"{plan.base}/group_channels/{channel}/metacounter", headers=headers, timeout=30).json()
            for key in plan.counter_keys:
                expected, found = plan.increments[(channel, key)], stored.get(key, 0)
                if found != expected:
                    wrong.append(f"counter {channel}/{key} is {found}, but {expected} increments got a 2xx")
        for session, accepted in plan.events.items():
            stored = http.get(f"{plan.base}/sessions/{session}", headers=headers, timeout=30).json()
            if stored.get("event_count") != accepted:
                wrong.append(f"session {session} counts {stored.get('event_count')} events, {accepted} were accepted")
    increments, events = sum(plan.increments.values()), sum(plan.events.values())
    counters = len(plan.channels) * len(plan.counter_keys)
    if wrong:
        print(f"\nLOST OR EXTRA UPDATES ({len(wrong)}):")
        for line in wrong[:20]:
            print(f"  {line}")
        return True
    print(f"\nCounters: all {counters} equal their {increments:,} increments that got a 2xx (nothing lost).")
    print(f"Events: all {len(plan.events)} sessions count the {events:,} events accepted for them.")
    return False


def main() -> int:
    try:
        seconds = _setting("LOAD_SECONDS", 60, 1, MAX_SECONDS)
        clients = _setting("LOAD_USERS", 8, 1, 64)
        target = os.environ.get("LOAD_URL")
        if target:
            url = loopback_url(target)
            reachable(url)
            token = os.environ.get("LOAD_TOKEN") or os.environ.get("ANNEX_DEV_TOKEN") or "local-dev-token"
            return run(url, token, seconds, clients)
        token = "load-" + os.urandom(8).hex()
        with local_server(token) as (url, log):
            print(f"Started python -m local at {url} (log: {log})", flush=True)
            return run(url, token, seconds, clients)
    except Refused as refused:
        print(f"make load: {refused}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
