"""Key/value metadata over HTTP, on users and on both channel types (same routes, same rules)."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import Api


@pytest.fixture(params=["user", "channel"])
def owner(request: pytest.FixtureRequest, user: str, channel: str) -> str:
    return f"/users/{user}" if request.param == "user" else channel


def test_create_then_read_all_some_and_one(api: Api, owner: str) -> None:
    created = api.post(f"{owner}/metadata", {"metadata": {"location": "NYC", "marriage": "N", "a": "1"}})
    assert created.status_code == 200
    assert created.json() == {"location": "NYC", "marriage": "N", "a": "1"}
    assert api.get(f"{owner}/metadata").json() == {"location": "NYC", "marriage": "N", "a": "1"}
    assert api.get(f"{owner}/metadata?keys=location,absent,a").json() == {"location": "NYC", "a": "1"}
    assert api.get(f"{owner}/metadata/marriage").json() == {"marriage": "N"}
    missing = api.get(f"{owner}/metadata/absent")
    assert missing.status_code == 404 and missing.json()["code"] == "key_not_found"


def test_create_with_an_existing_key_is_409_and_writes_nothing(api: Api, owner: str) -> None:
    api.post(f"{owner}/metadata", {"metadata": {"a": "1"}})
    clash = api.post(f"{owner}/metadata", {"metadata": {"b": "2", "a": "changed"}})
    assert clash.status_code == 409
    assert clash.json()["code"] == "key_exists"
    assert api.get(f"{owner}/metadata").json() == {"a": "1"}


def test_update_without_upsert_changes_only_existing_keys(api: Api, owner: str) -> None:
    api.post(f"{owner}/metadata", {"metadata": {"a": "1", "b": "2"}})
    response = api.put(f"{owner}/metadata", {"metadata": {"a": "10", "new": "x"}})
    assert response.status_code == 200
    assert response.json() == {"a": "10"}
    assert api.get(f"{owner}/metadata").json() == {"a": "10", "b": "2"}


def test_update_with_upsert_adds_missing_keys(api: Api, owner: str) -> None:
    api.post(f"{owner}/metadata", {"metadata": {"a": "1"}})
    response = api.put(f"{owner}/metadata", {"metadata": {"a": "10", "new": "x"}, "upsert": True})
    assert response.json() == {"a": "10", "new": "x"}
    assert api.get(f"{owner}/metadata").json() == {"a": "10", "new": "x"}


def test_put_one_key_is_404_when_absent_unless_upsert(api: Api, owner: str) -> None:
    absent = api.put(f"{owner}/metadata/k", {"value": "v"})
    assert absent.status_code == 404
    assert api.put(f"{owner}/metadata/k", {"value": "v", "upsert": True}).json() == {"k": "v"}
    assert api.put(f"{owner}/metadata/k", {"value": "w"}).json() == {"k": "w"}
    assert api.get(f"{owner}/metadata/k").json() == {"k": "w"}


def test_delete_one_key_and_all(api: Api, owner: str) -> None:
    api.post(f"{owner}/metadata", {"metadata": {"a": "1", "b": "2"}})
    assert api.delete(f"{owner}/metadata/a").json() == {}
    assert api.delete(f"{owner}/metadata/a").status_code == 404
    assert api.get(f"{owner}/metadata").json() == {"b": "2"}
    assert api.delete(f"{owner}/metadata").json() == {}
    assert api.get(f"{owner}/metadata").json() == {}


def test_owner_must_exist(api: Api) -> None:
    for path in ("/users/ghost-owner/metadata", "/open_channels/ghost-owner/metadata"):
        assert api.post(path, {"metadata": {"a": "1"}}).status_code == 404
        assert api.put(path, {"metadata": {"a": "1"}, "upsert": True}).status_code == 404
        assert api.get(path).status_code == 404


def test_a_resource_holds_at_most_100_keys(api: Api, owner: str) -> None:
    for start in range(0, 100, 5):
        batch = {f"k{i}": "v" for i in range(start, start + 5)}
        assert api.post(f"{owner}/metadata", {"metadata": batch}).status_code == 200
    over = api.put(f"{owner}/metadata", {"metadata": {"k0": "x", "k100": "y"}, "upsert": True})
    assert over.status_code == 400 and over.json()["code"] == "too_many_keys"
    assert api.post(f"{owner}/metadata", {"metadata": {"k100": "y"}}).status_code == 400
    # At the limit, upserting keys that exist still works.
    ok = api.put(f"{owner}/metadata", {"metadata": {"k0": "x", "k99": "z"}, "upsert": True})
    assert ok.status_code == 200 and ok.json() == {"k0": "x", "k99": "z"}
    stored = api.get(f"{owner}/metadata").json()
    assert len(stored) == 100 and stored["k0"] == "x" and "k100" not in stored


def test_channel_metadata_include_ts(api: Api, channel: str) -> None:
    response = api.post(f"{channel}/metadata", {"metadata": {"a": "1"}, "include_ts": True})
    body = response.json()
    assert body["metadata"] == {"a": "1"} and isinstance(body["include_ts"], int)


def test_a_repeated_list_parameter_reads_as_its_comma_list(api: Api, user: str) -> None:
    assert api.post(f"/users/{user}/metadata", {"metadata": {"a": "1", "b": "2", "c": "3"}}).status_code == 200
    assert api.get(f"/users/{user}/metadata?keys=a&keys=c").json() == {"a": "1", "c": "3"}
    assert api.get(f"/users/{user}/metadata?keys=a, c").json() == {"a": "1", "c": "3"}  # the seed's spacing
    tag = uuid.uuid4().hex[:8]
    assert api.put(f"/users/{user}/metadata", {"metadata": {"tier": tag}, "upsert": True}).status_code == 200
    listed = api.get(f"/users?metadatakey=tier&metadatavalues_in=none&metadatavalues_in={tag}").json()
    assert [u["user_id"] for u in listed["data"]] == [user]
    twice = api.get("/users?limit=1&limit=2")
    assert twice.status_code == 400, "a single-valued parameter given twice is refused, not one value picked"
