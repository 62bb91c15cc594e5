"""`make bench`: the columnar engine (DuckDB, as under `make run`) over 1 and 10 million sessions.

The sessions are generated straight into the columnar layout (``app_id=<id>/day=<day>/`` Parquet
files, one row per session, as a compaction leaves them) by one DuckDB statement: not through the
API or DynamoDB. Each query then runs in a fresh child process (the engine as the analytics
function runs it: ``annex.domain.columnar.run``); its wall time and the child's peak resident
memory (its VmHWM: Python, DuckDB and the data it held) are reported.

``BENCH_COLUMNAR_SIZES=1000000,10000000`` (the default) picks the sizes (add ``30000000`` to see
the peak stay at DuckDB's budget past 10 million: about 7 minutes to generate, 1 GB of files);
``BENCH_COLUMNAR_DIR`` where the files go (default: a temporary directory, removed after).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import resource
import shutil
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from annex.api.filters import parse_filters, parse_group_by
from annex.core.clock import DAY_MS
from annex.core.columnar import COLUMNS
from annex.domain import columnar, filters
from annex.store.columnar import DuckDB

APP = "bench-columnar"
SIZES = [int(n) for n in os.environ.get("BENCH_COLUMNAR_SIZES", "1000000,10000000").split(",")]
START_MS = 1_709_251_200_000  # 2024-03-01
DAYS = 60
ALL = {
    "attribute": "date_range",
    "operator": "between_dates",
    "value": {"lower": "2024-03-01T00:00:00Z", "upper": "2024-04-30T00:00:00Z"},
}
QUERIES = {
    "group_by device_model": ([ALL], [{"attribute": "device_model", "max_group_number": 100}]),
    "group_by session_uploadedon_day": ([ALL], [{"attribute": "session_uploadedon_day", "max_group_number": 100}]),
    "three filters, group_by device_platform": (
        [
            ALL,
            {"attribute": "device_country", "operator": "in", "value": ["France", "Japan", "Kenya"]},
            {"attribute": "session_gesture_count", "operator": "greater_than", "value": 2},
            {"attribute": "user_metadata.plan", "operator": "equal", "value": "pro"},
        ],
        [{"attribute": "device_platform"}],
    ),
}


def generate(root: Path, count: int) -> float:
    """Write ``count`` sessions under ``root``; answers the seconds it took."""
    started = time.perf_counter()
    h = "hash(i)"
    pick = "[{}][1 + CAST(({h} // {div}) % {n} AS INTEGER)]"

    def choice(values: tuple[str, ...], div: int) -> str:
        return pick.format(", ".join(f"'{v}'" for v in values), h=h, div=div, n=len(values))

    plan = choice(("free", "pro", "team"), 7)
    select = f"""
        SELECT '{APP}' AS app_id, strftime(make_timestamp(created_at * 1000), '%Y-%m-%d') AS day,
            'gen-' || i AS id, CAST(1 AS BIGINT) AS version, FALSE AS deleted, TRUE AS compacted,
            created_at, 'user-' || CAST(({h} // 11) % {max(count // 5, 1)} AS VARCHAR) AS user_id,
            CAST(1 + ({h} // 13) % 5 AS BIGINT) AS session_number,
            {choice(("COMPLETED", "COMPLETED", "ERROR", "TIMED_OUT"), 17)} AS status,
            CAST(({h} // 19) % 600000 AS BIGINT) AS duration_ms,
            CAST(({h} // 23) % 9 AS BIGINT) AS gesture_count, CAST(({h} // 29) % 2 AS BIGINT) AS rage_gesture_count,
            CAST(({h} // 31) % 6 AS BIGINT) AS screen_count,
            CAST(({h} // 37) % 4 AS BIGINT) AS unique_screen_count,
            CASE WHEN ({h} // 41) % 2 = 0 THEN ['buy'] ELSE CAST([] AS VARCHAR[]) END AS event_names,
            {choice(("2.0", "2.1", "2.2", "2.3"), 43)} AS app_version,
            {choice(("phone", "tablet"), 47)} AS device_class,
            'dev-' || CAST(({h} // 53) % 100000 AS VARCHAR) AS device_id,
            {choice(("Acme", "Globex", "Initech"), 59)} AS device_manufacturer,
            'model-' || lpad(CAST(({h} // 61) % 24 AS VARCHAR), 2, '0') AS device_model,
            {choice(("14.0", "15.1", "16.2", "17.0"), 67)} AS device_os_version,
            {choice(("ios", "android", "web"), 71)} AS device_platform, NULL::VARCHAR AS browser_name,
            {choice(("France", "Germany", "Japan", "Brazil", "Canada", "India", "Kenya", "Spain"), 73)}
                AS device_country,
            {choice(("North", "South", "East", "West"), 79)} AS device_city,
            '{{"plan":"' || {plan} || '"}}' AS user_metadata,
            ['plan' || chr(31) || 'set', 'plan' || chr(31) || '="' || {plan} || '"'] AS meta_leaves,
            CAST([] AS STRUCT(path VARCHAR, num DOUBLE)[]) AS meta_numbers
        FROM (SELECT i, {START_MS} + i * {DAYS * DAY_MS // count} AS created_at FROM range({count}) t(i))
    """
    generated = set(re.findall(r"AS (\w+)", select))
    columns = ", ".join(c if c in generated else f"CAST(NULL AS {t}) AS {c}" for c, t, _ in COLUMNS)
    select = f"SELECT app_id, day, {columns} FROM ({select})"  # the copy's every column, in file order
    import duckdb

    spill = str(root.parent / f"{root.name}-spill")  # never DuckDB's default, .tmp in the working directory
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": "2GB",
        "preserve_insertion_order": False,
        "temp_directory": spill,
    }
    with duckdb.connect(config=config) as con:
        con.execute(
            f"COPY ({select}) TO '{root}' (FORMAT parquet, PARTITION_BY (app_id, day), OVERWRITE_OR_IGNORE,"
            " FILENAME_PATTERN 'c-{uuid}')"  # compacted files, as a compaction names them
        )
    return time.perf_counter() - started


def _query(root: str, name: str, out: Connection) -> None:
    raw, groups = QUERIES[name]
    plan = filters.plan(parse_filters(json.dumps(raw)))
    started = time.perf_counter()
    rows = columnar.run(DuckDB(root), APP, plan, parse_group_by(json.dumps(groups)))
    elapsed = time.perf_counter() - started
    out.send((elapsed, _peak_mb(), sum(r["session_count"] for r in rows)))


def _peak_mb() -> float:
    """This process's peak resident memory: its VmHWM. (``ru_maxrss`` would keep the parent's peak,
    the generation's, across the spawned child's exec.)"""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(root: Path, name: str) -> tuple[float, float, int]:
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("spawn").Process(target=_query, args=(str(root), name, send))
    child.start()
    answer: tuple[float, float, int] = receive.recv()
    child.join()
    return answer


def main() -> None:
    print("\n## The columnar engine (DuckDB, make run's copy): sessions generated into the layout\n")
    print("| sessions | query | wall (s) | peak RSS (MB) | sessions counted |")
    print("|---:|---|---:|---:|---:|")
    for size in SIZES:
        configured = os.environ.get("BENCH_COLUMNAR_DIR")
        root = Path(configured) / str(size) if configured else Path(tempfile.mkdtemp(prefix="annex-bench-"))
        try:
            seconds = generate(root, size)
            print(f"| {size:,} | (generating the files: {seconds:.1f} s) | | | |", flush=True)
            for name in QUERIES:
                wall, peak, counted = measure(root, name)
                print(f"| {size:,} | {name} | {wall:.2f} | {peak:.0f} | {counted:,} |", flush=True)
        finally:
            if not configured:
                shutil.rmtree(root, ignore_errors=True)
                shutil.rmtree(root.parent / f"{root.name}-spill", ignore_errors=True)


if __name__ == "__main__":
    main()
