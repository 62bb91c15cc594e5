"""A channel's message items (the layout is in the package's docstring): their keys, the record a
message item is, reading a visible message, and the writes to one message outside its
sorted_metaarray (its meta, its delete)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from botocore.exceptions import ClientError

from annex.core.metaarray import Entry
from annex.errors import NotFound
from annex.store import keys
from annex.store.expression import Expression, if_exists
from annex.store.keys import PK, SK, VERSION, Ref
from annex.store.lock import ATTR as LOCK
from annex.store.retry import attempts, gave_up, raise_unless_retryable
from annex.store.table import (
    batch_items,
    failed_item,
    plain,
    reraise_unless_condition_failed,
    stale,
    table,
    version_of,
)
from annex.store.writes import batch_write

LAST, FLOOR, DELETED = "last_message_id", "floor", "deleted"
SMA, META = "sorted_metaarray", "meta"
MAX_ID = 2**63 - 1
_HIDDEN = frozenset({PK, SK, VERSION, LOCK, "channel_type"})


class Channel(Protocol):
    """A channel of one application (``annex.domain.resources.ChannelRef``)."""

    @property
    def app_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def channel_url(self) -> str: ...
    @property
    def ref(self) -> Ref: ...
    @property
    def missing(self) -> str: ...


class MessageRef(Protocol):
    """A message of a channel (``annex.domain.messages.MessageRef``)."""

    @property
    def channel(self) -> Channel: ...
    @property
    def message_id(self) -> int: ...
    @property
    def ref(self) -> Ref: ...
    @property
    def missing(self) -> str: ...


def partition(channel: Channel) -> str:
    return keys.channel_messages(channel.app_id, channel.kind, channel.channel_url)


def counter(channel: Channel) -> Ref:
    return keys.message_counter(channel.app_id, channel.kind, channel.channel_url)


def message(channel: Channel, message_id: int) -> Ref:
    return keys.message(channel.app_id, channel.kind, channel.channel_url, message_id)


def entry_key(channel: Channel, key: str, value: str, message_id: int) -> dict[str, str]:
    return keys.metaarray_entry(channel.app_id, channel.kind, channel.channel_url, key, value, message_id).key


def entry_item(channel: Channel, key: str, value: str, message_id: int) -> dict[str, Any]:
    return entry_key(channel, key, value, message_id) | {"message_id": message_id}


def stored_state(raw: Any) -> dict[str, Entry]:
    """sorted_metaarray as the domain sees it, from the stored map."""
    return {k: Entry(int(v["o"]), tuple(str(x) for x in v["v"])) for k, v in plain(raw or {}).items()}


def stored(entry: Entry) -> dict[str, Any]:
    return {"o": entry.ordinal, "v": list(entry.values)}


def record(item: dict[str, Any]) -> dict[str, Any]:
    """A message item as plain Python: meta parsed, sorted_metaarray as domain entries."""
    out = {k: v for k, v in plain(item).items() if k not in _HIDDEN}
    out[META] = json.loads(str(item[META])) if META in item else {}
    out[SMA] = stored_state(item.get(SMA))
    return out


def version(item: dict[str, Any]) -> int:
    return int(str(item.get(VERSION, 0)))


def get_many(
    wanted: list[dict[str, str]], projection: list[str] | None = None
) -> dict[tuple[str, str], dict[str, Any]]:
    """Items by (PK, SK) (just the ``projection`` attributes, if given), strongly consistent; the
    missing ones left out."""
    request: dict[str, Any] = {"ConsistentRead": True}
    if projection:
        ex = Expression()
        request |= ex.read([ex.n(attr) for attr in [PK, SK, *projection]])
    return {(str(item[PK]), str(item[SK])): item for item in batch_items(wanted, request)}


def floor(counter_item: dict[str, Any] | None) -> int:
    return int(str(counter_item.get(FLOOR, 0))) if counter_item else 0


def visible(ref: MessageRef) -> dict[str, Any]:
    """The stored message, if it is one of its channel's current messages (one BatchGetItem)."""
    channel_counter = counter(ref.channel)
    found = get_many([channel_counter.key, ref.ref.key])
    item = found.get((ref.ref.pk, ref.ref.sk))
    if item is None or ref.message_id <= floor(found.get((channel_counter.pk, channel_counter.sk))):
        raise NotFound(ref.missing, code="message_not_found")
    return item


def read(ref: MessageRef) -> tuple[dict[str, Any], int]:
    """The message and its version (its ETag)."""
    item = visible(ref)
    return record(item), version(item)


def channel_floor(channel: Channel) -> int:
    """The channel's floor; 404 when the channel does not exist (one BatchGetItem)."""
    channel_counter = counter(channel)
    found = get_many([channel.ref.key, channel_counter.key], projection=[FLOOR])  # not the channel's data
    if (channel.ref.pk, channel.ref.sk) not in found:
        raise NotFound(channel.missing)
    return floor(found.get((channel_counter.pk, channel_counter.sk)))


def change_meta(
    ref: MessageRef, change: Callable[[dict[str, Any]], dict[str, Any]], expected: int | None
) -> dict[str, Any]:
    """Replace the meta document with ``change(current)``, conditioned on the version read; the
    message after. A concurrent change makes the write fail and the change is applied again."""
    for _ in attempts():
        item = visible(ref)
        seen = version(item)
        if expected is not None and seen != expected:
            raise stale(seen, expected, "message")
        document = change(json.loads(str(item[META])) if META in item else {})
        ex = if_exists(seen)
        ex.set(META, json.dumps(document, separators=(",", ":"), ensure_ascii=False))
        ex.bump()
        try:
            out = table().update_item(Key=ref.ref.key, ReturnValues="ALL_NEW", **ex.request())
        except ClientError as err:
            raise_unless_retryable(err)
            continue
        return record(out["Attributes"])
    raise gave_up("The message changed concurrently; retry the request")


def delete(ref: MessageRef, expected: int | None) -> None:
    """Delete the message, then its index entries (no message will have its id again, so an entry
    a failure here leaves names nothing)."""
    visible(ref)
    try:
        old = (
            table()
            .delete_item(
                Key=ref.ref.key,
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **if_exists(expected).request(),
            )
            .get("Attributes")
            or {}
        )
    except ClientError as err:
        reraise_unless_condition_failed(err)
        failed = failed_item(err)
        if failed is None:
            raise NotFound(ref.missing, code="message_not_found") from None
        raise stale(version_of(failed), expected, "message") from None
    entries = [
        entry_key(ref.channel, k, v, ref.message_id) for k, e in stored_state(old.get(SMA)).items() for v in e.values
    ]
    batch_write(deletes=entries)
