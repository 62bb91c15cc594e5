"""The columnar copy of the sessions (analytics at any size): its columns, literals, its latest rows.

One flat row per version of a session, as analytics reads it (``domain/columnar_rows.py`` makes
it from the stored session, attribute by attribute).

Written by the stream (Firehose in AWS, ``make run``'s poller on a laptop) and by
``annex-admin analytics rebuild``; read by the SQL of ``columnar_sql``. The layout is partitioned
by application and creation day (``app_id=<id>/day=<YYYY-MM-DD>/``): a session never changes day,
so all its versions share one partition and its latest state is found there (docs/data-model.md).

A JSON document (``user_metadata``, ``utm``, ``user_first_utm``) is three columns: the document
(its JSON text, keys sorted, numbers as written) for ``group_by``, and two precomputed lists its
filters read, so the SQL needs no JSON path functions (which Athena and DuckDB spell apart):

- ``<leaves>``: ``<path>\\x1f<form>`` strings (a path's keys joined by ``\\x1e``; the document
  itself is the empty path). ``set`` marks a path holding a value that is not null; ``=<json>``
  the scalar at a path; ``[<json>`` a scalar element of the array at a path.
  Numbers are written in one canonical form, so ``1`` and ``1.0`` are the same leaf.
- ``<numbers>``: ``(path, num)`` for every number at a path or in the array at a path.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from annex.core.query import is_number

SEP = "\x1f"  # between a leaf's path and its form
JOIN = "\x1e"  # between a path's keys (a key may hold a dot)
_NUMBERS = ("STRUCT(path VARCHAR, num DOUBLE)[]", "array<struct<path:string,num:double>>")
# (column, DuckDB type, Glue/Hive type) in file order; app_id and day are the partition columns.
# Columns added later come last: files written before them read them as NULL (Athena by name,
# DuckDB through ``union_by_name``).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "VARCHAR", "string"),
    ("version", "BIGINT", "bigint"),
    ("deleted", "BOOLEAN", "boolean"),
    ("compacted", "BOOLEAN", "boolean"),
    ("created_at", "BIGINT", "bigint"),
    ("user_id", "VARCHAR", "string"),
    ("session_number", "BIGINT", "bigint"),
    ("status", "VARCHAR", "string"),
    ("duration_ms", "BIGINT", "bigint"),
    ("gesture_count", "BIGINT", "bigint"),
    ("rage_gesture_count", "BIGINT", "bigint"),
    ("responsive_gesture_count", "BIGINT", "bigint"),
    ("unresponsive_gesture_count", "BIGINT", "bigint"),
    ("screen_count", "BIGINT", "bigint"),
    ("unique_screen_count", "BIGINT", "bigint"),
    ("event_names", "VARCHAR[]", "array<string>"),
    ("app_version", "VARCHAR", "string"),
    ("device_class", "VARCHAR", "string"),
    ("device_id", "VARCHAR", "string"),
    ("device_manufacturer", "VARCHAR", "string"),
    ("device_model", "VARCHAR", "string"),
    ("device_os_version", "VARCHAR", "string"),
    ("device_platform", "VARCHAR", "string"),
    ("browser_name", "VARCHAR", "string"),
    ("device_country", "VARCHAR", "string"),
    ("device_city", "VARCHAR", "string"),
    ("user_metadata", "VARCHAR", "string"),
    ("meta_leaves", "VARCHAR[]", "array<string>"),
    ("meta_numbers", *_NUMBERS),
    ("device_os_name", "VARCHAR", "string"),
    ("device_type", "VARCHAR", "string"),
    ("sdk_version", "VARCHAR", "string"),
    ("browser_version", "VARCHAR", "string"),
    ("referer", "VARCHAR", "string"),
    ("referer_domain", "VARCHAR", "string"),
    ("user_first_screen_name", "VARCHAR", "string"),
    ("user_first_referer", "VARCHAR", "string"),
    ("user_first_referer_domain", "VARCHAR", "string"),
    ("user_name", "VARCHAR", "string"),
    ("screen_names", "VARCHAR[]", "array<string>"),
    ("utm", "VARCHAR", "string"),
    ("utm_leaves", "VARCHAR[]", "array<string>"),
    ("utm_numbers", *_NUMBERS),
    ("user_first_utm", "VARCHAR", "string"),
    ("user_first_utm_leaves", "VARCHAR[]", "array<string>"),
    ("user_first_utm_numbers", *_NUMBERS),
)
PARTITIONS = (("app_id", "VARCHAR", "string"), ("day", "VARCHAR", "string"))


def canonical(value: Any) -> str:
    """A JSON value's one text: sorted keys, no spaces, numbers by value (1 and 1.0 alike)."""
    return json.dumps(_numbers_by_value(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _numbers_by_value(value: Any) -> Any:
    if is_number(value):
        number = Decimal(str(value)).normalize()
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(value, dict):
        return {k: _numbers_by_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_by_value(v) for v in value]
    return value


def leaf(path: tuple[str, ...], form: str, value: Any = None) -> str:
    """One leaves string (``form``: ``set``, ``=`` or ``[``)."""
    dotted = JOIN.join(path)
    return f"{dotted}{SEP}set" if form == "set" else f"{dotted}{SEP}{form}{canonical(value)}"


def leaves_of(document: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """A JSON document's leaves and numbers (the document itself is the empty path)."""
    leaves: list[str] = []
    numbers: list[dict[str, Any]] = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if node is not None:
            leaves.append(leaf(path, "set"))
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, (*path, key))
            return
        scalars = [e for e in node if not isinstance(e, dict | list)] if isinstance(node, list) else [node]
        form = "[" if isinstance(node, list) else "="
        leaves.extend(leaf(path, form, e) for e in scalars)
        numbers.extend({"path": JOIN.join(path), "num": float(e)} for e in scalars if is_number(e))

    if document is not None:
        walk(document, ())
    return sorted(set(leaves)), numbers


def literal(value: Any) -> str:
    """A SQL literal: strings quoted (quotes doubled), numbers as Python writes them, booleans."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        assert math.isfinite(value)
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def latest(compacted: str, delta: str | None, app_id: str, first_day: str, last_day: str) -> str:
    """SQL for each session's latest row in those days (deleted ones included, as tombstones), from
    the rows written by compaction (``compacted``) and those appended since (``delta``; None: none).

    A compacted row stands unless a newer, uncompacted row of the same session arrived since; among
    the newer rows the highest ``version`` wins (``row_number`` over the session's rows: they all
    share its one day partition). Without a delta, the compacted rows are the answer as they are.
    """
    where = f"app_id = {literal(app_id)} AND day BETWEEN {literal(first_day)} AND {literal(last_day)}"
    names = ", ".join(["app_id", "day", *(c for c, _, _ in COLUMNS)])
    base = f"SELECT {names} FROM {compacted} WHERE {where} AND compacted"
    if delta is None:
        return base
    return (
        f"{base} AND id NOT IN (SELECT id FROM {delta} WHERE {where} AND NOT compacted)"
        f" UNION ALL SELECT {names} FROM (SELECT {names}, row_number() OVER"
        f" (PARTITION BY id ORDER BY version DESC) AS newest FROM {delta} WHERE {where} AND NOT compacted)"
        " WHERE newest = 1"
    )
