"""Key/value metadata (users, channels) and metacounters (channels): the operations of SPEC.

Each operation is one conditional write in the store; the rules of what a mode means live in
``annex.domain.keyvalue``.
"""

from __future__ import annotations

from typing import Any, Protocol

from annex.core.keyvalue import MAX_KEYS_PER_RESOURCE, Change, CounterMode, Put, WriteMode
from annex.domain.keyvalue import check_key, counter_change
from annex.errors import BadRequest, NotFound
from annex.store import kvitems
from annex.store.keys import Ref


class Owner(Protocol):
    """A user or channel: where its record lives and how to say it is missing."""

    ref: Ref
    missing: str


METADATA, METACOUNTER = "metadata", "metacounter"


def read(owner: Owner, attr: str, keys: list[str] | None = None) -> tuple[dict[str, Any], int]:
    """The map (or the asked keys that exist) and the owner's version."""
    if keys is not None:
        if len(keys) > MAX_KEYS_PER_RESOURCE:
            raise BadRequest(f"keys names at most {MAX_KEYS_PER_RESOURCE} keys", code="invalid_key")
        keys = [check_key(key) for key in keys]
    return kvitems.read(owner.ref, attr, keys, owner.missing)


def read_one(owner: Owner, attr: str, key: str) -> tuple[dict[str, Any], int]:
    found, version = kvitems.read(owner.ref, attr, [check_key(key)], owner.missing)
    if key not in found:
        raise NotFound(f"Key not found: {key}", code="key_not_found")
    return found, version


def write(
    owner: Owner, attr: str, changes: dict[str, Change], mode: WriteMode, expected: int | None = None
) -> list[str]:
    for key in changes:
        check_key(key)
    return kvitems.write(
        owner.ref, attr, changes, mode, max_keys=MAX_KEYS_PER_RESOURCE, missing_owner=owner.missing, expected=expected
    )


def create_metadata(owner: Owner, items: dict[str, str], expected: int | None = None) -> dict[str, str]:
    write(owner, METADATA, {k: Put(v) for k, v in items.items()}, WriteMode.CREATE, expected)
    return items


def update_metadata(
    owner: Owner, items: dict[str, str], mode: WriteMode, expected: int | None = None
) -> dict[str, str]:
    """The items updated and added (an update without upsert skips keys that do not exist)."""
    written = write(owner, METADATA, {k: Put(v) for k, v in items.items()}, mode, expected)
    return {k: items[k] for k in written}


def create_counters(owner: Owner, items: dict[str, int], expected: int | None = None) -> dict[str, int]:
    write(owner, METACOUNTER, {k: Put(v) for k, v in items.items()}, WriteMode.CREATE, expected)
    return items


def update_counters(
    owner: Owner, items: dict[str, int], mode: CounterMode, write_mode: WriteMode, expected: int | None = None
) -> dict[str, Any]:
    """The whole metacounter after the change (read after the write: a second request)."""
    changes = {k: counter_change(mode, v) for k, v in items.items()}
    write(owner, METACOUNTER, changes, write_mode, expected)
    return read(owner, METACOUNTER)[0]


def delete_all(owner: Owner, attr: str, expected: int | None = None) -> None:
    kvitems.delete_all(owner.ref, attr, owner.missing, expected)


def delete_one(owner: Owner, attr: str, key: str, expected: int | None = None) -> None:
    kvitems.delete_one(owner.ref, attr, check_key(key), owner.missing, f"Key not found: {key}", expected)
