"""Analytics on the columnar copy: the same rows as ``analytics.aggregate``, computed by SQL.

The engine (``annex.store.columnar``: DuckDB over files on a laptop, Athena over S3 in AWS) only
runs SQL; the SQL is ``columnar_sql``'s. One query ranks each ``group_by`` attribute's values
(the ``max_group_number`` kept), one more folds and totals: unique users are counted by the
engine over each folded row, so the ``"other"`` row counts a user once, as on DynamoDB's path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from annex.core.clock import DAY_MS
from annex.domain import analytics, columnar_sql, filters
from annex.domain.analytics import DEFAULT_DAYS, MAX_ROWS, OTHER, Grouping, _order
from annex.domain.columnar_rows import row_of
from annex.domain.columnar_sql import DIALECTS
from annex.domain.filters import Condition, Plan
from annex.errors import BadRequest
from annex.store import columnar as store


class Engine(Protocol):
    """Where the columnar copy is queried (``annex.store.columnar``)."""

    name: str
    dialect: str  # "duckdb" or "trino" (Athena)

    def sources(self, app_id: str, first_day: str, last_day: str) -> tuple[str, str | None]:
        """The SQL table expressions holding the application's rows of those days: those written
        by compaction, and those appended since (None: there are none)."""
        ...

    def query(self, sql: str) -> list[tuple[Any, ...]]: ...


def row(figures: Sequence[Any]) -> dict[str, Any]:
    """An answer row's metrics from its summed figures (``columnar_sql.FIGURES``' order)."""
    sessions, users, new, duration, gestures, rage, responsive, unresponsive, screens, unique, crashed = (
        int(f or 0) for f in figures
    )
    n = sessions or 1
    return {
        "session_count": sessions,
        "session_unique_user_count": users,
        "session_new_users_count": new,
        "avg_session_duration": duration / 1000 / n,
        "avg_session_gesture_count": gestures / n,
        "avg_session_rage_gesture_count": rage / n,
        "avg_session_responsive_gesture_count": responsive / n,
        "avg_session_unresponsive_gesture_count": unresponsive / n,
        "avg_session_screen_count": screens / n,
        "avg_session_unique_screen_count": unique / n,
        "crash_rate": crashed / n,
    }


UNFOLDED_ROWS = 5_000  # the first pass's most rows; past it, each attribute's values are ranked apart
Key = tuple[tuple[int, Any], ...]  # a row's (folded, value) per group attribute


def _kept(found: list[tuple[Any, ...]], groups: list[Grouping]) -> list[list[Any]] | None:
    """The values each attribute keeps, from the unfolded rows (None: every value of each)."""
    kept: list[list[Any]] = []
    folds = False
    for i, group in enumerate(groups):
        per_value: dict[Any, int] = {}
        for record in found:
            per_value[record[2 * i + 1]] = per_value.get(record[2 * i + 1], 0) + int(record[2 * len(groups)])
        folds = folds or len(per_value) > group.max_groups
        json_ = columnar_sql.json_attribute(group.name) is not None
        shown = {v: (json.loads(v) if json_ and v is not None else v) for v in per_value}
        ranked = sorted(per_value, key=lambda v: (-per_value[v], _order(shown[v])))
        kept.append(ranked[: group.max_groups])
    return kept if folds else None


class _Query:
    """The SQL of one request: its group values, and the sessions of a plan as the engine reads them."""

    def __init__(self, engine: Engine, app_id: str, groups: list[Grouping]):
        self.engine, self.app_id, self.groups = engine, app_id, groups
        self.dialect = DIALECTS[engine.dialect]
        self.values = [columnar_sql.group_value(self.dialect, g.name) for g in groups]
        self.is_json = [columnar_sql.json_attribute(g.name) is not None for g in groups]

    def selected(self, plan: Plan) -> str:
        first, last = columnar_sql.days(plan)
        return columnar_sql.chosen(self.dialect, self.engine.sources(self.app_id, first, last), self.app_id, plan)

    def totals(self, plan: Plan, kept: list[list[Any]] | None) -> dict[Key, dict[str, Any]]:
        """Each row's metrics by key, the values not ``kept`` folded (None: none folds)."""
        if plan.empty:
            return {} if self.groups else {(): row(ZERO)}
        found = self.engine.query(columnar_sql.totals(self.values, kept, self.selected(plan)))
        return self._keyed(found)

    def _keyed(self, found: list[tuple[Any, ...]]) -> dict[Key, dict[str, Any]]:
        n = len(self.groups)
        if not n:
            return {(): row(found[0] if found else ZERO)}
        return {tuple((int(r[2 * i]), r[2 * i + 1]) for i in range(n)): row(r[2 * n :]) for r in found}

    def folded(self, plan: Plan) -> dict[Key, dict[str, Any]]:
        """The rows of ``plan``'s sessions, each attribute's values past ``max_group_number`` folded.

        One pass when every attribute has at most max_group_number values (nothing folds); else the
        kept values from that pass, or from a ranking query per attribute when it had too many rows."""
        if plan.empty or not self.groups:
            return self.totals(plan, None)
        selected = self.selected(plan)
        found = self.engine.query(columnar_sql.totals(self.values, None, selected, UNFOLDED_ROWS))
        if len(found) <= UNFOLDED_ROWS:
            kept = _kept(found, self.groups)
        else:
            kept = [
                [v for v, _ in self.engine.query(columnar_sql.ranking(value, json_, g.max_groups, selected))]
                for value, json_, g in zip(self.values, self.is_json, self.groups, strict=True)
            ]
        return self._keyed(
            found if kept is None else self.engine.query(columnar_sql.totals(self.values, kept, selected))
        )

    def shown(self, key: Key) -> list[Any]:
        return [
            (OTHER, None) if folded else json.loads(value) if json_ and value is not None else value
            for (folded, value), json_ in zip(key, self.is_json, strict=True)
        ]


ZERO = [0] * len(columnar_sql.FIGURES)


def run(
    engine: Engine,
    app_id: str,
    plan: Plan,
    groups: list[Grouping],
    metrics: list[str] | None = None,
    previous: Plan | None = None,
) -> list[dict[str, Any]]:
    """The analytics rows of the sessions ``plan`` selects, grouped by ``groups``: only ``metrics``
    (default all), and with ``previous`` (the period before) each row's ``previous`` and ``change``
    for the same groups (the period before folds as this one does)."""
    request = _Query(engine, app_id, groups)
    now = request.folded(plan)
    before: dict[Key, dict[str, Any]] = {}
    if previous is not None:
        kept = [sorted({key[i][1] for key in now if not key[i][0]}, key=str) for i in range(len(groups))]
        before = request.totals(previous, kept if groups else None)
    rows = [(key, request.shown(key), figures) for key, figures in now.items()]

    def order(item: tuple[Key, list[Any], dict[str, Any]]) -> tuple[bool, int, list[tuple[int, str]]]:
        _, shown, figures = item
        others = [v == (OTHER, None) for v in shown]
        return (
            any(others),
            -figures["session_count"],
            [_order(OTHER if o else v) for o, v in zip(others, shown, strict=True)],
        )

    rows.sort(key=order)
    if len(rows) > MAX_ROWS:
        raise BadRequest(
            f"The answer would have more than {MAX_ROWS:,} rows: lower max_group_number", code="too_many_groups"
        )
    wanted = list(analytics.METRICS) if metrics is None else metrics
    answered = []
    for key, shown, figures in rows:
        out = {g.name: OTHER if v == (OTHER, None) else v for g, v in zip(groups, shown, strict=True)}
        out |= {m: figures[m] for m in wanted}
        if previous is not None:
            old = before.get(key, row(ZERO))
            out |= analytics.compared(out, {m: old[m] for m in wanted})
        answered.append(out)
    return answered


def answer(
    app_id: str,
    conditions: list[Condition],
    groups: list[Grouping],
    now: int,
    max_sessions: int,
    metrics: list[str] | None = None,
    compare: bool = False,
    engine: Engine | None = None,
) -> tuple[list[dict[str, Any]], str]:
    """The analytics rows and the engine that computed them: DynamoDB's exact path while the range
    (and, with ``compare``, the period before) holds at most ``max_sessions`` sessions (it refuses,
    before or while reading, past that), the columnar engine beyond (the deployment's unless given;
    without one, the refusal stands: 400 ``range_too_large``)."""
    try:
        return analytics.run(app_id, conditions, groups, now, max_sessions, metrics, compare), "dynamodb"
    except BadRequest as refused:
        if refused.code != "range_too_large":
            raise
        engine = engine or store.engine()
        if engine is None:
            raise
    plan = filters.plan(conditions, default_range=(max(0, now - DEFAULT_DAYS * DAY_MS), now))
    previous = analytics.previous_period(conditions, plan) if compare else None
    return run(engine, app_id, plan, groups, metrics, previous), engine.name


def copy_changes(records: list[dict[str, Any]]) -> int:
    """The stream records' session changes into the columnar copy; answers how many rows."""
    changes = [change for change in (store.session_change(record) for record in records) if change is not None]
    rows = [row_of(app_id, session, deleted=removed) for app_id, session, removed in changes]
    return store.sink()(rows) if rows else 0
