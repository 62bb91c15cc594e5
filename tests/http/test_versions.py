"""ETag on every GET of a resource or its metadata, metacounter or meta; If-Match with a stale
version is 412 `precondition_failed` and changes nothing (lost-update protection).

A record and its meta share one version (one item); its metadata and its metacounter each have
their own ETag (their keys are items of their own), which their writes take as If-Match."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conftest import Api


@pytest.fixture
def channel_path(api: Api) -> str:
    url = f"v-{uuid.uuid4().hex[:8]}"
    body = {"channel_url": url, "metadata": {"k": "v"}, "metacounter": {"c": 1}, "meta": {"m": 1}}
    assert api.post("/open_channels", body).status_code == 201
    return f"/open_channels/{url}"


def test_every_get_answers_an_etag_that_moves_with_writes(api: Api, user: str, channel_path: str) -> None:
    u = f"/users/{user}"
    api.post(f"{u}/metadata", {"metadata": {"k": "v"}})
    paths = [
        u,
        f"{u}/metadata",
        f"{u}/metadata/k",
        f"{u}/meta",
        channel_path,
        f"{channel_path}/metadata",
        f"{channel_path}/metadata/k",
        f"{channel_path}/metacounter",
        f"{channel_path}/metacounter/c",
        f"{channel_path}/meta",
    ]
    tags = {p: api.get(p).headers.get("ETag") for p in paths}
    assert all(t and t.startswith('"') and t.endswith('"') for t in tags.values()), tags
    assert tags[u] == tags[f"{u}/meta"], "one item, one version"
    assert tags[f"{u}/metadata"] == tags[f"{u}/metadata/k"], "one map, one ETag"
    api.put(f"{channel_path}/metacounter/c", {"value": 1, "mode": "increase"})
    assert api.get(f"{channel_path}/metacounter").headers["ETag"] != tags[f"{channel_path}/metacounter"]
    assert api.get(f"{channel_path}/metacounter/c").headers["ETag"] != tags[f"{channel_path}/metacounter/c"]
    assert api.get(channel_path).headers["ETag"] == tags[channel_path], "a counter is not the channel's own field"
    api.put(f"{u}/metadata/k", {"value": "other"})
    moved = api.get(f"{u}/metadata").headers["ETag"]
    assert moved != tags[f"{u}/metadata"]
    api.post(f"{u}/metadata", {"metadata": {"new": "v"}})
    assert api.get(f"{u}/metadata/k").headers["ETag"] != moved, "a key added moves every key's ETag"


WRITES: dict[str, Callable[[Api, str, str, dict[str, str]], Any]] = {
    "put user": lambda a, u, c, h: a.put(u, {"nickname": str(uuid.uuid4())}, headers=h),
    "patch meta": lambda a, u, c, h: a("PATCH", u, {"meta": {"w": str(uuid.uuid4())}}, headers=h),
    "merge meta": lambda a, u, c, h: a.post(f"{u}/meta", {"w": str(uuid.uuid4())}, headers=h),
    "put metadata": lambda a, u, c, h: a.put(f"{u}/metadata", {"metadata": {"k": str(uuid.uuid4())}}, headers=h),
    "post metadata": lambda a, u, c, h: a.post(f"{u}/metadata", {"metadata": {str(uuid.uuid4()): "v"}}, headers=h),
    "put metadata key": lambda a, u, c, h: a.put(f"{u}/metadata/k", {"value": str(uuid.uuid4())}, headers=h),
    "delete metadata key": lambda a, u, c, h: a.delete(f"{u}/metadata/k", headers=h),
    "increase counter": lambda a, u, c, h: a.put(f"{c}/metacounter/c", {"value": 1, "mode": "increase"}, headers=h),
    "put metacounter": lambda a, u, c, h: a.put(f"{c}/metacounter", {"metacounter": {"c": 5}}, headers=h),
    "put channel": lambda a, u, c, h: a.put(c, {"name": str(uuid.uuid4())}, headers=h),
    "delete counter key": lambda a, u, c, h: a.delete(f"{c}/metacounter/c", headers=h),
    "delete user": lambda a, u, c, h: a.delete(u, headers=h),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_two_clients_read_then_write_with_if_match_exactly_one_wins(
    server: str, api: Api, user: str, channel_path: str, write: str
) -> None:
    u = f"/users/{user}"
    api.post(f"{u}/metadata", {"metadata": {"k": "v"}})
    target = {
        "increase counter": f"{channel_path}/metacounter",
        "put metacounter": f"{channel_path}/metacounter",
        "delete counter key": f"{channel_path}/metacounter",
        "put channel": channel_path,
        "put metadata": f"{u}/metadata",
        "post metadata": f"{u}/metadata",
        "put metadata key": f"{u}/metadata",
        "delete metadata key": f"{u}/metadata",
    }.get(write, u)
    before_state = api.get(target).json()
    etag = api.get(target).headers["ETag"]

    def attempt(_: int) -> int:
        return int(WRITES[write](Api(server), u, channel_path, {"If-Match": etag}).status_code)

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(attempt, range(2)))
    # The loser of a delete race finds nothing left (404); every other loser is told its version is stale.
    assert statuses == ([200, 404] if write == "delete user" else [200, 412]), statuses
    after = api.get(target)
    if write != "delete user":
        assert after.json() != before_state and after.headers["ETag"] != etag


def test_stale_or_foreign_if_match_is_412_and_changes_nothing(api: Api, user: str) -> None:
    u = f"/users/{user}"
    etag = api.get(u).headers["ETag"]
    api.put(u, {"nickname": "moved on"})
    for tag in (etag, '"999999"', "garbage", '"-1"'):
        response = api.put(u, {"nickname": "stale"}, headers={"If-Match": tag})
        assert response.status_code == 412, response.text
        assert response.json()["code"] == "precondition_failed"
    assert api.get(u).json()["nickname"] == "moved on"
    current = api.get(u).headers["ETag"]
    assert api.put(u, {"nickname": "fresh"}, headers={"If-Match": current}).status_code == 200
    assert api.put(u, {"nickname": "any"}, headers={"If-Match": "*"}).status_code == 200
