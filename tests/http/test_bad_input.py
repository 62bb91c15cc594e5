"""Every bad input in SPEC answers 400 with the error body and leaves the stored data unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

BAD_METADATA: list[tuple[str, Any]] = [
    ("comma in key", {"metadata": {"a,b": "v"}}),
    ("129-char key", {"metadata": {"k" * 129: "v"}}),
    ("empty key", {"metadata": {"": "v"}}),
    ("191-char value", {"metadata": {"k": "v" * 191}}),
    ("6 items", {"metadata": {f"k{i}": "v" for i in range(6)}}),
    ("non-string value", {"metadata": {"k": 5}}),
    ("null value", {"metadata": {"k": None}}),
    ("empty map", {"metadata": {}}),
    ("metadata not an object", {"metadata": ["k", "v"]}),
    ("missing metadata", {}),
    ("unknown field", {"metadata": {"k": "v"}, "upsrt": True}),
    ("upsert not a boolean", {"metadata": {"k": "v"}, "upsert": "yes"}),
    ("body not an object", ["metadata"]),
]

BAD_COUNTERS: list[tuple[str, Any]] = [
    ("float", {"metacounter": {"c": 1.5}}),
    ("float with zero fraction", {"metacounter": {"c": 2.0}}),
    ("boolean", {"metacounter": {"c": True}}),
    ("string number", {"metacounter": {"c": "1"}}),
    ("above int64", {"metacounter": {"c": 2**63}}),
    ("below int64", {"metacounter": {"c": -(2**63) - 1}}),
    ("unknown mode", {"metacounter": {"c": 1}, "mode": "multiply"}),
    ("6 items", {"metacounter": {f"c{i}": 1 for i in range(6)}}),
    ("comma in key", {"metacounter": {"c,d": 1}}),
    ("empty map", {"metacounter": {}}),
]


def _assert_400(response: Any) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] is True and isinstance(body["code"], str) and body["message"]


@pytest.mark.parametrize(("case", "body"), BAD_METADATA, ids=[c for c, _ in BAD_METADATA])
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_bad_metadata_is_400_and_writes_nothing(api: Api, user: str, case: str, body: Any, method: str) -> None:
    path = f"/users/{user}/metadata"
    api.post(path, {"metadata": {"k": "original"}})
    _assert_400(api(method, path, body))
    assert api.get(path).json() == {"k": "original"}


@pytest.mark.parametrize(("case", "body"), BAD_COUNTERS, ids=[c for c, _ in BAD_COUNTERS])
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_bad_metacounter_is_400_and_writes_nothing(api: Api, channel: str, case: str, body: Any, method: str) -> None:
    if method == "POST" and case == "unknown mode":
        body = {**body}  # POST has no mode: the extra field itself is the error
    path = f"{channel}/metacounter"
    api.post(path, {"metacounter": {"c": 7}})
    _assert_400(api(method, path, body))
    assert api.get(path).json() == {"c": 7}


@pytest.mark.parametrize(
    "body",
    [{"value": 1.5}, {"value": True}, {"value": 2**63}, {"value": 1, "mode": "x"}, {}, {"value": "1"}],
    ids=["float", "bool", "overflow", "mode", "missing", "string"],
)
def test_bad_single_counter_is_400(api: Api, channel: str, body: Any) -> None:
    api.post(f"{channel}/metacounter", {"metacounter": {"c": 7}})
    _assert_400(api.put(f"{channel}/metacounter/c", body))
    assert api.get(f"{channel}/metacounter").json() == {"c": 7}


@pytest.mark.parametrize("raw", ["{not json", '{"metadata": {"k": "v"}', "", "null", '"string"'])
def test_malformed_json_is_400(api: Api, user: str, raw: str) -> None:
    path = f"/users/{user}/metadata"
    api.post(path, {"metadata": {"k": "original"}})
    _assert_400(api("PUT", path, raw=raw))
    assert api.get(path).json() == {"k": "original"}


def test_body_over_1_mib_is_413(api: Api, user: str) -> None:
    response = api("PUT", f"/users/{user}/metadata", raw='{"metadata": {"k": "' + "x" * (1024 * 1024) + '"}}')
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_bad_single_value_is_400(api: Api, user: str) -> None:
    path = f"/users/{user}/metadata"
    api.post(path, {"metadata": {"k": "original"}})
    _assert_400(api.put(f"{path}/k", {"value": "v" * 191}))
    _assert_400(api.put(f"{path}/k", {"value": 3}))
    _assert_400(api.put(f"{path}/{'k' * 129}", {"value": "v", "upsert": True}))
    _assert_400(api.put(f"{path}/a%2Cb", {"value": "v", "upsert": True}))
    assert api.get(path).json() == {"k": "original"}


def test_bad_query_parameters_are_400(api: Api, user: str, channel: str) -> None:
    too_many = ",".join(f"k{i}" for i in range(101))
    _assert_400(api.get(f"/users/{user}/metadata?keys={too_many}"))
    _assert_400(api.get(f"/users/{user}/metadata?keys={'k' * 129}"))
    _assert_400(api.get(f"/users?metadatakey={'k' * 129}&metadatavalues_in=a"))
    _assert_400(api.get(f"/users?metadatakey=k&metadatavalues_in={too_many}"))
    _assert_400(api.get("/users?metadatavalues_in=a"))
    _assert_400(api.get(f"{channel.rsplit('/', 1)[0]}?metacounter_key={'k' * 129}"))
    _assert_400(api.get(f"{channel.rsplit('/', 1)[0]}?limit=abc"))


def test_overlong_ids_in_paths_are_404_not_5xx(api: Api, channel: str) -> None:
    long_id = "u" * 3000
    assert api.get(f"/users/{long_id}").status_code == 404
    assert api.put(f"/users/{long_id}/metadata", {"metadata": {"k": "v"}, "upsert": True}).status_code == 404
    assert api.get(f"/open_channels/{long_id}/metacounter").status_code == 404
    assert api.post("/users", {"user_id": long_id}).status_code == 400


def test_meta_round_trips_any_json(api: Api) -> None:
    import uuid

    meta = {"": True, "f": -5.0712984329677065e95, "deep": [[[{"x": None}]]], "tiny": 1e-300, "big": 10**40}
    user_id = f"meta-{uuid.uuid4().hex[:8]}"
    created = api.post("/users", {"user_id": user_id, "meta": meta})
    assert created.status_code == 201, created.text
    assert api.get(f"/users/{user_id}").json()["meta"] == meta
    assert any(u["meta"] == meta for u in api.get("/users?limit=100").json()["data"])


@pytest.mark.parametrize(
    "raw",
    [b"\xa0\x9b not utf-8", b'{"metadata": {"k": "\\ud8f1"}}', b'{"metadata": {"k": NaN}}', b"Infinity"],
    ids=["not-utf8", "lone-surrogate", "nan", "infinity"],
)
def test_undecodable_bodies_are_400(api: Api, user: str, raw: bytes) -> None:
    path = f"/users/{user}/metadata"
    api.post(path, {"metadata": {"k": "original"}})
    response = api.session.put(api.base + path, data=raw, timeout=30)
    _assert_400(response)
    assert api.get(path).json() == {"k": "original"}
