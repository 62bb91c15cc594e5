"""Key/value metadata and metacounters: limits, write modes and the change of one key."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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
