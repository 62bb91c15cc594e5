"""`meta` documents on users and channels: PATCH replaces, POST …/meta merges top-level keys,
`_` keys are Annex's, 8 KiB at most, and concurrent merges lose nothing."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conftest import Api


@pytest.fixture(params=["user", "channel"])
def owner(request: pytest.FixtureRequest, api: Api) -> str:
    if request.param == "user":
        user_id = f"meta-{uuid.uuid4().hex[:8]}"
        api.post("/users", {"user_id": user_id, "meta": {"a": 1, "nested": {"x": 1, "y": 2}}})
        return f"/users/{user_id}"
    url = f"meta-{uuid.uuid4().hex[:8]}"
    api.post("/group_channels", {"channel_url": url, "meta": {"a": 1, "nested": {"x": 1, "y": 2}}})
    return f"/group_channels/{url}"


def test_patch_replaces_the_whole_document(api: Api, owner: str) -> None:
    response = api("PATCH", owner, {"meta": {"nested": {"x": 9}, "b": [1, 2]}})
    assert response.status_code == 200, response.text
    assert response.json()["meta"] == {"nested": {"x": 9}, "b": [1, 2]}
    assert api.get(f"{owner}/meta").json() == {"nested": {"x": 9}, "b": [1, 2]}


def test_post_merges_top_level_keys_and_replaces_nested_objects(api: Api, owner: str) -> None:
    merged = api.post(f"{owner}/meta", {"b": "new", "nested": {"z": 3}})
    assert merged.status_code == 200, merged.text
    assert merged.json() == {"a": 1, "b": "new", "nested": {"z": 3}}
    assert api.get(owner).json()["meta"] == {"a": 1, "b": "new", "nested": {"z": 3}}


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"meta": {"_system": 1}}),
        ("POST", "/meta", {"_system": 1}),
        ("PATCH", "", {"meta": {"big": "x" * 8200}}),
        ("POST", "/meta", {"big": "x" * 8200}),
        ("PATCH", "", {"meta": [1]}),
        ("POST", "/meta", [1]),
        ("PATCH", "", {"meta": {}, "extra": 1}),
    ],
    ids=["patch-system-key", "post-system-key", "patch-too-big", "post-too-big", "patch-array", "post-array", "extra"],
)
def test_bad_meta_is_400_and_changes_nothing(api: Api, owner: str, method: str, suffix: str, body: Any) -> None:
    response = api(method, owner + suffix, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] is True
    assert api.get(f"{owner}/meta").json() == {"a": 1, "nested": {"x": 1, "y": 2}}


def test_a_merge_that_would_pass_8_kib_is_400(api: Api, owner: str) -> None:
    assert api.post(f"{owner}/meta", {"half": "x" * 4000}).status_code == 200
    over = api.post(f"{owner}/meta", {"other": "y" * 4200})
    assert over.status_code == 400 and over.json()["code"] == "meta_too_large"
    assert set(api.get(f"{owner}/meta").json()) == {"a", "nested", "half"}


def test_missing_owner_is_404(api: Api) -> None:
    assert api("PATCH", "/users/nobody-meta", {"meta": {}}).status_code == 404
    assert api.post("/users/nobody-meta/meta", {"a": 1}).status_code == 404
    assert api.get("/open_channels/nobody-meta/meta").status_code == 404


def test_concurrent_merges_of_distinct_keys_lose_nothing(server: str, owner: str) -> None:
    def worker(n: int) -> list[int]:
        client = Api(server)
        return [client.post(f"{owner}/meta", {f"t{n}-{i}": i}).status_code for i in range(5)]

    with ThreadPoolExecutor(8) as pool:
        statuses = [s for batch in pool.map(worker, range(8)) for s in batch]
    assert statuses == [200] * 40
    stored = Api(server).get(f"{owner}/meta").json()
    assert {k: v for k, v in stored.items() if k.startswith("t")} == {
        f"t{n}-{i}": i for n in range(8) for i in range(5)
    }


def test_concurrent_merges_never_exceed_8_kib_together(server: str, owner: str) -> None:
    def worker(n: int) -> int:
        return int(Api(server).post(f"{owner}/meta", {f"chunk{n}": "z" * 1500}).status_code)

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(worker, range(8)))
    stored = Api(server).get(f"{owner}/meta").json()
    assert len(json.dumps(stored, separators=(",", ":"), ensure_ascii=False).encode()) <= 8 * 1024
    assert statuses.count(200) == sum(1 for k in stored if k.startswith("chunk")) == 5
    assert set(statuses) == {200, 400}
