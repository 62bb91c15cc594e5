"""A JSON document attribute with q index entries (store/qindex.py): moving the entries with the
document, in one transaction when they fit in one, else by the index-lock protocol of store/lock.py.

Two owners use it: a session's ``user_metadata`` (store/sessions/index.py) and a user's or
channel's ``meta`` (store/metaindex.py). Each says where its item is, which attribute holds the
document (as compact JSON text), which entry items a value has, and what else its write sets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from annex.store import lock
from annex.store.expression import Expression
from annex.store.keys import PK, SK
from annex.store.retry import raise_unless_retryable
from annex.store.table import table
from annex.store.writes import Tx, batch_write

Key = dict[str, str]
Entries = dict[tuple[str, str], dict[str, Any]]  # entry items by (PK, SK)


@dataclass(frozen=True)
class Document:
    """One item's indexed document: its ``key``, the attribute ``attr`` holding its JSON text, the
    entry items of a (parsed) value, and what the write that stores a new value also sets."""

    key: Key
    attr: str
    entries_of: Callable[[Any], Entries]
    stamp: Callable[[Expression], None] = lambda ex: None

    def entries(self, stored: Any) -> Entries:
        """The entry items of a stored document text (None: no document)."""
        return self.entries_of(json.loads(str(stored))) if stored is not None else {}


def text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def diff(doc: Document, item: dict[str, Any], new: Any) -> tuple[list[dict[str, Any]], list[Key]]:
    """Entry items to put and keys to delete to go from the stored document to ``new``."""
    before = doc.entries(item.get(doc.attr))
    after = doc.entries_of(new) if new is not None else {}
    puts = [after[k] for k in sorted(after.keys() - before.keys())]
    deletes = [{PK: pk, SK: sk} for pk, sk in sorted(before.keys() - after.keys())]
    return puts, deletes


def same_document(ex: Expression, attr: str, item: dict[str, Any]) -> None:
    """Condition: the document ``attr`` is still what was read (the entries' diff was computed from it)."""
    if attr in item:
        ex.conditions.append(f"{ex.n(attr)} = {ex.v(item[attr])}")
    else:
        ex.conditions.append(f"attribute_not_exists({ex.n(attr)})")


def in_one_transaction(key: Key, ex: Expression, puts: list[dict[str, Any]], deletes: list[Key]) -> bool:
    """The document's update ``ex`` with its entries' puts and deletes, all or none; False when the
    transaction was refused (a condition failed, or another transaction held an item)."""
    tx = Tx()
    tx.update(key, ex)
    for put in puts:
        tx.put(put)
    for gone in deletes:
        tx.delete(gone)
    return tx.run() is None


def many_leaves(
    doc: Document,
    item: dict[str, Any],
    new: Any,
    puts: list[dict[str, Any]],
    deletes: list[Key],
    expected: int | None,
) -> bool:
    """A change with more index work than one transaction holds, in steps no reader can see half of:

    1. take the item's ``index_lock`` (noting the value it moves from and to), conditioned on the
       document read; 2. put the new entries (an extra entry is harmless: every query re-checks its
       candidates against the stored item); 3. store the new document; 4. delete the old entries;
    5. release the lock. A writer that finds an expired lock (this one died) calls ``recover``,
    which makes every entry of either value agree with the stored one. False: start over.
    """
    ex = Expression()
    lock_id = lock.take(ex, {"old": item.get(doc.attr), "new": text(new)})
    ex.bump()
    ex.exists()
    same_document(ex, doc.attr, item)
    ex.expect(expected)
    if not conditional_update(doc.key, ex):
        return False
    batch_write(puts=puts)
    ex = Expression()
    ex.set(doc.attr, text(new))
    doc.stamp(ex)
    ex.bump()
    lock.holding(ex, lock_id)
    if not conditional_update(doc.key, ex):
        _abandon(doc, lock_id)
        return False  # held too long (another writer recovered the lock), or refused: start over
    batch_write(deletes=deletes)
    lock.unlock(doc.key, lock_id)
    return True


def _abandon(doc: Document, lock_id: str) -> None:
    """Give up a change whose lock this writer may still hold: recover it now rather than leave
    the item locked until the lock expires."""
    item: dict[str, Any] | None = table().get_item(Key=doc.key, ConsistentRead=True).get("Item")
    if item is not None and lock.held(item) and lock.lock_id(item) == lock_id:
        recover(doc, item)


def conditional_update(key: Key, ex: Expression) -> bool:
    """Apply ``ex``; False when it was refused (its condition failed, or a transaction held the item)."""
    try:
        table().update_item(Key=key, **ex.request())
    except ClientError as err:
        raise_unless_retryable(err)
        return False
    return True


def recover(doc: Document, item: dict[str, Any]) -> None:
    """Finish an abandoned many-leaf change: every entry of the value it moved from and of the value
    it moved to (the lock's note) is made to agree with the stored document (kept if the value
    holds it, deleted otherwise), then the lock goes."""
    wanted = doc.entries(item.get(doc.attr))
    noted = lock.note(item)
    touched = set(doc.entries(noted.get("old"))) | set(doc.entries(noted.get("new")))
    touched |= {(str(pk), str(sk)) for pk, sk in item[lock.ATTR].get("touched") or ()}  # a lock of before the note
    batch_write(
        puts=[wanted[k] for k in touched if k in wanted],
        deletes=[{PK: pk, SK: sk} for pk, sk in touched if (pk, sk) not in wanted],
    )
    lock.unlock(doc.key, lock.lock_id(item))
