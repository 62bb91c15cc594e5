"""``q`` on users and channels: the same parser and matcher as sessions', with the bases
``metadata`` (string values) and ``meta`` (any JSON)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import Api


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
