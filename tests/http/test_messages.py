"""Messages over HTTP: send, read, list and filter, delete, meta, versions, ids under concurrency,
bad input, and a channel's delete taking its messages with it."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key

from annex.store import keys
from tests.conftest import Api


def _send(api: Api, channel: str, **fields: Any) -> dict[str, Any]:
    response = api.post(f"{channel}/messages", {"user_id": "alice", "message": "hi"} | fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _ids(api: Api, channel: str, **params: Any) -> list[int]:
    response = api.get(f"{channel}/messages", params={"limit": 100} | params)
    assert response.status_code == 200, response.text
    return [m["message_id"] for m in response.json()["data"]]


def test_send_answers_the_message_and_it_reads_back_with_an_etag(api: Api, channel: str) -> None:
    sent = _send(
        api,
        channel,
        message="Standup in 5",
        data='{"color": "red"}',
        sorted_metaarray=[{"key": "design", "value": ["A", "B", "A"]}, {"key": "likes", "value": []}],
        meta={"priority": "high"},
    )
    assert sent["message_id"] == 1 and sent["channel_url"] == channel.rsplit("/", 1)[1]
    assert sent["sorted_metaarray"] == [{"key": "design", "value": ["A", "B"]}, {"key": "likes", "value": []}]
    assert sent["user_id"] == "alice" and sent["data"] == '{"color": "red"}' and sent["meta"] == {"priority": "high"}
    assert isinstance(sent["created_at"], int) and sent["created_at"] > 1_600_000_000_000
    read = api.get(f"{channel}/messages/1")
    assert read.status_code == 200 and read.json() == sent
    assert read.headers["ETag"].startswith('"') and api.get(f"{channel}/messages/1/meta").json() == {"priority": "high"}
    assert api.get(f"{channel}/messages/1/meta").headers["ETag"] == read.headers["ETag"]
    assert _send(api, channel)["message_id"] == 2


def test_ids_are_per_channel(api: Api) -> None:
    a, b = (f"/group_channels/ids-{uuid.uuid4().hex[:8]}" for _ in range(2))
    for path in (a, b):
        assert api.post("/group_channels", {"channel_url": path.rsplit("/", 1)[1]}).status_code == 201
    assert [_send(api, a)["message_id"] for _ in range(3)] == [1, 2, 3]
    assert _send(api, b)["message_id"] == 1


def test_a_missing_channel_is_404_on_every_route_and_nothing_is_written(api: Api, channel: str) -> None:
    ghost = f"/open_channels/ghost-{uuid.uuid4().hex[:8]}"
    for response in (
        api.post(f"{ghost}/messages", {"user_id": "u", "message": "m"}),
        api.get(f"{ghost}/messages"),
        api.get(f"{ghost}/messages?metaarray_key=k&metaarray_values=v"),
        api.get(f"{ghost}/messages/1"),
        api.get("/direct_channels/x/messages"),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["error"] is True
    assert api.post("/open_channels", {"channel_url": ghost.rsplit("/", 1)[1]}).status_code == 201
    assert _send(api, ghost)["message_id"] == 1  # the refused sends allocated nothing


def test_list_is_oldest_first_in_pages_with_an_opaque_cursor(api: Api, channel: str) -> None:
    for i in range(7):
        _send(api, channel, message=f"m{i}")
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get(f"{channel}/messages", params={"limit": 3} | ({"next": cursor} if cursor else {}))
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [m["message"] for m in body["data"]]
        cursor, pages = body["next"], pages + 1
        if cursor is None:
            break
    assert seen == [f"m{i}" for i in range(7)] and pages == 3
    assert api.get(f"{channel}/messages").json()["next"] is None  # default limit 20: one page
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "x"}, {"next": "not-a-cursor"}, {"next": "e30"}):
        response = api.get(f"{channel}/messages", params=params)
        assert response.status_code == 400, (params, response.text)


def test_filter_answers_messages_whose_key_holds_any_of_the_values(api: Api, channel: str) -> None:
    tagged = {
        1: [{"key": "team", "value": ["red", "blue"]}],
        2: [{"key": "team", "value": ["green"]}],
        3: [{"key": "other", "value": ["red"]}],
        4: [{"key": "team", "value": ["blue"]}, {"key": "x", "value": ["y"]}],
        5: [],
    }
    for metaarray in tagged.values():
        _send(api, channel, sorted_metaarray=metaarray)
    assert _ids(api, channel, metaarray_key="team", metaarray_values="red") == [1]
    assert _ids(api, channel, metaarray_key="team", metaarray_values="blue,red,nope") == [1, 4]
    assert _ids(api, channel, metaarray_key="team", metaarray_values="purple") == []
    first = api.get(
        f"{channel}/messages", params={"metaarray_key": "team", "metaarray_values": "blue,green", "limit": 2}
    )
    assert [m["message_id"] for m in first.json()["data"]] == [1, 2]
    rest = api.get(
        f"{channel}/messages",
        params={"metaarray_key": "team", "metaarray_values": "blue,green", "limit": 2, "next": first.json()["next"]},
    )
    assert [m["message_id"] for m in rest.json()["data"]] == [4] and rest.json()["next"] is None
    # The index follows every change: a removed value, a deleted key, a deleted message.
    api.put(
        f"{channel}/messages/1/sorted_metaarray",
        {"sorted_metaarray": [{"key": "team", "value": ["red"]}], "mode": "remove"},
    )
    api.delete(f"{channel}/messages/4/sorted_metaarray?keys=team")
    api.delete(f"{channel}/messages/2")
    assert _ids(api, channel, metaarray_key="team", metaarray_values="red,blue,green") == [1]
    api.put(
        f"{channel}/messages/5/sorted_metaarray",
        {"sorted_metaarray": [{"key": "team", "value": ["red"]}], "upsert": True},
    )
    assert _ids(api, channel, metaarray_key="team", metaarray_values="red") == [5]


@pytest.mark.parametrize(
    "params",
    [
        {"metaarray_key": "team"},
        {"metaarray_values": "red"},
        {"metaarray_key": "team", "metaarray_values": ""},
        {"metaarray_key": "", "metaarray_values": "red"},
        {"metaarray_key": "k" * 81, "metaarray_values": "red"},
        {"metaarray_key": "team", "metaarray_values": ",".join(str(i) for i in range(21))},
        {"metaarray_key": "team", "metaarray_values": "v" * 129},
    ],
)
def test_a_bad_filter_is_400(api: Api, channel: str, params: dict[str, str]) -> None:
    response = api.get(f"{channel}/messages", params=params)
    assert response.status_code == 400, response.text
    assert response.json()["code"] in ("invalid_filter", "invalid_key")


@pytest.mark.parametrize(
    "message_id",
    ["abc", "0", "-1", "1.5", "99999999999999999999", "9223372036854775808", "%20", "\uff11"],  # fullwidth one
)
def test_a_message_id_that_is_not_a_positive_integer_is_404(api: Api, channel: str, message_id: str) -> None:
    _send(api, channel)
    for method, suffix, body in (
        ("GET", "", None),
        ("DELETE", "", None),
        ("PATCH", "", {"meta": {}}),
        ("GET", "/meta", None),
        ("POST", "/meta", {"a": 1}),
        ("POST", "/sorted_metaarray", {"sorted_metaarray": [{"key": "k", "value": []}]}),
        ("PUT", "/sorted_metaarray", {"sorted_metaarray": [{"key": "k", "value": []}]}),
        ("DELETE", "/sorted_metaarray?keys=k", None),
    ):
        response = api(method, f"{channel}/messages/{message_id}{suffix}", body)
        assert response.status_code == 404, (method, suffix, response.text)
        assert response.json()["code"] in ("message_not_found", "not_found")


def test_delete_removes_the_message_and_nothing_else(api: Api, channel: str) -> None:
    for _ in range(3):
        _send(api, channel, sorted_metaarray=[{"key": "k", "value": ["v"]}])
    assert api.delete(f"{channel}/messages/2").json() == {}
    assert api.get(f"{channel}/messages/2").status_code == 404
    assert api.delete(f"{channel}/messages/2").status_code == 404
    assert _ids(api, channel) == [1, 3]
    assert _ids(api, channel, metaarray_key="k", metaarray_values="v") == [1, 3]
    assert _send(api, channel)["message_id"] == 4  # ids are never reused


def test_meta_on_a_message_replaces_merges_and_keeps_the_rules(api: Api, channel: str) -> None:
    _send(api, channel, meta={"a": 1, "nested": {"x": 1}})
    patched = api("PATCH", f"{channel}/messages/1", {"meta": {"nested": {"y": 2}}})
    assert patched.status_code == 200 and patched.json()["meta"] == {"nested": {"y": 2}}
    merged = api.post(f"{channel}/messages/1/meta", {"b": [1, 2], "nested": {"z": 3}})
    assert merged.json() == {"nested": {"z": 3}, "b": [1, 2]}
    assert api.get(f"{channel}/messages/1").json()["meta"] == {"nested": {"z": 3}, "b": [1, 2]}
    for response in (
        api.post(f"{channel}/messages/1/meta", {"_system": 1}),
        api("PATCH", f"{channel}/messages/1", {"meta": {"_system": 1}}),
        api.post(f"{channel}/messages/1/meta", {"big": "x" * 8200}),
        api.post(f"{channel}/messages/1/meta", ["not", "an", "object"]),
        api.post(f"{channel}/messages", {"user_id": "u", "message": "m", "meta": {"_x": 1}}),
    ):
        assert response.status_code == 400, response.text
    half = "y" * 4100
    assert api.post(f"{channel}/messages/1/meta", {"h1": half}).status_code == 200
    assert api.post(f"{channel}/messages/1/meta", {"h2": half}).json()["code"] == "meta_too_large"
    assert set(api.get(f"{channel}/messages/1/meta").json()) == {"nested", "b", "h1"}


def _writes(channel: str) -> dict[str, tuple[str, str, Any]]:
    m = f"{channel}/messages/1"
    return {
        "patch meta": ("PATCH", m, {"meta": {"w": str(uuid.uuid4())}}),
        "merge meta": ("POST", f"{m}/meta", {"w": str(uuid.uuid4())}),
        "create keys": (
            "POST",
            f"{m}/sorted_metaarray",
            {"sorted_metaarray": [{"key": str(uuid.uuid4()), "value": []}]},
        ),
        "add values": (
            "PUT",
            f"{m}/sorted_metaarray",
            {"sorted_metaarray": [{"key": "k", "value": [str(uuid.uuid4())]}]},
        ),
        "remove values": (
            "PUT",
            f"{m}/sorted_metaarray",
            {"sorted_metaarray": [{"key": "k", "value": ["v"]}], "mode": "remove"},
        ),
        "delete keys": ("DELETE", f"{m}/sorted_metaarray?keys=k", None),
        "delete message": ("DELETE", m, None),
    }


WRITES = list(_writes("/c"))


@pytest.mark.parametrize("write", WRITES)
def test_a_stale_if_match_is_412_and_writes_nothing(api: Api, channel: str, write: str) -> None:
    _send(api, channel, sorted_metaarray=[{"key": "k", "value": ["v"]}], meta={"m": 1})
    etag = api.get(f"{channel}/messages/1").headers["ETag"]
    api.post(f"{channel}/messages/1/meta", {"moved": True})
    before = api.get(f"{channel}/messages/1").json()
    method, path, body = _writes(channel)[write]
    response = api(method, path, body, headers={"If-Match": etag})
    assert response.status_code == 412, response.text
    assert response.json()["code"] == "precondition_failed"
    assert api.get(f"{channel}/messages/1").json() == before


@pytest.mark.parametrize("write", WRITES)
def test_two_clients_read_then_write_with_if_match_exactly_one_wins(
    server: str, api: Api, channel: str, write: str
) -> None:
    _send(api, channel, sorted_metaarray=[{"key": "k", "value": ["v"]}])
    etag = api.get(f"{channel}/messages/1").headers["ETag"]

    def attempt(_: int) -> int:
        method, path, body = _writes(channel)[write]  # each client its own body
        return int(Api(server)(method, path, body, headers={"If-Match": etag}).status_code)

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(attempt, range(2)))
    assert statuses == ([200, 404] if write == "delete message" else [200, 412]), statuses
    if write != "delete message":
        assert api.get(f"{channel}/messages/1").headers["ETag"] != etag


def test_8_threads_of_25_sends_get_200_distinct_ids_increasing_per_thread(server: str, channel: str) -> None:
    def sender(thread: int) -> list[int]:
        client = Api(server)
        ids = []
        for i in range(25):
            response = client.post(f"{channel}/messages", {"user_id": f"t{thread}", "message": str(i)})
            assert response.status_code == 201, response.text
            ids.append(response.json()["message_id"])
        return ids

    with ThreadPoolExecutor(8) as pool:
        per_thread = list(pool.map(sender, range(8)))
    every = [i for ids in per_thread for i in ids]
    assert len(set(every)) == 200
    assert all(ids == sorted(ids) and len(set(ids)) == 25 for ids in per_thread)
    assert set(every) == set(range(1, 201))  # no send failed, so no id was skipped
    listed = [m["message_id"] for m in Api(server).get(f"{channel}/messages?limit=100").json()["data"]]
    assert listed == list(range(1, 101))


BAD_SENDS: list[tuple[str, Any]] = [
    ("missing user_id", {"message": "m"}),
    ("missing message", {"user_id": "u"}),
    ("message not a string", {"user_id": "u", "message": 5}),
    ("user_id empty", {"user_id": "", "message": "m"}),
    ("message over 32 KiB", {"user_id": "u", "message": "x" * (32 * 1024 + 1)}),
    ("data over 64 KiB", {"user_id": "u", "message": "m", "data": "x" * (64 * 1024 + 1)}),
    ("unknown field", {"user_id": "u", "message": "m", "mesage": "m"}),
    ("key of 81 bytes", {"user_id": "u", "message": "m", "sorted_metaarray": [{"key": "é" * 40 + "x", "value": []}]}),
    ("key with a comma", {"user_id": "u", "message": "m", "sorted_metaarray": [{"key": "a,b", "value": []}]}),
    ("empty key", {"user_id": "u", "message": "m", "sorted_metaarray": [{"key": "", "value": []}]}),
    ("value of 129 bytes", {"user_id": "u", "message": "m", "sorted_metaarray": [{"key": "k", "value": ["v" * 129]}]}),
    ("value not a string", {"user_id": "u", "message": "m", "sorted_metaarray": [{"key": "k", "value": [1]}]}),
    (
        "101 values",
        {"user_id": "u", "message": "m", "sorted_metaarray": [{"key": "k", "value": [str(i) for i in range(101)]}]},
    ),
    (
        "21 keys",
        {"user_id": "u", "message": "m", "sorted_metaarray": [{"key": f"k{i}", "value": []} for i in range(21)]},
    ),
    ("a key twice", {"user_id": "u", "message": "m", "sorted_metaarray": [{"key": "k", "value": []}] * 2}),
    ("metaarray not a list", {"user_id": "u", "message": "m", "sorted_metaarray": {"k": ["v"]}}),
    ("body not an object", ["user_id", "message"]),
]


@pytest.mark.parametrize(("case", "body"), BAD_SENDS, ids=[c for c, _ in BAD_SENDS])
def test_a_bad_send_is_400_and_writes_nothing(api: Api, channel: str, case: str, body: Any) -> None:
    _send(api, channel)
    response = api.post(f"{channel}/messages", body)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error", "code", "message"}
    assert _ids(api, channel) == [1]
    assert _send(api, channel)["message_id"] == 2  # no id was allocated for it


def test_the_limits_themselves_are_fine(api: Api, channel: str) -> None:
    full = [{"key": f"k{i:02d}-" + "é" * 38, "value": [f"{i}-{j}-" + "v" * 120 for j in range(100)]} for i in range(20)]
    sent = _send(api, channel, message="m" * 32 * 1024, data="d" * 64 * 1024, sorted_metaarray=full)
    assert sent["sorted_metaarray"] == full
    assert api.get(f"{channel}/messages/1").json() == sent
    assert _ids(api, channel, metaarray_key=full[19]["key"], metaarray_values=full[19]["value"][99]) == [1]


def test_a_retried_send_with_an_idempotency_key_is_one_message(api: Api, channel: str) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.post(f"{channel}/messages", {"user_id": "u", "message": "once"}, headers=key)
    again = api.post(f"{channel}/messages", {"user_id": "u", "message": "once"}, headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert _ids(api, channel) == [first.json()["message_id"]]
    other = api.post(f"{channel}/messages", {"user_id": "u", "message": "other"}, headers=key)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_deleting_a_channel_deletes_its_messages_and_index_entries(api: Api, table: Any) -> None:
    url = f"gone-{uuid.uuid4().hex[:8]}"
    channel = f"/group_channels/{url}"
    assert api.post("/group_channels", {"channel_url": url}).status_code == 201
    for i in range(12):
        _send(api, channel, sorted_metaarray=[{"key": "k", "value": [str(i % 2), "all"]}])
    partition = keys.channel_messages("local", "group_channels", url)

    def stored() -> list[str]:
        return [str(i["SK"]) for i in table.query(KeyConditionExpression=Key("PK").eq(partition))["Items"]]

    assert len(stored()) == 1 + 12 + 24
    assert api.delete(channel).json() == {}
    assert stored() == ["COUNTER"]  # ids of a channel url are never reused
    for response in (
        api.get(f"{channel}/messages"),
        api.get(f"{channel}/messages/3"),
        api.post(f"{channel}/messages", {"user_id": "u", "message": "m"}),
    ):
        assert response.status_code == 404, response.text
    assert api.post("/group_channels", {"channel_url": url}).status_code == 201
    assert _ids(api, channel) == [] and _ids(api, channel, metaarray_key="k", metaarray_values="all") == []
    assert api.get(f"{channel}/messages/3").status_code == 404
    assert _send(api, channel)["message_id"] == 13
