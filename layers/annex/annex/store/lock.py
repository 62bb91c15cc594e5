"""The index lock: one protocol for a change whose index entries do not fit in one transaction.

A change of an item (a session's ``user_metadata``, a user's or channel's ``meta``, a message's
``sorted_metaarray``) moves its index entries in the same ``TransactWriteItems`` when they fit in
its 100 items. When they do not, the writer takes the item's ``index_lock`` and works in steps no
reader can see half of (store/docindex.py for the JSON documents):

1. ``take``: an update of the item that sets ``index_lock = {id, until, note?}``, conditioned on
   no lock (``free``) and on what the writer read (its version or the value it diffed);
2. put the new entries (an extra entry is harmless: readers re-check every candidate);
3. apply the change, conditioned on still holding the lock (``holding``), the lock removed in the
   same update when nothing is left to delete (``release``);
4. delete the stale entries, then ``unlock``.

Other writers of the item that find a lock wait for it (``Waiter.free``); one that finds it expired
recovers it with the owner's ``recover``: the document stores (sessions, meta) make every entry the
lock lists in ``touched`` agree with the stored value (a reconciling recover); the message store,
whose readers tolerate stale entries, just removes it. ``note`` is what the owner needs to
reconcile, kept small so the item stays far under DynamoDB's 400 KB: the document stores note the
value it moves from and the value it moves to (at most 512 characters, or 8 KiB for meta, each) and
recomputes the entries both have, rather than listing every entry key (which reached 229 KB). The
protocol never reads it.

**The timeout rule.** A lock expires ``EXPIRY_MS`` after it was taken, and ``EXPIRY_MS`` is longer
than the timeout of every Lambda function that can take one (template.yaml: the sessions function
29 s, the events and messages functions 10 s; the sweeper, 300 s, never takes one). So when a
lock has expired its holder has certainly stopped, and the next writer recovers it instead of
racing it; a holder that somehow outlived it finds its step 3 condition failing and starts over.
A function whose timeout grows past ``EXPIRY_MS``, or a new holder, must raise ``EXPIRY_MS`` with
it (tests/infra checks the template against it). A writer waits for a live lock at most
``WAIT_S``, well inside a 10 s function, then answers 409 ``concurrent_update`` (retryable).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from annex import telemetry
from annex.core.clock import now_ms
from annex.errors import Conflict
from annex.store.expression import Expression
from annex.store.retry import raise_unless_retryable
from annex.store.table import table

ATTR = "index_lock"
EXPIRY_MS = 30_000  # > the longest timeout of a function that can hold a lock (29 s): see above
WAIT_S = 5.0  # how long a writer waits for a live lock before answering 409

Item = dict[str, Any]
Key = dict[str, str]


def new(note: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """A fresh lock: its id and the value to store in ``index_lock`` (with the owner's ``note``, if any)."""
    lock_id = uuid.uuid4().hex
    value: dict[str, Any] = {"id": lock_id, "until": now_ms() + EXPIRY_MS}
    if note is not None:
        value["note"] = note
    return lock_id, value


def take(ex: Expression, note: dict[str, Any] | None = None) -> str:
    """Add to ``ex`` the setting of a new lock, conditioned on the item holding none; its id."""
    lock_id, value = new(note)
    ex.set(ATTR, value)
    free(ex)
    return lock_id


def free(ex: Expression) -> None:
    """Condition ``ex`` on the item holding no lock."""
    ex.conditions.append(f"attribute_not_exists({ex.n(ATTR)})")


def holding(ex: Expression, lock_id: str) -> None:
    """Condition ``ex`` on the item still holding the lock ``lock_id`` (nobody recovered it)."""
    ex.conditions.append(f"{ex.n(ATTR)}.{ex.n('id')} = {ex.v(lock_id)}")


def release(ex: Expression) -> None:
    """Remove the lock in the same update as ``ex`` (its last step)."""
    ex.removes.append(ex.n(ATTR))


def held(item: Item) -> bool:
    return ATTR in item


def expired(item: Item, now: int | None = None) -> bool:
    """Whether the item holds a lock whose holder has certainly stopped (see the timeout rule)."""
    return ATTR in item and int(str(item[ATTR]["until"])) <= (now_ms() if now is None else now)


def lock_id(item: Item) -> str:
    return str(item[ATTR]["id"])


def note(item: Item) -> dict[str, Any]:
    """What the owner of the item's lock noted when it took it (``{}`` for none)."""
    return dict(item[ATTR].get("note") or {})


def unlock(key: Key, lock_id: str) -> None:
    """Remove the lock ``lock_id`` from the item at ``key``; nothing if it is gone already."""
    ex = Expression()
    release(ex)
    holding(ex, lock_id)
    try:
        table().update_item(Key=key, **ex.request())
    except ClientError as err:
        raise_unless_retryable(err)


class Waiter:
    """Waits for other writers' locks on behalf of one write, at most ``wait_s`` in all; a write
    that had to wait is one ``IndexLockWaits`` (annex.telemetry), however long it waited."""

    def __init__(self, what: str, wait_s: float | None = None) -> None:
        self.what = what
        self.deadline = time.monotonic() + (WAIT_S if wait_s is None else wait_s)
        self.waited = False

    def free(self, read: Callable[[], Item | None], recover: Callable[[Item], None]) -> Item | None:
        """The item ``read`` answers once it holds no lock (None if it does not exist): a live lock
        is waited for, an expired one is handed to ``recover`` (which must remove it). 409 when
        a live lock outlasts the wait."""
        while True:
            item = read()
            if item is None or not held(item):
                return item
            if expired(item):
                recover(item)
                continue
            if time.monotonic() > self.deadline:
                raise Conflict(f"The {self.what} is being changed; retry the request", code="concurrent_update")
            if not self.waited:
                self.waited = True
                telemetry.count("IndexLockWaits")
            time.sleep(random.uniform(0.02, 0.1))
