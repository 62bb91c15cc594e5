"""The columnar engine's SQL, generated in one place from the filter plan DynamoDB's path uses.

The text is the subset Athena (Trino) and DuckDB share; where they spell a thing apart, the
``Dialect`` says it (one method each, tested both ways in tests/unit/test_columnar_sql.py). The
semantics are ``domain/filters.py``'s and ``domain/analytics.py``'s, attribute by attribute, over
the row of ``columnar_rows``.

A session's latest state counts once: rows written by compaction (``compacted``) stand unless a
newer row of the same session arrived since; among those newer rows the highest ``version`` wins
(``row_number`` over the session's rows, in its one day partition). Deleted sessions count nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annex.core.clock import day_of
from annex.core.columnar import JOIN, canonical, latest, leaf, literal
from annex.core.sessions import ERROR
from annex.domain import filter_values
from annex.domain.attributes import ALIASES, json_path
from annex.domain.columnar_rows import ID_COLUMNS, LIST_COLUMNS, STRING_COLUMNS, document_columns
from annex.domain.filters import Condition, Kind, Plan

NUMBER_COLUMNS = {
    "session_gesture_count": "gesture_count",
    "session_rage_gesture_count": "rage_gesture_count",
    "session_responsive_gesture_count": "responsive_gesture_count",
    "session_unresponsive_gesture_count": "unresponsive_gesture_count",
    "session_screen_count": "screen_count",
    "session_unique_screen_count": "unique_screen_count",
    "session_number_of_user": "session_number",
    "session_duration": "CAST(duration_ms AS DOUBLE) / 1000",
}
BOOLEANS = {"session_crashed": f"coalesce(status = {literal(ERROR)}, FALSE)", "session_has_video": "FALSE"}
CALENDAR_GROUPS = frozenset({"session_uploadedon_day", "session_uploaded_month", "session_uploaded_week"})
Document = tuple[str, str, str]  # a JSON document's columns: text, leaves, numbers


def json_attribute(name: str) -> tuple[Document, tuple[str, ...]] | None:
    """The document columns and the path of a JSON attribute (``user_metadata.plan``, ``utm``,
    ``utm.campaign``, …); None for any other name."""
    found = json_path(ALIASES.get(name, name))
    return None if found is None else (document_columns(found[0]), found[1])


def _column(name: str) -> str:
    """The column of a string attribute (ids included)."""
    name = ALIASES.get(name, name)
    if name not in ID_COLUMNS and name not in STRING_COLUMNS:
        raise ValueError(f"{name} has no column in the columnar copy")
    return ID_COLUMNS.get(name, name)


def _array(values: list[Any]) -> str:
    return "ARRAY[" + ", ".join(literal(v) for v in values) + "]"


@dataclass(frozen=True)
class Dialect:
    """What Trino (Athena) and DuckDB write differently; the rest of the SQL is shared."""

    name: str

    def lambda_(self, var: str, body: str) -> str:
        return f"{var} -> {body}" if self.name == "trino" else f"lambda {var}: {body}"

    def any_match(self, array: str, var: str, body: str) -> str:
        if self.name == "trino":
            return f"any_match({array}, {self.lambda_(var, body)})"
        return f"(len(list_filter({array}, {self.lambda_(var, body)})) > 0)"

    def has_any(self, array: str, values: list[str]) -> str:
        function = "arrays_overlap" if self.name == "trino" else "list_has_any"
        return f"{function}({array}, {_array(values)})"

    def monday(self, day: str) -> str:
        """The Monday (``YYYY-MM-DD``) of the week of ``day`` (a ``YYYY-MM-DD`` text)."""
        if self.name == "trino":
            return f"date_format(date_trunc('week', date({day})), '%Y-%m-%d')"
        return f"strftime(date_trunc('week', CAST({day} AS DATE)), '%Y-%m-%d')"

    def json_at(self, column: str, path: tuple[str, ...]) -> str:
        """The JSON text at ``path`` in a JSON text column (NULL when absent)."""
        if self.name == "trino":
            steps = "".join('["' + key.replace('"', '\\"') + '"]' for key in path)
            return f"json_format(json_extract({column}, {literal('$' + steps)}))"
        steps = "".join('."' + key.replace('"', '\\"') + '"' for key in path)
        return f"CAST(json_extract({column}, {literal('$' + steps)}) AS VARCHAR)"


TRINO, DUCKDB = Dialect("trino"), Dialect("duckdb")
DIALECTS = {d.name: d for d in (TRINO, DUCKDB)}


# ---------------------------------------------------------------- conditions


def _negate(positive: str) -> str:
    return f"NOT coalesce({positive}, FALSE)"


def _scalar(column: str, op: str, value: Any) -> str:
    """A string or number column: ``domain/filters.py``'s meaning (not set equals nothing)."""
    if op == "is_set":
        return f"({column} IS NOT NULL)"
    if op == "is_not_set":
        return f"({column} IS NULL)"
    if op == "contains":
        return f"coalesce(strpos({column}, {literal(value)}) > 0, FALSE)"
    if op in ("greater_than", "less_than", "between"):
        low, high = value if op == "between" else (value, value)
        test = {"greater_than": f"> {literal(low)}", "less_than": f"< {literal(high)}"}.get(op)
        return f"coalesce({column} {test or f'BETWEEN {literal(low)} AND {literal(high)}'}, FALSE)"
    options = value if op in ("in", "not_in") else [value]
    positive = f"({column} IN ({', '.join(literal(v) for v in options)}))"
    return _negate(positive) if op in ("not_equal", "not_in") else f"coalesce({positive}, FALSE)"


def _json(dialect: Dialect, cond: Condition) -> str:
    found = json_attribute(cond.attribute.name)
    assert found is not None
    (_, leaves, numbers), path = found
    op, value = cond.operator, cond.value
    if op in ("is_set", "is_not_set"):
        test = f"coalesce(contains({leaves}, {literal(leaf(path, 'set'))}), FALSE)"
        return test if op == "is_set" else f"NOT {test}"
    if op in ("equal", "not_equal", "in", "not_in"):
        options = value if op in ("in", "not_in") else [value]
        wanted = [leaf(path, form, v) for v in options for form in ("=", "[")]
        test = f"coalesce({dialect.has_any(leaves, wanted)}, FALSE)"
        return f"NOT {test}" if op in ("not_equal", "not_in") else test
    if op == "contains":
        element = f"contains({leaves}, {literal(leaf(path, '[', value))})"
        if not isinstance(value, str):
            return element
        inner = canonical(value)[1:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        prefix = leaf(path, "=", "")[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = literal(f'{prefix}%{inner}%"')
        return f"({element} OR {dialect.any_match(leaves, 'x', f'x LIKE {pattern} ESCAPE {literal(chr(92))}')})"
    low, high = value if op == "between" else (value, value)
    test = {"greater_than": f"x.num > {literal(low)}", "less_than": f"x.num < {literal(high)}"}.get(
        op, f"x.num BETWEEN {literal(low)} AND {literal(high)}"
    )
    return dialect.any_match(numbers, "x", f"(x.path = {literal(JOIN.join(path))} AND {test})")


def condition(dialect: Dialect, cond: Condition) -> str:
    """The SQL predicate of one condition."""
    name, kind, op, value = cond.attribute.name, cond.attribute.kind, cond.operator, cond.value
    if kind is Kind.JSON:
        return _json(dialect, cond)
    if kind is Kind.DATE:
        return f"(created_at BETWEEN {literal(value[0])} AND {literal(value[1])})"
    if kind is Kind.BOOLEAN:
        holds = BOOLEANS[name]
        return holds if (op == "equal") == bool(value) else f"NOT {holds}"
    if kind is Kind.LIST:
        column = LIST_COLUMNS[name]
        if op in ("is_set", "is_not_set"):
            return f"(cardinality({column}) {'>' if op == 'is_set' else '='} 0)"
        options = value if op in ("in", "not_in") else [value]
        test = dialect.has_any(column, list(options))
        return f"NOT {test}" if op in ("not_equal", "not_in") else test
    return _scalar(NUMBER_COLUMNS[name] if kind is Kind.NUMBER else _column(name), op, value)


# ---------------------------------------------------------------- the query


def days(plan: Plan) -> tuple[str, str]:
    return day_of(max(plan.low, 0)), day_of(min(plan.high, filter_values.MAX_MS))


def chosen(dialect: Dialect, sources: tuple[str, str | None], app_id: str, plan: Plan) -> str:
    """The sessions the plan selects (its created-time range and every condition), from the
    compacted and the delta rows of its days (``Engine.sources``)."""
    tests = [f"created_at BETWEEN {literal(max(plan.low, 0))} AND {literal(plan.high)}", "NOT deleted"]
    tests += [condition(dialect, c) for c in plan.conditions]
    first, last = days(plan)
    return f"SELECT * FROM ({latest(*sources, app_id, first, last)}) WHERE " + " AND ".join(tests)


def group_value(dialect: Dialect, name: str) -> str:
    """The SQL value of a ``group_by`` attribute (JSON values as canonical text)."""
    if name == "session_uploadedon_day":
        return "day"
    if name == "session_uploaded_month":
        return "substr(day, 1, 7)"
    if name == "session_uploaded_week":
        return dialect.monday("day")
    found = json_attribute(name)
    if found is not None:
        (text, _, _), path = found
        return f"nullif({dialect.json_at(text, path) if path else text}, 'null')"
    return _column(name)


def ranking(value: str, is_json: bool, most: int, selected: str) -> str:
    """The ``most`` values of ``value`` with the most sessions (ties: null, strings, other JSON)."""
    kind = f"CASE WHEN v IS NULL THEN 0 WHEN {'substr(v, 1, 1) = ' + literal(chr(34)) if is_json else 'TRUE'}"
    kind += " THEN 1 ELSE 2 END"
    return (
        f"SELECT v, count(*) AS n FROM (SELECT {value} AS v FROM ({selected})) GROUP BY v"
        f" ORDER BY n DESC, {kind}, v LIMIT {most}"
    )


FIGURES = (
    "count(*)",
    "count(DISTINCT user_id)",
    "sum(CASE WHEN session_number = 1 THEN 1 ELSE 0 END)",
    "sum(duration_ms)",
    "sum(gesture_count)",
    "sum(rage_gesture_count)",
    "sum(responsive_gesture_count)",
    "sum(unresponsive_gesture_count)",
    "sum(screen_count)",
    "sum(unique_screen_count)",
    f"sum(CASE WHEN status = {literal(ERROR)} THEN 1 ELSE 0 END)",
)


def totals(values: list[str], kept: list[list[Any]] | None, selected: str, most: int | None = None) -> str:
    """Each combination's figures; with ``kept``, the values not kept fold into their attribute's
    "other" (``o<i>`` 1). ``most`` caps the rows (one more shows there were more)."""
    columns: list[str] = []
    for i in range(len(values)):
        if kept is None:
            columns += [f"0 AS o{i}", f"v{i} AS k{i}"]
            continue
        named = [v for v in kept[i] if v is not None]
        inside = [f"v{i} IN ({', '.join(literal(v) for v in named)})"] if named else []
        inside += [f"v{i} IS NULL"] if None in kept[i] else []
        test = " OR ".join(inside) or "FALSE"
        columns += [f"CASE WHEN {test} THEN 0 ELSE 1 END AS o{i}", f"CASE WHEN {test} THEN v{i} END AS k{i}"]
    keys = [f"o{i}, k{i}" for i in range(len(values))]
    inner = ", ".join([*(f"{v} AS v{i}" for i, v in enumerate(values)), "*"])
    folded = f"SELECT {', '.join(columns) or '1 AS one'}, * FROM (SELECT {inner} FROM ({selected}))"
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    limit = f" LIMIT {most + 1}" if most is not None and keys else ""
    return f"SELECT {', '.join([*keys, *FIGURES])} FROM ({folded}){group}{limit}"
