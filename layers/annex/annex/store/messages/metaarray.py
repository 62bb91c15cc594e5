"""Changes to a message's sorted_metaarray: the domain's ``Plan`` as one conditional write with its
index entries (one ``UpdateItem``, or one transaction with the entries), or, past what one
transaction holds, a change under the message's index lock (``store/lock.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from annex.core.metaarray import MAX_KEYS, MAX_VALUES, Entry, KeyChange, Plan
from annex.store import lock
from annex.store.expression import Expression, if_exists
from annex.store.keys import PK, SK
from annex.store.messages.items import (
    SMA,
    MessageRef,
    entry_item,
    entry_key,
    read,
    record,
    stored,
    stored_state,
    version,
    visible,
)
from annex.store.retry import ATTEMPTS, backoff, gave_up, raise_unless_retryable
from annex.store.table import reraise_unless_condition_failed, stale, table
from annex.store.writes import MAX_TRANSACTION_ITEMS, Tx, batch_write


def _pinned(plan: Plan, expected: int | None) -> Expression:
    """The change with a condition pinning, value by value, exactly what the plan relied on, so
    concurrent changes to other keys or other values of a key do not conflict with it."""
    ex = if_exists()
    lock.free(ex)
    for change in plan.changes:
        _pin_change(ex, ex.path(SMA, change.key), change)
    for key in plan.absent:
        ex.absent(ex.path(SMA, key))
    if plan.created:
        ex.conditions.append(f"size({ex.n(SMA)}) <= {ex.v(MAX_KEYS - plan.created)}")
    ex.expect(expected)
    ex.bump()
    return ex


def _pin_change(ex: Expression, path: str, change: KeyChange) -> None:
    before, after = change.before, change.after
    values = f"{path}.{ex.n('v')}"
    if before is None and after is not None:
        ex.sets.append(f"{path} = {ex.v(stored(after))}")
        ex.absent(path)
        return
    if before is not None and after is None:
        ex.removes.append(path)
        ex.conditions.append(f"size({values}) = {ex.v(len(before.values))}")
        return
    for value in change.present:
        ex.conditions.append(f"contains({values}, {ex.v(value)})")
    if change.added:
        ex.sets.append(f"{values} = list_append({values}, {ex.v(change.added)})")
        ex.conditions.append(f"size({values}) <= {ex.v(MAX_VALUES - len(change.added))}")
        ex.conditions += [f"NOT contains({values}, {ex.v(value)})" for value in change.added]
    assert before is not None
    for position in change.removed:
        ex.removes.append(f"{values}[{position}]")
        ex.conditions.append(f"{values}[{position}] = {ex.v(before.values[position])}")
    if change.present and not change.added and not change.removed:
        ex.exists(path)


def _whole(plan: Plan, seen_version: int | None, lock_id: str | None = None) -> Expression:
    """The change as whole-key SETs and REMOVEs, conditioned on the version read (or on holding
    the lock ``lock_id``)."""
    ex = if_exists()
    for change in plan.effective:
        path = ex.path(SMA, change.key)
        if change.after is None:
            ex.removes.append(path)
        else:
            ex.sets.append(f"{path} = {ex.v(stored(change.after))}")
    if lock_id is None:
        lock.free(ex)
        ex.expect(seen_version)
    else:
        lock.holding(ex, lock_id)
    ex.bump()
    return ex


def change_metaarray(
    message: MessageRef, planner: Callable[[dict[str, Entry]], Plan], expected: int | None
) -> tuple[dict[str, Any], int]:
    """Apply ``planner``'s plan for the stored sorted_metaarray as one conditional write with its
    index entries; the message after, and its version. A broken pin reads again and re-plans."""
    waiter = lock.Waiter("message")
    for attempt in range(1, ATTEMPTS + 1):
        # another writer's locked change under way: wait for it; an expired lock's holder is gone,
        # and readers tolerate the stale entries it may leave, so recovering it is removing it
        item = waiter.free(lambda: visible(message), lambda held: lock.unlock(message.ref.key, lock.lock_id(held)))
        assert item is not None  # visible() answers the message or raises 404
        seen = version(item)
        if expected is not None and seen != expected:
            raise stale(seen, expected, "message")
        if attempt > 1:
            backoff(attempt)
        plan = planner(stored_state(item.get(SMA)))
        if not plan.effective:
            return record(item), seen
        puts = [entry_item(message.channel, k, v, message.message_id) for k, v in plan.index_puts()]
        deletes = [entry_key(message.channel, k, v, message.message_id) for k, v in plan.index_deletes()]
        if len(puts) + len(deletes) + 1 > MAX_TRANSACTION_ITEMS:
            if _locked_change(message, seen, plan, puts, deletes):
                return read(message)
            continue
        ex = _pinned(plan, expected)
        if not ex.fits():
            ex = _whole(plan, seen)
        if not puts and not deletes:
            try:
                out = table().update_item(Key=message.ref.key, ReturnValues="ALL_NEW", **ex.request())
            except ClientError as err:
                raise_unless_retryable(err)
                continue
            return record(out["Attributes"]), version(out["Attributes"])
        tx = Tx()
        tx.update(message.ref.key, ex)
        for put in puts:
            tx.put(put)
        for key in deletes:
            tx.delete(key)
        if tx.run() is None:
            return read(message)
    raise gave_up("The sorted_metaarray changed concurrently; retry the request")


def _locked_change(
    message: MessageRef, seen: int, plan: Plan, puts: list[dict[str, Any]], deletes: list[dict[str, str]]
) -> bool:
    """A change with more index work than one transaction holds, under the message's index lock:
    lock (pinned to the version read), put the new entries, apply the change, delete the stale
    entries, unlock. No other sorted_metaarray writer acts meanwhile, so no reader can find a value
    without its entry. False when the lock could not be taken or the change not applied."""
    take = if_exists()
    lock_id = lock.take(take)
    take.expect(seen)
    try:
        table().update_item(Key=message.ref.key, **take.request())
    except ClientError as err:
        raise_unless_retryable(err)
        return False
    batch_write(puts=puts)
    ex = _whole(plan, None, lock_id)
    if not deletes:
        lock.release(ex)
    try:
        table().update_item(Key=message.ref.key, **ex.request())
    except ClientError as err:
        reraise_unless_condition_failed(err)
        gone = table().get_item(Key=message.ref.key, ConsistentRead=True).get("Item") is None
        if gone:  # deleted meanwhile: no message will have its id again, so the new entries name nothing
            batch_write(deletes=[{PK: p[PK], SK: p[SK]} for p in puts])
        return False
    if deletes:
        batch_write(deletes=deletes)
        lock.unlock(message.ref.key, lock_id)
    return True
