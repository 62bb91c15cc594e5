"""`annex-admin analytics rebuild`: the columnar copy of an application's sessions, again from the
table (DynamoDB stays the source of truth). The rows go where the stream sends them: Parquet files
under a directory (make run's DuckDB copy), or the Firehose delivery stream of a deployed stack."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import boto3

from annex.core.clock import now_ms
from annex.domain.columnar_rows import READS, row_of
from annex.store.columnar import DuckDB, to_firehose
from annex.store.sessions.bulk import created_between

BATCH = 5_000  # rows a file (DuckDB) holds; Firehose takes them 500 at a time
FIREHOSE_BATCH = 500


def rows(app_id: str, until: int | None = None) -> Iterator[dict[str, Any]]:
    """Every session of the application as its columnar row (latest state, marked compacted)."""
    for session in created_between(app_id, 0, until if until is not None else now_ms() + 86_400_000, READS):
        yield row_of(app_id, session, compacted=True)


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def rebuild_local(app_id: str, copy: DuckDB, progress: Callable[[int], None] = lambda n: None) -> int:
    """Replace the application's copy under ``copy.root`` with the table's sessions; answers how many."""
    copy.clear(app_id)
    total = 0
    for chunk in _chunks(rows(app_id), BATCH):
        total += copy.write(chunk)
        progress(len(chunk))
    return total


def rebuild_firehose(app_id: str, stream: str, progress: Callable[[int], None] = lambda n: None) -> int:
    """Send the table's sessions to the delivery stream (the copy keeps each session's latest
    version: rows already there count once). Answers how many."""
    client = boto3.client("firehose")
    total = 0
    for chunk in _chunks(rows(app_id), FIREHOSE_BATCH):
        total += to_firehose(stream, chunk, client)
        progress(len(chunk))
    return total
