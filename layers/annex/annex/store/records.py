"""Single-item records (users, channels): conditional create (one or many), read, update, delete."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from botocore.exceptions import ClientError

from annex.errors import Conflict, NotFound
from annex.store import docindex, expression, kvitems, kvowners, lock, metaindex
from annex.store.keys import META_ENTRY, PK, SK, VERSION, Ref, first_version
from annex.store.retry import ATTEMPTS, attempts, backoff, gave_up
from annex.store.table import failed_item, plain, query_all, reraise_unless_condition_failed, stale, table, version_of
from annex.store.writes import MAX_TRANSACTION_ITEMS, Tx, batch_write

_KEY_ATTRS = frozenset({"PK", "SK", "GSI1PK", "GSI1SK", VERSION, lock.ATTR})
# Free-form JSON documents are stored as their compact JSON text: any JSON (floats, empty keys,
# deep nesting) round-trips exactly, which DynamoDB's own types cannot promise.
DOCUMENTS = frozenset({"meta"})


def public(item: dict[str, Any]) -> dict[str, Any]:
    """The item as the API shows it: no key attributes, documents parsed."""
    return {k: json.loads(v) if k in DOCUMENTS else v for k, v in plain(item).items() if k not in _KEY_ATTRS}


def storable(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: json.dumps(v, separators=(",", ":"), ensure_ascii=False) if k in DOCUMENTS else v for k, v in fields.items()
    }


def new_item(ref: Ref, fields: dict[str, Any]) -> dict[str, Any]:
    """The item a new record is stored as (its maps are items of their own: ``bundle``)."""
    own = {k: v for k, v in fields.items() if k not in kvitems.VALUE}
    return ref.attributes() | storable(own) | {VERSION: first_version()}


def bundle(ref: Ref, fields: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item a new record is stored as: its own item first, then its maps' markers and keys,
    then its meta's index entries."""
    maps = kvitems.new_items(ref, {a: fields.get(a) or {} for a in kvitems.VALUE})
    entries = metaindex.entry_items(ref, fields[metaindex.META]) if fields.get(metaindex.META) else {}
    return [new_item(ref, fields), *maps, *entries.values()]


def create(ref: Ref, fields: dict[str, Any], exists: str) -> dict[str, Any]:
    """Create the record with its metadata and metacounter (409 when it exists): one transaction
    (the record's own put conditioned on its absence, its markers and keys)."""
    if not _create_bundle(bundle(ref, fields)):
        raise Conflict(exists, code="already_exists")
    return fields | {a: fields.get(a) or {} for a in kvitems.attrs_of(ref)}


def _create_bundle(items: list[dict[str, Any]]) -> bool:
    """Put a record's items, the first conditioned on its absence; False when it exists. Items past
    one transaction's 100 (a record created with more than 97 keys) follow it in batches."""
    for _ in attempts():
        tx = Tx()
        tx.put(items[0], expression.if_absent())
        for item in items[1:MAX_TRANSACTION_ITEMS]:
            tx.put(item)
        reasons = tx.run()
        if reasons is None:
            batch_write(puts=items[MAX_TRANSACTION_ITEMS:])
            return True
        if reasons[0].get("Code") == "ConditionalCheckFailed":
            return False
        if not any(r.get("Code") in _TRANSIENT_REASONS for r in reasons):
            raise gave_up("The record could not be created; retry")
    raise gave_up("The record changed concurrently; retry")


def get(ref: Ref, missing: str) -> dict[str, Any]:
    return get_versioned(ref, missing)[0]


def get_versioned(ref: Ref, missing: str, maps: bool = True) -> tuple[dict[str, Any], int]:
    """The record (with its metadata and metacounter, unless ``maps`` is false) and its version (what
    its ETag says): one consistent ``Query`` of its partition, or ``GetItem`` of its own item."""
    if not maps:
        item = table().get_item(Key=ref.key, ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound(missing)
        return public(item), int(str(item.get(VERSION, 0)))
    ex = expression.Expression()
    request = ex.read(key=f"{ex.n(PK)} = {ex.v(ref.pk)} AND {ex.n(SK)} < {ex.v(META_ENTRY)}")  # not meta's entries
    found = query_all(request | {"ConsistentRead": True})
    item = next((i for i in found if i[SK] == ref.sk), None)
    if item is None:
        raise NotFound(missing)
    return public(item) | kvowners.assemble(ref, found), int(str(item.get(VERSION, 0)))


def with_maps(ref: Ref, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` (as a write answered it) with its metadata and metacounter as stored now."""
    return record | kvowners.maps_of(ref)


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
    return with_maps(ref, public(out["Attributes"]))


def delete(ref: Ref, missing: str, expected: int | None = None) -> None:
    """Delete the record with its metadata and metacounter: one transaction deletes its item, its
    markers (pinned on the versions read, so no key is added meanwhile) and up to 97 key items; a
    record with more keys has the rest deleted right after (invisible from the transaction on)."""
    for _ in attempts():
        tx = Tx()
        tx.delete(ref.key, expression.if_exists(expected))
        rest = kvowners.delete_with_owner(tx, ref)
        entries = metaindex.entry_keys(ref)  # in the transaction as far as it has room, then after it
        room = max(MAX_TRANSACTION_ITEMS - len(tx.items), 0)
        for key in entries[:room]:
            tx.delete(key)
        rest += entries[room:]
        reasons = tx.run()
        if reasons is None:
            batch_write(deletes=rest)
            return
        if reasons[0].get("Code") == "ConditionalCheckFailed":
            old = reasons[0].get("Item")
            raise (NotFound(missing) if not old else stale(version_of(old), expected)) from None
    raise gave_up("The record changed concurrently; retry the request")


def update_document(
    ref: Ref,
    attr: str,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    missing: str,
    expected: int | None = None,
) -> dict[str, Any]:
    """Replace the JSON document ``attr`` (``meta``) with ``change(current)``; the record after.

    Optimistic concurrency: the write is conditioned on the version it read, so two concurrent
    changes never lose each other; the loser reads again and reapplies its change. The document's
    q index entries (store/metaindex.py) move in the same transaction when they fit in one, else by
    the index-lock protocol (store/docindex.py), whose live lock other writers wait for.
    """
    waiter = lock.Waiter("record")
    doc = metaindex.document(ref)
    for _ in attempts():
        read = lambda: table().get_item(Key=ref.key, ConsistentRead=True).get("Item")  # noqa: E731
        item = waiter.free(read, lambda held: docindex.recover(doc, held))
        if item is None:
            raise NotFound(missing)
        seen = item.get(VERSION)
        if expected is not None and int(str(seen or 0)) != expected:
            raise stale(seen, expected)
        document = change(json.loads(str(item[attr])) if attr in item else {})
        puts, deletes = docindex.diff(doc, item, document)
        after = item | storable({attr: document}) | {VERSION: int(str(seen or 0)) + 1}
        if len(puts) + len(deletes) + 1 > MAX_TRANSACTION_ITEMS:
            if docindex.many_leaves(doc, item, document, puts, deletes, int(str(seen or 0))):
                return get_versioned(ref, missing, maps=False)[0]
            continue
        ex = expression.if_exists()
        if seen is not None:
            ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(seen)}")
        else:
            ex.absent(ex.n(VERSION))
        docindex.same_document(ex, attr, item)
        lock.free(ex)
        ex.set(attr, storable({attr: document})[attr])
        ex.bump()
        if docindex.in_one_transaction(ref.key, ex, puts, deletes):
            return public(after)
    raise gave_up("The document changed concurrently; retry the request")


# DynamoDB's limit on one TransactWriteItems' size is 4 MB (item sizes are estimated from above).
MAX_TRANSACTION_BYTES = 3_500_000
# Cancellation reasons that say "not now" rather than "never": the transaction is sent again.
_TRANSIENT_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


def _size(item: dict[str, Any]) -> int:
    """At least the item's DynamoDB size (names and values; JSON's quotes and commas only add)."""
    return len(json.dumps(item, default=str, ensure_ascii=False).encode())


Bundle = tuple[int, list[dict[str, Any]]]  # a record's index in the request, and its items


def _chunks(bundles: list[Bundle]) -> Iterator[list[Bundle]]:
    """Transactions' worth of records: at most 100 actions and 3.5 MB each, and no key twice in one
    (DynamoDB refuses a transaction that names an item twice; the second one then finds the first).
    A record of more than 100 items goes alone (its items past 100 follow in batches)."""
    chunk: list[Bundle] = []
    actions, size, seen = 0, 0, set[tuple[str, str]]()
    for index, items in bundles:
        key = (str(items[0][PK]), str(items[0][SK]))
        count, bytes_ = min(len(items), MAX_TRANSACTION_ITEMS), sum(map(_size, items[:MAX_TRANSACTION_ITEMS]))
        if chunk and (actions + count > MAX_TRANSACTION_ITEMS or size + bytes_ > MAX_TRANSACTION_BYTES or key in seen):
            yield chunk
            chunk, actions, size, seen = [], 0, 0, set()
        chunk.append((index, items))
        actions, size = actions + count, size + bytes_
        seen.add(key)
    if chunk:
        yield chunk


def create_many(new: Sequence[tuple[Ref, dict[str, Any]]]) -> list[bool]:
    """Create each record that does not exist yet; per record, True when this call created it, False
    when a record with its key was already there (left as it is, not compared).

    The records go in ``TransactWriteItems`` of up to 100 ``Put``s (each record's own item
    conditioned on ``attribute_not_exists``, with its markers and keys). DynamoDB cancels a
    transaction whole when any condition fails and names those in its cancellation reasons, so the
    transaction is sent again without those records: one request per 100 new items, plus one per
    batch that meets existing records. A record is never half-written (but for the keys past 97 of
    a record that has more, which follow its transaction), and a rerun creates none twice.
    """
    created = [False] * len(new)
    bundles = [(index, bundle(ref, fields)) for index, (ref, fields) in enumerate(new)]
    for chunk in _chunks(bundles):
        _create_chunk(chunk, created)
    return created


def _create_chunk(pending: list[Bundle], created: list[bool]) -> None:
    conflicts, new = 0, expression.if_absent()
    while pending:
        tx, owners = Tx(), {}
        for index, items in pending:
            owners[len(tx.items)] = index
            tx.put(items[0], new)
            for item in items[1:MAX_TRANSACTION_ITEMS]:
                tx.put(item)
        reasons = tx.run()
        if reasons is None:
            for index, items in pending:
                created[index] = True
                batch_write(puts=items[MAX_TRANSACTION_ITEMS:])
            return
        exists = {
            owners[n]
            for n, reason in enumerate(reasons)
            if n in owners and reason.get("Code") == "ConditionalCheckFailed"
        }
        if not exists:  # a concurrent transaction on one of the items, or throttling: again, later
            if not any(reason.get("Code") in _TRANSIENT_REASONS for reason in reasons):
                raise gave_up("The records could not be created; retry")
            conflicts += 1
            if conflicts >= ATTEMPTS:
                raise gave_up("The records changed concurrently; retry")
            backoff(conflicts)
        pending = [(index, items) for index, items in pending if index not in exists]
