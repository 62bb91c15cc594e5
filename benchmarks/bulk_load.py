"""Unconditioned bulk writes of sessions, for benchmarks and test data (never the API's path)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from annex.core.sessions import RUNNING, Delta
from annex.store import keys, qindex
from annex.store.keys import PK, SK, VERSION, first_version
from annex.store.sessions.items import entry_item, first_facts, stored, text
from annex.store.sessions.names import SETS, opened
from annex.store.table import batch_items, table

NAMES = ("screens", *SETS)


def load(app_id: str, sessions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write sessions straight to the table in batches (imports, benchmarks and test data), as
    ``create`` and the events would have left them: the item with its GSI keys, its names items,
    its list entry, its q index entries, its user's numbering and the daily counters.

    Each session is a stored session (``id``, ``created_at`` and whatever else it holds). Sessions
    are numbered per user in the order given, after the user's existing sessions; nothing else may
    write these users' sessions meanwhile (no conditions, no transactions). Answers the sessions as
    stored, ``session_number`` included.
    """
    given = list(sessions)
    numbers = _session_counts(app_id, {str(s["user_id"]) for s in given if s.get("user_id") is not None})
    loaded: list[dict[str, Any]] = []
    days: dict[tuple[str, str], int] = {}
    firsts: dict[str, dict[str, Any]] = {}
    with table().batch_writer() as batch:
        for session in given:
            sid, created = str(session["id"]), int(session["created_at"])
            shown = {name: session.get(name) or [] for name in NAMES}  # in the session's names items
            item = {k: v for k, v in session.items() if k not in ("user_metadata", *NAMES)}
            delta = Delta(sid, screens=list(shown["screens"]), event_names=set(shown["event_name_set"]))
            attributes, names_items = opened(app_id, delta, "")
            item |= attributes
            item |= keys.session_item(app_id, sid, created).attributes()
            item |= {"status": item.get("status", RUNNING), "updated_at": item.get("updated_at", created)}
            item |= {"active_at": item.get("active_at", created), VERSION: first_version()}
            if item["status"] == RUNNING:
                item |= keys.running_keys(app_id, sid, int(item["active_at"]))
            user_id = session.get("user_id")
            if user_id is not None:
                numbers[user_id] += 1
                item["session_number"] = numbers[user_id]
                if numbers[user_id] == 1:  # what the user's later sessions copy (those in this load)
                    firsts[user_id] = first_facts(item)
                elif firsts.get(user_id):
                    item["user_first"] = firsts[user_id]
                numbered = keys.user_session(app_id, user_id, numbers[user_id]).key
                batch.put_item(Item=numbered | {"session_id": sid, "created_at": created})
            if session.get("user_metadata") is not None:
                item["user_metadata"] = text(session["user_metadata"])
                for leaf in qindex.entries(session["user_metadata"]):
                    batch.put_item(Item=entry_item(app_id, item, leaf))
            batch.put_item(Item=_floats_as_decimals(item))
            for names_item in names_items:
                batch.put_item(Item=names_item)
            batch.put_item(Item=keys.session_listing(app_id, sid, created).key | {"session_id": sid})
            counter_key = keys.session_day_counter(app_id, sid, created)
            days[(counter_key.pk, counter_key.sk)] = days.get((counter_key.pk, counter_key.sk), 0) + 1
            loaded.append(stored(item) | {"screens": list(shown["screens"])} | {s: set(shown[s]) for s in SETS})
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
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _floats_as_decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats_as_decimals(v) for v in value]
    return value
