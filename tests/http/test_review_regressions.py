"""Inputs a review found answering 5xx or misbehaving; each must now be a clean 4xx (or right answer)."""

from __future__ import annotations

import base64
import json
import uuid

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


def test_an_idempotent_create_with_a_large_answer_still_succeeds(api: Api) -> None:
    url, headers = f"big-{uuid.uuid4().hex[:8]}", {"Idempotency-Key": str(uuid.uuid4())}
    body = {"channel_url": url, "data": "\u0001" * 65536}
    assert api.post("/open_channels", body, headers=headers).status_code == 201
    retry = api.post("/open_channels", body, headers=headers)
    assert retry.status_code == 409  # too large to remember: the retry runs again and finds it created
    assert api.get(f"/open_channels/{url}").json()["data"] == body["data"]
