"""Change events: every change to metadata, metacounter and meta reaches the webhook from the
table's stream (in AWS: the EventBridge bus) as {app_id, resource, id, field, before, after, at}."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import Api, Webhook


def test_metadata_counter_and_meta_changes_are_published(api: Api, webhook: Webhook, user: str, channel: str) -> None:
    api.post(f"/users/{user}/metadata", {"metadata": {"tier": "free"}})
    api.put(f"/users/{user}/metadata/tier", {"value": "pro"})
    api.post(f"/users/{user}/meta", {"score": 3})
    api.post(f"{channel}/metacounter", {"metacounter": {"likes": 1}})
    api.put(f"{channel}/metacounter/likes", {"value": 2, "mode": "increase"})

    tier = webhook.wait_for(lambda e: e["id"] == user and e["field"] == "metadata.tier" and e["after"] == "pro")
    assert tier and tier[0]["before"] == "free" and tier[0]["resource"] == "user"
    assert tier[0]["app_id"] == "local" and isinstance(tier[0]["at"], int) and tier[0]["at"] > 0
    meta = webhook.wait_for(lambda e: e["id"] == user and e["field"] == "meta")
    assert meta and meta[-1]["after"] == {"score": 3}
    channel_id = channel.lstrip("/")
    likes = webhook.wait_for(lambda e: e["id"] == channel_id and e["field"] == "metacounter.likes" and e["after"] == 3)
    assert likes and likes[0]["before"] == 1 and likes[0]["resource"] == "channel"


def test_rejected_writes_publish_nothing(api: Api, webhook: Webhook, user: str) -> None:
    api.post(f"/users/{user}/metadata", {"metadata": {"k": "v"}})
    assert webhook.wait_for(lambda e: e["id"] == user and e["field"] == "metadata.k")
    assert api.post(f"/users/{user}/metadata", {"metadata": {"k": "other", "n": "x"}}).status_code == 409
    api.put(f"/users/{user}/metadata/marker", {"value": "m", "upsert": True})
    assert webhook.wait_for(lambda e: e["id"] == user and e["field"] == "metadata.marker")
    assert not [e for e in webhook.events if e["id"] == user and e["field"] == "metadata.n"]


def test_session_status_and_user_metadata_changes_are_published(api: Api, webhook: Webhook) -> None:
    sid = f"ce-{uuid.uuid4().hex[:12]}"
    api.post("/sessions", {"session_id": sid, "user_metadata": {"plan": "free"}})
    api("PATCH", f"/sessions/{sid}", {"user_metadata": {"plan": "pro"}})
    api.post("/events", {"batch": [{"session_id": sid, "type": "screen", "name": "home"}]})
    api.post(f"/sessions/{sid}", {"status": "REQUEST_RELEASE"})
    released = webhook.wait_for(lambda e: e["id"] == sid and e["field"] == "status" and e["after"] == "COMPLETED")
    assert released and released[0]["before"] == "RUNNING" and released[0]["resource"] == "session"
    plan = webhook.wait_for(
        lambda e: e["id"] == sid and e["field"] == "user_metadata" and e["after"] == {"plan": "pro"}
    )
    assert plan and plan[0]["before"] == {"plan": "free"}
    fields = [e["field"] for e in webhook.events if e["id"] == sid]
    assert fields.count("status") == 2  # created RUNNING, then COMPLETED: events publish nothing of their own


def test_sorted_metaarray_and_message_meta_changes_are_published(api: Api, webhook: Webhook, channel: str) -> None:
    sent = api.post(
        f"{channel}/messages",
        {"user_id": "u", "message": "m", "sorted_metaarray": [{"key": "likes", "value": ["bob"]}]},
    )
    message = f"{channel}/messages/{sent.json()['message_id']}"
    message_id = f"{channel.lstrip('/')}/{sent.json()['message_id']}"
    api.put(f"{message}/sorted_metaarray", {"sorted_metaarray": [{"key": "likes", "value": ["carol"]}]})
    api.post(f"{message}/meta", {"pinned": True})
    api.delete(f"{message}/sorted_metaarray?keys=likes")

    def mine(field: str) -> list[dict[str, Any]]:
        return [e for e in webhook.events if e["id"] == message_id and e["field"] == field]

    assert webhook.wait_for(
        lambda e: e["id"] == message_id and e["field"] == "sorted_metaarray.likes" and e["after"] is None
    )
    likes = [(e["before"], e["after"]) for e in mine("sorted_metaarray.likes")]
    assert likes == [(None, ["bob"]), (["bob"], ["bob", "carol"]), (["bob", "carol"], None)]
    assert webhook.wait_for(lambda e: e["id"] == message_id and e["field"] == "meta")
    assert [(e["before"], e["after"], e["resource"]) for e in mine("meta")] == [({}, {"pinned": True}, "message")]
    assert not [e for e in webhook.events if e["id"].startswith(message_id) and e["resource"] != "message"]
