"""Inputs a review found answering 5xx or misbehaving; each must now be a clean 4xx (or right answer)."""

from __future__ import annotations

import base64
import json
import random
import string
import uuid

import pytest

from tests.conftest import Api


def _cursor(key: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def test_bodies_too_deep_too_large_or_infinite_are_400_and_write_nothing(api: Api, user: str) -> None:
    u = f"/users/{user}/meta"
    for raw in (
        '{"a":' + "[" * 40 + "]" * 40 + "}",
        '{"a":' + "[" * 3000 + "]" * 3000 + "}",
        '{"a": ' + "9" * 5000 + "}",
        '{"a": 1e400}',
        '{"a": -1e400}',
    ):
        response = api("POST", u, raw=raw)
        assert response.status_code == 400, (raw[:30], response.text)
    assert api.get(u).json() == {}
    assert api.get(f"/users/{user}").status_code == 200


def test_if_match_values_no_version_can_have_are_412(api: Api, user: str) -> None:
    for tag in ('"' + "1" * 45 + '"', '"' + "7" * 5000 + '"'):
        response = api.put(f"/users/{user}", {"nickname": "x"}, headers={"If-Match": tag})
        assert response.status_code == 412, response.text
    assert api.get(f"/users/{user}").json()["nickname"] == "Tester"


def test_forged_cursors_are_400(api: Api) -> None:
    for key in (
        {"PK": "", "SK": "", "GSI1PK": "local#USERS", "GSI1SK": ""},
        {"PK": "other#USER#x", "SK": "USER", "GSI1PK": "local#USERS", "GSI1SK": "x"},
        {"PK": "local#USER#x", "SK": "USER", "GSI1PK": "local#USERS", "GSI1SK": "x" * 1100},
        {"PK": "local#USER#\ud800", "SK": "USER", "GSI1PK": "local#USERS", "GSI1SK": "x"},  # was a 500
    ):
        response = api.get(f"/users?next={_cursor(key)}")
        assert response.status_code == 400 and response.json()["code"] == "invalid_cursor", response.text


def test_keys_naming_no_key_answers_nothing(api: Api, user: str) -> None:
    api.post(f"/users/{user}/metadata", {"metadata": {"a": "1"}})
    assert api.get(f"/users/{user}/metadata?keys=").json() == {}
    assert api.get(f"/users/{user}/metadata?keys=,,").json() == {}


def test_a_re_created_user_never_reuses_an_old_etag(api: Api) -> None:
    user_id = f"again-{uuid.uuid4().hex[:8]}"
    api.post("/users", {"user_id": user_id})
    old = api.get(f"/users/{user_id}").headers["ETag"]
    api.delete(f"/users/{user_id}")
    api.post("/users", {"user_id": user_id})
    assert api.get(f"/users/{user_id}").headers["ETag"] != old
    assert api.put(f"/users/{user_id}", {"nickname": "x"}, headers={"If-Match": old}).status_code == 412


def test_an_idempotent_create_with_a_large_answer_is_replayed_from_its_compressed_record(api: Api) -> None:
    url, headers = f"big-{uuid.uuid4().hex[:8]}", {"Idempotency-Key": str(uuid.uuid4())}
    body = {"channel_url": url, "data": "\u0001" * 65536}  # 393 KB of escaped JSON, well compressed
    first = api.post("/open_channels", body, headers=headers)
    assert first.status_code == 201
    retry = api.post("/open_channels", body, headers=headers)
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert api.get(f"/open_channels/{url}").json()["data"] == body["data"]


def test_an_idempotent_send_whose_answer_cannot_be_kept_is_still_never_applied_twice(api: Api) -> None:
    url = f"huge-{uuid.uuid4().hex[:8]}"
    api.post("/open_channels", {"channel_url": url})
    noise = random.Random(7)

    def text(size: int) -> str:
        return "".join(
            noise.choice(string.ascii_letters + string.digits + "!#$%&()*+-./:;<=>?@[]^_{|}~") for _ in range(size)
        )

    body = {
        "user_id": "u",
        "message": text(32 * 1024),
        "data": text(64 * 1024),
        "sorted_metaarray": [{"key": f"k{k}", "value": [text(128) for _ in range(100)]} for k in range(20)],
    }
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    assert api.post(f"/open_channels/{url}/messages", body, headers=headers).status_code == 201
    retry = api.post(f"/open_channels/{url}/messages", body, headers=headers)
    assert (retry.status_code, retry.json()["code"]) == (409, "idempotency_answer_not_kept")
    assert [m["message_id"] for m in api.get(f"/open_channels/{url}/messages").json()["data"]] == [1]


@pytest.mark.parametrize("path", ["/users", "/open_channels", "/open_channels/{channel}/messages"])
def test_a_forged_deeply_nested_cursor_is_400(api: Api, path: str) -> None:
    channel = f"cur-{uuid.uuid4().hex[:8]}"
    api.post("/open_channels", {"channel_url": channel})
    forged = base64.urlsafe_b64encode(b"[" * 1500).decode().rstrip("=")
    response = api.get(path.format(channel=channel), params={"next": forged})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_cursor")


def test_id_filters_longer_than_any_id_select_nothing(api: Api) -> None:
    for attribute in ("session_id", "user_id"):
        filters = json.dumps([{"attribute": attribute, "operator": "equal", "value": "中" * 800}], ensure_ascii=False)
        for path in ("/sessions", "/sessions/analytics"):
            response = api.get(path, params={"filters": filters})
            assert response.status_code == 200, response.text
            rows = response.json()["data"]
            assert rows == [] if path == "/sessions" else [r["session_count"] for r in rows] == [0]


def test_the_analytics_route_is_not_a_session_id(api: Api) -> None:
    assert api.post("/sessions", {"session_id": "analytics"}).status_code == 400
    batch = {"batch": [{"session_id": "analytics", "type": "screen", "name": "x"}]}
    assert api.post("/events", batch).json()["rejected"][0]["code"] == "invalid_event"
