"""Change events: what changed in a record, from the table stream's old and new images.

Every change to a key of ``metadata`` or ``metacounter`` and to the ``meta`` document of a user or
channel becomes one event ``{app_id, resource, id, field, before, after, at}``; ``field`` is
``metadata.<key>``, ``metacounter.<key>`` or ``meta``. A message (``id`` =
``{channel_type}/{channel_url}/{message_id}``) reports each changed key of its sorted_metaarray
(``sorted_metaarray.<key>``, before and after its list of values) and its ``meta``. Creating or
deleting a record reports its non-empty fields coming or going. A session reports ``status`` and
``user_metadata``. Bookkeeping items (index entries, counters, locks) report nothing.

On the bus (``bus_batches``) events go in requests of at most 10 entries and 256 KB, measured as
EventBridge measures them; an event that alone would not fit leaves out its ``before`` (then its
``after``) value and names it in ``omitted``: the record as it is now is one GET away.
"""

from __future__ import annotations

import json
from typing import Any

from annex.store.keys import MESSAGE_PREFIX, application_of, kv_key_of, owner_of
from annex.store.table import plain

TRACKED_MAPS = ("metadata", "metacounter")  # as a record item held them before annex-admin migrate
KV_VALUES = {"metadata": "v", "metacounter": "n"}  # where a key item holds its value


def _resource(image: dict[str, Any]) -> tuple[str, str] | None:
    if kv_key_of(str(image.get("SK", ""))) is not None:  # one metadata or metacounter key of its owner
        return owner_of(str(image["PK"]))
    if "user_id" in image and image.get("SK") == "USER":
        return "user", str(image["user_id"])
    if "channel_url" in image and image.get("SK") == "CHANNEL":
        return "channel", f"{image['channel_type']}/{image['channel_url']}"
    if image.get("SK") == "SESSION":
        return "session", str(image["id"])
    if str(image.get("SK", "")).startswith(MESSAGE_PREFIX) and "message_id" in image:
        return "message", f"{image['channel_type']}/{image['channel_url']}/{image['message_id']}"
    return None


def _metaarray(image: dict[str, Any] | None) -> dict[str, list[str]]:
    """A message's sorted_metaarray, key → values, from its stored map ``{key: {"o", "v"}}``."""
    stored = (image or {}).get("sorted_metaarray") or {}
    return {key: list(entry.get("v", [])) for key, entry in stored.items()}


def _session_changes(base: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """A session's status and user_metadata (its counters change with every event: not published)."""
    events = []
    if old.get("status") != new.get("status"):
        events.append(base | {"field": "status", "before": old.get("status"), "after": new.get("status")})
    before, after = (json.loads(i["user_metadata"]) if "user_metadata" in i else None for i in (old, new))
    if before != after:
        events.append(base | {"field": "user_metadata", "before": before, "after": after})
    return events


def _meta(image: dict[str, Any] | None) -> Any:
    raw = (image or {}).get("meta")
    return json.loads(raw) if isinstance(raw, str) else None


def changes(old: dict[str, Any] | None, new: dict[str, Any] | None, at: int) -> list[dict[str, Any]]:
    """The change events between two images of one item (either may be None)."""
    image = new or old
    if image is None:
        return []
    resource = _resource(image)
    if resource is None:
        return []
    base = {"app_id": application_of(str(image["PK"])), "resource": resource[0], "id": resource[1], "at": at}
    if resource[0] == "session":
        return _session_changes(base, old or {}, new or {})
    kv = kv_key_of(str(image["SK"]))
    if kv is not None:
        before, after = ((i or {}).get(KV_VALUES[kv[0]]) for i in (old, new))
        return [base | {"field": f"{kv[0]}.{kv[1]}", "before": before, "after": after}] if before != after else []
    events = []
    if resource[0] == "message":
        before_array, after_array = _metaarray(old), _metaarray(new)
        for key in sorted(set(before_array) | set(after_array)):
            if before_array.get(key) != after_array.get(key):
                change = {"before": before_array.get(key), "after": after_array.get(key)}
                events.append(base | {"field": f"sorted_metaarray.{key}"} | change)
    for field in TRACKED_MAPS:
        before, after = (old or {}).get(field) or {}, (new or {}).get(field) or {}
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                events.append(base | {"field": f"{field}.{key}", "before": before.get(key), "after": after.get(key)})
    before_meta, after_meta = _meta(old), _meta(new)
    if before_meta != after_meta and (before_meta or after_meta):
        events.append(base | {"field": "meta", "before": before_meta, "after": after_meta})
    return events


def stream_changes(old: dict[str, Any] | None, new: dict[str, Any] | None, at: int) -> list[dict[str, Any]]:
    """``changes`` of a stream record's images as the stream gives them (DynamoDB's number types)."""
    return changes(plain(old) or None, plain(new) or None, at)


SOURCE = "annex"
# EventBridge's PutEvents: at most 10 entries a request, and 256 KB of entries, each measured as the
# UTF-8 bytes of its Source, DetailType and Detail plus 14 for its Time.
MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024
_TIME_BYTES = 14


def entry_size(detail_type: str, detail: str) -> int:
    """An entry's size as EventBridge counts it against ``MAX_REQUEST_BYTES``."""
    return _TIME_BYTES + sum(len(text.encode("utf-8", "surrogatepass")) for text in (SOURCE, detail_type, detail))


def bus_entry(event: dict[str, Any]) -> tuple[str, str]:
    """An event's ``(DetailType, Detail)``, small enough for a request of its own."""
    detail_type = f"{event['resource']}.{event['field'].split('.')[0]}"
    omitted: list[str] = []
    while True:
        shown = event | {name: None for name in omitted} | ({"omitted": omitted} if omitted else {})
        detail = json.dumps(shown, default=str, ensure_ascii=False, separators=(",", ":"))
        if entry_size(detail_type, detail) <= MAX_REQUEST_BYTES or len(omitted) == 2:
            return detail_type, detail
        omitted.append("after" if omitted else "before")


def bus_batches(events: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    """The events' entries (``bus_entry``) in order, grouped into requests EventBridge takes."""
    batches: list[list[tuple[str, str]]] = []
    size = 0
    for detail_type, detail in map(bus_entry, events):
        grows = entry_size(detail_type, detail)
        if not batches or len(batches[-1]) == MAX_ENTRIES or size + grows > MAX_REQUEST_BYTES:
            batches.append([])
            size = 0
        batches[-1].append((detail_type, detail))
        size += grows
    return batches
