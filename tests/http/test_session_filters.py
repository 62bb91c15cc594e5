"""GET /sessions?filters= and GET /sessions/analytics over HTTP: answers, pages, and every bad input a 400."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from tests.conftest import Api


def _mark() -> str:
    return uuid.uuid4().hex


def _filters(*entries: dict[str, Any]) -> str:
    return json.dumps(list(entries))


def _tagged(mark: str) -> dict[str, Any]:
    return {"attribute": "user_metadata.mark", "operator": "equal", "value": mark}


def _create(api: Api, mark: str, **body: Any) -> str:
    sid = f"f-{uuid.uuid4().hex[:12]}"
    user_metadata = {"mark": mark} | body.pop("user_metadata", {})
    response = api.post("/sessions", {"session_id": sid, "user_metadata": user_metadata} | body)
    assert response.status_code == 201, response.text
    return sid


def test_analytics_is_its_own_route_not_a_session_id(api: Api) -> None:
    response = api.get("/sessions/analytics")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True and len(body["data"]) == 1 and "session_count" in body["data"][0]


def test_analytics_of_sessions_made_through_the_api(api: Api) -> None:
    mark = _mark()
    user = f"u-{mark[:8]}"
    ios = [_create(api, mark, user_id=user, device={"model": "iPhone", "platform": "ios"}) for _ in range(3)]
    android = _create(api, mark, device={"model": "Pixel", "platform": "android"})
    t0 = int(time.time() * 1000) - 60_000  # a minute ago: events older than their retention are refused
    batch = [
        {"session_id": ios[0], "type": "screen", "name": "home", "timestamp": t0},
        {"session_id": ios[0], "type": "screen", "name": "cart", "timestamp": t0 + 4_000},
        {"session_id": ios[0], "type": "gesture", "properties": {"rage": True}, "timestamp": t0 + 2_000},
        {"session_id": ios[1], "type": "crash"},
        {"session_id": android, "type": "gesture"},
    ]
    assert api.post("/events", {"batch": batch}).json()["accepted"] == 5
    assert api.post(f"/sessions/{ios[2]}", {"status": "REQUEST_RELEASE"}).status_code == 200
    params = {"filters": _filters(_tagged(mark)), "group_by": json.dumps([{"attribute": "device_model"}])}
    rows = api.get("/sessions/analytics", params=params).json()["data"]
    assert [(r["device_model"], r["session_count"]) for r in rows] == [("iPhone", 3), ("Pixel", 1)]
    iphone, pixel = rows
    assert (iphone["session_unique_user_count"], iphone["session_new_users_count"]) == (1, 1)
    assert iphone["avg_session_duration"] == pytest.approx(4 / 3)  # 4 s over three sessions
    assert iphone["avg_session_screen_count"] == pytest.approx(2 / 3)
    assert iphone["avg_session_unique_screen_count"] == pytest.approx(2 / 3)
    assert iphone["avg_session_rage_gesture_count"] == pytest.approx(1 / 3)
    assert iphone["crash_rate"] == pytest.approx(1 / 3)
    assert (pixel["session_unique_user_count"], pixel["avg_session_gesture_count"]) == (0, 1.0)
    crashed = api.get(
        "/sessions/analytics",
        params={
            "filters": _filters(_tagged(mark), {"attribute": "session_crashed", "operator": "equal", "value": True})
        },
    ).json()["data"]
    assert [r["session_count"] for r in crashed] == [1]


def test_filtered_pages_hold_each_match_once(api: Api) -> None:
    mark = _mark()
    made = [_create(api, mark, device={"platform": "ios" if i % 3 else "web"}) for i in range(9)]
    ios = [sid for i, sid in enumerate(made) if i % 3][::-1]  # newest first
    params = {"filters": _filters(_tagged(mark), {"attribute": "device_platform", "operator": "equal", "value": "ios"})}
    seen: list[str] = []
    cursor = None
    while True:
        page = api.get("/sessions", params=params | {"limit": 2} | ({"next": cursor} if cursor else {})).json()
        assert len(page["data"]) <= 2
        seen += [s["id"] for s in page["data"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == ios


def test_filters_and_q_and_status_all_hold(api: Api) -> None:
    mark = _mark()
    pro_ios = _create(api, mark, user_metadata={"plan": "pro"}, device={"platform": "ios"})
    _create(api, mark, user_metadata={"plan": "free"}, device={"platform": "ios"})
    released = _create(api, mark, user_metadata={"plan": "pro"}, device={"platform": "ios"})
    _create(api, mark, user_metadata={"plan": "pro"}, device={"platform": "android"})
    api.post(f"/sessions/{released}", {"status": "REQUEST_RELEASE"})
    ios = _filters(_tagged(mark), {"attribute": "device_platform", "operator": "equal", "value": "ios"})

    def ids(**params: str) -> list[str]:
        response = api.get("/sessions", params=params | {"filters": ios})
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()["data"]]

    assert ids(q="user_metadata['plan']:'pro'") == [released, pro_ios]
    assert ids(q="user_metadata['plan']:'pro'", status="RUNNING") == [pro_ios]
    assert ids(q="user_metadata['plan']:'pro'", status="COMPLETED") == [released]


BAD = [
    ("filters", "not json"),
    ("filters", '{"attribute": "device_model", "operator": "equal", "value": "x"}'),
    ("filters", '[{"attribute": "nope", "operator": "equal", "value": "x"}]'),
    ("filters", '[{"attribute": "device_model", "operator": "greater_than", "value": 1}]'),
    ("filters", '[{"attribute": "session_duration", "operator": "greater_than", "value": 1e400}]'),
    ("filters", '[{"attribute": "session_duration", "operator": "equal", "value": ' + "7" * 4400 + "}]"),
    ("filters", '[{"attribute": "session_duration", "operator": "between", "value": [3, -3]}]'),
    (
        "filters",
        '[{"attribute": "date_range", "operator": "between_dates", "value": {"lower": "yesterday", "upper": "2024"}}]',
    ),
    (
        "filters",
        _filters({"attribute": "date_range", "operator": "between_dates", "value": {"lower": "99999-01-01"}}),
    ),
    ("filters", '[{"attribute": "user_metadata.a", "operator": "equal", "value": [1, [2]]}]'),
    ("filters", "[" * 1000 + "]" * 1000),
    ("filters", '[{"attribute": "device_model", "operator": "equal", "value": "\\ud800"}]'),
    ("filters", "x" * 5_000),
]


@pytest.mark.parametrize("path", ["/sessions", "/sessions/analytics"])
@pytest.mark.parametrize(("name", "value"), BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_every_bad_filter_is_400(api: Api, path: str, name: str, value: str) -> None:
    response = api.get(path, params={name: value})
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error", "code", "message"} and body["code"] in ("invalid_filters", "invalid_request")


@pytest.mark.parametrize(
    "group_by",
    [
        "[",
        '[{"attribute": "event_name"}]',
        '[{"attribute": "device_model", "max_group_number": 501}]',
        '[{"attribute": "device_model", "max_group_number": 1e3}]',
        '[{"attribute": "session_uploadedon_day", "extra": true}]',
    ],
)
def test_every_bad_group_by_is_400(api: Api, group_by: str) -> None:
    response = api.get("/sessions/analytics", params={"group_by": group_by})
    assert response.status_code == 400 and response.json()["code"] == "invalid_group_by", response.text


def test_a_bad_filter_names_its_entry(api: Api) -> None:
    filters = _filters(
        {"attribute": "device_model", "operator": "equal", "value": "x"},
        {"attribute": "session_gesture_count", "operator": "contains", "value": "3"},
    )
    message = api.get("/sessions", params={"filters": filters}).json()["message"]
    assert message.startswith("filters[1] (session_gesture_count): operator 'contains' does not apply"), message


def test_a_url_longer_than_api_gateway_takes_is_414(api: Api) -> None:
    response = api.get("/sessions", params={"filters": "[" * 3000 + "]" * 3000})
    assert response.status_code == 414
    assert response.json() == {
        "error": True,
        "code": "uri_too_long",
        "message": "The URL is longer than 8192 characters",
    }
