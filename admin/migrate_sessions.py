"""``annex-admin migrate``, sessions: tables written by the earlier layouts of a session's names.

First a session item carried ``screens`` (its first 200 screens), ``screen_set`` and
``event_name_set`` (up to 200 distinct names each) and ``screen_set_overflow`` /
``event_name_set_overflow`` (names past those, each an item under ``{app}#SESSIONNAMES#{id}``).
Then each distinct name was an item of its own in the session's partition, ``NAME#{set}#{name}``
(``kept``: one of the set's first 200). Now the names one write adds are one ``SEEN#`` item, in the
order the session saw them (``annex/store/sessions/names.py``).

One session (found from its item of the first layout or from any of its ``NAME#`` items): its
partition is read, and its earlier names (the kept ones first, then the others, each sorted; and
before them what a run cut short put already, in its order) are put as ``SEEN#-{part}`` items,
which sort before any ``SEEN#`` item a write of this release added meanwhile (idempotent puts: a
rerun puts the same items). Then one ``UpdateItem`` removes the old attributes and sets the
counts (each set's and each bucket's) from every name now in the partition, conditioned on the
version read (a write meanwhile makes it read again); then the old items are deleted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from annex.core.sessions import SCREENS_KEPT, distinct_counter
from annex.store import expression, keys
from annex.store.keys import PK, SK, VERSION
from annex.store.retry import attempts
from annex.store.sessions.names import (
    FIRST_SCREEN,
    SCREENS_KEPT_ATTR,
    SETS,
    Names,
    bucket,
    bucket_counter,
    kept_counter,
)
from annex.store.table import query_all, reraise_unless_condition_failed, table
from annex.store.writes import batch_write

OLD = ("screens", *SETS, *(f"{s}_overflow" for s in SETS))
SESSION_SK = "SESSION"
PART_BYTES = 256 * 1024  # names per SEEN#- item: well within DynamoDB's 400 KB an item
MIGRATED = f"{keys.SEEN_PREFIX}-"  # what a migration's SEEN# items start with


def old_layout(ex: expression.Expression) -> str:
    """A scan filter: a session item that still holds its names, or a name item of its own."""
    held = " OR ".join(f"attribute_exists({ex.n(name)})" for name in OLD)
    sk = ex.n(SK)
    return f"(({sk} = {ex.v(SESSION_SK)} AND ({held})) OR begins_with({sk}, {ex.v(keys.NAME_PREFIX)}))"


def old_session(item: dict[str, Any]) -> bool:
    """Whether a scanned item is one ``old_layout`` finds (the others are users and channels)."""
    return str(item[SK]) == SESSION_SK or str(item[SK]).startswith(keys.NAME_PREFIX)


def migrate_session(item: dict[str, Any]) -> bool:
    """Move the names of the session whose partition holds ``item`` into ``SEEN#`` items; False when
    it had none of an earlier layout."""
    app_id, _, session_id = str(item[PK]).partition("#SESSION#")
    session = keys.session(app_id, session_id)
    legacy = keys.legacy_session_name(app_id, session_id, "", "")
    for _ in attempts():
        found = query_all({"KeyConditionExpression": Key(PK).eq(session.pk), "ConsistentRead": True})
        current = next((i for i in found if i[SK] == session.sk), None)
        named = [i for i in found if str(i[SK]).startswith(keys.NAME_PREFIX)]
        overflow = query_all({"KeyConditionExpression": Key(PK).eq(legacy.pk)})
        if current is None or not (named or overflow or any(name in current for name in OLD)):
            return False
        migrated = [i for i in found if str(i[SK]).startswith(MIGRATED)]
        puts = _parts(app_id, session_id, _ordered(current, named, overflow, migrated))
        screens = [str(s) for s in current.get("screens") or ()]
        if screens:  # the first screens item, before any a write of this release added
            puts.append(keys.session_screens(app_id, session_id, 0, "").key | {"screens": screens})
        batch_write(puts=puts)
        now = {(str(i[PK]), str(i[SK])): i for i in found if not str(i[SK]).startswith(keys.NAME_PREFIX)}
        now |= {(str(i[PK]), str(i[SK])): i for i in puts}
        names = Names.of(i for key, i in now.items() if key[1] != session.sk)
        ex = expression.Expression()
        ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(current[VERSION])}")
        ex.removes += [ex.n(name) for name in OLD if name in current]
        for set_name in SETS:
            if names.seen[set_name]:
                ex.set(distinct_counter(set_name), len(names.seen[set_name]))
        for number, count in Counter(bucket(s, n) for s, n in names.listed).items():
            ex.set(bucket_counter(number), count)
        if screens:
            ex.set(SCREENS_KEPT_ATTR, min(len(names.screens), SCREENS_KEPT))
            ex.set(FIRST_SCREEN, names.screens[0])
        try:
            table().update_item(Key=session.key, **ex.request())
        except ClientError as err:
            reraise_unless_condition_failed(err)
            continue
        batch_write(deletes=[{PK: o[PK], SK: o[SK]} for o in named + overflow])
        return True
    raise RuntimeError(f"{session.pk} kept changing; rerun the migration")


def _ordered(
    current: dict[str, Any], named: list[dict[str, Any]], overflow: list[dict[str, Any]], migrated: list[dict[str, Any]]
) -> dict[str, tuple[list[str], int]]:
    """Each set's names of the earlier layouts in the order they are to be seen, and how many of
    them (the first) are kept: what a run cut short put already (in its order), then the kept
    names, then the others, each sorted."""
    out: dict[str, tuple[list[str], int]] = {}
    for set_name in SETS:
        firsts = [str(n) for n in current.get(set_name) or ()]
        firsts += [str(i["name"]) for i in named if i["set"] == set_name and i.get("kept")]
        rest = [str(i["name"]) for i in named if i["set"] == set_name and not i.get("kept")]
        rest += [str(o[SK]).partition("#")[2] for o in overflow if str(o[SK]).partition("#")[0] == set_name]
        before: list[str] = []
        for part in sorted(migrated, key=lambda i: str(i[SK])):
            names = [str(n) for n in part.get(set_name) or ()]
            firsts += names[: int(str(part.get(kept_counter(set_name), 0)))]
            before += names
        out[set_name] = (list(dict.fromkeys([*before, *sorted(firsts), *sorted(rest)])), len(set(firsts)))
    return out


def _parts(app_id: str, session_id: str, ordered: dict[str, tuple[list[str], int]]) -> list[dict[str, Any]]:
    """``ordered`` as ``SEEN#-{part}`` items of at most PART_BYTES of names each."""
    parts: list[dict[str, Any]] = [{}]
    size = 0
    for set_name in SETS:
        names, kept = ordered[set_name]
        for i, name in enumerate(names):
            length = len(name.encode("utf-8", "surrogatepass")) + 3  # DynamoDB's size of a list element
            if size + length > PART_BYTES:
                parts.append({})
                size = 0
            parts[-1].setdefault(set_name, []).append(name)
            parts[-1][kept_counter(set_name)] = parts[-1].get(kept_counter(set_name), 0) + (i < kept)
            size += length
    return [keys.migrated_seen(app_id, session_id, n).key | part for n, part in enumerate(parts) if part]
