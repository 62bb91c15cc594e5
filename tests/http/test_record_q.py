"""``q`` on users and channels: the same parser and matcher as sessions', with the bases
``metadata`` (string values) and ``meta`` (any JSON)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr

from annex.store import keys, qindex
from tests.conftest import Api, Stack, imported, scan_all


def test_q_on_users_over_metadata_and_meta(api: Api) -> None:
    mark = uuid.uuid4().hex
    users: dict[str, dict[str, Any]] = {
        "a": {"metadata": {"mark": mark, "plan": "pro"}, "meta": {"level": 5, "tags": ["x"]}},
        "b": {"metadata": {"mark": mark, "plan": "free"}, "meta": {"level": 2}},
        "c": {"metadata": {"mark": mark}, "meta": {"level": "5"}},
    }
    ids = {name: f"qu-{name}-{mark[:8]}" for name in users}
    for name, body in users.items():
        assert api.post("/users", {"user_id": ids[name]} | body).status_code == 201

    def names(q: str) -> set[str]:
        response = api.get("/users", params={"q": f"metadata['mark']:'{mark}' AND {q}", "limit": 100})
        assert response.status_code == 200, response.text
        found = {u["user_id"] for u in response.json()["data"]}
        return {name for name, uid in ids.items() if uid in found}

    assert names("metadata['plan']:'pro'") == {"a"}
    assert names("-metadata['plan']:'pro'") == {"b", "c"}
    assert names("meta['level']>=2") == {"a", "b"}
    assert names("meta['level']:'5'") == {"c"}
    assert names("meta['tags']:'x'") == {"a"}
    bad = api.get("/users", params={"q": "user_metadata['x']:1"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_query"


def test_q_on_channels(api: Api) -> None:
    mark = uuid.uuid4().hex
    url = f"qc-{mark[:10]}"
    body = {"channel_url": url, "metadata": {"mark": mark}, "meta": {"topic": {"name": "ops"}}}
    assert api.post("/group_channels", body).status_code == 201
    found = api.get("/group_channels", params={"q": f"metadata['mark']:'{mark}' AND meta['topic']['name']:'ops'"})
    assert [c["channel_url"] for c in found.json()["data"]] == [url]
    none = api.get("/group_channels", params={"q": f"metadata['mark']:'{mark}' AND meta['topic']['name']:'dev'"})
    assert none.json()["data"] == []
    malformed = api.get("/group_channels", params={"q": "meta['topic'] ::"})
    assert malformed.status_code == 400 and "character" in malformed.json()["message"]


# ``q`` on ``meta`` from its index entries (store/metaindex.py): full pages whatever the list holds.


@pytest.fixture(scope="module")
def metacrowd(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Api:
    """An application of 300 users imported with annex-admin (so the import writes the entries): 3
    rare ones (score 5,000 and more, theme dark, tag vip), the rest score 0 to 99, theme light."""
    rare = {17, 150, 299}
    lines = [
        {
            "type": "user",
            "user_id": f"m{n:04d}",
            "meta": {"score": 5000 + n, "prefs": {"theme": "dark"}, "tags": ["vip", "beta"]}
            if n in rare
            else {"score": n % 100, "prefs": {"theme": "light"}, "tags": [f"t{n % 3}"]},
        }
        for n in range(300)
    ]
    return imported(stack, "metacrowd", lines, tmp_path_factory.mktemp("metacrowd"))


RARE = ["m0017", "m0150", "m0299"]


def _page(api: Api, q: str, limit: int = 100, cursor: str | None = None) -> tuple[list[str], str | None]:
    params: dict[str, Any] = {"q": q, "limit": limit} | ({"next": cursor} if cursor else {})
    response = api.get("/users", params=params)
    assert response.status_code == 200, response.text
    return [u["user_id"] for u in response.json()["data"]], response.json()["next"]


def test_a_rare_meta_match_is_one_full_page(metacrowd: Api) -> None:
    for q in ("meta['prefs']['theme']:'dark'", "meta['score'] >= 5000", "meta['tags']:'vip'"):
        assert _page(metacrowd, q, limit=3) == (RARE, None), q
        first, cursor = _page(metacrowd, q, limit=2)
        assert first == RARE[:2] and cursor
        assert _page(metacrowd, q, limit=2, cursor=cursor) == (RARE[2:], None), q


def test_meta_equality_ranges_and_contains(metacrowd: Api) -> None:
    def all_of(q: str) -> list[str]:
        found, cursor = _page(metacrowd, q)
        while cursor:
            more, cursor = _page(metacrowd, q, cursor=cursor)
            found += more
        return found

    assert all_of("meta['score']:42") == ["m0042", "m0142", "m0242"]
    assert all_of("meta['score']:42.0") == ["m0042", "m0142", "m0242"]  # 42 and 42.0 alike
    assert all_of("meta['score'] > 98 AND meta['score'] < 1000") == ["m0099", "m0199"]
    assert all_of("meta['score'] <= 0") == ["m0000", "m0100", "m0200"]
    assert all_of("meta['score'] > 5149") == ["m0150", "m0299"]
    assert all_of("meta['score'] > 1000000") == []
    assert all_of("meta['tags']:'t1'") == [f"m{n:04d}" for n in range(300) if n % 3 == 1 and n not in (150,)]
    assert all_of("meta['tags']:'vip' AND -meta['score']:5017") == ["m0150", "m0299"]
    assert all_of("meta['prefs']['theme']:'dark' AND meta['score'] < 5100") == ["m0017"]
    assert all_of("meta['score']:'42'") == []  # a string is not the number
    walked = all_of("meta['prefs']['theme']:'light'")
    assert walked == [f"m{n:04d}" for n in range(300) if n not in (17, 150, 299)]  # id order, no gaps


def test_a_stale_meta_entry_is_never_returned(api: Api, table: Any) -> None:
    mark = uuid.uuid4().hex[:10]
    uid = f"stale-{mark}"
    assert api.post("/users", {"user_id": uid, "meta": {"mark": mark, "n": 7, "tags": ["a"]}}).status_code == 201
    assert _page(api, f"meta['mark']:'{mark}'") == ([uid], None)
    assert _page(api, f"meta['n'] > 6 AND meta['mark']:'{mark}'") == ([uid], None)
    assert api("PATCH", f"/users/{uid}", {"meta": {"mark": mark + "x", "n": 1, "tags": ["b"]}}).status_code == 200
    assert _page(api, f"meta['mark']:'{mark}'") == ([], None)
    assert _page(api, f"meta['mark']:'{mark}x'") == ([uid], None)
    assert _page(api, "meta['tags']:'a' AND meta['n']:7")[0] == []
    # An entry the meta no longer holds (a writer that died between its steps) is re-checked away.
    new, old = qindex.encode(mark + "x"), qindex.encode(mark)
    entry = next(i for i in scan_all(table, Attr("GSI3SK").eq(uid)) if str(i["GSI3PK"]).endswith(new))
    ghost = dict(entry) | {"SK": str(entry["SK"]) + "-ghost", "GSI3PK": str(entry["GSI3PK"]).replace(new, old)}
    table.put_item(Item=ghost)
    assert _page(api, f"meta['mark']:'{mark}'") == ([], None)
    assert api.post(f"/users/{uid}/meta", {"mark": mark}).status_code == 200  # POST merges: the old mark again
    assert _page(api, f"meta['mark']:'{mark}'") == ([uid], None)
    assert api.delete(f"/users/{uid}").status_code in (200, 204)
    assert _page(api, f"meta['mark']:'{mark}'") == ([], None)
    left = [i for i in scan_all(table, Attr("GSI3SK").eq(uid)) if str(i["SK"]).startswith(keys.META_ENTRY)]
    assert left == []  # the delete removed every entry of the partition


def test_paging_meta_while_others_write(metacrowd: Api, server: str) -> None:
    stable = [f"m{n:04d}" for n in range(300) if n % 3 == 0 and n not in (150,)]
    movers = [f"m{n:04d}" for n in range(300) if n % 3 == 2 and n not in (17, 299)][:20]
    stop = threading.Event()

    def write() -> None:
        client, flip = Api(server, token=metacrowd.session.headers["Api-Token"]), 0
        while not stop.is_set():
            for user in movers:
                client("PATCH", f"/users/{user}", {"meta": {"tags": ["t0" if flip % 2 == 0 else "t2"]}})
            flip += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        seen: list[str] = []
        page, cursor = _page(metacrowd, "meta['tags']:'t0'", limit=15)
        seen += page
        while cursor:
            page, cursor = _page(metacrowd, "meta['tags']:'t0'", limit=15, cursor=cursor)
            assert len(page) == 15 or cursor is None
            seen += page
    finally:
        stop.set()
        writer.join()
    assert len(seen) == len(set(seen)) and seen == sorted(seen), "no duplicates, id order"
    assert set(stable) <= set(seen), "no gaps among users that did not change"
    assert set(seen) <= set(stable) | set(movers)


def test_a_large_meta_goes_through_the_lock_and_keeps_its_entries_exact(api: Api, table: Any) -> None:
    uid = f"many-{uuid.uuid4().hex[:8]}"
    assert api.post("/users", {"user_id": uid, "meta": {"a": list(range(150))}}).status_code == 201
    assert _page(api, "meta['a']:149 AND meta['a']:0")[0] == [uid]
    assert api("PATCH", f"/users/{uid}", {"meta": {"a": list(range(200, 330)), "b": 1}}).status_code == 200
    user = scan_all(table, Attr("SK").eq("USER") & Attr("user_id").eq(uid))[0]
    assert "index_lock" not in user
    entries = {str(i["GSI3PK"]) for i in scan_all(table, Attr("GSI3SK").eq(uid)) if str(i["SK"]).startswith("~Q#")}
    assert len(entries) == 131
    assert _page(api, "meta['a']:300 AND meta['b']:1")[0] == [uid]
    assert _page(api, "meta['a']:100 AND meta['b']:1")[0] == []
    assert "index_lock" not in api.get(f"/users/{uid}").json()
