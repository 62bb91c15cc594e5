"""Seed 002's attributes, event context (the Fanplayr way), identify and analytics' aggregation,
comparison and pages over HTTP: sessions made through the API, then filtered and grouped."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from tests.conftest import Api


def _mark() -> str:
    return uuid.uuid4().hex


def _tagged(mark: str) -> dict[str, Any]:
    return {"attribute": "user_metadata.mark", "operator": "equal", "value": mark}


def _ids(api: Api, *filters: dict[str, Any]) -> set[str]:
    response = api.get("/sessions", params={"filters": json.dumps(list(filters)), "limit": 100})
    assert response.status_code == 200, response.text
    return {s["id"] for s in response.json()["data"]}


def _events(api: Api, *events: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/events", {"batch": list(events)})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


WEB = {
    "device": {
        "platform": "web",
        "os_name": "macOS",
        "type": "desktop",
        "browser_name": "Firefox",
        "browser_version": "124.0",
        "sdk_version": "3.6.0",
    },
    "location": {"country": "France", "city": "Lyon"},
    "page": {
        "url": "https://shop.example.com/",
        "referer": "https://News.Example.com:8443/a?b=c",
        "utm": {"source": "newsletter", "campaign": "spring"},
    },
}


@pytest.fixture(scope="module")
def web(api: Api) -> dict[str, Any]:
    """A user with a nickname; their first session opened by events carrying context, a second one
    created by POST /sessions with a page, and a mobile session of someone else."""
    mark = _mark()
    user = f"u-{mark[:10]}"
    assert api.post("/users", {"user_id": user, "nickname": "Ada"}).status_code == 201
    first, second, mobile = (f"x-{mark[:8]}-{n}" for n in ("first", "second", "mobile"))
    t0 = int(time.time() * 1000) - 60_000
    done = _events(
        api,
        {"session_id": first, "user_id": user, "type": "screen", "name": "landing", "timestamp": t0, "context": WEB},
        {"session_id": first, "type": "identify", "properties": {"mark": mark, "plan": "pro"}, "timestamp": t0 + 1},
        {
            "session_id": first,
            "type": "screen",
            "name": "cart",
            "timestamp": t0 + 2,
            "context": {"device": {"model": "late", "platform": "ios"}, "location": {"country_code": "FR"}},
        },
        {"session_id": first, "type": "gesture", "properties": {"responsive": False}, "timestamp": t0 + 3},
        {"session_id": first, "type": "gesture", "timestamp": t0 + 4},
    )
    assert done == {"accepted": 5, "rejected": []}
    made = api.post(
        "/sessions",
        {
            "session_id": second,
            "user_id": user,
            "user_metadata": {"mark": mark},
            "page": {"referer": "https://www.google.com/", "utm": {"source": "google"}},
        },
    )
    assert made.status_code == 201, made.text
    phone = {"platform": "android", "os_name": "Android", "type": "phone", "sdk_version": "3.5.1", "model": "Pixel"}
    made = api.post("/sessions", {"session_id": mobile, "user_metadata": {"mark": mark}, "device": phone})
    assert made.status_code == 201, made.text
    return {"mark": mark, "user": user, "first": first, "second": second, "mobile": mobile}


def test_the_event_that_opens_a_session_sets_its_context_and_later_ones_only_fill(api: Api, web: Any) -> None:
    session = api.get(f"/sessions/{web['first']}").json()
    assert session["device"]["platform"] == "web" and session["device"]["model"] == "late"  # filled, not replaced
    assert session["device"]["os_name"] == "macOS" and session["device"]["sdk_version"] == "3.6.0"
    assert session["location"] == {"country": "France", "country_code": "FR", "city": "Lyon"}
    assert session["page"]["utm"] == {"source": "newsletter", "campaign": "spring"}
    assert (session["responsive_gesture_count"], session["unresponsive_gesture_count"]) == (1, 1)
    assert session["user_metadata"] == {"mark": web["mark"], "plan": "pro"}


def test_identify_merges_properties_and_needs_no_user_id(api: Api) -> None:
    sid = f"i-{_mark()[:12]}"
    assert api.post("/sessions", {"session_id": sid, "user_metadata": {"a": 1, "b": 2}}).status_code == 201
    assert _events(api, {"session_id": sid, "type": "identify", "properties": {"b": 3, "c": 4}})["accepted"] == 1
    session = api.get(f"/sessions/{sid}").json()
    assert session["user_metadata"] == {"a": 1, "b": 3, "c": 4} and session["user_id"] is None
    user = f"u-{_mark()[:10]}"
    assert (
        _events(api, {"session_id": sid, "user_id": user, "type": "identify", "properties": {"d": 5}})["accepted"] == 1
    )
    session = api.get(f"/sessions/{sid}").json()
    assert session["user_id"] == user and session["user_metadata"] == {"a": 1, "b": 3, "c": 4, "d": 5}
    too_much = _events(api, {"session_id": sid, "type": "identify", "properties": {"e": "x" * 500}})
    assert too_much["accepted"] == 0 and too_much["rejected"][0]["code"] == "invalid_event"


CASES: list[tuple[str, str, Any, set[str]]] = [
    ("device_os_name", "equal", "macOS", {"first"}),
    ("device_type", "in", ["phone", "tablet"], {"mobile"}),
    ("sdk_version", "contains", "3.", {"first", "mobile"}),
    ("browser_version", "is_set", None, {"first"}),
    ("referer", "contains", "google", {"second"}),
    ("referer_domain", "equal", "news.example.com", {"first"}),
    ("referer_domain", "is_not_set", None, {"mobile"}),
    ("utm", "is_set", None, {"first", "second"}),
    ("utm.source", "equal", "google", {"second"}),
    ("utm.campaign", "not_equal", "spring", {"second", "mobile"}),
    ("user_first_screen_name", "equal", "landing", {"first", "second"}),
    ("user_first_referer", "contains", "News.Example", {"first", "second"}),
    ("user_first_referer_domain", "equal", "news.example.com", {"first", "second"}),
    ("user_first_utm.campaign", "equal", "spring", {"first", "second"}),
    ("user_first_utm", "is_not_set", None, {"mobile"}),
    ("session_screen_list", "contains", "cart", {"first"}),
    ("session_screen_list", "not_in", ["cart", "landing"], {"second", "mobile"}),
    ("uxcamuserid", "is_set", None, {"first", "second"}),
    ("user_name", "equal", "Ada", {"first", "second"}),
    ("user_custom_property.plan", "equal", "pro", {"first"}),
    ("session_has_video", "equal", False, {"first", "second", "mobile"}),
    ("session_has_video", "equal", True, set()),
    ("session_responsive_gesture_count", "equal", 1, {"first"}),
    ("session_unresponsive_gesture_count", "greater_than", 0, {"first"}),
    ("device_country", "equal", "France", {"first"}),
]


@pytest.mark.parametrize(("attribute", "operator", "value", "expected"), CASES)
def test_each_seed_attribute_filters(
    api: Api, web: Any, attribute: str, operator: str, value: Any, expected: set[str]
) -> None:
    found = _ids(api, _tagged(web["mark"]), {"attribute": attribute, "operator": operator, "value": value})
    assert found == {web[name] for name in expected}


def test_uxcamuserid_uses_the_users_sessions(api: Api, web: Any) -> None:
    found = _ids(api, {"attribute": "uxcamuserid", "operator": "equal", "value": web["user"]})
    assert found == {web["first"], web["second"]}


@pytest.mark.parametrize(
    "attribute",
    [
        "referer_domain",
        "device_type",
        "sdk_version",
        "utm.source",
        "user_first_utm.campaign",
        "user_name",
        "uxcamuserid",
    ],
)
def test_string_like_attributes_group(api: Api, web: Any, attribute: str) -> None:
    params = {"filters": json.dumps([_tagged(web["mark"])]), "group_by": json.dumps([{"attribute": attribute}])}
    response = api.get("/sessions/analytics", params=params)
    assert response.status_code == 200, response.text
    rows = response.json()["data"]
    assert sum(r["session_count"] for r in rows) == 3 and all(attribute in r for r in rows)


def test_analytics_rows_hold_gesture_kinds_and_pages(api: Api, web: Any) -> None:
    by_model = json.dumps([{"attribute": "device_platform"}])
    params = {"filters": json.dumps([_tagged(web["mark"])]), "group_by": by_model}
    rows = api.get("/sessions/analytics", params=params).json()["data"]
    web_row = next(r for r in rows if r["device_platform"] == "web")
    assert web_row["avg_session_responsive_gesture_count"] == 1.0
    assert web_row["avg_session_unresponsive_gesture_count"] == 1.0
    paged = api.get("/sessions/analytics", params=params | {"page": 2, "page_size": 2}).json()
    assert (paged["page"], paged["page_size"], paged["total_rows"]) == (2, 2, len(rows)) == (2, 2, 3)
    assert paged["data"] == rows[2:]
    assert api.get("/sessions/analytics", params=params | {"page": 1}).json()["page_size"] == 100


def test_aggregation_and_comparison_over_http(api: Api, web: Any) -> None:
    params = {
        "filters": json.dumps([_tagged(web["mark"])]),
        "aggregation": json.dumps(["session_count", "crash_rate"]),
        "comparison": "previous_period",
    }
    response = api.get("/sessions/analytics", params=params)
    assert response.status_code == 200, response.text
    (row,) = response.json()["data"]
    assert row == {
        "session_count": 3,
        "crash_rate": 0.0,
        "previous": {"session_count": 0, "crash_rate": 0.0},
        "change": {"session_count": None, "crash_rate": None},
    }


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"aggregation": "[]"}, "invalid_aggregation"),
        ({"aggregation": '["sessions"]'}, "invalid_aggregation"),
        ({"aggregation": '["crash_rate", "crash_rate"]'}, "invalid_aggregation"),
        ({"aggregation": "crash_rate"}, "invalid_aggregation"),
        ({"comparison": "last_year"}, "invalid_comparison"),
        ({"page": "0"}, None),
        ({"page_size": "1001"}, None),
        ({"page_size": "ten"}, None),
        ({"group_by": '[{"attribute": "session_screen_list"}]'}, "invalid_group_by"),
        ({"filters": '[{"attribute": "session_has_video", "operator": "contains", "value": "x"}]'}, "invalid_filters"),
        ({"filters": '[{"attribute": "utm.", "operator": "is_set"}]'}, "invalid_filters"),
    ],
)
def test_every_bad_analytics_value_is_400_naming_it(api: Api, params: dict[str, str], code: str | None) -> None:
    response = api.get("/sessions/analytics", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    if code is not None:
        assert body["code"] == code
    assert any(name in body["message"] for name in params), body["message"]


def test_a_session_with_1000_distinct_screens_counts_each_once(api: Api) -> None:
    sid = f"long-{_mark()[:12]}"
    mark = _mark()
    assert api.post("/sessions", {"session_id": sid, "user_metadata": {"mark": mark}}).status_code == 201
    t0 = int(time.time() * 1000) - 60_000
    for start in range(0, 1000, 100):
        screens = [
            {"session_id": sid, "type": "screen", "name": f"screen-{n:04d}", "timestamp": t0 + n}
            for n in range(start, start + 100)
        ]
        assert _events(api, *screens)["accepted"] == 100
    again = [
        {"session_id": sid, "type": "screen", "name": f"screen-{n:04d}", "timestamp": t0 + 1000} for n in (5, 500, 999)
    ]
    assert _events(api, *again)["accepted"] == 3
    session = api.get(f"/sessions/{sid}").json()
    assert (session["screen_count"], session["unique_screen_count"], len(session["screens"])) == (1003, 1000, 200)
    exact = {"attribute": "session_unique_screen_count", "operator": "equal", "value": 1000}
    assert _ids(api, _tagged(mark), exact) == {sid}
    params = {"filters": json.dumps([_tagged(mark)]), "aggregation": '["avg_session_unique_screen_count"]'}
    assert api.get("/sessions/analytics", params=params).json()["data"] == [{"avg_session_unique_screen_count": 1000.0}]
