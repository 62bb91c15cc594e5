"""Sessions' operations as the handlers ask for them: create, read, change user_metadata, release,
list a session's events, and the sweep of every application. Thin over store/sessions: the rules
that decide a client's answer (a release of an ended session is a 409) are here."""

from __future__ import annotations

from typing import Any

from annex import telemetry
from annex.domain import session_search
from annex.errors import Conflict
from annex.store import sessions as store
from annex.store import tokens


def create(app_id: str, session_id: str, fields: dict[str, Any], user_metadata: Any) -> dict[str, Any]:
    """The new RUNNING session as stored; 409 already_exists."""
    created = store.create(app_id, session_id, fields, user_metadata)
    telemetry.count("SessionsOpened")
    return created


def get(app_id: str, session_id: str) -> dict[str, Any]:
    """The stored session; 404 session_not_found."""
    return store.get(app_id, session_id)


def set_metadata(app_id: str, session_id: str, user_metadata: Any, expected: int | None) -> dict[str, Any]:
    """The session after its user_metadata (and q index entries) became ``user_metadata``."""
    return store.set_metadata(app_id, session_id, user_metadata, expected)


def release(app_id: str, session_id: str, timeout_ms: int, expected: int | None) -> dict[str, Any]:
    """The session after RUNNING → COMPLETED (a COMPLETED one as it is); an ERROR or TIMED_OUT
    session cannot be released: 409 session_ended."""
    released = store.release(app_id, session_id, timeout_ms, expected)
    if released.ended is not None:
        raise Conflict(f"The session has ended ({released.ended})", code="session_ended")
    return released.session


def events(app_id: str, session_id: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the session's stored events, oldest first, and the next page's cursor; 404 for a
    session that does not exist (read only when the page is empty: events exist only for sessions)."""
    found, after = store.events_page(app_id, session_id, limit, session_search.decode_event_cursor(cursor))
    if not found:
        store.get(app_id, session_id)
    return found, session_search.encode_event_cursor(after)


def sweep(timeout_ms: int) -> int:
    """Store TIMED_OUT on every application's sessions idle past the timeout; how many."""
    swept = sum(store.sweep(app_id, timeout_ms) for app_id in tokens.application_ids())
    telemetry.count("SessionsTimedOut", swept)
    return swept
