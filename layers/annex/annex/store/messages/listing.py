"""Pages of a channel's messages, oldest first: all of them, or those a filter names, found from
the index entries and re-checked against the stored messages."""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.conditions import Key

from annex.store import cursor as cursor_codec
from annex.store import keys
from annex.store.keys import PK, SK
from annex.store.messages.items import (
    MAX_ID,
    SMA,
    Channel,
    channel_floor,
    get_many,
    message,
    partition,
    record,
    stored_state,
)
from annex.store.pages import MAX_PAGE_BYTES
from annex.store.table import plain, table

MAX_FILTER_READS = 1000  # index candidates one filtered page may read before answering a cursor


def encode_cursor(message_id: int) -> str:
    return cursor_codec.pack_json({"after": message_id})


def decode_cursor(cursor: str | None) -> int:
    """The id a ``next`` cursor goes on after (none, or an empty one: from the start)."""
    if not cursor:
        return 0
    value = cursor_codec.unpack_json(cursor)
    after = value.get("after") if isinstance(value, dict) and set(value) == {"after"} else None
    if type(after) is not int or not 0 <= after <= MAX_ID:
        cursor_codec.invalid()
    return after


def _page(items: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` records, ending early before the page's JSON passes MAX_PAGE_BYTES."""
    shown: list[dict[str, Any]] = []
    size = 0
    for item in items[:limit]:
        size += len(json.dumps(plain(item), separators=(",", ":"), default=str))
        if shown and size > MAX_PAGE_BYTES:
            return shown, encode_cursor(int(shown[-1]["message_id"]))
        shown.append(record(item))
    if len(items) > limit:
        return shown, encode_cursor(int(shown[-1]["message_id"])) if shown else None
    return shown, None


def page(channel: Channel, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """The channel's messages after the cursor, oldest first."""
    after = max(channel_floor(channel), decode_cursor(cursor))
    if after >= MAX_ID:
        return [], None
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key(PK).eq(partition(channel))
        & Key(SK).between(keys.message_sk(after + 1), keys.message_sk(MAX_ID)),
        "ConsistentRead": True,
    }
    found: list[dict[str, Any]] = []
    while len(found) <= limit:
        out = table().query(Limit=limit + 1 - len(found), **kwargs)
        found += out.get("Items", [])
        if "LastEvaluatedKey" not in out:
            break
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    return _page(found, limit)


def _entry_ids(channel: Channel, key: str, value: str, after: int, chunk: int) -> Iterator[int]:
    """The ids of the messages whose index says they hold ``value`` under ``key``, ascending,
    read ``chunk`` entries per request, on demand."""
    prefix = keys.metaarray_prefix(key, value)
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key(PK).eq(partition(channel))
        & Key(SK).between(f"{prefix}{after + 1:0{keys.MESSAGE_ID_DIGITS}d}", f"{prefix}{MAX_ID}"),
        "ConsistentRead": True,
        "Limit": chunk,
    }
    while True:
        out = table().query(**kwargs)
        for item in out.get("Items", []):
            yield int(str(item["message_id"]))
        if "LastEvaluatedKey" not in out:
            return
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]


def filtered_page(
    channel: Channel, key: str, values: list[str], limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Messages whose ``key`` holds any of ``values``, oldest first, from the index: the entries
    of those values, merged by id, then the messages they name, each re-checked as stored."""
    after = max(channel_floor(channel), decode_cursor(cursor))
    if after >= MAX_ID:
        return [], None
    chunk = min(100, limit + 1)
    streams = [_entry_ids(channel, key, value, after, chunk) for value in dict.fromkeys(values)]
    candidates = _distinct(heapq.merge(*streams))  # ascending ids, each once, read on demand
    wanted = set(values)
    kept: list[dict[str, Any]] = []
    read_count = 0
    last_read = after
    while len(kept) <= limit:
        if read_count >= MAX_FILTER_READS:  # a page of mostly stale entries: go on after the last read
            shown, cursor = _page(kept, limit)
            return shown, cursor if len(shown) < len(kept) else encode_cursor(last_read)
        batch = [mid for _, mid in zip(range(min(100, limit + 1 - len(kept))), candidates, strict=False)]
        if not batch:
            break
        read_count += len(batch)
        last_read = batch[-1]
        refs = [message(channel, mid) for mid in batch]
        found = get_many([ref.key for ref in refs])
        for ref in refs:
            item = found.get((ref.pk, ref.sk))
            entry = stored_state(item.get(SMA)).get(key) if item is not None else None
            if item is not None and entry is not None and wanted.intersection(entry.values):
                kept.append(item)  # a stale entry (value removed, message deleted) names nothing
    return _page(kept, limit)


def _distinct(ids: Iterator[int]) -> Iterator[int]:
    """An ascending stream without repeats (a message found under several values counts once)."""
    last = None
    for message_id in ids:
        if message_id != last:
            yield message_id
            last = message_id
