"""A session's screens and names, in items of their own next to the session item, so the session
item (rewritten by every batch) stays a few KB however long the session runs.

In the session's partition, beside the ``SESSION`` item:

- ``SEEN#{writer}``: the distinct screens (``screen_set``) and event names (``event_name_set``)
  one write added, each set a sorted list with how many of them (the first) are among the set's
  first DISTINCT_KEPT (``{set}_kept``: what ``event_names`` and the filters show), put in the
  transaction that brings them with ``ADD {set}_count n`` on the session. A write that crosses
  DISTINCT_KEPT is conditioned on the count it read, one below it on staying below it.
- ``SCREENS#{kept:03d}#{writer}``: the screens one write appends to the session's ``screens``
  (the first SCREENS_KEPT, in order), ``kept`` being how many the session had when read, with
  ``ADD screens_kept n`` conditioned on staying within SCREENS_KEPT. Writes that read the same
  ``kept`` are concurrent; their screens follow each other in writer order.
- ``NAME#{set}#{name}`` (one per name, ``kept`` marking the first DISTINCT_KEPT): the previous
  release's layout, read as it is until admin/migrate_sessions.py moves it to ``SEEN#`` items.

Each name counts exactly once whatever the retries and concurrent batches: every name falls in
one of BUCKETS buckets (a hash of the set and the name), the session counts the names of its
``SEEN#`` items in each (``seen_{b}``), and a write that adds names is conditioned on the counts of
their buckets being what it read (and adds to them). Two concurrent writes that bring the same
new name touch the same bucket, so one is refused and reads again (where it finds the name);
writes that add names of other buckets, or none, do not conflict.

A write reads the session and its ``SEEN#`` items first (one consistent Query: they sort just
before ``SESSION``, the screens items before them), again while the items it read of a bucket it
writes are not as many as the session's count of that bucket says (a write committed during the
read), and the whole partition while the session has names of the previous layout (its counts
exceed its buckets'). It writes only what is new: a batch of known names, once the screens list
is full, writes none of them. Read back (one Query of the partition), the items give ``screens``
and the name sets as a stored session shows.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Key

from annex.core.sessions import DISTINCT_KEPT, SCREENS_KEPT, Delta, distinct, distinct_counter
from annex.store import keys
from annex.store.expression import Expression
from annex.store.keys import PK, SK
from annex.store.table import query_all

SETS = ("screen_set", "event_name_set")
SCREENS_KEPT_ATTR = "screens_kept"
FIRST_SCREEN = "first_screen"
COUNTS = (SCREENS_KEPT_ATTR, *(distinct_counter(s) for s in SETS))  # a session with none has no names items
NAME_PATHS = frozenset({("screens",), *((s,) for s in SETS)})  # what ``attach`` adds to a stored session
BUCKETS = 16  # of a session's names: writes that add names of distinct buckets do not conflict
READS = 5  # reads of a write's names while writes commit during them, before it goes on with the last


def bucket(set_name: str, name: str) -> int:
    """The bucket of a name of ``set_name``: the first byte of a SHA-256, the same in every process."""
    return hashlib.sha256(f"{set_name}#{name}".encode("utf-8", "surrogatepass")).digest()[0] % BUCKETS


def bucket_counter(number: int) -> str:
    """The session attribute that counts the names of bucket ``number`` in its ``SEEN#`` items."""
    return f"seen_{number:x}"


BUCKET_COUNTERS = frozenset(bucket_counter(b) for b in range(BUCKETS))


def kept_counter(set_name: str) -> str:
    """The attribute of a ``SEEN#`` item saying how many of its names of ``set_name`` are kept."""
    return f"{set_name}_kept"


@dataclass
class Names:
    """What a session's names items hold."""

    screens: list[str] = field(default_factory=list)
    seen: dict[str, set[str]] = field(default_factory=lambda: {s: set() for s in SETS})
    kept: dict[str, set[str]] = field(default_factory=lambda: {s: set() for s in SETS})
    listed: set[tuple[str, str]] = field(default_factory=set)  # (set, name) of the SEEN# items

    @classmethod
    def of(cls, items: Iterable[dict[str, Any]]) -> Names:
        out = cls()
        for item in sorted(items, key=lambda i: str(i[SK])):
            sk = str(item[SK])
            if sk.startswith(keys.SCREENS_PREFIX):
                out.screens += [str(s) for s in item.get("screens") or ()]
            elif sk.startswith(keys.SEEN_PREFIX):
                for set_name in SETS:
                    names = [str(n) for n in item.get(set_name) or ()]
                    kept = int(str(item.get(kept_counter(set_name), len(names))))
                    for i, name in enumerate(names):
                        out.listed.add((set_name, name))
                        out.saw(set_name, name, i < kept)
            elif sk.startswith(keys.NAME_PREFIX):
                out.saw(str(item["set"]), str(item["name"]), bool(item.get("kept")))
        return out

    def saw(self, set_name: str, name: str, kept: bool) -> None:
        if name in self.seen[set_name]:
            return  # a name a migration found twice: the first one stands
        self.seen[set_name].add(name)
        if kept:
            self.kept[set_name].add(name)

    def complete(self, session: dict[str, Any], buckets: Iterable[int]) -> bool:
        """Whether these are all the names of ``buckets`` the stored ``session`` counts in its
        ``SEEN#`` items (not so when a write committed while they were read)."""
        listed = Counter(bucket(s, n) for s, n in self.listed)
        return all(listed[b] == int(str(session.get(bucket_counter(b)) or 0)) for b in buckets)

    def stored(self) -> dict[str, Any]:
        """The names as a stored session shows them (``screens`` and each set's kept names)."""
        return {"screens": self.screens[:SCREENS_KEPT]} | {s: set(self.kept[s]) for s in SETS}


def brought(delta: Delta) -> dict[str, set[str]]:
    """The distinct names of each set ``delta`` brings."""
    return dict(zip(SETS, (set(delta.screens), set(delta.event_names)), strict=True))


def previous_layout(session: dict[str, Any]) -> bool:
    """Whether a stored session counts names of the previous layout (``NAME#`` items): names its
    buckets do not count."""
    counted = sum(int(str(session.get(bucket_counter(b)) or 0)) for b in range(BUCKETS))
    return sum(distinct(session, s) for s in SETS) > counted


def add(
    ex: Expression, app_id: str, delta: Delta, session: dict[str, Any], known: Names, writer: str
) -> list[dict[str, Any]]:
    """Add to the session's update ``ex`` what ``delta`` brings that ``known`` (read with the stored
    ``session``) lacks; answers the names items to put, each with ``attribute_not_exists``: a
    screens item while the list has room, a ``SEEN#`` item when some names are new."""
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
    new = {set_name: sorted(names - known.seen[set_name]) for set_name, names in brought(delta).items()}
    if not any(new.values()):
        return out
    seen: dict[str, Any] = {}
    for set_name, names in new.items():
        if not names:
            continue
        counter, count = ex.n(distinct_counter(set_name)), distinct(session, set_name)
        room = max(DISTINCT_KEPT - count, 0)
        if 0 < room < len(names):  # crossing the cap: which names are kept depends on the count read
            ex.conditions.append(f"{counter} = {ex.v(count)}" if count else f"attribute_not_exists({counter})")
        elif room:  # all kept, if concurrent writers left room
            ex.conditions.append(
                f"(attribute_not_exists({counter}) OR {counter} <= {ex.v(DISTINCT_KEPT - len(names))})"
            )
        seen |= {set_name: names, kept_counter(set_name): min(room, len(names))}
    for attribute, count in sorted(added(seen).items()):
        counter = ex.n(attribute)
        ex.adds.append(f"{counter} {ex.v(count)}")
        if attribute in BUCKET_COUNTERS:  # the bucket's names are those read: each name counts once
            have = int(str(session.get(attribute) or 0))
            ex.conditions.append(f"{counter} = {ex.v(have)}" if have else f"attribute_not_exists({counter})")
    out.append(keys.session_seen(app_id, delta.session_id, writer).key | seen)
    return out


def added(seen: dict[str, Any]) -> dict[str, int]:
    """What the names of a ``SEEN#`` item add to the session's counters: each set's count and each
    bucket's."""
    out: Counter[str] = Counter()
    for set_name in SETS:
        for name in seen.get(set_name) or ():
            out[distinct_counter(set_name)] += 1
            out[bucket_counter(bucket(set_name, str(name)))] += 1
    return dict(out)


def opened(app_id: str, delta: Delta, writer: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The names attributes of a session ``delta`` opens, and its names items."""
    ex = Expression()
    items = add(ex, app_id, delta, {}, Names(), writer)
    attributes: dict[str, Any] = {}
    for item in items:
        if "screens" in item:
            attributes |= {SCREENS_KEPT_ATTR: len(item["screens"]), FIRST_SCREEN: item["screens"][0]}
        else:
            attributes |= added(item)
    return attributes, items


def known(app_id: str, session_id: str, names: dict[str, set[str]]) -> tuple[dict[str, Any] | None, Names]:
    """The session item (None: no session) and what a write of ``names`` needs to know of those it
    has seen: one consistent Query of its ``SEEN#`` items and the session item (they sort
    together; the session item alone for a write that brings no names), again while the items
    read of the names' buckets are not as many as the session counts (a write committed during
    the read), of the whole partition while the session has names of the previous layout."""
    ref = keys.session(app_id, session_id)
    buckets = {bucket(s, n) for s, some in names.items() for n in some}
    sks = Key(SK).between(keys.SEEN_PREFIX, ref.sk) if buckets else Key(SK).eq(ref.sk)
    item, seen = None, Names()
    for _ in range(READS):
        found = query_all({"KeyConditionExpression": Key(PK).eq(ref.pk) & sks, "ConsistentRead": True})
        item = next((i for i in found if i[SK] == ref.sk), None)
        if item is not None and buckets and previous_layout(item):
            item, seen = read(app_id, session_id)
        else:
            seen = Names.of(i for i in found if i[SK] != ref.sk)
        if item is None or seen.complete(item, buckets):
            break
    return item, seen


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
