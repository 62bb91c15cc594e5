"""Filters and analytics against moto, over generated sessions written in the store's shape.

Every analytics answer is checked against a reference model computed here in plain Python from
the generated sessions (not from the table, and not with the code under test); every filtered
list is paged through and compared with the reference order.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from annex.api.filters import parse_filters, parse_group_by
from annex.domain import analytics, session_search
from annex.errors import BadRequest
from annex.store import table as table_module
from benchmarks.bulk_load import load as load_sessions
from benchmarks.generate import sessions as generate
from local.engine import speed_up
from local.instrument import DynamoCalls
from local.template import Template, load
from tests.conftest import TEST_TABLE

APP = "analytics-app"
DAY = 86_400_000
START = int(datetime.datetime(2024, 1, 20, tzinfo=datetime.UTC).timestamp() * 1000)
TIMEOUT = 2_700_000
NOW = START + 60 * DAY  # every generated session is in the past; RUNNING ones read TIMED_OUT
Session = dict[str, Any]


@pytest.fixture(scope="module")
def data() -> Iterator[list[Session]]:
    """600 sessions from 2024-01-20 over 50 days (two month ends, eight Mondays), 80 users."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            patch.setenv(name, value)
        speed_up()  # the engine's patches of moto: the same answers, sooner
        with mock_aws(), table_module.target(TEST_TABLE):
            definition = Template(load()).table_definition()
            del definition["StreamSpecification"]  # no change events here: faster writes
            boto3.client("dynamodb", region_name="us-east-1").create_table(TableName=TEST_TABLE, **definition)
            generated = list(generate(600, start=START, days=50, users=80, seed=11))
            load_sessions(APP, [dict(s) for s in generated])
            yield generated


# ---------------------------------------------------------------- the reference model


def _day(s: Session) -> str:
    return datetime.datetime.fromtimestamp(s["created_at"] / 1000, datetime.UTC).strftime("%Y-%m-%d")


def _week(s: Session) -> str:
    date = datetime.datetime.fromtimestamp(s["created_at"] / 1000, datetime.UTC).date()
    return (date - datetime.timedelta(days=date.weekday())).isoformat()


def _month(s: Session) -> str:
    return _day(s)[:7]


GROUP_VALUES: dict[str, Callable[[Session], Any]] = {
    "device_model": lambda s: s["device"].get("model"),
    "device_platform": lambda s: s["device"].get("platform"),
    "device_country": lambda s: s["location"].get("country"),
    "session_uploadedon_day": _day,
    "session_uploaded_week": _week,
    "session_uploaded_month": _month,
    "device_os_name": lambda s: s["device"].get("os_name"),
    "device_type": lambda s: s["device"].get("type"),
    "sdk_version": lambda s: s["device"].get("sdk_version"),
    "browser_version": lambda s: s["device"].get("browser_version"),
    "referer_domain": lambda s: _host(s.get("page", {}).get("referer")),
    "utm.campaign": lambda s: s.get("page", {}).get("utm", {}).get("campaign"),
    "uxcamuserid": lambda s: s.get("user_id"),
}


def _host(url: str | None) -> str | None:
    return None if url is None else url.split("//")[1].split("/")[0].split(":")[0].lower()


def _metrics(group: list[Session], firsts: set[str]) -> dict[str, Any]:
    n = len(group)
    return {
        "session_count": n,
        "session_unique_user_count": len({s["user_id"] for s in group if "user_id" in s}),
        "session_new_users_count": sum(1 for s in group if s["id"] in firsts),
        "avg_session_duration": sum((s["last_event_at"] - s["first_event_at"]) / 1000 for s in group) / max(n, 1),
        "avg_session_gesture_count": sum(s["gesture_count"] for s in group) / max(n, 1),
        "avg_session_rage_gesture_count": sum(s["rage_gesture_count"] for s in group) / max(n, 1),
        "avg_session_responsive_gesture_count": sum(s["responsive_gesture_count"] for s in group) / max(n, 1),
        "avg_session_unresponsive_gesture_count": sum(s["unresponsive_gesture_count"] for s in group) / max(n, 1),
        "avg_session_screen_count": sum(len(s["screens"]) for s in group) / max(n, 1),
        "avg_session_unique_screen_count": sum(len(set(s["screens"])) for s in group) / max(n, 1),
        "crash_rate": sum(1 for s in group if s["status"] == "ERROR") / max(n, 1),
    }


def reference(
    everything: list[Session], keep: Callable[[Session], bool], groups: list[tuple[str, int]]
) -> list[dict[str, Any]]:
    """What analytics must answer: sessions kept, grouped, the top values per attribute kept and
    the rest pooled into "other" (pooled from the sessions themselves, not from rows)."""
    first_of: dict[str, Session] = {}
    for s in sorted(everything, key=lambda s: s["created_at"]):
        if "user_id" in s:
            first_of.setdefault(s["user_id"], s)
    firsts = {s["id"] for s in first_of.values()}
    chosen = [s for s in everything if keep(s)]
    if not groups:
        return [_metrics(chosen, firsts)]

    def sort_key(value: Any) -> tuple[int, str]:
        return (0, "") if value is None else (1, value)

    top: list[set[Any]] = []
    for name, most in groups:
        counts: dict[Any, int] = {}
        for s in chosen:
            counts[GROUP_VALUES[name](s)] = counts.get(GROUP_VALUES[name](s), 0) + 1
        top.append(set(sorted(counts, key=lambda v: (-counts[v], sort_key(v)))[:most]))
    pooled: dict[tuple[Any, ...], list[Session]] = {}
    for s in chosen:
        key = tuple(
            GROUP_VALUES[name](s) if GROUP_VALUES[name](s) in top[i] else "\0other"
            for i, (name, _) in enumerate(groups)
        )
        pooled.setdefault(key, []).append(s)

    def order(item: tuple[tuple[Any, ...], list[Session]]) -> tuple[bool, int, list[tuple[int, str]]]:
        key, members = item
        return ("\0other" in key, -len(members), [sort_key(v) if v != "\0other" else (9, "") for v in key])

    rows = []
    for key, members in sorted(pooled.items(), key=order):
        values = {name: ("other" if v == "\0other" else v) for (name, _), v in zip(groups, key, strict=True)}
        rows.append(values | _metrics(members, firsts))
    return rows


def _between(low: str, high: str) -> Callable[[Session], bool]:
    lo = int(datetime.datetime.fromisoformat(low).replace(tzinfo=datetime.UTC).timestamp() * 1000)
    hi = int(datetime.datetime.fromisoformat(high).replace(tzinfo=datetime.UTC).timestamp() * 1000)
    return lambda s: lo <= s["created_at"] <= hi


def _range(low: str, high: str) -> dict[str, Any]:
    return {"attribute": "date_range", "operator": "between_dates", "value": {"lower": low, "upper": high}}


def _run(filters: list[dict[str, Any]], groups: list[tuple[str, int]], most: int = 10**6) -> list[dict[str, Any]]:
    group_by = json.dumps([{"attribute": name, "max_group_number": n} for name, n in groups])
    return analytics.run(APP, parse_filters(json.dumps(filters)), parse_group_by(group_by), NOW, most)


def _same(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    assert [set(r) for r in got] == [set(r) for r in want]
    for g, w in zip(got, want, strict=True):
        exact = {k: v for k, v in w.items() if not isinstance(v, float)}
        assert {k: g[k] for k in exact} == exact
        for k, v in w.items():
            if isinstance(v, float):
                assert g[k] == pytest.approx(v, rel=1e-9, abs=1e-12), k


ALL = _range("2024-01-01T00:00:00Z", "2024-12-31T23:59:59Z")
IN_ALL = _between("2024-01-01T00:00:00", "2024-12-31T23:59:59")
FEBRUARY = _range("2024-02-01", "2024-02-29")  # a date alone: its first millisecond, or its whole day
IN_FEBRUARY = _between("2024-02-01T00:00:00", "2024-02-29T23:59:59.999")
CASES: list[tuple[str, list[dict[str, Any]], Callable[[Session], bool], list[tuple[str, int]]]] = [
    ("models with an other row", [ALL], IN_ALL, [("device_model", 5)]),
    ("days of february", [FEBRUARY], IN_FEBRUARY, [("session_uploadedon_day", 500)]),
    ("weeks across both month ends", [ALL], IN_ALL, [("session_uploaded_week", 50)]),
    ("months", [ALL], IN_ALL, [("session_uploaded_month", 50)]),
    ("few weeks kept", [ALL], IN_ALL, [("session_uploaded_week", 3)]),
    (
        "countries and gestures by platform",
        [
            ALL,
            {"attribute": "device_country", "operator": "in", "value": ["France", "Japan"]},
            {"attribute": "session_gesture_count", "operator": "greater_than", "value": 2},
        ],
        lambda s: IN_ALL(s) and s["location"].get("country") in ("France", "Japan") and s["gesture_count"] > 2,
        [("device_platform", 50)],
    ),
    (
        "a user_metadata equality (q index) by month",
        [FEBRUARY, {"attribute": "user_metadata.plan", "operator": "equal", "value": "pro"}],
        lambda s: IN_FEBRUARY(s) and s.get("user_metadata", {}).get("plan") == "pro",
        [("session_uploaded_month", 50)],
    ),
    (
        "some users (their numbered sessions) by model",
        [ALL, {"attribute": "user_id", "operator": "in", "value": ["user-1", "user-2", "user-3"]}],
        lambda s: IN_ALL(s) and s.get("user_id") in ("user-1", "user-2", "user-3"),
        [("device_model", 50)],
    ),
    (
        "some sessions by id",
        [ALL, {"attribute": "session_id", "operator": "in", "value": ["gen-11-0000010", "gen-11-0000300", "none"]}],
        lambda s: s["id"] in ("gen-11-0000010", "gen-11-0000300"),
        [],
    ),
    (
        "not crashed, and bought",
        [
            ALL,
            {"attribute": "session_crashed", "operator": "equal", "value": False},
            {"attribute": "event_name", "operator": "contains", "value": "buy"},
        ],
        lambda s: IN_ALL(s) and s["status"] != "ERROR" and "buy" in s["event_name_set"],
        [],
    ),
    (
        "a tag, other models, by country",
        [
            ALL,
            {"attribute": "user_metadata.tags", "operator": "contains", "value": "vip"},
            {"attribute": "device_model", "operator": "not_in", "value": ["model-00", "model-01"]},
        ],
        lambda s: (
            IN_ALL(s)
            and "vip" in s.get("user_metadata", {}).get("tags", [])
            and s["device"]["model"] not in ("model-00", "model-01")
        ),
        [("device_country", 4)],
    ),
    (
        "no date_range: the last 30 days",
        [],
        lambda s: NOW - 30 * DAY <= s["created_at"] <= NOW,
        [("session_uploadedon_day", 500)],
    ),
    (
        "web sessions by referring domain",
        [ALL, {"attribute": "utm", "operator": "is_set"}, {"attribute": "browser_version", "operator": "is_set"}],
        lambda s: IN_ALL(s) and "utm" in s.get("page", {}),
        [("referer_domain", 50)],
    ),
    (
        "unresponsive sessions of a campaign, by sdk and device type",
        [
            ALL,
            {"attribute": "utm.campaign", "operator": "in", "value": ["spring", "none"]},
            {"attribute": "session_unresponsive_gesture_count", "operator": "greater_than", "value": 0},
        ],
        lambda s: (
            IN_ALL(s)
            and s.get("page", {}).get("utm", {}).get("campaign") == "spring"
            and s["unresponsive_gesture_count"] > 0
        ),
        [("sdk_version", 50), ("device_type", 50)],
    ),
    (
        "os names and campaigns of some users (uxcamuserid)",
        [ALL, {"attribute": "uxcamuserid", "operator": "in", "value": ["user-1", "user-2", "user-3", "user-7"]}],
        lambda s: IN_ALL(s) and s.get("user_id") in ("user-1", "user-2", "user-3", "user-7"),
        [("device_os_name", 50), ("utm.campaign", 50)],
    ),
    (
        "platforms by month, each folded",
        [ALL],
        IN_ALL,
        [("device_platform", 2), ("session_uploaded_month", 2)],
    ),
]


@pytest.mark.parametrize(("name", "filters", "keep", "groups"), CASES, ids=[c[0] for c in CASES])
def test_analytics_match_the_reference_model(
    data: list[Session], name: str, filters: list[dict[str, Any]], keep: Callable[[Session], bool], groups: Any
) -> None:
    want = reference(data, keep, groups)
    assert sum(r["session_count"] for r in want) > 0, "the case selects some sessions"
    _same(_run(filters, groups), want)


def test_the_other_row_is_pooled_not_averaged(data: list[Session]) -> None:
    rows = _run([ALL], [("device_model", 3)])
    other = rows[-1]
    assert other["device_model"] == "other" and all(r["device_model"] != "other" for r in rows[:-1])
    folded = [s for s in data if s["device"]["model"] not in {r["device_model"] for r in rows[:-1]}]
    by_model: dict[str, list[Session]] = {}
    for s in folded:
        by_model.setdefault(s["device"]["model"], []).append(s)
    mean_of_means = sum(sum(s["gesture_count"] for s in g) / len(g) for g in by_model.values()) / len(by_model)
    pooled = sum(s["gesture_count"] for s in folded) / len(folded)
    assert pooled != pytest.approx(mean_of_means), "the data tells pooled and averaged apart"
    assert other["avg_session_gesture_count"] == pytest.approx(pooled)
    assert other["session_count"] == len(folded)
    assert other["session_unique_user_count"] == len({s["user_id"] for s in folded if "user_id" in s})
    assert other["session_unique_user_count"] < sum(
        len({s["user_id"] for s in g if "user_id" in s}) for g in by_model.values()
    ), "users seen under several folded models count once"


def test_a_range_reads_each_session_once_from_the_index(data: list[Session]) -> None:
    with DynamoCalls() as calls:
        rows = _run([FEBRUARY], [("device_model", 50)])
    in_range = sum(1 for s in data if IN_FEBRUARY(s))
    assert sum(r["session_count"] for r in rows) == in_range
    assert calls.items_by_target["Query GSI1"] == in_range
    assert calls.items_by_target["BatchGetItem"] == 0 and calls.items_by_target["GetItem"] == 0
    assert calls.items_by_target["Query"] <= 29 * 8 * 4, "the daily counters: at most 32 small items a day"


def test_a_range_too_large_is_refused_before_reading_sessions(data: list[Session]) -> None:
    with DynamoCalls() as calls, pytest.raises(BadRequest) as refused:
        _run([ALL], [("device_model", 50)], most=100)
    assert refused.value.code == "range_too_large" and "narrow date_range" in refused.value.message
    assert calls.items_by_target["Query GSI1"] == 0
    assert _run([FEBRUARY, {"attribute": "session_id", "operator": "equal", "value": "gen-11-0000300"}], [], 100)


def test_an_estimate_that_falls_short_still_stops_reading(data: list[Session]) -> None:
    evening = int(datetime.datetime(2023, 6, 1, 23, tzinfo=datetime.UTC).timestamp() * 1000)
    load_sessions("crowded", [{"id": f"late-{i:03d}", "created_at": evening + i * 1000} for i in range(30)])
    late_hour = [_range("2023-06-01T23:00:00Z", "2023-06-01T23:59:59Z")]
    assert analytics.estimate("crowded", evening, evening + 3_600_000 - 1, NOW) <= 10, "1/24 of the day's 30"
    with pytest.raises(BadRequest) as refused:
        analytics.run("crowded", parse_filters(json.dumps(late_hour)), [], NOW, 10)
    assert refused.value.code == "range_too_large"
    counted = analytics.run("crowded", parse_filters(json.dumps(late_hour)), [], NOW, 30)
    assert counted[0]["session_count"] == 30


def test_timed_out_sessions_are_timed_out_not_crashed(data: list[Session]) -> None:
    t = START - 10 * DAY
    load_sessions(
        "lifecycle",
        [
            {
                "id": "idle",
                "created_at": t,
                "status": "RUNNING",
                "active_at": t + 5,
                "first_event_at": t,
                "last_event_at": t + 5,
            },
            {"id": "crashed", "created_at": t + 1, "status": "ERROR", "ended_at": t + 9},
            {"id": "released", "created_at": t + 2, "status": "COMPLETED", "ended_at": t + 9},
        ],
    )
    everything = [_range("2023-12-01", "2024-01-31")]
    row = analytics.run("lifecycle", parse_filters(json.dumps(everything)), [], NOW, 100)[0]
    assert (row["session_count"], row["crash_rate"]) == (3, pytest.approx(1 / 3))

    def listed(status: str | None, crashed: bool) -> list[str]:
        conditions = parse_filters(
            json.dumps([*everything, {"attribute": "session_crashed", "operator": "equal", "value": crashed}])
        )
        found, _ = session_search.list_sessions("lifecycle", 10, None, status, None, conditions, NOW, TIMEOUT)
        return [s["id"] for s in found]

    assert listed(None, False) == ["released", "idle"]
    assert listed("TIMED_OUT", False) == ["idle"]
    assert listed("TIMED_OUT", True) == [] and listed(None, True) == ["crashed"]


def test_new_users_are_those_whose_first_session_is_in_the_filtered_set(data: list[Session]) -> None:
    jan, feb = START, START + 20 * DAY
    load_sessions(
        "newcomers",
        [
            {"id": "a1", "created_at": jan, "user_id": "a", "device": {"model": "x"}},
            {"id": "b1", "created_at": jan + 1, "user_id": "b", "device": {"model": "y"}},
            {"id": "a2", "created_at": feb, "user_id": "a", "device": {"model": "y"}},
            {"id": "c1", "created_at": feb + 1, "user_id": "c", "device": {"model": "y"}},
            {"id": "a3", "created_at": feb + 2, "user_id": "a", "device": {"model": "x"}},
        ],
    )

    def figures(*filters: dict[str, Any], groups: str = "[]") -> list[tuple[Any, ...]]:
        rows = analytics.run("newcomers", parse_filters(json.dumps(filters)), parse_group_by(groups), NOW, 100)
        return [
            (r.get("session_uploaded_month"), r["session_unique_user_count"], r["session_new_users_count"])
            for r in rows
        ]

    assert figures(_range("2024-01-01", "2024-01-31")) == [(None, 2, 2)]
    assert figures(_range("2024-02-01", "2024-02-29")) == [(None, 2, 1)]  # a's first was in January
    assert figures(_range("2024-01-01", "2024-02-29")) == [(None, 3, 3)]
    months = '[{"attribute": "session_uploaded_month"}]'
    assert figures(_range("2024-01-01", "2024-02-29"), groups=months) == [("2024-02", 2, 1), ("2024-01", 2, 2)]
    model_y = {"attribute": "device_model", "operator": "equal", "value": "y"}
    assert figures(_range("2024-01-01", "2024-02-29"), model_y) == [(None, 3, 2)]  # a1 (model x) filtered out


# ---------------------------------------------------------------- the list under filters


def _pages(
    limit: int, q: str | None, filters: list[dict[str, Any]], status: str | None = None
) -> tuple[list[str], int]:
    conditions = parse_filters(json.dumps(filters))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        found, cursor = session_search.list_sessions(APP, limit, cursor, status, q, conditions, NOW, TIMEOUT)
        pages += 1
        assert len(found) <= limit
        seen += [s["id"] for s in found]
        if cursor is None:
            return seen, pages


def _newest_first(sessions: list[Session]) -> list[str]:
    return [s["id"] for s in sorted(sessions, key=lambda s: (s["created_at"], s["id"]), reverse=True)]


@pytest.mark.parametrize("budget", [1000, 7])
def test_filtered_pages_have_no_duplicates_and_no_gaps(
    data: list[Session], monkeypatch: pytest.MonkeyPatch, budget: int
) -> None:
    monkeypatch.setattr(session_search, "READ_BUDGET", budget)  # 7: pages end early, with a cursor
    filters = [FEBRUARY, {"attribute": "device_platform", "operator": "equal", "value": "ios"}]
    seen, pages = _pages(6, None, filters)
    want = _newest_first([s for s in data if IN_FEBRUARY(s) and s["device"]["platform"] == "ios"])
    assert len(want) > 12 and seen == want
    full_pages = -(-len(want) // 6)
    assert pages > full_pages if budget == 7 else pages == full_pages, "next is null exactly at the end"


def test_filters_combine_with_q_and_status_as_and(data: list[Session]) -> None:
    q = "user_metadata['plan']:'team'"
    filters = [
        FEBRUARY,
        {"attribute": "device_platform", "operator": "in", "value": ["android", "web"]},
        {"attribute": "user_metadata.seats", "operator": "greater_than", "value": 2},
    ]
    seen, _ = _pages(5, q, filters, status="COMPLETED")
    want = _newest_first(
        [
            s
            for s in data
            if IN_FEBRUARY(s)
            and s.get("user_metadata", {}).get("plan") == "team"
            and s["device"]["platform"] in ("android", "web")
            and s["user_metadata"]["seats"] > 2
            and s["status"] == "COMPLETED"
        ]
    )
    assert want and seen == want


def test_users_and_ids_page_through_their_keys(data: list[Session]) -> None:
    users = ["user-4", "user-5"]
    seen, _ = _pages(3, None, [{"attribute": "user_id", "operator": "in", "value": users}])
    assert seen == _newest_first([s for s in data if s.get("user_id") in users])
    ids = ["gen-11-0000002", "gen-11-0000500", "gen-11-0000100"]
    seen, _ = _pages(2, None, [{"attribute": "session_id", "operator": "in", "value": ids}])
    assert seen == ["gen-11-0000500", "gen-11-0000100", "gen-11-0000002"]


# ---------------------------------------------------------------- aggregation and comparison


def test_aggregation_keeps_the_asked_metrics_only(data: list[Session]) -> None:
    group_by = parse_group_by(json.dumps([{"attribute": "device_platform"}]))
    metrics = ["session_count", "avg_session_unresponsive_gesture_count"]
    got = analytics.run(APP, parse_filters(json.dumps([FEBRUARY])), group_by, NOW, 10**6, metrics)
    want = [
        {k: r[k] for k in ("device_platform", *metrics)}
        for r in reference(data, IN_FEBRUARY, [("device_platform", 50)])
    ]
    _same(got, want)


@pytest.mark.parametrize(
    "groups", [[], [("device_platform", 50)], [("device_model", 3)]], ids=["one row", "platforms", "folded"]
)
def test_comparison_holds_the_same_groups_over_the_period_before(data: list[Session], groups: Any) -> None:
    group_by = parse_group_by(json.dumps([{"attribute": n, "max_group_number": m} for n, m in groups]))
    got = analytics.run(APP, parse_filters(json.dumps([FEBRUARY])), group_by, NOW, 10**6, None, True)
    now_rows = reference(data, IN_FEBRUARY, groups)
    _same([{k: v for k, v in r.items() if k not in ("previous", "change")} for r in got], now_rows)
    # February is 29 days: the period before is the 29 days up to January 31 included.
    before = _between("2024-01-03T00:00:00", "2024-01-31T23:59:59.999")
    kept = {r[groups[0][0]] for r in now_rows if r[groups[0][0]] != "other"} if groups else set()

    def previous_of(row: dict[str, Any]) -> dict[str, Any]:
        if not groups:
            return reference(data, before, [])[0]
        name = groups[0][0]
        value = GROUP_VALUES[name]
        if row[name] == "other":
            return reference(data, lambda s: before(s) and value(s) not in kept, [])[0]
        return reference(data, lambda s: before(s) and value(s) == row[name], [])[0]

    assert any(r["previous"]["session_count"] for r in got), "the period before holds sessions"
    for row in got:
        want = previous_of(row)
        _same([row["previous"]], [want])
        for metric, old in want.items():
            expected = None if old == 0 else (row[metric] - old) / old
            assert row["change"][metric] == (expected if expected is None else pytest.approx(expected)), metric


def test_comparison_before_the_epoch_compares_with_nothing(data: list[Session]) -> None:
    epoch = _range("1970-01-01", "1970-01-02")
    row = analytics.run(APP, parse_filters(json.dumps([epoch])), [], NOW, 10**6, ["session_count"], True)[0]
    assert row == {"session_count": 0, "previous": {"session_count": 0}, "change": {"session_count": None}}
