"""Users over HTTP: create, read, update, delete, list with metadata filter and cursors."""

from __future__ import annotations

import uuid

from tests.conftest import Api


def test_create_user_answers_the_user_object_and_409_on_repeat(api: Api) -> None:
    user_id = f"u-{uuid.uuid4().hex[:8]}"
    created = api.post("/users", {"user_id": user_id, "nickname": "Ann", "metadata": {"plan": "pro"}})
    assert created.status_code == 201
    body = created.json()
    assert {k: body[k] for k in ("user_id", "nickname", "profile_url", "metadata", "meta")} == {
        "user_id": user_id,
        "nickname": "Ann",
        "profile_url": "",
        "metadata": {"plan": "pro"},
        "meta": {},
    }
    assert isinstance(body["created_at"], int)
    again = api.post("/users", {"user_id": user_id, "nickname": "Other"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_exists"
    assert api.get(f"/users/{user_id}").json()["nickname"] == "Ann"


def test_update_and_delete_user(api: Api, user: str) -> None:
    updated = api.put(f"/users/{user}", {"nickname": "New", "profile_url": "https://x/p.png"})
    assert updated.status_code == 200
    assert updated.json()["nickname"] == "New"
    assert api.get(f"/users/{user}").json()["profile_url"] == "https://x/p.png"
    assert api.delete(f"/users/{user}").status_code == 200
    assert api.get(f"/users/{user}").status_code == 404
    assert api.get(f"/users/{user}/metadata").status_code == 404
    assert api.delete(f"/users/{user}").status_code == 404


def test_missing_user_is_404_with_the_error_body(api: Api) -> None:
    response = api.get("/users/nobody-" + uuid.uuid4().hex)
    assert response.status_code == 404
    body = response.json()
    assert body["error"] is True and body["code"] == "not_found" and "User not found" in body["message"]


def test_user_ids_with_reserved_characters_round_trip(api: Api) -> None:
    user_id = f"a/b c#{uuid.uuid4().hex[:6]}?&%"
    from urllib.parse import quote

    assert api.post("/users", {"user_id": user_id}).status_code == 201
    got = api.get("/users/" + quote(user_id, safe=""))
    assert got.status_code == 200 and got.json()["user_id"] == user_id
    put = api.put(
        "/users/" + quote(user_id, safe="") + "/metadata/" + quote("k/1?", safe=""), {"value": "v", "upsert": True}
    )
    assert put.status_code == 200 and put.json() == {"k/1?": "v"}


def test_list_filters_by_metadata_values_and_pages_without_gaps(api: Api) -> None:
    tag = uuid.uuid4().hex[:8]
    wanted = set()
    for i in range(7):
        user_id = f"list-{tag}-{i}"
        api.post("/users", {"user_id": user_id, "metadata": {f"team-{tag}": "red" if i % 2 else "blue"}})
        if i % 2:
            wanted.add(user_id)
    seen: list[str] = []
    cursor = None
    while True:
        query = f"/users?limit=2&metadatakey=team-{tag}&metadatavalues_in=red,green"
        response = api.get(query + (f"&next={cursor}" if cursor else ""))
        assert response.status_code == 200
        page = response.json()
        assert len(page["data"]) <= 2
        seen += [u["user_id"] for u in page["data"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(wanted)
    assert len(seen) == len(set(seen))


def test_list_rejects_bad_limit_and_foreign_cursor(api: Api) -> None:
    assert api.get("/users?limit=0").status_code == 400
    assert api.get("/users?limit=101").status_code == 400
    bad = api.get("/users?next=not-a-cursor")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"
