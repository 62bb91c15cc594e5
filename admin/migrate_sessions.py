"""``annex-admin migrate``, sessions: tables written while a session item held its names.

Until then a session item carried ``screens`` (its first 200 screens), ``screen_set`` and
``event_name_set`` (up to 200 distinct names each) and ``screen_set_overflow`` /
``event_name_set_overflow`` (names past those, each an item under ``{app}#SESSIONNAMES#{id}``).
Now they are items of their own in the session's partition (``annex/store/sessions/names.py``):
a screens item, one item per distinct name, and counts on the session item.

One session: its names items are put (idempotent puts: a rerun, or a batch of this release that
brought a name meanwhile, changes nothing), then one ``UpdateItem`` removes the old attributes and
sets the counts from the name items now in the partition, conditioned on the version read (a
write meanwhile makes it read again); then the old overflow items are deleted.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from annex.core.sessions import distinct_counter
from annex.store import expression, keys
from annex.store.keys import PK, SK, VERSION
from annex.store.retry import attempts
from annex.store.sessions.names import FIRST_SCREEN, SCREENS_KEPT_ATTR, SETS, Names
from annex.store.table import query_all, reraise_unless_condition_failed, table
from annex.store.writes import batch_write

OLD = ("screens", *SETS, *(f"{s}_overflow" for s in SETS))
SESSION_SK = "SESSION"


def old_layout(ex: expression.Expression) -> str:
    """A scan filter: a session item that still holds its names."""
    held = " OR ".join(f"attribute_exists({ex.n(name)})" for name in OLD)
    return f"({ex.n(SK)} = {ex.v(SESSION_SK)} AND ({held}))"


def migrate_session(item: dict[str, Any]) -> bool:
    """Move one session's names into items of their own; False when it had none to move."""
    app_id, _, session_id = str(item[PK]).partition("#SESSION#")
    session = keys.session(app_id, session_id)
    legacy = keys.legacy_session_name(app_id, session_id, "", "")
    for _ in attempts():
        if not any(name in item for name in OLD):
            return False
        overflow = query_all({"KeyConditionExpression": Key(PK).eq(legacy.pk)})
        puts = _names_items(app_id, session_id, item, overflow)
        batch_write(puts=puts)
        found = Names.of(query_all({"KeyConditionExpression": Key(PK).eq(session.pk) & Key(SK).lt(session.sk)}))
        ex = expression.Expression()
        ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(item[VERSION])}")
        ex.removes += [ex.n(name) for name in OLD if name in item]
        for set_name in SETS:
            if found.seen[set_name]:
                ex.set(distinct_counter(set_name), len(found.seen[set_name]))
        if found.screens:
            ex.set(SCREENS_KEPT_ATTR, min(len(found.screens), 200))
            ex.set(FIRST_SCREEN, found.screens[0])
        try:
            table().update_item(Key=session.key, **ex.request())
        except ClientError as err:
            reraise_unless_condition_failed(err)
            fresh = table().get_item(Key=session.key, ConsistentRead=True).get("Item")
            if fresh is None:
                return False
            item = fresh
            continue
        batch_write(deletes=[{PK: o[PK], SK: o[SK]} for o in overflow])
        return True
    raise RuntimeError(f"{session.pk} kept changing; rerun the migration")


def _names_items(
    app_id: str, session_id: str, item: dict[str, Any], overflow: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The names items of an old-layout session: its screens (as the first screens item, before
    any a write of this release added) and one item per distinct name, the item's own kept."""
    out: list[dict[str, Any]] = []
    screens = [str(s) for s in item.get("screens") or ()]
    if screens:
        out.append(keys.session_screens(app_id, session_id, 0, "").key | {"screens": screens})
    for set_name in SETS:
        for name in sorted(str(n) for n in item.get(set_name) or ()):
            ref = keys.session_name(app_id, session_id, set_name, name)
            out.append(ref.key | {"set": set_name, "name": name, "kept": True})
    for old in overflow:
        set_name, _, name = str(old[SK]).partition("#")
        ref = keys.session_name(app_id, session_id, set_name, name)
        out.append(ref.key | {"set": set_name, "name": name})
    return out
