"""Session rules: the lifecycle, the inactivity timeout, and what a batch of events does to a session.

Lifecycle (docs/data-model.md has the diagram)::

    (create or first event) -> RUNNING -> COMPLETED   release ({"status": "REQUEST_RELEASE"})
                                       -> ERROR       a crash event
                                       -> TIMED_OUT   no activity for the timeout

RUNNING is the only state that changes. TIMED_OUT needs no write to be true: a RUNNING session
whose last activity is older than the timeout reads as TIMED_OUT everywhere (``view``); the
sweep only stores what reads already say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annex.core.clock import DAY_MS
from annex.core.sessions import (
    MAX_SESSION_ID_CHARS,
    MAX_USER_METADATA_CHARS,
    RUNNING,
    TIMED_OUT,
    Delta,
    compact_length,
    distinct,
)
from annex.errors import NotFound

FUTURE_SKEW_MS = 5 * 60 * 1000  # an event may be stamped at most this far ahead of the server's clock
# A session's share of a batch is applied in writes of at most this many events: one DynamoDB
# transaction holds 100 items (the session's update, (opening it) its list entry and day counter, a
# user's counter and numbered entry, an identify's index entries, one item per event, one for its new
# screens and one for its new distinct names), so a 100-event batch for one session takes two.
MAX_EVENTS_PER_WRITE = 80
DEVICE_FIELDS = (
    "app_version",
    "class",
    "id",
    "manufacturer",
    "model",
    "os_version",
    "platform",
    "browser_name",
    "browser_version",
    "os_name",
    "type",
    "sdk_version",
)
LOCATION_FIELDS = ("country", "country_code", "city")
PAGE_FIELDS = ("url", "referer", "utm")


def possible_id(session_id: str) -> str:
    """A session id from a path; one that no session can have names nothing (404, no read)."""
    if not 1 <= len(session_id) <= MAX_SESSION_ID_CHARS:
        raise NotFound(f"Session not found (ids are 1 to {MAX_SESSION_ID_CHARS} characters)", code="session_not_found")
    return session_id


def timed_out(status: str, active_at: int, now: int, timeout_ms: int) -> bool:
    return status == RUNNING and active_at + timeout_ms <= now


def started_at(delta: Delta, now: int) -> int:
    """When a session its events open began: at its first event (buffered events may predate now)."""
    return min(now, delta.first_at) if delta.first_at is not None else now


def view(stored: dict[str, Any], now: int, timeout_ms: int) -> dict[str, Any]:
    """The session as the API shows it at ``now``: status and ``ended_at`` as the timeout says."""
    status, ended_at = stored["status"], stored.get("ended_at")
    if timed_out(status, stored["active_at"], now, timeout_ms):
        status, ended_at = TIMED_OUT, stored["active_at"] + timeout_ms
    first, last = stored.get("first_event_at"), stored.get("last_event_at")
    return {
        "id": stored["id"],
        "status": status,
        "user_id": stored.get("user_id"),
        "user_metadata": stored.get("user_metadata"),
        "device": {k: stored.get("device", {}).get(k) for k in DEVICE_FIELDS},
        "location": {k: stored.get("location", {}).get(k) for k in LOCATION_FIELDS},
        "page": {k: stored.get("page", {}).get(k) for k in PAGE_FIELDS},
        "created_at": stored["created_at"],
        "updated_at": stored["updated_at"],
        "ended_at": ended_at,
        "last_event_at": last,
        "session_number": stored.get("session_number"),
        "duration_s": round((last - first) / 1000, 3) if first is not None and last is not None else 0.0,
        "event_count": stored.get("event_count", 0),
        "screen_count": stored.get("screen_count", 0),
        "unique_screen_count": distinct(stored, "screen_set"),
        "gesture_count": stored.get("gesture_count", 0),
        "rage_gesture_count": stored.get("rage_gesture_count", 0),
        "responsive_gesture_count": stored.get("responsive_gesture_count", 0),
        "unresponsive_gesture_count": stored.get("unresponsive_gesture_count", 0),
        "event_names": sorted(stored.get("event_name_set", ())),
        "screens": list(stored.get("screens", ())),
    }


@dataclass
class Plan:
    """A batch sorted out: the rejections known before any write, and one Delta per session."""

    deltas: dict[str, list[Delta]] = field(default_factory=dict)  # per session, applied in order
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, index: int, code: str, message: str) -> None:
        self.rejected.append({"index": index, "code": code, "message": message})


def plan(valid: list[tuple[int, dict[str, Any]]], now: int, max_age_ms: int) -> Plan:
    """Group valid events by session, in batch order. Events after a session's crash in the same
    batch are rejected (the crash ended it), as are user ids that contradict an earlier event's,
    and timestamps ahead of the clock or older than the events are kept (``max_age_ms``)."""
    out = Plan()
    for index, event in valid:
        if event["timestamp"] > now + FUTURE_SKEW_MS:
            out.reject(index, "invalid_timestamp", "timestamp is more than 5 minutes ahead of the server's clock")
            continue
        if event["timestamp"] < now - max_age_ms:
            days = max_age_ms // DAY_MS
            out.reject(index, "invalid_timestamp", f"timestamp is older than the {days} days events are kept")
            continue
        if event["type"] == "track" and not event.get("name"):
            out.reject(index, "invalid_event", "a track event needs a name")
            continue
        if event["type"] == "identify" and compact_length(event.get("properties")) > MAX_USER_METADATA_CHARS:
            out.reject(index, "invalid_event", "identify properties become user_metadata: at most 512 characters")
            continue
        chain = out.deltas.setdefault(event["session_id"], [Delta(event["session_id"])])
        delta = chain[-1]
        if delta.crashed_at is not None:
            out.reject(index, "session_ended", "the session ended with a crash earlier in this batch")
            continue
        user_id = next((d.user_id for d in chain if d.user_id is not None), None)
        if event.get("user_id") is not None and user_id not in (None, event["user_id"]):
            out.reject(index, "user_mismatch", "the session belongs to another user_id earlier in this batch")
            continue
        if len(delta.events) >= MAX_EVENTS_PER_WRITE:
            delta = Delta(event["session_id"])
            chain.append(delta)
        delta.add(index, event)
    return out
