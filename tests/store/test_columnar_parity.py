"""Parity: the columnar engine (DuckDB over the Parquet layout) answers what DynamoDB's path and the
plain-Python reference model answer, on the same generated sessions.

The copy is built by ``annex-admin analytics rebuild``'s code from the moto table, then each case
of tests/store/test_session_analytics.py (every filter kind, user_metadata, time buckets across
month and week ends, max_group_number with its "other" row, new users and crashes) runs on both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from admin.analytics import rebuild_local
from annex.api.filters import parse_filters, parse_group_by
from annex.core.clock import DAY_MS
from annex.domain import analytics, columnar, columnar_sql, filters
from annex.errors import BadRequest
from annex.store.columnar import DuckDB
from tests.store.test_session_analytics import (  # the data fixture and its cases
    ALL,
    APP,
    CASES,
    IN_ALL,
    NOW,
    Session,
    _same,
    data,  # noqa: F401
    reference,
)


@pytest.fixture(scope="module")
def copy(data: list[Session], tmp_path_factory: pytest.TempPathFactory) -> DuckDB:  # noqa: F811
    engine = DuckDB(tmp_path_factory.mktemp("columnar"))
    assert rebuild_local(APP, engine) == len(data)
    return engine


def _columnar(engine: DuckDB, raw: list[dict[str, Any]], groups: list[tuple[str, int]]) -> list[dict[str, Any]]:
    group_by = json.dumps([{"attribute": name, "max_group_number": n} for name, n in groups])
    plan = filters.plan(parse_filters(json.dumps(raw)), default_range=(NOW - analytics.DEFAULT_DAYS * DAY_MS, NOW))
    return columnar.run(engine, APP, plan, parse_group_by(group_by))


MORE: list[tuple[str, list[dict[str, Any]], Callable[[Session], bool], list[tuple[str, int]]]] = [
    (
        "user_metadata numbers, not set and not_equal",
        [
            ALL,
            {"attribute": "user_metadata.seats", "operator": "between", "value": [2, 4]},
            {"attribute": "device_city", "operator": "not_equal", "value": "North"},
            {"attribute": "browser_name", "operator": "is_not_set"},
        ],
        lambda s: (
            IN_ALL(s)
            and 2 <= s.get("user_metadata", {}).get("seats", -1) <= 4
            and s["location"].get("city") != "North"
            and "browser_name" not in s["device"]
        ),
        [("device_platform", 50)],
    ),
    (
        "event names in, durations, strings contain",
        [
            ALL,
            {"attribute": "event_name", "operator": "in", "value": ["share", "review"]},
            {"attribute": "session_duration", "operator": "greater_than", "value": 120.5},
            {"attribute": "device_os_version", "operator": "contains", "value": "1."},
        ],
        lambda s: (
            IN_ALL(s)
            and bool({"share", "review"} & set(s["event_name_set"]))
            and (s["last_event_at"] - s["first_event_at"]) / 1000 > 120.5
            and "1." in s["device"]["os_version"]
        ),
        [("device_model", 7), ("session_uploaded_week", 3)],
    ),
    (
        "user_metadata not_in and crashed only",
        [
            ALL,
            {"attribute": "user_metadata.plan", "operator": "not_in", "value": ["free", "team"]},
            {"attribute": "session_crashed", "operator": "equal", "value": True},
        ],
        lambda s: (
            IN_ALL(s) and s.get("user_metadata", {}).get("plan") not in ("free", "team") and s["status"] == "ERROR"
        ),
        [],
    ),
]


@pytest.mark.parametrize(("name", "raw", "keep", "groups"), [*CASES, *MORE], ids=[c[0] for c in [*CASES, *MORE]])
def test_the_columnar_engine_matches_the_reference_model_and_dynamodb(
    data: list[Session],  # noqa: F811
    copy: DuckDB,
    name: str,
    raw: list[dict[str, Any]],
    keep: Callable[[Session], bool],
    groups: Any,
) -> None:
    plan = filters.plan(parse_filters(json.dumps(raw)), default_range=(0, NOW))
    missing = columnar_sql.unsupported(plan, [n for n, _ in groups])
    if missing is not None:  # one of #15's attributes the copy does not hold yet: a clear 400, never a guess
        grouping = parse_group_by(json.dumps([{"attribute": n, "max_group_number": m} for n, m in groups]))
        with pytest.raises(BadRequest) as refused:
            columnar.answer(APP, parse_filters(json.dumps(raw)), grouping, NOW, 0, engine=copy)
        assert refused.value.code == "range_too_large" and missing in refused.value.message
        return
    want = reference(data, keep, groups)
    got = _columnar(copy, raw, groups)
    _same(got, want)
    group_by = json.dumps([{"attribute": n, "max_group_number": m} for n, m in groups])
    assert got == analytics.run(APP, parse_filters(json.dumps(raw)), parse_group_by(group_by), NOW, 10**6)


def test_group_by_user_metadata_matches_dynamodb(data: list[Session], copy: DuckDB) -> None:  # noqa: F811
    for path, most in (("plan", 2), ("seats", 50), ("tags", 50)):
        groups = [(f"user_metadata.{path}", most)]
        group_by = json.dumps([{"attribute": f"user_metadata.{path}", "max_group_number": most}])
        want = analytics.run(APP, parse_filters(json.dumps([ALL])), parse_group_by(group_by), NOW, 10**6)
        assert _columnar(copy, [ALL], groups) == want, path


def test_a_session_counts_once_whatever_its_versions(tmp_path: Path) -> None:
    from annex.core.columnar import row_of

    engine = DuckDB(tmp_path)
    base = {"id": "s1", "created_at": NOW - DAY_MS, "status": "RUNNING", "device": {"model": "a"}, "version": 1}
    engine.write([row_of("app", base, compacted=True)])
    engine.write([row_of("app", base | {"version": 2, "device": {"model": "b"}})])
    engine.write([row_of("app", base | {"version": 3, "status": "ERROR", "device": {"model": "b"}})])
    engine.write([row_of("app", base | {"id": "s2", "version": 1}), row_of("app", base | {"id": "s3", "version": 4})])
    engine.write([row_of("app", base | {"id": "s3", "version": 5}, deleted=True)])
    plan = filters.plan([], default_range=(0, NOW))
    by_model = {
        r["device_model"]: r
        for r in columnar.run(engine, "app", plan, parse_group_by('[{"attribute": "device_model"}]'))
    }
    assert {m: (r["session_count"], r["crash_rate"]) for m, r in by_model.items()} == {"b": (1, 1.0), "a": (1, 0.0)}
    assert engine.compact("app", row_of("app", base)["day"], at_least=1)
    assert len(list(tmp_path.glob("app_id=app/day=*/*.parquet"))) == 1
    again = {
        r["device_model"]: r["session_count"]
        for r in columnar.run(engine, "app", plan, parse_group_by('[{"attribute": "device_model"}]'))
    }
    assert again == {"b": 1, "a": 1}
