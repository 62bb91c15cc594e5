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
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from annex.domain.keyvalue import Add, Change, Put, WriteMode
from annex.errors import BadRequest, Conflict, NotFound
from annex.store.keys import PK, VERSION, Ref
from annex.store.retry import attempts, condition_failed, gave_up
from annex.store.table import (
    failed_item,
    plain,
    precondition,
    reraise_unless_condition_failed,
    stale,
    table,
    version_of,
)


def read(ref: Ref, attr: str, keys: Iterable[str] | None, missing_owner: str) -> tuple[dict[str, Any], int]:
    """The map (or just ``keys`` of it that exist) and the owner's version; 404 without an owner."""
    names = {"#pk": PK, "#m": attr, "#ver": VERSION}
    wanted = list(dict.fromkeys(keys)) if keys is not None else None
    if wanted == []:
        projection = "#pk, #ver"  # ?keys= named no key: only the owner's existence and version
        del names["#m"]
    elif wanted:
        names |= {f"#k{i}": k for i, k in enumerate(wanted)}
        projection = ", ".join(["#pk", "#ver", *(f"#m.#k{i}" for i in range(len(wanted)))])
    else:
        projection = "#pk, #ver, #m"
    item = (
        table()
        .get_item(Key=ref.key, ProjectionExpression=projection, ExpressionAttributeNames=names, ConsistentRead=True)
        .get("Item")
    )
    if item is None:
        raise NotFound(missing_owner)
    found: dict[str, Any] = plain(item.get(attr, {})) if wanted != [] else {}
    return found, int(str(item.get(VERSION, 0)))


def delete_all(ref: Ref, attr: str, missing_owner: str, expected: int | None = None) -> None:
    values: dict[str, Any] = {":empty": {}, ":one": 1}
    try:
        table().update_item(
            Key=ref.key,
            UpdateExpression="SET #m = :empty ADD #ver :one",
            ConditionExpression="attribute_exists(#pk)" + precondition(expected, values),
            ExpressionAttributeNames={"#m": attr, "#pk": PK, "#ver": VERSION},
            ExpressionAttributeValues=values,
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as err:
        reraise_unless_condition_failed(err)
        old = failed_item(err)
        raise (NotFound(missing_owner) if old is None else stale(old, expected)) from None


def delete_one(
    ref: Ref, attr: str, key: str, missing_owner: str, missing_key: str, expected: int | None = None
) -> None:
    values: dict[str, Any] = {":one": 1}
    try:
        table().update_item(
            Key=ref.key,
            UpdateExpression="REMOVE #m.#k ADD #ver :one",
            ConditionExpression="attribute_exists(#m.#k)" + precondition(expected, values),
            ExpressionAttributeNames={"#m": attr, "#k": key, "#ver": VERSION},
            ExpressionAttributeValues=values,
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as err:
        reraise_unless_condition_failed(err)
        old = failed_item(err)
        if old is None:
            raise NotFound(missing_owner) from None
        if expected is not None and version_of(old) != expected:
            raise stale(old, expected) from None
        raise NotFound(missing_key) from None


@dataclass
class _Plan:
    """One attempt: which keys are known present, known absent, or not known yet."""

    changes: Mapping[str, Change]
    mode: WriteMode
    expected: int | None = None  # If-Match: the owner's version the client read
    seen: dict[str, Any] | None = None  # the map as the last failed attempt saw it
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

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

    def expression(self, attr: str, max_keys: int) -> tuple[str, str]:
        self.names = {"#pk": PK, "#m": attr, "#ver": VERSION}
        self.values = {":one": 1}
        sets: list[str] = []
        conds = ["attribute_exists(#pk)"]
        for i, (key, change) in enumerate(self.changes.items()):
            path = f"#m.#k{i}"
            self.names[f"#k{i}"] = key
            present = self.state(key)
            if key not in self.applied():
                conds.append(f"attribute_not_exists({path})")  # pin the decision to skip it
                continue
            if present is True:
                conds.append(f"attribute_exists({path})")
            elif present is False:
                conds.append(f"attribute_not_exists({path})")
            if isinstance(change, Put):
                self.values[f":v{i}"] = change.value
                sets.append(f"{path} = :v{i}")
                continue
            self.values[f":d{i}"] = change.delta
            if present is True:
                sets.append(f"{path} = {path} + :d{i}")
            else:
                self.values[":zero"] = 0
                sets.append(f"{path} = if_not_exists({path}, :zero) + :d{i}")
            if present is not False:
                conds.append(self._bounds(change, path, i, maybe_missing=present is None))
        adds = sum(1 for k in self.applied() if self.state(k) is not True)
        if adds:
            self.values[":room"] = max_keys - adds
            conds.append("size(#m) <= :room")
        return "SET " + ", ".join(sets) + " ADD #ver :one", " AND ".join(c for c in conds if c) + precondition(
            self.expected, self.values
        )

    def _bounds(self, change: Add, path: str, i: int, *, maybe_missing: bool) -> str:
        lo, hi = change.old_bounds()
        parts = []
        if lo is not None:
            self.values[f":lo{i}"] = lo
            parts.append(f"{path} >= :lo{i}")
        if hi is not None:
            self.values[f":hi{i}"] = hi
            parts.append(f"{path} <= :hi{i}")
        if not parts:
            return ""
        bound = " AND ".join(parts)
        return f"(attribute_not_exists({path}) OR {bound})" if maybe_missing else f"({bound})"


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
        update, condition = plan.expression(attr, max_keys)
        if plan.values.get(":room", 0) < 0:
            raise BadRequest(f"A resource holds at most {max_keys} keys", code="too_many_keys")
        try:
            out = table().update_item(
                Key=ref.key,
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=plan.names,
                ExpressionAttributeValues=plan.values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return applied, plain(out["Attributes"].get(attr, {}))
        except ClientError as err:
            if not condition_failed(err):
                continue  # a transaction was in progress on the owner: again, as it was
            old = failed_item(err)
            if old is None:
                raise NotFound(missing_owner) from None
            if expected is not None and version_of(old) != expected:
                raise stale(old, expected) from None
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
