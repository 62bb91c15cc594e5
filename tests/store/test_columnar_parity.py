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
from annex.domain import analytics, columnar, filters
from annex.store.columnar import DuckDB
from tests.store.test_session_analytics import (  # the data fixture and its cases
    ALL,
    APP,
    CASES,
    FEBRUARY,
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
    (
        "screen lists, responsive gestures, sdk and no video, by os name",
        [
            ALL,
            {"attribute": "session_screen_list", "operator": "in", "value": ["cart", "pay"]},
            {"attribute": "session_responsive_gesture_count", "operator": "greater_than", "value": 2},
            {"attribute": "sdk_version", "operator": "not_equal", "value": "3.0.0"},
            {"attribute": "session_has_video", "operator": "equal", "value": False},
        ],
        lambda s: (
            IN_ALL(s)
            and bool({"cart", "pay"} & set(s["screens"]))
            and s["responsive_gesture_count"] > 2
            and s["device"]["sdk_version"] != "3.0.0"
        ),
        [("device_os_name", 50)],
    ),
    (
        "referers and utm of desktop sessions, by browser version folded",
        [
            ALL,
            {"attribute": "referer", "operator": "contains", "value": "example"},
            {"attribute": "utm.source", "operator": "equal", "value": "google"},
            {"attribute": "device_type", "operator": "equal", "value": "desktop"},
        ],
        lambda s: (
            IN_ALL(s)
            and "example" in s.get("page", {}).get("referer", "")
            and s.get("page", {}).get("utm", {}).get("source") == "google"
            and s["device"]["type"] == "desktop"
        ),
        [("browser_version", 5)],
    ),
    (
        "a user_custom_property, by campaign and uxcamuserid folded",
        [ALL, {"attribute": "user_custom_property.plan", "operator": "in", "value": ["pro", "team"]}],
        lambda s: IN_ALL(s) and s.get("user_metadata", {}).get("plan") in ("pro", "team"),
        [("utm.campaign", 2), ("uxcamuserid", 4)],
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
    want = reference(data, keep, groups)
    got = _columnar(copy, raw, groups)
    _same(got, want)
    group_by = json.dumps([{"attribute": n, "max_group_number": m} for n, m in groups])
    assert got == analytics.run(APP, parse_filters(json.dumps(raw)), parse_group_by(group_by), NOW, 10**6)


def test_the_first_sessions_facts_match_the_reference_model(data: list[Session], copy: DuckDB) -> None:  # noqa: F811
    first: dict[str, Session] = {}
    for s in sorted(data, key=lambda s: s["created_at"]):
        first.setdefault(s.get("user_id", ""), s)

    def first_page(s: Session) -> dict[str, Any]:
        return dict(first[s["user_id"]].get("page", {})) if "user_id" in s else {}

    raw = [
        ALL,
        {"attribute": "user_first_referer_domain", "operator": "in", "value": ["news.example.com", "blog.example.org"]},
        {"attribute": "user_first_utm.campaign", "operator": "is_set"},
        {"attribute": "user_first_screen_name", "operator": "is_set"},
    ]

    def keep(s: Session) -> bool:
        page = first_page(s)
        return (
            IN_ALL(s)
            and any(host in page.get("referer", "").lower() for host in ("news.example.com", "blog.example.org"))
            and "campaign" in page.get("utm", {})
            and bool(first[s["user_id"]]["screens"])
        )

    want = reference(data, keep, [("device_platform", 50)])
    assert sum(r["session_count"] for r in want) > 0, "the case selects some sessions"
    got = _columnar(copy, raw, [("device_platform", 50)])
    _same(got, want)
    group_by = parse_group_by('[{"attribute": "device_platform"}]')
    assert got == analytics.run(APP, parse_filters(json.dumps(raw)), group_by, NOW, 10**6)


@pytest.mark.parametrize(
    "groups",
    [[], [("device_platform", 50)], [("device_model", 3)], [("referer_domain", 2), ("device_platform", 50)]],
    ids=["one row", "platforms", "folded", "two attributes"],
)
def test_comparison_and_aggregation_match_dynamodb(data: list[Session], copy: DuckDB, groups: Any) -> None:  # noqa: F811
    group_by = parse_group_by(json.dumps([{"attribute": n, "max_group_number": m} for n, m in groups]))
    conditions = parse_filters(json.dumps([FEBRUARY]))
    for metrics in (None, ["session_count", "session_unique_user_count", "avg_session_unresponsive_gesture_count"]):
        want = analytics.run(APP, conditions, group_by, NOW, 10**6, metrics, True)
        assert any(r["previous"]["session_count"] for r in want), "the period before holds sessions"
        got, engine = columnar.answer(APP, conditions, group_by, NOW, 0, metrics, True, engine=copy)
        assert engine == "duckdb" and got == want


def test_group_by_user_metadata_matches_dynamodb(data: list[Session], copy: DuckDB) -> None:  # noqa: F811
    for path, most in (("plan", 2), ("seats", 50), ("tags", 50)):
        groups = [(f"user_metadata.{path}", most)]
        group_by = json.dumps([{"attribute": f"user_metadata.{path}", "max_group_number": most}])
        want = analytics.run(APP, parse_filters(json.dumps([ALL])), parse_group_by(group_by), NOW, 10**6)
        assert _columnar(copy, [ALL], groups) == want, path


def test_a_session_counts_once_whatever_its_versions(tmp_path: Path) -> None:
    from annex.domain.columnar_rows import row_of

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


def test_files_written_before_a_column_read_it_as_null(tmp_path: Path) -> None:
    import duckdb

    from annex.domain.columnar_rows import row_of

    base = {"id": "old", "created_at": NOW - DAY_MS, "version": 1, "device": {"model": "a", "os_name": "x"}}
    row = row_of("app", base, compacted=True)
    partition = tmp_path / "app_id=app" / f"day={row['day']}"
    partition.mkdir(parents=True)
    old = {k: v for k, v in row.items() if k not in ("app_id", "day", "device_os_name", "screen_names", "utm")}
    (tmp_path / "old.json").write_text(json.dumps(old))
    legacy = partition / "0123abcd.parquet"  # named before the c-/d- prefixes, without the newer columns
    duckdb.sql(f"COPY (SELECT * FROM read_json('{tmp_path / 'old.json'}')) TO '{legacy}' (FORMAT parquet)")
    engine = DuckDB(tmp_path)
    engine.write([row_of("app", base | {"id": "new"})])
    plan = filters.plan([], default_range=(0, NOW))
    rows = columnar.run(engine, "app", plan, parse_group_by('[{"attribute": "device_os_name"}]'))
    assert [(r["device_os_name"], r["session_count"]) for r in rows] == [(None, 1), ("x", 1)]
