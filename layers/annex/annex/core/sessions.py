"""A session's statuses, what its item keeps of its names, and a batch's share of events for one
session (``Delta``): shared by the rules (domain/sessions.py) and the store that applies them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

RUNNING, COMPLETED, TIMED_OUT, ERROR = "RUNNING", "COMPLETED", "TIMED_OUT", "ERROR"

# What a session shows of its names (names are at most 128 characters): the first SCREENS_KEPT
# screens in order, and the first DISTINCT_KEPT distinct screens and event names. They are kept in
# items of their own next to the session item (store/sessions/names.py), which counts the distinct
# names exactly however many there are (``distinct``).
SCREENS_KEPT = 200
DISTINCT_KEPT = 200


def distinct_counter(set_name: str) -> str:
    """The session attribute that counts the distinct names of ``set_name`` (``screen_set``,
    ``event_name_set``), every one of them (store/sessions/names.py)."""
    return f"{set_name}_count"


def distinct(session: dict[str, Any], set_name: str) -> int:
    """How many distinct names of ``set_name`` a stored session has seen."""
    return int(session.get(distinct_counter(set_name)) or 0)


CONTEXT = ("device", "location", "page")  # what POST /sessions and an event's ``context`` say


def compact(value: Any) -> Any:
    """A context map without its unset leaves (None, and maps left empty)."""
    if not isinstance(value, dict):
        return value
    out = {k: compact(v) for k, v in value.items() if v is not None}
    return {k: v for k, v in out.items() if v != {}}


def fill(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``old`` with the leaves of ``new`` it does not have yet (what it has is kept)."""
    out = dict(old)
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = fill(out[key], value)
        elif out.get(key) is None:
            out[key] = value
    return out


def merged(old: Any, properties: Any) -> Any:
    """user_metadata after an identify's ``properties``: an object's top-level keys merge into an
    object; any other value (null: nothing to merge) leaves or replaces it as it is."""
    if properties is None:
        return old
    if isinstance(old, dict) and isinstance(properties, dict):
        return old | properties
    return properties


@dataclass
class Delta:
    """What one batch's accepted events do to one session: applied as one conditional write."""

    session_id: str
    indexes: list[int] = field(default_factory=list)  # positions in the batch
    events: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    screens: list[str] = field(default_factory=list)
    event_names: set[str] = field(default_factory=set)
    first_at: int | None = None
    last_at: int | None = None
    crashed_at: int | None = None
    user_id: str | None = None
    identify: bool = False
    user_metadata: Any = None  # what identify events merge into user_metadata (top-level keys)
    context: dict[str, Any] = field(default_factory=dict)  # device, location, page: first value wins

    def add(self, index: int, event: dict[str, Any]) -> None:
        self.indexes.append(index)
        self.events.append(event)
        kind, name, at = event["type"], event.get("name"), event["timestamp"]
        self._count("event_count")
        if kind == "screen":
            self._count("screen_count")
            if name is not None:
                self.screens.append(name)
        elif kind == "track" and name is not None:
            self.event_names.add(name)
        elif kind == "gesture":
            self._count("gesture_count")
            found = event.get("properties")
            properties: dict[str, Any] = found if isinstance(found, dict) else {}
            if properties.get("rage") is True:
                self._count("rage_gesture_count")
            responsive = properties.get("responsive") is not False
            self._count("responsive_gesture_count" if responsive else "unresponsive_gesture_count")
        elif kind == "crash":
            self.crashed_at = at
        elif kind == "identify":
            self.identify = True
            self.user_metadata = merged(self.user_metadata, event.get("properties"))
        if event.get("context"):
            self.context = fill(self.context, compact(event["context"]))
        if event.get("user_id") is not None:
            self.user_id = event["user_id"]
        self.first_at = at if self.first_at is None else min(self.first_at, at)
        self.last_at = at if self.last_at is None else max(self.last_at, at)

    def without_user(self) -> Delta:
        """This share without the events that name a user (what is left when the session's user
        is another one)."""
        rest = Delta(self.session_id)
        for index, event in zip(self.indexes, self.events, strict=True):
            if event.get("user_id") is None:
                rest.add(index, event)
        return rest

    def _count(self, counter: str) -> None:
        self.counts[counter] = self.counts.get(counter, 0) + 1


# The API's limits of a session (the models check them; the store relies on them).
MAX_USER_METADATA_CHARS = 512
# Session ids are at most 128 characters (512 UTF-8 bytes): they end the sort keys of the session's
# list and index entries, which DynamoDB caps at 1,024 bytes.
MAX_SESSION_ID_CHARS = 128
RESERVED_SESSION_IDS = frozenset({"analytics"})  # GET /sessions/analytics is the analytics route
MAX_PROPERTIES_CHARS = 8192
MAX_NAME_CHARS = 128  # screens and event names (what a session shows of them: SCREENS_KEPT, DISTINCT_KEPT)


def compact_length(value: Any) -> int:
    """Characters of the value's compact JSON (as JSON.stringify writes it)."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
