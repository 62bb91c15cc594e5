"""Sending a message: its id from the channel's counter, then the message with its index entries."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from botocore.exceptions import ClientError

from annex.core.metaarray import Entry
from annex.errors import Conflict, NotFound
from annex.store.expression import Expression, if_absent, if_exists
from annex.store.keys import VERSION, first_version
from annex.store.messages.items import (
    DELETED,
    FLOOR,
    LAST,
    META,
    SMA,
    Channel,
    counter,
    entry_item,
    message,
    record,
    stored,
)
from annex.store.retry import attempts, condition_failed, gave_up
from annex.store.table import THROTTLING_CODES, failed_item, table
from annex.store.writes import MAX_TRANSACTION_ITEMS, Tx, batch_write


def _open_counter(channel: Channel, old: dict[str, Any] | None) -> None:
    """Create the channel's counter, or clear the deleted mark of a re-created channel's counter,
    in a transaction that checks the channel exists (404 otherwise)."""
    key = counter(channel).key
    tx = Tx()
    tx.check(channel.ref.key, if_exists())
    if old is None:
        tx.put(key | {LAST: 0}, if_absent())
    else:
        reopen = Expression()
        reopen.removes.append(reopen.n(DELETED))
        reopen.exists(reopen.n(DELETED))
        tx.update(key, reopen)
    reasons = tx.run()
    if reasons is not None and reasons[0].get("Code") == "ConditionalCheckFailed":
        raise NotFound(channel.missing)


def allocate(channel: Channel) -> int:
    """The channel's next message id: one ``ADD`` on its counter, so concurrent sends get distinct,
    increasing ids. An id whose send then fails stays unused (ids can have gaps)."""
    ex = if_exists()
    ex.absent(ex.n(DELETED))
    ex.add(LAST, 1)
    for _ in attempts():
        try:
            out = table().update_item(
                Key=counter(channel).key,
                ReturnValues="UPDATED_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **ex.request(),
            )
            return int(str(out["Attributes"][LAST]))
        except ClientError as err:
            if condition_failed(err):
                _open_counter(channel, failed_item(err))
    raise gave_up("The channel changed concurrently; retry the request")


def send(channel: Channel, fields: dict[str, Any], state: dict[str, Entry], now: int) -> dict[str, Any]:
    """Store a new message with the next id, and its index entries; the message record."""
    message_id = allocate(channel)
    item = message(channel, message_id).key | {
        "message_id": message_id,
        "channel_type": channel.kind,
        "channel_url": channel.channel_url,
        **{k: v for k, v in fields.items() if k != META},
        META: json.dumps(fields.get(META) or {}, separators=(",", ":"), ensure_ascii=False),
        SMA: {k: stored(e) for k, e in state.items()},
        "created_at": now,
        VERSION: first_version(),
    }
    entries = [entry_item(channel, k, v, message_id) for k, e in state.items() for v in e.values]
    if len(entries) >= MAX_TRANSACTION_ITEMS:
        # More than one transaction holds: the entries go first (an entry whose message does not
        # exist yet names nothing), then the message, so no reader sees it without them.
        batch_write(puts=entries)
        table().put_item(Item=item, **if_absent().request())
        return record(item)
    try:
        _put_with_entries(item, entries)
    except (ClientError, Conflict) as err:
        if isinstance(err, Conflict) or err.response.get("Error", {}).get("Code") in _NOT_APPLIED:
            _give_back(channel, message_id)
        raise
    return record(item)


# Failures that say the write was not applied (a timeout or a 500 may hide one that was).
_NOT_APPLIED = THROTTLING_CODES | {"ConditionalCheckFailedException", "TransactionCanceledException"}


def _put_with_entries(item: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    """The message and its entries in one transaction (or just the message, in one PutItem)."""
    if not entries:
        table().put_item(Item=item, **if_absent().request())
        return
    tx = Tx()
    tx.put(item, if_absent())
    for entry in entries:
        tx.put(entry)
    for _ in attempts():
        reasons = tx.run()
        if reasons is None:
            return
        if reasons[0].get("Code") == "ConditionalCheckFailed":
            break  # the id is taken: cannot happen with ADD-allocated ids
    raise gave_up("The message could not be stored; retry the request")


def _give_back(channel: Channel, message_id: int) -> None:
    """Return an id whose message was certainly not stored, if no later send took one since, so a
    refused send leaves no gap (best effort: a gap is harmless)."""
    ex = Expression()
    ex.add(LAST, -1)
    last, floor = ex.n(LAST), ex.n(FLOOR)
    ours = ex.v(message_id)
    # and never below the floor a delete of the channel raised meanwhile
    ex.conditions.append(f"{last} = {ours} AND (attribute_not_exists({floor}) OR {floor} < {ours})")
    with contextlib.suppress(ClientError):
        table().update_item(Key=counter(channel).key, **ex.request())
