"""Rules shared by key/value metadata and metacounters: limits, write modes and changes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from annex.errors import BadRequest

MAX_KEYS_PER_RESOURCE = 100
MAX_ITEMS_PER_REQUEST = 5
MAX_KEY_CHARS = 128
MAX_VALUE_CHARS = 190
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class WriteMode(StrEnum):
    CREATE = "create"  # every key must be new; 409 if any exists
    UPDATE = "update"  # only keys that exist change; the others are ignored
    UPDATE_ONE = "update_one"  # the one key must exist; 404 otherwise
    UPSERT = "upsert"  # existing keys change, missing keys are added


class CounterMode(StrEnum):
    SET = "set"
    INCREASE = "increase"
    DECREASE = "decrease"


@dataclass(frozen=True)
class Put:
    """Store this value, whatever was there."""

    value: str | int


@dataclass(frozen=True)
class Add:
    """Add ``delta`` to the stored integer (a missing one counts as 0 when upserting)."""

    delta: int

    def fits(self, old: int) -> bool:
        return INT64_MIN <= old + self.delta <= INT64_MAX

    def old_bounds(self) -> tuple[int | None, int | None]:
        """The range the stored value must lie in for the result to stay in int64."""
        if self.delta > 0:
            return None, INT64_MAX - self.delta
        if self.delta < 0:
            return INT64_MIN - self.delta, None
        return None, None


Change = Put | Add


def counter_change(mode: CounterMode, value: int) -> Change:
    if mode is CounterMode.SET:
        return Put(value)
    delta = value if mode is CounterMode.INCREASE else -value
    if not INT64_MIN <= delta <= INT64_MAX:
        raise BadRequest(f"Cannot {mode} by {value}: the change leaves the signed 64-bit range", code="out_of_range")
    return Add(delta)


def metadata_mode(upsert: bool) -> WriteMode:
    return WriteMode.UPSERT if upsert else WriteMode.UPDATE


def check_key(key: str) -> str:
    """A key named in a path must obey the same rules as one in a body."""
    if not 1 <= len(key) <= MAX_KEY_CHARS or "," in key:
        raise BadRequest(f"A key is 1 to {MAX_KEY_CHARS} characters without a comma", code="invalid_key")
    return key
