"""Change events: every change to metadata, metacounter and meta reaches the webhook from the
table's stream (in AWS: the EventBridge bus) as {app_id, resource, id, field, before, after, at}."""

from __future__ import annotations

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
