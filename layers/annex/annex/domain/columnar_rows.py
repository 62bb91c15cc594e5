"""The columnar copy's row of a stored session (``core/columnar.py``'s columns).

Every value a filter or a group reads is computed here by the attribute's own getter
(``domain/attributes.py``), at write time: ``referer_domain``, the ``user_first_*`` facts, the
distinct screens (overflow counted) are what DynamoDB's path computes per read, so the SQL only
compares columns. The stream (``copy_changes``) and ``annex-admin analytics rebuild`` write rows
made here; ``READS`` is what a rebuild reads of each session.
"""

from __future__ import annotations

import json
from typing import Any

from annex.core.clock import day_of
from annex.core.columnar import leaves_of
from annex.domain.analytics import METRIC_READS
from annex.domain.attributes import ATTRIBUTES, JSON_BASES, Kind, Path, Stored

ID_COLUMNS = {"session_id": "id", "user_id": "user_id"}
# The string attributes held in a column of their own name.
STRING_COLUMNS: tuple[str, ...] = tuple(
    name for name, a in ATTRIBUTES.items() if a.kind is Kind.STRING and name not in ID_COLUMNS
)
LIST_COLUMNS = {"event_name": "event_names", "session_screen_list": "screen_names"}
# A JSON base → its document's columns (text, leaves, numbers); user_custom_property is user_metadata.
DOCUMENTS: dict[str, tuple[str, str, str]] = {
    "user_metadata": ("user_metadata", "meta_leaves", "meta_numbers"),
    "utm": ("utm", "utm_leaves", "utm_numbers"),
    "user_first_utm": ("user_first_utm", "user_first_utm_leaves", "user_first_utm_numbers"),
}
SAME_DOCUMENT = {"user_custom_property": "user_metadata"}
# The counters a row sums, each the attribute that reads it.
COUNTS = {
    "gesture_count": "session_gesture_count",
    "rage_gesture_count": "session_rage_gesture_count",
    "responsive_gesture_count": "session_responsive_gesture_count",
    "unresponsive_gesture_count": "session_unresponsive_gesture_count",
    "screen_count": "session_screen_count",
    "unique_screen_count": "session_unique_screen_count",
}
# The stored attributes a row is made of (a rebuild reads only these).
READS: tuple[Path, ...] = tuple(
    sorted(
        {("id",), ("version",), *METRIC_READS}
        | {path for a in ATTRIBUTES.values() for path in a.reads}
        | {path for _, reads, _ in JSON_BASES.values() for path in reads}
    )
)


def document_columns(base: str) -> tuple[str, str, str]:
    """The columns of a JSON base's document (text, leaves, numbers)."""
    return DOCUMENTS[SAME_DOCUMENT.get(base, base)]


def _text(document: Any) -> str | None:
    # As written (1.0 stays 1.0): a group's value is the value stored, as on DynamoDB's path.
    return None if document is None else json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_of(app_id: str, session: Stored, *, deleted: bool = False, compacted: bool = False) -> dict[str, Any]:
    """The row of a stored session (plain values, JSON documents parsed), partition columns included."""
    created = int(session["created_at"])
    first, last = session.get("first_event_at"), session.get("last_event_at")
    number = session.get("session_number")
    row: dict[str, Any] = {
        "app_id": app_id,
        "day": day_of(created),
        "id": str(session["id"]),
        "version": int(session.get("version") or 0),
        "deleted": deleted,
        "compacted": compacted,
        "created_at": created,
        "user_id": session.get("user_id"),
        "session_number": None if number is None else int(number),
        "status": session.get("status"),
        "duration_ms": int(last) - int(first) if first is not None and last is not None else 0,
        "event_names": sorted(ATTRIBUTES["event_name"].get(session)),
        "screen_names": sorted(ATTRIBUTES["session_screen_list"].get(session)),
    }
    row |= {column: int(ATTRIBUTES[name].get(session)) for column, name in COUNTS.items()}
    row |= {name: ATTRIBUTES[name].get(session) for name in STRING_COLUMNS}
    for base, (text, leaves, numbers) in DOCUMENTS.items():
        document = JSON_BASES[base][0](session)
        row[text] = _text(document)
        row[leaves], row[numbers] = leaves_of(document)
    return row
