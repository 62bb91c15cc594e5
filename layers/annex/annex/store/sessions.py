"""Sessions in the table: the session item, its list entries, its q index entries and its events.

Every change of a session that touches more than its own item is one ``TransactWriteItems``
(all-or-nothing), conditioned on what it read; see docs/data-model.md for the items and why.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from annex.core.clock import now_ms
from annex.core.sessions import COMPLETED, DISTINCT_KEPT, ERROR, RUNNING, SCREENS_KEPT, TIMED_OUT, Delta
from annex.errors import Conflict, NotFound, PreconditionFailed
from annex.store import keys, lock, qindex
from annex.store.keys import GSI1, GSI1PK, GSI1SK, GSI2, GSI2PK, GSI2SK, PK, SK, VERSION
from annex.store.records import first_version
from annex.store.retry import ATTEMPTS, attempts, backoff, gave_up, raise_unless_retryable
from annex.store.table import batch_items, bulk_client, decoded, plain, table
from annex.store.writes import Expression, Tx

BASE = "user_metadata"
BULK_PAGE = 250  # items per page of a bulk read: with its threads, bounds its memory whatever the range
Path = tuple[str, ...]  # an attribute, or a path into a map attribute (``("device", "model")``)
MAX_TRANSACTION_ITEMS = 100
MISSING = object()


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
    sid, created = str(session["id"]), int(session["created_at"])
    return keys.q_entry(app_id, BASE, path, value, created, sid).key | {"target": sid, "created_at": created}


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


def batch_get(
    app_id: str, session_ids: list[str], attributes: Iterable[Path] | None = None, consistent: bool = True
) -> dict[str, dict[str, Any]]:
    """Stored sessions by id (strongly consistent unless told), the missing ones left out; only
    ``attributes`` (and ``id``) when given."""
    wanted = [keys.session(app_id, s).key for s in dict.fromkeys(session_ids)]
    projection = projection_of([*attributes, ("id",)]) if attributes is not None else {}
    sessions = (stored(item) for item in batch_items(wanted, {"ConsistentRead": consistent} | projection))
    return {str(session["id"]): session for session in sessions}


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
    """A new RUNNING session item created at ``now``, with its GSI1 keys (analytics reads it there)."""
    item = keys.session_item(app_id, session_id, now).attributes() | {
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
    item |= keys.running_keys(app_id, session_id, now)
    for name in ("device", "location"):
        item[name] = {k: v for k, v in (fields.get(name) or {}).items() if v is not None}
    if fields.get("user_id") is not None:
        item["user_id"] = fields["user_id"]
    return item


def _register(tx: Tx, app_id: str, session_id: str, created_at: int) -> None:
    """What every new session adds next to its item: its list entry and a count in its day."""
    tx.put(keys.session_listing(app_id, session_id, created_at).key | {"session_id": session_id})
    tx.add(keys.session_day_counter(app_id, session_id, created_at).key, "count", 1)


def _create_holds(user_id: Any, user_metadata: Any) -> bool:
    """Whether a create's one transaction holds every index entry of ``user_metadata``: the session,
    its list entry and day counter, (with a user) the user's counter and numbered entry, and the entries."""
    entries = len(qindex.entries(user_metadata)) if user_metadata is not None else 0
    return 3 + (2 if user_id is not None else 0) + entries <= MAX_TRANSACTION_ITEMS


def create(
    app_id: str, session_id: str, fields: dict[str, Any], user_metadata: Any, created_at: int | None = None
) -> dict[str, Any]:
    """A new RUNNING session with its list entry, user number and index entries; 409 if it exists.

    ``created_at`` (default: now) is when it began, for sessions brought over by annex-admin import.
    """
    for _ in attempts():
        now = now_ms() if created_at is None else created_at
        item = new_item(app_id, session_id, fields, now)
        tx = Tx()
        tx.put(item, "attribute_not_exists(#pk)", {"#pk": PK})
        _register(tx, app_id, session_id, now)
        if "user_id" in item:
            item["session_number"] = _user_numbering(tx, app_id, item["user_id"], session_id, now)
        fits = _create_holds(item.get("user_id"), user_metadata)
        if fits and user_metadata is not None:
            item["user_metadata"] = _text(user_metadata)
            for entry in qindex.entries(user_metadata):
                tx.put(_entry_item(app_id, item, entry))
        reasons = tx.run()
        if reasons is None:
            if not fits:  # too many leaves for one transaction: the lock protocol adds them
                return set_metadata(app_id, session_id, user_metadata, None)
            return stored(item)
        if _failed(reasons, 0):
            raise Conflict(f"Session already exists: {session_id}", code="already_exists")
    raise gave_up("The user's sessions changed concurrently; retry the request")


def finish_create(app_id: str, session_id: str, fields: dict[str, Any], user_metadata: Any) -> bool:
    """Finish a ``create`` of an existing session that stopped between its two steps: a
    ``user_metadata`` with more index entries than its transaction holds is stored by the lock
    protocol after the session exists, so a process that died in between left the session without
    it. Stores it then (True); otherwise changes nothing (False, and no read when it always fits)."""
    if user_metadata is None or _create_holds(fields.get("user_id"), user_metadata):
        return False
    item = _read(keys.session(app_id, session_id).key)
    if item is None or "user_metadata" in item:
        return False
    set_metadata(app_id, session_id, user_metadata, None)
    return True


# ---------------------------------------------------------------- user_metadata and its index


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
    waiter = lock.Waiter("session")
    for attempt in range(1, ATTEMPTS + 1):
        # another many-leaf change under way: wait for it (or recover it)
        item = waiter.free(lambda: _read(ref.key), lambda held: recover(app_id, held))
        if item is None:
            raise _missing(session_id)
        if expected is not None and int(str(item[VERSION])) != expected:
            raise PreconditionFailed(f'The session is at version "{item[VERSION]}", not "{expected}": read it again')
        if attempt > 1:
            backoff(attempt)
        puts, deletes = _diff(app_id, item, new)
        if len(puts) + len(deletes) + 1 > MAX_TRANSACTION_ITEMS:
            if _many_leaves(app_id, item, new, puts, deletes, expected):
                return get(app_id, session_id)
            continue
        ex = Expression()
        ex.set("user_metadata", _text(new))
        ex.set("updated_at", now_ms())
        ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
        ex.conditions.append(f"attribute_exists({ex.n(PK)})")
        _same_metadata(ex, item)
        lock.free(ex)
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
    raise gave_up("The session changed concurrently; retry the request")


def _batch(puts: Iterable[dict[str, Any]] = (), deletes: Iterable[dict[str, str]] = ()) -> None:
    with table().batch_writer() as batch:
        for put in puts:
            batch.put_item(Item=put)
        for key in deletes:
            batch.delete_item(Key=key)


def _many_leaves(
    app_id: str,
    item: dict[str, Any],
    new: Any,
    puts: list[dict[str, Any]],
    deletes: list[dict[str, str]],
    expected: int | None,
) -> bool:
    """A change with more index work than one transaction holds, in steps no reader can see half of:

    1. take the session's ``index_lock`` (recording every entry key it may touch), conditioned on
       the user_metadata read; 2. put the new entries (an extra entry is harmless: every query
       re-checks its candidates against the stored session); 3. store the new user_metadata;
    4. delete the old entries; 5. release the lock. A writer that finds an expired lock (this one
    died) calls ``recover``, which makes every recorded entry agree with the stored user_metadata.
    """
    ref = keys.session(app_id, str(item["id"]))
    touched = [(e[PK], e[SK]) for e in puts] + [(k[PK], k[SK]) for k in deletes]
    ex = Expression()
    lock_id = lock.take(ex, touched)
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
    ex.conditions.append(f"attribute_exists({ex.n(PK)})")
    _same_metadata(ex, item)
    if expected is not None:
        ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(expected)}")
    if not _conditional_update(ref.key, ex):
        return False
    _batch(puts=puts)
    ex = Expression()
    ex.set("user_metadata", _text(new))
    ex.set("updated_at", now_ms())
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
    lock.holding(ex, lock_id)
    if not _conditional_update(ref.key, ex):
        _abandon(app_id, ref.key, lock_id)
        return False  # held too long (another writer recovered the lock), or refused: start over
    _batch(deletes=deletes)
    lock.unlock(ref.key, lock_id)
    return True


def _abandon(app_id: str, key: dict[str, str], lock_id: str) -> None:
    """Give up a change whose lock this writer may still hold: recover it now rather than leave
    the session locked until the lock expires."""
    item = _read(key)
    if item is not None and lock.held(item) and lock.lock_id(item) == lock_id:
        recover(app_id, item)


def _conditional_update(key: dict[str, str], ex: Expression) -> bool:
    """Apply ``ex``; False when it was refused (its condition failed, or a transaction held the item)."""
    try:
        table().update_item(Key=key, **ex.request())
    except ClientError as err:
        raise_unless_retryable(err)
        return False
    return True


def recover(app_id: str, item: dict[str, Any]) -> None:
    """Finish an abandoned many-leaf change: every entry it touched is made to agree with the
    stored user_metadata (kept if the value holds it, deleted otherwise), then the lock goes."""
    current = json.loads(str(item["user_metadata"])) if "user_metadata" in item else None
    wanted = {(e[PK], e[SK]): e for e in (_entry_item(app_id, item, x) for x in qindex.entries(current))}
    touched = lock.touched(item)
    _batch(
        puts=[wanted[k] for k in touched if k in wanted],
        deletes=[{PK: pk, SK: sk} for pk, sk in touched if (pk, sk) not in wanted],
    )
    lock.unlock(keys.session(app_id, str(item["id"])).key, lock.lock_id(item))


# ---------------------------------------------------------------- release and the timeout


def release(app_id: str, session_id: str, timeout_ms: int, expected: int | None) -> dict[str, Any]:
    """RUNNING → COMPLETED, answering the stored session (one request, no read after it). Releasing
    a COMPLETED session again changes nothing; an ERROR or TIMED_OUT session cannot be released
    (409 session_ended)."""
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
        done = table().update_item(
            Key=keys.session(app_id, session_id).key,
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            **ex.request(),
        )
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        raw: dict[str, Any] | None = err.response.get("Item")  # type: ignore[assignment]
        if not raw:
            raise _missing(session_id) from None
        old = decoded(raw)
        if expected is not None and int(old[VERSION]) != expected:
            raise PreconditionFailed(f'The session is at version "{old[VERSION]}", not "{expected}"') from None
        if old["status"] == COMPLETED:
            return stored(old)
        status = old["status"] if old["status"] != RUNNING else TIMED_OUT
        raise Conflict(f"The session has ended ({status})", code="session_ended") from None
    return stored(done["Attributes"])


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


@dataclass
class Names:
    """The names a write adds to a session's ``screens`` list and its distinct-name sets, within
    the caps of domain/sessions.py; narrowed from the item a failed write returns."""

    screens: list[str]
    screen_set: set[str]
    event_names: set[str]

    @classmethod
    def of(cls, delta: Delta) -> Names:
        return cls(list(delta.screens[:SCREENS_KEPT]), set(delta.screens), set(delta.event_names))

    def fit(self, old: dict[str, Any]) -> None:
        """Keep only what still has room (and is new) in the stored item ``old``."""
        self.screens = self.screens[: max(SCREENS_KEPT - len(old.get("screens") or ()), 0)]
        for name, wanted in (("screen_set", self.screen_set), ("event_name_set", self.event_names)):
            present = set(old.get(name) or ())
            room = max(DISTINCT_KEPT - len(present), 0)
            kept = set(sorted(wanted - present)[:room])
            wanted.intersection_update(kept)


def _capped_set(ex: Expression, name: str, members: set[str]) -> None:
    if members:
        ref = ex.n(name)
        ex.adds.append(f"{ref} {ex.v(set(members))}")
        limit = ex.v(DISTINCT_KEPT - len(members))
        ex.conditions.append(f"(attribute_not_exists({ref}) OR size({ref}) <= {limit})")


def _activity(ex: Expression, app_id: str, delta: Delta, names: Names, now: int, *, first: bool, last: bool) -> None:
    """The counters, screens, names and times of ``delta`` as one update of a session that exists."""
    for counter, count in sorted(delta.counts.items()):
        ex.adds.append(f"{ex.n(counter)} {ex.v(count)}")
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
    if names.screens:
        screens, empty = ex.n("screens"), ex.v([])
        ex.sets.append(f"{screens} = list_append(if_not_exists({screens}, {empty}), {ex.v(names.screens)})")
        limit = ex.v(SCREENS_KEPT - len(names.screens))
        ex.conditions.append(f"(attribute_not_exists({screens}) OR size({screens}) <= {limit})")
    _capped_set(ex, "screen_set", names.screen_set)
    _capped_set(ex, "event_name_set", names.event_names)
    ex.set("active_at", now)
    ex.set("updated_at", now)
    if delta.crashed_at is not None:
        ex.set("status", ERROR)
        ex.set("ended_at", now)
        ex.removes += [ex.n(GSI2PK), ex.n(GSI2SK)]
    else:
        for name, value in keys.running_keys(app_id, delta.session_id, now).items():
            ex.set(name, value)
    # first_event_at only ever moves earlier and last_event_at later. Batches mostly arrive in
    # time order, so the first attempt keeps first_event_at (set only when absent) and raises
    # last_event_at, each under a condition saying the stored value allows it; a late batch of
    # older events fails that condition once and is retried with ``first`` (lower it) True or
    # ``last`` (raise it) False, as the item it found says.
    at, ours = ex.n("first_event_at"), ex.v(delta.first_at)
    if first:
        ex.sets.append(f"{at} = {ours}")
        ex.conditions.append(f"(attribute_not_exists({at}) OR {at} >= {ours})")
    else:
        ex.sets.append(f"{at} = if_not_exists({at}, {ours})")
        ex.conditions.append(f"(attribute_not_exists({at}) OR {at} <= {ours})")
    if last:
        ex.set("last_event_at", delta.last_at)
        at = ex.n("last_event_at")
        ex.conditions.append(f"(attribute_not_exists({at}) OR {at} <= {ex.v(delta.last_at)})")


def ingest(app_id: str, delta: Delta, timeout_ms: int, retention_s: int, arrival: str) -> Outcome:
    """Apply one session's share of a batch: its counters and its stored events, all or nothing.

    The common case (the session exists, and has the events' user if they name one) is one
    transaction without any read: the session's update, conditioned on RUNNING, not idle past the
    timeout (and on its user_id), plus the events. A first user (it takes a session number) and
    an identify (it moves index entries) read the session first.
    """
    first, last = False, True
    names = Names.of(delta)
    needs_read = delta.identify
    for _ in attempts():
        now = now_ms()
        item: dict[str, Any] | None = None
        if needs_read:
            item = _read(keys.session(app_id, delta.session_id).key)
            if item is None:
                result = _open(app_id, delta, now, retention_s, arrival)
                if result is not None:
                    return result
                continue
            if lock.expired(item, now):
                recover(app_id, item)
                continue
        tx, others = Tx(), Tx()
        ex = Expression()
        _still_running(ex, now - timeout_ms)
        _activity(ex, app_id, delta, names, now, first=first, last=last)
        deferred_metadata = MISSING
        if item is None and delta.user_id is not None:
            ex.conditions.append(f"{ex.n('user_id')} = {ex.v(delta.user_id)}")  # the usual case: no change
        if item is not None:
            refused = _user_change(others, ex, app_id, item, delta)
            if refused is not None:
                return refused
            if delta.identify:
                puts, deletes = _diff(app_id, item, delta.user_metadata)
                room = MAX_TRANSACTION_ITEMS - len(others.items) - 1 - len(delta.events)
                if lock.held(item) or len(puts) + len(deletes) > room:
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
        old = decoded(raw)
        if old["status"] != RUNNING or int(old["active_at"]) <= now - timeout_ms:
            return Outcome(False, "session_ended", "The session has ended: start a new session id")
        if delta.first_at is not None and "first_event_at" in old:
            first = int(old["first_event_at"]) > delta.first_at
        if delta.last_at is not None and "last_event_at" in old and int(old["last_event_at"]) > delta.last_at:
            last = False
        names.fit(old)
        if delta.user_id is not None and old.get("user_id") != delta.user_id:
            if old.get("user_id") is not None:
                return Outcome(False, "user_mismatch", "The session belongs to another user_id")
            needs_read = True  # the session's first user: numbered from what a read says
    raise gave_up("The session changed concurrently; retry the batch")


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
    item |= {"active_at": now} | keys.running_keys(app_id, delta.session_id, now)
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
    _register(tx, app_id, delta.session_id, created)
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
    partitions: list[str], below: str | None, chunk: int, value_prefix: str = "", above: str | None = None
) -> Iterable[tuple[str, dict[str, Any]]]:
    """Entries of several partitions merged newest first by sort key (each ``{prefix}{created}#{id}``),
    strictly below ``below`` and from ``above`` up; reads ``chunk`` entries per partition per request."""
    import heapq

    def stream(partition: str) -> Iterable[tuple[str, dict[str, Any]]]:
        condition: Any = Key(PK).eq(partition)
        if above is not None:
            # "\U0010ffff" sorts after any position; below is then checked entry by entry
            top = value_prefix + (below if below is not None else "\U0010ffff")
            condition = condition & Key(SK).between(value_prefix + above, top)
        elif below is not None and value_prefix:
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


# ---------------------------------------------------------------- analytics reads


def projection_of(paths: Iterable[Path]) -> dict[str, Any]:
    """``ProjectionExpression`` arguments for ``paths`` (a path under another one asked whole is
    left out: DynamoDB refuses overlapping paths)."""
    unique = sorted(set(paths))
    kept = [p for p in unique if not any(p[: len(q)] == q for q in unique if len(q) < len(p))]
    names: dict[str, str] = {}
    refs = []
    for path in kept:
        parts = []
        for segment in path:
            ref = names.setdefault(segment, f"#p{len(names)}")
            parts.append(ref)
        refs.append(".".join(parts))
    return {"ProjectionExpression": ", ".join(refs), "ExpressionAttributeNames": {v: k for k, v in names.items()}}


def created_between(app_id: str, lo: int, hi: int, attributes: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Every session created in ``[lo, hi]`` (ms, inclusive), with only ``attributes`` (and ``id``,
    ``created_at``): one pass over GSI1, each item read once.

    The shards are read concurrently, a page of at most ``BULK_PAGE`` items at a time each, handed
    over one page at a time: memory holds a few pages whatever the range, and DynamoDB's latency
    overlaps the decoding of the pages already read. Order is not kept.

    GSI reads are eventually consistent: a session changed in the last moments may show its
    previous state (fine for aggregates, and why the session list does not read from here).
    """
    projection = projection_of([*attributes, ("id",), ("created_at",)])
    names = projection["ExpressionAttributeNames"] | {"#gpk": GSI1PK, "#gsk": GSI1SK}
    client = bulk_client()

    def pages(shard: int) -> Iterator[list[dict[str, Any]]]:
        kwargs: dict[str, Any] = {
            "TableName": table().name,
            "IndexName": GSI1,
            "KeyConditionExpression": "#gpk = :pk AND #gsk BETWEEN :lo AND :hi",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.sessions_by_created(app_id, shard)},
                ":lo": {"S": f"{lo:013d}#"},
                ":hi": {"S": f"{hi:013d}$"},  # "$" sorts just after "#"
            },
            "ProjectionExpression": projection["ProjectionExpression"],
            "Limit": BULK_PAGE,
        }
        while True:
            page: dict[str, Any] = client.query(**kwargs)  # type: ignore[assignment]
            yield page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    for raw in _concurrently([pages(shard) for shard in range(keys.SHARDS)]):
        item = decoded(raw)
        if "user_metadata" in item:
            item["user_metadata"] = json.loads(item["user_metadata"])
        yield item


_DONE = object()


def _concurrently(sources: list[Iterator[list[dict[str, Any]]]]) -> Iterator[dict[str, Any]]:
    """The items of every source's pages, each source read by its own thread, handed over one page
    at a time (each thread holds at most the page it waits to hand over). A source's error is
    raised here; leaving early stops them all."""
    import queue
    import threading

    pending: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(value: Any) -> bool:
        while not stop.is_set():
            try:
                pending.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read(source: Iterator[list[dict[str, Any]]]) -> None:
        try:
            for page in source:
                if not put(page):
                    return
        except Exception as err:  # handed to the consumer, which raises it
            put(err)
        put(_DONE)

    threads = [threading.Thread(target=read, args=(source,), daemon=True) for source in sources]
    for thread in threads:
        thread.start()
    try:
        running = len(threads)
        while running:
            got = pending.get()
            if got is _DONE:
                running -= 1
            elif isinstance(got, Exception):
                raise got
            else:
                yield from got
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def created_per_day(app_id: str, first_day: str, last_day: str) -> dict[str, int]:
    """Sessions created on each UTC day from ``first_day`` to ``last_day`` (``YYYY-MM-DD``), from
    the daily counters: a few small items per day, whatever the number of sessions."""
    counts: dict[str, int] = {}
    for shard in range(keys.SHARDS):
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key(PK).eq(keys.session_days(app_id, shard))
            & Key(SK).between(f"{first_day}#", f"{last_day}$"),
        }
        while True:
            page = table().query(**kwargs)
            for item in page.get("Items", []):
                day = str(item[SK]).split("#", 1)[0]
                counts[day] = counts.get(day, 0) + int(str(item.get("count", 0)))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return counts


def numbered_sessions(app_id: str, user_id: str, limit: int, below: int | None) -> list[tuple[int, str]]:
    """Up to ``limit`` of the user's sessions as ``(session_number, session_id)``, highest number
    first, those numbered below ``below`` when it is given."""
    partition = keys.user_sessions(app_id, user_id)
    condition = Key(PK).eq(partition) & Key(SK).begins_with("N#")
    if below is not None:
        condition = Key(PK).eq(partition) & Key(SK).between("N#", f"N#{below - 1:010d}")
    items = table().query(KeyConditionExpression=condition, ScanIndexForward=False, Limit=limit, ConsistentRead=True)
    return [(int(str(i[SK])[2:]), str(i["session_id"])) for i in items.get("Items", [])]


def index_range(
    partitions: list[str], low: str, high: str, per_partition: int | None, most: int
) -> tuple[list[tuple[str, str]], bool]:
    """q index entries with sort keys in ``[low, high]`` as ``(position, session id)``: up to
    ``per_partition`` of each partition, or (None) all of them up to ``most`` in all; and whether
    that was every entry of the range."""
    found: list[tuple[str, str]] = []
    for partition in partitions:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key(PK).eq(partition) & Key(SK).between(low, high),
            "ConsistentRead": True,
            "Limit": per_partition or most + 1,
        }
        while True:
            page = table().query(**kwargs)
            found += [
                (keys.position(int(str(i["created_at"])), str(i["target"])), str(i["target"])) for i in page["Items"]
            ]
            if "LastEvaluatedKey" not in page:
                break
            if per_partition is not None or len(found) > most:
                return found, False
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return found, True


def user_entries(app_id: str, user_id: str, most: int) -> list[tuple[int, str]] | None:
    """The user's sessions as ``(created_at, session_id)``; None when there are more than ``most``."""
    found: list[tuple[int, str]] = []
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key(PK).eq(keys.user_sessions(app_id, user_id)) & Key(SK).begins_with("N#"),
        "ConsistentRead": True,
    }
    while True:
        page = table().query(**kwargs)
        found += [(int(str(i["created_at"])), str(i["session_id"])) for i in page.get("Items", [])]
        if len(found) > most:
            return None
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# ---------------------------------------------------------------- bulk load


def load(app_id: str, sessions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write sessions straight to the table in batches (imports, benchmarks and test data), as
    ``create`` and the events would have left them: the item with its GSI keys, its list entry,
    its q index entries, its user's numbering and the daily counters.

    Each session is a stored session (``id``, ``created_at`` and whatever else it holds). Sessions
    are numbered per user in the order given, after the user's existing sessions; nothing else may
    write these users' sessions meanwhile (no conditions, no transactions). Answers the sessions as
    stored, ``session_number`` included.
    """
    given = list(sessions)
    numbers = _session_counts(app_id, {str(s["user_id"]) for s in given if s.get("user_id") is not None})
    loaded: list[dict[str, Any]] = []
    days: dict[tuple[str, str], int] = {}
    with table().batch_writer() as batch:
        for session in given:
            sid, created = str(session["id"]), int(session["created_at"])
            item = {k: v for k, v in session.items() if k != "user_metadata"}
            item |= keys.session_item(app_id, sid, created).attributes()
            item |= {"status": item.get("status", RUNNING), "updated_at": item.get("updated_at", created)}
            item |= {"active_at": item.get("active_at", created), VERSION: first_version()}
            for name in ("screen_set", "event_name_set"):
                if name in item:
                    item[name] = set(item[name])
                    if not item[name]:
                        del item[name]
            if item["status"] == RUNNING:
                item |= keys.running_keys(app_id, sid, int(item["active_at"]))
            user_id = session.get("user_id")
            if user_id is not None:
                numbers[user_id] += 1
                item["session_number"] = numbers[user_id]
                numbered = keys.user_session(app_id, user_id, numbers[user_id]).key
                batch.put_item(Item=numbered | {"session_id": sid, "created_at": created})
            if session.get("user_metadata") is not None:
                item["user_metadata"] = _text(session["user_metadata"])
                for leaf in qindex.entries(session["user_metadata"]):
                    batch.put_item(Item=_entry_item(app_id, item, leaf))
            batch.put_item(Item=_floats_as_decimals(item))
            batch.put_item(Item=keys.session_listing(app_id, sid, created).key | {"session_id": sid})
            counter_key = keys.session_day_counter(app_id, sid, created)
            days[(counter_key.pk, counter_key.sk)] = days.get((counter_key.pk, counter_key.sk), 0) + 1
            loaded.append(stored(item))
        for user_id, count in numbers.items():
            batch.put_item(Item=keys.user_sessions_counter(app_id, user_id).key | {"count": count})
    for (pk, sk), count in days.items():
        table().update_item(
            Key={PK: pk, SK: sk},
            UpdateExpression="ADD #c :n",
            ExpressionAttributeNames={"#c": "count"},
            ExpressionAttributeValues={":n": count},
        )
    return loaded


def _session_counts(app_id: str, user_ids: set[str]) -> dict[str, int]:
    """How many sessions each user has (their numbering counter), 100 users per request."""
    counts = dict.fromkeys(user_ids, 0)
    by_key = {keys.user_sessions_counter(app_id, u).pk: u for u in user_ids}
    counters = [keys.user_sessions_counter(app_id, u).key for u in sorted(user_ids)]
    for item in batch_items(counters, {"ConsistentRead": True}):
        counts[by_key[str(item[PK])]] = int(str(item["count"]))
    return counts


def _floats_as_decimals(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _floats_as_decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats_as_decimals(v) for v in value]
    return value
