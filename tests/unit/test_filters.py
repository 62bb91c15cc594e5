"""Filter rules without I/O: each operator on each kind of attribute, the plan, and every bad filter."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annex.api.filters import parse_filters, parse_group_by
from annex.domain import filters
from annex.errors import BadRequest

T = 1_706_745_600_000  # 2024-02-01T00:00:00Z
SESSIONS: dict[str, dict[str, Any]] = {
    "a": {
        "id": "a",
        "created_at": T,
        "user_id": "alice",
        "status": "ERROR",
        "session_number": 1,
        "device": {"model": "iPhone 15", "platform": "ios", "os_version": "17.2", "os_name": "iOS", "type": "phone"},
        "location": {"country": "France", "city": "Paris"},
        "page": {"referer": "https://Www.Example.com:8080/x", "utm": {"source": "ads", "campaign": "spring"}},
        "screens": ["home", "cart", "home"],
        "first_screen": "home",
        "responsive_gesture_count": 3,
        "unresponsive_gesture_count": 1,
        "user_name": "Alice A.",
        "first_event_at": T,
        "last_event_at": T + 12_500,
        "gesture_count": 4,
        "rage_gesture_count": 1,
        "screen_count": 3,
        "screen_set": ["home", "cart"],
        "screen_set_count": 2,
        "event_name_set": ["buy", "share"],
        "user_metadata": {"plan": "pro", "n": 5, "tags": ["vip", "beta"], "org": {"size": 12}, "gone": None},
    },
    "b": {
        "id": "b",
        "created_at": T + 86_400_000 - 1,  # 2024-02-01T23:59:59.999Z
        "user_id": "bob",
        "status": "RUNNING",
        "session_number": 3,
        "device": {"model": "Pixel 8", "platform": "android", "sdk_version": "3.6.1", "browser_version": "124.0"},
        "location": {"country": "Japan"},
        "page": {"referer": "example.org/from"},
        "user_first": {"screen_name": "intro", "referer": "https://news.example.net/a", "utm": {"source": "mail"}},
        "screen_set_count": 3,
        "gesture_count": 0,
        "screen_count": 0,
        "event_name_set": ["signup"],
        "user_metadata": {"plan": "free", "n": "5", "tags": ["churn"], "org": {"size": 2.5}},
    },
    "c": {
        "id": "c",
        "created_at": T + 86_400_000,  # 2024-02-02T00:00:00Z
        "status": "COMPLETED",
        "device": {},
        "location": {},
        "first_event_at": T,
        "last_event_at": T + 60_000,
        "gesture_count": 9,
        "screen_count": 7,
        "screen_set": ["home"],
        "screen_set_count": 1,
    },
}


def _matching(attribute: str, operator: str, value: Any = None) -> set[str]:
    entry = {"attribute": attribute, "operator": operator} | ({} if value is None else {"value": value})
    plan = filters.plan(parse_filters(json.dumps([entry])))
    return {name for name, session in SESSIONS.items() if plan.matches(session)}


CASES: list[tuple[str, str, Any, set[str]]] = [
    # string: a device field, a location field, the session's own id, the user
    ("device_model", "equal", "Pixel 8", {"b"}),
    ("device_model", "not_equal", "Pixel 8", {"a", "c"}),  # not set equals nothing
    ("device_model", "in", ["Pixel 8", "iPhone 15", "x"], {"a", "b"}),
    ("device_model", "not_in", ["Pixel 8"], {"a", "c"}),
    ("device_model", "contains", "hone", {"a"}),
    ("device_model", "is_set", None, {"a", "b"}),
    ("device_model", "is_not_set", None, {"c"}),
    ("device_platform", "equal", "ios", {"a"}),
    ("device_os_version", "is_set", None, {"a"}),
    ("device_country", "in", ["Japan", "Chile"], {"b"}),
    ("device_city", "equal", "Paris", {"a"}),
    ("device_city", "is_not_set", None, {"b", "c"}),
    ("session_id", "equal", "c", {"c"}),
    ("session_id", "not_in", ["a", "b"], {"c"}),
    ("user_id", "in", ["alice", "bob"], {"a", "b"}),
    ("user_id", "is_not_set", None, {"c"}),
    ("user_id", "contains", "li", {"a"}),
    # seed 002's other string attributes: device, web page, the user's first session, the user
    ("device_os_name", "equal", "iOS", {"a"}),
    *((name, "is_not_set", None, {"a", "b", "c"}) for name in ("app_version", "device_class", "device_id")),
    *((name, "is_set", None, set()) for name in ("device_manufacturer", "browser_name")),
    ("device_type", "not_equal", "phone", {"b", "c"}),
    ("sdk_version", "contains", "3.6", {"b"}),
    ("browser_version", "is_set", None, {"b"}),
    ("referer", "contains", "xample", {"a", "b"}),  # substrings are case-sensitive
    ("referer_domain", "equal", "www.example.com", {"a"}),  # lower case, without the port
    ("referer_domain", "in", ["example.org"], {"b"}),  # a referer without a scheme has a host too
    ("referer_domain", "is_not_set", None, {"c"}),
    ("user_first_screen_name", "equal", "home", {"a"}),  # session 1 reads its own first screen
    ("user_first_screen_name", "equal", "intro", {"b"}),  # a later one what it copied
    ("user_first_referer", "contains", "Www", {"a"}),
    ("user_first_referer_domain", "equal", "news.example.net", {"b"}),
    ("user_first_referer_domain", "is_not_set", None, {"c"}),
    ("uxcamuserid", "equal", "bob", {"b"}),
    ("user_name", "equal", "Alice A.", {"a"}),
    ("user_name", "is_not_set", None, {"b", "c"}),
    # JSON web attributes: utm and the first session's utm, whole or by field
    ("utm", "is_set", None, {"a"}),
    ("utm.campaign", "equal", "spring", {"a"}),
    ("utm.source", "not_equal", "ads", {"b", "c"}),
    ("user_first_utm", "is_not_set", None, {"c"}),
    ("user_first_utm.source", "in", ["mail", "ads"], {"a", "b"}),
    ("user_custom_property.plan", "equal", "pro", {"a"}),
    # list: the session's distinct screens
    ("session_screen_list", "contains", "cart", {"a"}),
    ("session_screen_list", "not_in", ["home"], {"b"}),
    # list: the session's event names
    ("event_name", "equal", "buy", {"a"}),
    ("event_name", "contains", "share", {"a"}),
    ("event_name", "not_equal", "buy", {"b", "c"}),
    ("event_name", "in", ["signup", "buy"], {"a", "b"}),
    ("event_name", "not_in", ["signup", "share"], {"c"}),
    ("event_name", "is_set", None, {"a", "b"}),
    ("event_name", "is_not_set", None, {"c"}),
    # numbers: counters, derived counts, the duration, the user's session number
    ("session_gesture_count", "equal", 4, {"a"}),
    ("session_gesture_count", "not_equal", 4, {"b", "c"}),
    ("session_gesture_count", "in", [0, 9], {"b", "c"}),
    ("session_gesture_count", "not_in", [0, 9], {"a"}),
    ("session_gesture_count", "greater_than", 4, {"c"}),
    ("session_gesture_count", "less_than", 4, {"b"}),
    ("session_gesture_count", "between", [0, 4], {"a", "b"}),
    ("session_rage_gesture_count", "greater_than", 0, {"a"}),
    ("session_screen_count", "between", [3, 7], {"a", "c"}),
    ("session_unique_screen_count", "equal", 2, {"a"}),
    ("session_unique_screen_count", "equal", 3, {"b"}),  # past the item's names: its overflow counter
    ("session_responsive_gesture_count", "equal", 3, {"a"}),
    ("session_unresponsive_gesture_count", "is_not_set", None, set()),  # a counter is 0, never unset
    ("session_unresponsive_gesture_count", "less_than", 1, {"b", "c"}),
    ("session_has_video", "equal", False, {"a", "b", "c"}),
    ("session_has_video", "not_equal", False, set()),
    ("session_duration", "equal", 12.5, {"a"}),
    ("session_duration", "greater_than", 12.5, {"c"}),
    ("session_duration", "less_than", 0.001, {"b"}),  # no events: 0 seconds
    ("session_number_of_user", "equal", 1, {"a"}),
    ("session_number_of_user", "greater_than", 1, {"b"}),
    ("session_number_of_user", "is_set", None, {"a", "b"}),
    ("session_number_of_user", "is_not_set", None, {"c"}),
    ("session_number_of_user", "not_equal", 1, {"b", "c"}),
    # boolean: crashed is status ERROR (a RUNNING session, even timed out, did not crash)
    ("session_crashed", "equal", True, {"a"}),
    ("session_crashed", "equal", False, {"b", "c"}),
    ("session_crashed", "equal", "true", {"a"}),
    ("session_crashed", "not_equal", True, {"b", "c"}),
    # date: inclusive, UTC without an offset, a date alone is its whole day, offsets honoured
    ("date_range", "between_dates", {"lower": "2024-02-01", "upper": "2024-02-01"}, {"a", "b"}),
    ("date_range", "between_dates", {"lower": "2024-02-01T00:00:00.001Z", "upper": "2024-02-02"}, {"b", "c"}),
    ("date_range", "between_dates", {"lower": "2024-02-02T00:00:00Z", "upper": "2030-01-01T00:00:00Z"}, {"c"}),
    (
        "date_range",
        "between_dates",
        {"lower": "2024-02-02T01:00:00+01:00", "upper": "2024-02-02T01:00:00+01:00"},
        {"c"},
    ),
    ("date_range", "between_dates", {"lower": "2020-01-01T00:00:00", "upper": "2024-01-31T23:59:59.999"}, set()),
    # user_metadata: typed like q; arrays match by element; null is not set
    ("user_metadata.plan", "equal", "pro", {"a"}),
    ("user_metadata.n", "equal", 5, {"a"}),
    ("user_metadata.n", "equal", "5", {"b"}),
    ("user_metadata.n", "equal", 5.0, {"a"}),
    ("user_metadata.plan", "not_equal", "pro", {"b", "c"}),
    ("user_metadata.plan", "in", ["free", "team"], {"b"}),
    ("user_metadata.plan", "not_in", ["free"], {"a", "c"}),
    ("user_metadata.tags", "equal", "vip", {"a"}),
    ("user_metadata.tags", "contains", "churn", {"b"}),
    ("user_metadata.plan", "contains", "r", {"a", "b"}),
    ("user_metadata.org.size", "greater_than", 2.5, {"a"}),
    ("user_metadata.org.size", "less_than", 12, {"b"}),
    ("user_metadata.org.size", "between", [2.5, 12], {"a", "b"}),
    ("user_metadata.n", "greater_than", 1, {"a"}),  # "5" is a string: no number compares to it
    ("user_metadata.org", "is_set", None, {"a", "b"}),
    ("user_metadata.gone", "is_set", None, set()),
    ("user_metadata.gone", "is_not_set", None, {"a", "b", "c"}),
    ("user_metadata.gone", "equal", None, {"a"}),
    ("user_metadata.tags", "is_set", None, {"a", "b"}),
]


@pytest.mark.parametrize(("attribute", "operator", "value", "expected"), CASES)
def test_each_operator_on_each_kind_of_attribute(attribute: str, operator: str, value: Any, expected: set[str]) -> None:
    assert _matching(attribute, operator, value) == expected


def test_every_operator_of_every_kind_is_covered_by_a_case() -> None:
    covered = {(filters.attribute(a).kind, op) for a, op, _, _ in CASES}
    declared = {(kind, op) for kind, ops in filters.OPERATORS.items() for op in ops}
    assert declared <= covered, sorted(declared - covered)


def test_every_attribute_is_covered_by_a_case() -> None:
    covered = {a.split(".")[0] for a, _, _, _ in CASES}
    assert set(filters.ATTRIBUTES) | {"uxcamuserid", "utm", "user_first_utm", "user_custom_property"} <= covered


def test_filters_are_anded() -> None:
    both = [
        {"attribute": "device_platform", "operator": "in", "value": ["ios", "android"]},
        {"attribute": "session_gesture_count", "operator": "less_than", "value": 1},
    ]
    plan = filters.plan(parse_filters(json.dumps(both)))
    assert {n for n, s in SESSIONS.items() if plan.matches(s)} == {"b"}


def test_the_plan_takes_the_keys_the_filters_offer() -> None:
    plan = filters.plan(
        parse_filters(
            json.dumps(
                [
                    {
                        "attribute": "date_range",
                        "operator": "between_dates",
                        "value": {"lower": "2024-02-01", "upper": "2024-02-29"},
                    },
                    {
                        "attribute": "date_range",
                        "operator": "between_dates",
                        "value": {"lower": "2024-02-10", "upper": "2024-03-31"},
                    },
                    {"attribute": "user_id", "operator": "in", "value": ["a", "b"]},
                    {"attribute": "user_id", "operator": "equal", "value": "b"},
                    {"attribute": "user_metadata.plan", "operator": "equal", "value": "pro"},
                    {"attribute": "user_metadata.n", "operator": "greater_than", "value": 1},
                ]
            )
        )
    )
    assert (plan.low, plan.high, plan.dated) == (1_707_523_200_000, 1_709_251_199_999, True)
    assert plan.user_ids == frozenset({"b"}) and plan.session_ids is None
    assert [(c.path, c.value) for c in plan.clauses] == [(("plan",), "pro")]
    default = filters.plan([], default_range=(5, 10))
    assert (default.low, default.high, default.dated) == (5, 10, False)
    contradiction = filters.plan(
        parse_filters(
            '[{"attribute": "session_id", "operator": "equal", "value": "a"},'
            ' {"attribute": "session_id", "operator": "equal", "value": "b"}]'
        )
    )
    assert contradiction.empty


def _dates(value: Any) -> str:
    return json.dumps([{"attribute": "date_range", "operator": "between_dates", "value": value}])


BAD_FILTERS: list[tuple[str, str]] = [
    ('{"attribute": "device_model"}', "filters: "),  # not a list
    ("[1]", "filters[0]: "),
    ('[{"attribute": "nope", "operator": "equal", "value": 1}]', "unknown attribute 'nope'"),
    ('[{"attribute": "device_model", "operator": "greater_than", "value": 3}]', "filters[0] (device_model): operator"),
    ('[{"attribute": "session_crashed", "operator": "contains", "value": "t"}]', "does not apply"),
    ('[{"attribute": "event_name", "operator": "between", "value": [1, 2]}]', "does not apply"),
    ('[{"attribute": "date_range", "operator": "equal", "value": "2024-01-01"}]', "does not apply"),
    ('[{"attribute": "user_id", "operator": "between_dates", "value": {}}]', "does not apply"),
    ('[{"attribute": "device_model", "operator": "like", "value": "x"}]', "does not apply"),
    ('[{"attribute": "device_model", "operator": "equal", "value": 5}]', "must be a string"),
    ('[{"attribute": "device_model", "operator": "in", "value": []}]', "list of 1 to 100"),
    ('[{"attribute": "device_model", "operator": "in", "value": "x"}]', "list of 1 to 100"),
    (json.dumps([{"attribute": "device_model", "operator": "in", "value": ["x"] * 101}]), "list of 1 to 100"),
    ('[{"attribute": "session_duration", "operator": "equal", "value": "5"}]', "must be a number"),
    ('[{"attribute": "session_duration", "operator": "equal", "value": true}]', "must be a number"),
    ('[{"attribute": "session_duration", "operator": "between", "value": [5, 1]}]', "lower bound is above"),
    ('[{"attribute": "session_duration", "operator": "between", "value": [1]}]', "[lower, upper]"),
    ('[{"attribute": "session_duration", "operator": "greater_than", "value": 1e999}]', "out of the range"),
    ('[{"attribute": "session_duration", "operator": "greater_than", "value": NaN}]', "not a JSON number"),
    ("[" + '{"attribute": "session_duration", "operator": "equal", "value": ' + "9" * 5000 + "}]", "longer than 4096"),
    ('[{"attribute": "session_crashed", "operator": "equal", "value": "yes"}]', "true or false"),
    (
        '[{"attribute": "date_range", "operator": "between_dates", "value": {"lower": "x", "upper": "2024-01-01"}}]',
        "lower is not an ISO 8601",
    ),
    (
        _dates({"lower": "2024-02-30", "upper": "2024-03-01"}),
        "ISO 8601",
    ),
    (
        _dates({"lower": "2024-03-01", "upper": "2024-02-01"}),
        "lower is after upper",
    ),
    ('[{"attribute": "date_range", "operator": "between_dates", "value": {"lower": "2024-03-01"}}]', '"upper"'),
    (
        '[{"attribute": "date_range", "operator": "between_dates", "value": {"lower": 1, "upper": 2}}]',
        "must be a string",
    ),
    ('[{"attribute": "user_metadata.", "operator": "equal", "value": 1}]', "empty segment"),
    ('[{"attribute": "user_metadata.a..b", "operator": "equal", "value": 1}]', "empty segment"),
    ('[{"attribute": "user_metadata.a", "operator": "equal", "value": {"b": 1}}]', "string, number, boolean or null"),
    ('[{"attribute": "user_metadata.a", "operator": "greater_than", "value": "1"}]', "must be a number"),
    (
        '[{"attribute": "device_model", "operator": "equal", "value": "x", "extra": 1}]',
        "filters[0] (device_model).extra",
    ),
    ('[{"attribute": "device_model", "value": "x"}]', "filters[0] (device_model).operator"),
    ('[{"attribute": 5, "operator": "equal", "value": "x"}]', "filters[0].attribute"),
    (json.dumps([{"attribute": "device_id", "operator": "is_set"}] * 21), "at most 20"),
    ("[" * 2000 + "]" * 2000, "nests too deeply"),
    ('[{"attribute": "device_model", "operator": "equal", "value": "x"', "not valid JSON (character"),
    ("", "not valid JSON"),
    ('[{"attribute": "session_id", "operator": "equal", "value": "\\ud800"}]', "not valid Unicode"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILTERS)
def test_a_bad_filter_is_400_naming_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_filters(text)
    assert refused.value.status == 400 and refused.value.code == "invalid_filters"
    assert message in refused.value.message, refused.value.message


BAD_GROUP_BY: list[tuple[str, str]] = [
    ('[{"attribute": "nope"}]', "unknown attribute"),
    ('[{"attribute": "event_name"}]', "several event names"),
    ('[{"attribute": "session_id"}]', "group of its own"),
    ('[{"attribute": "session_duration"}]', "a number attribute"),
    ('[{"attribute": "date_range"}]', "session_uploadedon_day"),
    ('[{"attribute": "device_model", "max_group_number": 0}]', "max_group_number"),
    ('[{"attribute": "device_model", "max_group_number": 501}]', "max_group_number"),
    ('[{"attribute": "device_model", "max_group_number": "5"}]', "max_group_number"),
    ('[{"attribute": "device_model", "max_group_number": 5.5}]', "max_group_number"),
    ('[{"attribute": "device_model"}, {"attribute": "device_model"}]', "appears twice"),
    (
        json.dumps(
            [
                {"attribute": a}
                for a in ("device_model", "device_id", "app_version", "device_city", "user_id", "browser_name")
            ]
        ),
        "at most 5",
    ),
    ('{"attribute": "device_model"}', "group_by: "),
]


@pytest.mark.parametrize(("text", "message"), BAD_GROUP_BY)
def test_a_bad_group_by_is_400_naming_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_group_by(text)
    assert refused.value.code == "invalid_group_by" and message in refused.value.message, refused.value.message


def test_is_set_ignores_a_value_and_huge_integers_compare_exactly() -> None:
    assert _matching("device_model", "is_set", "anything") == {"a", "b"}
    assert _matching("session_gesture_count", "less_than", 10**400) == {"a", "b", "c"}
    assert _matching("session_gesture_count", "greater_than", -(10**400)) == {"a", "b", "c"}
