"""The columnar copy of the sessions (analytics at any size): its row, literals, its latest rows.

The columnar copy's row: one flat row per version of a session, as analytics reads it.

Written by the stream (Firehose in AWS, ``make run``'s poller on a laptop) and by
``annex-admin analytics rebuild``; read by the SQL of ``columnar_sql``. The layout is partitioned
by application and creation day (``app_id=<id>/day=<YYYY-MM-DD>/``): a session never changes day,
so all its versions share one partition and its latest state is found there (docs/data-model.md).

``user_metadata`` keeps the document (canonical JSON text) for ``group_by``; its filters read two
precomputed lists, so the SQL needs no JSON path functions (which Athena and DuckDB spell apart):

- ``meta_leaves``: ``<path>\\x1f<form>`` strings (a path's keys joined by ``\\x1e``). ``set``
  marks a path holding a value that is not null; ``=<json>`` the scalar at a path; ``[<json>`` a
  scalar element of the array at a path.
  Numbers are written in one canonical form, so ``1`` and ``1.0`` are the same leaf.
- ``meta_numbers``: ``(path, num)`` for every number at a path or in the array at a path.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from annex.core.clock import day_of
from annex.core.query import is_number
from annex.core.sessions import distinct

SEP = "\x1f"  # between a leaf's path and its form
JOIN = "\x1e"  # between a path's keys (a key may hold a dot)
# (column, DuckDB type, Glue/Hive type) in file order; app_id and day are the partition columns.
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
    ("meta_numbers", "STRUCT(path VARCHAR, num DOUBLE)[]", "array<struct<path:string,num:double>>"),
)
PARTITIONS = (("app_id", "VARCHAR", "string"), ("day", "VARCHAR", "string"))
# A filter or group attribute → its column (the rest of domain/filters.py's attributes are computed).
STRING_COLUMNS = {
    "app_version": ("device", "app_version"),
    "device_class": ("device", "class"),
    "device_id": ("device", "id"),
    "device_manufacturer": ("device", "manufacturer"),
    "device_model": ("device", "model"),
    "device_os_version": ("device", "os_version"),
    "device_platform": ("device", "platform"),
    "browser_name": ("device", "browser_name"),
    "device_country": ("location", "country"),
    "device_city": ("location", "city"),
}
# The stored attributes a row is made of (a rebuild reads only these).
READS: tuple[tuple[str, ...], ...] = tuple(
    (name,)
    for name in (
        "id",
        "version",
        "created_at",
        "user_id",
        "session_number",
        "status",
        "first_event_at",
        "last_event_at",
        "gesture_count",
        "rage_gesture_count",
        "responsive_gesture_count",
        "unresponsive_gesture_count",
        "screen_count",
        "screen_set_count",
        "event_name_set",
        "device",
        "location",
        "user_metadata",
    )
)


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
    """One ``meta_leaves`` string (``form``: ``set``, ``=`` or ``[``)."""
    dotted = JOIN.join(path)
    return f"{dotted}{SEP}set" if form == "set" else f"{dotted}{SEP}{form}{canonical(value)}"


def _meta(document: Any) -> tuple[list[str], list[dict[str, Any]]]:
    leaves: list[str] = []
    numbers: list[dict[str, Any]] = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if path and node is not None:
            leaves.append(leaf(path, "set"))
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, (*path, key))
            return
        if not path:
            return
        scalars = [e for e in node if not isinstance(e, dict | list)] if isinstance(node, list) else [node]
        form = "[" if isinstance(node, list) else "="
        leaves.extend(leaf(path, form, e) for e in scalars)
        numbers.extend({"path": JOIN.join(path), "num": float(e)} for e in scalars if is_number(e))

    walk(document, ())
    return sorted(set(leaves)), numbers


def row_of(app_id: str, session: dict[str, Any], *, deleted: bool = False, compacted: bool = False) -> dict[str, Any]:
    """The row of a stored session (plain values, user_metadata parsed), partition columns included."""
    created = int(session["created_at"])
    first, last = session.get("first_event_at"), session.get("last_event_at")
    document = session.get("user_metadata")
    leaves, numbers = _meta(document)
    row: dict[str, Any] = {
        "app_id": app_id,
        "day": day_of(created),
        "id": str(session["id"]),
        "version": int(session.get("version") or 0),
        "deleted": deleted,
        "compacted": compacted,
        "created_at": created,
        "user_id": session.get("user_id"),
        "session_number": session.get("session_number"),
        "status": session.get("status"),
        "duration_ms": int(last) - int(first) if first is not None and last is not None else 0,
        "gesture_count": int(session.get("gesture_count") or 0),
        "rage_gesture_count": int(session.get("rage_gesture_count") or 0),
        "responsive_gesture_count": int(session.get("responsive_gesture_count") or 0),
        "unresponsive_gesture_count": int(session.get("unresponsive_gesture_count") or 0),
        "screen_count": int(session.get("screen_count") or 0),
        "unique_screen_count": distinct(session, "screen_set"),
        "event_names": sorted(session.get("event_name_set") or ()),
        # As written (1.0 stays 1.0): a group's value is the value stored, as on DynamoDB's path.
        "user_metadata": None
        if document is None
        else json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        "meta_leaves": leaves,
        "meta_numbers": numbers,
    }
    for column, (outer, inner) in STRING_COLUMNS.items():
        holder = session.get(outer)
        row[column] = holder.get(inner) if isinstance(holder, dict) else None
    return row


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


def latest(source: str, app_id: str, first_day: str, last_day: str) -> str:
    """SQL for each session's latest row in those days (deleted ones included, as tombstones).

    Rows written by compaction (``compacted``) stand unless a newer row of the same session arrived
    since; among the newer rows the highest ``version`` wins (``row_number`` over the session's
    rows: they all share its one day partition).
    """
    where = f"app_id = {literal(app_id)} AND day BETWEEN {literal(first_day)} AND {literal(last_day)}"
    names = ", ".join(["app_id", "day", *(c for c, _, _ in COLUMNS)])
    return (
        f"SELECT {names} FROM {source} WHERE {where} AND compacted"
        f" AND id NOT IN (SELECT id FROM {source} WHERE {where} AND NOT compacted)"
        f" UNION ALL SELECT {names} FROM (SELECT {names}, row_number() OVER"
        f" (PARTITION BY id ORDER BY version DESC) AS newest FROM {source} WHERE {where} AND NOT compacted)"
        " WHERE newest = 1"
    )
