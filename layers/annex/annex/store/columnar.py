"""The columnar copy of the sessions: DuckDB over Parquet files on disk (``make run``), Athena over
the S3 copy Firehose writes (AWS). Both hold the layout ``app_id=<id>/day=<YYYY-MM-DD>/*.parquet``
of ``annex.core.columnar`` (rows made by ``annex.domain.columnar_rows``); both run the SQL of
``annex.domain.columnar_sql``.

``duckdb`` is imported only when a DuckDB engine is used (never at a handler's import): a cold
start that answers from DynamoDB, or from Athena, never loads it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from annex.config import Settings
from annex.config import settings as configured
from annex.core.columnar import COLUMNS, PARTITIONS, latest, literal
from annex.errors import BadRequest, Unavailable
from annex.store import keys
from annex.store.sessions import names
from annex.store.table import decoded

# app_id and day from the directories, as text (DuckDB would read a day as a DATE)
HIVE = "hive_partitioning = TRUE, hive_types = {'app_id': 'VARCHAR', 'day': 'VARCHAR'}"
COMPACT_AFTER = 16  # files in a day partition before make run's copy compacts it
# A partition's files: ``c-*`` written by compaction or a rebuild (each session once, its latest
# row), ``d-*`` appended by the stream since; files named otherwise (written before the prefixes)
# are read as both, the ``compacted`` column telling them apart.
COMPACTED, DELTA = "c-", "d-"


def session_change(record: dict[str, Any]) -> tuple[str, dict[str, Any], bool] | None:
    """A stream record's (DynamoDB JSON) application, session (its new image, else its old one, its
    names read from its names items) and whether it was removed, when it is a session item's change."""
    image = record.get("dynamodb", {}).get("NewImage") or record.get("dynamodb", {}).get("OldImage")
    if not image or image.get(keys.SK, {}).get("S") != "SESSION":
        return None
    app_id, _, session_id = image[keys.PK]["S"].partition("#SESSION#")
    if not session_id or keys.session(app_id, session_id).key != {keys.PK: image[keys.PK]["S"], keys.SK: "SESSION"}:
        return None
    session = decoded(image)
    if "user_metadata" in session:
        session["user_metadata"] = json.loads(session["user_metadata"])
    removed = record.get("eventName") == "REMOVE"
    if not removed:
        names.attach(app_id, [session])  # the event names are in the session's names items
    if removed:
        session["version"] = int(session.get("version") or 0) + 1  # after every version it had
    return app_id, session, removed


# ---------------------------------------------------------------- DuckDB (make run)


class DuckDB:
    """The copy as Parquet files under ``root``; one writer (the stream poller or a rebuild) at a time."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._lock = threading.Lock()

    def _connect(self) -> Any:
        import duckdb  # only the columnar path loads it (cold start)

        spill = self._staging() / "spill"  # never DuckDB's default, .tmp in the working directory
        return duckdb.connect(
            config={
                "threads": os.cpu_count() or 1,
                # Past it, aggregates spill to temp_directory. The exact unique-user count holds
                # every distinct (group, user) pair: with 1 GB, peak RSS followed them (192, 722,
                # 1,033 MB at 1, 10, 30 million sessions); with 256 MB it stays flat past 10 million
                # (177, 358, 387 MB) for 5 % more time at 10 million (docs/data-model.md).
                "memory_limit": "256MB",
                "temp_directory": str(spill),
                "preserve_insertion_order": False,  # every answer is ordered by its own ORDER BY
            }
        )

    def _empty(self) -> str:
        names = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t, _ in (*PARTITIONS, *COLUMNS))
        return f"(SELECT {names} WHERE FALSE)"

    def _files(self, app_id: str, first_day: str, last_day: str) -> list[Path]:
        """The files of the application's day partitions in that range (the others are not read)."""
        app = self.root / f"app_id={app_id}"
        if not app.is_dir():
            return []
        days = (d for d in app.iterdir() if d.name.startswith("day=") and first_day <= d.name[4:] <= last_day)
        return sorted(f for d in days for f in d.glob("*.parquet"))

    def _read(self, files: list[Path]) -> str:
        """The rows of ``files``; a column a file lacks (written before the column was) reads NULL."""
        if not files:
            return self._empty()
        found = f"read_parquet([{', '.join(literal(str(f)) for f in files)}], {HIVE}, union_by_name = TRUE)"
        return f"(SELECT * FROM {self._empty()} UNION ALL BY NAME SELECT * FROM {found})"

    def sources(self, app_id: str, first_day: str, last_day: str) -> tuple[str, str | None]:
        files = self._files(app_id, first_day, last_day)
        compacted = [f for f in files if not f.name.startswith(DELTA)]
        delta = [f for f in files if not f.name.startswith(COMPACTED)]
        return self._read(compacted), self._read(delta) if delta else None

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        for attempt in range(3):
            try:
                with self._connect() as con:
                    return list(con.execute(sql).fetchall())
            except Exception as error:  # a file compaction removed while the query read: again
                if ("No files found" not in str(error) and "No such file" not in str(error)) or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        """Append ``rows`` as new files (one a partition), moved into place whole; answers how many."""
        touched: set[Path] = set()
        with self._lock, tempfile.TemporaryDirectory(dir=self._staging()) as staging:
            lines = Path(staging) / "rows.jsonl"
            count, compacted = 0, True
            with lines.open("w") as out:
                for one in rows:
                    out.write(json.dumps(one, ensure_ascii=False) + "\n")
                    count, compacted = count + 1, compacted and one["compacted"]
            if count:
                self._copy(f"SELECT * FROM {self._read_json(lines)}", Path(staging) / "out")
                touched = self._publish(Path(staging) / "out", COMPACTED if compacted else DELTA)
        for partition in touched:  # a partition of many small files becomes one
            self.compact(partition.parent.name.removeprefix("app_id="), partition.name.removeprefix("day="))
        return count

    def _staging(self) -> Path:
        path = self.root / ".staging"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _read_json(self, path: Path) -> str:
        columns = ", ".join(f"{literal(c)}: {literal(t)}" for c, t, _ in (*PARTITIONS, *COLUMNS))
        return f"read_json({literal(str(path))}, format = 'newline_delimited', columns = {{{columns}}})"

    def _copy(self, select: str, out: Path) -> None:
        with self._connect() as con:
            con.execute(
                f"COPY ({select}) TO {literal(str(out))}"
                " (FORMAT parquet, PARTITION_BY (app_id, day), FILENAME_PATTERN 'part-{uuid}')"
            )

    def _publish(self, out: Path, prefix: str) -> set[Path]:
        """Move the files written under ``out`` into their partitions, named ``prefix…``; answers
        those partitions."""
        touched = set()
        for file in out.glob("app_id=*/day=*/*.parquet"):
            target = self.root / file.parent.parent.name / file.parent.name
            target.mkdir(parents=True, exist_ok=True)
            os.replace(file, target / f"{prefix}{uuid.uuid4().hex}.parquet")
            touched.add(target)
        return touched

    def compact(self, app_id: str, day: str, at_least: int = COMPACT_AFTER) -> bool:
        """Rewrite a day partition as one file of each session's latest row (deleted ones left out)."""
        partition = self.root / f"app_id={app_id}" / f"day={day}"
        files = sorted(partition.glob("*.parquet"))
        if len(files) < at_least:
            return False
        with self._lock, tempfile.TemporaryDirectory(dir=self._staging()) as staging:
            source = self._read(files)
            names = ", ".join(c if c != "compacted" else "TRUE AS compacted" for c, _, _ in COLUMNS)
            newest = latest(source, source, app_id, day, day)
            select = f"SELECT app_id, day, {names} FROM ({newest}) WHERE NOT deleted"
            self._copy(select, Path(staging) / "out")
            self._publish(Path(staging) / "out", COMPACTED)  # the new file first: a reader sees old and new alike
            for file in files:
                file.unlink(missing_ok=True)
        return True

    def compact_all(self, at_least: int = COMPACT_AFTER) -> int:
        done = 0
        for partition in self.root.glob("app_id=*/day=*"):
            done += self.compact(partition.parent.name[7:], partition.name[4:], at_least)
        return done

    def clear(self, app_id: str) -> None:
        shutil.rmtree(self.root / f"app_id={app_id}", ignore_errors=True)


# ---------------------------------------------------------------- Athena (AWS)


class Athena:
    """Queries run in the Athena workgroup (its per-query scan limit), polled until done."""

    name = "athena"
    dialect = "trino"  # Athena's engine
    POLL_SECONDS = 0.25

    def __init__(self, workgroup: str, database: str, table: str, timeout_s: float, client: Any = None):
        self.workgroup, self.database, self.table, self.timeout_s = workgroup, database, table, timeout_s
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("athena")
        return self._client

    def sources(self, app_id: str, first_day: str, last_day: str) -> tuple[str, str | None]:
        table = f'"{self.database}"."{self.table}"'
        return table, table  # never compacted yet: the ``compacted`` column tells the rows apart

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        started = self.client.start_query_execution(
            QueryString=sql, WorkGroup=self.workgroup, QueryExecutionContext={"Database": self.database}
        )["QueryExecutionId"]
        deadline = time.monotonic() + self.timeout_s
        while True:
            status = self.client.get_query_execution(QueryExecutionId=started)["QueryExecution"]["Status"]
            state = status["State"]
            if state == "SUCCEEDED":
                return self._results(started)
            if state in ("FAILED", "CANCELLED"):
                reason = str(status.get("StateChangeReason", ""))
                if "scan" in reason.lower() and "limit" in reason.lower():
                    raise BadRequest(
                        "The query would scan more than the workgroup allows: narrow date_range or add filters",
                        code="range_too_large",
                    )
                raise Unavailable("Analytics could not answer this time; try again", code="analytics_unavailable")
            if time.monotonic() > deadline:
                self.client.stop_query_execution(QueryExecutionId=started)
                raise Unavailable("Analytics took too long; narrow date_range or try again", code="analytics_timeout")
            time.sleep(self.POLL_SECONDS)

    def _results(self, execution: str) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        types: list[str] = []
        for page in self.client.get_paginator("get_query_results").paginate(QueryExecutionId=execution):
            if not types:
                types = [c["Type"] for c in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]]
                page["ResultSet"]["Rows"] = page["ResultSet"]["Rows"][1:]  # the header row
            for found in page["ResultSet"]["Rows"]:
                cells = [c.get("VarCharValue") for c in found["Data"]]
                rows.append(tuple(_typed(t, c) for t, c in zip(types, cells, strict=True)))
        return rows


def _typed(kind: str, text: str | None) -> Any:
    if text is None:
        return None
    if kind in ("bigint", "integer", "smallint", "tinyint"):
        return int(text)
    if kind == "boolean":
        return text == "true"
    if kind in ("double", "float", "decimal"):
        return float(text)
    return text


# ---------------------------------------------------------------- the deployment's engine


def sink(settings: Settings | None = None) -> Callable[[list[dict[str, Any]]], int]:
    """Where the stream's rows go: make run's DuckDB copy, else the Firehose delivery stream."""
    settings = settings or configured()
    if settings.analytics_engine == "duckdb" and settings.analytics_dir:
        return DuckDB(settings.analytics_dir).write
    stream = settings.delivery_stream_name
    if not stream:
        return lambda rows: 0  # no copy configured: nothing to feed
    return lambda rows: to_firehose(stream, rows)


def to_firehose(stream: str, rows: list[dict[str, Any]], client: Any = None) -> int:
    """Send rows to the delivery stream, 500 a call; a record Firehose refuses is sent again."""
    if client is None:
        import boto3

        client = boto3.client("firehose")
    for start in range(0, len(rows), 500):
        records = [{"Data": (json.dumps(r, ensure_ascii=False) + "\n").encode()} for r in rows[start : start + 500]]
        for _ in range(10):
            answers = client.put_record_batch(DeliveryStreamName=stream, Records=records).get("RequestResponses", [])
            records = [r for r, a in zip(records, answers, strict=False) if "ErrorCode" in a]
            if not records:
                break
        else:
            raise Unavailable(f"Firehose refused {len(records)} records", code="analytics_unavailable")
    return len(rows)


def engine(settings: Settings | None = None) -> DuckDB | Athena | None:
    """The columnar engine the settings name (none: analytics answers from DynamoDB only)."""
    settings = settings or configured()
    if settings.analytics_engine == "duckdb" and settings.analytics_dir:
        return DuckDB(settings.analytics_dir)
    if settings.analytics_engine == "athena" and settings.athena_workgroup:
        return Athena(
            settings.athena_workgroup,
            settings.athena_database,
            settings.athena_table,
            settings.analytics_query_timeout_seconds,
        )
    return None
