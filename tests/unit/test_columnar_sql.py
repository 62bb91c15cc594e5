"""The columnar SQL in both dialects: DuckDB runs it, sqlglot parses the Trino (Athena) text, and
each function the dialects spell apart is checked both ways. Every filter case and every group
attribute of the filter rules runs on DuckDB over rows written as the stream writes them."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pytest
import sqlglot

from annex.api.filters import parse_filters, parse_group_by
from annex.core.columnar import COLUMNS, PARTITIONS, latest, literal
from annex.domain import analytics, columnar, columnar_sql, filters
from annex.domain.columnar_rows import row_of
from annex.domain.columnar_sql import DUCKDB, TRINO
from annex.domain.filters import Kind
from annex.store.columnar import DuckDB
from tests.unit.test_filters import CASES as FILTER_CASES
from tests.unit.test_filters import SESSIONS

EVERY_FILTER = [
    {"attribute": "date_range", "operator": "between_dates", "value": {"lower": "2024-01-01", "upper": "2024-03-31"}},
    {"attribute": "device_model", "operator": "in", "value": ["a'b", "c"]},
    {"attribute": "device_country", "operator": "not_equal", "value": "France"},
    {"attribute": "app_version", "operator": "contains", "value": "2."},
    {"attribute": "browser_name", "operator": "is_set"},
    {"attribute": "event_name", "operator": "not_in", "value": ["buy"]},
    {"attribute": "event_name", "operator": "is_set"},
    {"attribute": "session_crashed", "operator": "equal", "value": False},
    {"attribute": "session_duration", "operator": "between", "value": [1, 2.5]},
    {"attribute": "session_number_of_user", "operator": "less_than", "value": 3},
    {"attribute": "user_id", "operator": "not_in", "value": ["u1"]},
    {"attribute": "user_metadata.plan", "operator": "equal", "value": "pro"},
    {"attribute": "user_metadata.tags", "operator": "contains", "value": "v_i%p"},
    {"attribute": "user_metadata.seats", "operator": "greater_than", "value": 2},
    {"attribute": "user_metadata.a.b", "operator": "is_not_set"},
    {"attribute": "session_screen_list", "operator": "in", "value": ["cart"]},
    {"attribute": "utm.campaign", "operator": "contains", "value": "spr"},
    {"attribute": "user_first_utm", "operator": "is_set"},
    {"attribute": "referer_domain", "operator": "not_equal", "value": "example.com"},
    {"attribute": "session_has_video", "operator": "equal", "value": False},
]
GROUPS = [
    {"attribute": "session_uploaded_week", "max_group_number": 3},
    {"attribute": "user_metadata.plan", "max_group_number": 2},
    {"attribute": "utm"},
]


def _queries(dialect: columnar_sql.Dialect) -> list[str]:
    plan = filters.plan(parse_filters(json.dumps(EVERY_FILTER)))
    selected = columnar_sql.chosen(dialect, ("sessions", "sessions"), "app", plan)
    groups = parse_group_by(json.dumps(GROUPS))
    values = [columnar_sql.group_value(dialect, g.name) for g in groups]
    rankings = [
        columnar_sql.ranking(v, columnar_sql.json_attribute(g.name) is not None, g.max_groups, selected)
        for v, g in zip(values, groups, strict=True)
    ]
    return [*rankings, columnar_sql.totals(values, [["x", None], ['"pro"'], []], selected)]


@pytest.mark.parametrize("index", range(4))
def test_the_athena_sql_parses_as_trino(index: int) -> None:
    sql = _queries(TRINO)[index]
    assert sqlglot.parse_one(sql, read="trino") is not None


def _duckdb_table() -> Any:
    con = duckdb.connect()
    con.execute("CREATE TABLE sessions (" + ", ".join(f"{c} {t}" for c, t, _ in (*PARTITIONS, *COLUMNS)) + ")")
    return con


@pytest.mark.parametrize("index", range(4))
def test_the_duckdb_sql_runs(index: int) -> None:
    assert _duckdb_table().execute(_queries(DUCKDB)[index]).fetchall() == []


# Each function the dialects spell apart, both ways: DuckDB's runs, Trino's parses to the same tree
# as the Trino text written by hand.
CASES: list[tuple[str, str, Any]] = [
    ("any_match", "any_match([1, 5], x -> x > 3)", True),
    ("has_any", "arrays_overlap(['a', 'b'], ARRAY['b'])", True),
    ("monday", "date_format(date_trunc('week', date('2024-03-03')), '%Y-%m-%d')", "2024-02-26"),
    ("json_at", 'json_format(json_extract(\'{"a": {"b c": 1.0}}\', \'$["a"]["b c"]\'))', "1.0"),
]


def _expression(function: str, dialect: columnar_sql.Dialect) -> str:
    if function == "any_match":
        return dialect.any_match("[1, 5]", "x", "x > 3")
    if function == "has_any":
        return dialect.has_any("['a', 'b']", ["b"])
    if function == "monday":
        return dialect.monday(literal("2024-03-03"))
    return dialect.json_at(literal('{"a": {"b c": 1.0}}'), ("a", "b c"))


@pytest.mark.parametrize(("function", "trino", "value"), CASES, ids=[c[0] for c in CASES])
def test_each_dialect_function_both_ways(function: str, trino: str, value: Any) -> None:
    assert duckdb.connect().execute(f"SELECT {_expression(function, DUCKDB)}").fetchone() == (value,)
    written = sqlglot.parse_one(f"SELECT {_expression(function, TRINO)}", read="trino")
    assert written == sqlglot.parse_one(f"SELECT {trino}", read="trino")


def test_literals_quote_strings_and_keep_numbers_exact() -> None:
    assert literal("it's") == "'it''s'" and literal(0.1) == "0.1" and literal(10**20) == str(10**20)
    assert literal(True) == "TRUE" and literal(None) == "NULL"
    con = duckdb.connect()
    assert con.execute(f"SELECT {literal(chr(31) + 'x' + chr(39))}").fetchone() == ("\x1fx'",)


def test_the_latest_rows_query_names_one_partition_range() -> None:
    sql = latest("t", "t", "app", "2024-01-01", "2024-01-31")
    assert sql.count("day BETWEEN '2024-01-01' AND '2024-01-31'") == 3
    assert sqlglot.parse_one(sql, read="trino") is not None
    compacted_only = latest("t", None, "app", "2024-01-01", "2024-01-31")  # no delta: no window, no anti-join
    assert "row_number" not in compacted_only and " IN " not in compacted_only


# ---------------------------------------------------------------- every attribute, as DynamoDB's path reads it


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> DuckDB:
    """tests/unit/test_filters.py's three sessions in a DuckDB copy, written as the stream writes them."""
    engine = DuckDB(tmp_path_factory.mktemp("columnar-three"))
    engine.write([row_of("app", session) for session in SESSIONS.values()])
    return engine


@pytest.mark.parametrize(("attribute", "operator", "value", "expected"), FILTER_CASES)
def test_each_operator_on_each_attribute_selects_what_the_filter_rules_select(
    three: DuckDB, attribute: str, operator: str, value: Any, expected: set[str]
) -> None:
    entry = {"attribute": attribute, "operator": operator} | ({} if value is None else {"value": value})
    plan = filters.plan(parse_filters(json.dumps([entry])))
    selected = columnar_sql.chosen(DUCKDB, three.sources("app", *columnar_sql.days(plan)), "app", plan)
    assert {found for (found,) in three.query(f"SELECT id FROM ({selected})")} == expected


GROUPABLE = sorted(
    {name for name, a in filters.ATTRIBUTES.items() if a.kind is Kind.STRING and name not in analytics.NOT_GROUPABLE}
    | set(analytics.TIME_GROUPS)
    | {"uxcamuserid", "utm", "utm.source", "user_first_utm", "user_first_utm.source", "user_custom_property.org"}
    | {"user_metadata.n", "user_metadata.tags"}
)


@pytest.mark.parametrize("name", GROUPABLE)
def test_each_group_attribute_groups_as_dynamodbs_path(three: DuckDB, name: str) -> None:
    everything = filters.plan([], default_range=(0, 10**13))
    groups = parse_group_by(json.dumps([{"attribute": name, "max_group_number": 2}]))
    assert columnar.run(three, "app", everything, groups) == analytics.aggregate(SESSIONS.values(), groups)
