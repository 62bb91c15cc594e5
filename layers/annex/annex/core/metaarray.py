"""sorted_metaarray: limits, the stored form of a key, and the plan of a change (what changes, and
what the write must find to be valid)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from annex.errors import BadRequest

MAX_KEY_BYTES = 80
MAX_VALUE_BYTES = 128
MAX_KEYS = 20
MAX_VALUES = 100


class Mode(StrEnum):
    ADD = "add"
    REMOVE = "remove"


@dataclass(frozen=True)
class Entry:
    """One key as stored: its place among the keys and its values in order."""

    ordinal: int
    values: tuple[str, ...]


SortedMeta = Mapping[str, Entry]
Items = list[tuple[str, list[str]]]  # (key, values) in request order


@dataclass
class KeyChange:
    """What happens to one key, with what the write must find there to be valid."""

    key: str
    before: Entry | None
    after: Entry | None
    added: list[str] = field(default_factory=list)  # appended, in order (absent when read)
    present: list[str] = field(default_factory=list)  # asked to add but already there (pinned present)
    removed: list[int] = field(default_factory=list)  # positions in ``before`` removed (pinned equal)


@dataclass
class Plan:
    changes: list[KeyChange]
    absent: list[str] = field(default_factory=list)  # named keys that are absent and stay so (pinned)

    @property
    def effective(self) -> list[KeyChange]:
        return [c for c in self.changes if c.before != c.after]

    @property
    def created(self) -> int:
        return sum(1 for c in self.changes if c.before is None and c.after is not None)

    def after(self, current: SortedMeta) -> dict[str, Entry]:
        state = dict(current)
        for change in self.effective:
            if change.after is None:
                state.pop(change.key, None)
            else:
                state[change.key] = change.after
        return state

    def index_puts(self) -> list[tuple[str, str]]:
        """The (key, value) pairs that gain an index entry."""
        out = []
        for change in self.effective:
            before = set(change.before.values) if change.before else set()
            out += [(change.key, v) for v in (change.after.values if change.after else ()) if v not in before]
        return out

    def index_deletes(self) -> list[tuple[str, str]]:
        """The (key, value) pairs that lose their index entry."""
        out = []
        for change in self.effective:
            after = set(change.after.values) if change.after else set()
            out += [(change.key, v) for v in (change.before.values if change.before else ()) if v not in after]
        return out


def check_key(key: str) -> str:
    """A key named in a query string obeys the same rules as one in a body."""
    if not key or "," in key or len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise BadRequest(f"A sorted_metaarray key is 1 to {MAX_KEY_BYTES} bytes without a comma", code="invalid_key")
    return key
