"""``annex-admin migrate``: tables written before metadata and metacounters became items of their own
(and before a session's names took their present layout: ``admin/migrate_sessions.py``, in the
same scan).

Until then a user's or channel's ``metadata`` and ``metacounter`` were map attributes of its own
item. Now each key is an item of its own under a marker (``annex/store/kvitems.py``, see
docs/data-model.md). The migration scans the table for user and channel items and rewrites each
one that has no marker yet in one transaction: the record's maps removed (conditioned on its
version, so a write by the previous release meanwhile makes it read again), its markers put
(conditioned on their absence: a record migrated already, or created by this release, is skipped)
and its keys put. A record with more than 97 keys has the rest put right after.

It also writes the ``meta`` index entries (``annex/store/metaindex.py``) of every record written
before they existed: the entries its stored meta has and its partition lacks are put in one
transaction with a check that the record is still at the version read and holds no index lock
(a meta write meanwhile makes it read again); entries past 99 follow right after.

It is resumable: after each page of the scan the scan's position is saved to a state file, and a
rerun starts from there (and skips what it finds migrated, so a rerun from the start is safe too).
A complete run marks the table (``keys.LAYOUT``) as in this layout: ``make run`` migrates a kept
table that is not (``current``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from admin.migrate_sessions import migrate_session, old_session
from admin.migrate_sessions import old_layout as old_sessions
from annex.store import expression, keys, kvitems, lock, metaindex
from annex.store.keys import GSI1PK, GSI1SK, PK, SK, VERSION, Ref
from annex.store.retry import attempts
from annex.store.table import plain, table
from annex.store.writes import MAX_TRANSACTION_ITEMS, Tx, batch_write

OWNER_SKS = ("USER", "CHANNEL")
LAYOUT = 2  # 1: a session's names one item per name; 2: one item per write that adds some


@dataclass
class Tally:
    scanned: int = 0
    migrated: int = 0
    skipped: int = 0

    def brief(self) -> str:
        return f"{self.scanned:,} records read, {self.migrated:,} migrated, {self.skipped:,} already current"


def migrate_record(item: dict[str, Any]) -> bool:
    """Move one record's maps into key items; False when it had been migrated (or created) already."""
    ref = Ref(str(item[PK]), str(item[SK]), str(item[GSI1PK]), str(item[GSI1SK]))
    for _ in attempts():
        maps = {attr: plain(item.get(attr) or {}) for attr in kvitems.attrs_of(ref)}
        parts = kvitems.new_items(ref, maps)
        owner = expression.Expression()
        owner.conditions.append(f"{owner.n(VERSION)} = {owner.v(item[VERSION])}")
        owner.removes += [owner.n(attr) for attr in maps]
        tx = Tx()
        tx.update(ref.key, owner)
        for part in parts[: MAX_TRANSACTION_ITEMS - 1]:
            tx.put(part, expression.if_absent() if part[SK] in keys.KV_MARKERS.values() else None)
        reasons = tx.run()
        if reasons is None:
            batch_write(puts=parts[MAX_TRANSACTION_ITEMS - 1 :])
            return True
        codes = [reason.get("Code") for reason in reasons]
        if any(code == "ConditionalCheckFailed" for code in codes[1:]):
            return False  # a marker exists: this record is in the new layout already
        if codes[0] == "ConditionalCheckFailed":  # written meanwhile (or deleted): read it again
            found = table().get_item(Key=ref.key, ConsistentRead=True).get("Item")
            if found is None:
                return False
            item = found
    raise RuntimeError(f"{ref.pk} kept changing; rerun the migration")


def index_meta(item: dict[str, Any]) -> bool:
    """Put the ``meta`` index entries the record lacks; False when it had every one already."""
    ref = Ref(str(item[PK]), str(item[SK]), str(item[GSI1PK]), str(item[GSI1SK]))
    for _ in attempts():
        wanted = metaindex.document(ref).entries(item.get(metaindex.META))
        have = {(key[PK], key[SK]) for key in metaindex.entry_keys(ref)}
        missing = [wanted[key] for key in sorted(wanted.keys() - have)]
        if not missing:
            return False
        check = expression.Expression()
        check.conditions.append(f"{check.n(VERSION)} = {check.v(item[VERSION])}")
        lock.free(check)
        tx = Tx()
        tx.check(ref.key, check)
        for entry in missing[: MAX_TRANSACTION_ITEMS - 1]:
            tx.put(entry)
        if tx.run() is None:
            batch_write(puts=missing[MAX_TRANSACTION_ITEMS - 1 :])
            return True
        found = table().get_item(Key=ref.key, ConsistentRead=True).get("Item")
        if found is None:
            return False
        item = found
    raise RuntimeError(f"{ref.pk} kept changing; rerun the migration")


def migrate(state: Path, on_page: Callable[[Tally], None], page_size: int = 100) -> Tally:
    """Migrate every user and channel, and every session of the old layout (admin/migrate_sessions.py),
    from the position saved in ``state`` (if any); ``on_page`` is told the tally after each page.
    The state file is removed once the scan is complete."""
    tally = Tally()
    ex = expression.Expression()
    ex.conditions.append(f"{ex.n(SK)} IN ({', '.join(ex.v(sk) for sk in OWNER_SKS)}) OR {old_sessions(ex)}")
    request: dict[str, Any] = {"Limit": page_size} | ex.read()
    if state.exists():
        request["ExclusiveStartKey"] = json.loads(state.read_text())
    while True:
        page = table().scan(ConsistentRead=True, **request)
        done: set[str] = set()  # sessions migrated in this page (a session's name items come together)
        for item in page.get("Items", []):
            tally.scanned += 1
            if not old_session(item):
                moved = migrate_record(item) | index_meta(item)  # both run
            else:
                moved = item[PK] not in done and migrate_session(item)
                done.add(str(item[PK]))
            if moved:
                tally.migrated += 1
            else:
                tally.skipped += 1
        last = page.get("LastEvaluatedKey")
        if last is None:
            state.unlink(missing_ok=True)
            table().put_item(Item=keys.LAYOUT.key | {VERSION: LAYOUT})
            on_page(tally)
            return tally
        state.write_text(json.dumps(last))
        request["ExclusiveStartKey"] = last
        on_page(tally)


def current() -> bool:
    """Whether the table was marked as in this layout (by a complete ``migrate``)."""
    item = table().get_item(Key=keys.LAYOUT.key, ConsistentRead=True).get("Item")
    return item is not None and int(str(item[VERSION])) >= LAYOUT
