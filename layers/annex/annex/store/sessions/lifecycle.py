"""A session's life in the table: created (with its list entry, user number and index entries),
released, and timed out by the sweep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from annex.core.clock import now_ms
from annex.core.sessions import COMPLETED, RUNNING, TIMED_OUT
from annex.errors import Conflict
from annex.store import keys, qindex
from annex.store.expression import Expression, if_absent
from annex.store.keys import GSI2, GSI2PK, GSI2SK, PK, SK, VERSION
from annex.store.retry import attempts, gave_up
from annex.store.sessions.index import fits_one_transaction, set_metadata
from annex.store.sessions.items import (
    about_user,
    entry_item,
    failed,
    missing,
    new_item,
    register,
    still_running,
    stored,
    text,
    user_numbering,
    with_names,
)
from annex.store.table import decoded, reraise_unless_condition_failed, stale, table
from annex.store.writes import Tx


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
        tx.put(item, if_absent())
        register(tx, app_id, session_id, now)
        if "user_id" in item:
            item["session_number"] = user_numbering(tx, app_id, item["user_id"], session_id, now)
            item |= about_user(app_id, item["user_id"], item["session_number"])
        fits = fits_one_transaction(item.get("user_id"), user_metadata)
        if fits and user_metadata is not None:
            item["user_metadata"] = text(user_metadata)
            for entry in qindex.entries(user_metadata):
                tx.put(entry_item(app_id, item, entry))
        reasons = tx.run()
        if reasons is None:
            if not fits:  # too many leaves for one transaction: the lock protocol adds them
                return set_metadata(app_id, session_id, user_metadata, None)
            return stored(item)
        if failed(reasons, 0):
            raise Conflict(f"Session already exists: {session_id}", code="already_exists")
    raise gave_up("The user's sessions changed concurrently; retry the request")


@dataclass(frozen=True)
class Released:
    """A release's answer: the stored session, and ``ended`` (its status) when it had ended
    otherwise (ERROR, or TIMED_OUT stored or by the timeout) and was left as it was."""

    session: dict[str, Any]
    ended: str | None = None


def release(app_id: str, session_id: str, timeout_ms: int, expected: int | None) -> Released:
    """RUNNING → COMPLETED, answering the stored session (one request, no read after it). Releasing
    a COMPLETED session again changes nothing; an ERROR or TIMED_OUT one is not changed (``ended``)."""
    now = now_ms()
    ex = Expression()
    ex.set("status", COMPLETED)
    ex.set("ended_at", now)
    ex.set("updated_at", now)
    ex.adds.append(f"{ex.n(VERSION)} {ex.v(1)}")
    ex.removes += [ex.n(GSI2PK), ex.n(GSI2SK)]
    still_running(ex, now - timeout_ms)
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
        reraise_unless_condition_failed(err)
        raw: dict[str, Any] | None = err.response.get("Item")  # type: ignore[assignment]
        if not raw:
            raise missing(session_id) from None
        old = decoded(raw)
        if expected is not None and int(old[VERSION]) != expected:
            raise stale(old[VERSION], expected, "session") from None
        if old["status"] == COMPLETED:
            return Released(with_names(app_id, stored(old)))
        return Released(with_names(app_id, stored(old)), old["status"] if old["status"] != RUNNING else TIMED_OUT)
    return Released(with_names(app_id, stored(done["Attributes"])))


def sweep(app_id: str, timeout_ms: int, now: int | None = None, budget: int | None = None) -> tuple[int, bool]:
    """Store TIMED_OUT on the application's RUNNING sessions idle past the timeout, at most
    ``budget`` of them; how many, and whether idle ones may remain (the budget ended the sweep)."""
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
                if budget is not None and swept >= budget:
                    return swept, True
                swept += _time_out({PK: str(entry[PK]), SK: str(entry[SK])}, cutoff, timeout_ms)
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return swept, False


def sweep_cursor() -> str | None:
    """The application the next sweep starts at (None: the first)."""
    item = table().get_item(Key=keys.SWEEP_CURSOR.key, ConsistentRead=True).get("Item")
    return str(item["app_id"]) if item else None


def keep_sweep_cursor(app_id: str | None) -> None:
    if app_id is None:
        table().delete_item(Key=keys.SWEEP_CURSOR.key)
    else:
        table().put_item(Item=keys.SWEEP_CURSOR.key | {"app_id": app_id})


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
