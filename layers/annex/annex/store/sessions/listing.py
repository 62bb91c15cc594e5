"""Reads of lists: a session's events, session list and q index entries merged newest first, the
candidates they name read and kept, a user's numbered sessions and q index ranges."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from boto3.dynamodb.conditions import Key

from annex.store import keys
from annex.store.keys import PK, SK
from annex.store.sessions.items import (
    batch_get,
)
from annex.store.table import table


def events_page(
    app_id: str, session_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The session's stored events, oldest first."""
    partition = keys.session_events(app_id, session_id)
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key(PK).eq(partition),
        "Limit": limit + 1,
        "ConsistentRead": True,
    }
    if cursor is not None:
        kwargs["ExclusiveStartKey"] = {PK: partition, SK: cursor}
    items = table().query(**kwargs).get("Items", [])
    events = [
        {
            "session_id": str(i["session_id"]),
            "user_id": i.get("user_id"),
            "type": i["type"],
            "name": i.get("name"),
            "properties": json.loads(str(i["properties"])) if "properties" in i else None,
            "timestamp": int(str(i["timestamp"])),
            "received_at": int(str(i["received_at"])),
        }
        for i in items[:limit]
    ]
    return events, str(items[limit - 1][SK]) if len(items) > limit else None


def newest_first(
    partitions: list[str], below: str | None, chunk: int, value_prefix: str = "", above: str | None = None
) -> Iterable[tuple[str, dict[str, Any]]]:
    """Entries of several partitions merged newest first by sort key (each ``{prefix}{created}#{id}``),
    strictly below ``below`` and from ``above`` up; reads ``chunk`` entries per partition per request."""
    import heapq

    def stream(partition: str) -> Iterable[tuple[str, dict[str, Any]]]:
        condition: Any = Key(PK).eq(partition)
        if above is not None:
            # "\U0010ffff" sorts after any position; below is then checked entry by entry
            top = value_prefix + (below if below is not None else "\U0010ffff")
            condition = condition & Key(SK).between(value_prefix + above, top)
        elif below is not None and value_prefix:
            condition = condition & Key(SK).between(value_prefix, value_prefix + below)
        elif below is not None:
            condition = condition & Key(SK).lt(below)
        elif value_prefix:
            condition = condition & Key(SK).begins_with(value_prefix)
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
            "Limit": chunk,
            "ConsistentRead": True,
        }
        while True:
            page = table().query(**kwargs)
            for item in page.get("Items", []):
                position = str(item[SK])[len(value_prefix) :]
                if below is None or position < below:
                    yield position, item
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    return heapq.merge(*(stream(p) for p in partitions), key=lambda pair: pair[0], reverse=True)


def collect(
    candidates: Iterable[tuple[str, str]],
    app_id: str,
    keep: Callable[[dict[str, Any]], bool],
    limit: int,
    budget: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """Read candidate sessions ``(position, session_id)`` in order, keep those ``keep`` accepts,
    until ``limit`` are kept (``next`` = the last one's position) or ``budget`` candidates were read
    (``next`` = where reading stopped)."""
    found: list[tuple[str, dict[str, Any]]] = []
    read = 0
    last_position: str | None = None
    iterator = iter(candidates)
    exhausted = False
    while len(found) <= limit and read < budget and not exhausted:
        chunk: list[tuple[str, str]] = []
        for pair in iterator:
            chunk.append(pair)
            if len(chunk) >= min(100, max(limit + 1 - len(found), 10)):
                break
        else:
            exhausted = True
        read += len(chunk)
        sessions = batch_get(app_id, [sid for _, sid in chunk])
        for position, sid in chunk:
            session = sessions.get(sid)
            if session is not None and keep(session):
                found.append((position, session))
                if len(found) > limit:
                    break
        last_position = chunk[-1][0] if chunk else None
    if len(found) > limit:
        return [s for _, s in found[:limit]], found[limit - 1][0]
    if not exhausted and read >= budget and last_position is not None:
        return [s for _, s in found], last_position
    return [s for _, s in found], None


def numbered_sessions(app_id: str, user_id: str, limit: int, below: int | None) -> list[tuple[int, str]]:
    """Up to ``limit`` of the user's sessions as ``(session_number, session_id)``, highest number
    first, those numbered below ``below`` when it is given."""
    partition = keys.user_sessions(app_id, user_id)
    condition = Key(PK).eq(partition) & Key(SK).begins_with("N#")
    if below is not None:
        condition = Key(PK).eq(partition) & Key(SK).between("N#", f"N#{below - 1:010d}")
    items = table().query(KeyConditionExpression=condition, ScanIndexForward=False, Limit=limit, ConsistentRead=True)
    return [(int(str(i[SK])[2:]), str(i["session_id"])) for i in items.get("Items", [])]


def index_range(
    partitions: list[str], low: str, high: str, per_partition: int | None, most: int
) -> tuple[list[tuple[str, str]], bool]:
    """q index entries with sort keys in ``[low, high]`` as ``(position, session id)``: up to
    ``per_partition`` of each partition, or (None) all of them up to ``most`` in all; and whether
    that was every entry of the range."""
    found: list[tuple[str, str]] = []
    for partition in partitions:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key(PK).eq(partition) & Key(SK).between(low, high),
            "ConsistentRead": True,
            "Limit": per_partition or most + 1,
        }
        while True:
            page = table().query(**kwargs)
            found += [
                (keys.position(int(str(i["created_at"])), str(i["target"])), str(i["target"])) for i in page["Items"]
            ]
            if "LastEvaluatedKey" not in page:
                break
            if per_partition is not None or len(found) > most:
                return found, False
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return found, True


def user_entries(app_id: str, user_id: str, most: int) -> list[tuple[int, str]] | None:
    """The user's sessions as ``(created_at, session_id)``; None when there are more than ``most``."""
    found: list[tuple[int, str]] = []
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key(PK).eq(keys.user_sessions(app_id, user_id)) & Key(SK).begins_with("N#"),
        "ConsistentRead": True,
    }
    while True:
        page = table().query(**kwargs)
        found += [(int(str(i["created_at"])), str(i["session_id"])) for i in page.get("Items", [])]
        if len(found) > most:
            return None
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
