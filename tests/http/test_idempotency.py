"""Idempotency-Key on POST/PUT/PATCH: retries answer the first response and apply nothing again."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import Api


def key() -> dict[str, str]:
    return {"Idempotency-Key": f"k-{uuid.uuid4()}"}


def test_a_retried_increase_applies_once_and_answers_the_first_response(api: Api, channel: str) -> None:
    api.post(f"{channel}/metacounter", {"metacounter": {"c": 0}})
    headers = key()
    first = api.put(f"{channel}/metacounter/c", {"value": 5, "mode": "increase"}, headers=headers)
    again = api.put(f"{channel}/metacounter/c", {"value": 5, "mode": "increase"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"c": 5}
    assert api.get(f"{channel}/metacounter/c").json() == {"c": 5}
    fresh = api.put(f"{channel}/metacounter/c", {"value": 5, "mode": "increase"}, headers=key())
    assert fresh.json() == {"c": 10}


def test_a_retried_create_answers_its_201_not_a_409(api: Api) -> None:
    headers, user_id = key(), f"idem-{uuid.uuid4().hex[:8]}"
    first = api.post("/users", {"user_id": user_id}, headers=headers)
    again = api.post("/users", {"user_id": user_id}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert api.post("/users", {"user_id": user_id}).status_code == 409


def test_errors_are_remembered_too(api: Api, user: str) -> None:
    headers = key()
    first = api.put(f"/users/{user}/metadata/k", {"value": "v"}, headers=headers)
    assert first.status_code == 404
    api.put(f"/users/{user}/metadata/k", {"value": "created meanwhile", "upsert": True})
    assert api.put(f"/users/{user}/metadata/k", {"value": "v"}, headers=headers).status_code == 404


def test_the_same_key_with_another_body_is_409_and_writes_nothing(api: Api, user: str) -> None:
    headers = key()
    api.post(f"/users/{user}/meta", {"a": 1}, headers=headers)
    other = api.post(f"/users/{user}/meta", {"a": 2}, headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert api.get(f"/users/{user}/meta").json() == {"a": 1}


def test_keys_are_scoped_to_application_method_and_path(api: Api, other_app: Api, user: str) -> None:
    headers = key()
    assert api.post(f"/users/{user}/meta", {"a": 1}, headers=headers).status_code == 200
    assert api("PATCH", f"/users/{user}", {"meta": {"b": 2}}, headers=headers).status_code == 200
    assert other_app.post(f"/users/{user}/meta", {"a": 1}, headers=headers).status_code == 404
    assert api.get(f"/users/{user}/meta").json() == {"b": 2}


def test_a_key_longer_than_255_characters_is_400(api: Api, user: str) -> None:
    response = api.post(f"/users/{user}/meta", {"a": 1}, headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"
    assert api.get(f"/users/{user}/meta").json() == {}


def test_concurrent_first_requests_with_one_key_apply_once(server: str, channel: str) -> None:
    Api(server).post(f"{channel}/metacounter", {"metacounter": {"c": 0}})
    headers = key()

    def send(_: int) -> int:
        client = Api(server)
        return int(
            client.put(f"{channel}/metacounter/c", {"value": 1, "mode": "increase"}, headers=headers).status_code
        )

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, range(8)))
    assert Api(server).get(f"{channel}/metacounter/c").json() == {"c": 1}
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 409}
