"""user_metadata and its q index entries: one transaction when the change fits in one, else the
index-lock protocol of store/lock.py (``_many_leaves``), whose abandoned locks ``recover`` reconciles."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from annex.core.clock import now_ms
from annex.store import keys, lock, qindex
from annex.store.expression import Expression
from annex.store.keys import PK, SK, VERSION
from annex.store.retry import ATTEMPTS, backoff, gave_up, raise_unless_retryable
from annex.store.sessions.items import (
    MAX_TRANSACTION_ITEMS,
    entry_item,
    get,
    missing,
    read,
    text,
)
from annex.store.table import stale, table
from annex.store.writes import Tx, batch_write


def fits_one_transaction(user_id: Any, user_metadata: Any) -> bool:
    """Whether a create's one transaction holds every index entry of ``user_metadata``: the session,
    its list entry and day counter, (with a user) the user's counter and numbered entry, and the entries."""
    entries = len(qindex.entries(user_metadata)) if user_metadata is not None else 0
    return 3 + (2 if user_id is not None else 0) + entries <= MAX_TRANSACTION_ITEMS


def same_metadata(ex: Expression, item: dict[str, Any]) -> None:
    """Condition: user_metadata is still what was read (the index diff was computed from it)."""
    if "user_metadata" in item:
        ex.conditions.append(f"{ex.n('user_metadata')} = {ex.v(item['user_metadata'])}")
    else:
        ex.conditions.append(f"attribute_not_exists({ex.n('user_metadata')})")


def diff(app_id: str, item: dict[str, Any], new: Any) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Index entries to put and keys to delete to go from the stored user_metadata to ``new``."""
    old = json.loads(str(item["user_metadata"])) if "user_metadata" in item else None
    before = qindex.entries(old) if old is not None else set()
    after = qindex.entries(new) if new is not None else set()
    puts = [entry_item(app_id, item, e) for e in sorted(after - before)]
    deletes = [{PK: e[PK], SK: e[SK]} for e in (entry_item(app_id, item, e) for e in sorted(before - after))]
    return puts, deletes


def set_metadata(app_id: str, session_id: str, new: Any, expected: int | None) -> dict[str, Any]:
    """Replace user_metadata and move its index entries with it, atomically as far as readers see.

    One transaction (the session update, conditioned on the user_metadata it read, plus the entry
    puts and deletes) when it fits in 100 items; otherwise the lock protocol of ``_many_leaves``.
    """
    ref = keys.session(app_id, session_id)
    waiter = lock.Waiter("session")
    for attempt in range(1, ATTEMPTS + 1):
        # another many-leaf change under way: wait for it (or recover it)
        item = waiter.free(lambda: read(ref.key), lambda held: recover(app_id, held))
        if item is None:
            raise missing(session_id)
        if expected is not None and int(str(item[VERSION])) != expected:
            raise stale(item[VERSION], expected, "session")
        if attempt > 1:
            backoff(attempt)
        puts, deletes = diff(app_id, item, new)
        if len(puts) + len(deletes) + 1 > MAX_TRANSACTION_ITEMS:
            if _many_leaves(app_id, item, new, puts, deletes, expected):
                return get(app_id, session_id)
            continue
        ex = Expression()
        ex.set("user_metadata", text(new))
        ex.set("updated_at", now_ms())
        ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
        ex.conditions.append(f"attribute_exists({ex.n(PK)})")
        same_metadata(ex, item)
        lock.free(ex)
        if expected is not None:
            ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(expected)}")
        tx = Tx()
        tx.update(ref.key, ex)
        for put in puts:
            tx.put(put)
        for key in deletes:
            tx.delete(key)
        if tx.run() is None:
            return get(app_id, session_id)
    raise gave_up("The session changed concurrently; retry the request")


def _many_leaves(
    app_id: str,
    item: dict[str, Any],
    new: Any,
    puts: list[dict[str, Any]],
    deletes: list[dict[str, str]],
    expected: int | None,
) -> bool:
    """A change with more index work than one transaction holds, in steps no reader can see half of:

    1. take the session's ``index_lock`` (noting the value it moves from and to), conditioned on
       the user_metadata read; 2. put the new entries (an extra entry is harmless: every query
       re-checks its candidates against the stored session); 3. store the new user_metadata;
    4. delete the old entries; 5. release the lock. A writer that finds an expired lock (this one
    died) calls ``recover``, which makes every entry of either value agree with the stored one.
    """
    ref = keys.session(app_id, str(item["id"]))
    ex = Expression()
    lock_id = lock.take(ex, {"old": item.get("user_metadata"), "new": text(new)})
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
    ex.conditions.append(f"attribute_exists({ex.n(PK)})")
    same_metadata(ex, item)
    if expected is not None:
        ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(expected)}")
    if not _conditional_update(ref.key, ex):
        return False
    batch_write(puts=puts)
    ex = Expression()
    ex.set("user_metadata", text(new))
    ex.set("updated_at", now_ms())
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
    lock.holding(ex, lock_id)
    if not _conditional_update(ref.key, ex):
        _abandon(app_id, ref.key, lock_id)
        return False  # held too long (another writer recovered the lock), or refused: start over
    batch_write(deletes=deletes)
    lock.unlock(ref.key, lock_id)
    return True


def _abandon(app_id: str, key: dict[str, str], lock_id: str) -> None:
    """Give up a change whose lock this writer may still hold: recover it now rather than leave
    the session locked until the lock expires."""
    item = read(key)
    if item is not None and lock.held(item) and lock.lock_id(item) == lock_id:
        recover(app_id, item)


def _conditional_update(key: dict[str, str], ex: Expression) -> bool:
    """Apply ``ex``; False when it was refused (its condition failed, or a transaction held the item)."""
    try:
        table().update_item(Key=key, **ex.request())
    except ClientError as err:
        raise_unless_retryable(err)
        return False
    return True


def recover(app_id: str, item: dict[str, Any]) -> None:
    """Finish an abandoned many-leaf change: every entry of the value it moved from and of the value
    it moved to (the lock's note) is made to agree with the stored user_metadata (kept if the value
    holds it, deleted otherwise), then the lock goes."""
    wanted = _entries(app_id, item, item.get("user_metadata"))
    noted = lock.note(item)
    touched = set(_entries(app_id, item, noted.get("old"))) | set(_entries(app_id, item, noted.get("new")))
    touched |= {(str(pk), str(sk)) for pk, sk in item[lock.ATTR].get("touched") or ()}  # a lock of before the note
    batch_write(
        puts=[wanted[k] for k in touched if k in wanted],
        deletes=[{PK: pk, SK: sk} for pk, sk in touched if (pk, sk) not in wanted],
    )
    lock.unlock(keys.session(app_id, str(item["id"])).key, lock.lock_id(item))


def _entries(app_id: str, item: dict[str, Any], stored: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """The index entries of a stored user_metadata text (None: no value), by key."""
    value = json.loads(str(stored)) if stored is not None else None
    found = (entry_item(app_id, item, e) for e in (qindex.entries(value) if value is not None else ()))
    return {(e[PK], e[SK]): e for e in found}
