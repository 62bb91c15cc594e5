"""Messages of a channel: send, read, list and filter, their sorted_metaarray and meta, delete.

The channel must exist (404 otherwise). ``message_id`` is an integer increasing per channel; the
rules of sorted_metaarray live in ``annex.domain.metaarray``, those of ``meta`` in
``annex.domain.meta``; every write here is one conditional write in ``annex.store.messages``.
"""

from __future__ import annotations

from typing import Any

from annex.core.clock import now_ms
from annex.core.metaarray import MAX_KEYS, MAX_VALUE_BYTES, Items, Mode, check_key
from annex.domain import meta, metaarray
from annex.domain.resources import ChannelRef
from annex.errors import BadRequest, NotFound
from annex.store import keys
from annex.store.keys import Ref
from annex.store.messages import channel as channel_store
from annex.store.messages import items as message_store
from annex.store.messages import listing as list_store
from annex.store.messages import metaarray as metaarray_store
from annex.store.messages import send as send_store

MAX_FILTER_VALUES = 20
CHANNEL_PURGE_SECONDS = 5.0  # of a function's 10 s; what a huge channel leaves is invisible


def parse_id(raw: str) -> int:
    """A message id from a path: a positive signed 64-bit integer, else it names no message (404)."""
    if (
        not (raw.isascii() and raw.isdigit() and len(raw) <= keys.MESSAGE_ID_DIGITS)
        or not 0 < int(raw) <= message_store.MAX_ID
    ):
        raise NotFound(f"Message not found: {raw[:40]} (message ids are positive integers)", code="message_not_found")
    return int(raw)


class MessageRef:
    """A message of a channel of one application: where it lives and how to say it is missing."""

    def __init__(self, channel: ChannelRef, raw_id: str):
        self.channel = channel
        self.message_id = parse_id(raw_id)
        self.ref: Ref = keys.message(channel.app_id, channel.kind, channel.channel_url, self.message_id)
        self.missing = f"Message not found: {channel.kind}/{channel.channel_url}/{self.message_id}"


def view(record: dict[str, Any]) -> dict[str, Any]:
    """A stored message as the API shows it."""
    return {
        "message_id": int(record["message_id"]),
        "channel_url": record["channel_url"],
        "user_id": record["user_id"],
        "message": record["message"],
        "data": record.get("data", ""),
        "sorted_metaarray": metaarray.public(record[message_store.SMA]),
        "meta": record[message_store.META],
        "created_at": int(record["created_at"]),
    }


def send(channel: ChannelRef, fields: dict[str, Any], items: Items) -> dict[str, Any]:
    return view(send_store.send(channel, fields, metaarray.initial(items), now_ms()))


def read(message: MessageRef) -> tuple[dict[str, Any], int]:
    record, version = message_store.read(message)
    return view(record), version


def read_meta(message: MessageRef) -> tuple[dict[str, Any], int]:
    record, version = message_store.read(message)
    document: dict[str, Any] = record[message_store.META]
    return document, version


def list_messages(
    channel: ChannelRef, limit: int, cursor: str | None, key: str | None, values: list[str] | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Oldest first; with ``key`` and ``values``, only messages whose key holds any of the values."""
    if key is None and values is None:
        records, next_cursor = list_store.page(channel, limit, cursor)
    else:
        if key is None or not values:
            raise BadRequest("Filter with both metaarray_key and metaarray_values", code="invalid_filter")
        if len(values) > MAX_FILTER_VALUES:
            raise BadRequest(f"At most {MAX_FILTER_VALUES} metaarray_values", code="invalid_filter")
        for value in values:
            if len(value.encode("utf-8", "surrogatepass")) > MAX_VALUE_BYTES:
                raise BadRequest(f"A value is at most {MAX_VALUE_BYTES} bytes", code="invalid_filter")
        records, next_cursor = list_store.filtered_page(channel, check_key(key), values, limit, cursor)
    return [view(r) for r in records], next_cursor


def create_keys(message: MessageRef, items: Items, expected: int | None) -> dict[str, Any]:
    record, _ = metaarray_store.change_metaarray(
        message, lambda current: metaarray.create_keys(current, items), expected
    )
    return view(record)


def update_values(message: MessageRef, items: Items, mode: Mode, upsert: bool, expected: int | None) -> dict[str, Any]:
    if mode is Mode.ADD:
        record, _ = metaarray_store.change_metaarray(
            message, lambda current: metaarray.add_values(current, items, upsert), expected
        )
    else:
        record, _ = metaarray_store.change_metaarray(
            message, lambda current: metaarray.remove_values(current, items), expected
        )
    return view(record)


def delete_keys(message: MessageRef, names: list[str] | None, expected: int | None) -> dict[str, Any]:
    if not names:
        raise BadRequest("Name the keys to delete: ?keys=a,b", code="invalid_key")
    if len(names) > MAX_KEYS:
        raise BadRequest(f"keys names at most {MAX_KEYS} keys", code="invalid_key")
    wanted = [check_key(name) for name in names]
    record, _ = metaarray_store.change_metaarray(
        message, lambda current: metaarray.delete_keys(current, wanted), expected
    )
    return view(record)


def replace_meta(message: MessageRef, new: dict[str, Any], expected: int | None) -> dict[str, Any]:
    """The message after its meta was replaced by ``new`` (keeping the ``_`` keys)."""
    return view(message_store.change_meta(message, lambda current: meta.replaced(current, new), expected))


def merge_meta(message: MessageRef, patch: dict[str, Any], expected: int | None) -> dict[str, Any]:
    """The meta after ``patch``'s top-level keys were merged into it."""
    document: dict[str, Any] = message_store.change_meta(
        message, lambda current: meta.merged(current, patch), expected
    )[message_store.META]
    return document


def delete(message: MessageRef, expected: int | None) -> None:
    message_store.delete(message, expected)


def delete_channel(channel: ChannelRef, expected: int | None) -> None:
    """The channel with all its data: its item, metadata, metacounter and meta, and its messages
    with their index entries."""
    channel_store.delete_channel(channel, expected, CHANNEL_PURGE_SECONDS)
