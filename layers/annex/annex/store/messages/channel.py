"""Deleting a channel with its messages: the channel item and its counter's floor in one
transaction (every message invisible from then on), then the items under the floor, in the time
the request allows."""

from __future__ import annotations

import time
from typing import Any

from boto3.dynamodb.conditions import Key

from annex.errors import NotFound
from annex.store import keys, kvowners
from annex.store.expression import Expression, if_absent, if_exists
from annex.store.keys import PK, SK
from annex.store.messages.items import (
    DELETED,
    FLOOR,
    LAST,
    Channel,
    counter,
    floor,
    partition,
)
from annex.store.retry import attempts, gave_up
from annex.store.table import stale, table, version_of
from annex.store.writes import Tx, batch_write


def delete_channel(channel: Channel, expected: int | None, budget_s: float) -> None:
    """Delete the channel and, with it, its messages and index entries.

    One transaction deletes the channel item and marks its counter deleted with the floor raised to
    the last id, so from then on no message of it is visible and no send can allocate an id. Then
    the items under the floor are deleted, for at most ``budget_s`` seconds: what a huge channel
    leaves is invisible, and the next delete of a channel at this url goes on with it.
    """
    key = counter(channel).key
    probe = Expression()
    only_key = probe.read([probe.n(PK)])
    close = if_exists()
    close.sets += [f"{close.n(FLOOR)} = {close.n(LAST)}", f"{close.n(DELETED)} = {close.v(True)}"]
    for _ in attempts():
        exists = table().get_item(Key=key, ConsistentRead=True, **only_key).get("Item") is not None
        tx = Tx()
        tx.delete(channel.ref.key, if_exists(expected))
        if exists:
            tx.update(key, close)
        else:
            tx.check(key, if_absent())
        rest = kvowners.delete_with_owner(tx, channel.ref)
        reasons = tx.run()
        if reasons is None:
            batch_write(deletes=rest)
            if exists:
                purge(channel, budget_s)
            return
        if reasons[0].get("Code") == "ConditionalCheckFailed":
            old = reasons[0].get("Item")
            if not old:
                raise NotFound(channel.missing)
            raise stale(version_of(old), expected)
    raise gave_up("The channel changed concurrently; retry the request")


def purge(channel: Channel, budget_s: float) -> int:
    """Delete the messages and index entries at or under the floor of a deleted channel (never a
    newer message of a channel created again at the url); how many items, within ``budget_s``."""
    deadline = time.monotonic() + budget_s
    channel_floor = floor(table().get_item(Key=counter(channel).key, ConsistentRead=True).get("Item"))
    messages = partition(channel)
    ranges = [
        Key(PK).eq(messages) & Key(SK).between(keys.message_sk(1), keys.message_sk(max(channel_floor, 1))),
        Key(PK).eq(messages) & Key(SK).begins_with(keys.INDEX_PREFIX),
    ]
    ex = Expression()
    projection = ex.read([ex.n(PK), ex.n(SK), ex.n("message_id")])
    deleted = 0
    for condition in ranges if channel_floor else []:
        kwargs: dict[str, Any] = {"KeyConditionExpression": condition} | projection
        while time.monotonic() < deadline:
            out = table().query(**kwargs)
            items = out.get("Items", [])
            doomed = [{PK: str(i[PK]), SK: str(i[SK])} for i in items if int(str(i["message_id"])) <= channel_floor]
            batch_write(deletes=doomed)
            deleted += len(doomed)
            if "LastEvaluatedKey" not in out:
                break
            kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    return deleted
