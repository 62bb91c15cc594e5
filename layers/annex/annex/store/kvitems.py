"""Key/value metadata and metacounters, one item per key (see docs/data-model.md).

A user's or channel's ``metadata`` and ``metacounter`` live in its partition: a marker item
(``SK = MD`` / ``MC``) holding the key names (``keys``, a string set) and the key set's version, and
one item per key (``SK = MD#{key}`` / ``MC#{key}``) holding its value, its own version and its list
index keys (GSI3: the value, or a counter's decade; GSI4: the key). DynamoDB bills a write by the
size of the item it touches, so a write of one key costs what that key weighs, not what the
channel's ``data``, ``meta`` or other keys weigh.

Every operation is one request in its usual case:

- a change to keys that exist is one ``UpdateItem`` (one key) or one ``TransactWriteItems`` (several,
  all or none) of those key items, conditioned on each key existing; a counter is changed in place
  (``n = n + :d``) under the condition that it stays in its decade (``up``/``dn`` are its room to
  the decade's bounds), so its index keys stay as they are;
- adding keys is one transaction with the marker: ``ADD keys``, under ``size(keys) <= 100 - new``
  and ``NOT contains(keys, :k)``, so the key limit holds whatever runs concurrently;
- when a condition fails, the keys are read (one ``Query``) and the write is planned again from
  what was read, pinned on each key's version and the key set's, or the client's mistake is
  answered (404, 409, 400) without writing.

A marker exists exactly while its owner does: both are created and deleted in one transaction.
A key item whose name is not in its marker's ``keys`` (left by an owner or a delete-all too large
for one transaction) is invisible: reads skip it and filters re-check candidates against the marker.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from annex.core.clock import now_us
from annex.core.keyvalue import INT64_MAX, INT64_MIN, Add, Change, Put, WriteMode
from annex.errors import BadRequest, Conflict, NotFound
from annex.store import keys
from annex.store.expression import Expression
from annex.store.keys import GSI3PK, GSI3SK, GSI4PK, GSI4SK, PK, SK, VERSION, Ref
from annex.store.retry import attempts, condition_failed, gave_up
from annex.store.table import plain, query_all, stale, table
from annex.store.writes import MAX_TRANSACTION_ITEMS, Tx, batch_write

METADATA, METACOUNTER = "metadata", "metacounter"
KV_MAX_ACTIONS = MAX_TRANSACTION_ITEMS
KEYS = "keys"  # the marker's string set of key names
VALUE = {METADATA: "v", METACOUNTER: "n"}
UP, DOWN = "up", "dn"  # a counter's room up to and down to its decade's bounds


def attrs_of(owner: Ref) -> tuple[str, ...]:
    """The key/value maps a record has: a user metadata, a channel metadata and metacounter."""
    return {"CHANNEL": (METADATA, METACOUNTER), "USER": (METADATA,)}.get(owner.sk, ())


def decade(n: int) -> tuple[str, int, int]:
    """The index bucket of a counter value: its sign and number of decimal digits (``0``, ``+3``
    for 100-999, ``-1`` for -9 to -1), with the bucket's bounds."""
    if n == 0:
        return "0", 0, 0
    digits = len(str(abs(n)))
    low, high = 10 ** (digits - 1), min(10**digits - 1, INT64_MAX)
    return (f"+{digits}", low, high) if n > 0 else (f"-{digits}", max(-high, INT64_MIN), -low)


def decades(low: int, high: int) -> list[str]:
    """Every bucket a value in ``[low, high]`` may lie in."""
    names = []
    for digits in range(19, 0, -1):
        if -(10 ** (digits - 1)) >= low and -(10**digits) + 1 <= high:
            names.append(f"-{digits}")
    if low <= 0 <= high:
        names.append("0")
    for digits in range(1, 20):
        if 10 ** (digits - 1) <= high and min(10**digits - 1, INT64_MAX) >= low:
            names.append(f"+{digits}")
    return names


def _index_value(attr: str, value: str | int) -> str:
    return decade(int(value))[0] if attr == METACOUNTER else str(value)


def _value_fields(owner: Ref, attr: str, key: str, value: str | int) -> dict[str, Any]:
    """What a key item stores that follows its value: the value, and its GSI3 partition (and a
    counter's room in its decade)."""
    assert owner.list_pk is not None
    out: dict[str, Any] = {
        VALUE[attr]: value,
        GSI3PK: keys.kv_value_index(owner.list_pk, attr, key, _index_value(attr, value)),
    }
    if attr == METACOUNTER:
        _, low, high = decade(int(value))
        out |= {UP: high - int(value), DOWN: int(value) - low}
    return out


def key_item(owner: Ref, attr: str, key: str, value: str | int) -> dict[str, Any]:
    """The whole item of one key holding ``value``."""
    assert owner.list_pk is not None and owner.list_sk is not None
    return (
        keys.kv_item(owner, attr, key).key
        | {VERSION: now_us(), GSI3SK: owner.list_sk}
        | {GSI4PK: keys.kv_key_index(owner.list_pk, attr, key), GSI4SK: owner.list_sk}
        | _value_fields(owner, attr, key, value)
    )


def new_items(owner: Ref, maps: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The markers and key items a new record starts with (``maps``: attr → its initial map)."""
    items = []
    for attr in attrs_of(owner):
        initial = maps.get(attr) or {}
        marker = keys.kv_marker(owner, attr).key | {VERSION: now_us()}
        items.append(marker | ({KEYS: set(initial)} if initial else {}))
        items += [key_item(owner, attr, k, v) for k, v in initial.items()]
    return items


@dataclass
class State:
    """One map as read: the marker's key names and version, and each listed key's value and version."""

    names: set[str]
    version: int
    values: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    strays: list[dict[str, str]] = field(default_factory=list)  # key items the marker does not list

    def tag(self) -> int:
        """The map's ETag: a digest of the key set's version and every key's version (below 2^56)."""
        text = json.dumps([self.version, sorted(self.versions.items())], ensure_ascii=False)
        return int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:7], "big")


def _state(marker: dict[str, Any] | None, items: Iterable[dict[str, Any]], attr: str) -> State | None:
    if marker is None:
        return None
    state = State(set(marker.get(KEYS) or ()), int(marker[VERSION]))
    for item in items:
        key = str(item[SK]).split("#", 1)[1]
        if key in state.names:
            state.values[key] = plain(item[VALUE[attr]])
            state.versions[key] = int(item[VERSION])
        else:
            state.strays.append({PK: item[PK], SK: item[SK]})
    return state


def read_state(owner: Ref, attr: str, missing_owner: str) -> State:
    """The map as stored now (a consistent ``Query`` of the marker and its keys); 404 without an owner."""
    low, high = keys.kv_range(attr)
    ex = Expression()
    condition = f"{ex.n(PK)} = {ex.v(owner.pk)} AND {ex.n(SK)} BETWEEN {ex.v(low)} AND {ex.v(high)}"
    request = ex.read(key=condition)
    found = query_all(request | {"ConsistentRead": True})
    marker = next((i for i in found if i[SK] == low), None)
    state = _state(marker, (i for i in found if i[SK] != low), attr)
    if state is None:
        raise NotFound(missing_owner)
    if state.strays:  # left by a removal too large for one transaction: finish it
        batch_write(deletes=state.strays)
    return state


def read(owner: Ref, attr: str, wanted: Iterable[str] | None, missing_owner: str) -> tuple[dict[str, Any], int]:
    """The map (or just the ``wanted`` keys of it that exist) and its ETag; 404 without an owner."""
    state = read_state(owner, attr, missing_owner)
    if wanted is None:
        return dict(state.values), state.tag()
    return {k: state.values[k] for k in dict.fromkeys(wanted) if k in state.values}, state.tag()


# --- writes -------------------------------------------------------------------------------------


@dataclass
class _Op:
    """One key's part of a write."""

    key: str
    change: Change
    present: bool | None  # known present, known absent, or assumed present (None: not read)
    old: Any = None
    version: int | None = None


def _plan(changes: Mapping[str, Change], mode: WriteMode, state: State | None, pinned: bool) -> list[_Op]:
    """Each key's part: assumed present before any read; after one, as read. A key read present is
    pinned on its version only when the client's If-Match asks for it or an increment moves it to
    another decade (its new index keys depend on the value read); otherwise it is changed in place
    under the same conditions as at first, so concurrent increments do not make each other retry."""
    ops = []
    for key, change in changes.items():
        if state is None:
            ops.append(_Op(key, change, False if mode is WriteMode.CREATE else None))
        elif key in state.values:
            old = state.values[key]
            moves = isinstance(change, Add) and decade(int(old))[0] != decade(int(old) + change.delta)[0]
            ops.append(_Op(key, change, True, old, state.versions[key] if pinned or moves else None))
        elif mode in (WriteMode.UPSERT, WriteMode.CREATE):
            ops.append(_Op(key, change, False))
        # an absent key under UPDATE is skipped (UPDATE_ONE was answered 404 by _diagnose)
    return ops


def _new_value(op: _Op) -> str | int:
    if isinstance(op.change, Put):
        return op.change.value
    return int(op.old or 0) + op.change.delta


def _key_update(owner: Ref, attr: str, op: _Op) -> Expression:
    """The update of one existing key: pinned on its version (see ``_plan``), else conditioned on its
    existence (and, for an increment, on staying in its decade)."""
    ex = Expression()
    value = ex.n(VALUE[attr])
    if op.version is None and isinstance(op.change, Add):
        delta = ex.v(op.change.delta)
        room = ex.v(abs(op.change.delta))
        ex.exists(value)
        ex.conditions.append(f"{ex.n(UP if op.change.delta >= 0 else DOWN)} >= {room}")
        ex.sets += [
            f"{value} = {value} + {delta}",
            f"{ex.n(UP)} = {ex.n(UP)} - {delta}",
            f"{ex.n(DOWN)} = {ex.n(DOWN)} + {delta}",
        ]
    else:
        if op.version is None:
            ex.exists(value)
        else:
            ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(op.version)}")
        for name, stored in _value_fields(owner, attr, op.key, _new_value(op)).items():
            ex.set(name, stored)
    ex.bump()
    return ex


def _marker_update(names: set[str], state: State | None, max_keys: int) -> Expression:
    ex = Expression()
    ex.exists()
    if state is not None:
        ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(state.version)}")
    else:
        at_most = ex.v(max_keys - len(names))
        ex.conditions.append(f"(attribute_not_exists({ex.n(KEYS)}) OR size({ex.n(KEYS)}) <= {at_most})")
        ex.conditions += [f"NOT contains({ex.n(KEYS)}, {ex.v(k)})" for k in sorted(names)]
    if names:
        ex.add(KEYS, set(names))
    ex.bump()
    return ex


def write(
    owner: Ref,
    attr: str,
    changes: Mapping[str, Change],
    mode: WriteMode,
    *,
    max_keys: int,
    missing_owner: str,
    expected: int | None = None,
) -> list[str]:
    """Apply ``changes`` atomically (all or none); the keys written. ``expected``: the map's ETag."""
    state: State | None = None
    if expected is not None:
        state = read_state(owner, attr, missing_owner)
        if state.tag() != expected:
            raise stale(state.tag(), expected, "map")
    for _ in attempts():
        if state is not None:
            _diagnose(state, changes, mode, max_keys)
        ops = _plan(changes, mode, state, expected is not None)
        if not ops:
            if state is None:  # nothing assumed present: only the owner's existence is left to tell
                state = read_state(owner, attr, missing_owner)
                continue
            return []
        new = {op.key for op in ops if op.present is False}
        if len(ops) == 1 and not new and expected is None:
            done = _update_one(owner, attr, ops[0])
        else:
            done = _transact(owner, attr, ops, new, state, max_keys, expected is not None)
        if done:
            return [op.key for op in ops]
        state = read_state(owner, attr, missing_owner)
        if expected is not None and state.tag() != expected:
            raise stale(state.tag(), expected, "map")
    raise gave_up("The keys changed concurrently; retry the request")


def _update_one(owner: Ref, attr: str, op: _Op) -> bool:
    try:
        table().update_item(Key=keys.kv_item(owner, attr, op.key).key, **_key_update(owner, attr, op).request())
        return True
    except ClientError as err:
        if condition_failed(err):
            return False
        raise


def _transact(
    owner: Ref, attr: str, ops: list[_Op], new: set[str], state: State | None, max_keys: int, pinned: bool
) -> bool:
    tx = Tx()
    if new or pinned:
        tx.update(keys.kv_marker(owner, attr).key, _marker_update(new, state if pinned else None, max_keys))
    for op in ops:
        if op.present is False:
            tx.put(key_item(owner, attr, op.key, _new_value(op)))
        else:
            tx.update(keys.kv_item(owner, attr, op.key).key, _key_update(owner, attr, op))
    reasons = tx.run()
    return reasons is None


def _diagnose(state: State, changes: Mapping[str, Change], mode: WriteMode, max_keys: int) -> None:
    """Raise the client's error if the map as read explains why the write cannot apply."""
    present = [k for k in changes if k in state.values]
    if mode is WriteMode.CREATE and present:
        raise Conflict(f"Key already exists: {', '.join(present)}", code="key_exists")
    if mode is WriteMode.UPDATE_ONE and not present:
        raise NotFound(f"Key not found: {next(iter(changes))}", code="key_not_found")
    for key in present:
        change = changes[key]
        if isinstance(change, Add) and isinstance(state.values[key], int) and not change.fits(state.values[key]):
            raise BadRequest(f"The change to {key!r} leaves the signed 64-bit range", code="out_of_range")
    if mode is not WriteMode.UPDATE and len(state.values) + len(changes) - len(present) > max_keys:
        raise BadRequest(f"A resource holds at most {max_keys} keys", code="too_many_keys")


def delete_one(
    owner: Ref, attr: str, key: str, missing_owner: str, missing_key: str, expected: int | None = None
) -> None:
    """Remove one key with its item (404 when it is absent), in one transaction with the marker."""
    state: State | None = None
    for _ in attempts():
        if expected is not None or state is not None:
            state = read_state(owner, attr, missing_owner)
            if expected is not None and state.tag() != expected:
                raise stale(state.tag(), expected, "map")
            if key not in state.names:
                raise NotFound(missing_key)
        marker = Expression()
        marker.exists()
        if state is not None:
            marker.conditions.append(f"{marker.n(VERSION)} = {marker.v(state.version)}")
        else:
            marker.conditions.append(f"contains({marker.n(KEYS)}, {marker.v(key)})")
        marker.deletes.append(f"{marker.n(KEYS)} {marker.v({key})}")
        marker.bump()
        tx = Tx()
        tx.update(keys.kv_marker(owner, attr).key, marker)
        tx.delete(keys.kv_item(owner, attr, key).key)
        if tx.run() is None:
            return
        state = read_state(owner, attr, missing_owner)
        if expected is not None and state.tag() != expected:
            raise stale(state.tag(), expected, "map")
        if key not in state.names:
            raise NotFound(missing_key)
    raise gave_up("The keys changed concurrently; retry the request")


def delete_all(owner: Ref, attr: str, missing_owner: str, expected: int | None = None) -> None:
    """Remove every key: one transaction empties the marker and deletes up to 99 key items (the
    keys are gone from then on); a larger map's remaining items are deleted right after."""
    for _ in attempts():
        state = read_state(owner, attr, missing_owner)
        if expected is not None and state.tag() != expected:
            raise stale(state.tag(), expected, "map")
        marker = Expression()
        marker.exists()
        marker.conditions.append(f"{marker.n(VERSION)} = {marker.v(state.version)}")
        marker.removes.append(marker.n(KEYS))
        marker.bump()
        items = [keys.kv_item(owner, attr, k).key for k in sorted(state.values)]
        tx = Tx()
        tx.update(keys.kv_marker(owner, attr).key, marker)
        for key in items[: MAX_TRANSACTION_ITEMS - 1]:
            tx.delete(key)
        if tx.run() is None:
            batch_write(deletes=items[MAX_TRANSACTION_ITEMS - 1 :])
            return
    raise gave_up("The keys changed concurrently; retry the request")
