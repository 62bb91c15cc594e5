"""sorted_metaarray rules (SPEC "Messages"): what each operation changes, decided from the state read.

A message's sorted_metaarray is a list of ``{"key", "value": [str, …]}``: keys in the order they were
added, each key's values in the order they were added, never twice. A key is 1 to 80 bytes of
UTF-8 without a comma, a value at most 128 bytes; a message holds at most 20 keys and 100 values
per key. Every operation here is pure: given the stored state it answers a ``Plan`` (what changes,
and what the write must pin), or raises the client's error. The store turns a plan into one
conditional write and, when a concurrent change breaks a pin, reads again and asks again. The
limits, the stored form and the ``Plan`` are in ``annex.core.metaarray``.
"""

from __future__ import annotations

from collections.abc import Iterable

from annex.core.metaarray import (
    MAX_KEYS,
    MAX_VALUES,
    Entry,
    Items,
    KeyChange,
    Plan,
    SortedMeta,
)
from annex.errors import BadRequest, Conflict


def public(state: SortedMeta) -> list[dict[str, object]]:
    """The API's list form: keys in the order they were added (ties, from concurrent adds, by key)."""
    ordered = sorted(state.items(), key=lambda pair: (pair[1].ordinal, pair[0]))
    return [{"key": key, "value": list(entry.values)} for key, entry in ordered]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def initial(items: Items) -> dict[str, Entry]:
    """A new message's sorted_metaarray (the model has checked keys, sizes and duplicates)."""
    return {key: Entry(ordinal, tuple(_unique(values))) for ordinal, (key, values) in enumerate(items)}


def _next_ordinal(current: SortedMeta) -> int:
    return max((entry.ordinal for entry in current.values()), default=-1) + 1


def _room_for_keys(current: SortedMeta, created: int) -> None:
    if created and len(current) + created > MAX_KEYS:
        raise BadRequest(f"A message holds at most {MAX_KEYS} sorted_metaarray keys", code="too_many_keys")


def _room_for_values(key: str, count: int) -> None:
    if count > MAX_VALUES:
        raise BadRequest(f"A sorted_metaarray key holds at most {MAX_VALUES} values: {key}", code="too_many_values")


def create_keys(current: SortedMeta, items: Items) -> Plan:
    """POST: add new keys with their values; 409 if any exists (nothing written)."""
    existing = [key for key, _ in items if key in current]
    if existing:
        raise Conflict(f"sorted_metaarray key already exists: {', '.join(existing)}", code="key_exists")
    _room_for_keys(current, len(items))
    start = _next_ordinal(current)
    changes = [
        KeyChange(key, None, Entry(start + i, tuple(_unique(values))), added=_unique(values))
        for i, (key, values) in enumerate(items)
    ]
    return Plan(changes)


def add_values(current: SortedMeta, items: Items, upsert: bool) -> Plan:
    """PUT mode add: append the values a key lacks, in order; a missing key is created with
    ``upsert`` and left alone without it."""
    changes: list[KeyChange] = []
    absent: list[str] = []
    start = _next_ordinal(current)
    for key, values in items:
        wanted = _unique(values)
        entry = current.get(key)
        if entry is None:
            if not upsert:
                absent.append(key)
                continue
            _room_for_values(key, len(wanted))
            changes.append(KeyChange(key, None, Entry(start, tuple(wanted)), added=wanted))
            start += 1
            continue
        new = [v for v in wanted if v not in entry.values]
        _room_for_values(key, len(entry.values) + len(new))
        after = Entry(entry.ordinal, entry.values + tuple(new))
        changes.append(KeyChange(key, entry, after, added=new, present=[v for v in wanted if v in entry.values]))
    plan = Plan(changes, absent)
    _room_for_keys(current, plan.created)
    return plan


def remove_values(current: SortedMeta, items: Items) -> Plan:
    """PUT mode remove: drop the named values a key holds; keys stay (even empty)."""
    changes: list[KeyChange] = []
    absent: list[str] = []
    for key, values in items:
        entry = current.get(key)
        if entry is None:
            absent.append(key)
            continue
        drop = set(values)
        positions = [i for i, v in enumerate(entry.values) if v in drop]
        after = Entry(entry.ordinal, tuple(v for v in entry.values if v not in drop))
        changes.append(KeyChange(key, entry, after, removed=positions))
    return Plan(changes, absent)


def delete_keys(current: SortedMeta, keys: list[str]) -> Plan:
    """DELETE ?keys=: remove the named keys that exist (the others are ignored)."""
    changes = [KeyChange(key, current[key], None) for key in _unique(keys) if key in current]
    return Plan(changes, [key for key in _unique(keys) if key not in current])
