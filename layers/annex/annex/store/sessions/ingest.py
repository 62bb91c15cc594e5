"""A batch's share of events for one session, applied as one transaction with its stored events:
the usual case without a read, a first user or an identify with one, a new session opened by them."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from annex import telemetry
from annex.core.clock import now_ms
from annex.core.sessions import (
    CONTEXT,
    ERROR,
    MAX_USER_METADATA_CHARS,
    RUNNING,
    Delta,
    compact_length,
    fill,
    merged,
)
from annex.store import keys, lock, qindex
from annex.store.expression import Expression, if_absent
from annex.store.keys import GSI2PK, GSI2SK, VERSION
from annex.store.retry import attempts, gave_up
from annex.store.sessions.index import diff, recover, same_metadata, set_metadata
from annex.store.sessions.items import (
    MAX_TRANSACTION_ITEMS,
    about_user,
    entry_item,
    failed,
    new_item,
    old_item,
    register,
    still_running,
    text,
    user_numbering,
)
from annex.store.sessions.names import Names, add, brought, known, opened
from annex.store.table import decoded, service_error
from annex.store.writes import Tx

MISSING = object()


class Ingested(StrEnum):
    """What became of a share: applied, or refused because the session has ended (stored status,
    or idle past the timeout) or belongs to another user; the domain tells the client why."""

    ACCEPTED = "accepted"
    ENDED = "ended"
    OTHER_USER = "other_user"
    TOO_LARGE = "too_large"  # identify's properties would take user_metadata past its limit


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
            item["properties"] = text(event["properties"])
        out.append(item)
    return out


def _activity(ex: Expression, app_id: str, delta: Delta, now: int, *, first: bool, last: bool) -> None:
    """The counters and times of ``delta`` as one update of a session that exists (its names are
    the names items' business: store/sessions/names.py)."""
    for counter, count in sorted(delta.counts.items()):
        ex.adds.append(f"{ex.n(counter)} {ex.v(count)}")
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
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


def ingest(app_id: str, delta: Delta, timeout_ms: int, retention_s: int, arrival: str, started: int) -> Ingested:
    """``_ingest``, with the DynamoDB faults that map to one (``table.service_error``) raised as the
    API's errors, so the caller can tell a refused share from a bug without knowing boto."""
    try:
        return _ingest(app_id, delta, timeout_ms, retention_s, arrival, started)
    except (BotoCoreError, ClientError) as err:
        mapped = service_error(err)
        if mapped is None:
            raise
        raise mapped from err


def _ingest(app_id: str, delta: Delta, timeout_ms: int, retention_s: int, arrival: str, started: int) -> Ingested:
    """Apply one session's share of a batch: its counters and its stored events, all or nothing.

    A share without names (the session exists, and has the events' user if they name one) is one
    transaction without any read: the session's update, conditioned on RUNNING, not idle past the
    timeout (and on its user_id), plus the events. A share with screen or event names reads the
    session and the names it has seen first (one Query), to write names items only for what is new; so do a
    first user (it takes a session number) and an identify (it moves index entries). A session
    the share opens is created at ``started``.
    """
    first, last = False, True
    has_names = bool(delta.screens or delta.event_names)
    # each changes what the session holds by what it holds
    needs_read = delta.identify or bool(delta.context) or has_names
    for _ in attempts():
        now = now_ms()
        item: dict[str, Any] | None = None
        seen = Names()
        if needs_read:
            item, seen = known(app_id, delta.session_id, brought(delta))
            if item is None:
                result = _open(app_id, delta, now, retention_s, arrival, started)
                if result is not None:
                    return result
                continue
            if lock.expired(item, now):
                recover(app_id, item)
                continue
            if _ended(item, now, timeout_ms):
                return Ingested.ENDED  # what the write's condition would say, without a refused write
            first, last = _moves(item, delta, first, last)
        tx, others = Tx(), Tx()
        ex = Expression()
        still_running(ex, now - timeout_ms)
        _activity(ex, app_id, delta, now, first=first, last=last)
        names_items = add(ex, app_id, delta, item, seen, _writer(arrival, delta)) if item is not None else []
        deferred_metadata = MISSING
        if item is None and delta.user_id is not None:
            ex.conditions.append(f"{ex.n('user_id')} = {ex.v(delta.user_id)}")  # the usual case: no change
        if item is not None:
            refused = _user_change(others, ex, app_id, item, delta)
            if refused is not None:
                return refused
            _fill_context(ex, item, delta)
            if delta.identify and delta.user_metadata is not None:
                metadata = merged(
                    json.loads(str(item["user_metadata"])) if "user_metadata" in item else None, delta.user_metadata
                )
                if compact_length(metadata) > MAX_USER_METADATA_CHARS:
                    return Ingested.TOO_LARGE
                puts, deletes = diff(app_id, item, metadata)
                room = MAX_TRANSACTION_ITEMS - len(others.items) - 1 - len(names_items) - len(delta.events)
                if lock.held(item) or len(puts) + len(deletes) > room:
                    deferred_metadata = metadata  # many leaves: set after, by the lock protocol
                else:
                    ex.set("user_metadata", text(metadata))
                    same_metadata(ex, item)
                    for put in puts:
                        others.put(put)
                    for key in deletes:
                        others.delete(key)
        tx.update(keys.session(app_id, delta.session_id).key, ex)  # first: reasons[0] is about it
        tx.items += others.items
        for names_item in names_items:
            tx.put(names_item, if_absent())
        for event in _event_items(app_id, delta, now, retention_s, arrival):
            tx.put(event)
        reasons = tx.run()
        if reasons is None:
            if deferred_metadata is not MISSING:
                set_metadata(app_id, delta.session_id, deferred_metadata, None)
            return Ingested.ACCEPTED
        if not failed(reasons, 0):
            continue  # a conflict with a concurrent transaction, or a user counter that moved
        raw = old_item(reasons, 0)
        if raw is None:
            if needs_read:
                continue
            result = _open(app_id, delta, now, retention_s, arrival, started)
            if result is not None:
                return result
            continue
        old = decoded(raw)
        if _ended(old, now, timeout_ms):
            return Ingested.ENDED
        first, last = _moves(old, delta, first, last)
        if delta.user_id is not None and old.get("user_id") != delta.user_id:
            if old.get("user_id") is not None:
                return Ingested.OTHER_USER
            needs_read = True  # the session's first user: numbered from what a read says
    raise gave_up("The session changed concurrently; retry the batch")


def _writer(arrival: str, delta: Delta) -> str:
    """What tells a write's screens item apart from a concurrent one's: the batch and the share."""
    return f"{arrival}{delta.indexes[0]:03d}"


def _ended(item: dict[str, Any], now: int, timeout_ms: int) -> bool:
    return item["status"] != RUNNING or int(item["active_at"]) <= now - timeout_ms


def _moves(item: dict[str, Any], delta: Delta, first: bool, last: bool) -> tuple[bool, bool]:
    """Whether the write lowers first_event_at and raises last_event_at, as the stored ``item`` says."""
    if delta.first_at is not None and "first_event_at" in item:
        first = int(item["first_event_at"]) > delta.first_at
    if delta.last_at is not None and "last_event_at" in item and int(item["last_event_at"]) > delta.last_at:
        last = False
    return first, last


def _fill_context(ex: Expression, item: dict[str, Any], delta: Delta) -> None:
    """Set the context leaves the session does not have yet, if the session is still as read."""
    changed = False
    for name in CONTEXT:
        have = item.get(name) or {}
        want = fill(have, delta.context.get(name) or {})
        if want != have:
            ex.set(name, want)
            changed = True
    if changed:
        ex.conditions.append(f"{ex.n(VERSION)} = {ex.v(item[VERSION])}")


def _user_change(tx: Tx, ex: Expression, app_id: str, item: dict[str, Any], delta: Delta) -> Ingested | None:
    """Add the user's first assignment (and session number) to the write; refuse another user."""
    stored_user = item.get("user_id")
    if delta.user_id is None or stored_user == delta.user_id:
        if stored_user is not None:
            ex.conditions.append(f"{ex.n('user_id')} = {ex.v(stored_user)}")
        return None
    if stored_user is not None:
        return Ingested.OTHER_USER
    ex.conditions.append(f"attribute_not_exists({ex.n('user_id')})")
    number = user_numbering(tx, app_id, delta.user_id, delta.session_id, int(str(item["created_at"])))
    ex.set("user_id", delta.user_id)
    ex.set("session_number", number)
    for name, value in about_user(app_id, delta.user_id, number).items():
        ex.set(name, value)
    return None


def _open(app_id: str, delta: Delta, now: int, retention_s: int, arrival: str, created: int) -> Ingested | None:
    """Open the session an event names for the first time, created at ``created``, with the batch's
    share applied; None when a concurrent batch opened it first (the caller then updates it as usual)."""
    item = new_item(app_id, delta.session_id, {"user_id": delta.user_id} | delta.context, created)
    item |= {"active_at": now} | keys.running_keys(app_id, delta.session_id, now)
    for counter, count in delta.counts.items():
        item[counter] = count
    attributes, names_items = opened(app_id, delta, _writer(arrival, delta))
    item |= attributes
    item["first_event_at"], item["last_event_at"] = delta.first_at, delta.last_at
    if delta.crashed_at is not None:
        item |= {"status": ERROR, "ended_at": now}
        del item[GSI2PK], item[GSI2SK]
    tx = Tx()
    tx.put(item, if_absent())
    for names_item in names_items:
        tx.put(names_item, if_absent())
    register(tx, app_id, delta.session_id, created)
    if delta.user_id is not None:
        item["session_number"] = user_numbering(tx, app_id, delta.user_id, delta.session_id, created)
        item |= about_user(app_id, delta.user_id, item["session_number"])
    deferred = False
    if delta.identify and delta.user_metadata is not None:
        if compact_length(delta.user_metadata) > MAX_USER_METADATA_CHARS:
            return Ingested.TOO_LARGE
        entries = qindex.entries(delta.user_metadata)
        if len(tx.items) + len(entries) + len(delta.events) <= MAX_TRANSACTION_ITEMS:
            item["user_metadata"] = text(delta.user_metadata)
            for entry in entries:
                tx.put(entry_item(app_id, item, entry))
        else:
            deferred = True
    for event in _event_items(app_id, delta, now, retention_s, arrival):
        tx.put(event)
    reasons = tx.run()
    if reasons is not None:
        return None
    telemetry.count("SessionsOpened")
    if deferred:
        set_metadata(app_id, delta.session_id, delta.user_metadata, None)
    return Ingested.ACCEPTED
