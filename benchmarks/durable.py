"""`make bench`: what the durable embedded engine (ANNEX_DATA_DIR) costs.

1. Metacounter increments per second over HTTP to `python -m local` (what `make run` starts),
   from 8 client threads (one counter each), in memory (ANNEX_DATA_DIR=:memory:) and with the
   journal (every write fsynced before its answer).
2. The start time of `python -m local` (until it answers) with an empty data directory and with
   ``BENCH_DURABLE_ITEMS`` (100,000) items on disk: in a snapshot (after a clean stop), and as a
   crash leaves them (the last compaction's snapshot and the journal after it).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import requests

from benchmarks.metadata import percentile
from local.durable import MEMORY
from local.engine import Engine
from local.spawn import free_port, local_server
from local.template import Template, load

TOKEN = "bench-durable-token"
TABLE = "annex-bench-durable"
THREADS = 8
INCREMENTS = int(os.environ.get("BENCH_INCREMENTS", "100"))  # per thread
ITEMS = int(os.environ.get("BENCH_DURABLE_ITEMS", "100000"))


def increments(work: Path) -> None:
    print(f"\nMetacounter increments over HTTP to `python -m local`, {THREADS} threads x {INCREMENTS}\n")
    print("| engine | increments/s | p50 ms | p95 ms |")
    print("|--------|--------------|--------|--------|")
    for label, data in (("in memory (:memory:)", MEMORY), ("journal, fsync per answer", str(work / "increments"))):
        env = {"ANNEX_DEV_TOKEN": TOKEN, "ANNEX_DATA_DIR": data}
        with local_server(TABLE, work / "increments.log", env) as server:
            http = requests.Session()
            http.headers["Api-Token"] = TOKEN
            channel = f"ch-{uuid.uuid4().hex[:8]}"
            assert http.post(f"{server.url}/open_channels", json={"channel_url": channel}).status_code == 201
            url = f"{server.url}/open_channels/{channel}/metacounter/"

            def client(thread: int, count: int = INCREMENTS, url: str = url) -> list[float]:
                session, latencies = requests.Session(), []
                session.headers["Api-Token"] = TOKEN
                for _ in range(count):
                    started = time.perf_counter()
                    answer = session.put(f"{url}k{thread}", json={"value": 1, "mode": "increase", "upsert": True})
                    latencies.append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200, answer.text
                return latencies

            with ThreadPoolExecutor(THREADS) as pool:  # warm: one container per thread
                list(pool.map(lambda t: client(t, 3), range(THREADS)))
            started = time.perf_counter()
            with ThreadPoolExecutor(THREADS) as pool:
                latencies = [ms for run in pool.map(client, range(THREADS)) for ms in run]
            elapsed = time.perf_counter() - started
            counters = http.get(url.rstrip("/")).json()
            assert all(counters[f"k{t}"] == INCREMENTS + 3 for t in range(THREADS)), counters
            print(
                f"| {label} | {THREADS * INCREMENTS / elapsed:,.0f} | {statistics.median(latencies):.0f} | "
                f"{percentile(latencies, 95):.0f} |"
            )


def _item(n: int) -> dict[str, Any]:
    return {
        "PK": {"S": f"APP#bench#SESSION#{n:08d}"},
        "SK": {"S": "SESSION"},
        "GSI1PK": {"S": f"APP#bench#USER#{n % 1000}"},
        "GSI1SK": {"S": f"{n:08d}"},
        "status": {"S": "RUNNING"},
        "metadata": {"M": {"plan": {"S": "free"}, "score": {"N": str(n)}}},
        "created_at": {"N": str(1_700_000_000_000 + n)},
    }


def populate(data: Path, crashed: Path) -> None:
    """``ITEMS`` items written through the durable engine; a copy of its files before the clean stop
    (what a crash leaves), then the clean stop's snapshot in ``data``."""
    engine = Engine("127.0.0.1", free_port(), data).start()
    client = boto3.client(
        "dynamodb",
        endpoint_url=engine.endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    client.create_table(TableName=TABLE, **Template(load()).table_definition())

    def write(start: int) -> None:
        puts: list[Any] = [{"PutRequest": {"Item": _item(n)}} for n in range(start, min(start + 25, ITEMS))]
        client.batch_write_item(RequestItems={TABLE: puts})

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(0, ITEMS, 25)))
    shutil.copytree(data, crashed)  # every answered write is synced: what a crash would leave
    engine.stop()


def start_times(work: Path) -> None:
    snapshot, crashed = work / "snapshot", work / "crashed"
    started = time.perf_counter()
    populate(snapshot, crashed)
    print(f"\n({ITEMS:,} items written through the engine in {time.perf_counter() - started:.0f} s)")
    print(f"\nStart time of `python -m local` (until it answers), {ITEMS:,} items\n")
    print("| data on disk | size MB | journal MB | start s |")
    print("|--------------|---------|------------|---------|")
    empty = work / "empty"
    for label, data in (
        ("none (empty data directory)", empty),
        (f"{ITEMS:,} items in a snapshot (after a clean stop)", snapshot),
        (f"{ITEMS:,} items, after a crash (snapshot + journal)", crashed),
    ):
        size = sum(p.stat().st_size for p in data.glob("*")) / 1e6 if data.exists() else 0.0
        journal = sum(p.stat().st_size for p in data.glob("journal-*")) / 1e6 if data.exists() else 0.0
        begun = time.perf_counter()
        with local_server(TABLE, work / "start.log", {"ANNEX_DATA_DIR": str(data)}, start_seconds=600):
            elapsed = time.perf_counter() - begun
        print(f"| {label} | {size:.1f} | {journal:.1f} | {elapsed:.1f} |")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="annex-bench-durable-") as work:
        increments(Path(work))
        start_times(Path(work))


if __name__ == "__main__":
    main()
