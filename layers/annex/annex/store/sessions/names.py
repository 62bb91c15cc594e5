"""The names a batch adds to a session: its ``screens`` list (the first SCREENS_KEPT, in order) and
its distinct screens and event names, exact however many there are.

The session item holds up to DISTINCT_KEPT distinct names of each kind (``screen_set``,
``event_name_set``), so it stays far below DynamoDB's 400 KB item limit however long the session
runs. A name past that has no room in the item: it gets an item of its own under the session's
names partition, written together with ``ADD <set>_overflow n`` on the session in one transaction
conditioned on each name's item being absent, so each distinct name counts exactly once, whatever
the retries and concurrent batches. The distinct count is the set's size plus its overflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annex.core.sessions import DISTINCT_KEPT, SCREENS_KEPT, Delta, overflow_counter
from annex.store import keys
from annex.store.expression import Expression, if_absent
from annex.store.retry import attempts
from annex.store.sessions.items import failed
from annex.store.writes import Tx

SETS = ("screen_set", "event_name_set")
MAX_NAMES_A_WRITE = 99  # and the session's update: a transaction's 100 items


@dataclass
class Names:
    """The names a write adds to a session's ``screens`` list and its distinct-name sets, within
    the caps of core/sessions.py; narrowed from the item a failed write returns, the names with no
    room left kept in ``overflow`` until counted."""

    screens: list[str]
    screen_set: set[str]
    event_names: set[str]
    overflow: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, delta: Delta) -> Names:
        return cls(list(delta.screens[:SCREENS_KEPT]), set(delta.screens), set(delta.event_names))

    def fit(self, old: dict[str, Any]) -> None:
        """Keep only what still has room (and is new) in the stored item ``old``."""
        self.screens = self.screens[: max(SCREENS_KEPT - len(old.get("screens") or ()), 0)]
        for name, wanted in zip(SETS, (self.screen_set, self.event_names), strict=True):
            present = set(old.get(name) or ())
            room = max(DISTINCT_KEPT - len(present), 0)
            new = sorted(wanted - present)
            kept = set(new[:room])
            self.overflow.setdefault(name, set()).update(new[room:])
            wanted.intersection_update(kept)

    def count_overflow(self, app_id: str, session_id: str, now: int, retention_s: int) -> None:
        """Count each name without room in the item once: its own item and the session's overflow
        counter in one transaction (up to MAX_NAMES_A_WRITE names each); a name counted before
        cancels it, and the transaction is tried again without that name."""
        for set_name, names in self.overflow.items():
            ordered = sorted(names)
            for start in range(0, len(ordered), MAX_NAMES_A_WRITE):
                _count(app_id, session_id, set_name, ordered[start : start + MAX_NAMES_A_WRITE], now, retention_s)
            names.clear()


def _count(app_id: str, session_id: str, set_name: str, names: list[str], now: int, retention_s: int) -> None:
    session = keys.session(app_id, session_id).key
    for _ in attempts():
        if not names:
            return
        tx = Tx()
        for name in names:
            item = keys.session_name(app_id, session_id, set_name, name).key
            tx.put(item | {"name": name, "expires_at": now // 1000 + retention_s}, if_absent())
        ex = Expression()
        ex.exists()
        ex.add(overflow_counter(set_name), len(names))
        ex.bump()
        tx.update(session, ex)
        reasons = tx.run()
        if reasons is None or failed(reasons, len(names)):
            return  # counted, or no such session
        counted_before = {name for i, name in enumerate(names) if failed(reasons, i)}
        names = [name for name in names if name not in counted_before]  # none: a conflict, tried again


def capped_set(ex: Expression, name: str, members: set[str]) -> None:
    """Add ``members`` to the set ``name`` if it stays within DISTINCT_KEPT names."""
    if members:
        ref = ex.n(name)
        ex.adds.append(f"{ref} {ex.v(set(members))}")
        limit = ex.v(DISTINCT_KEPT - len(members))
        ex.conditions.append(f"(attribute_not_exists({ref}) OR size({ref}) <= {limit})")
