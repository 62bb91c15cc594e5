"""Listing sessions: newest first, by ``status=``, ``q=`` and ``filters=``, with the q planner.

The planner answers ``q`` from the index (``store/qindex.py``). It probes every clause the index
can answer (up to three, likeliest most selective first), reading at most ``PROBE`` entries per
shard of each, and drives from the clause with the fewest entries among those it read to the end;
when none ended, it streams the top-ranked equality newest first, or falls back to the plain
newest-first list for a range that matches too much to sort. Every candidate is then read from
the table and checked against the whole query and ``status`` as stored now, so a stale index entry
can cost a read but never a wrong result. Each page stops after ``READ_BUDGET`` candidates, with a
cursor, so no page reads without bound.

Filters (``domain/filters.py``) narrow the candidates first: ``session_id``/``user_id`` by their
keys, a ``user_metadata.`` equality as one more q clause, ``date_range`` as bounds on the
position ``{created_at:013d}#{id}`` every candidate source is ordered by. The cursor is such a
position, so a page continues strictly below it whichever source the next request uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from annex.core import MAX_ID_CHARS
from annex.core.sessions import MAX_SESSION_ID_CHARS
from annex.domain import filter_values, filters, query
from annex.domain.sessions import view
from annex.store import cursor as cursor_codec
from annex.store import keys, qindex
from annex.store import sessions as store

PROBE = 25  # entries per shard a probe reads
MAX_PROBES = 3
MAX_RANGE_ENTRIES = 2_000  # a range-driven q reads its whole range (to order it newest first)
MAX_USERS = 10  # user_id filters naming more users read the created-time range instead
READ_BUDGET = 1000  # sessions a page may read and discard before it answers with a cursor
BASES = frozenset({store.BASE})


def encode_cursor(position: str) -> str:
    return cursor_codec.pack(position)


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    position = cursor_codec.unpack(cursor)
    created, _, session_id = position.partition("#")
    if len(created) != 13 or not created.isdigit() or not 1 <= len(session_id) <= MAX_SESSION_ID_CHARS:
        cursor_codec.invalid()
    return position


def upper_position(high: int) -> str:
    """The position every session created at or before ``high`` is strictly below."""
    return f"{high + 1:013d}#"


def lower_position(low: int) -> str | None:
    """The position every session created at or after ``low`` is at or above (None: no bound)."""
    return f"{low:013d}#" if low > filter_values.MIN_MS else None


def list_sessions(
    app_id: str,
    limit: int,
    cursor: str | None,
    status: str | None,
    q: str | None,
    conditions: list[filters.Condition],
    now: int,
    timeout_ms: int,
) -> tuple[list[dict[str, Any]], str | None]:
    below = decode_cursor(cursor)
    parsed = query.parse(q, BASES) if q is not None else None
    plan = filters.plan(conditions)
    if plan.empty:
        return [], None

    def keep(session: dict[str, Any]) -> bool:
        if status is not None and view(session, now, timeout_ms)["status"] != status:
            return False
        if parsed is not None and not parsed.matches({store.BASE: session.get("user_metadata")}):
            return False
        return plan.matches(session)

    top = upper_position(plan.high)
    below = top if below is None else min(below, top)
    above = lower_position(plan.low)
    if above is not None and below <= above:  # a cursor at or below the range's start: nothing is left
        return [], None
    found_candidates = candidates(app_id, plan, parsed, below, above)
    if found_candidates is None:
        partitions = [keys.sessions_list(app_id, shard) for shard in range(keys.SHARDS)]
        stream = store.newest_first(partitions, below, 25, above=above)
        found_candidates = ((pos, str(item["session_id"])) for pos, item in stream)
    found, position = store.collect(found_candidates, app_id, keep, limit, READ_BUDGET)
    return [view(s, now, timeout_ms) for s in found], encode_cursor(position) if position else None


def candidates(
    app_id: str,
    plan: filters.Plan,
    parsed: query.Query | None,
    below: str | None,
    above: str | None,
    *,
    selective_only: bool = False,
) -> Iterable[tuple[str, str]] | None:
    """Candidate sessions ``(position, id)`` newest first, between ``above`` (inclusive) and
    ``below`` (exclusive), from the narrowest keys the filters and ``q`` offer: the session ids,
    the users' numbered sessions (up to ``MAX_USERS`` users), or the q index. None when only the
    created-time range is left, or (``selective_only``, for reads of every match) when the index
    offers no clause whose entries a probe read to the end."""
    if plan.session_ids is not None:
        wanted = sorted(plan.session_ids)
        found = store.batch_get(app_id, wanted, [("created_at",)])
        return _ordered([(keys.position(int(s["created_at"]), i), i) for i, s in found.items()], below, above)
    if plan.user_ids is not None and len(plan.user_ids) <= MAX_USERS:
        entries: list[tuple[str, str]] = []
        for user_id in sorted(plan.user_ids):
            numbered = store.user_entries(app_id, user_id, MAX_RANGE_ENTRIES)
            if numbered is None:  # a user with very many sessions: the time range is the better path
                break
            entries += [(keys.position(created, sid), sid) for created, sid in numbered]
        else:
            return _ordered(entries, below, above)
    clauses = (parsed.clauses if parsed is not None else ()) + plan.clauses
    return _candidates(app_id, query.Query(clauses), below, above, selective_only) if clauses else None


def list_user_sessions(
    app_id: str, user_id: str, limit: int, cursor: str | None, now: int, timeout_ms: int
) -> tuple[list[dict[str, Any]], str | None]:
    """A user's sessions, newest (highest session_number) first."""
    if not 1 <= len(user_id) <= MAX_ID_CHARS:
        return [], None  # no session can carry such a user id
    below = _number_cursor(cursor) if cursor is not None else None
    numbered = store.numbered_sessions(app_id, user_id, limit + 1, below)
    page = numbered[:limit]
    sessions = store.batch_get(app_id, [sid for _, sid in page])
    shown = [view(sessions[sid], now, timeout_ms) for _, sid in page if sid in sessions]
    more = len(numbered) > limit
    return shown, encode_cursor(f"{0:013d}#{page[-1][0]:010d}") if more else None


def _number_cursor(cursor: str) -> int:
    position = decode_cursor(cursor) or ""
    digits = position.partition("#")[2]
    if len(digits) != 10 or not digits.isdigit():
        cursor_codec.invalid()
    return int(digits)


def _shards(app_id: str, clause: query.Clause) -> list[str]:
    return [keys.q_index(app_id, clause.base, clause.path, shard) for shard in range(keys.SHARDS)]


def _probe(app_id: str, clause: query.Clause, limit: int | None) -> tuple[list[tuple[str, str]], bool]:
    """The clause's entries as (position, session id), up to ``limit`` per shard (else up to
    ``MAX_RANGE_ENTRIES`` in all); and whether that was all of them."""
    key_range = qindex.key_range(clause)
    assert key_range is not None
    return store.index_range(_shards(app_id, clause), key_range.low, key_range.high, limit, MAX_RANGE_ENTRIES)


def _ordered(entries: list[tuple[str, str]], below: str | None, above: str | None = None) -> list[tuple[str, str]]:
    unique = dict(entries)  # one session appears once per value, maybe several values per clause
    return sorted(
        ((p, s) for p, s in unique.items() if (below is None or p < below) and (above is None or p >= above)),
        reverse=True,
    )


def _candidates(
    app_id: str, parsed: query.Query, below: str | None, above: str | None = None, selective_only: bool = False
) -> Iterable[tuple[str, str]] | None:
    """Candidate sessions for ``parsed``, newest first; None when the index cannot narrow them."""
    clauses = qindex.answerable(parsed)[:MAX_PROBES]
    if not clauses:
        return None
    probes = [_probe(app_id, clause, PROBE) for clause in clauses]
    complete = [entries for entries, done in probes if done]
    if complete:
        return _ordered(min(complete, key=len), below, above)
    if selective_only:
        return None
    lead = clauses[0]
    key_range = qindex.key_range(lead)
    assert key_range is not None
    if key_range.equality:
        prefix = key_range.low  # the value's encoding and "#": entries then run {created}#{id}
        stream = store.newest_first(_shards(app_id, lead), below, PROBE, value_prefix=prefix, above=above)
        return ((position, str(item["target"])) for position, item in stream)
    entries, done = _probe(app_id, lead, None)
    return _ordered(entries, below, above) if done else None


_EVENT_POSITION = re.compile(r"\d{13}#\d{13}[0-9a-f]{12}\d{3}")


def encode_event_cursor(position: str | None) -> str | None:
    return encode_cursor(position) if position is not None else None


def decode_event_cursor(cursor: str | None) -> str | None:
    """The sort key of the last event a page showed (events have no id of their own)."""
    if cursor is None:
        return None
    position = cursor_codec.unpack(cursor)
    if not _EVENT_POSITION.fullmatch(position):
        cursor_codec.invalid()
    return position
