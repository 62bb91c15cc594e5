"""user_metadata and its q index entries: one transaction when the change fits in one, else the
index-lock protocol of store/docindex.py, whose abandoned locks ``recover`` reconciles."""

from __future__ import annotations

from typing import Any

from annex.core.clock import now_ms
from annex.store import docindex, keys, lock, qindex
from annex.store.expression import Expression
from annex.store.keys import PK, SK, VERSION
from annex.store.retry import ATTEMPTS, backoff, gave_up
from annex.store.sessions.items import (
    BASE,
    MAX_TRANSACTION_ITEMS,
    entry_item,
    get,
    missing,
    read,
    text,
)
from annex.store.table import stale


def fits_one_transaction(user_id: Any, user_metadata: Any) -> bool:
    """Whether a create's one transaction holds every index entry of ``user_metadata``: the session,
    its list entry and day counter, (with a user) the user's counter and numbered entry, and the entries."""
    entries = len(qindex.entries(user_metadata)) if user_metadata is not None else 0
    return 3 + (2 if user_id is not None else 0) + entries <= MAX_TRANSACTION_ITEMS


def document(app_id: str, item: dict[str, Any]) -> docindex.Document:
    """The session's user_metadata as an indexed document."""

    def entries_of(value: Any) -> docindex.Entries:
        found = (entry_item(app_id, item, e) for e in qindex.entries(value))
        return {(e[PK], e[SK]): e for e in found}

    def stamp(ex: Expression) -> None:
        ex.set("updated_at", now_ms())

    return docindex.Document(keys.session(app_id, str(item["id"])).key, BASE, entries_of, stamp)


def same_metadata(ex: Expression, item: dict[str, Any]) -> None:
    """Condition: user_metadata is still what was read (the index diff was computed from it)."""
    docindex.same_document(ex, BASE, item)


def diff(app_id: str, item: dict[str, Any], new: Any) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Index entries to put and keys to delete to go from the stored user_metadata to ``new``."""
    return docindex.diff(document(app_id, item), item, new)


def set_metadata(app_id: str, session_id: str, new: Any, expected: int | None) -> dict[str, Any]:
    """Replace user_metadata and move its index entries with it, atomically as far as readers see.

    One transaction (the session update, conditioned on the user_metadata it read, plus the entry
    puts and deletes) when it fits in 100 items; otherwise the lock protocol of ``docindex.many_leaves``.
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
        doc = document(app_id, item)
        puts, deletes = docindex.diff(doc, item, new)
        if len(puts) + len(deletes) + 1 > MAX_TRANSACTION_ITEMS:
            if docindex.many_leaves(doc, item, new, puts, deletes, expected):
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
        if docindex.in_one_transaction(ref.key, ex, puts, deletes):
            return get(app_id, session_id)
    raise gave_up("The session changed concurrently; retry the request")


def recover(app_id: str, item: dict[str, Any]) -> None:
    """Finish an abandoned many-leaf change of the session (see ``docindex.recover``)."""
    docindex.recover(document(app_id, item), item)
