"""Changes to a message's sorted_metaarray: the domain's ``Plan`` as one conditional write with its
index entries (one ``UpdateItem``, or one transaction with the entries), or, past what one
transaction holds, a change under the message's index lock."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from annex.core.metaarray import MAX_KEYS, MAX_VALUES, Entry, KeyChange, Plan
from annex.errors import Conflict
from annex.store.expression import Expression, if_exists
from annex.store.keys import PK, SK
from annex.store.messages.items import (
    ATTEMPTS,
    LOCK,
    SMA,
    MessageRef,
    conflict,
    entry_item,
    entry_key,
    read,
    record,
    sleep,
    stored,
    stored_state,
    version,
    visible,
    write_many,
)
from annex.store.table import reraise_unless_condition_failed, stale, table
from annex.store.writes import MAX_TRANSACTION_ITEMS, Tx

LOCK_MS = 30_000  # longer than a function may run (10 s), so an expired lock's holder is gone
LOCK_WAIT_S = 5.0  # how long a writer waits for another's lock before answering 409


def _pinned(plan: Plan, expected: int | None) -> Expression:
    """The change with a condition pinning, value by value, exactly what the plan relied on, so
    concurrent changes to other keys or other values of a key do not conflict with it."""
    ex = if_exists()
    ex.absent(ex.n(LOCK))
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
        ex.absent(ex.n(LOCK))
        ex.expect(seen_version)
    else:
        ex.conditions.append(f"{ex.path(LOCK, 'id')} = {ex.v(lock_id)}")
    ex.bump()
    return ex


def _wait_for_lock(message: MessageRef, item: dict[str, Any], deadline: float) -> None:
    """Wait while another writer holds the message's index lock; clear a lock whose holder is gone."""
    lock = item[LOCK]
    if int(str(lock["until"])) <= time.time_ns() // 1_000_000:
        _unlock(message.ref.key, str(lock["id"]))
        return
    if time.monotonic() > deadline:
        raise Conflict("The message is being changed; retry the request", code="concurrent_update")
    time.sleep(random.uniform(0.02, 0.1))


def _unlock(key: dict[str, str], lock_id: str) -> None:
    ex = Expression()
    ex.removes.append(ex.n(LOCK))
    ex.conditions.append(f"{ex.path(LOCK, 'id')} = {ex.v(lock_id)}")
    try:
        table().update_item(Key=key, **ex.request())
    except ClientError as err:
        reraise_unless_condition_failed(err)


def change_metaarray(
    message: MessageRef, planner: Callable[[dict[str, Entry]], Plan], expected: int | None
) -> tuple[dict[str, Any], int]:
    """Apply ``planner``'s plan for the stored sorted_metaarray as one conditional write with its
    index entries; the message after, and its version. A broken pin reads again and re-plans."""
    deadline = time.monotonic() + LOCK_WAIT_S
    attempt = 0
    while attempt < ATTEMPTS:
        item = visible(message)
        if LOCK in item:
            _wait_for_lock(message, item, deadline)
            continue
        seen = version(item)
        if expected is not None and seen != expected:
            raise stale(seen, expected, "message")
        attempt += 1
        if attempt > 1:
            sleep(attempt)
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
                if not conflict(err):
                    reraise_unless_condition_failed(err)
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
    raise Conflict("The sorted_metaarray changed concurrently; retry the request", code="concurrent_update")


def _locked_change(
    message: MessageRef, seen: int, plan: Plan, puts: list[dict[str, Any]], deletes: list[dict[str, str]]
) -> bool:
    """A change with more index work than one transaction holds, under the message's index lock:
    lock (pinned to the version read), put the new entries, apply the change, delete the stale
    entries, unlock. No other sorted_metaarray writer acts meanwhile, so no reader can find a value
    without its entry. False when the lock could not be taken or the change not applied."""
    lock_id = uuid.uuid4().hex
    take = if_exists()
    take.absent(take.n(LOCK))
    take.expect(seen)
    take.set(LOCK, {"id": lock_id, "until": time.time_ns() // 1_000_000 + LOCK_MS})
    try:
        table().update_item(Key=message.ref.key, **take.request())
    except ClientError as err:
        if not conflict(err):
            reraise_unless_condition_failed(err)
        return False
    write_many(puts=puts)
    ex = _whole(plan, None, lock_id)
    if not deletes:
        ex.removes.append(ex.n(LOCK))
    try:
        table().update_item(Key=message.ref.key, **ex.request())
    except ClientError as err:
        reraise_unless_condition_failed(err)
        gone = table().get_item(Key=message.ref.key, ConsistentRead=True).get("Item") is None
        if gone:  # deleted meanwhile: no message will have its id again, so the new entries name nothing
            write_many(deletes=[{PK: p[PK], SK: p[SK]} for p in puts])
        return False
    if deletes:
        write_many(deletes=deletes)
        _unlock(message.ref.key, lock_id)
    return True
