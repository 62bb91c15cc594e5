"""Single-item records (users, channels): conditional create (one or many), read, update, delete."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from botocore.exceptions import ClientError

from annex.core.clock import now_us
from annex.errors import Conflict, NotFound
from annex.store import expression
from annex.store.keys import PK, SK, VERSION, Ref
from annex.store.retry import ATTEMPTS, attempts, backoff, gave_up, raise_unless_retryable
from annex.store.table import failed_item, plain, reraise_unless_condition_failed, stale, table, version_of
from annex.store.writes import MAX_TRANSACTION_ITEMS, Tx

_KEY_ATTRS = frozenset({"PK", "SK", "GSI1PK", "GSI1SK", VERSION})
# Free-form JSON documents are stored as their compact JSON text: any JSON (floats, empty keys,
# deep nesting) round-trips exactly, which DynamoDB's own types cannot promise.
DOCUMENTS = frozenset({"meta"})


def first_version() -> int:
    """A new record's version: microseconds since the epoch, so a record deleted and created again
    never answers an ETag its predecessor gave out (then every write adds 1)."""
    return now_us()


def public(item: dict[str, Any]) -> dict[str, Any]:
    """The item as the API shows it: no key attributes, documents parsed."""
    return {k: json.loads(v) if k in DOCUMENTS else v for k, v in plain(item).items() if k not in _KEY_ATTRS}


def storable(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: json.dumps(v, separators=(",", ":"), ensure_ascii=False) if k in DOCUMENTS else v for k, v in fields.items()
    }


def new_item(ref: Ref, fields: dict[str, Any]) -> dict[str, Any]:
    """The item a new record is stored as."""
    return ref.attributes() | storable(fields) | {VERSION: first_version()}


def create(ref: Ref, fields: dict[str, Any], exists: str) -> dict[str, Any]:
    try:
        table().put_item(Item=new_item(ref, fields), **expression.if_absent().request())
    except ClientError as err:
        reraise_unless_condition_failed(err)
        raise Conflict(exists, code="already_exists") from None
    return fields


def get(ref: Ref, missing: str) -> dict[str, Any]:
    return get_versioned(ref, missing)[0]


def get_versioned(ref: Ref, missing: str) -> tuple[dict[str, Any], int]:
    """The record and its version (what its ETag says)."""
    item = table().get_item(Key=ref.key, ConsistentRead=True).get("Item")
    if item is None:
        raise NotFound(missing)
    return public(item), int(str(item.get(VERSION, 0)))


def _check(ref: Ref, missing: str, expected: int | None) -> dict[str, Any]:
    record, version = get_versioned(ref, missing)
    if expected is not None and version != expected:
        raise stale(version, expected)
    return record


def update(ref: Ref, fields: dict[str, Any], missing: str, expected: int | None = None) -> dict[str, Any]:
    """Set ``fields`` on an existing record (at version ``expected``, if given); the record after."""
    if not fields:
        return _check(ref, missing, expected)
    ex = expression.if_exists(expected)
    for name, value in storable(fields).items():
        ex.set(name, value)
    ex.bump()
    try:
        out = table().update_item(
            Key=ref.key, ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD", **ex.request()
        )
    except ClientError as err:
        reraise_unless_condition_failed(err)
        old = failed_item(err)
        raise (NotFound(missing) if old is None else stale(version_of(old), expected)) from None
    return public(out["Attributes"])


def delete(ref: Ref, missing: str, expected: int | None = None) -> None:
    """Delete the record and, with it, the data it holds in its own item."""
    try:
        table().delete_item(
            Key=ref.key, ReturnValuesOnConditionCheckFailure="ALL_OLD", **expression.if_exists(expected).request()
        )
    except ClientError as err:
        reraise_unless_condition_failed(err)
        old = failed_item(err)
        raise (NotFound(missing) if old is None else stale(version_of(old), expected)) from None


def update_document(
    ref: Ref,
    attr: str,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    missing: str,
    expected: int | None = None,
) -> dict[str, Any]:
    """Replace the JSON document ``attr`` with ``change(current)``; the record after.

    Optimistic concurrency: the write is conditioned on the version it read, so two concurrent
    changes never lose each other; the loser reads again and reapplies its change.
    """
    for _ in attempts():
        ex = expression.Expression()
        projection = ex.read([ex.n(PK), ex.n(attr), ex.n(VERSION)])
        item = table().get_item(Key=ref.key, ConsistentRead=True, **projection).get("Item")
        if item is None:
            raise NotFound(missing)
        seen = item.get(VERSION)
        if expected is not None and int(str(seen or 0)) != expected:
            raise stale(seen, expected)
        document = change(json.loads(str(item[attr])) if attr in item else {})
        ex = expression.if_exists()
        if seen is not None:
            ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(seen)}")
        else:
            ex.absent(ex.n(VERSION))
        ex.set(attr, storable({attr: document})[attr])
        ex.bump()
        try:
            out = table().update_item(Key=ref.key, ReturnValues="ALL_NEW", **ex.request())
        except ClientError as err:
            raise_unless_retryable(err)
            continue
        return public(out["Attributes"])
    raise gave_up("The document changed concurrently; retry the request")


# DynamoDB's limit on one TransactWriteItems' size is 4 MB (item sizes are estimated from above).
MAX_TRANSACTION_BYTES = 3_500_000
# Cancellation reasons that say "not now" rather than "never": the transaction is sent again.
_TRANSIENT_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


def _size(item: dict[str, Any]) -> int:
    """At least the item's DynamoDB size (names and values; JSON's quotes and commas only add)."""
    return len(json.dumps(item, default=str, ensure_ascii=False).encode())


def _chunks(items: list[tuple[int, dict[str, Any]]]) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """Transactions' worth of items: at most 100 and 3.5 MB each, and no key twice in one (DynamoDB
    refuses a transaction that names an item twice; the second one then finds the first)."""
    chunk: list[tuple[int, dict[str, Any]]] = []
    size, seen = 0, set[tuple[str, str]]()
    for index, item in items:
        key, item_size = (str(item[PK]), str(item[SK])), _size(item)
        if chunk and (len(chunk) == MAX_TRANSACTION_ITEMS or size + item_size > MAX_TRANSACTION_BYTES or key in seen):
            yield chunk
            chunk, size, seen = [], 0, set()
        chunk.append((index, item))
        size += item_size
        seen.add(key)
    if chunk:
        yield chunk


def create_many(new: Sequence[tuple[Ref, dict[str, Any]]]) -> list[bool]:
    """Create each record that does not exist yet; per record, True when this call created it, False
    when a record with its key was already there (left as it is, not compared).

    The records go in ``TransactWriteItems`` of up to 100 ``Put``s, each conditioned on
    ``attribute_not_exists``. DynamoDB cancels a transaction whole when any condition fails and
    names those in its cancellation reasons, so the transaction is sent again without them: one
    request per 100 new records, plus one per batch that meets existing ones. Each record is one
    item, so none is ever half-written, and a rerun over the same records creates none twice.
    """
    created = [False] * len(new)
    items = [(index, new_item(ref, fields)) for index, (ref, fields) in enumerate(new)]
    for chunk in _chunks(items):
        _create_chunk(chunk, created)
    return created


def _create_chunk(pending: list[tuple[int, dict[str, Any]]], created: list[bool]) -> None:
    conflicts, new = 0, expression.if_absent()
    while pending:
        tx = Tx()
        for _, item in pending:
            tx.put(item, new)
        try:
            table().meta.client.transact_write_items(TransactItems=tx.items)  # type: ignore[arg-type]
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons: list[dict[str, Any]] = err.response.get("CancellationReasons", [])  # type: ignore[assignment]
            exists = {n for n, reason in enumerate(reasons) if reason.get("Code") == "ConditionalCheckFailed"}
            if not exists:  # a concurrent transaction on one of the items, or throttling: again, later
                if not any(reason.get("Code") in _TRANSIENT_REASONS for reason in reasons):
                    raise
                conflicts += 1
                if conflicts >= ATTEMPTS:
                    raise gave_up("The records changed concurrently; retry") from None
                backoff(conflicts)
            pending = [entry for n, entry in enumerate(pending) if n not in exists]
            continue
        for index, _ in pending:
            created[index] = True
        return
