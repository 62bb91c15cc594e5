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
from annex.domain.columnar_sql import DIALECTS, user_metadata_path
from annex.domain.filters import Condition, Plan
from annex.errors import BadRequest
from annex.store import columnar as store


class Engine(Protocol):
    """Where the columnar copy is queried (``annex.store.columnar``)."""

    name: str
    dialect: str  # "duckdb" or "trino" (Athena)

    def source(self, app_id: str, first_day: str, last_day: str) -> str:
        """The SQL table expression holding the application's rows of those days."""
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


def _kept(found: list[tuple[Any, ...]], groups: list[Grouping]) -> list[list[Any]] | None:
    """The values each attribute keeps, from the unfolded rows (None: every value of each)."""
    kept: list[list[Any]] = []
    folds = False
    for i, group in enumerate(groups):
        per_value: dict[Any, int] = {}
        for record in found:
            per_value[record[2 * i + 1]] = per_value.get(record[2 * i + 1], 0) + int(record[2 * len(groups)])
        folds = folds or len(per_value) > group.max_groups
        json_ = user_metadata_path(group.name) is not None
        shown = {v: (json.loads(v) if json_ and v is not None else v) for v in per_value}
        ranked = sorted(per_value, key=lambda v: (-per_value[v], _order(shown[v])))
        kept.append(ranked[: group.max_groups])
    return kept if folds else None


def run(engine: Engine, app_id: str, plan: Plan, groups: list[Grouping]) -> list[dict[str, Any]]:
    """The analytics rows of the sessions ``plan`` selects, grouped by ``groups``."""
    if plan.empty:
        return [row([0] * len(columnar_sql.FIGURES))] if not groups else []
    first, last = columnar_sql.days(plan)
    dialect = DIALECTS[engine.dialect]
    selected = columnar_sql.chosen(dialect, engine.source(app_id, first, last), app_id, plan)
    values = [columnar_sql.group_value(dialect, g.name) for g in groups]
    is_json = [user_metadata_path(g.name) is not None for g in groups]
    # One pass when every attribute has at most max_group_number values (nothing folds); else the
    # kept values from that pass, or from a ranking query per attribute when it had too many rows.
    found = engine.query(columnar_sql.totals(values, None, selected, UNFOLDED_ROWS))
    if not groups:
        return [row(found[0] if found else [0] * len(columnar_sql.FIGURES))]
    if len(found) <= UNFOLDED_ROWS:
        kept = _kept(found, groups)
    else:
        kept = [
            [v for v, _ in engine.query(columnar_sql.ranking(value, json_, g.max_groups, selected))]
            for value, json_, g in zip(values, is_json, groups, strict=True)
        ]
    if kept is not None:
        found = engine.query(columnar_sql.totals(values, kept, selected))
    rows: list[tuple[list[Any], dict[str, Any]]] = []
    for record in found:
        shown = []
        for i, json_ in enumerate(is_json):
            folded, value = record[2 * i], record[2 * i + 1]
            shown.append((OTHER, None) if folded else json.loads(value) if json_ and value is not None else value)
        rows.append((shown, row(record[2 * len(groups) :])))

    def order(item: tuple[list[Any], dict[str, Any]]) -> tuple[bool, int, list[tuple[int, str]]]:
        shown, figures = item
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
    return [
        {g.name: OTHER if v == (OTHER, None) else v for g, v in zip(groups, shown, strict=True)} | figures
        for shown, figures in rows
    ]


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
    holds at most ``max_sessions`` sessions (it refuses, before or while reading, past that), the
    columnar engine beyond (the deployment's unless given; without one, the refusal stands: 400
    ``range_too_large``)."""
    try:
        return analytics.run(app_id, conditions, groups, now, max_sessions, metrics, compare), "dynamodb"
    except BadRequest as refused:
        if refused.code != "range_too_large":
            raise
        engine = engine or store.engine()
        if engine is None:
            raise
    if compare:  # not computed by the columnar engine yet
        raise BadRequest(
            "comparison=previous_period is answered for ranges of at most ANALYTICS_MAX_SESSIONS sessions",
            code="range_too_large",
        )
    plan = filters.plan(conditions, default_range=(max(0, now - DEFAULT_DAYS * DAY_MS), now))
    missing = columnar_sql.unsupported(plan, [g.name for g in groups])
    missing = missing or next((m for m in metrics or () if m not in row([0] * len(columnar_sql.FIGURES))), None)
    if missing is not None:
        raise BadRequest(
            f"{missing} is answered for ranges of at most ANALYTICS_MAX_SESSIONS sessions (the columnar copy"
            " does not hold it yet): narrow the date range",
            code="range_too_large",
        )
    rows = run(engine, app_id, plan, groups)
    if metrics is not None:  # the columnar engine computes every metric it knows; keep the asked ones
        dropped = set(analytics.METRICS) - set(metrics)
        rows = [{k: v for k, v in row.items() if k not in dropped} for row in rows]
    return rows, engine.name


def copy_changes(records: list[dict[str, Any]]) -> int:
    """The stream records' session changes into the columnar copy; answers how many rows."""
    rows = [row for row in (store.session_row(record) for record in records) if row is not None]
    return store.sink()(rows) if rows else 0
