"""A session's items: the session item as stored and read, its list entry, day counter and user
number, its q index entries' items, and the conditions and transaction reasons every change uses."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from annex.core.sessions import CONTEXT, RUNNING, compact
from annex.errors import NotFound
from annex.store import keys, qindex
from annex.store.expression import Expression
from annex.store.keys import PK, VERSION, first_version
from annex.store.sessions import names
from annex.store.table import batch_items, plain, table
from annex.store.writes import Tx

BASE = "user_metadata"
Path = tuple[str, ...]  # an attribute, or a path into a map attribute (``("device", "model")``)
MAX_TRANSACTION_ITEMS = 100


def missing(session_id: str) -> NotFound:
    return NotFound(f"Session not found: {session_id}", code="session_not_found")


def text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def stored(item: dict[str, Any]) -> dict[str, Any]:
    """A session item as plain Python (user_metadata parsed), for domain.sessions.view."""
    out: dict[str, Any] = plain(item)
    out["user_metadata"] = json.loads(out["user_metadata"]) if "user_metadata" in out else None
    return out


def entry_item(app_id: str, session: dict[str, Any], entry: qindex.Entry) -> dict[str, Any]:
    path, value = entry
    sid, created = str(session["id"]), int(session["created_at"])
    return keys.q_entry(app_id, BASE, path, value, created, sid).key | {"target": sid, "created_at": created}


def still_running(ex: Expression, cutoff: int) -> None:
    ex.conditions += [
        f"attribute_exists({ex.n(PK)})",
        f"{ex.n('status')} = {ex.v(RUNNING)}",
        f"{ex.n('active_at')} > {ex.v(cutoff)}",
    ]


def old_item(reasons: list[dict[str, Any]], index: int = 0) -> dict[str, Any] | None:
    """The item a cancelled transaction's ``index``-th operation found (low-level format)."""
    if index >= len(reasons):
        return None
    item: dict[str, Any] | None = reasons[index].get("Item")
    return item or None


def failed(reasons: list[dict[str, Any]], index: int = 0) -> bool:
    return index < len(reasons) and reasons[index].get("Code") == "ConditionalCheckFailed"


def read(key: dict[str, str]) -> dict[str, Any] | None:
    item: dict[str, Any] | None = table().get_item(Key=key, ConsistentRead=True).get("Item")
    return item


def get(app_id: str, session_id: str) -> dict[str, Any]:
    """The stored session (plain, user_metadata parsed, with its names) with its ``version``: one
    Query of its partition."""
    item, found = names.read(app_id, session_id)
    if item is None:
        raise missing(session_id)
    return stored(item) | found.stored()


def with_names(app_id: str, session: dict[str, Any]) -> dict[str, Any]:
    """A stored session with its names (read from its names items when it has any)."""
    names.attach(app_id, [session])
    return session


def batch_get(
    app_id: str, session_ids: list[str], attributes: Iterable[Path] | None = None, consistent: bool = True
) -> dict[str, dict[str, Any]]:
    """Stored sessions by id (strongly consistent unless told), the missing ones left out; only
    ``attributes`` (and ``id``) when given. The names (``screens``, ``screen_set``,
    ``event_name_set``) are read from the sessions' names items when asked (or all is)."""
    wanted = [keys.session(app_id, s).key for s in dict.fromkeys(session_ids)]
    attached = names.wanted(attributes)
    projection = {}
    if attributes is not None:
        kept = [p for p in attributes if p[:1] not in names.NAME_PATHS]
        projection = projection_of([*kept, ("id",), *(((c,) for c in names.COUNTS) if attached else ())])
    sessions = [stored(item) for item in batch_items(wanted, {"ConsistentRead": consistent} | projection)]
    if attached:
        names.attach(app_id, sessions, consistent)
    return {str(session["id"]): session for session in sessions}


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
        "responsive_gesture_count": 0,
        "unresponsive_gesture_count": 0,
        VERSION: first_version(),
    }
    item |= keys.running_keys(app_id, session_id, now)
    for name in CONTEXT:
        item[name] = compact(fields.get(name) or {})
    if fields.get("user_id") is not None:
        item["user_id"] = fields["user_id"]
    return item


def register(tx: Tx, app_id: str, session_id: str, created_at: int) -> None:
    """What every new session adds next to its item: its list entry and a count in its day."""
    tx.put(keys.session_listing(app_id, session_id, created_at).key | {"session_id": session_id})
    tx.add(keys.session_day_counter(app_id, session_id, created_at).key, "count", 1)


def user_numbering(tx: Tx, app_id: str, user_id: str, session_id: str, created_at: int) -> int:
    """Add to ``tx`` the next session number of the user (conditioned on the count it read)."""
    counter = keys.user_sessions_counter(app_id, user_id)
    item = read(counter.key)
    seen = int(str(item["count"])) if item else 0
    ex = Expression()
    ex.set("count", seen + 1)
    ex.conditions.append(f"{ex.n('count')} = {ex.v(seen)}" if seen else f"attribute_not_exists({ex.n(PK)})")
    tx.update(counter.key, ex)
    number = seen + 1
    tx.put(keys.user_session(app_id, user_id, number).key | {"session_id": session_id, "created_at": created_at})
    return number


def about_user(app_id: str, user_id: str, number: int) -> dict[str, Any]:
    """What a session keeps of its user when it gets one, so filters read it without a query per
    session: ``user_name`` (the user's nickname then, when a user by that id exists) and, for a
    session past the user's first, ``user_first`` (what that first session held then: its first
    screen, referer and utm; a first session reads its own)."""
    out: dict[str, Any] = {}
    user = table().get_item(Key=keys.user(app_id, user_id).key, **projection_of([("nickname",)])).get("Item")
    if user and user.get("nickname") is not None:
        out["user_name"] = user["nickname"]
    if number > 1:
        entry = read(keys.user_session(app_id, user_id, 1).key)
        first = read(keys.session(app_id, str(entry["session_id"])).key) if entry else None
        if first:
            out["user_first"] = first_facts(plain(first))
    return out


def first_facts(session: dict[str, Any]) -> dict[str, Any]:
    """A first session's ``screen_name``, ``referer`` and ``utm`` (those it has)."""
    page = session.get("page") or {}
    facts = {"screen_name": session.get("first_screen"), "referer": page.get("referer"), "utm": page.get("utm")}
    out: dict[str, Any] = compact(facts)
    return out


def projection_of(paths: Iterable[Path]) -> dict[str, Any]:
    """``ProjectionExpression`` arguments for ``paths`` (a path under another one asked whole is
    left out: DynamoDB refuses overlapping paths)."""
    ex = Expression()
    return ex.read(projected(ex, paths))


def projected(ex: Expression, paths: Iterable[Path]) -> list[str]:
    """The placeholder paths of ``ex`` that project ``paths`` (a path under another one asked whole
    is left out: DynamoDB refuses overlapping paths)."""
    unique = sorted(set(paths))
    kept = [p for p in unique if not any(p[: len(q)] == q for q in unique if len(q) < len(p))]
    return [ex.path(*path) for path in kept]
