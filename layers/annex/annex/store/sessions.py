"""Sessions in the table: the session item, its list entries, its q index entries and its events.

Every change of a session that touches more than its own item is one ``TransactWriteItems``
(all-or-nothing), conditioned on what it read; see docs/data-model.md for the items and why.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from annex.domain import qindex
from annex.domain.sessions import COMPLETED, ERROR, RUNNING, TIMED_OUT, Delta
from annex.errors import Conflict, NotFound, PreconditionFailed
from annex.store import keys
from annex.store.keys import GSI2, GSI2PK, GSI2SK, PK, SK, VERSION
from annex.store.records import first_version
from annex.store.table import plain, table
from annex.store.writes import Expression, Tx

BASE = "user_metadata"
MAX_TRANSACTION_ITEMS = 100
ATTEMPTS = 20
LOCK_MS = 10_000  # how long a many-leaf metadata change may hold its session before others recover it
MISSING = object()


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def _sleep(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.004 * attempt))


def _missing(session_id: str) -> NotFound:
    return NotFound(f"Session not found: {session_id}", code="session_not_found")


# ---------------------------------------------------------------- items


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def stored(item: dict[str, Any]) -> dict[str, Any]:
    """A session item as plain Python (user_metadata parsed), for domain.sessions.view."""
    out: dict[str, Any] = plain(item)
    out["user_metadata"] = json.loads(out["user_metadata"]) if "user_metadata" in out else None
    return out


def _entry_item(app_id: str, session: dict[str, Any], entry: qindex.Entry) -> dict[str, Any]:
    path, value = entry
    sid = str(session["id"])
    return {
        PK: keys.q_index(app_id, BASE, path, keys.shard_of(sid)),
        SK: f"{value}#{int(session['created_at']):013d}#{sid}",
        "target": sid,
        "created_at": int(session["created_at"]),
    }


def _running_keys(app_id: str, session_id: str, active_at: int) -> dict[str, str]:
    return {GSI2PK: keys.running(app_id, keys.shard_of(session_id)), GSI2SK: f"{active_at:013d}"}


def _still_running(ex: Expression, cutoff: int) -> None:
    ex.conditions += [
        f"attribute_exists({ex.n(PK)})",
        f"{ex.n('status')} = {ex.v(RUNNING)}",
        f"{ex.n('active_at')} > {ex.v(cutoff)}",
    ]


def _old(reasons: list[dict[str, Any]], index: int = 0) -> dict[str, Any] | None:
    """The item a cancelled transaction's ``index``-th operation found (low-level format)."""
    if index >= len(reasons):
        return None
    item: dict[str, Any] | None = reasons[index].get("Item")
    return item or None


def _failed(reasons: list[dict[str, Any]], index: int = 0) -> bool:
    return index < len(reasons) and reasons[index].get("Code") == "ConditionalCheckFailed"


def _deserialize(raw: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {k: deserializer.deserialize(v) for k, v in raw.items()}


# ---------------------------------------------------------------- reads


def _read(key: dict[str, str]) -> dict[str, Any] | None:
    item: dict[str, Any] | None = table().get_item(Key=key, ConsistentRead=True).get("Item")
    return item


def get(app_id: str, session_id: str) -> dict[str, Any]:
    """The stored session (plain, user_metadata parsed) with its ``version``."""
    item = _read(keys.session(app_id, session_id).key)
    if item is None:
        raise _missing(session_id)
    return stored(item)


def batch_get(app_id: str, session_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Stored sessions by id (strongly consistent), the missing ones left out."""
    found: dict[str, dict[str, Any]] = {}
    wanted = list(dict.fromkeys(session_ids))
    for start in range(0, len(wanted), 100):
        pending: dict[str, Any] = {
            table().name: {
                "Keys": [keys.session(app_id, s).key for s in wanted[start : start + 100]],
                "ConsistentRead": True,
            }
        }
        for attempt in range(ATTEMPTS):
            out = table().meta.client.batch_get_item(RequestItems=pending)
            for item in out.get("Responses", {}).get(table().name, []):
                session = stored(item)
                found[str(session["id"])] = session
            pending = out.get("UnprocessedKeys") or {}
            if not pending:
                break
            _sleep(attempt + 1)
    return found


# ---------------------------------------------------------------- create


def _user_numbering(tx: Tx, app_id: str, user_id: str, session_id: str, created_at: int) -> int:
    """Add to ``tx`` the next session number of the user (conditioned on the count it read)."""
    counter = keys.user_sessions_counter(app_id, user_id)
    item = _read(counter.key)
    seen = int(str(item["count"])) if item else 0
    ex = Expression()
    ex.set("count", seen + 1)
    ex.conditions.append(f"{ex.n('count')} = {ex.v(seen)}" if seen else f"attribute_not_exists({ex.n(PK)})")
    tx.update(counter.key, ex)
    number = seen + 1
    tx.put(keys.user_session(app_id, user_id, number).key | {"session_id": session_id, "created_at": created_at})
    return number


def new_item(app_id: str, session_id: str, fields: dict[str, Any], now: int) -> dict[str, Any]:
    ref = keys.session(app_id, session_id)
    item = ref.key | {
        "id": session_id,
        "status": RUNNING,
        "created_at": now,
        "updated_at": now,
        "active_at": now,
        "event_count": 0,
        "screen_count": 0,
        "gesture_count": 0,
        "rage_gesture_count": 0,
        "screens": [],
        VERSION: first_version(),
    }
    item |= _running_keys(app_id, session_id, now)
    for name in ("device", "location"):
        item[name] = {k: v for k, v in (fields.get(name) or {}).items() if v is not None}
    if fields.get("user_id") is not None:
        item["user_id"] = fields["user_id"]
    return item


def create(app_id: str, session_id: str, fields: dict[str, Any], user_metadata: Any) -> dict[str, Any]:
    """A new RUNNING session with its list entry, user number and index entries; 409 if it exists."""
    for attempt in range(ATTEMPTS):
        if attempt:
            _sleep(attempt)
        now = now_ms()
        item = new_item(app_id, session_id, fields, now)
        tx = Tx()
        tx.put(item, "attribute_not_exists(#pk)", {"#pk": PK})
        tx.put(keys.session_listing(app_id, session_id, now).key | {"session_id": session_id})
        if "user_id" in item:
            item["session_number"] = _user_numbering(tx, app_id, item["user_id"], session_id, now)
        entries = qindex.entries(user_metadata) if user_metadata is not None else set()
        fits = len(tx.items) + len(entries) <= MAX_TRANSACTION_ITEMS
        if fits and user_metadata is not None:
            item["user_metadata"] = _text(user_metadata)
            for entry in entries:
                tx.put(_entry_item(app_id, item, entry))
        reasons = tx.run()
        if reasons is None:
            if not fits:  # too many leaves for one transaction: the lock protocol adds them
                return set_metadata(app_id, session_id, user_metadata, None)
            return stored(item)
        if _failed(reasons, 0):
            raise Conflict(f"Session already exists: {session_id}", code="already_exists")
    raise Conflict("The user's sessions changed concurrently; retry the request", code="concurrent_update")


# ---------------------------------------------------------------- user_metadata and its index


def _lock_free(ex: Expression) -> None:
    ex.conditions.append(f"attribute_not_exists({ex.n('index_lock')})")


def _same_metadata(ex: Expression, item: dict[str, Any]) -> None:
    """Condition: user_metadata is still what was read (the index diff was computed from it)."""
    if "user_metadata" in item:
        ex.conditions.append(f"{ex.n('user_metadata')} = {ex.v(item['user_metadata'])}")
    else:
        ex.conditions.append(f"attribute_not_exists({ex.n('user_metadata')})")


def _diff(app_id: str, item: dict[str, Any], new: Any) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Index entries to put and keys to delete to go from the stored user_metadata to ``new``."""
    old = json.loads(str(item["user_metadata"])) if "user_metadata" in item else None
    before = qindex.entries(old) if old is not None else set()
    after = qindex.entries(new) if new is not None else set()
    puts = [_entry_item(app_id, item, e) for e in sorted(after - before)]
    deletes = [{PK: e[PK], SK: e[SK]} for e in (_entry_item(app_id, item, e) for e in sorted(before - after))]
    return puts, deletes


def set_metadata(app_id: str, session_id: str, new: Any, expected: int | None) -> dict[str, Any]:
    """Replace user_metadata and move its index entries with it, atomically as far as readers see.

    One transaction (the session update, conditioned on the user_metadata it read, plus the entry
    puts and deletes) when it fits in 100 items; otherwise the lock protocol of ``_many_leaves``.
    """
    ref = keys.session(app_id, session_id)
    attempt = 0
    while attempt < ATTEMPTS:
        item = _read(ref.key)
        if item is None:
            raise _missing(session_id)
        if expected is not None and int(str(item[VERSION])) != expected:
            raise PreconditionFailed(f'The session is at version "{item[VERSION]}", not "{expected}": read it again')
        if "index_lock" in item:  # another many-leaf change is under way: wait for it (or recover it)
            if int(str(item["index_lock"]["until"])) <= now_ms():
                recover(app_id, item)
            else:
                time.sleep(random.uniform(0.02, 0.1))
            continue
        attempt += 1
        if attempt > 1:
            _sleep(attempt)
        puts, deletes = _diff(app_id, item, new)
        if len(puts) + len(deletes) + 1 > MAX_TRANSACTION_ITEMS:
            if _many_leaves(app_id, item, new, puts, deletes):
                return get(app_id, session_id)
            continue
        ex = Expression()
        ex.set("user_metadata", _text(new))
        ex.set("updated_at", now_ms())
        ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
        ex.conditions.append(f"attribute_exists({ex.n(PK)})")
        _same_metadata(ex, item)
        _lock_free(ex)
        if expected is not None:
            ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(expected)}")
        tx = Tx()
        tx.update(ref.key, ex)
        for put in puts:
            tx.put(put)
        for key in deletes:
            tx.delete(key)
        if tx.run() is None:
            return get(app_id, session_id)
    raise Conflict("The session changed concurrently; retry the request", code="concurrent_update")


def _batch(puts: Iterable[dict[str, Any]] = (), deletes: Iterable[dict[str, str]] = ()) -> None:
    with table().batch_writer() as batch:
        for put in puts:
            batch.put_item(Item=put)
        for key in deletes:
            batch.delete_item(Key=key)


def _many_leaves(
    app_id: str, item: dict[str, Any], new: Any, puts: list[dict[str, Any]], deletes: list[dict[str, str]]
) -> bool:
    """A change with more index work than one transaction holds, in steps no reader can see half of:

    1. take the session's ``index_lock`` (recording every entry key it may touch), conditioned on
       the user_metadata read; 2. put the new entries (an extra entry is harmless: every query
       re-checks its candidates against the stored session); 3. store the new user_metadata;
    4. delete the old entries; 5. release the lock. A writer that finds an expired lock (this one
    died) calls ``recover``, which makes every recorded entry agree with the stored user_metadata.
    """
    ref = keys.session(app_id, str(item["id"]))
    lock_id = uuid.uuid4().hex
    touched = [[e[PK], e[SK]] for e in puts] + [[k[PK], k[SK]] for k in deletes]
    ex = Expression()
    ex.set("index_lock", {"id": lock_id, "until": now_ms() + LOCK_MS, "touched": touched})
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
    ex.conditions.append(f"attribute_exists({ex.n(PK)})")
    _same_metadata(ex, item)
    _lock_free(ex)
    try:
        table().update_item(Key=ref.key, **ex.request())
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    _batch(puts=puts)
    ex = Expression()
    ex.set("user_metadata", _text(new))
    ex.set("updated_at", now_ms())
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
    ex.conditions.append(f"{ex.n('index_lock')}.{ex.n('id')} = {ex.v(lock_id)}")
    table().update_item(Key=ref.key, **ex.request())
    _batch(deletes=deletes)
    _unlock(ref.key, lock_id)
    return True


def _unlock(key: dict[str, str], lock_id: str) -> None:
    ex = Expression()
    ex.removes.append(ex.n("index_lock"))
    ex.conditions.append(f"{ex.n('index_lock')}.{ex.n('id')} = {ex.v(lock_id)}")
    try:
        table().update_item(Key=key, **ex.request())
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise


def recover(app_id: str, item: dict[str, Any]) -> None:
    """Finish an abandoned many-leaf change: every entry it touched is made to agree with the
    stored user_metadata (kept if the value holds it, deleted otherwise), then the lock goes."""
    lock = item["index_lock"]
    current = json.loads(str(item["user_metadata"])) if "user_metadata" in item else None
    wanted = {(e[PK], e[SK]): e for e in (_entry_item(app_id, item, x) for x in qindex.entries(current))}
    touched = [(str(pk), str(sk)) for pk, sk in lock["touched"]]
    _batch(
        puts=[wanted[k] for k in touched if k in wanted],
        deletes=[{PK: pk, SK: sk} for pk, sk in touched if (pk, sk) not in wanted],
    )
    _unlock(keys.session(app_id, str(item["id"])).key, str(lock["id"]))


# ---------------------------------------------------------------- release and the timeout


def release(app_id: str, session_id: str, timeout_ms: int, expected: int | None) -> None:
    """RUNNING → COMPLETED. Releasing a COMPLETED session again changes nothing; an ERROR or
    TIMED_OUT session cannot be released (409 session_ended)."""
    now = now_ms()
    ex = Expression()
    ex.set("status", COMPLETED)
    ex.set("ended_at", now)
    ex.set("updated_at", now)
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
    ex.removes += [ex.n(GSI2PK), ex.n(GSI2SK)]
    _still_running(ex, now - timeout_ms)
    if expected is not None:
        ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(expected)}")
    try:
        table().update_item(
            Key=keys.session(app_id, session_id).key, ReturnValuesOnConditionCheckFailure="ALL_OLD", **ex.request()
        )
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        raw: dict[str, Any] | None = err.response.get("Item")  # type: ignore[assignment]
        if not raw:
            raise _missing(session_id) from None
        old = _deserialize(raw)
        if expected is not None and int(old[VERSION]) != expected:
            raise PreconditionFailed(f'The session is at version "{old[VERSION]}", not "{expected}"') from None
        if old["status"] == COMPLETED:
            return
        status = old["status"] if old["status"] != RUNNING else TIMED_OUT
        raise Conflict(f"The session has ended ({status})", code="session_ended") from None


def sweep(app_id: str, timeout_ms: int, now: int | None = None) -> int:
    """Store TIMED_OUT on the application's RUNNING sessions idle past the timeout; how many."""
    now = now_ms() if now is None else now
    cutoff = now - timeout_ms
    swept = 0
    for shard in range(keys.SHARDS):
        kwargs: dict[str, Any] = {
            "IndexName": GSI2,
            "KeyConditionExpression": Key(GSI2PK).eq(keys.running(app_id, shard)) & Key(GSI2SK).lte(f"{cutoff:013d}"),
        }
        while True:
            page = table().query(**kwargs)
            for entry in page.get("Items", []):
                swept += _time_out({PK: str(entry[PK]), SK: str(entry[SK])}, cutoff, timeout_ms)
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return swept


def _time_out(key: dict[str, str], cutoff: int, timeout_ms: int) -> int:
    ex = Expression()
    ex.sets.append(f"{ex.n('status')} = {ex.v(TIMED_OUT)}")
    ex.sets.append(f"{ex.n('ended_at')} = {ex.n('active_at')} + {ex.v(timeout_ms)}")
    ex.sets.append(f"{ex.n('updated_at')} = {ex.v(now_ms())}")
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
    ex.removes += [ex.n(GSI2PK), ex.n(GSI2SK)]
    ex.conditions += [f"{ex.n('status')} = {ex.v(RUNNING)}", f"{ex.n('active_at')} <= {ex.v(cutoff)}"]
    try:
        table().update_item(Key=key, **ex.request())
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return 0  # active again, or ended meanwhile
        raise
    return 1


# ---------------------------------------------------------------- events


@dataclass
class Outcome:
    accepted: bool
    code: str = ""
    message: str = ""


def _event_items(app_id: str, delta: Delta, now: int, retention_s: int, arrival: str) -> list[dict[str, Any]]:
    out = []
    for index, event in zip(delta.indexes, delta.events, strict=True):
        ref = keys.event(app_id, delta.session_id, int(event["timestamp"]), f"{arrival}{index:03d}")
        item = ref.key | {
            "session_id": delta.session_id,
            "type": event["type"],
            "timestamp": int(event["timestamp"]),
            "received_at": now,
            "expires_at": now // 1000 + retention_s,
        }
        for name in ("user_id", "name"):
            if event.get(name) is not None:
                item[name] = event[name]
        if event.get("properties") is not None:
            item["properties"] = _text(event["properties"])
        out.append(item)
    return out


def _activity(ex: Expression, app_id: str, delta: Delta, now: int, *, first: bool, last: bool) -> None:
    """The counters, screens, names and times of ``delta`` as one update of a session that exists."""
    for counter, count in sorted(delta.counts.items()):
        ex.adds.append(f"{ex.n(counter)} {ex.v(count)}")
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
    if delta.screens:
        empty = ex.v([])
        ex.sets.append(
            f"{ex.n('screens')} = list_append(if_not_exists({ex.n('screens')}, {empty}), {ex.v(delta.screens)})"
        )
        ex.adds.append(f"{ex.n('screen_set')} {ex.v(set(delta.screens))}")
    if delta.event_names:
        ex.adds.append(f"{ex.n('event_name_set')} {ex.v(set(delta.event_names))}")
    ex.set("active_at", now)
    ex.set("updated_at", now)
    if delta.crashed_at is not None:
        ex.set("status", ERROR)
        ex.set("ended_at", now)
        ex.removes += [ex.n(GSI2PK), ex.n(GSI2SK)]
    else:
        for name, value in _running_keys(app_id, delta.session_id, now).items():
            ex.set(name, value)
    # first_event_at only ever moves earlier and last_event_at later: each is set under a
    # condition saying so, and left out (``first``/``last`` False) when another batch went further.
    if first:
        ex.set("first_event_at", delta.first_at)
        at = ex.n("first_event_at")
        ex.conditions.append(f"(attribute_not_exists({at}) OR {at} >= {ex.v(delta.first_at)})")
    if last:
        ex.set("last_event_at", delta.last_at)
        at = ex.n("last_event_at")
        ex.conditions.append(f"(attribute_not_exists({at}) OR {at} <= {ex.v(delta.last_at)})")


def ingest(app_id: str, delta: Delta, timeout_ms: int, retention_s: int, arrival: str) -> Outcome:
    """Apply one session's share of a batch: its counters and its stored events, all or nothing.

    The common case (the session exists, no user change) is one transaction without any read:
    the session's update, conditioned on RUNNING and not idle past the timeout, plus the events.
    """
    first = last = True
    needs_read = delta.user_id is not None
    for attempt in range(ATTEMPTS):
        if attempt:
            _sleep(attempt)
        now = now_ms()
        item: dict[str, Any] | None = None
        if needs_read:
            item = _read(keys.session(app_id, delta.session_id).key)
            if item is None:
                result = _open(app_id, delta, now, retention_s, arrival)
                if result is not None:
                    return result
                continue
            if "index_lock" in item and int(str(item["index_lock"]["until"])) <= now:
                recover(app_id, item)
                continue
        tx, others = Tx(), Tx()
        ex = Expression()
        _still_running(ex, now - timeout_ms)
        _activity(ex, app_id, delta, now, first=first, last=last)
        deferred_metadata = MISSING
        if item is not None:
            refused = _user_change(others, ex, app_id, item, delta)
            if refused is not None:
                return refused
            if delta.identify:
                puts, deletes = _diff(app_id, item, delta.user_metadata)
                room = MAX_TRANSACTION_ITEMS - len(others.items) - 1 - len(delta.events)
                if "index_lock" in item or len(puts) + len(deletes) > room:
                    deferred_metadata = delta.user_metadata  # many leaves: set after, by the lock protocol
                else:
                    ex.set("user_metadata", _text(delta.user_metadata))
                    _same_metadata(ex, item)
                    for put in puts:
                        others.put(put)
                    for key in deletes:
                        others.delete(key)
        tx.update(keys.session(app_id, delta.session_id).key, ex)  # first: reasons[0] is about it
        tx.items += others.items
        for event in _event_items(app_id, delta, now, retention_s, arrival):
            tx.put(event)
        reasons = tx.run()
        if reasons is None:
            if deferred_metadata is not MISSING:
                set_metadata(app_id, delta.session_id, deferred_metadata, None)
            return Outcome(True)
        if not _failed(reasons, 0):
            continue  # a conflict with a concurrent transaction, or a user counter that moved
        raw = _old(reasons, 0)
        if raw is None:
            if needs_read:
                continue
            result = _open(app_id, delta, now, retention_s, arrival)
            if result is not None:
                return result
            continue
        old = _deserialize(raw)
        if old["status"] != RUNNING or int(old["active_at"]) <= now - timeout_ms:
            return Outcome(False, "session_ended", "The session has ended: start a new session id")
        if delta.first_at is not None and "first_event_at" in old and int(old["first_event_at"]) < delta.first_at:
            first = False
        if delta.last_at is not None and "last_event_at" in old and int(old["last_event_at"]) > delta.last_at:
            last = False
        needs_read = needs_read or delta.identify
    raise Conflict("The session changed concurrently; retry the batch", code="concurrent_update")


def _user_change(tx: Tx, ex: Expression, app_id: str, item: dict[str, Any], delta: Delta) -> Outcome | None:
    """Add the user's first assignment (and session number) to the write; refuse another user."""
    stored_user = item.get("user_id")
    if delta.user_id is None or stored_user == delta.user_id:
        if stored_user is not None:
            ex.conditions.append(f"{ex.n('user_id')} = {ex.v(stored_user)}")
        return None
    if stored_user is not None:
        return Outcome(False, "user_mismatch", "The session belongs to another user_id")
    ex.conditions.append(f"attribute_not_exists({ex.n('user_id')})")
    number = _user_numbering(tx, app_id, delta.user_id, delta.session_id, int(str(item["created_at"])))
    ex.set("user_id", delta.user_id)
    ex.set("session_number", number)
    return None


def _open(app_id: str, delta: Delta, now: int, retention_s: int, arrival: str) -> Outcome | None:
    """Open the session an event names for the first time, with the batch's share applied; None
    when a concurrent batch opened it first (the caller then updates it as usual)."""
    # A session opened by its events began at its first event (buffered events may predate now).
    created = min(now, delta.first_at) if delta.first_at is not None else now
    item = new_item(app_id, delta.session_id, {"user_id": delta.user_id}, created)
    item |= {"active_at": now} | _running_keys(app_id, delta.session_id, now)
    for counter, count in delta.counts.items():
        item[counter] = count
    item["screens"] = list(delta.screens)
    if delta.screens:
        item["screen_set"] = set(delta.screens)
    if delta.event_names:
        item["event_name_set"] = set(delta.event_names)
    item["first_event_at"], item["last_event_at"] = delta.first_at, delta.last_at
    if delta.crashed_at is not None:
        item |= {"status": ERROR, "ended_at": now}
        del item[GSI2PK], item[GSI2SK]
    tx = Tx()
    tx.put(item, "attribute_not_exists(#pk)", {"#pk": PK})
    tx.put(keys.session_listing(app_id, delta.session_id, created).key | {"session_id": delta.session_id})
    if delta.user_id is not None:
        item["session_number"] = _user_numbering(tx, app_id, delta.user_id, delta.session_id, created)
    deferred = False
    if delta.identify and delta.user_metadata is not None:
        entries = qindex.entries(delta.user_metadata)
        if len(tx.items) + len(entries) + len(delta.events) <= MAX_TRANSACTION_ITEMS:
            item["user_metadata"] = _text(delta.user_metadata)
            for entry in entries:
                tx.put(_entry_item(app_id, item, entry))
        else:
            deferred = True
    for event in _event_items(app_id, delta, now, retention_s, arrival):
        tx.put(event)
    reasons = tx.run()
    if reasons is not None:
        return None
    if deferred:
        set_metadata(app_id, delta.session_id, delta.user_metadata, None)
    return Outcome(True)


def events_page(
    app_id: str, session_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The session's stored events, oldest first."""
    partition = keys.session_events(app_id, session_id)
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key(PK).eq(partition),
        "Limit": limit + 1,
        "ConsistentRead": True,
    }
    if cursor is not None:
        kwargs["ExclusiveStartKey"] = {PK: partition, SK: cursor}
    items = table().query(**kwargs).get("Items", [])
    events = [
        {
            "session_id": str(i["session_id"]),
            "user_id": i.get("user_id"),
            "type": i["type"],
            "name": i.get("name"),
            "properties": json.loads(str(i["properties"])) if "properties" in i else None,
            "timestamp": int(str(i["timestamp"])),
            "received_at": int(str(i["received_at"])),
        }
        for i in items[:limit]
    ]
    return events, str(items[limit - 1][SK]) if len(items) > limit else None


# ---------------------------------------------------------------- lists


def newest_first(
    partitions: list[str], below: str | None, chunk: int, value_prefix: str = ""
) -> Iterable[tuple[str, dict[str, Any]]]:
    """Entries of several partitions merged newest first by sort key (each ``{prefix}{created}#{id}``),
    strictly below ``below``; reads ``chunk`` entries per partition per request."""
    import heapq

    def stream(partition: str) -> Iterable[tuple[str, dict[str, Any]]]:
        condition: Any = Key(PK).eq(partition)
        if below is not None and value_prefix:
            condition = condition & Key(SK).between(value_prefix, value_prefix + below)
        elif below is not None:
            condition = condition & Key(SK).lt(below)
        elif value_prefix:
            condition = condition & Key(SK).begins_with(value_prefix)
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
            "Limit": chunk,
            "ConsistentRead": True,
        }
        while True:
            page = table().query(**kwargs)
            for item in page.get("Items", []):
                position = str(item[SK])[len(value_prefix) :]
                if below is None or position < below:
                    yield position, item
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    return heapq.merge(*(stream(p) for p in partitions), key=lambda pair: pair[0], reverse=True)


def collect(
    candidates: Iterable[tuple[str, str]],
    app_id: str,
    keep: Callable[[dict[str, Any]], bool],
    limit: int,
    budget: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """Read candidate sessions ``(position, session_id)`` in order, keep those ``keep`` accepts,
    until ``limit`` are kept (``next`` = the last one's position) or ``budget`` candidates were read
    (``next`` = where reading stopped)."""
    found: list[tuple[str, dict[str, Any]]] = []
    read = 0
    last_position: str | None = None
    iterator = iter(candidates)
    exhausted = False
    while len(found) <= limit and read < budget and not exhausted:
        chunk: list[tuple[str, str]] = []
        for pair in iterator:
            chunk.append(pair)
            if len(chunk) >= min(100, max(limit + 1 - len(found), 10)):
                break
        else:
            exhausted = True
        read += len(chunk)
        sessions = batch_get(app_id, [sid for _, sid in chunk])
        for position, sid in chunk:
            session = sessions.get(sid)
            if session is not None and keep(session):
                found.append((position, session))
                if len(found) > limit:
                    break
        last_position = chunk[-1][0] if chunk else None
    if len(found) > limit:
        return [s for _, s in found[:limit]], found[limit - 1][0]
    if not exhausted and read >= budget and last_position is not None:
        return [s for _, s in found], last_position
    return [s for _, s in found], None
