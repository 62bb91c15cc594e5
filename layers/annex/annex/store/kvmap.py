"""Key/value maps stored as one map attribute of their owner item (metadata, metacounter).

Every write is a single conditional ``UpdateItem``: all of a request's keys change together or
none do, and DynamoDB checks the owner's existence, each key's presence, the int64 range and the
resource's key limit in the same request. A write is first tried with the most likely
assumption (update: every key exists; upsert: room for every key). Only when that condition
fails does the store learn the map from the failed request's ``ALL_OLD`` image, turn a definite
client mistake into its domain error, or retry once with conditions that pin what it saw, so a
concurrent change between the two requests makes the retry fail instead of being overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from annex.core.keyvalue import Add, Change, Put, WriteMode
from annex.errors import BadRequest, Conflict, NotFound
from annex.store.expression import Expression, if_exists
from annex.store.keys import PK, VERSION, Ref
from annex.store.retry import attempts, condition_failed, gave_up
from annex.store.table import failed_item, plain, reraise_unless_condition_failed, stale, table, version_of


def read(ref: Ref, attr: str, keys: Iterable[str] | None, missing_owner: str) -> tuple[dict[str, Any], int]:
    """The map (or just ``keys`` of it that exist) and the owner's version; 404 without an owner."""
    ex = Expression()
    wanted = list(dict.fromkeys(keys)) if keys is not None else None
    if wanted == []:
        paths = []  # ?keys= named no key: only the owner's existence and version
    elif wanted:
        paths = [ex.path(attr, key) for key in wanted]
    else:
        paths = [ex.n(attr)]
    projection = ex.read([ex.n(PK), ex.n(VERSION), *paths])
    item = table().get_item(Key=ref.key, ConsistentRead=True, **projection).get("Item")
    if item is None:
        raise NotFound(missing_owner)
    found: dict[str, Any] = plain(item.get(attr, {})) if wanted != [] else {}
    return found, int(str(item.get(VERSION, 0)))


def delete_all(ref: Ref, attr: str, missing_owner: str, expected: int | None = None) -> None:
    ex = if_exists(expected)
    ex.set(attr, {})
    ex.bump()
    old = _refused(ref, ex, missing_owner, expected)
    if old is not None:  # only the version is a condition here: it changed since the refusal
        raise stale(version_of(old), expected)


def delete_one(
    ref: Ref, attr: str, key: str, missing_owner: str, missing_key: str, expected: int | None = None
) -> None:
    ex = Expression()
    path = ex.path(attr, key)
    ex.exists(path)
    ex.expect(expected)
    ex.removes.append(path)
    ex.bump()
    if _refused(ref, ex, missing_owner, expected) is not None:
        raise NotFound(missing_key)


def _refused(ref: Ref, ex: Expression, missing_owner: str, expected: int | None) -> dict[str, Any] | None:
    """Apply ``ex`` to the item at ``ref``: None when it applied. When its condition failed: 404 for
    a missing item, 412 for a version that is not ``expected``, else the item as found (the caller
    names what else was wrong)."""
    try:
        table().update_item(Key=ref.key, ReturnValuesOnConditionCheckFailure="ALL_OLD", **ex.request())
        return None
    except ClientError as err:
        reraise_unless_condition_failed(err)
        old = failed_item(err)
    if old is None:
        raise NotFound(missing_owner)
    if expected is not None and version_of(old) != expected:
        raise stale(version_of(old), expected)
    return old


@dataclass
class _Plan:
    """One attempt: which keys are known present, known absent, or not known yet."""

    changes: Mapping[str, Change]
    mode: WriteMode
    expected: int | None = None  # If-Match: the owner's version the client read
    seen: dict[str, Any] | None = None  # the map as the last failed attempt saw it

    def state(self, key: str) -> bool | None:
        if self.mode is WriteMode.CREATE:
            return False
        if self.seen is not None:
            return key in self.seen
        return True if self.mode in (WriteMode.UPDATE, WriteMode.UPDATE_ONE) else None

    def applied(self) -> list[str]:
        if self.mode is WriteMode.UPDATE:
            return [k for k in self.changes if self.state(k)]
        return list(self.changes)

    def new_keys(self) -> int:
        """How many keys the write may add to the map."""
        return sum(1 for k in self.applied() if self.state(k) is not True)

    def expression(self, attr: str, max_keys: int) -> Expression:
        ex = if_exists()
        applied = self.applied()
        for key, change in self.changes.items():
            path = ex.path(attr, key)
            present = self.state(key)
            if key not in applied:
                ex.absent(path)  # pin the decision to skip it
                continue
            if present is True:
                ex.exists(path)
            elif present is False:
                ex.absent(path)
            if isinstance(change, Put):
                ex.sets.append(f"{path} = {ex.v(change.value)}")
                continue
            if present is True:
                ex.sets.append(f"{path} = {path} + {ex.v(change.delta)}")
            else:
                ex.sets.append(f"{path} = if_not_exists({path}, {ex.v(0)}) + {ex.v(change.delta)}")
            if present is not False:
                _bounds(ex, change, path, maybe_missing=present is None)
        if adds := self.new_keys():
            ex.conditions.append(f"size({ex.n(attr)}) <= {ex.v(max_keys - adds)}")
        ex.expect(self.expected)
        ex.bump()
        return ex


def _bounds(ex: Expression, change: Add, path: str, *, maybe_missing: bool) -> None:
    """Condition: the stored number stays in the signed 64-bit range after ``change``."""
    lo, hi = change.old_bounds()
    parts = []
    if lo is not None:
        parts.append(f"{path} >= {ex.v(lo)}")
    if hi is not None:
        parts.append(f"{path} <= {ex.v(hi)}")
    if not parts:
        return
    bound = " AND ".join(parts)
    ex.conditions.append(f"(attribute_not_exists({path}) OR {bound})" if maybe_missing else f"({bound})")


def write(
    ref: Ref,
    attr: str,
    changes: Mapping[str, Change],
    mode: WriteMode,
    *,
    max_keys: int,
    missing_owner: str,
    expected: int | None = None,
) -> tuple[list[str], dict[str, Any]]:
    """Apply ``changes`` to the map in one conditional write; answer (keys written, map after).

    The map after is the whole stored map when the write returned it, else just the keys written.
    """
    plan = _Plan(changes, mode, expected)
    for _ in attempts():
        applied = plan.applied()
        if not applied:
            return [], dict(plan.seen or {})
        if plan.new_keys() > max_keys:
            raise BadRequest(f"A resource holds at most {max_keys} keys", code="too_many_keys")
        try:
            out = table().update_item(
                Key=ref.key,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **plan.expression(attr, max_keys).request(),
            )
            return applied, plain(out["Attributes"].get(attr, {}))
        except ClientError as err:
            if not condition_failed(err):
                continue  # a transaction was in progress on the owner: again, as it was
            old = failed_item(err)
            if old is None:
                raise NotFound(missing_owner) from None
            if expected is not None and version_of(old) != expected:
                raise stale(version_of(old), expected) from None
            plan.seen = _deserialize_map(old.get(attr))
            _diagnose(plan.seen, changes, mode, max_keys)
    raise gave_up("The keys changed concurrently; retry the request")


def _diagnose(seen: dict[str, Any], changes: Mapping[str, Change], mode: WriteMode, max_keys: int) -> None:
    """Raise the client's error if the state seen explains the failed condition."""
    present = [k for k in changes if k in seen]
    if mode is WriteMode.CREATE and present:
        raise Conflict(f"Key already exists: {', '.join(present)}", code="key_exists")
    if mode is WriteMode.UPDATE_ONE and not present:
        raise NotFound(f"Key not found: {next(iter(changes))}", code="key_not_found")
    for key in present:
        change = changes[key]
        if isinstance(change, Add) and isinstance(seen[key], int) and not change.fits(seen[key]):
            raise BadRequest(f"The change to {key!r} leaves the signed 64-bit range", code="out_of_range")
    if mode is not WriteMode.UPDATE and len(seen) + len(changes) - len(present) > max_keys:
        raise BadRequest(f"A resource holds at most {max_keys} keys", code="too_many_keys")


def _deserialize_map(raw: Any) -> dict[str, Any]:
    """The owner's map from the low-level ``ALL_OLD`` image of a failed condition."""
    if not raw or "M" not in raw:
        return {}
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {k: plain(deserializer.deserialize(v)) for k, v in raw["M"].items()}
