"""`make bench`: what q and event ingestion cost.

1. q over N sessions of which 10 match (N = 1,000 and 20,000, `BENCH_Q_SIZES` to change): DynamoDB
   requests and items read (Query ScannedCount + BatchGetItem items, botocore hooks) for an
   equality, a range and a two-clause q, through the sessions handler in process. Items read
   must not grow with N: the index, not a scan, answers.
2. Event ingestion: DynamoDB requests per 100-event batch (one session, a hundred sessions, new
   and existing), in process; then events per second over HTTP to `python -m local` (what
   `make run` starts) from 4 client threads.

Sessions are created through the store's own `create` (the items and index entries the API
writes), in moto in process with the embedded engine's item-level transactions.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import requests
from moto import mock_aws

from annex.store.table import target
from benchmarks.metadata import CONTAINER_ENV, TABLE, event, percentile
from local.engine import speed_up
from local.gateway import Containers
from local.spawn import local_server
from local.template import Template, load

APP = "bench-app"
SIZES = [int(n) for n in os.environ.get("BENCH_Q_SIZES", "1000,20000").split(",")]
MATCHES = 10
QUERIES = [
    ("equality", "user_metadata['plan']:'gold'"),
    ("range", "user_metadata['score']>=1000000"),
    ("two clauses", "user_metadata['country']:'FR' AND user_metadata['plan']:'gold'"),
]


def _metadata(i: int) -> dict[str, Any]:
    """Session i: the first MATCHES are gold with a high score; half of all sessions are in FR."""
    gold = i < MATCHES
    return {
        "plan": "gold" if gold else ("free", "pro")[i % 2],
        "score": 1_000_000 + i if gold else i,
        "country": "FR" if gold or i % 2 == 0 else "DE",
    }


def q_table() -> None:
    from annex.store import sessions
    from local.instrument import DynamoCalls

    template = Template(load())
    print("q over N sessions of which 10 match (handler in process, moto)\n")
    print("| N | query | results | DynamoDB requests | items read |")
    print("|---|-------|---------|-------------------|------------|")
    handler = Containers(template.function("SessionsFunction"))
    for n in SIZES:
        app_id = f"bench-q-{n}"  # one application per size, in one table
        for i in range(n):
            sessions.create(app_id, f"s{i:06d}", {}, _metadata(i))
        for name, q in QUERIES:
            request = event("GET", "/sessions", "/sessions", query={"q": q, "limit": "100"})
            request["requestContext"]["authorizer"]["app_id"] = app_id
            with DynamoCalls() as calls:
                response = handler.invoke(request)
            assert response["statusCode"] == 200, response["body"]
            found = len(json.loads(response["body"])["data"])
            print(f"| {n:,} | {name}: `{q}` | {found} | {calls.requests} | {calls.items_read} |")


def _batch(sessions: list[str], size: int = 100, user_id: str | None = None, tag: str = "") -> dict[str, Any]:
    """``size`` events over ``sessions``: screens, tracks and gestures named ``n{i}`` (``tag``: each
    name made distinct with the tag and padded to the longest name, 128 characters)."""
    kinds = ("screen", "track", "gesture")
    names = [f"n{i}{tag}".ljust(128, "-") if tag else f"n{i}" for i in range(size)]
    events = [{"session_id": sessions[i % len(sessions)], "type": kinds[i % 3], "name": names[i]} for i in range(size)]
    return {"batch": [e | {"user_id": user_id} if user_id else e for e in events]}


FULL_BATCHES = 10  # batches of distinct 128-character names a long session has taken first


def requests_per_batch() -> None:
    from local.capacity import DynamoCapacity
    from local.instrument import DynamoCalls

    template = Template(load())
    print("\nDynamoDB requests, write and read units per 100-event batch (handler in process, moto)\n")
    print("| batch | DynamoDB requests | WCU | RCU | by operation | WCU by operation and index |")
    print("|-------|-------------------|-----|-----|--------------|----------------------------|")
    handler = Containers(template.function("EventsFunction"))

    def send(batch: dict[str, Any]) -> dict[str, Any]:
        response = handler.invoke(event("POST", "/events", "/events", batch))
        assert json.loads(response["body"]) == {"accepted": len(batch["batch"]), "rejected": []}, response["body"]
        return response

    one, user, full = [uuid.uuid4().hex], [uuid.uuid4().hex], [uuid.uuid4().hex]
    hundred = [uuid.uuid4().hex for _ in range(100)]
    for n in range(FULL_BATCHES):
        send(_batch(full, tag=f"-{n}"))
    cases = [
        ("1 session, new", one, None, ""),
        ("1 session, existing", one, None, ""),
        ("1 session with user_id, new", user, "u1", ""),
        ("1 session with user_id, existing", user, "u1", ""),
        ("100 sessions, new", hundred, None, ""),
        ("100 sessions, existing", hundred, None, ""),
        (f"1 session after {FULL_BATCHES * 100:,} events, names it has", full, None, "-0"),
        (f"1 session after {FULL_BATCHES * 100:,} events, new names", full, None, "-x"),
    ]
    for name, ids, user_id, tag in cases:
        with DynamoCalls() as calls, DynamoCapacity() as spent:
            send(_batch(ids, user_id=user_id, tag=tag))
        ops = ", ".join(f"{op} {count}" for op, count in sorted(calls.operations.items()))
        units = ", ".join(f"{target} {count}" for target, count in sorted(spent.writes.items()))
        print(f"| {name} | {calls.requests} | {spent.write_units} | {spent.read_units:g} | {ops} | {units} |")


def http_throughput(threads: int = 4, batches: int = int(os.environ.get("BENCH_BATCHES", "25"))) -> None:
    token = os.environ.get("ANNEX_DEV_TOKEN", "local-dev-token")
    log = Path(tempfile.mkdtemp(prefix="annex-bench-")) / "server.log"
    with local_server("annex-bench-http", log, {}) as server:
        base = server.url
        print(f"\nEvent ingestion over HTTP to `python -m local`, {threads} client threads x {batches} batches\n")
        print("| batch shape | events/s | batches/s | p50 ms | p95 ms |")
        print("|-------------|----------|-----------|--------|--------|")
        for shape, per_batch in (("100 events, 1 session", 1), ("100 events, 10 sessions", 10)):

            def client(_: int, per_batch: int = per_batch) -> list[float]:
                http, ids = requests.Session(), [uuid.uuid4().hex for _ in range(per_batch)]
                latencies = []
                for _ in range(batches):
                    started = time.perf_counter()
                    response = http.post(f"{base}/events", json=_batch(ids), headers={"Api-Token": token})
                    latencies.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200 and response.json()["accepted"] == 100, response.text
                return latencies

            client(0)  # warm the containers
            started = time.perf_counter()
            with ThreadPoolExecutor(threads) as pool:
                latencies = [ms for run in pool.map(client, range(threads)) for ms in run]
            elapsed = time.perf_counter() - started
            total = threads * batches
            print(
                f"| {shape} | {total * 100 / elapsed:,.0f} | {total / elapsed:.1f} | "
                f"{statistics.median(latencies):.0f} | {percentile(latencies, 95):.0f} |"
            )


def main() -> None:
    """Every table; ``BENCH_PARTS`` (``q,batch,http``) to run only some."""
    parts = os.environ.get("BENCH_PARTS", "q,batch,http").split(",")
    speed_up()
    template = Template(load())
    os.environ.update(CONTAINER_ENV)
    with mock_aws(), target(TABLE):
        boto3.client("dynamodb").create_table(TableName=TABLE, **template.table_definition())
        if "q" in parts:
            q_table()
        if "batch" in parts:
            requests_per_batch()
    if "http" in parts:
        http_throughput()


if __name__ == "__main__":
    main()
