"""Session analytics (SPEC "Analytics"): aggregates of the sessions a filter list selects, by group.

One streaming pass: the plan of ``domain/filters.py`` says where the sessions are (a created-time
range on GSI1, or the keys and q index entries the list uses too), each session is read once with
only the attributes the filters, groups and metrics need, checked, and added to its group's running
totals. Memory holds the totals of each group and the set of users seen per group (users as small
integers), never the sessions themselves.

- Without ``date_range`` the range is the last ``DEFAULT_DAYS`` days.
- Time groups are UTC: ``session_uploadedon_day`` ``YYYY-MM-DD``, ``session_uploaded_week`` the
  Monday ``YYYY-MM-DD``, ``session_uploaded_month`` ``YYYY-MM``.
- ``session_new_users_count`` counts sessions numbered 1 (a user's first): the users whose first
  session is in the group. ``crash_rate`` is the share of sessions with status ``ERROR`` (a timed
  out session did not crash). Averages are of the group's sessions; users are distinct user ids
  (sessions without one count in no user figure).
- Each ``group_by`` attribute keeps its ``max_group_number`` values with the most sessions (ties by
  value) and folds the others into ``"other"``; rows are ordered by ``session_count`` descending
  (ties by group values), rows holding an ``"other"`` last. The ``"other"`` row is the sum of the
  rows it folds: its averages are recomputed from the summed totals.
- Before reading a created-time range, the daily creation counters estimate its sessions; more than
  ``max_sessions`` is 400 ``range_too_large``. Reading stops with the same answer if the estimate
  was short, so no request reads more than ``max_sessions`` sessions.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from annex.core.clock import DAY_MS, day_of, utc_date
from annex.core.sessions import ERROR, distinct, distinct_counter
from annex.domain import filters, query, session_search
from annex.domain.filters import Path, Plan, Stored
from annex.errors import BadRequest
from annex.store import sessions as store

DEFAULT_DAYS = 30
DEFAULT_GROUPS, MAX_GROUPS, MAX_GROUP_BY = 50, 500, 5
OTHER = "other"
MAX_ROWS = 5_000  # ~400 bytes a row: an answer stays far under Lambda's 6 MB
TIME_GROUPS = ("session_uploadedon_day", "session_uploaded_week", "session_uploaded_month")
NOT_GROUPABLE = {
    "event_name": "a session holds several event names",
    "session_screen_list": "a session holds several screens",
    "session_id": "each session would be a group of its own",
    "date_range": "use session_uploadedon_day, session_uploaded_week or session_uploaded_month",
}
# Each metric and what it reads (a request's ``aggregation`` reads only its metrics' attributes).
METRICS: dict[str, tuple[Path, ...]] = {
    "session_count": (),
    "session_unique_user_count": (("user_id",),),
    "session_new_users_count": (("session_number",),),
    "avg_session_duration": (("first_event_at",), ("last_event_at",)),
    "avg_session_gesture_count": (("gesture_count",),),
    "avg_session_rage_gesture_count": (("rage_gesture_count",),),
    "avg_session_responsive_gesture_count": (("responsive_gesture_count",),),
    "avg_session_unresponsive_gesture_count": (("unresponsive_gesture_count",),),
    "avg_session_screen_count": (("screen_count",),),
    "avg_session_unique_screen_count": ((distinct_counter("screen_set"),),),
    "crash_rate": (("status",),),
}
# What the metrics read, whatever the filters and groups.
METRIC_READS: frozenset[Path] = frozenset({("created_at",), *(p for reads in METRICS.values() for p in reads)})


def metric_reads(metrics: Iterable[str]) -> set[Path]:
    """What ``metrics`` read (and created_at, which every range reads)."""
    return {("created_at",), *(p for m in metrics for p in METRICS[m])}


# ---------------------------------------------------------------- groups


def week_of(created_at: int) -> str:
    day = created_at // DAY_MS
    return utc_date(day - (day + 3) % 7)  # 1970-01-01 was a Thursday (weekday 3 counting from Monday)


def month_of(created_at: int) -> str:
    return utc_date(created_at // DAY_MS)[:7]


_TIME: dict[str, Callable[[int], str]] = dict(zip(TIME_GROUPS, (day_of, week_of, month_of), strict=True))


@dataclass(frozen=True)
class Grouping:
    """A ``group_by`` entry: the group value of a session, and how many values keep their own row."""

    name: str
    reads: tuple[Path, ...]
    value: Callable[[Stored], Any] = field(compare=False)
    max_groups: int = DEFAULT_GROUPS


def grouping(name: str, max_groups: int = DEFAULT_GROUPS) -> Grouping:
    """The group_by attribute ``name``; ValueError when sessions cannot be grouped by it."""
    if name in _TIME:
        bucket = _TIME[name]
        return Grouping(name, (("created_at",),), lambda s: bucket(int(s["created_at"])), max_groups)
    if name in NOT_GROUPABLE:
        raise ValueError(f"sessions cannot be grouped by {name}: {NOT_GROUPABLE[name]}")
    found = filters.attribute(name)
    if found.kind is filters.Kind.JSON:
        get = found.get
        return Grouping(name, found.reads, lambda s: None if get(s) is query.MISSING else get(s), max_groups)
    if found.kind is not filters.Kind.STRING:
        raise ValueError(f"sessions are grouped by string attributes; {name} is a {found.kind} attribute")
    return Grouping(name, found.reads, found.get, max_groups)


def _key(value: Any) -> Any:
    """A hashable key for a group value (JSON values by their text, so 1 and "1" stay apart)."""
    if value is None or isinstance(value, str):
        return value
    return ("json", json.dumps(value, sort_keys=True, separators=(",", ":")))


def _order(value: Any) -> tuple[int, str]:
    """Ties in session_count are ordered by group value: null, then strings, then other JSON."""
    if value is None:
        return (0, "")
    if isinstance(value, str):
        return (1, value)
    return (2, json.dumps(value, sort_keys=True, separators=(",", ":")))


# ---------------------------------------------------------------- totals


@dataclass
class Totals:
    """A group's running sums; the row is computed from them (so folded rows stay exact)."""

    sessions: int = 0
    new_users: int = 0
    duration_ms: int = 0
    gestures: int = 0
    rage_gestures: int = 0
    responsive_gestures: int = 0
    unresponsive_gestures: int = 0
    screens: int = 0
    unique_screens: int = 0
    crashed: int = 0
    users: set[int] = field(default_factory=set)

    def add(self, session: Stored, user: int | None) -> None:
        self.sessions += 1
        if user is not None:
            self.users.add(user)
        if session.get("session_number") == 1:
            self.new_users += 1
        first, last = session.get("first_event_at"), session.get("last_event_at")
        if first is not None and last is not None:
            self.duration_ms += int(last) - int(first)
        self.gestures += int(session.get("gesture_count") or 0)
        self.rage_gestures += int(session.get("rage_gesture_count") or 0)
        self.responsive_gestures += int(session.get("responsive_gesture_count") or 0)
        self.unresponsive_gestures += int(session.get("unresponsive_gesture_count") or 0)
        self.screens += int(session.get("screen_count") or 0)
        self.unique_screens += distinct(session, "screen_set")
        if session.get("status") == ERROR:
            self.crashed += 1

    def merge(self, other: Totals) -> None:
        self.sessions += other.sessions
        self.new_users += other.new_users
        self.duration_ms += other.duration_ms
        self.gestures += other.gestures
        self.rage_gestures += other.rage_gestures
        self.responsive_gestures += other.responsive_gestures
        self.unresponsive_gestures += other.unresponsive_gestures
        self.screens += other.screens
        self.unique_screens += other.unique_screens
        self.crashed += other.crashed
        self.users |= other.users

    def row(self) -> dict[str, Any]:
        n = self.sessions or 1  # an empty total answers zeros, not a division by zero
        return {
            "session_count": self.sessions,
            "session_unique_user_count": len(self.users),
            "session_new_users_count": self.new_users,
            "avg_session_duration": self.duration_ms / 1000 / n,
            "avg_session_gesture_count": self.gestures / n,
            "avg_session_rage_gesture_count": self.rage_gestures / n,
            "avg_session_responsive_gesture_count": self.responsive_gestures / n,
            "avg_session_unresponsive_gesture_count": self.unresponsive_gestures / n,
            "avg_session_screen_count": self.screens / n,
            "avg_session_unique_screen_count": self.unique_screens / n,
            "crash_rate": self.crashed / n,
        }


Key = tuple[Any, ...]
EVERYTHING_ELSE = (OTHER, None)


@dataclass
class Grouped:
    """A period's totals by group key, and the value each group key shows."""

    totals: dict[Key, Totals] = field(default_factory=dict)
    shown: dict[Any, Any] = field(default_factory=dict)


def grouped(sessions: Iterable[Stored], groups: list[Grouping]) -> Grouped:
    """The totals of ``sessions`` (already filtered) by ``groups``, in one pass."""
    users: dict[str, int] = {}
    out = Grouped()
    for session in sessions:
        user_id = session.get("user_id")
        user = users.setdefault(user_id, len(users)) if user_id is not None else None
        key = []
        for group in groups:
            value = group.value(session)
            k = _key(value)
            out.shown.setdefault(k, value)
            key.append(k)
        group_key = tuple(key)
        if group_key not in out.totals:
            out.totals[group_key] = Totals()
        out.totals[group_key].add(session, user)
    return out


def aggregate(
    sessions: Iterable[Stored],
    groups: list[Grouping],
    metrics: Iterable[str] | None = None,
    previous: Iterable[Stored] | None = None,
) -> list[dict[str, Any]]:
    """The rows of ``sessions`` (already filtered) grouped by ``groups``, with only ``metrics``
    (default all); with ``previous`` (the sessions of the period before), each row also holds the
    same group's ``previous`` metrics and their relative ``change``."""
    now, before = grouped(sessions, groups), grouped(previous, groups) if previous is not None else None
    wanted = list(METRICS) if metrics is None else list(metrics)

    def figures(total: Totals) -> dict[str, Any]:
        row = total.row()
        return {m: row[m] for m in wanted}

    rows = []
    for values, total, prior in _rows(now, groups, before):
        row = values | figures(total)
        rows.append(row if prior is None else row | compared(row, figures(prior)))
    return rows


def compared(now: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """A row's ``previous`` metrics (``before``) and their relative ``change`` (null from 0)."""
    return {"previous": before, "change": {m: (now[m] - old) / old if old else None for m, old in before.items()}}


def previous_period(conditions: list[filters.Condition], plan: Plan) -> Plan:
    """The plan of ``conditions`` over the equally long period just before ``plan``'s range."""
    span = plan.high - plan.low + 1
    return filters.plan(filters.shifted(conditions, plan.low - span, plan.low - 1))


def _rows(
    now: Grouped, groups: list[Grouping], before: Grouped | None
) -> list[tuple[dict[str, Any], Totals, Totals | None]]:
    """Each row's group values, totals and the previous period's totals for the same groups (the
    previous period's groups fold as this one's do)."""
    totals, shown = now.totals, now.shown
    if not groups:
        prior = before.totals.get((), Totals()) if before is not None else None
        return [({}, totals.get((), Totals()), prior)]
    kept: list[set[Any]] = []
    for position, group in enumerate(groups):
        per_value: dict[Any, int] = {}
        for key, total in totals.items():
            per_value[key[position]] = per_value.get(key[position], 0) + total.sessions
        ranked = sorted(per_value, key=lambda k: (-per_value[k], _order(shown[k])))
        kept.append(set(ranked[: group.max_groups]))

    def fold(all_totals: dict[Key, Totals]) -> dict[Key, Totals]:
        folded: dict[Key, Totals] = {}
        for key, total in all_totals.items():
            target = tuple(k if k in kept[i] else EVERYTHING_ELSE for i, k in enumerate(key))
            if target not in folded:
                folded[target] = Totals()
            folded[target].merge(total)
        return folded

    def display(k: Any) -> Any:
        return OTHER if k == EVERYTHING_ELSE else shown[k]

    def order(item: tuple[Key, Totals]) -> tuple[bool, int, list[tuple[int, str]]]:
        key, total = item
        has_other = any(k == EVERYTHING_ELSE for k in key)
        return (has_other, -total.sessions, [_order(display(k)) for k in key])

    rows = sorted(fold(totals).items(), key=order)
    everything_else = tuple(EVERYTHING_ELSE for _ in groups)
    shown_keys: set[Key] | None = None
    if len(rows) > MAX_ROWS:  # the rest joins the all-"other" row, so the answer stays well under 6 MB
        rest = Totals()
        kept_rows: list[tuple[Key, Totals]] = []
        for key, total in rows:
            if len(kept_rows) < MAX_ROWS - 1 and key != everything_else:
                kept_rows.append((key, total))
            else:
                rest.merge(total)
        rows = [*kept_rows, (everything_else, rest)]
        shown_keys = {key for key, _ in kept_rows}
    priors: dict[Key, Totals] = {}
    if before is not None:
        for key, total in fold(before.totals).items():
            target = key if shown_keys is None or key in shown_keys else everything_else
            priors.setdefault(target, Totals()).merge(total)
    return [
        (
            {g.name: display(k) for g, k in zip(groups, key, strict=True)},
            total,
            priors.get(key, Totals()) if before is not None else None,
        )
        for key, total in rows
    ]


# ---------------------------------------------------------------- reading


def estimate(app_id: str, low: int, high: int, now: int) -> int:
    """Sessions created in ``[low, high]`` by the daily counters: whole days inside the range, and
    the covered share of a day the range cuts (today's sessions spread up to ``now`` only)."""
    total = 0.0
    for day, count in store.created_per_day(app_id, day_of(low), day_of(high)).items():
        start = int(datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC).timestamp()) * 1000
        end = max(start, min(start + DAY_MS - 1, now))
        covered = min(high, end) - max(low, start) + 1
        total += count * min(1.0, max(0, covered) / (end - start + 1))
    return math.ceil(total)


def _too_large(found: int, most: int) -> BadRequest:
    return BadRequest(
        f"The request would read {found:,} sessions or more; analytics reads at most {most:,}: narrow date_range",
        code="range_too_large",
    )


def _capped(sessions: Iterable[Stored], most: int) -> Iterator[Stored]:
    for read, session in enumerate(sessions, start=1):
        if read > most:
            raise _too_large(read, most)
        yield session


def _by_ids(app_id: str, candidates: Iterable[tuple[str, str]], reads: set[Path]) -> Iterator[Stored]:
    chunk: list[str] = []
    for _, session_id in candidates:
        chunk.append(session_id)
        if len(chunk) == 100:
            yield from store.batch_get(app_id, chunk, reads, consistent=False).values()
            chunk = []
    if chunk:
        yield from store.batch_get(app_id, chunk, reads, consistent=False).values()


def sessions_of(app_id: str, plan: Plan, reads: set[Path], most: int, now: int) -> Iterator[Stored]:
    """Every session the plan may select (each read once, only ``reads``), at most ``most``."""
    if plan.empty:
        return iter(())
    below = session_search.upper_position(plan.high)
    above = session_search.lower_position(plan.low)
    # The index only when a probe read a clause's entries to the end (a few matches): for a common
    # value, reading the created-time range once (projected, on GSI1) is cheaper than the entries
    # and then each session, and the daily counters can guard it.
    candidates = session_search.candidates(app_id, plan, None, below, above, selective_only=True)
    if candidates is not None:
        return _capped(_by_ids(app_id, candidates, reads), most)
    expected = estimate(app_id, plan.low, plan.high, now)
    if expected > most:
        raise _too_large(expected, most)
    return _capped(store.created_between(app_id, plan.low, plan.high, reads), most)


def run(
    app_id: str,
    conditions: list[filters.Condition],
    groups: list[Grouping],
    now: int,
    max_sessions: int,
    metrics: list[str] | None = None,
    compare: bool = False,
) -> list[dict[str, Any]]:
    """The analytics rows of the sessions ``conditions`` select (the last 30 days without a
    date_range): only ``metrics`` (default all), and with ``compare`` each row's ``previous`` and
    ``change`` over the equally long period just before."""
    plan = filters.plan(conditions, default_range=(max(0, now - DEFAULT_DAYS * DAY_MS), now))
    reads = metric_reads(METRICS if metrics is None else metrics)
    reads |= plan.reads() | {path for g in groups for path in g.reads}
    matching = (s for s in sessions_of(app_id, plan, reads, max_sessions, now) if plan.matches(s))
    previous = None
    if compare:
        before = previous_period(conditions, plan)
        previous = (s for s in sessions_of(app_id, before, reads, max_sessions, now) if before.matches(s))
    return aggregate(matching, groups, metrics, previous)
