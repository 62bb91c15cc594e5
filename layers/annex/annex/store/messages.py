"""Messages in the table: the per-channel counter, message items and the sorted_metaarray index.

One partition per channel url (``keys.channel_messages``) holds:

- ``COUNTER``: ``last_message_id`` (allocated with ``ADD``, so concurrent sends never share an id),
  ``floor`` and ``deleted``. Deleting the channel marks it deleted and raises the floor to the last
  id in the same transaction; a message is visible only while its id is above the floor, and the
  counter outlives the channel, so no two messages of a channel url ever get the same id.
- ``M#{id}``: the messages, oldest first. ``sorted_metaarray`` is stored as a map
  ``{key: {"o": ordinal, "v": [values]}}`` (the ordinal keeps the keys' order), ``meta`` as JSON text.
- ``X#{key}#{value}#{id}``: one index entry per (key, value) a message holds, so a filter reads the
  entries of the values it names and the messages they point at, nothing else.

Index invariant: every value a message holds has its entry. An entry is written in the same
``TransactWriteItems`` as the message change that adds its value, and deleted in the one that
removes it; a change with more entries than one transaction holds takes the message's
``index_lock`` (entries first, then the change, then the stale entries, then the unlock), and every
other sorted_metaarray write waits for a lock. An entry can be stale (a value removed, a writer that
died), never missing; readers re-check every candidate against the stored message.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import heapq
import json
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from annex.core.clock import now_ms
from annex.domain.metaarray import MAX_KEYS, MAX_VALUES, Entry, KeyChange, Plan
from annex.errors import BadRequest, Conflict, NotFound, PreconditionFailed
from annex.store import keys
from annex.store.keys import PK, SK, VERSION, Ref
from annex.store.pages import MAX_PAGE_BYTES
from annex.store.records import first_version
from annex.store.retry import ATTEMPTS, attempts, backoff, condition_failed, gave_up, raise_unless_retryable
from annex.store.table import (
    THROTTLING_CODES,
    batch_items,
    failed_item,
    plain,
    reraise_unless_condition_failed,
    table,
)
from annex.store.writes import Tx

LAST, FLOOR, DELETED = "last_message_id", "floor", "deleted"
SMA, META, LOCK = "sorted_metaarray", "meta", "index_lock"
MAX_ID = 2**63 - 1
LOCK_MS = 30_000  # longer than a function may run (10 s), so an expired lock's holder is gone
LOCK_WAIT_S = 5.0  # how long a writer waits for another's lock before answering 409
MAX_TRANSACTION_ITEMS = 100
EXPRESSION_CHARS = 3000  # DynamoDB allows 4 KB per expression: past this, pin the version instead
MAX_FILTER_READS = 1000  # index candidates one filtered page may read before answering a cursor
_HIDDEN = frozenset({PK, SK, VERSION, LOCK, "channel_type"})


class Channel(Protocol):
    """A channel of one application (``annex.domain.resources.ChannelRef``)."""

    @property
    def app_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def channel_url(self) -> str: ...
    @property
    def ref(self) -> Ref: ...
    @property
    def missing(self) -> str: ...


class MessageRef(Protocol):
    """A message of a channel (``annex.domain.messages.MessageRef``)."""

    @property
    def channel(self) -> Channel: ...
    @property
    def message_id(self) -> int: ...
    @property
    def ref(self) -> Ref: ...
    @property
    def missing(self) -> str: ...


# ---------------------------------------------------------------- items


def _partition(channel: Channel) -> str:
    return keys.channel_messages(channel.app_id, channel.kind, channel.channel_url)


def _counter(channel: Channel) -> Ref:
    return keys.message_counter(channel.app_id, channel.kind, channel.channel_url)


def _entry_key(channel: Channel, key: str, value: str, message_id: int) -> dict[str, str]:
    return keys.metaarray_entry(channel.app_id, channel.kind, channel.channel_url, key, value, message_id).key


def _entry_item(channel: Channel, key: str, value: str, message_id: int) -> dict[str, Any]:
    return _entry_key(channel, key, value, message_id) | {"message_id": message_id}


def stored_state(raw: Any) -> dict[str, Entry]:
    """sorted_metaarray as the domain sees it, from the stored map."""
    return {k: Entry(int(v["o"]), tuple(str(x) for x in v["v"])) for k, v in plain(raw or {}).items()}


def _stored(entry: Entry) -> dict[str, Any]:
    return {"o": entry.ordinal, "v": list(entry.values)}


def record(item: dict[str, Any]) -> dict[str, Any]:
    """A message item as plain Python: meta parsed, sorted_metaarray as domain entries."""
    out = {k: v for k, v in plain(item).items() if k not in _HIDDEN}
    out[META] = json.loads(str(item[META])) if META in item else {}
    out[SMA] = stored_state(item.get(SMA))
    return out


def _version(item: dict[str, Any]) -> int:
    return int(str(item.get(VERSION, 0)))


def _stale(version: int, expected: int) -> PreconditionFailed:
    return PreconditionFailed(f'The message is at version "{version}", not "{expected}": read it again')


def _batch_get(
    wanted: list[dict[str, str]], projection: list[str] | None = None
) -> dict[tuple[str, str], dict[str, Any]]:
    """Items by (PK, SK) (just the ``projection`` attributes, if given), strongly consistent; the
    missing ones left out."""
    request: dict[str, Any] = {"ConsistentRead": True}
    if projection:
        names = {f"#p{i}": attr for i, attr in enumerate([PK, SK, *projection])}
        request |= {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    return {(str(item[PK]), str(item[SK])): item for item in batch_items(wanted, request)}


def _batch_write(puts: Iterable[dict[str, Any]] = (), deletes: Iterable[dict[str, Any]] = ()) -> None:
    with table().batch_writer() as batch:
        for item in puts:
            batch.put_item(Item=item)
        for key in deletes:
            batch.delete_item(Key=key)


# ---------------------------------------------------------------- reads


def _floor(counter: dict[str, Any] | None) -> int:
    return int(str(counter.get(FLOOR, 0))) if counter else 0


def _visible(message: MessageRef) -> dict[str, Any]:
    """The stored message, if it is one of its channel's current messages (one BatchGetItem)."""
    counter = _counter(message.channel)
    found = _batch_get([counter.key, message.ref.key])
    item = found.get((message.ref.pk, message.ref.sk))
    if item is None or message.message_id <= _floor(found.get((counter.pk, counter.sk))):
        raise NotFound(message.missing, code="message_not_found")
    return item


def read(message: MessageRef) -> tuple[dict[str, Any], int]:
    """The message and its version (its ETag)."""
    item = _visible(message)
    return record(item), _version(item)


def _channel_floor(channel: Channel) -> int:
    """The channel's floor; 404 when the channel does not exist (one BatchGetItem)."""
    counter = _counter(channel)
    found = _batch_get([channel.ref.key, counter.key], projection=[FLOOR])  # not the channel's data
    if (channel.ref.pk, channel.ref.sk) not in found:
        raise NotFound(channel.missing)
    return _floor(found.get((counter.pk, counter.sk)))


def encode_cursor(message_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": message_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id a ``next`` cursor goes on after (none, or an empty one: from the start)."""
    if not cursor:
        return 0
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError):  # RecursionError: forged deep nesting
        value = None
    after = value.get("after") if isinstance(value, dict) and set(value) == {"after"} else None
    if type(after) is not int or not 0 <= after <= MAX_ID:
        raise BadRequest("The next cursor is not one this list gave out", code="invalid_cursor")
    return after


def _page(items: list[dict[str, Any]], limit: int, more: bool) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` records, ending early before the page's JSON passes MAX_PAGE_BYTES."""
    shown: list[dict[str, Any]] = []
    size = 0
    for item in items[:limit]:
        size += len(json.dumps(plain(item), separators=(",", ":"), default=str))
        if shown and size > MAX_PAGE_BYTES:
            return shown, encode_cursor(int(shown[-1]["message_id"]))
        shown.append(record(item))
    if more or len(items) > limit:
        return shown, encode_cursor(int(shown[-1]["message_id"])) if shown else None
    return shown, None


def page(channel: Channel, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """The channel's messages after the cursor, oldest first."""
    after = max(_channel_floor(channel), decode_cursor(cursor))
    if after >= MAX_ID:
        return [], None
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key(PK).eq(_partition(channel))
        & Key(SK).between(keys.message_sk(after + 1), keys.message_sk(MAX_ID)),
        "ConsistentRead": True,
    }
    found: list[dict[str, Any]] = []
    while len(found) <= limit:
        out = table().query(Limit=limit + 1 - len(found), **kwargs)
        found += out.get("Items", [])
        if "LastEvaluatedKey" not in out:
            break
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    return _page(found, limit, more=False)


def _entry_ids(channel: Channel, key: str, value: str, after: int, chunk: int) -> Iterator[int]:
    """The ids of the messages whose index says they hold ``value`` under ``key``, ascending,
    read ``chunk`` entries per request, on demand."""
    prefix = keys.metaarray_prefix(key, value)
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key(PK).eq(_partition(channel))
        & Key(SK).between(f"{prefix}{after + 1:0{keys.MESSAGE_ID_DIGITS}d}", f"{prefix}{MAX_ID}"),
        "ConsistentRead": True,
        "Limit": chunk,
    }
    while True:
        out = table().query(**kwargs)
        for item in out.get("Items", []):
            yield int(str(item["message_id"]))
        if "LastEvaluatedKey" not in out:
            return
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]


def filtered_page(
    channel: Channel, key: str, values: list[str], limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Messages whose ``key`` holds any of ``values``, oldest first, from the index: the entries
    of those values, merged by id, then the messages they name, each re-checked as stored."""
    after = max(_channel_floor(channel), decode_cursor(cursor))
    if after >= MAX_ID:
        return [], None
    chunk = min(100, limit + 1)
    streams = [_entry_ids(channel, key, value, after, chunk) for value in dict.fromkeys(values)]
    candidates = _distinct(heapq.merge(*streams))  # ascending ids, each once, read on demand
    wanted = set(values)
    kept: list[dict[str, Any]] = []
    read_count = 0
    last_read = after
    while len(kept) <= limit:
        if read_count >= MAX_FILTER_READS:  # a page of mostly stale entries: go on after the last read
            shown, cursor = _page(kept, limit, more=False)
            return shown, cursor if len(shown) < len(kept) else encode_cursor(last_read)
        batch = [mid for _, mid in zip(range(min(100, limit + 1 - len(kept))), candidates, strict=False)]
        if not batch:
            break
        read_count += len(batch)
        last_read = batch[-1]
        refs = [keys.message(channel.app_id, channel.kind, channel.channel_url, mid) for mid in batch]
        found = _batch_get([ref.key for ref in refs])
        for ref in refs:
            item = found.get((ref.pk, ref.sk))
            entry = stored_state(item.get(SMA)).get(key) if item is not None else None
            if item is not None and entry is not None and wanted.intersection(entry.values):
                kept.append(item)  # a stale entry (value removed, message deleted) names nothing
    return _page(kept, limit, more=False)


def _distinct(ids: Iterator[int]) -> Iterator[int]:
    """An ascending stream without repeats (a message found under several values counts once)."""
    last = None
    for message_id in ids:
        if message_id != last:
            yield message_id
            last = message_id


# ---------------------------------------------------------------- send


def _open_counter(channel: Channel, old: dict[str, Any] | None) -> None:
    """Create the channel's counter, or clear the deleted mark of a re-created channel's counter,
    in a transaction that checks the channel exists (404 otherwise)."""
    counter = _counter(channel)
    tx = Tx()
    tx.items.append(
        {
            "ConditionCheck": {
                "TableName": table().name,
                "Key": channel.ref.key,
                "ConditionExpression": "attribute_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": PK},
            }
        }
    )
    if old is None:
        tx.put(counter.key | {LAST: 0}, "attribute_not_exists(#pk)", {"#pk": PK})
    else:
        tx.items.append(
            {
                "Update": {
                    "TableName": table().name,
                    "Key": counter.key,
                    "UpdateExpression": "REMOVE #deleted",
                    "ConditionExpression": "attribute_exists(#deleted)",
                    "ExpressionAttributeNames": {"#deleted": DELETED},
                }
            }
        )
    reasons = tx.run()
    if reasons is not None and reasons[0].get("Code") == "ConditionalCheckFailed":
        raise NotFound(channel.missing)


def allocate(channel: Channel) -> int:
    """The channel's next message id: one ``ADD`` on its counter, so concurrent sends get distinct,
    increasing ids. An id whose send then fails stays unused (ids can have gaps)."""
    counter = _counter(channel)
    for _ in attempts():
        try:
            out = table().update_item(
                Key=counter.key,
                UpdateExpression="ADD #last :one",
                ConditionExpression="attribute_exists(#pk) AND attribute_not_exists(#deleted)",
                ExpressionAttributeNames={"#last": LAST, "#pk": PK, "#deleted": DELETED},
                ExpressionAttributeValues={":one": 1},
                ReturnValues="UPDATED_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return int(str(out["Attributes"][LAST]))
        except ClientError as err:
            if condition_failed(err):
                _open_counter(channel, failed_item(err))
    raise gave_up("The channel changed concurrently; retry the request")


def send(channel: Channel, fields: dict[str, Any], state: dict[str, Entry], now: int) -> dict[str, Any]:
    """Store a new message with the next id, and its index entries; the message record."""
    message_id = allocate(channel)
    ref = keys.message(channel.app_id, channel.kind, channel.channel_url, message_id)
    item = ref.key | {
        "message_id": message_id,
        "channel_type": channel.kind,
        "channel_url": channel.channel_url,
        **{k: v for k, v in fields.items() if k != META},
        META: json.dumps(fields.get(META) or {}, separators=(",", ":"), ensure_ascii=False),
        SMA: {k: _stored(e) for k, e in state.items()},
        "created_at": now,
        VERSION: first_version(),
    }
    entries = [_entry_item(channel, k, v, message_id) for k, e in state.items() for v in e.values]
    if len(entries) >= MAX_TRANSACTION_ITEMS:
        # More than one transaction holds: the entries go first (an entry whose message does not
        # exist yet names nothing), then the message, so no reader sees it without them.
        _batch_write(puts=entries)
        table().put_item(
            Item=item, ConditionExpression="attribute_not_exists(#pk)", ExpressionAttributeNames={"#pk": PK}
        )
        return record(item)
    try:
        _put_with_entries(item, entries)
    except (ClientError, Conflict) as err:
        if isinstance(err, Conflict) or err.response.get("Error", {}).get("Code") in _NOT_APPLIED:
            _give_back(channel, message_id)
        raise
    return record(item)


# Failures that say the write was not applied (a timeout or a 500 may hide one that was).
_NOT_APPLIED = THROTTLING_CODES | {"ConditionalCheckFailedException", "TransactionCanceledException"}


def _put_with_entries(item: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    """The message and its entries in one transaction (or just the message, in one PutItem)."""
    if not entries:
        table().put_item(
            Item=item, ConditionExpression="attribute_not_exists(#pk)", ExpressionAttributeNames={"#pk": PK}
        )
        return
    tx = Tx()
    tx.put(item, "attribute_not_exists(#pk)", {"#pk": PK})
    for entry in entries:
        tx.put(entry)
    for _ in attempts():
        reasons = tx.run()
        if reasons is None:
            return
        if reasons[0].get("Code") == "ConditionalCheckFailed":
            break  # the id is taken: cannot happen with ADD-allocated ids
    raise gave_up("The message could not be stored; retry the request")


def _give_back(channel: Channel, message_id: int) -> None:
    """Return an id whose message was certainly not stored, if no later send took one since, so a
    refused send leaves no gap (best effort: a gap is harmless)."""
    with contextlib.suppress(ClientError):
        table().update_item(
            Key=_counter(channel).key,
            UpdateExpression="ADD #last :minus",
            # and never below the floor a delete of the channel raised meanwhile
            ConditionExpression="#last = :id AND (attribute_not_exists(#floor) OR #floor < :id)",
            ExpressionAttributeNames={"#last": LAST, "#floor": FLOOR},
            ExpressionAttributeValues={":minus": -1, ":id": message_id},
        )


# ---------------------------------------------------------------- sorted_metaarray


class _Update:
    """An UpdateExpression over the message item, with generated placeholders (keys may hold any
    character, so they are never placeholder names themselves)."""

    def __init__(self) -> None:
        self.sets: list[str] = []
        self.removes: list[str] = []
        self.conditions: list[str] = []
        self.names: dict[str, str] = {"#pk": PK, "#ver": VERSION, "#s": SMA, "#v": "v", "#lock": LOCK}
        self.values: dict[str, Any] = {":one": 1}

    def name(self, name: str) -> str:
        ref = f"#n{len(self.names)}"
        self.names[ref] = name
        return ref

    def value(self, value: Any) -> str:
        ref = f":x{len(self.values)}"
        self.values[ref] = value
        return ref

    def expression(self) -> str:
        parts = []
        if self.sets:
            parts.append("SET " + ", ".join(self.sets))
        if self.removes:
            parts.append("REMOVE " + ", ".join(self.removes))
        parts.append("ADD #ver :one")
        return " ".join(parts)

    def request(self) -> dict[str, Any]:
        """The request's expressions with exactly the placeholders they use (DynamoDB refuses others)."""
        expression, condition = self.expression(), self.condition()
        used = set(re.findall(r"[#:]\w+", f"{expression} {condition}"))
        return {
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {ref: name for ref, name in self.names.items() if ref in used},
            "ExpressionAttributeValues": {ref: value for ref, value in self.values.items() if ref in used},
        }

    def condition(self) -> str:
        return " AND ".join(self.conditions)

    def fits(self) -> bool:
        return len(self.expression()) <= EXPRESSION_CHARS and len(self.condition()) <= EXPRESSION_CHARS


def _pinned(plan: Plan, expected: int | None) -> _Update:
    """The change with a condition pinning, value by value, exactly what the plan relied on, so
    concurrent changes to other keys or other values of a key do not conflict with it."""
    up = _Update()
    up.conditions += ["attribute_exists(#pk)", "attribute_not_exists(#lock)"]
    for change in plan.changes:
        path = f"#s.{up.name(change.key)}"
        _pin_change(up, path, change)
    for key in plan.absent:
        up.conditions.append(f"attribute_not_exists(#s.{up.name(key)})")
    if plan.created:
        up.conditions.append(f"size(#s) <= {up.value(MAX_KEYS - plan.created)}")
    if expected is not None:
        up.conditions.append(f"#ver = {up.value(expected)}")
    return up


def _pin_change(up: _Update, path: str, change: KeyChange) -> None:
    before, after = change.before, change.after
    if before is None and after is not None:
        up.sets.append(f"{path} = {up.value(_stored(after))}")
        up.conditions.append(f"attribute_not_exists({path})")
        return
    if before is not None and after is None:
        up.removes.append(path)
        up.conditions.append(f"size({path}.#v) = {up.value(len(before.values))}")
        return
    for value in change.present:
        up.conditions.append(f"contains({path}.#v, {up.value(value)})")
    if change.added:
        up.sets.append(f"{path}.#v = list_append({path}.#v, {up.value(change.added)})")
        up.conditions.append(f"size({path}.#v) <= {up.value(MAX_VALUES - len(change.added))}")
        up.conditions += [f"NOT contains({path}.#v, {up.value(value)})" for value in change.added]
    assert before is not None
    for position in change.removed:
        up.removes.append(f"{path}.#v[{position}]")
        up.conditions.append(f"{path}.#v[{position}] = {up.value(before.values[position])}")
    if change.present and not change.added and not change.removed:
        up.conditions.append(f"attribute_exists({path})")


def _whole(plan: Plan, seen_version: int, condition: str = "") -> _Update:
    """The change as whole-key SETs and REMOVEs, conditioned on the version read (or ``condition``)."""
    up = _Update()
    for change in plan.effective:
        path = f"#s.{up.name(change.key)}"
        if change.after is None:
            up.removes.append(path)
        else:
            up.sets.append(f"{path} = {up.value(_stored(change.after))}")
    up.conditions += ["attribute_exists(#pk)"]
    up.conditions.append(condition or f"attribute_not_exists(#lock) AND #ver = {up.value(seen_version)}")
    return up


def _wait_for_lock(message: MessageRef, item: dict[str, Any], deadline: float) -> None:
    """Wait while another writer holds the message's index lock; clear a lock whose holder is gone."""
    lock = item[LOCK]
    if int(str(lock["until"])) <= now_ms():
        _unlock(message.ref.key, str(lock["id"]))
        return
    if time.monotonic() > deadline:
        raise gave_up("The message is being changed; retry the request")
    time.sleep(random.uniform(0.02, 0.1))


def _unlock(key: dict[str, str], lock_id: str) -> None:
    try:
        table().update_item(
            Key=key,
            UpdateExpression="REMOVE #lock",
            ConditionExpression="#lock.#id = :id",
            ExpressionAttributeNames={"#lock": LOCK, "#id": "id"},
            ExpressionAttributeValues={":id": lock_id},
        )
    except ClientError as err:
        reraise_unless_condition_failed(err)


def change_metaarray(
    message: MessageRef, planner: Callable[[dict[str, Entry]], Plan], expected: int | None
) -> tuple[dict[str, Any], int]:
    """Apply ``planner``'s plan for the stored sorted_metaarray as one conditional write with its
    index entries; the message after, and its version. A broken pin reads again and re-plans."""
    deadline = time.monotonic() + LOCK_WAIT_S
    attempt = 0
    while attempt < ATTEMPTS:
        item = _visible(message)
        if LOCK in item:
            _wait_for_lock(message, item, deadline)
            continue
        version = _version(item)
        if expected is not None and version != expected:
            raise _stale(version, expected)
        attempt += 1
        if attempt > 1:
            backoff(attempt)
        plan = planner(stored_state(item.get(SMA)))
        if not plan.effective:
            return record(item), version
        puts = [_entry_item(message.channel, k, v, message.message_id) for k, v in plan.index_puts()]
        deletes = [_entry_key(message.channel, k, v, message.message_id) for k, v in plan.index_deletes()]
        if len(puts) + len(deletes) + 1 > MAX_TRANSACTION_ITEMS:
            if _locked_change(message, version, plan, puts, deletes):
                return read(message)
            continue
        up = _pinned(plan, expected)
        if not up.fits():
            up = _whole(plan, version)
        if not puts and not deletes:
            try:
                out = table().update_item(Key=message.ref.key, ReturnValues="ALL_NEW", **up.request())
            except ClientError as err:
                raise_unless_retryable(err)
                continue
            return record(out["Attributes"]), _version(out["Attributes"])
        tx = Tx()
        tx.items.append({"Update": {"TableName": table().name, "Key": message.ref.key} | up.request()})
        for put in puts:
            tx.put(put)
        for key in deletes:
            tx.delete(key)
        if tx.run() is None:
            return read(message)
    raise gave_up("The sorted_metaarray changed concurrently; retry the request")


def _locked_change(
    message: MessageRef, version: int, plan: Plan, puts: list[dict[str, Any]], deletes: list[dict[str, str]]
) -> bool:
    """A change with more index work than one transaction holds, under the message's index lock:
    lock (pinned to the version read), put the new entries, apply the change, delete the stale
    entries, unlock. No other sorted_metaarray writer acts meanwhile, so no reader can find a value
    without its entry. False when the lock could not be taken or the change not applied."""
    lock_id = uuid.uuid4().hex
    try:
        table().update_item(
            Key=message.ref.key,
            UpdateExpression="SET #lock = :lock",
            ConditionExpression="attribute_exists(#pk) AND attribute_not_exists(#lock) AND #ver = :seen",
            ExpressionAttributeNames={"#lock": LOCK, "#pk": PK, "#ver": VERSION},
            ExpressionAttributeValues={
                ":lock": {"id": lock_id, "until": now_ms() + LOCK_MS},
                ":seen": version,
            },
        )
    except ClientError as err:
        raise_unless_retryable(err)
        return False
    _batch_write(puts=puts)
    up = _whole(plan, version, condition="#lock.#lid = :lid")
    up.names["#lid"], up.values[":lid"] = "id", lock_id
    if not deletes:
        up.removes.append("#lock")
    try:
        table().update_item(Key=message.ref.key, **up.request())
    except ClientError as err:
        reraise_unless_condition_failed(err)
        gone = table().get_item(Key=message.ref.key, ConsistentRead=True).get("Item") is None
        if gone:  # deleted meanwhile: no message will have its id again, so the new entries name nothing
            _batch_write(deletes=[{PK: p[PK], SK: p[SK]} for p in puts])
        return False
    if deletes:
        _batch_write(deletes=deletes)
        _unlock(message.ref.key, lock_id)
    return True


# ---------------------------------------------------------------- meta and delete


def change_meta(
    message: MessageRef, change: Callable[[dict[str, Any]], dict[str, Any]], expected: int | None
) -> dict[str, Any]:
    """Replace the meta document with ``change(current)``, conditioned on the version read; the
    message after. A concurrent change makes the write fail and the change is applied again."""
    for _ in attempts():
        item = _visible(message)
        version = _version(item)
        if expected is not None and version != expected:
            raise _stale(version, expected)
        document = change(json.loads(str(item[META])) if META in item else {})
        try:
            out = table().update_item(
                Key=message.ref.key,
                UpdateExpression="SET #meta = :doc ADD #ver :one",
                ConditionExpression="attribute_exists(#pk) AND #ver = :seen",
                ExpressionAttributeNames={"#meta": META, "#ver": VERSION, "#pk": PK},
                ExpressionAttributeValues={
                    ":doc": json.dumps(document, separators=(",", ":"), ensure_ascii=False),
                    ":one": 1,
                    ":seen": version,
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as err:
            raise_unless_retryable(err)
            continue
        return record(out["Attributes"])
    raise gave_up("The message changed concurrently; retry the request")


def delete(message: MessageRef, expected: int | None) -> None:
    """Delete the message, then its index entries (no message will have its id again, so an entry
    a failure here leaves names nothing)."""
    _visible(message)
    values: dict[str, Any] = {}
    condition = "attribute_exists(#pk)"
    if expected is not None:
        values[":expected"] = expected
        condition += " AND #ver = :expected"
    request: dict[str, Any] = {
        "Key": message.ref.key,
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#pk": PK} | ({"#ver": VERSION} if values else {}),
        "ReturnValues": "ALL_OLD",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    if values:
        request["ExpressionAttributeValues"] = values
    try:
        old = table().delete_item(**request).get("Attributes") or {}
    except ClientError as err:
        reraise_unless_condition_failed(err)
        failed = failed_item(err)
        if failed is None:
            raise NotFound(message.missing, code="message_not_found") from None
        raise _stale(int(failed.get(VERSION, {}).get("N", "0")), expected or 0) from None
    state = stored_state(old.get(SMA))
    entries = [_entry_key(message.channel, k, v, message.message_id) for k, e in state.items() for v in e.values]
    _batch_write(deletes=entries)


# ---------------------------------------------------------------- deleting a channel


def delete_channel(channel: Channel, expected: int | None, budget_s: float) -> None:
    """Delete the channel and, with it, its messages and index entries.

    One transaction deletes the channel item and marks its counter deleted with the floor raised to
    the last id, so from then on no message of it is visible and no send can allocate an id. Then
    the items under the floor are deleted, for at most ``budget_s`` seconds: what a huge channel
    leaves is invisible, and the next delete of a channel at this url goes on with it.
    """
    counter = _counter(channel)
    for _ in attempts():
        exists = (
            table()
            .get_item(
                Key=counter.key, ConsistentRead=True, ProjectionExpression="#pk", ExpressionAttributeNames={"#pk": PK}
            )
            .get("Item")
            is not None
        )
        names = {"#pk": PK}
        values: dict[str, Any] = {}
        condition = "attribute_exists(#pk)"
        if expected is not None:
            names["#ver"], values[":expected"] = VERSION, expected
            condition += " AND #ver = :expected"
        remove: dict[str, Any] = {
            "TableName": table().name,
            "Key": channel.ref.key,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if values:
            remove["ExpressionAttributeValues"] = values
        tx = Tx([{"Delete": remove}])
        if exists:
            tx.items.append(
                {
                    "Update": {
                        "TableName": table().name,
                        "Key": counter.key,
                        "UpdateExpression": "SET #floor = #last, #deleted = :yes",
                        "ConditionExpression": "attribute_exists(#pk)",
                        "ExpressionAttributeNames": {"#floor": FLOOR, "#last": LAST, "#deleted": DELETED, "#pk": PK},
                        "ExpressionAttributeValues": {":yes": True},
                    }
                }
            )
        else:
            tx.items.append(
                {
                    "ConditionCheck": {
                        "TableName": table().name,
                        "Key": counter.key,
                        "ConditionExpression": "attribute_not_exists(#pk)",
                        "ExpressionAttributeNames": {"#pk": PK},
                    }
                }
            )
        reasons = tx.run()
        if reasons is None:
            if exists:
                purge(channel, budget_s)
            return
        if reasons[0].get("Code") == "ConditionalCheckFailed":
            old = reasons[0].get("Item")
            if not old:
                raise NotFound(channel.missing)
            version = int(old.get(VERSION, {}).get("N", "0"))
            raise PreconditionFailed(f'The resource is at version "{version}", not "{expected}": read it again')
    raise gave_up("The channel changed concurrently; retry the request")


def purge(channel: Channel, budget_s: float) -> int:
    """Delete the messages and index entries at or under the floor of a deleted channel (never a
    newer message of a channel created again at the url); how many items, within ``budget_s``."""
    deadline = time.monotonic() + budget_s
    counter = table().get_item(Key=_counter(channel).key, ConsistentRead=True).get("Item")
    floor = _floor(counter)
    partition = _partition(channel)
    ranges = [
        Key(PK).eq(partition) & Key(SK).between(keys.message_sk(1), keys.message_sk(max(floor, 1))),
        Key(PK).eq(partition) & Key(SK).begins_with(keys.INDEX_PREFIX),
    ]
    deleted = 0
    for condition in ranges if floor else []:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": condition,
            "ProjectionExpression": "#pk, #sk, #id",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK, "#id": "message_id"},
        }
        while time.monotonic() < deadline:
            out = table().query(**kwargs)
            doomed = [{PK: i[PK], SK: i[SK]} for i in out.get("Items", []) if int(str(i["message_id"])) <= floor]
            _batch_write(deletes=doomed)
            deleted += len(doomed)
            if "LastEvaluatedKey" not in out:
                break
            kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    return deleted
