"""`make bench`: GET /sessions/analytics over 1,000 / 10,000 / 50,000 generated sessions.

Sessions are generated (``benchmarks/generate.py``: 60 days, 2,000 users) and written straight to
a fresh table by the store's bulk load (batch writes in the store's shape, moto in this process:
no HTTP). The same moto backend is served over HTTP by the embedded engine, and the handler runs
in a child process of its own, so what is measured is Annex alone: one date range covering every
session, grouped by ``device_model`` and by ``session_uploadedon_day``.

Per run: DynamoDB items read (``ScannedCount`` of queries plus batch-get items, by a botocore
hook: the sessions on GSI1 and the daily counters apart), requests, wall time, the handler's CPU
time (reading and aggregating: what a Lambda spends; the rest of the wall time is the local
engine), and the peak of memory allocated during the request (tracemalloc, in a second run).
``BENCH_SIZES=1000,5000`` picks other sizes.
"""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import time
import tracemalloc
from multiprocessing.connection import Connection
from typing import Any

from annex.store.table import target
from benchmarks.metadata import CONTAINER_ENV
from local.gateway import Containers
from local.instrument import DynamoCalls
from local.template import Template, load

APP = "bench-analytics"
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000,50000").split(",")]
START = datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)
DAYS, USERS = 60, 2000
GROUPS = ("device_model", "session_uploadedon_day")
ENVIRONMENT = CONTAINER_ENV | {"ANALYTICS_MAX_SESSIONS": "1000000"}  # the sessions function's container


def _event(group: str) -> dict[str, Any]:
    end = START + datetime.timedelta(days=DAYS)
    everything = {"lower": START.isoformat(), "upper": end.isoformat()}
    query = {
        "filters": json.dumps([{"attribute": "date_range", "operator": "between_dates", "value": everything}]),
        "group_by": json.dumps([{"attribute": group, "max_group_number": 100}]),
    }
    return {
        "resource": "/sessions/analytics",
        "path": "/sessions/analytics",
        "httpMethod": "GET",
        "headers": {},
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()},
        "pathParameters": None,
        "requestContext": {"requestId": "bench", "authorizer": {"app_id": APP}, "stage": "v1"},
        "body": None,
        "isBase64Encoded": False,
    }


def _measure(conn: Connection, endpoint: str, table: str, size: int) -> None:
    """In a fresh process, as a Lambda container: the handler against the engine, measured."""
    os.environ.update(ENVIRONMENT)
    with target(table, endpoint):
        conn.send(_run(Containers(Template(load()).function("AnalyticsFunction")), size))


def _run(handler: Containers, size: int) -> list[dict[str, Any]]:
    handler.invoke(_event("device_model"))  # warm: imports, connections
    results = []
    for group in GROUPS:
        with DynamoCalls() as calls:
            wall, cpu = time.perf_counter(), time.process_time()
            response = handler.invoke(_event(group))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert response["statusCode"] == 200, response["body"]
        rows = json.loads(response["body"])["data"]
        assert sum(r["session_count"] for r in rows) == size
        assert calls.items_by_target["Query GSI1"] == size, "one pass: each session read once"
        tracemalloc.start()
        handler.invoke(_event(group))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results.append(
            {
                "group": group,
                "sessions": calls.items_by_target["Query GSI1"],
                "counters": calls.items_by_target["Query"],
                "requests": calls.requests,
                "wall_ms": wall * 1000,
                "cpu_ms": cpu * 1000,
                "peak_kib": peak / 1024,
            }
        )
    return results


def main() -> None:
    os.environ.update(ENVIRONMENT)
    import boto3
    from moto import mock_aws

    from benchmarks.bulk_load import load as load_sessions
    from benchmarks.generate import sessions as generate
    from local.engine import Engine

    definition = Template(load()).table_definition()
    del definition["StreamSpecification"]  # no change events in a benchmark
    start_ms = int(START.timestamp() * 1000)
    spawn = multiprocessing.get_context("spawn")
    print(f"GET /sessions/analytics over one range of {DAYS} days, {USERS:,} users; the handler in its own process\n")
    columns = ("sessions", "load s", "group_by", "sessions read (GSI1)", "counters read", "requests", "wall ms")
    print("| " + " | ".join((*columns, "CPU ms", "peak KiB")) + " |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    with mock_aws():
        engine = Engine("127.0.0.1", 0).start()  # serves this process's moto backend over HTTP
        for size in SIZES:
            table = f"bench-analytics-{size}"
            boto3.client("dynamodb").create_table(TableName=table, **definition)
            started = time.perf_counter()
            with target(table):
                load_sessions(APP, generate(size, start=start_ms, days=DAYS, users=USERS, seed=size))
            loaded = time.perf_counter() - started
            parent, child = spawn.Pipe()
            measuring = spawn.Process(target=_measure, args=(child, engine.endpoint, table, size))
            measuring.start()
            for r in parent.recv():
                print(
                    f"| {size:,} | {loaded:.1f} | {r['group']} | {r['sessions']:,} | {r['counters']:,} "
                    f"| {r['requests']} | {r['wall_ms']:,.0f} | {r['cpu_ms']:,.0f} | {r['peak_kib']:,.0f} |"
                )
            measuring.join()
        engine.stop()


if __name__ == "__main__":
    main()
