"""Rules shared by key/value metadata and metacounters: a counter's change, the write mode, a key's form
(the limits and types are in ``annex.core.keyvalue``)."""

from __future__ import annotations

from annex.core.keyvalue import INT64_MAX, INT64_MIN, MAX_KEY_CHARS, Add, Change, CounterMode, Put, WriteMode
from annex.errors import BadRequest


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
