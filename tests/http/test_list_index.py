"""Users and channels found by metadata and metacounters from the list index (GSI3, GSI4): full pages
whatever the list holds, every filter and q base, cursors under concurrent writes, imports indexed."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conftest import Api, Stack, imported


@pytest.fixture(scope="module")
def crowd(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Api:
    """An application of 2,000 users imported with annex-admin (3 on plan gold) and 300 group
    channels (3 with 400 unread, the rest 0 to 9)."""
    lines = [
        {"type": "user", "user_id": f"u{n:05d}", "metadata": {"plan": "gold" if n in (17, 1234, 1999) else f"p{n % 7}"}}
        for n in range(2000)
    ] + [
        {
            "type": "channel",
            "channel_type": "group_channels",
            "channel_url": f"c{n:04d}",
            "metadata": {"team": "red, blue" if n in (5, 250) else "green"},
            "metacounter": {"unread": 400 if n in (1, 150, 299) else n % 10},
        }
        for n in range(300)
    ]
    return imported(stack, "crowd", lines, tmp_path_factory.mktemp("crowd"))


def ids(response: Any, field: str = "user_id") -> list[str]:
    assert response.status_code == 200, response.text
    return [record[field] for record in response.json()["data"]]


def test_a_rare_filter_answers_a_full_page_in_one_request(crowd: Api) -> None:
    response = crowd.get("/users", params={"metadatakey": "plan", "metadatavalues_in": "gold", "limit": 3})
    assert ids(response) == ["u00017", "u01234", "u01999"] and response.json()["next"] is None
    two = crowd.get("/users", params={"metadatakey": "plan", "metadatavalues_in": "gold", "limit": 2})
    assert ids(two) == ["u00017", "u01234"] and two.json()["next"]
    rest = crowd.get("/users", params={"metadatakey": "plan", "metadatavalues_in": "gold", "next": two.json()["next"]})
    assert ids(rest) == ["u01999"] and rest.json()["next"] is None


def test_every_filter_and_q_base_is_served(crowd: Api) -> None:
    def users(**params: Any) -> list[str]:
        return ids(crowd.get("/users", params=params | {"limit": 100}))

    def channels(**params: Any) -> list[str]:
        return ids(crowd.get("/group_channels", params=params | {"limit": 100}), "channel_url")

    assert users(metadatakey="plan", metadatavalues_in="gold,p3")[:3] == ["u00003", "u00010", "u00017"]
    assert users(q="metadata['plan']:'gold'") == ["u00017", "u01234", "u01999"]
    assert users(q="metadata['plan']:'gold' AND -metadata['plan']:'x'") == ["u00017", "u01234", "u01999"]
    assert users(q="metadata['plan'] > 3") == []  # metadata values are strings: no number matches
    hot = ["c0001", "c0150", "c0299"]
    assert channels(metacounter_key="unread", metacounter_value_gt=9) == hot
    assert channels(metacounter_key="unread", metacounter_value_gte=400, metacounter_value_lte=400) == hot
    assert channels(metacounter_key="unread", metacounter_value_lt=1)[:3] == ["c0000", "c0010", "c0020"]
    assert channels(metacounter_key="unread", metacounter_value_gt=8, metacounter_value_lt=400) == [
        f"c{n:04d}"
        for n in range(9, 299, 10)  # c0299 is at 400
    ]
    assert len(channels(metacounter_key="unread")) == 100  # the key's owners, a full page
    assert channels(metacounter_key="missing") == []
    # A value with a comma is matched through q: metadata_values is a comma list (given repeated,
    # its values are joined with commas), so it looks for "red" and " blue".
    assert channels(q="metadata['team']:'red, blue'") == ["c0005", "c0250"]
    assert channels(metadata_key="team", metadata_values="red, blue") == []
    assert channels(metadata_key="team", metadata_values="green")[:2] == ["c0000", "c0001"]


def test_pages_walk_the_whole_filter_without_duplicates_or_gaps(crowd: Api) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"metadatakey": "plan", "metadatavalues_in": "p1,p2", "limit": 37} | (
            {"next": cursor} if cursor else {}
        )
        response = crowd.get("/users", params=params)
        page = ids(response)
        assert len(page) == 37 or response.json()["next"] is None
        seen += page
        cursor = response.json()["next"]
        if cursor is None:
            break
    assert seen == [f"u{n:05d}" for n in range(2000) if n % 7 in (1, 2) and n not in (17, 1234, 1999)]


def test_readers_paging_while_writers_move_other_users_see_the_unchanged_ones_once(crowd: Api, server: str) -> None:
    stable = [f"u{n:05d}" for n in range(2000) if n % 7 == 4 and n not in (17, 1234, 1999)]
    movers = [f"u{n:05d}" for n in range(2000) if n % 7 == 5][:40]
    stop = threading.Event()

    def write() -> None:
        client, flip = Api(server, token=crowd.session.headers["Api-Token"]), 0
        while not stop.is_set():
            for user in movers:
                client.put(f"/users/{user}/metadata/plan", {"value": "p4" if flip % 2 == 0 else "p5"})
            flip += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        seen: list[str] = []
        cursor = None
        while True:
            params = {"metadatakey": "plan", "metadatavalues_in": "p4", "limit": 50} | (
                {"next": cursor} if cursor else {}
            )
            response = crowd.get("/users", params=params)
            seen += ids(response)
            cursor = response.json()["next"]
            if cursor is None:
                break
    finally:
        stop.set()
        writer.join()
    assert len(seen) == len(set(seen)), "no duplicates"
    assert set(stable) <= set(seen), "no gaps among users that did not change"
    assert set(seen) <= set(stable) | set(movers)


def test_counter_filter_finds_the_final_value_after_concurrent_increments(api: Api, server: str) -> None:
    url = f"idx-{uuid.uuid4().hex[:8]}"
    assert api.post("/group_channels", {"channel_url": url, "metacounter": {"hits": 0}}).status_code == 201

    def hammer(_: int) -> list[int]:
        client = Api(server)
        path = f"/group_channels/{url}/metacounter/hits"
        return [client.put(path, {"value": 1, "mode": "increase"}).status_code for _ in range(50)]

    with ThreadPoolExecutor(8) as pool:
        assert {s for batch in pool.map(hammer, range(8)) for s in batch} == {200}
    assert api.get(f"/group_channels/{url}/metacounter/hits").json() == {"hits": 400}

    def found(**bounds: int) -> bool:
        params = {"metacounter_key": "hits", "limit": 100} | {f"metacounter_value_{k}": v for k, v in bounds.items()}
        return url in ids(api.get("/group_channels", params=params), "channel_url")

    assert found(gte=400, lte=400) and found(gt=399) and found(gte=100, lt=1000)
    assert not found(lt=400) and not found(gte=399, lte=399) and not found(gt=400) and not found(lte=99)


def test_concurrent_upserts_of_different_keys_keep_every_key_and_its_entry(api: Api, server: str, user: str) -> None:
    def upsert(n: int) -> int:
        return int(Api(server).put(f"/users/{user}/metadata/k{n}", {"value": f"w{n}", "upsert": True}).status_code)

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(upsert, range(24))) == {200}
    assert api.get(f"/users/{user}/metadata").json() == {f"k{n}": f"w{n}" for n in range(24)}
    for n in (0, 11, 23):
        found = ids(api.get("/users", params={"metadatakey": f"k{n}", "metadatavalues_in": f"w{n}", "limit": 100}))
        assert user in found
    api.put(f"/users/{user}/metadata/k0", {"value": "changed"})
    assert user not in ids(api.get("/users", params={"metadatakey": "k0", "metadatavalues_in": "w0", "limit": 100}))
    api.delete(f"/users/{user}")
    assert user not in ids(api.get("/users", params={"metadatakey": "k11", "limit": 100}))
