"""A session's screens and names, in items of their own next to the session item, so the session
item (rewritten by every batch) stays a few KB however long the session runs.

In the session's partition, beside the ``SESSION`` item:

- ``NAME#{set}#{name}``: one item per distinct screen (``screen_set``) or event name
  (``event_name_set``), put with ``attribute_not_exists`` in the transaction that brings it, with
  ``ADD {set}_count 1`` on the session: each name counts exactly once whatever the retries and
  concurrent batches (a name counted meanwhile cancels the write, which reads again). The first
  DISTINCT_KEPT of each set are marked ``kept`` (what ``event_names`` and the filters show); the
  session's count says how many are taken, and a write that would cross DISTINCT_KEPT is
  conditioned on the count it read.
- ``SCREENS#{kept:03d}#{writer}``: the screens one write appends to the session's ``screens``
  (the first SCREENS_KEPT, in order), ``kept`` being how many the session had when read, with
  ``ADD screens_kept n`` conditioned on staying within SCREENS_KEPT. Writes that read the same
  ``kept`` are concurrent; their screens follow each other in writer order.

A write reads the session and its names' items first (one BatchGetItem) and writes only what is
new: a batch of known names, once the screens list is full, writes none of them. Read back (one
Query of the partition), the items give ``screens`` and the name sets as a stored session shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Key

from annex.core.sessions import DISTINCT_KEPT, SCREENS_KEPT, Delta, distinct_counter
from annex.store import keys
from annex.store.expression import Expression
from annex.store.keys import PK, SK
from annex.store.table import batch_items, query_all

SETS = ("screen_set", "event_name_set")
SCREENS_KEPT_ATTR = "screens_kept"
FIRST_SCREEN = "first_screen"
COUNTS = (SCREENS_KEPT_ATTR, *(distinct_counter(s) for s in SETS))  # a session with none has no names items
NAME_PATHS = frozenset({("screens",), *((s,) for s in SETS)})  # what ``attach`` adds to a stored session


@dataclass
class Names:
    """What a session's names items hold."""

    screens: list[str] = field(default_factory=list)
    seen: dict[str, set[str]] = field(default_factory=lambda: {s: set() for s in SETS})
    kept: dict[str, set[str]] = field(default_factory=lambda: {s: set() for s in SETS})

    @classmethod
    def of(cls, items: Iterable[dict[str, Any]]) -> Names:
        out = cls()
        for item in sorted(items, key=lambda i: str(i[SK])):
            sk = str(item[SK])
            if sk.startswith(keys.SCREENS_PREFIX):
                out.screens += [str(s) for s in item.get("screens") or ()]
            elif sk.startswith(keys.NAME_PREFIX):
                set_name, name = str(item["set"]), str(item["name"])
                out.seen[set_name].add(name)
                if item.get("kept"):
                    out.kept[set_name].add(name)
        return out

    def stored(self) -> dict[str, Any]:
        """The names as a stored session shows them (``screens`` and each set's kept names)."""
        return {"screens": self.screens[:SCREENS_KEPT]} | {s: set(self.kept[s]) for s in SETS}


def add(
    ex: Expression, app_id: str, delta: Delta, session: dict[str, Any], known: Names, writer: str
) -> list[dict[str, Any]]:
    """Add to the session's update ``ex`` what ``delta`` brings that ``known`` (read with the stored
    ``session``) lacks; answers the names items to put, each with ``attribute_not_exists``."""
    out: list[dict[str, Any]] = []
    screens_kept = int(session.get(SCREENS_KEPT_ATTR) or 0)
    screens = delta.screens[: max(SCREENS_KEPT - screens_kept, 0)]
    if screens:
        counter = ex.n(SCREENS_KEPT_ATTR)
        ex.adds.append(f"{counter} {ex.v(len(screens))}")
        if screens_kept:  # concurrent appends commute, within the list's room
            ex.conditions.append(f"{counter} <= {ex.v(SCREENS_KEPT - len(screens))}")
        else:  # the first screens: one writer, so first_screen is the list's first
            ex.conditions.append(f"attribute_not_exists({counter})")
            ex.set(FIRST_SCREEN, screens[0])
        ref = keys.session_screens(app_id, delta.session_id, screens_kept, writer)
        out.append(ref.key | {"screens": list(screens)})
    for set_name, wanted in zip(SETS, (set(delta.screens), delta.event_names), strict=True):
        new = sorted(wanted - known.seen[set_name])
        if not new:
            continue
        counter, count = ex.n(distinct_counter(set_name)), int(session.get(distinct_counter(set_name)) or 0)
        ex.adds.append(f"{counter} {ex.v(len(new))}")
        room = max(DISTINCT_KEPT - count, 0)
        if 0 < room < len(new):  # crossing the cap: which names are kept depends on the count read
            ex.conditions.append(f"{counter} = {ex.v(count)}" if count else f"attribute_not_exists({counter})")
        elif room:  # all kept, if concurrent writers left room
            ex.conditions.append(f"(attribute_not_exists({counter}) OR {counter} <= {ex.v(DISTINCT_KEPT - len(new))})")
        for i, name in enumerate(new):
            ref = keys.session_name(app_id, delta.session_id, set_name, name)
            out.append(ref.key | {"set": set_name, "name": name} | ({"kept": True} if i < room else {}))
    return out


def opened(app_id: str, delta: Delta, writer: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The names attributes of a session ``delta`` opens, and its names items."""
    ex = Expression()
    items = add(ex, app_id, delta, {}, Names(), writer)
    attributes: dict[str, Any] = {}
    for item in items:
        if "screens" in item:
            attributes |= {SCREENS_KEPT_ATTR: len(item["screens"]), FIRST_SCREEN: item["screens"][0]}
        else:
            counter = distinct_counter(str(item["set"]))
            attributes[counter] = attributes.get(counter, 0) + 1
    return attributes, items


def known_names(app_id: str, delta: Delta) -> tuple[dict[str, Any] | None, Names]:
    """The session item (None: no session) and which of ``delta``'s names it has: one consistent
    ``BatchGetItem`` of the session and of those names' items (what the write needs, whatever
    else the session holds)."""
    ref = keys.session(app_id, delta.session_id)
    wanted = [ref.key]
    for set_name, names in zip(SETS, (set(delta.screens), delta.event_names), strict=True):
        wanted += [keys.session_name(app_id, delta.session_id, set_name, name).key for name in sorted(names)]
    found = batch_items(wanted, {"ConsistentRead": True})
    item = next((i for i in found if i[SK] == ref.sk), None)
    return item, Names.of(i for i in found if i[SK] != ref.sk)


def read(app_id: str, session_id: str) -> tuple[dict[str, Any] | None, Names]:
    """The session item (None: no session) and its names, in one consistent Query of its partition."""
    ref = keys.session(app_id, session_id)
    found = query_all({"KeyConditionExpression": Key(PK).eq(ref.pk), "ConsistentRead": True})
    item = next((i for i in found if i[SK] == ref.sk), None)
    return item, Names.of(i for i in found if i[SK] != ref.sk)


def attach(app_id: str, sessions: list[dict[str, Any]], consistent: bool = True) -> None:
    """Give each stored session (plain) its ``screens`` and name sets, read from its names items:
    one Query per session that has any, several at once."""
    having = []
    for session in sessions:
        if any(session.get(count) for count in COUNTS):
            having.append(session)
        else:
            session |= Names().stored()

    def one(session: dict[str, Any]) -> None:
        pk = keys.session(app_id, str(session["id"])).pk
        condition = Key(PK).eq(pk) & Key(SK).lt(keys.session(app_id, str(session["id"])).sk)
        session |= Names.of(query_all({"KeyConditionExpression": condition, "ConsistentRead": consistent})).stored()

    if len(having) <= 1:
        for session in having:
            one(session)
        return
    with ThreadPoolExecutor(min(8, len(having))) as pool:
        list(pool.map(one, having))


def wanted(attributes: Iterable[tuple[str, ...]] | None) -> bool:
    """Whether a read of ``attributes`` (None: all) needs the names items."""
    return attributes is None or any(path[:1] in NAME_PATHS for path in attributes)
